"""Climate: packaged stations, nearest station, PVGIS/EPW readers, bad files, monthly climate."""

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from energy.climate import (
    list_stations,
    load_station,
    monthly_climate,
    nearest_station,
    pv_climate,
    read_user_climate,
)  # fmt: skip
from energy.errors import ClimateDataError

DATA = Path(__file__).parents[1] / "data" / "climate"
PVGIS = DATA / "Warszawa_PVGIS-SARAH3_TMY_52.207_20.978_2005_2023.csv"
# annual GHI [kWh/m2] from climate_pl/HOURLY_FILES.md (computed there from the EPW files)
CROSSCHECK_GHI = {"123750": 978.1, "125660": 1045.2, "121400": 886.5, "123000": 830.5, "125800": 1051.2}
# Warsaw TMY monthly GHI, climate_pl/crosscheck.csv
WARSAW_MONTHLY_GHI = [27.5, 34.8, 67.5, 96.1, 142.1, 154.3, 154.7, 132.3, 82.3, 47.2, 21.7, 17.6]


def test_all_packaged_stations_load_8760_hours():
    st = list_stations()
    assert len(st) == 19
    for sid in st["station_id"]:
        cl = load_station(sid)
        assert cl.hourly.shape == (8760, 5) and cl.hourly.index.tz is not None
        assert_allclose(
            cl.hourly["ghi"].sum() / 1000, st.set_index("station_id").loc[sid, "annual_ghi_kwh_m2"], atol=0.2
        )


@pytest.mark.parametrize(("sid", "ghi"), CROSSCHECK_GHI.items())
def test_annual_ghi_matches_crosscheck(sid, ghi):
    assert_allclose(load_station(sid).hourly["ghi"].sum() / 1000, ghi, atol=0.3)


def test_nearest_station_vectorised():
    ids = nearest_station([52.23, 50.06, 54.35, 51.11], [21.01, 19.94, 18.65, 17.03])
    assert list(ids) == ["123750", "125660", "121400", "124240"]


def test_monthly_climate_warsaw():
    m = monthly_climate(load_station("123750"))
    assert len(m) == 12 and m["hours"].sum() == 8760
    assert_allclose(m["i_sol_hor_kwh_m2"], WARSAW_MONTHLY_GHI, atol=0.06)
    winter = [0, 1, 10, 11]
    assert np.all(m["i_sol_s_kwh_m2"].to_numpy()[winter] > m["i_sol_hor_kwh_m2"].to_numpy()[winter])
    assert np.all(m["i_sol_n_kwh_m2"] < m[["i_sol_e_kwh_m2", "i_sol_s_kwh_m2", "i_sol_w_kwh_m2"]].min(axis=1))
    assert_allclose(
        m["hdd_15_k_day"].sum(), 2775, rtol=0.01
    )  # cities.csv HDD-15 from the same TMY would match


def test_read_pvgis_csv():
    cl = read_user_climate(PVGIS.read_bytes(), PVGIS.name, "Warszawa PVGIS")
    assert cl.hourly.shape == (8760, 5)
    assert_allclose(cl.hourly["ghi"].sum() / 1000, 1141.4, atol=0.1)
    assert_allclose([cl.lat, cl.lon], [52.207, 20.978])
    assert cl.hourly.index.is_monotonic_increasing


def test_read_epw():
    content = gzip.decompress((DATA / "POL_Warszawa.Okecie.123750_IMGW.epw.gz").read_bytes())
    cl = read_user_climate(content, "warsaw.epw", "Warsaw EPW")
    assert_allclose(cl.hourly["ghi"].sum() / 1000, 978.1, atol=0.1)


def test_pv_climate_scales_ministry_year_to_satellite_level():
    pv = pv_climate(load_station("123750"))
    assert_allclose(pv.hourly["ghi"].sum() / 1000, 1141.4, rtol=1e-3)
    assert "PVGIS-SARAH3" in pv.source
    user = read_user_climate(PVGIS.read_bytes(), PVGIS.name, "u")
    assert pv_climate(user) is user


def test_truncated_pvgis_rejected():
    lines = PVGIS.read_bytes().splitlines(keepends=True)
    with pytest.raises(ClimateDataError, match="8760|parsed"):
        read_user_climate(b"".join(lines[:5000]), "short.csv", "x")


def test_negative_irradiance_rejected():
    text = PVGIS.read_text().splitlines(keepends=True)
    row = next(i for i, ln in enumerate(text) if ln.startswith("20140101:1100"))
    parts = text[row].split(",")
    parts[3] = "-138.0"
    text[row] = ",".join(parts)
    with pytest.raises(ClimateDataError, match="negative irradiance ghi"):
        read_user_climate("".join(text).encode(), "neg.csv", "x")


def test_non_numeric_and_unknown_format_rejected():
    text = PVGIS.read_text().replace("20140101:1200,2.3,", "20140101:1200,abc,", 1)
    with pytest.raises(ClimateDataError):
        read_user_climate(text.encode(), "bad.csv", "x")
    with pytest.raises(ClimateDataError, match="unknown format"):
        read_user_climate(b"x", "weather.txt", "x")
    with pytest.raises(ClimateDataError, match="truncated|8760|parsed"):
        read_user_climate(
            gzip.decompress((DATA / "POL_Warszawa.Okecie.123750_IMGW.epw.gz").read_bytes())[:400_000],
            "t.epw",
            "x",
        )


def _ghi_weighted_hour_angle(cl) -> float:
    """Mean solar hour angle at the middle of each hour, weighted by GHI [deg]: ~0 when the data and
    the sun are on the same clock (the sun stands as high before noon as after)."""
    import pvlib

    mid = cl.hourly.index + pd.Timedelta(minutes=30)
    eot = pvlib.solarposition.equation_of_time_spencer71(mid.day_of_year)
    ha = np.asarray(pvlib.solarposition.hour_angle(mid, cl.lon, eot))
    w = cl.hourly["ghi"].to_numpy()
    return float((w * ha).sum() / w.sum())


def test_ministry_hours_are_read_on_the_clock_the_sun_keeps():
    """Every packaged station: the GHI-weighted hour angle is within 3 deg of noon (the EPW
    interval-ending reading put the sun an hour early, -8 deg at Warsaw)."""
    from energy.climate import list_stations

    for sid in list_stations()["station_id"]:
        assert abs(_ghi_weighted_hour_angle(load_station(sid))) < 3.0, sid


def test_pv_climate_scales_ghi_only_and_splits_beam_and_diffuse_again():
    raw, pv = load_station("123750"), pv_climate(load_station("123750"))
    assert_allclose(pv.hourly["ghi"].to_numpy(), raw.hourly["ghi"].to_numpy() * 1141.4 / 978.1, rtol=1e-4)
    diffuse = pv.hourly["dhi"].sum() / pv.hourly["ghi"].sum()
    assert raw.hourly["dhi"].sum() / raw.hourly["ghi"].sum() > 0.65  # the files' diffuse-heavy split
    assert 0.45 < diffuse < 0.6, diffuse  # PVGIS-SARAH3 Warsaw: 0.47
    import pvlib

    mid = pv.hourly.index + pd.Timedelta(minutes=30)
    zen = pvlib.solarposition.get_solarposition(mid, pv.lat, pv.lon, pv.altitude_m)["zenith"].to_numpy()
    closure = pv.hourly["dhi"] + pv.hourly["dni"] * np.clip(np.cos(np.radians(zen)), 0, None)
    assert_allclose(closure.to_numpy(), pv.hourly["ghi"].to_numpy(), atol=1e-6)
    assert pv.hourly["dni"].max() < 1400  # never above the extraterrestrial beam
    assert "Erbs-Driesse" in pv.source
