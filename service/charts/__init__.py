"""Hand-written, accessible SVG charts and maps: pure functions, data in -> SVG string out.

No plotting library: every mark is written here so the SVG has a ``<title>``/``<desc>``, axis labels
with units, escaped text, no external references, and a colour-blind-safe palette.
"""

from service.charts.errors import ChartInputError

__all__ = ["ChartInputError"]
