"""Usable roof area rules, self-consumption arithmetic, net-billing value and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy.pv import (
    PVInputError,
    PVParams,
    installable_kwp,
    net_billing_value,
    rooftop_pv,
    self_consumption,
    usable_roof_area,
)


def test_flat_roof_setback_obstructions_and_row_spacing():
    """1000 m2 flat roof, 2:1 rectangle (44.72 x 22.36 m), 1 m setback, 15 % obstructions, GCR 0.5."""
    usable, tilt, az, warnings = usable_roof_area([1000.0], ["flat"])
    length, width = np.sqrt(2000.0), np.sqrt(500.0)
    expected = (length - 2) * (width - 2) * 0.85 * 0.5
    assert_allclose(usable, [expected], rtol=1e-12)
    assert_allclose(expected, 369.68, atol=0.01)
    assert_allclose(tilt, [15.0])
    assert_allclose(az, [180.0])
    assert warnings == [[]]
    # a roof smaller than the setbacks gets nothing
    assert_allclose(usable_roof_area([7.0], ["flat"])[0], [0.0])


def test_gcr_default_avoids_winter_noon_row_shading_at_52N():
    """Row pitch for 15 deg modules with no shade at winter-solstice noon (sun 14.56 deg at 52 N)."""
    elevation = np.radians(90 - 52 - 23.44)
    pitch = np.cos(np.radians(15)) + np.sin(np.radians(15)) / np.tan(elevation)
    assert_allclose(PVParams().flat_roof_gcr, 1 / pitch, atol=0.02)


def test_pitched_planes_pick_the_south_most_plane():
    roof_type = ["gable", "gable", "hip", "mono", "mono", "dwuspadowy"]
    area = [400.0, 400.0, 400.0, 200.0, 200.0, 400.0]
    azimuth = [10.0, 200.0, 100.0, 0.0, 150.0, 90.0]
    usable, tilt, az, warnings = usable_roof_area(area, roof_type, tilt=[35.0] * 6, azimuth=azimuth)
    assert_allclose(az, [190.0, 200.0, 190.0, 0.0, 150.0, 90.0])
    assert_allclose(usable, [150.0, 150.0, 400 * 0.375 * 0.75, 0.0, 150.0, 150.0])
    assert_allclose(tilt, 35.0)
    assert "faces north" in warnings[3][0]
    assert "east or west" in warnings[5][0]


def test_missing_values_are_defaulted_with_warnings():
    usable, tilt, az, warnings = usable_roof_area(
        [np.nan, 300.0],
        ["gable", "gable"],
        footprint_m2=[200.0, np.nan],
        tilt=[np.nan, 30.0],
        azimuth=[np.nan, 180.0],
    )
    roof = 200.0 / np.cos(np.radians(35.0))
    assert_allclose(usable, [roof * 0.5 * 0.75, 300 * 0.5 * 0.75])
    assert_allclose(tilt, [35.0, 30.0])
    assert any("roof_tilt_deg missing" in w for w in warnings[0])
    assert any("estimated from the footprint" in w for w in warnings[0])
    assert warnings[1] == []


def test_roof_larger_than_footprint_warns_and_heavy_shading_excludes():
    usable, _, _, warnings = usable_roof_area(
        [900.0, 500.0], ["flat", "flat"], footprint_m2=[300.0, 500.0], shading_factor=[0.0, 0.7]
    )
    assert usable[0] > 0  # kept as given, not an error
    assert "larger than the footprint allows" in warnings[0][0]
    assert usable[1] == 0.0
    assert "unsuitable" in warnings[1][0]


def test_installable_kwp_uses_module_efficiency():
    assert_allclose(installable_kwp([100.0, 0.0], PVParams(module_efficiency=0.21)), [21.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tilt": [95.0]}, r"row 'b1', field 'roof_tilt_deg': 95.0 outside 0.0..90.0"),
        ({"tilt": [-1.0]}, r"row 'b1', field 'roof_tilt_deg'"),
        ({"azimuth": [361.0]}, r"row 'b1', field 'roof_azimuth_deg'"),
        ({"shading_factor": [1.5]}, r"roof_shading_factor"),
        ({"roof_type": ["dome"]}, r"row 'b1', field 'roof_type': 'dome'"),
        ({"roof_area_m2": [np.nan]}, r"row 'b1', field 'roof_area_m2': missing"),
        ({"roof_area_m2": [-3.0]}, r"roof_area_m2.*outside"),
    ],
)
def test_bad_roof_input_names_row_and_field(kwargs, match):
    args = {"roof_area_m2": [100.0], "roof_type": ["gable"], "labels": ["b1"]} | kwargs
    with pytest.raises(PVInputError, match=match):
        usable_roof_area(**args)


def test_self_consumption_small_hand_case():
    ac = np.array([[0.0, 1.0], [2.0, 2.0], [1.0, 0.0]])
    load = np.array([[1.0, 1.0], [1.0, 3.0], [1.0, 1.0]])
    res = self_consumption(ac, load)
    assert_allclose(res["self_consumed_kwh_per_year"], [2.0, 3.0])
    assert_allclose(res["exported_kwh_per_year"], [1.0, 0.0])
    assert_allclose(res["imported_kwh_per_year"], [1.0, 2.0])
    assert_allclose(res["self_consumption_ratio"], [2 / 3, 1.0])
    assert_allclose(res["self_sufficiency_ratio"], [2 / 3, 3 / 5])
    nothing = self_consumption(np.zeros((3, 1)), np.zeros((3, 1)))
    assert_allclose(nothing["self_consumption_ratio"], [0.0])


def test_self_consumption_bad_input():
    with pytest.raises(PVInputError, match="shape"):
        self_consumption(np.ones((4, 2)), np.ones((3, 2)))
    with pytest.raises(PVInputError, match="hour 1, column 0"):
        self_consumption(np.ones((3, 1)), np.array([[1.0], [-2.0], [1.0]]))


def test_net_billing_value_annual_and_hourly_prices():
    # defaults: 0.693 PLN/kWh retail (2024 cap), 0.307 PLN/kWh export (RCEm Jun/Jul 2024)
    assert_allclose(net_billing_value([1000.0], [500.0]), [1000 * 0.693 + 500 * 0.307])
    sc = np.array([[1.0], [2.0]])
    ex = np.array([[3.0], [0.0]])
    value = net_billing_value(
        sc, ex, retail_price_pln_per_kwh=1.0, export_price_pln_per_kwh=np.array([0.2, 0.9])
    )
    assert_allclose(value, [3.0 + 0.6])
    with pytest.raises(PVInputError, match="prices for"):
        net_billing_value(sc, ex, export_price_pln_per_kwh=np.array([0.2, 0.3, 0.4]))


def test_rooftop_pv_bad_building_rows_are_named():
    weather = pd.DataFrame(
        {"ghi": [0.0], "dni": [0.0], "dhi": [0.0], "temp_air": [0.0], "wind_speed": [1.0]},
        index=pd.DatetimeIndex(["2005-01-01 00:00"], tz="Etc/GMT-1"),
    )
    good = {"roof_type": "flat", "roof_area_m2": 100.0, "roof_tilt_deg": 0.0, "roof_azimuth_deg": 180.0}
    buildings = pd.DataFrame([good, good | {"roof_tilt_deg": 120.0}], index=["A", "B"])
    with pytest.raises(PVInputError, match=r"row 'B', field 'roof_tilt_deg'"):
        rooftop_pv(buildings, weather, 52.0, 21.0, 100.0)
    with pytest.raises(PVInputError, match=r"row 'A', field 'roof_area_m2': 'big' is not a number"):
        rooftop_pv(
            buildings.astype({"roof_area_m2": object}).assign(roof_area_m2=["big", 1.0]),
            weather,
            52.0,
            21.0,
            100.0,
        )
    with pytest.raises(PVInputError, match="lat"):
        rooftop_pv(buildings.iloc[:1], weather, 95.0, 21.0, 100.0)
    with pytest.raises(PVInputError, match="roof_type"):
        rooftop_pv(buildings.drop(columns="roof_type"), weather, 52.0, 21.0, 100.0)
    with pytest.raises(PVInputError, match="load_kwh: shape"):
        rooftop_pv(buildings.iloc[:1], weather, 52.0, 21.0, 100.0, load_kwh=np.ones((2, 1)))
    res = rooftop_pv(buildings.iloc[:1].assign(existing_pv_kwp=500.0), weather, 52.0, 21.0, 100.0)
    assert res.loc["A", "pv_capacity_kwp"] == 0.0
    assert any("already uses the usable roof" in w for w in res.loc["A", "warnings"])
