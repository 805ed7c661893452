"""Retrofit packages per building, priced from geometry and evaluated through the energy model.

A package is a set of measures from :mod:`energy.measures` (envelope none/windows/full x heat source
keep/air HP/ground HP/district heat x ventilation keep/balanced with heat recovery x PV none/sized x
LED x BMS). :func:`generate_candidates` builds
``n_buildings x n_packages`` variant buildings (U-values, heating system, PV, LED and BMS changed as
the package says), evaluates the baselines and all variants in ONE vectorised call of the energy model,
and returns the candidate table the optimiser reads (see :mod:`energy.portfolio.problem`). Savings are
differences of whole-building results, so interactions are real: a heat pump in an insulated building
saves less than the sum of both alone.

Geometry (documented here, used to price measures): the heated area is turned into a gross footprint
``A_f = heated_area_m2 * gross_to_heated_area_ratio / storeys`` of a rectangle with aspect ratio ``a``;
perimeter ``P = 2 (1 + a) sqrt(A_f / a)``; facade ``P * storeys * storey_height_m``; windows are
``window_to_wall_ratio`` of the facade, walls the rest; roof = footprint. Design heat load for sizing heat
pumps and substations (EN 12831 simplified): ``(sum U A + Ub A_f + 0.34 n V) (theta_i - theta_e)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from energy.errors import EnergyError
from energy.measures import Catalogue

# package_id -> measures (heat source measures are mutually exclusive by construction)
DEFAULT_PACKAGES: dict[str, tuple[str, ...]] = {
    "led": ("led",),
    "led_bms": ("led", "bms"),
    "pv": ("pv",),
    "led_bms_pv": ("led", "bms", "pv"),
    "windows": ("window_replacement",),
    "envelope": ("wall_insulation", "roof_insulation", "window_replacement"),
    "hp_air": ("heat_pump_air",),
    "dh": ("district_heat",),
    "windows_hp_air": ("window_replacement", "heat_pump_air"),
    "envelope_hp_air": ("wall_insulation", "roof_insulation", "window_replacement", "heat_pump_air"),
    "envelope_hp_ground": (
        "wall_insulation",
        "roof_insulation",
        "window_replacement",
        "heat_pump_ground",
    ),
    "heat_recovery": ("heat_recovery",),
    "envelope_heat_recovery": ("wall_insulation", "roof_insulation", "window_replacement", "heat_recovery"),
    "envelope_dh": ("wall_insulation", "roof_insulation", "window_replacement", "district_heat"),
    "envelope_hp_air_pv": (
        "wall_insulation",
        "roof_insulation",
        "window_replacement",
        "heat_pump_air",
        "pv",
    ),
    "deep": (
        "wall_insulation",
        "roof_insulation",
        "window_replacement",
        "heat_pump_air",
        "heat_recovery",
        "pv",
        "led",
        "bms",
    ),
}
ENGINE_RESULT_COLUMNS = ("primary_energy_kwh_per_year", "co2_t_per_year", "cost_pln_per_year")
# energy.assess names: final_<carrier>_kwh_per_year and primary_nonrenewable_kwh_per_year
PRIMARY_ALIASES = ("primary_energy_kwh_per_year", "primary_nonrenewable_kwh_per_year")
RES_CATEGORIES = ("pv",)
RES_HEATING_SYSTEMS = ("heat_pump_air", "heat_pump_ground")


class PackageInputError(EnergyError):
    """Buildings or packages are invalid; the message names the row or field."""


def estimate_geometry(buildings: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Envelope areas [m2], volume [m3] and effective U-values [W/(m2 K)] of each building.

    Uses the energy engine's own typology and geometry (:func:`energy.typology.apply_defaults`) when it
    accepts the inventory, so measures are priced on the same areas the engine computes losses on and
    missing U-values get the same era defaults; otherwise the geometry of this module's docstring with
    the given U-values.

    Returns
    -------
    DataFrame
        ``footprint_m2, wall_area_m2, window_area_m2, roof_area_m2, pv_roof_area_m2, heated_volume_m3,
        u_wall_w_m2k, u_roof_w_m2k, u_window_w_m2k, ventilation_system`` on the same index.
    """
    try:
        from energy.typology import apply_defaults

        filled, _ = apply_defaults(buildings)
        return pd.DataFrame(
            {
                "footprint_m2": filled["footprint_m2"].to_numpy(float),
                "wall_area_m2": filled["wall_area_m2"].to_numpy(float),
                "window_area_m2": filled["window_area_m2"].to_numpy(float),
                "roof_area_m2": filled["envelope_roof_area_m2"].to_numpy(float),
                "pv_roof_area_m2": filled["roof_area_m2"].to_numpy(float),
                "heated_volume_m3": filled["volume_m3"].to_numpy(float),
                **{c: filled[c].to_numpy(float) for c in ("u_wall_w_m2k", "u_roof_w_m2k", "u_window_w_m2k")},
                "ventilation_system": filled["ventilation_system"].to_numpy(dtype=object),
            },
            index=buildings.index,
        )
    except (ImportError, ValueError, KeyError):
        pass
    p = catalogue.param
    area = buildings["heated_area_m2"].to_numpy(float)
    storeys = np.maximum(buildings["storeys"].to_numpy(float), 1.0)
    aspect = p("plan_aspect_ratio")
    height = p("storey_height_m")
    footprint = area * p("gross_to_heated_area_ratio") / storeys
    perimeter = 2.0 * (1.0 + aspect) * np.sqrt(footprint / aspect)
    facade = perimeter * storeys * height
    window = facade * p("window_to_wall_ratio")
    return pd.DataFrame(
        {
            "footprint_m2": footprint,
            "wall_area_m2": facade - window,
            "window_area_m2": window,
            "roof_area_m2": footprint,
            "pv_roof_area_m2": footprint,
            "heated_volume_m3": area * height,
            **{
                c: pd.to_numeric(buildings[c], errors="coerce").to_numpy(float)
                for c in ("u_wall_w_m2k", "u_roof_w_m2k", "u_window_w_m2k")
            },
            "ventilation_system": buildings.get(
                "ventilation_system", pd.Series("natural", index=buildings.index)
            ).to_numpy(dtype=object),
        },
        index=buildings.index,
    )


def design_heat_load_kw(u_wall, u_roof, u_window, geometry: pd.DataFrame, catalogue: Catalogue):
    """Design heat load [kW], simplified EN 12831: (sum U A + ventilation) * (theta_i - theta_e)."""
    p = catalogue.param
    h_tr = (
        u_wall * geometry["wall_area_m2"].to_numpy()
        + u_roof * geometry["roof_area_m2"].to_numpy()
        + u_window * geometry["window_area_m2"].to_numpy()
        + p("ground_floor_ub_w_m2k") * geometry["footprint_m2"].to_numpy()
    )
    h_ve = (
        p("air_heat_capacity_wh_m3k") * p("design_air_change_per_h") * geometry["heated_volume_m3"].to_numpy()
    )
    return (h_tr + h_ve) * (p("design_indoor_temp_c") - p("design_outdoor_temp_c")) / 1000.0


def _applicable(
    buildings: pd.DataFrame, catalogue: Catalogue, measure_ids: Sequence[str], geometry: pd.DataFrame
) -> np.ndarray:
    """Boolean (n_buildings, n_measures): may the measure be applied to the building?"""
    fossil = set(str(catalogue.parameters["fossil_heating_systems"]).split("|"))
    system = buildings["heating_system"].astype(str)
    is_fossil = system.isin(fossil).to_numpy()
    dh_ok = (
        buildings["district_heat_available"].fillna(False).astype(bool).to_numpy()
        if "district_heat_available" in buildings
        else np.ones(len(buildings), bool)
    )
    cols = []
    for mid in measure_ids:
        row = catalogue.measures.loc[mid]
        if row["category"] == "heat_source":
            ok = is_fossil & (dh_ok if row["heating_system"] == "district_heating" else True)
        elif row["category"] == "led":
            ok = (
                ~buildings.get("led_lighting", pd.Series(False, index=buildings.index))
                .astype(bool)
                .to_numpy()
            )
        elif row["category"] == "ventilation":  # not where a recovery unit already runs
            ok = geometry["ventilation_system"].to_numpy(dtype=object) != "balanced_hr"
        elif row["category"] == "bms":
            ok = ~buildings.get("bms", pd.Series(False, index=buildings.index)).astype(bool).to_numpy()
        else:
            ok = np.ones(len(buildings), bool)
        cols.append(np.broadcast_to(ok, len(buildings)))
    return np.column_stack(cols)


def _variant_table(buildings, catalogue, packages, geometry):
    """Long table of (building, package) variants with modified inputs and per-measure capex."""
    measure_ids = sorted({m for ms in packages.values() for m in ms})
    unknown = [m for m in measure_ids if m not in catalogue.measures.index]
    if unknown:
        raise PackageInputError(f"packages: unknown measures {unknown}")
    n_b, n_p = len(buildings), len(packages)
    in_pkg = np.array([[m in ms for m in measure_ids] for ms in packages.values()])  # (n_p, n_m)
    use = _applicable(buildings, catalogue, measure_ids, geometry)[:, None, :] & in_pkg[None, :, :]
    use = use.reshape(n_b * n_p, len(measure_ids))
    b_idx = np.repeat(np.arange(n_b), n_p)
    var = buildings.iloc[b_idx].reset_index(drop=True)
    geo = geometry.iloc[b_idx].reset_index(drop=True)
    var["package_id"] = np.tile(list(packages), n_b)
    col = {m: use[:, j] for j, m in enumerate(measure_ids)}
    meas = catalogue.measures
    none = np.zeros(len(var), bool)
    for mid, field in (
        ("wall_insulation", "u_wall_w_m2k"),
        ("roof_insulation", "u_roof_w_m2k"),
        ("window_replacement", "u_window_w_m2k"),
    ):
        on = col.get(mid, none)
        target = meas.at[mid, "target_u_w_m2k"] if mid in meas.index else np.inf
        var[field] = np.where(on, np.minimum(geo[field].to_numpy(float), target), var[field])
    for mid in measure_ids:
        if meas.at[mid, "category"] == "heat_source":
            var["heating_system"] = np.where(col[mid], meas.at[mid, "heating_system"], var["heating_system"])
    existing_pv = var["existing_pv_kwp"].fillna(0.0).to_numpy(float)
    roof_kwp = np.minimum(
        geo["roof_area_m2"].to_numpy()
        * catalogue.param("roof_usable_share_for_pv")
        * catalogue.param("pv_kwp_per_m2"),
        catalogue.param("pv_max_kwp"),
    )
    added_pv = np.where(col.get("pv", none), np.maximum(roof_kwp - existing_pv, 0.0), 0.0)
    if "pv" in col:
        col["pv"] = col["pv"] & (added_pv > 0)
    var["existing_pv_kwp"] = existing_pv + added_pv
    hr = np.zeros(len(var), bool)
    for mid in measure_ids:
        if meas.at[mid, "category"] == "ventilation":
            hr |= col[mid]
    if hr.any():
        var["ventilation_system"] = np.where(hr, "balanced_hr", var.get("ventilation_system", None))
        eta_new = catalogue.param("heat_recovery_efficiency_new")
        var["heat_recovery_efficiency"] = np.where(hr, eta_new, var.get("heat_recovery_efficiency", np.nan))
    for mid, field in (("led", "led_lighting"), ("bms", "bms")):
        base = var[field].fillna(False).astype(bool) if field in var else False
        var[field] = np.asarray(base) | col.get(mid, none)
    quantity = {
        "wall_area_m2": geo["wall_area_m2"].to_numpy(),
        "roof_area_m2": geo["roof_area_m2"].to_numpy(),
        "window_area_m2": geo["window_area_m2"].to_numpy(),
        "heat_load_kw": design_heat_load_kw(
            *(
                np.where(
                    col.get(m, none), np.minimum(geo[f].to_numpy(float), meas.at[m, "target_u_w_m2k"]), geo[f]
                )
                if m in meas.index
                else geo[f].to_numpy(float)
                for m, f in (
                    ("wall_insulation", "u_wall_w_m2k"),
                    ("roof_insulation", "u_roof_w_m2k"),
                    ("window_replacement", "u_window_w_m2k"),
                )
            ),
            geo,
            catalogue,
        ),
        "pv_kwp": added_pv,
        "floor_area_m2": var["heated_area_m2"].to_numpy(float),
        "per_building": np.ones(len(var)),
    }
    capex = {
        mid: np.where(col[mid], catalogue.cost_pln(mid, quantity[meas.at[mid, "cost_basis"]]), 0.0)
        for mid in measure_ids
    }
    return var, col, capex, added_pv, quantity["heat_load_kw"]


def _result_frame(result) -> pd.DataFrame:
    frame = getattr(result, "buildings", result)
    if not isinstance(frame, pd.DataFrame):
        raise PackageInputError("assess_fn must return a DataFrame or an object with a .buildings DataFrame")
    return frame


def _evaluate(
    base: pd.DataFrame,
    variant_rows: pd.DataFrame,
    assess_fn: Callable[..., object],
    city_lat: float,
    city_lon: float,
    assess_kwargs: dict,
) -> tuple[pd.DataFrame, list[str]]:
    """The engine's results of the buildings and their variants, indexed by (variant) building id,
    and the final-energy carrier columns in them."""
    metered = [c for c in base.columns if c.startswith("metered_")]
    if metered:
        # A variant keeps its building's calibration factors (it must not be re-calibrated to the same
        # meter): its savings are the model's savings x the building's meter-to-model factor.
        first = _result_frame(assess_fn(base.reset_index(drop=True), city_lat=city_lat, city_lon=city_lon,
                                        **assess_kwargs))  # fmt: skip
        factor_cols = [c for c in first.columns if c.startswith("calibration_factor_")]
        per_building = first.set_index(first["building_id"].astype(str))[factor_cols]
        owner = variant_rows["building_id"].str.split("::").str[0].to_numpy()
        variant_rows = variant_rows.drop(columns=metered + [c for c in factor_cols if c in variant_rows])
        variant_rows[factor_cols] = per_building.loc[owner].to_numpy(float)
        second = _result_frame(assess_fn(variant_rows.reset_index(drop=True), city_lat=city_lat,
                                         city_lon=city_lon, **assess_kwargs))  # fmt: skip
        result = pd.concat([first, second], ignore_index=True)
    else:
        evaluate = pd.concat([base, variant_rows])
        result = _result_frame(
            assess_fn(evaluate.reset_index(drop=True), city_lat=city_lat, city_lon=city_lon, **assess_kwargs)
        )
    result = result.set_index(result["building_id"].astype(str))
    result = result.rename(
        columns={c: "primary_energy_kwh_per_year" for c in PRIMARY_ALIASES[1:] if c in result}
    )
    carriers = [c for c in result.columns if c.startswith("final_") and c.endswith("_kwh_per_year")]
    missing = [c for c in ENGINE_RESULT_COLUMNS if c not in result.columns]
    if missing or not carriers:
        raise PackageInputError(
            f"assess_fn result: missing columns {missing or ['final_energy_*_kwh_per_year']}"
        )
    return result, carriers


def _add_capex(out: pd.DataFrame, capex: dict, keep: np.ndarray, measure_ids: list, catalogue: Catalogue):
    """Capex in total and per measure, and the capex-weighted lifetime of the package."""
    capex_cols = {f"capex_pln__{m}": capex[m][keep] for m in measure_ids}
    capex_total = np.sum(list(capex_cols.values()), axis=0)
    life = np.array([catalogue.measures.at[m, "lifetime_years"] for m in measure_ids])
    weights = np.column_stack(list(capex_cols.values()))
    lifetime = np.where(
        capex_total > 0, weights @ life / np.where(capex_total > 0, capex_total, 1.0), life.min()
    )
    out["capex_pln"] = capex_total
    out = pd.concat([out, pd.DataFrame(capex_cols)], axis=1)
    out["lifetime_years"] = lifetime
    return out


def _add_savings(
    out: pd.DataFrame, result: pd.DataFrame, carriers: list[str], owners: pd.Series, variant_ids: pd.Series
) -> None:
    """Savings per carrier and in total, and the baseline, of each package against its building."""
    cols = carriers + list(ENGINE_RESULT_COLUMNS)
    before = result.loc[owners, cols].to_numpy(float)
    after = result.loc[variant_ids, cols].to_numpy(float)
    saved = before - after
    names = {c: "savings_" + c.removeprefix("final_").removeprefix("energy_") for c in carriers}
    for j, c in enumerate(carriers):
        out[names[c]] = saved[:, j]
    k = len(carriers)
    out["final_energy_savings_kwh_per_year"] = saved[:, :k].sum(axis=1)
    out["primary_energy_savings_kwh_per_year"] = saved[:, k]
    out["co2_reduction_t_per_year"] = saved[:, k + 1]
    out["savings_pln_per_year"] = saved[:, k + 2]
    out["baseline_final_energy_kwh_per_year"] = before[:, :k].sum(axis=1)
    out["baseline_primary_energy_kwh_per_year"] = before[:, k]
    out["baseline_co2_t_per_year"] = before[:, k + 1]
    out["baseline_cost_pln_per_year"] = before[:, k + 2]
    if "heating_dhw_final_kwh_per_year" in result:  # scope of the thermo-modernisation act's demand cut
        hw = result["heating_dhw_final_kwh_per_year"]
        hw_before = hw.loc[owners].to_numpy(float)
        out["baseline_heating_dhw_final_kwh_per_year"] = hw_before
        out["heating_dhw_final_savings_kwh_per_year"] = hw_before - hw.loc[variant_ids].to_numpy(float)


def _add_kinds(out: pd.DataFrame, used_k: np.ndarray, measure_ids: list, catalogue: Catalogue) -> None:
    """What kind of package it is: a heat source alone, one with renewable energy."""
    cats = catalogue.measures.loc[measure_ids, "category"].to_numpy()
    out["heat_source_only"] = used_k[:, cats == "heat_source"].any(axis=1) & (used_k.sum(axis=1) == 1)
    res_mask = np.isin(cats, RES_CATEGORIES) | np.isin(
        catalogue.measures.loc[measure_ids, "heating_system"].astype(str).to_numpy(), RES_HEATING_SYSTEMS
    )
    out["includes_res"] = used_k[:, res_mask].any(axis=1)


def generate_candidates(
    buildings: pd.DataFrame,
    assess_fn: Callable[..., object],
    catalogue: Catalogue,
    city_lat: float,
    city_lon: float,
    packages: dict[str, Sequence[str]] | None = None,
    **assess_kwargs,
) -> pd.DataFrame:
    """Candidate table of all sensible packages per building, evaluated in one call of ``assess_fn``.

    Parameters
    ----------
    buildings : DataFrame
        Inventory with ``building_id, heated_area_m2, storeys, heating_system, u_wall_w_m2k,
        u_roof_w_m2k, u_window_w_m2k, existing_pv_kwp, led_lighting, bms`` (+ whatever the engine needs).
    assess_fn : callable
        ``assess_fn(buildings, city_lat=..., city_lon=..., **assess_kwargs)`` returning a DataFrame or an
        object with ``.buildings`` that has, per ``building_id``, ``final_energy_*_kwh_per_year``,
        ``primary_energy_kwh_per_year``, ``co2_t_per_year`` and ``cost_pln_per_year``
        (e.g. :func:`energy.assess.assess_buildings`).
    catalogue : Catalogue
    city_lat, city_lon : float
        Site [deg], passed to ``assess_fn``.
    packages : dict, optional
        ``{package_id: measure ids}``; defaults to :data:`DEFAULT_PACKAGES`. Measures not applicable
        to a building (a heat pump where there is no fossil boiler, LED where LED exists) are dropped
        from its packages; packages that become empty or duplicate are dropped.

    Returns
    -------
    DataFrame
        One row per (building, package): ``building_id, package_id, measures, capex_pln,
        capex_pln__<measure>, lifetime_years, savings_pln_per_year, co2_reduction_t_per_year,
        primary_energy_savings_kwh_per_year, final_energy_savings_kwh_per_year,
        savings_<carrier>_kwh_per_year, baseline_*``, ``heat_source_only, includes_res, pv_kwp_added,
        heat_load_kw, source="generated"``.
    """
    packages = dict(packages or DEFAULT_PACKAGES)
    if buildings["building_id"].duplicated().any():
        dup = buildings.loc[buildings["building_id"].duplicated(), "building_id"].tolist()
        raise PackageInputError(f"building_id: duplicate ids {dup[:5]}")
    buildings = buildings.reset_index(drop=True)
    geometry = estimate_geometry(buildings, catalogue)
    var, col, capex, added_pv, heat_load = _variant_table(buildings, catalogue, packages, geometry)
    measure_ids = list(col)
    used = np.column_stack([col[m] for m in measure_ids])
    keep = used.any(axis=1)
    var["measures"] = ["+".join(np.array(measure_ids)[u]) for u in used]
    keep &= ~var.duplicated(["building_id", "measures"]).to_numpy()

    base = buildings.copy()
    variants = var.loc[keep].copy()
    variants["building_id"] = variants["building_id"].astype(str) + "::" + variants["package_id"]
    base = base.assign(building_id=base["building_id"].astype(str))
    variant_rows = variants.drop(columns=["package_id", "measures"])
    result, carriers = _evaluate(base, variant_rows, assess_fn, city_lat, city_lon, assess_kwargs)

    out = var.loc[keep, ["building_id", "package_id", "measures"]].reset_index(drop=True)
    out = _add_capex(out, capex, keep, measure_ids, catalogue)
    _add_savings(out, result, carriers, var.loc[keep, "building_id"].astype(str), variants["building_id"])
    _add_kinds(out, used[keep], measure_ids, catalogue)
    out["pv_kwp_added"] = added_pv[keep]
    out["heat_load_kw"] = heat_load[keep]
    out["source"] = "generated"
    return out
