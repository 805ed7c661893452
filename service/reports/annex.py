"""The annex of the energy diagnosis: every building, as a fixed-width listing a person can read.

WeasyPrint lays out every table cell as its own box tree (cell, block, line, text), about 2 ms per
cell on this machine: a 10-column table of 5,000 buildings took 160 s. The annex is therefore a
listing in a monospaced font (DejaVu Sans Mono, the same family as the body): one text line per
building, columns padded in Python, five buildings per table row (a tinted band every other row
guides the eye), the header row repeated on every page by the table. Same figures, same locale
formatting, about a fifth of the layout time (``benchmarks/bench_reports.py``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.i18n import translator
from service.i18n.columns import format_column

# Characters per line at the annex's 7.2 pt DejaVu Sans Mono (advance 0.602 em = 1.53 mm) across the
# 273 mm of a landscape A4 page between its 12 mm margins, less the cell padding.
LINE_CHARS = 168
NAME_MIN_CHARS, NAME_MAX_CHARS = 16, 60
BUILDINGS_PER_BAND = 5
GAP = "  "


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # msgid
    digits: int | None  # None: text (left-aligned); else a number with these decimals (right-aligned)


COLUMNS = (
    Column("building_id", "ID", None),
    Column("name", "Name", None),
    Column("building_type", "Type", None),
    Column("construction_year", "Built", -1),  # -1: a year, never grouped
    Column("heated_area_m2", "Area [m²]", 0),
    Column("ep_hw", "EP H+W", 1),
    Column("ep_limit", "Limit", 0),
    Column("co2_t", "CO₂ [t/year]", 1),
    Column("cost_pln", "Cost [zł/year]", 0),
    Column("pv_kwp", "PV [kWp]", 1),
)


def _texts(table: pd.DataFrame, col: Column, lang: str) -> list[str]:
    if col.key == "building_type":
        t = translator(lang)
        names = {v: t.pgettext("building_type", v) for v in table[col.key].dropna().unique()}
        return [names.get(v, "") for v in table[col.key]]
    if col.digits is None:
        return [str(v) for v in table[col.key].fillna("")]
    values = pd.to_numeric(table[col.key], errors="coerce").to_numpy(float)
    if col.digits == -1:
        return ["–" if not np.isfinite(v) else str(int(v)) for v in values]
    return format_column(values, lang, col.digits)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def listing(table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The annex of ``table`` (one row per building, ``buildings_table``'s columns) in ``lang``.

    Returns ``header`` (the column headings, wrapped over as many lines as the longest needs),
    ``bands`` (text blocks of :data:`BUILDINGS_PER_BAND` lines, one line per building, in the
    inventory's order) and ``shortened`` (how many names or identifiers were cut to the column's width; the XLSX
    workbook has them in full).
    """
    t = translator(lang)
    texts = {c.key: _texts(table, c, lang) for c in COLUMNS}
    headers = {c.key: t.gettext(c.header) for c in COLUMNS}

    def need(c: Column) -> int:
        longest_word = max((len(w) for w in headers[c.key].split()), default=1)
        return max([longest_word, *(len(s) for s in texts[c.key])])

    widths = {c.key: need(c) for c in COLUMNS if c.key != "name"}
    widths["building_id"] = min(widths["building_id"], 24)
    rest = LINE_CHARS - sum(widths.values()) - len(GAP) * (len(COLUMNS) - 1)
    widths["name"] = max(NAME_MIN_CHARS, min(NAME_MAX_CHARS, rest, need(COLUMNS[1])))
    wrapped = {c.key: textwrap.wrap(headers[c.key], widths[c.key]) or [""] for c in COLUMNS}
    depth = max(len(v) for v in wrapped.values())

    def pad(text: str, c: Column) -> str:
        return text.ljust(widths[c.key]) if c.digits is None else text.rjust(widths[c.key])

    # headings sit on the bottom line, as in the body's tables
    lifted = {c.key: [""] * (depth - len(wrapped[c.key])) + wrapped[c.key] for c in COLUMNS}
    header = "\n".join(GAP.join(pad(lifted[c.key][i], c) for c in COLUMNS).rstrip() for i in range(depth))
    shortened = sum(len(s) > widths[k] for k in ("building_id", "name") for s in texts[k])
    lines = [
        GAP.join(pad(_fit(texts[c.key][i], widths[c.key]), c) for c in COLUMNS).rstrip()
        for i in range(len(table))
    ]
    bands = ["\n".join(lines[i : i + BUILDINGS_PER_BAND]) for i in range(0, len(lines), BUILDINGS_PER_BAND)]
    return {"header": header, "bands": bands, "shortened": shortened, "name_chars": widths["name"]}
