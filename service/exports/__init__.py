"""The one place where the service writes files a person or a machine downloads: CSV (two dialects),
XLSX workbooks, and the HTTP answers carrying them (``responses``)."""

from __future__ import annotations

from service.exports.labels import column_format
from service.exports.writers import DIALECTS, Dialect, Sheet, csv_bytes, safe_text, xlsx_bytes

__all__ = ["DIALECTS", "Dialect", "Sheet", "column_format", "csv_bytes", "safe_text", "xlsx_bytes"]
