"""Bodies of the bring-your-own-index API (COINr iData/iMeta tables + pipeline configuration)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from integration.composite.config import CONFIG_SECTIONS

EXAMPLE_DATA_CSV = (
    "uCode,uName,Typ,mieszkania_na_1000,miejsca_przedszkolne_na_1000,lekarze_poz_na_10k\n"
    "0663011,Lublin,miasto,538.8,1.1,7.9\n1863011,Rzeszów,miasto,560.1,0.8,8.4\n1261011,Kraków,miasto,595.0,1.6,8.1\n"
)
EXAMPLE_META_CSV = (
    "iCode,iName,Level,Parent,Weight,Direction,Type\n"
    "mieszkania_na_1000,Mieszkania na 1000 mieszk.,1,Zasoby,1,1,Indicator\n"
    "miejsca_przedszkolne_na_1000,Wolne miejsca w przedszkolach,1,Zasoby,1,1,Indicator\n"
    "lekarze_poz_na_10k,Lekarze POZ na 10 tys.,1,Zasoby,1,1,Indicator\n"
    "Zasoby,Zasoby gminy,2,Indeks,1,1,Aggregate\nIndeks,Indeks doradcy,3,,1,1,Aggregate\nTyp,,,,,,Group\n"
)
EXAMPLE_CONFIG: JsonDict = {
    "normalise": {"method": "minmax", "range": [0, 100]},
    "aggregate": {"method": "arithmetic"},
}


def _exactly_one(records: str, records_type: str, text: str) -> dict[str, Any]:
    """JSON Schema: exactly one of two fields given, and not null (as ``service.indices`` checks)."""
    return {
        "oneOf": [
            {"required": [records], "properties": {records: {"type": records_type}}},
            {"required": [text], "properties": {text: {"type": "string"}}},
        ]
    }


# The configuration's sections, each a mapping (``denominate: true`` takes its defaults); what a
# section holds is checked at submission (unknown keys or methods: 422 naming the key).
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        section: {
            "anyOf": [
                {"type": "object"},
                {"type": "null"},
                *([{"const": True}] if section == "denominate" else []),
            ]
        }
        for section in CONFIG_SECTIONS
    },
}


class IndexRequest(BaseModel):
    """Give each table once: as records (``data``/``meta``) or as CSV text (``data_csv``/``meta_csv``);
    the configuration as an object (``config``) or as YAML/JSON text (``config_yaml``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                _exactly_one("data", "array", "data_csv"),
                _exactly_one("meta", "array", "meta_csv"),
                _exactly_one("config", "object", "config_yaml"),
            ],
            "examples": [
                {"name": "Indeks zasobów gmin – doradca", "data_csv": EXAMPLE_DATA_CSV,
                 "meta_csv": EXAMPLE_META_CSV, "config": EXAMPLE_CONFIG}
            ]
        },
    )  # fmt: skip
    name: str = Field("index", min_length=1, max_length=200)
    data: list[dict[str, Any]] | None = Field(None, max_length=100_000)
    data_csv: str | None = Field(None, max_length=20_000_000)
    meta: list[dict[str, Any]] | None = Field(None, max_length=10_000)
    meta_csv: str | None = Field(None, max_length=5_000_000)
    config: dict[str, Any] | None = Field(
        None,
        description="the pipeline configuration: its sections (each checked at submission, 422 naming the key)",
        json_schema_extra={"anyOf": [CONFIG_SCHEMA, {"type": "null"}]},
    )  # fmt: skip
    config_yaml: str | None = Field(None, max_length=200_000)


class IndexOut(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Indeks zasobów gmin – doradca"])
    status: str = Field(examples=["succeeded"])
    unit_count: int
    created_at: datetime
    finished_at: datetime | None
    job_url: str | None
    tables: list[str] = Field(default_factory=list, examples=[["scores", "ranks", "results_long"]])
    scores: list[dict[str, Any]] = Field(default_factory=list, description="scores.csv as records")
    ranks: list[dict[str, Any]] = Field(default_factory=list, description="ranks.csv as records")
    url: str
