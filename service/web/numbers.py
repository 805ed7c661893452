"""Whole columns of numbers in the reader's locale: the one helper lives in ``service.i18n.columns``
(the workspace tables and the PDF annex both use it)."""

from __future__ import annotations

from service.i18n.columns import fmt_number, format_column

__all__ = ["fmt_number", "format_column"]
