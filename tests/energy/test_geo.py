"""One "in Poland" boundary (PRG outline + 100 m): border towns on both sides of every border.

Town centres from the Wikipedia infoboxes, December 2026 (see the note above the tables). The
towns next to the border are the hard cases: Frankfurt (Oder) and Guben lie 230-240 m beyond the
outline, Cieszyn and Zgorzelec 360-530 m inside it (``python energy/data/boundaries/build.py
--measure`` prints every distance).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from energy.geo import distance_to_border_m, in_poland, outline, tolerance_m

# town: (lat, lon [deg, WGS84], "border; infobox the coordinates come from"). The Wikipedia
# edition read is named (en, pl, de, cs, da, fr). "≈" marks arc-minute coordinates of the English
# infobox that were not re-read for this test; all of them lie 0.8 km or more from the outline.
POLISH_TOWNS = {
    "Słubice": (52.3500, 14.5667, "DE; en 52°21′N 14°34′E"),
    "Gubin": (51.946797, 14.727731, "DE; pl 51°56′48″N 14°43′40″E"),
    "Zgorzelec": (51.1503, 15.0086, "DE; de 51°9′1″N 15°0′31″E"),
    "Osinów Dolny": (52.85139, 14.14556, "DE; en 52°51′5″N 14°8′44″E"),
    "Świnoujście": (53.9167, 14.2500, "DE + Baltic; ≈ 53°55′N 14°15′E"),
    "Bogatynia": (50.9000, 14.9500, "DE + CZ; ≈ 50°54′N 14°57′E"),
    "Kudowa-Zdrój": (50.4333, 16.2500, "CZ; ≈ 50°26′N 16°15′E"),
    "Międzylesie": (50.1500, 16.6667, "CZ; ≈ 50°09′N 16°40′E"),
    "Cieszyn": (49.7489, 18.6334, "CZ; cs 49°44′56″N 18°38′00″E"),
    "Muszyna": (49.3500, 20.9000, "SK; ≈ 49°21′N 20°54′E"),
    "Wołosate": (49.0667, 22.6833, "UA + SK; ≈ 49°4′N 22°41′E"),
    "Medyka": (49.80417, 22.93194, "UA; de 49°48′N 22°56′E, village centre 49.80417 N 22.93194 E"),
    "Terespol": (52.0667, 23.6000, "BY; en 52°04′N 23°36′E"),
    "Kuźnica": (53.50972, 23.64361, "BY; en 53°30′35″N 23°38′37″E"),
    "Sejny": (54.1000, 23.3500, "LT; de 54°6′N 23°21′E"),
    "Puńsk": (54.2500, 23.1833, "LT; ≈ 54°15′N 23°11′E"),
    "Gołdap": (54.3167, 22.3000, "RU; ≈ 54°19′N 22°18′E"),
    "Braniewo": (54.3833, 19.8333, "RU; ≈ 54°23′N 19°50′E"),
    "Krynica Morska": (54.38250, 19.44444, "Baltic (Vistula Spit); en 54°22′57″N 19°26′40″E"),
    "Hel": (54.6167, 18.7833, "Baltic (Hel Peninsula); fr 54°37′00″N 18°47′00″E"),
}

FOREIGN_TOWNS = {
    "Frankfurt (Oder)": (52.3500, 14.5500, "DE; en 52°21′N 14°33′E"),
    "Guben": (51.9533, 14.7167, "DE; en 51°57′12″N 14°43′00″E"),
    "Görlitz": (51.15278, 14.98722, "DE; da 51°09′10″N 14°59′14″E"),
    "Heringsdorf (Usedom)": (53.9542, 14.1667, "DE; ≈ 53°57′N 14°10′E"),
    "Zittau": (50.9000, 14.8000, "DE; ≈ 50°54′N 14°48′E"),
    "Hrádek nad Nisou": (50.8528, 14.8447, "CZ; ≈ 50°51′N 14°51′E"),
    "Náchod": (50.4169, 16.1631, "CZ; cs 50°25′01″N 16°09′47″E"),
    "Český Těšín": (49.7425, 18.6167, "CZ; en 49°44′33″N 18°37′0″E"),
    "Stará Ľubovňa": (49.3000, 20.6833, "SK; ≈ 49°18′N 20°41′E"),
    "Uzhhorod": (48.6208, 22.2879, "UA; ≈ 48°37′N 22°17′E"),
    "Mostyska (beyond Shehyni)": (49.7950, 23.1500, "UA; ≈ 49°48′N 23°09′E"),
    "Lviv": (49.8397, 24.0297, "UA; ≈ 49°50′N 24°02′E"),
    "Volodymyr": (50.8500, 24.3167, "UA; ≈ 50°51′N 24°19′E"),
    "Brest": (52.0975, 23.6877, "BY; ≈ 52°06′N 23°41′E"),
    "Hrodna": (53.6884, 23.8258, "BY; ≈ 53°41′N 23°50′E"),
    "Lazdijai": (54.2333, 23.5167, "LT; ≈ 54°14′N 23°31′E"),
    "Druskininkai": (54.0167, 23.9667, "LT; ≈ 54°01′N 23°58′E"),
    "Kaliningrad": (54.7065, 20.5110, "RU; ≈ 54°42′N 20°31′E"),
    "Mamonovo": (54.4667, 19.9333, "RU; ≈ 54°28′N 19°56′E"),
    "Baltiysk": (54.6500, 19.9167, "RU (Vistula Spit); ≈ 54°39′N 19°55′E"),
    "Rønne (Bornholm)": (55.1000, 14.7000, "DK, across the Baltic; ≈ 55°06′N 14°42′E"),
}


def latlon(table: dict) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = np.array([v[:2] for v in table.values()]).T
    return lat, lon


@pytest.mark.parametrize("town", POLISH_TOWNS)
def test_polish_border_towns_are_in_poland(town):
    lat, lon, _ = POLISH_TOWNS[town]
    assert in_poland(lat, lon), f"{town} ({lat}, {lon}) rejected"


@pytest.mark.parametrize("town", FOREIGN_TOWNS)
def test_towns_across_the_border_are_not(town):
    lat, lon, _ = FOREIGN_TOWNS[town]
    assert not in_poland(lat, lon), f"{town} ({lat}, {lon}) accepted"


def test_vectorised_over_both_lists_and_broadcasts():
    lat, lon = latlon(POLISH_TOWNS | FOREIGN_TOWNS)
    got = in_poland(lat, lon)
    assert got.dtype == bool and got.shape == lat.shape
    assert got.tolist() == [True] * len(POLISH_TOWNS) + [False] * len(FOREIGN_TOWNS)
    assert in_poland(52.23, np.array([21.01, 13.40])).tolist() == [True, False]  # Warsaw, Berlin
    assert in_poland(52.23, 21.01).shape == ()


@pytest.mark.parametrize(("lat", "lon"), [(np.nan, 20.0), (52.0, np.nan), (np.inf, 20.0), (52.0, -np.inf)])
def test_non_finite_points_are_not_in_poland(lat, lon):
    assert not in_poland(lat, lon)


def test_the_tolerance_lets_the_river_bank_pass_but_not_the_far_one():
    # surveyed border points (the river's axis): westernmost at Osinów Dolny (Cedynia, border
    # point 630-553*G, 52°50′15.58″N 14°07′22.55″E) and southernmost at Opołonek (49.00238 N,
    # 22.84710 E): the simplified outline misses them by less than the tolerance
    surveyed_lat, surveyed_lon = np.array([52.837661, 49.00238]), np.array([14.122930, 22.84710])
    assert (np.abs(distance_to_border_m(surveyed_lat, surveyed_lon)) < tolerance_m()).all()
    assert in_poland(surveyed_lat, surveyed_lon).all()
    # the nearest foreign centres stay beyond it, with a margin for the buffer's +-7 % east-west
    lat, lon = latlon(FOREIGN_TOWNS)
    assert (distance_to_border_m(lat, lon) < -1.5 * tolerance_m()).all()
    assert 50.0 <= tolerance_m() < 150.0


def test_distance_and_tolerance_agree_point_by_point():
    # 80 m and 130 m west of the outline at Słubice (the Oder runs north-south there)
    border = outline()
    m_per_deg_lon = 111_195.0 * np.cos(np.radians(52.35))
    river = shapely.line_interpolate_point(
        border.exterior, border.exterior.project(shapely.Point(14.555, 52.35))
    )
    near, far = river.x - 80 / m_per_deg_lon, river.x - 130 / m_per_deg_lon
    assert in_poland(river.y, near) and not in_poland(river.y, far)
    assert distance_to_border_m(river.y, near)[0] == pytest.approx(-80, abs=15)


def test_outline_is_one_valid_polygon_of_poland():
    border = outline()
    assert border.geom_type == "Polygon" and border.is_valid and not border.interiors
    lon0, lat0, lon1, lat1 = border.bounds  # Poland's extreme points
    assert lat0 == pytest.approx(49.00, abs=0.01) and lat1 == pytest.approx(54.84, abs=0.01)
    assert lon0 == pytest.approx(14.12, abs=0.01) and lon1 == pytest.approx(24.15, abs=0.01)
