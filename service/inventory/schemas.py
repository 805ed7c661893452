"""Inventory resources as the API shows them, with realistic Polish examples."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasPath, BaseModel, ConfigDict, Field, computed_field, field_validator
from pydantic.json_schema import JsonValue

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
        json_schema_extra={"examples": [{"advisor_org_id": str(demo_ids.ADVISOR_ORG), "access": "plan"}]}
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
