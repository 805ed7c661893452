"""SVG charts: parsed as XML, marks checked against the data through scales read back from the axes.

Independent checks: a bar's end or a point's position is predicted from the tick labels drawn on the
axis (fitted value -> pixel line), distances on the map from the drawn scale bar against the haversine
great-circle distance (equirectangular error over a few km << 0.5 %).
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from service.charts import ChartInputError
from service.charts.assessment import co2_by_type_svg, ep_chart_svg, pv_by_type_svg
from service.charts.maps import EARTH_RADIUS_KM, assessment_map_svg
from service.charts.portfolio import cash_flow_svg, compare_totals_svg, frontier_svg
from service.charts.svg import esc_array
from tests.service.test_assessments_api import DEMO_CSV, create_inventory, run_assessment
from tests.service.test_portfolios_api import run

NS = "{http://www.w3.org/2000/svg}"
EVIL = "Szkoła <b>\"nr 1\"</b> & 'Ślą'"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg" and root.get("role") == "img"
    title, desc = root.find(NS + "title"), root.find(NS + "desc")
    assert title is not None and title.text and desc is not None and len(desc.text or "") > 20
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "href" not in svg and "url(" not in svg and "<image" not in svg  # no external reference
    return root


def marks(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(NS + tag) if cls in (e.get("class") or "").split()]


def value(text: str) -> float:
    return float(text.replace(",", "").replace("–", "-"))


def axis_fit(root: ET.Element, orientation: str, anchor: str = "end") -> np.ndarray:
    """(slope, intercept) of pixel = f(value) from the numeric tick labels of one axis.

    x axis: labels on one row (same y), centred on the tick; y axis: labels in one column with
    ``text-anchor`` ``anchor``, baseline 4 px below the tick (their font's optical centre)."""
    ticks = [t for t in root.iter(NS + "text") if t.get("class") == "ax"]
    if orientation == "x":
        rows = pd.Series([t.get("y") for t in ticks]).value_counts()
        sel = [t for t in ticks if t.get("y") == rows.index[0] and t.get("text-anchor") == "middle"]
        pos = [float(t.get("x")) for t in sel]
    else:
        sel = [t for t in ticks if t.get("text-anchor") == anchor]
        pos = [float(t.get("y")) - 4 for t in sel]
    vals = [value(t.text) for t in sel]
    fit = np.polyfit(vals, pos, 1)
    assert_allclose(np.polyval(fit, vals), pos, atol=0.11)  # the ticks lie on one straight line
    return fit


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def demo_buildings() -> pd.DataFrame:
    f = pd.read_csv(DEMO_CSV)[["building_id", "name", "building_type", "lat", "lon", "heated_area_m2"]].head(
        12
    )
    limit = np.where(f["building_type"].eq("healthcare"), 190.0, 45.0)
    ep = np.linspace(420.0, 40.0, len(f))
    return f.assign(
        ep_kwh_per_m2_year=ep, ep_limit_kwh_per_m2_year=limit, co2_t_per_year=f["heated_area_m2"] * 0.07
    )


def test_esc_array_is_html_escape():
    values = [EVIL, "a&amp;b", None, 3.5, "Łódź"]
    assert list(esc_array(values)) == [
        html.escape(str(v), quote=True) if v is not None else "" for v in values
    ]


def test_map_positions_sizes_tooltips_and_missing_coordinates():
    f = demo_buildings()
    f.loc[0, "name"] = EVIL
    f.loc[[4, 7], ["lat", "lon"]] = np.nan
    root = parse(assessment_map_svg(f, "Lublin"))
    circles = {c.get("data-id"): c for c in marks(root, "circle", "building")}
    assert len(circles) == 10 and "LUB-ADM-005" not in circles
    located = f.drop(index=[4, 7]).set_index("building_id")
    r = np.array([float(circles[b].get("r")) for b in located.index])
    assert_allclose(r**2 / located["heated_area_m2"], (r**2 / located["heated_area_m2"]).iloc[0], rtol=2e-3)
    bar = marks(root, "g", "scalebar")[0]
    px_per_km = float(bar.get("data-px")) / float(bar.get("data-km"))
    xy = {b: (float(c.get("cx")), float(c.get("cy"))) for b, c in circles.items()}
    a, b = located.index[0], located.index[-1]
    d_px = math.dist(xy[a], xy[b])
    d_km = haversine_km(*located.loc[a, ["lat", "lon"]], *located.loc[b, ["lat", "lon"]])
    assert_allclose(d_px / px_per_km, d_km, rtol=5e-3, atol=0.1 / px_per_km)
    north = located["lat"].idxmax()
    east = located["lon"].idxmax()
    assert xy[north][1] == min(y for _, y in xy.values()) and xy[east][0] == max(x for x, _ in xy.values())
    tip = circles["LUB-ADM-001"].find(NS + "title").text
    assert EVIL in tip and "EP 420.0" in tip and "CO₂" in tip and "t/year" in tip
    note = " ".join(t.text for t in marks(root, "text", "note"))
    assert "(2)" in note and f.loc[4, "name"] in note and f.loc[7, "name"] in note


def test_ep_chart_bars_sorted_with_limit_line_on_the_axis_scale():
    f = demo_buildings().sample(frac=1.0, random_state=1)
    root = parse(ep_chart_svg(f))
    bars = marks(root, "rect", "bar")
    assert len(bars) == len(f)
    ep = np.array([float(b.get("data-value")) for b in bars])
    assert (np.diff(ep) <= 0).all()
    slope, icpt = axis_fit(root, "x")
    ends = np.array([float(b.get("x")) + float(b.get("width")) for b in bars])
    assert_allclose(ends, slope * ep + icpt, atol=0.2)
    by_id = f.set_index("building_id")
    limits = by_id.loc[[b.get("data-id") for b in bars], "ep_limit_kwh_per_m2_year"].to_numpy()
    path = marks(root, "path", "limit")[0].get("d")
    xs = [float(seg.split()[0]) for seg in path.split("M")[1:]]
    assert_allclose(xs, slope * limits + icpt, atol=0.2)


def test_co2_and_pv_by_type_bars_match_the_totals():
    totals = pd.DataFrame(
        {
            "building_type": ["school", "culture", "office"],
            "n_buildings": [11, 5, 5],
            "co2_t_per_year": [3984.2, 1230.9, 1205.2],
            "pv_yield_kwh_per_year": [1_326_000.0, 300_477.0, 224_000.0],
            "pv_self_consumed_kwh_per_year": [644_000.0, 143_308.0, 183_000.0],
        }
    )
    root = parse(co2_by_type_svg(totals))
    bars = marks(root, "rect", "bar")
    assert [b.get("data-category") for b in bars] == ["School (11)", "Culture (5)", "Office (5)"]
    slope, icpt = axis_fit(root, "x")
    assert_allclose([float(b.get("width")) for b in bars], slope * totals["co2_t_per_year"], atol=0.2)
    assert_allclose(float(bars[0].get("x")), icpt, atol=0.2)
    root = parse(pv_by_type_svg(totals))
    bars = marks(root, "rect", "bar")
    assert len(bars) == 6 and {b.get("data-series") for b in bars} == {
        "PV yield (potential)",
        "self-consumed",
    }
    slope, _ = axis_fit(root, "x")
    assert_allclose(float(bars[1].get("width")), slope * 644.0, atol=0.2)  # MWh/year
    with pytest.raises(ChartInputError, match="include_pv=false"):
        pv_by_type_svg(totals.drop(columns=["pv_yield_kwh_per_year"]))


def test_frontier_points_joined_and_placed_on_both_axes():
    pts = pd.DataFrame(
        {
            "own_contribution_pln": [0.0, 1.04e6, 2.32e6, 4.04e6, 12.0e6],
            "capex_pln": [0.0, 1.04e6, 2.32e6, 4.04e6, 12.0e6],
            "co2_reduction_t_per_year": [0.0, 184.6, 369.3, 553.9, 1107.8],
            "npv_pln": [0.0, 2.1e6, 3.5e6, 4.2e6, 3.0e6],
            "n_projects": [0, 2, 4, 6, 11],
        }
    ).iloc[::-1]
    root = parse(frontier_svg(pts, "co2"))
    circles = marks(root, "circle", "point")
    assert len(circles) == 5
    sx, ix = axis_fit(root, "x")
    sy, iy = axis_fit(root, "y")
    known = circles[3]  # 4.04 mln PLN, 553.9 t/year after sorting by cost
    assert_allclose(
        [float(known.get("cx")), float(known.get("cy"))], [sx * 4.04 + ix, sy * 553.9 + iy], atol=0.2
    )
    d = marks(root, "path", "frontier")[0].get("d")
    assert d.count("L") == 4
    npv = parse(frontier_svg(pts, "npv"))
    assert_allclose(
        sorted(float(c.get("data-y")) for c in marks(npv, "circle", "point")), [0, 2.1, 3.0, 3.5, 4.2]
    )


def test_cash_flow_bars_and_cumulative_co2_line():
    years = np.arange(6)
    net = np.array([-3.0e6, 0.4e6, 0.4e6, 0.4e6, 0.4e6, 0.2e6])
    co2 = np.array([0.0, 120.0, 120.0, 120.0, 120.0, 60.0])
    root = parse(cash_flow_svg({"year": years, "net_cash_flow_pln": net, "co2_reduction_t": co2}))
    bars = marks(root, "rect", "bar")
    assert len(bars) == 6
    sy, iy = axis_fit(root, "y", "end")
    zero = iy
    assert_allclose(float(bars[0].get("y")), zero, atol=0.2)  # outflow hangs below zero
    assert_allclose(float(bars[0].get("height")), -sy * 3.0, atol=0.2)
    assert_allclose(float(bars[1].get("y")), sy * 0.4 + iy, atol=0.2)
    sc, ic = axis_fit(root, "y", "start")
    last = marks(root, "path", "co2")[0].get("d").split("L")[-1].split()
    assert_allclose(float(last[1]), sc * co2.sum() + ic, atol=0.2)


def test_compare_totals_four_panels_of_bars():
    totals = [
        {
            "portfolio_id": "a",
            "name": "CO2 12 mln",
            "own_contribution_pln": 12e6,
            "grant_pln": 0.0,
            "co2_reduction_t_per_year": 1094.0,
            "npv_pln": 10.3e6,
        },
        {
            "portfolio_id": "b",
            "name": EVIL,
            "own_contribution_pln": 8e6,
            "grant_pln": 2e6,
            "co2_reduction_t_per_year": 865.0,
            "npv_pln": -1.5e6,
        },
    ]
    svg = compare_totals_svg(totals)
    root = parse(svg)
    bars = marks(root, "rect", "bar")
    assert len(bars) == 8 and {b.get("data-portfolio") for b in bars} == {"a", "b"}
    npv = {
        b.get("data-portfolio"): float(b.get("data-value")) for b in bars if b.get("data-field") == "npv_pln"
    }
    assert npv == {"a": 10.3, "b": -1.5}
    assert EVIL not in svg and html.escape(EVIL) in svg


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: assessment_map_svg(demo_buildings().assign(heated_area_m2=0.0)), r"heated_area_m2.*row 1"),
        (lambda: ep_chart_svg(demo_buildings().drop(columns=["ep_limit_kwh_per_m2_year"])), "ep_limit"),
        (
            lambda: co2_by_type_svg([{"building_type": "school", "co2_t_per_year": None}]),
            "co2_t_per_year.*School",
        ),
        (lambda: frontier_svg([], "co2"), "no rows"),
        (
            lambda: frontier_svg([{"own_contribution_pln": 1.0, "co2_reduction_t_per_year": 1.0}], "cost"),
            "kind",
        ),
    ],
)
def test_bad_input_raises_naming_the_field(call, match):
    with pytest.raises(ChartInputError, match=match):
        call()


def svg_of(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    return parse(response.text)


def test_assessment_charts_through_the_api(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 6)
    aid = run_assessment(client, tenants, inv)["result_url"].rsplit("/", 1)[1]
    root = svg_of(client.get(f"/v1/assessments/{aid}/map.svg", headers=h))
    assert len(marks(root, "circle", "building")) == 6
    assert (
        len(marks(svg_of(client.get(f"/v1/assessments/{aid}/chart.svg?kind=ep", headers=h)), "rect", "bar"))
        == 6
    )
    n_types = len(client.get(f"/v1/assessments/{aid}", headers=h).json()["result"]["totals_by_type"])
    for kind, per_type in (("co2_by_type", 1), ("pv", 2)):
        root = svg_of(client.get(f"/v1/assessments/{aid}/chart.svg?kind={kind}", headers=h))
        assert len(marks(root, "rect", "bar")) == n_types * per_type
    assert client.get(f"/v1/assessments/{aid}/chart.svg?kind=pie", headers=h).status_code == 422
    other = tenants.h(tenants.other_city_key)
    assert client.get(f"/v1/assessments/{aid}/map.svg", headers=other).status_code == 404
    assert client.get(f"/v1/assessments/{aid}/map.svg").status_code == 401


def test_portfolio_charts_through_the_api(client, tenants):
    h = tenants.h(tenants.city_key)
    inv = create_inventory(client, tenants, 4)
    a = run(client, tenants, {"name": "CO2", "inventory_id": inv, "budget_pln": 2e6, "horizon_years": 10})
    b = run(client, tenants, {"name": "NPV", "inventory_id": inv, "budget_pln": 2e6, "objective": "max_npv"})
    f = run(client, tenants, {"inventory_id": inv, "n_points": 3}, "/v1/portfolios/frontier")
    root = svg_of(client.get(f"/v1/portfolios/{a['id']}/chart.svg", headers=h))
    assert len(marks(root, "rect", "bar")) == 11 and marks(root, "path", "co2")
    root = svg_of(client.get(f"/v1/portfolios/{f['id']}/chart.svg", headers=h))
    ys = sorted(float(c.get("data-y")) for c in marks(root, "circle", "point"))
    assert_allclose(ys, sorted(p["co2_reduction_t_per_year"] for p in f["frontier"]), rtol=1e-5)
    root = svg_of(client.get(f"/v1/portfolios/compare/chart.svg?ids={a['id']},{b['id']}", headers=h))
    assert len(marks(root, "rect", "bar")) == 8
    other = tenants.h(tenants.other_city_key)
    assert client.get(f"/v1/portfolios/{a['id']}/chart.svg", headers=other).status_code == 404
    assert (
        client.get(f"/v1/portfolios/compare/chart.svg?ids={a['id']},{b['id']}", headers=other).status_code
        == 404
    )
    assert (
        client.get(f"/v1/portfolios/compare/chart.svg?ids={a['id']},{f['id']}", headers=h).status_code == 409
    )


def test_charts_speak_the_readers_language_and_name_the_plans():
    from service.charts.i18n import chart_language
    from service.charts.portfolio import compare_totals_svg

    by_type = [{"building_type": "school", "n_buildings": 3, "co2_t_per_year": 12345.6},
               {"building_type": "sports_hall", "n_buildings": 1, "co2_t_per_year": 800.0}]  # fmt: skip
    with chart_language("pl"):
        pl = co2_by_type_svg(by_type)
    assert "Emisja CO₂ [t/rok]" in pl and "Szkoła (3)" in pl and "Hala sportowa (1)" in pl
    assert "12\u00a0346" in pl or "12\u202f346" in pl, "numbers in the Polish locale"
    with chart_language("uk"):
        assert "Викиди CO₂ [t/рік]" in co2_by_type_svg(by_type)
    assert "CO₂ emissions [t/year]" in co2_by_type_svg(by_type), "English outside a language block"
    totals = [{"name": n, "own_contribution_pln": 1e6 * (i + 1), "grant_pln": 5e5, "co2_reduction_t_per_year": 100.0 * i,
               "npv_pln": 2e6} for i, n in enumerate(["Plan CO₂", "Plan NPV"])]  # fmt: skip
    with chart_language("pl"):
        svg = compare_totals_svg(totals)
    axis_labels = re.findall(r'<text class="ax"[^>]*text-anchor="middle">([^<]*)</text>', svg)
    assert "Plan CO₂" in axis_labels and "Plan NPV" in axis_labels, "bars named by the plan, not 1 and 2"
    assert "Wkład własny" in svg


def test_frontier_marks_the_chosen_plan_where_it_lies():
    points = [
        {"own_contribution_pln": 1e6 * k, "co2_reduction_t_per_year": 100.0 * k**0.5} for k in (1, 2, 4, 8)
    ]
    chosen = {"name": "Plan rady miasta", "own_contribution_pln": 3e6, "co2_reduction_t_per_year": 150.0}
    root = ET.fromstring(frontier_svg(points, "co2", chosen=chosen))
    marks = [e for e in root.iter() if e.get("class") == "chosen"]
    assert len(marks) == 1 and marks[0].get("data-x") == "3" and marks[0].get("data-y") == "150"
    assert any((t.text or "") == "Plan rady miasta" for t in root.iter() if t.tag.endswith("text"))
    assert not [e for e in ET.fromstring(frontier_svg(points)).iter() if e.get("class") == "chosen"]


def test_readiness_pillars_chart_places_points_and_intervals_on_the_0_100_axis() -> None:
    import re as _re

    from service.charts.i18n import chart_language
    from service.charts.readiness import pillar_intervals_svg

    rows = [
        {"label": "Ogółem", "score": 50.0, "interval_low": 45.0, "interval_high": 55.0},
        {"label": "Mieszkania", "score": 25.0, "interval_low": None, "interval_high": None},
    ]
    with chart_language("pl"):
        svg = pillar_intervals_svg(rows, "Lublin", width=760)
    # axis from x=200 (0) to x=720 (100): 50 -> 460, 25 -> 330; the interval 45..55 -> 434..486
    cx = [float(v) for v in _re.findall(r'<circle class="point" cx="([\d.]+)"', svg)]
    assert cx == [460.0, 330.0]
    assert 'x1="434.0"' in svg and 'x2="486.0"' in svg
    assert "Mieszkania: 25,0 (bez przedziału niepewności)" in svg
    with pytest.raises(ChartInputError):
        pillar_intervals_svg([{"label": "x", "score": None}])


def test_map_draws_the_powiat_borders_and_names_the_largest_buildings() -> None:
    """Lublin's 40 demo buildings: the city's powiat border (GUGiK PRG) crosses the frame and its
    name is shown; the largest buildings are named, inside the frame, without overlapping labels."""
    import re as _re

    from service.charts.i18n import chart_language
    from service.charts.maps import LABELLED, PLOT, assessment_map_svg

    demo = pd.read_csv(DEMO_CSV)
    demo = demo.assign(ep_kwh_per_m2_year=150.0, ep_limit_kwh_per_m2_year=100.0, co2_t_per_year=50.0)
    with chart_language("pl"):
        svg = assessment_map_svg(demo, "Lublin")
    assert '<g class="admin"' in svg and svg.count("<path d=") >= 2
    assert ">powiat Lublin</text>" in svg
    labels = _re.findall(r'class="val building-name" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"', svg)
    assert 1 <= len(labels) <= LABELLED
    biggest = demo.sort_values("heated_area_m2", ascending=False)["name"].iloc[0]
    assert biggest[:20] in svg.split('class="val building-name"')[1]  # the largest is named first
    for x, _y, _anchor in labels:
        assert PLOT[0] <= float(x) <= PLOT[2]


def test_a_column_of_numbers_reads_as_each_number_does_in_every_language():
    """The map writes its tooltips' numbers a column at a time; the text is the same as one at a time."""
    import numpy as np

    from service.charts.i18n import chart_language
    from service.charts.svg import num, num_array

    values = np.array([0.0, 3.14159, 1234.5, 1_234_567.891, -42.0, float("nan")])
    for lang in ("pl", "en", "uk"):
        with chart_language(lang):
            for digits in (0, 1, 2):
                assert list(num_array(values, digits)) == [num(v, digits) for v in values], (lang, digits)
