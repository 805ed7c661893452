"""Thermo-modernisation bonus eligibility as the Act of 21 November 2008 states it.

Ustawa z dnia 21 listopada 2008 r. o wspieraniu termomodernizacji i remontow (t.j. Dz.U. 2018 poz. 966
as amended; conditions in art. 3 ust. 1 in the wording from 12.04.2020, see
``energy/data/thermo_act_rules.csv``, each rule with its article). A package is eligible when

1. it contains a thermo-modernisation work (art. 2 pkt 2 lit. a: envelope, heating system, heat
   source, DHW, ventilation; not LED, BMS or PV), and
2. one of the conditions of art. 3 ust. 1 holds:
   pkt 1 - the final energy for heating and hot water falls by >= 10 % (heating system only) or
   >= 25 % (other packages); pkt 3 - a connection to district heat replacing a local source cuts the
   yearly heat cost by >= 20 %; pkt 4 - a renewable heat source replaces (part of) the old one.

Demand is the final energy for space heating and DHW (``baseline_heating_dhw_final_kwh_per_year``,
``heating_dhw_final_savings_kwh_per_year``); where a candidate lacks those columns (an audited
variant) the total final energy is used and the reason says so. The heat-cost cut is measured
against ``baseline_heat_cost_pln_per_year`` when given, otherwise against the whole energy cost
(a lower bound of the heat-cost share, so never more generous than the act).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def rules() -> pd.DataFrame:
    """The rule table, indexed by rule id (value, article, source, year, grade)."""
    with resources.files("energy.data").joinpath("thermo_act_rules.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str).set_index("rule")


def _list(rule: str) -> list[str]:
    return rules().at[rule, "value"].split("|")


def _share(rule: str) -> float:
    return float(rules().at[rule, "value"])


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _measure_flags(candidates: pd.DataFrame, catalogue: pd.DataFrame):
    """Per candidate: has a qualifying work, heating system only, RES heat source, DH connection."""
    # flags per distinct package ("a+b"), then indexed: a few dozen combinations, not one per candidate
    combos, where = np.unique(candidates["measures"].fillna("").astype(str).to_numpy(), return_inverse=True)
    parts = pd.Series(combos).str.split("+")
    category = catalogue["category"].astype(str).to_dict()
    system = catalogue["heating_system"].fillna("").astype(str).to_dict()
    works, res_heat = set(_list("qualifying_works")), set(_list("renewable_heat_source"))
    cats = parts.map(lambda ms: [category.get(m, "") for m in ms if m])
    systems = parts.map(lambda ms: {system.get(m, "") for m in ms if m})
    qualifies = cats.map(lambda cs: any(c in works for c in cs)).to_numpy(bool)
    source_only = cats.map(lambda cs: len(cs) > 0 and set(cs) == {"heat_source"}).to_numpy(bool)
    renewable = systems.map(lambda s: bool(s & res_heat)).to_numpy(bool)
    district = systems.map(lambda s: "district_heating" in s).to_numpy(bool)
    return qualifies[where], source_only[where], renewable[where], district[where]


def thermo_bonus_eligibility(candidates: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Eligibility for the thermo-modernisation bonus and the reason, per candidate.

    Parameters
    ----------
    candidates : DataFrame
        ``measures`` ("a+b" of catalogue ids), ``savings_pln_per_year`` [PLN/a] and the demand columns
        named in the module docstring [kWh/a].
    catalogue : DataFrame
        Measure catalogue indexed by measure id with ``category`` and ``heating_system``.

    Returns
    -------
    (ndarray of bool, list of str)
        Eligible flag and a reason naming the article that decides it.
    """
    qualifies, source_only, renewable, district = _measure_flags(candidates, catalogue)
    if "baseline_heating_dhw_final_kwh_per_year" in candidates:
        base = candidates["baseline_heating_dhw_final_kwh_per_year"]
        saved = candidates.get("heating_dhw_final_savings_kwh_per_year", pd.Series(np.nan, candidates.index))
        scope = "heating+DHW final energy"
    else:
        base = candidates.get("baseline_final_energy_kwh_per_year", pd.Series(np.nan, candidates.index))
        saved = candidates.get("final_energy_savings_kwh_per_year", pd.Series(np.nan, candidates.index))
        scope = "total final energy (heating+DHW not given)"
    cut = _ratio(saved, base)
    need = np.where(source_only, _share("demand_cut_heating_system_only"), _share("demand_cut_other"))
    heat_cost = candidates.get(
        "baseline_heat_cost_pln_per_year", candidates.get("baseline_cost_pln_per_year")
    )
    cost_cut = _ratio(candidates["savings_pln_per_year"], heat_cost if heat_cost is not None else np.nan)
    by_demand = qualifies & (np.nan_to_num(cut, nan=-1.0) >= need)
    by_district = (
        qualifies & district & (np.nan_to_num(cost_cut, nan=-1.0) >= _share("district_heat_connection"))
    )
    by_res = qualifies & renewable
    ok = by_demand | by_district | by_res
    return ok, _reasons(qualifies, source_only, by_demand, by_district, by_res, cut, cost_cut, need, scope)


def _reasons(qualifies, source_only, by_demand, by_district, by_res, cut, cost_cut, need, scope) -> list:
    """Reason per candidate, built with array string operations (no loop per candidate)."""
    pct = pd.Series(np.round(100 * cut, 1)).astype(str).str.replace("nan", "unknown")
    need_pct = pd.Series(np.round(100 * need).astype(int)).astype(str)
    art_pkt1 = np.where(source_only, "art. 3 ust. 1 pkt 1 lit. a", "art. 3 ust. 1 pkt 1 lit. b")
    cost_pct = pd.Series(np.round(100 * np.nan_to_num(cost_cut), 1)).astype(str)
    demand_text = scope + " cut " + pct + " %"
    dh_min = pd.Series(str(round(100 * _share("district_heat_connection"))), pct.index)
    texts = [
        pd.Series(
            "not eligible: no thermo-modernisation work in the package (art. 2 pkt 2 lit. a)", pct.index
        ),
        "eligible: " + demand_text + " >= " + need_pct + " % (" + art_pkt1 + ")",
        "eligible: heat cost cut "
        + cost_pct
        + " % >= "
        + dh_min
        + " % after a district-heat connection (art. 3 ust. 1 pkt 3)",
        pd.Series("eligible: a renewable heat source replaces the old one (art. 3 ust. 1 pkt 4)", pct.index),
    ]
    fallback = "not eligible: " + demand_text + " < " + need_pct + " % (" + art_pkt1 + ")"
    conditions = [~qualifies, by_demand, by_district, by_res]
    return np.select(conditions, [t.to_numpy(object) for t in texts], fallback.to_numpy(object)).tolist()
