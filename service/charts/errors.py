"""The one exception of the chart functions."""

from __future__ import annotations


class ChartInputError(ValueError):
    """Data a chart cannot be drawn from; the message names the field (and row) and the reason."""

    def __init__(self, message: str, field: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.row = row
