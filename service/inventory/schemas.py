"""Inventory resources as the API shows them, with realistic Polish examples."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasPath, BaseModel, ConfigDict, Field, computed_field, field_validator
from pydantic.json_schema import JsonValue

from energy.inventory.columns import FIELDS, METERED_VALUES, FieldSpec
from service import example_ids as demo_ids


class IssueOut(BaseModel):
    row: int | None = Field(None, examples=[7])
    field: str | None = Field(None, examples=["storeys"])
    value: Any = Field(None, examples=["12"])
    reason: str = Field(examples=["a kindergarten with 12 storeys is unusual; please check"])


# The answers below are read from the rows (``VersionOut.model_validate(version)``); what they show
# of other rows comes through relationships that the list queries load eagerly.
FROM_ROWS = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)


class VersionOut(BaseModel):
    model_config = FROM_ROWS

    inventory_id: uuid.UUID
    version: int = Field(examples=[1])
    created_at: datetime
    source_format: str = Field(examples=["csv"])
    building_count: int = Field(examples=[42])
    heated_area_m2: float = Field(examples=[118_450.0])
    warnings: list[IssueOut] = []

    @field_validator("warnings", mode="before")
    @classmethod
    def _none_is_no_warning(cls, value: Any) -> Any:
        return [] if value is None else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/inventories/{self.inventory_id}/versions/{self.version}"


class InventoryOut(BaseModel):
    model_config = FROM_ROWS

    id: uuid.UUID
    name: str = Field(examples=["Budynki gminne Lublina 2026"])
    city_teryt: str | None = Field(None, examples=["0663011"], validation_alias=AliasPath("city", "teryt"))
    created_at: datetime
    latest_version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/inventories/{self.id}"


class InventoryCreated(BaseModel):
    inventory: InventoryOut
    version: VersionOut


class InventoryDetail(InventoryOut):
    versions: list[VersionOut]


class InventoryList(BaseModel):
    items: list[InventoryOut]
    count: int


class VersionBuildings(BaseModel):
    inventory_id: uuid.UUID
    version: int
    buildings: list[dict[str, Any]]


class ChangedBuilding(BaseModel):
    building_id: str
    fields: dict[str, list[Any]] = Field(examples=[{"heating_system": ["coal_boiler", "heat_pump_air"]}])


class VersionDiff(BaseModel):
    inventory_id: uuid.UUID
    from_version: int
    to_version: int
    added: list[str]
    removed: list[str]
    changed: list[ChangedBuilding]


class GrantIn(BaseModel):
    """A city's grant to an advisor: ``read`` (see inventories, jobs, results) or ``plan`` (also start jobs)."""

    model_config = ConfigDict(
        extra="forbid",  # another key is a 422 naming it, as the schema says (no key is ignored unseen)
        json_schema_extra={"examples": [{"advisor_org_id": str(demo_ids.ADVISOR_ORG), "access": "plan"}]},
    )

    advisor_org_id: uuid.UUID = Field(examples=[str(demo_ids.ADVISOR_ORG)])
    access: str = Field(pattern="^(read|plan)$", examples=["plan"])


EXAMPLE_BUILDINGS: list[JsonValue] = [
    {
        "building_id": "SP-24",
        "name": "Szkoła Podstawowa nr 24",
        "address": "ul. Wajdeloty 12, 20-604 Lublin",
        "lat": 51.2365,
        "lon": 22.5381,
        "building_type": "school",
        "construction_year": 1968,
        "heated_area_m2": 4820.0,
        "storeys": 3,
        "heating_system": "district_heating",
        "u_wall_w_m2k": 1.1,
        "roof_type": "flat",
        "roof_area_m2": 1650.0,
        "metered_year": 2024,
        "metered_district_heat_kwh": 612000,
        "metered_electricity_kwh": 118000,
    },
    {
        "building_id": "P-7",
        "name": "Przedszkole nr 7",
        "address": "ul. Kurantowa 6, 20-515 Lublin",
        "lat": 51.2641,
        "lon": 22.5720,
        "building_type": "kindergarten",
        "construction_year": 1985,
        "heated_area_m2": 1180.0,
        "storeys": 2,
        "heating_system": "gas_boiler",
        "window_retrofit_year": 2012,
    },
]


# Text the intake keeps: not blank, no NUL (``service.body``); "required" means given, not only present.
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def _cell_schema(spec: FieldSpec) -> dict[str, Any]:
    """One canonical column as JSON Schema: its type, bounds, choices and length (``columns.FIELDS``)."""
    if spec.kind == "enum":
        return {"type": "string", "enum": list(spec.choices)}
    if spec.kind == "str":
        return {"type": "string", "pattern": NOT_BLANK, "maxLength": spec.max_length or 10_000}
    cell: dict[str, Any] = {"type": "integer" if spec.integer else "number"}
    if spec.minimum is not None:
        cell["exclusiveMinimum" if spec.min_exclusive else "minimum"] = spec.minimum
    upper = spec.upper_bound()
    if upper is not None:
        cell["exclusiveMaximum" if spec.max_exclusive else "maximum"] = upper
    return cell


def _given(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def _if_given(name: str, then: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"not": _given(name)}, then]}


def building_row_schema() -> dict[str, Any]:
    """A building of a JSON submission as the intake validates it (``inventory.validation``): the
    required columns, each column's type, bounds and choices, and the rules between columns a schema
    can state. The intake also reads what a spreadsheet gives (numbers as text with a decimal comma,
    Polish column names and values, blank cells as missing; other keys are ignored with a warning).
    Rules no schema can state: building_id unique in the submission, a retrofit year not before
    construction_year, the point inside Poland's border (GUGiK PRG; the bounds below are its box)."""
    properties = {}
    for spec in FIELDS:
        cell = _cell_schema(spec)
        properties[spec.name] = cell if spec.required else {"anyOf": [cell, {"type": "null"}]}
    properties["lat"]["anyOf"][0].update(minimum=48.9, maximum=55.0)  # Poland's box, with the tolerance
    properties["lon"]["anyOf"][0].update(minimum=14.0, maximum=24.3)
    rules = [
        _if_given("lat", _given("lon")),
        _if_given("lon", _given("lat")),
        {"anyOf": [  # heat recovery (> 0) needs a balanced unit with it, or no ventilation_system
            {"not": {"required": ["heat_recovery_efficiency"],
                     "properties": {"heat_recovery_efficiency": {"type": "number", "exclusiveMinimum": 0}}}},
            {"not": _given("ventilation_system")},
            {"properties": {"ventilation_system": {"const": "balanced_hr"}}},
        ]},
        *(_if_given(name, _given("metered_year")) for name in METERED_VALUES),
    ]  # fmt: skip
    return {
        "type": "object",
        "required": [spec.name for spec in FIELDS if spec.required],
        "properties": properties,
        "additionalProperties": {"anyOf": [{"type": "string"}, {"type": ["number", "null"]}]},
        "allOf": rules,
    }
