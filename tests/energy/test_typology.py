"""Typology defaults, retrofit override, geometry and hourly load profiles."""

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from energy.climate import load_station
from energy.typology import apply_defaults, hourly_load_profile


def test_era_defaults_retrofit_and_given_values():
    b = pd.DataFrame({"building_id": ["a", "b", "c"], "building_type": "school", "construction_year": [1975, 1975, 1975],
                      "heated_area_m2": 2000.0, "storeys": 2, "heating_system": "gas_boiler",
                      "wall_retrofit_year": [np.nan, 2015, 2015], "u_wall_w_m2k": [np.nan, np.nan, 0.18]})  # fmt: skip
    f, used = apply_defaults(b)
    assert_allclose(f["u_wall_w_m2k"], [1.16, 0.25, 0.18])  # PN-74 era, WT 2014 era, given
    assert "u_wall_w_m2k: era of wall_retrofit_year" in used[1]
    assert not any(u.startswith("u_wall") for u in used[2])
    fp = 1000.0
    perimeter = 2 * (np.sqrt(fp * 2.5) + np.sqrt(fp / 2.5))
    assert_allclose(f["wall_area_m2"] + f["window_area_m2"], perimeter * 2 * 3.5)


def test_school_load_profile_empty_nights_weekends_summer():
    idx = load_station("123750").hourly.index
    monthly = np.full((2, 12), 3000.0)
    p = hourly_load_profile(["school", "office"], monthly, idx)
    assert p.shape == (8760, 2)
    assert_allclose(pd.Series(p[:, 0], index=idx).groupby(idx.month).sum(), 3000.0)
    school = pd.Series(p[:, 0], index=idx)
    wk = school[(idx.month == 3) & (idx.day_of_week < 5)]
    assert wk[wk.index.hour == 10].min() > 5 * wk[wk.index.hour == 2].max()
    assert school[(idx.month == 3) & (idx.day_of_week == 6)].max() < wk.max() / 5
    july = school[idx.month == 7]
    assert_allclose(july.max(), july.min())  # closed: base load only
