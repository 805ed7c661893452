"""Parameters of the rooftop PV model and the PV input error.

Every default comes from ``energy/data/pv_parameters.csv``, where each value carries its
unit, its source and year, and whether it is sourced or an engineering default
(see ``energy/data/pv_SOURCES.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from energy.errors import EnergyError

PV_PARAMETERS_CSV = Path(__file__).parent.parent / "data" / "pv_parameters.csv"

LOSS_COMPONENTS = (
    "soiling",
    "shading",
    "snow",
    "mismatch",
    "wiring",
    "connections",
    "lid",
    "nameplate_rating",
    "age",
    "availability",
)
TRANSPOSITION_MODELS = ("perez", "haydavies")
TEMPERATURE_MODELS = ("sapm", "faiman")


class PVInputError(EnergyError):
    """Bad PV input; the message names the row and field and says why."""


@lru_cache(maxsize=1)
def load_pv_defaults(path: str | Path = PV_PARAMETERS_CSV) -> dict[str, float]:
    """Read the default PV parameters ``{name: value}`` from the sourced data file."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["name"]: float(row["value"]) for row in csv.DictReader(fh)}


def _d(name: str):
    return field(default_factory=lambda: load_pv_defaults()[name])


def _default_losses() -> dict[str, float]:
    defaults = load_pv_defaults()
    return {k: defaults[f"loss_{k}_pct"] for k in LOSS_COMPONENTS}


@dataclass(frozen=True)
class PVParams:
    """Parameters of the rooftop PV chain (PVWatts DC + inverter, SAPM/Faiman temperature).

    Attributes
    ----------
    module_efficiency : float
        STC module efficiency; installable kWp = module area [m^2] x efficiency x 1 kW/m^2 [-].
    gamma_pdc : float
        Temperature coefficient of DC power [1/degC].
    loss_components_pct : dict
        PVWatts v5 loss components [%] (soiling, shading, ... availability); the ``shading``
        entry is replaced per roof by ``100 * roof_shading_factor`` when a factor is given.
    inverter_efficiency_nominal, inverter_efficiency_reference : float
        PVWatts inverter efficiencies [-].
    dc_ac_ratio : float
        DC nameplate over AC inverter rating [-].
    albedo : float
        Ground reflectance [-].
    transposition_model : {'perez', 'haydavies'}
    temperature_model : {'sapm', 'faiman'}
    sapm_flat, sapm_pitched : tuple (a [-], b [s/m], deltaT [degC])
        SAPM cell-temperature parameters for racked flat-roof and flush pitched-roof arrays.
    faiman_flat, faiman_pitched : tuple (u0 [W/m^2/K], u1 [W s/m^3/K])
    flat_roof_tilt_deg, flat_roof_azimuth_deg : float
        Orientation of racked modules on flat roofs [deg].
    flat_roof_gcr : float
        Ground coverage ratio (module area per roof area) of the rows on flat roofs [-].
    flat_roof_setback_m : float
        Edge setback on flat roofs [m].
    flat_roof_aspect_ratio : float
        Assumed length/width of a rectangular flat roof [-].
    flat_roof_obstruction_fraction : float
        Share of the set-back flat roof taken by skylights, HVAC and paths [-].
    pitched_plane_usable_fraction : float
        Share of the chosen pitched plane usable for modules [-].
    pitched_default_tilt_deg : float
        Tilt used for pitched roofs given without one [deg].
    max_shading_factor : float
        Roofs more shaded than this are unsuitable [-].
    roof_to_footprint_tolerance : float
        Roof area may exceed footprint/cos(tilt) by this factor before a warning [-].
    gross_to_heated_area_ratio : float
        Gross floor area per heated area, to estimate the footprint [-].
    retail_price_pln_per_kwh : float
        Avoided retail price of self-consumed energy [PLN/kWh].
    export_price_pln_per_kwh : float
        Net-billing value of exported energy [PLN/kWh].
    solar_position_shift_minutes : float
        Offset added to the weather index to get the instant of solar position [min]: +30 for
        hour-beginning labels (the pvlib convention of ``read_epw`` and ``read_pvgis_tmy``),
        -30 for hour-ending labels, 0 for mid-hour labels.
    max_chunk_bytes : int
        Memory bound of one hours x roofs working set [bytes].
    """

    module_efficiency: float = _d("module_efficiency")
    gamma_pdc: float = _d("gamma_pdc")
    loss_components_pct: dict = field(default_factory=_default_losses)
    inverter_efficiency_nominal: float = _d("inverter_efficiency_nominal")
    inverter_efficiency_reference: float = _d("inverter_efficiency_reference")
    dc_ac_ratio: float = _d("dc_ac_ratio")
    albedo: float = _d("albedo")
    transposition_model: str = "perez"
    temperature_model: str = "sapm"
    sapm_flat: tuple = field(
        default_factory=lambda: tuple(load_pv_defaults()[f"sapm_{k}_flat"] for k in ("a", "b", "deltat"))
    )
    sapm_pitched: tuple = field(
        default_factory=lambda: tuple(load_pv_defaults()[f"sapm_{k}_pitched"] for k in ("a", "b", "deltat"))
    )
    faiman_flat: tuple = field(
        default_factory=lambda: tuple(load_pv_defaults()[f"faiman_{k}_flat"] for k in ("u0", "u1"))
    )
    faiman_pitched: tuple = field(
        default_factory=lambda: tuple(load_pv_defaults()[f"faiman_{k}_pitched"] for k in ("u0", "u1"))
    )
    flat_roof_tilt_deg: float = _d("flat_roof_tilt_deg")
    flat_roof_azimuth_deg: float = 180.0
    flat_roof_gcr: float = _d("flat_roof_gcr")
    flat_roof_setback_m: float = _d("flat_roof_setback_m")
    flat_roof_aspect_ratio: float = _d("flat_roof_aspect_ratio")
    flat_roof_obstruction_fraction: float = _d("flat_roof_obstruction_fraction")
    pitched_plane_usable_fraction: float = _d("pitched_plane_usable_fraction")
    pitched_default_tilt_deg: float = _d("pitched_default_tilt_deg")
    max_shading_factor: float = _d("max_shading_factor")
    roof_to_footprint_tolerance: float = _d("roof_to_footprint_tolerance")
    gross_to_heated_area_ratio: float = _d("gross_to_heated_area_ratio")
    retail_price_pln_per_kwh: float = _d("retail_price_pln_per_kwh")
    export_price_pln_per_kwh: float = _d("export_price_pln_per_kwh")
    solar_position_shift_minutes: float = 30.0
    max_chunk_bytes: int = 500 * 2**20

    def __post_init__(self) -> None:
        if self.transposition_model not in TRANSPOSITION_MODELS:
            raise PVInputError(
                f"params.transposition_model: {self.transposition_model!r} not in {TRANSPOSITION_MODELS}"
            )
        if self.temperature_model not in TEMPERATURE_MODELS:
            raise PVInputError(
                f"params.temperature_model: {self.temperature_model!r} not in {TEMPERATURE_MODELS}"
            )
        missing = set(LOSS_COMPONENTS) - set(self.loss_components_pct)
        if missing:
            raise PVInputError(f"params.loss_components_pct: missing {sorted(missing)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and value != value:
                raise PVInputError(f"params.{f.name}: NaN")
        checks = {
            "module_efficiency": 0 < self.module_efficiency <= 0.5,
            "dc_ac_ratio": 0.5 <= self.dc_ac_ratio <= 3,
            "inverter_efficiency_nominal": 0.5 < self.inverter_efficiency_nominal <= 1,
            "albedo": 0 <= self.albedo <= 1,
            "flat_roof_gcr": 0 < self.flat_roof_gcr <= 1,
            "flat_roof_tilt_deg": 0 <= self.flat_roof_tilt_deg <= 90,
            "max_shading_factor": 0 <= self.max_shading_factor <= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise PVInputError(f"params.{name}: {getattr(self, name)} out of range")

    @property
    def system_losses_pct(self) -> float:
        """Combined PVWatts DC losses [%] with the default shading component."""
        return combined_losses_pct(self.loss_components_pct)

    def temperature_parameters(self, mount: str) -> dict[str, float]:
        """pvlib keyword parameters of the cell temperature model for 'flat' or 'pitched'."""
        if self.temperature_model == "sapm":
            a, b, dt = self.sapm_flat if mount == "flat" else self.sapm_pitched
            return {"a": a, "b": b, "deltaT": dt}
        u0, u1 = self.faiman_flat if mount == "flat" else self.faiman_pitched
        return {"u0": u0, "u1": u1}


def combined_losses_pct(components: dict, shading_pct=None):
    """PVWatts combined loss [%]: ``100 * (1 - prod(1 - L_i / 100))`` (Dobos 2014, eq. 4).

    ``shading_pct`` (numeric, may be an array over roofs) replaces the shading component.
    """
    keep = 1.0
    for name in LOSS_COMPONENTS:
        value = components[name] if (name != "shading" or shading_pct is None) else shading_pct
        keep = keep * (1 - value / 100.0)
    return 100.0 * (1 - keep)
