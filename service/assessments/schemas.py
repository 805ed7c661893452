"""Pydantic in/out models of assessments, the synchronous estimate and named climates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from energy.carriers import OVERRIDE_MAX
from service.inventory.schemas import EXAMPLE_BUILDINGS, building_row_schema
from service.jobs.schemas import JobOut

Carrier = Literal["coal", "gas", "oil", "biomass", "district_heat", "electricity"]


class PVParamsIn(BaseModel):
    """Overrides of the rooftop PV chain (defaults: ``energy/data/pv_parameters.csv``)."""

    model_config = ConfigDict(extra="forbid")

    module_efficiency: float | None = Field(None, gt=0, le=0.5, examples=[0.21])
    gamma_pdc: float | None = Field(None, ge=-0.01, le=0, examples=[-0.0035])
    dc_ac_ratio: float | None = Field(None, ge=0.5, le=3, examples=[1.15])
    inverter_efficiency_nominal: float | None = Field(None, gt=0.5, le=1, examples=[0.96])
    albedo: float | None = Field(None, ge=0, le=1, examples=[0.2])
    transposition_model: Literal["perez", "haydavies"] | None = None
    temperature_model: Literal["sapm", "faiman"] | None = None
    flat_roof_tilt_deg: float | None = Field(None, ge=0, le=90, examples=[15])
    flat_roof_gcr: float | None = Field(None, gt=0, le=1, examples=[0.45])
    max_shading_factor: float | None = Field(None, ge=0, le=1, examples=[0.5])
    retail_price_pln_per_kwh: float | None = Field(None, ge=0, le=20, examples=[1.05])
    export_price_pln_per_kwh: float | None = Field(None, ge=0, le=20, examples=[0.45])


# The regulation gives no w_i for waste heat (energy/data/district_heat_networks.csv): a waste-heat
# network needs its own w_primary['district_heat'] (the engine's 422 otherwise), stated to the schema.
WASTE_HEAT_NEEDS_ITS_W: dict[str, Any] = {
    "if": {
        "required": ["district_heat_network"],
        "properties": {"district_heat_network": {"const": "waste_heat"}},
    },
    "then": {"required": ["w_primary"], "properties": {"w_primary": {"required": ["district_heat"]}}},
}


class AssessmentParamsIn(BaseModel):
    """Parameters of one assessment; all optional, defaults are the engine's sourced data files."""

    model_config = ConfigDict(extra="forbid")

    climate_id: uuid.UUID | None = Field(None, description="a named climate from POST /v1/climates")
    # The engine's plausibility ceilings (energy.carriers.OVERRIDE_MAX), checked here for a 422.
    prices_pln_per_kwh: dict[Carrier, Annotated[float, Field(ge=0, le=OVERRIDE_MAX["price_pln_per_kwh"])]] = (
        Field(default_factory=dict, examples=[{"gas": 0.32}])
    )
    co2_kg_per_kwh: dict[Carrier, Annotated[float, Field(ge=0, le=OVERRIDE_MAX["co2_kg_per_kwh"])]] = Field(
        default_factory=dict, examples=[{"district_heat": 0.35}]
    )
    w_primary: dict[Carrier, Annotated[float, Field(ge=0, le=OVERRIDE_MAX["w_primary"])]] = Field(
        default_factory=dict, examples=[{"district_heat": 0.8}]
    )
    grid_co2_kg_per_kwh: float | None = Field(
        None,
        ge=0,
        le=OVERRIDE_MAX["co2_kg_per_kwh"],
        examples=[0.597],
        description="grid electricity CO2 factor [kg/kWh]",
    )
    district_heat_network: (
        Literal["chp_coal", "chp_gas", "heat_only_coal", "heat_only_gas", "biomass", "waste_heat"] | None
    ) = Field(
        None,
        examples=["heat_only_coal"],
        description="type of the city's heat network: its w_i from Dz.U. 2023 poz. 697 zal. 1 tab. 1 "
        "(energy/data/district_heat_networks.csv); waste_heat needs w_primary['district_heat']",
    )
    rcem_pln_per_mwh_by_month: list[Annotated[float, Field(ge=0, le=5000)]] | None = Field(
        None,
        min_length=12,
        max_length=12,
        description="monthly market prices RCEm (PSE) Jan..Dec [PLN/MWh] for PV export; "
        "default energy/data/pv_net_billing.csv",
    )
    rce_pln_per_mwh_hourly: list[Annotated[float, Field(ge=-5000, le=5000)]] | None = Field(
        None,
        min_length=8760,
        max_length=8760,
        description="hourly market prices RCE [PLN/MWh] of the climate year; export is then valued hourly",
    )
    include_pv: bool = True
    pv_climate: Literal["scaled", "ministry"] = "scaled"
    pv: PVParamsIn | None = None
    # A plausibility range for a real year: the packaged typical years give 2,456-3,174 K day
    # (base 15 degC, energy/data/climate); a cold or warm year stays well inside 500-8,000.
    hdd_by_year: dict[Annotated[int, Field(ge=1990, le=2100)], Annotated[float, Field(ge=500, le=8000)]] = (
        Field(
            default_factory=dict,
            examples=[{2023: 3410.0}],
            description="city HDD base 15 degC [K day] of metered years",
            json_schema_extra={"propertyNames": {"pattern": "^(199[0-9]|20[0-9][0-9]|2100)$"}},  # the years
        )
    )


class AssessmentRequest(AssessmentParamsIn):
    version: int | None = Field(None, ge=1, le=1_000_000, description="inventory version; latest if omitted")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [WASTE_HEAT_NEEDS_ITS_W],
            "examples": [
                {
                    "version": 1,
                    "grid_co2_kg_per_kwh": 0.597,
                    "prices_pln_per_kwh": {"gas": 0.32, "electricity": 1.05},
                    "pv": {"module_efficiency": 0.22},
                }
            ],
        },
    )


class EstimateRequest(AssessmentParamsIn):
    buildings: list[dict[str, Any]] = Field(
        min_length=1,
        description="1..max_sync_buildings rows, inventory fields (validated as an inventory's rows)",
        json_schema_extra={"items": building_row_schema()},
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [WASTE_HEAT_NEEDS_ITS_W],
            # where the city is: a building's coordinates, or an uploaded climate's site
            "anyOf": [
                {"required": ["climate_id"], "properties": {"climate_id": {"type": "string"}}},
                {
                    "properties": {
                        "buildings": {
                            "contains": {
                                "required": ["lat", "lon"],
                                "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                            }
                        }
                    }
                },
            ],
            "examples": [{"buildings": EXAMPLE_BUILDINGS, "grid_co2_kg_per_kwh": 0.597}],
        },  # fmt: skip
    )


class NeedOut(BaseModel):
    heating_kwh_per_year: float
    heating_kwh_per_m2_year: float
    cooling_kwh_per_year: float
    dhw_kwh_per_year: float
    lighting_kwh_per_year: float
    equipment_kwh_per_year: float
    auxiliary_electricity_kwh_per_year: float | None = Field(
        None, description="fans and circulation pumps (Dz.U. 2015 poz. 376 tab. 20), part of EP_H+W"
    )
    ventilation_fans_kwh_per_year: float | None = None
    internal_gains_kwh_per_year: float | None = Field(
        None, description="occupants' sensible heat plus the lighting and equipment electricity"
    )
    heating_kwh_by_month: list[float] = Field(description="January..December")


class VentilationOut(BaseModel):
    system: str | None = Field(
        None, examples=["balanced_hr"], description="natural, exhaust, balanced, balanced_hr"
    )
    heat_recovery_efficiency: float | None = Field(None, examples=[0.7])


class EpOut(BaseModel):
    ep_kwh_per_m2_year: float | None = Field(examples=[210.8])
    ep_hw_kwh_per_m2_year: float | None = None
    limit_kwh_per_m2_year: float | None = Field(examples=[45.0])
    meets_limit: bool | None = None


class PVOut(BaseModel):
    capacity_kwp: float | None = Field(examples=[92.9])
    existing_kwp: float | None = None
    usable_roof_m2: float | None = None
    tilt_deg: float | None = None
    azimuth_deg: float | None = None
    yield_kwh_per_year: float | None = None
    specific_yield_kwh_per_kwp: float | None = None
    self_consumed_kwh_per_year: float | None = None
    exported_kwh_per_year: float | None = None
    self_consumption_ratio: float | None = None
    value_pln_per_year: float | None = None
    export_value_pln_per_year: float | None = Field(
        None, description="export at monthly RCEm x deposit factor"
    )
    retail_price_pln_per_kwh: float | None = Field(
        None, description="price self-consumption avoids [PLN/kWh]"
    )
    value_regime: str | None = Field(
        None,
        description="net-billing regime: micro-installation (<= 50 kW) or above (energy/data/pv_net_billing.csv)",
    )


class BuildingResultOut(BaseModel):
    building_id: str = Field(examples=["SP-24"])
    name: str | None = None
    building_type: str
    construction_year: int | None = None
    heated_area_m2: float
    heating_system: str | None = None
    climate_station_id: str | None = None
    climate_name: str | None = None
    need: NeedOut
    ventilation: VentilationOut | None = None
    final_kwh_per_year: dict[str, float] = Field(
        examples=[{"district_heat": 580748.4, "electricity": 174215.2}]
    )
    primary_nonrenewable_kwh_per_year: float
    ep: EpOut
    co2_t_per_year: float
    cost_pln_per_year: float
    district_heat: dict[str, Any] = Field(
        default_factory=dict,
        description="w_i and CO2 factor district heat was valued with, and where they came from",
        examples=[{"w_primary": 1.3, "co2_kg_per_kwh": 0.43, "source": "building network heat_only_coal"}],
    )
    pv: PVOut | None = None
    calibration: dict[str, Any] = Field(default_factory=dict)
    defaults_used: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class AssessmentResultOut(BaseModel):
    buildings: list[BuildingResultOut]
    totals_by_type: list[dict[str, Any]]
    totals: dict[str, Any]
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    meta: dict[str, Any]


class AssessmentOut(BaseModel):
    # An assessment read from its row and its job (``AssessmentOut.model_validate(row)``); the detail
    # view adds ``result`` once it has finished.
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    inventory_id: uuid.UUID
    inventory_version: int
    climate_id: uuid.UUID | None
    job: JobOut | None
    params: dict[str, Any]
    city_lat: float
    city_lon: float
    city_location_source: str = Field(examples=["mean of 40 building coordinates"])
    engine_version: str | None
    created_at: datetime
    finished_at: datetime | None
    result: AssessmentResultOut | None = None
    totals: dict[str, Any] | None = Field(None, exclude=True)  # stored once the results are

    @computed_field(examples=["succeeded"])  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        if self.totals is not None:
            return "succeeded"
        return self.job.status if self.job else "unknown"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/assessments/{self.id}"


class AssessmentList(BaseModel):
    items: list[AssessmentOut]
    count: int


class ClimateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str = Field(examples=["Lublin, dach ratusza (PVGIS TMY 2005-2023)"])
    filename: str
    file_format: Literal["epw", "csv", "json"]
    source: str
    period: str
    lat: float
    lon: float
    altitude_m: float
    ghi_kwh_m2_per_year: float = Field(examples=[1141.4])
    mean_temp_air_c: float = Field(examples=[8.3])
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/v1/climates/{self.id}"


class ClimateList(BaseModel):
    items: list[ClimateOut]
    count: int
