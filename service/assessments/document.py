"""Everything a person's document about one finished assessment shows, gathered once.

The XLSX workbook (``sheets``) and the PDF energy diagnosis (``service.reports``) both start from an
:class:`AssessmentDocument`, so the spreadsheet and the report can never disagree. No physics here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from energy import carriers
from service.assessments.results import export_frame
from service.exports import Sheet
from service.i18n import translator


@dataclass
class AssessmentDocument:
    """A finished assessment: identity, the per-building table, totals, meta, and the sources used."""

    assessment_id: uuid.UUID
    inventory_id: uuid.UUID
    inventory_name: str
    inventory_version: int
    city_name: str
    engine_version: str
    created_at: dt.datetime
    finished_at: dt.datetime
    params: dict[str, Any]
    buildings: pd.DataFrame  # flat records, with lat/lon of the inventory where given
    totals: dict[str, Any]
    totals_by_type: list[dict[str, Any]]
    meta: dict[str, Any]
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"assessment-{self.assessment_id}"


def carrier_sources() -> pd.DataFrame:
    """Carrier factors and prices with their source and year, as the engine's data file states them."""
    table = carriers.carrier_sources()
    keep = [c for c in ("carrier", "parameter", "value", "unit", "source", "source_year") if c in table]
    return table[keep].reset_index(drop=True)


def _summary_frame(doc: AssessmentDocument, lang: str) -> pd.DataFrame:
    keys = [k for k in doc.totals if k != "n_buildings"]
    rows = [{"parameter": "n_buildings", "value": doc.totals.get("n_buildings")}]
    rows += [{"parameter": k, "value": doc.totals[k]} for k in keys]
    from service.exports.labels import column_format

    frame = pd.DataFrame(rows)
    frame["parameter"] = [column_format(k, lang).header for k in frame["parameter"]]
    return frame


def _warnings_frame(doc: AssessmentDocument) -> pd.DataFrame:
    rows = [{"building_id": w.get("building_id"), "field": w.get("field"), "message": w.get("message")}
            for w in doc.warnings]  # fmt: skip
    return pd.DataFrame(rows, columns=["building_id", "field", "message"])


def _defaults_frame(doc: AssessmentDocument) -> pd.DataFrame:
    if "defaults_used" not in doc.buildings:
        return pd.DataFrame(columns=["building_id", "defaults_used"])
    frame = doc.buildings[["building_id", "defaults_used"]].explode("defaults_used")
    return frame.dropna().reset_index(drop=True)


def run_rows(doc: AssessmentDocument, lang: str) -> list[tuple[str, str]]:
    """The run's identity and method, as (label, value) pairs (a sheet and the report's method page)."""
    t = translator(lang)
    climate = "; ".join(
        f"{c.get('name')}: {c.get('source')}, {c.get('period')}" for c in doc.meta.get("climate", [])
    )
    return [
        (t.gettext("Assessment"), str(doc.assessment_id)),
        (t.gettext("Inventory"), f"{doc.inventory_name} ({t.gettext('version')} {doc.inventory_version})"),
        (t.gettext("City"), doc.city_name),
        (t.gettext("Engine version"), doc.engine_version),
        (t.gettext("Computed"), doc.finished_at.replace(microsecond=0).isoformat()),
        (t.gettext("Method"), str(doc.meta.get("method", ""))),
        (t.gettext("Climate"), climate),
        (t.gettext("PV climate"), str(doc.meta.get("pv_climate", ""))),
    ]


def sheets(doc: AssessmentDocument, lang: str) -> list[Sheet]:
    """The workbook of an assessment: summary, buildings, by type, warnings, defaults, run and sources."""
    t = translator(lang)
    run = pd.DataFrame(run_rows(doc, lang), columns=["parameter", "value"])
    sources = carrier_sources()
    return [
        Sheet(t.pgettext("sheet", "Summary"), _summary_frame(doc, lang)),
        Sheet(t.pgettext("sheet", "Buildings"), export_frame(doc.buildings.to_dict("records"))),
        Sheet(t.pgettext("sheet", "By building type"), pd.DataFrame(doc.totals_by_type)),
        Sheet(t.pgettext("sheet", "Warnings"), _warnings_frame(doc)),
        Sheet(t.pgettext("sheet", "Defaults used"), _defaults_frame(doc)),
        Sheet(t.pgettext("sheet", "Run and sources"), pd.concat([run, sources], ignore_index=True)),
    ]
