"""Readiness framework: scenario arithmetic, headroom, target-based scores, coverage, bad input.

Expected numbers are computed by hand in the comments (goalposts from indicators.csv, norms from
norms.csv: 2,750 patients per POZ doctor, 2,000 inhabitants per social worker).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from integration.readiness import (
    ArrivalScenario,
    ReadinessInputError,
    breaking_points,
    headroom,
    load_framework,
    load_reference_data,
    scenario_needs,
)
from integration.readiness.score import compute_readiness

FW = load_framework()


def long(rows: list[tuple], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        [(t, i, v, year, "test") for t, i, v in rows],
        columns=["teryt", "indicator", "value", "year", "source"],
    )


CITY = {  # a synthetic city of 100,000 residents
    "population": 100_000,
    "vacant_municipal_dwellings_per_1000": 2.0,  # 200 spare dwellings
    "free_primary_places_per_1000": 5.0,  # 500 spare places
    "free_preschool_places_per_1000": 2.0,  # 200 spare places
    "primary_care_doctors_per_10k": 4.0,  # 40 doctors x 2750 - 100000 = 10000 spare list places
    "social_workers_per_10k": 5.5,  # 55 x 2000 - 100000 = 10000 inhabitants above the norm
}


def city_wide() -> pd.DataFrame:
    return pd.DataFrame([CITY], index=pd.Index(["1261011"], name="teryt"))


def test_framework_defines_three_pillars_with_sourced_goalposts():
    assert FW.version == "2025.1"
    assert list(FW.pillars.index) == ["housing", "schooling", "services"]
    scored = FW.scored
    assert (scored.groupby("pillar").size() == 7).all()
    assert (
        scored[["source", "goalpost_source", "name_pl", "name_en", "name_uk", "rationale"]]
        .notna()
        .all()
        .all()
    )
    assert (scored["goalpost_max"] > scored["goalpost_min"]).all()
    # statutory norm of 1 social worker per 2,000 inhabitants = 5 per 10k sits between the posts
    lo, hi = scored.loc["social_workers_per_10k", ["goalpost_min", "goalpost_max"]]
    assert lo < 5.0 < hi
    assert FW.indicators.at["dwellings_per_1000", "bdl_var_id"] == "410600"
    assert FW.config_hash() == load_framework().config_hash()
    with pytest.raises(ReadinessInputError, match="not available"):
        load_framework(version="1999.1")


def test_scenario_needs_by_hand():
    s = ArrivalScenario.ukraine_default(5000)
    needs = scenario_needs(s).iloc[0]
    # 5000 / 2.5 = 2000 dwellings; 5000 x 0.1778 = 889 primary; x 0.0889 = 444.5 preschool; x 0.0667
    assert_allclose(
        needs[["dwellings", "primary_places", "preschool_places", "secondary_places"]],
        [2000, 889, 444.5, 333.5],
    )
    assert_allclose(needs[["primary_care_patients", "social_work_cases"]], [5000, 2000])
    grid = scenario_needs(s, np.array([0.0, 1000.0, 2000.0]))
    assert_allclose(grid["dwellings"], [0, 400, 800])
    # defaults = 0.40 children x cohorts / 18 (scenario_defaults.csv)
    assert_allclose(
        [s.preschool_share, s.primary_share, s.secondary_share],
        [0.4 * 4 / 18, 0.4 * 8 / 18, 0.4 * 3 / 18],
        atol=1e-4,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"arrivals": -1}, "arrivals"),
        ({"arrivals": 10, "household_size": 0}, "household_size"),
        ({"arrivals": 10, "primary_share": 1.2}, "primary_share"),
        ({"arrivals": 10, "primary_share": 0.6, "preschool_share": 0.5}, "exceeds 1"),
        ({"arrivals": 10, "children": 0.3}, "children"),
    ],
)
def test_bad_scenarios_name_the_field(fields, field):
    with pytest.raises(ReadinessInputError, match=field):
        ArrivalScenario.build(**fields)


def test_headroom_and_breaking_points_by_hand():
    s = ArrivalScenario.build(arrivals=2000, household_size=2.5)
    h = headroom(city_wide(), s).iloc[0]
    # housing 200 / (2000/2.5) = 0.25; primary 500 / (2000 x 0.1778) = 1.406; preschool 200 / 177.8 = 1.125
    # primary care 10000 / 2000 = 5; social work 10000 / 2000 = 5
    assert_allclose(
        h[["housing_headroom", "school_places_headroom", "preschool_places_headroom"]],
        [0.25, 500 / 355.6, 200 / 177.8],
        rtol=1e-9,
    )
    assert_allclose(h[["primary_care_headroom", "social_work_headroom"]], [5.0, 5.0])
    b = breaking_points(city_wide(), s, FW, arrivals_grid=np.arange(0, 20_001, 250)).iloc[0]
    # housing breaks at 200 x 2.5 = 500; schooling at min(500/0.1778, 200/0.0889) = 2249.7; services 10000
    assert_allclose(
        [b["housing_breaks_at"], b["schooling_breaks_at"], b["services_breaks_at"]],
        [500, 200 / 0.0889, 10_000],
    )
    assert b["first_to_break"] == "housing"
    assert b["housing_breaks_at_grid"] == 750  # headroom < 1 needs strictly more than 500 arrivals
    assert b["schooling_breaks_at_grid"] == 2250


def test_headroom_zero_need_is_capped_and_missing_capacity_stays_missing():
    wide = city_wide().drop(columns="free_preschool_places_per_1000")
    h = headroom(wide, ArrivalScenario.build(arrivals=0)).iloc[0]
    assert h["housing_headroom"] == 10.0  # norms.csv headroom_cap
    assert np.isnan(h["preschool_places_headroom"])


def test_goalpost_scores_by_hand():
    data = long(
        [
            ("1261011", "dwellings_per_1000", 500),  # (500-350)/300 = 50
            ("1261011", "floor_area_per_person_m2", 35),  # (35-20)/20 = 75
            ("1261011", "dwelling_price_pln_per_m2", 10_500),  # (16000-10500)/11000 = 50 (lower is better)
            ("1261011", "registered_unemployed_per_1000", 15),  # (45-15)/40 = 75
            ("1261011", "population", 800_000),
        ]
    )
    res = compute_readiness(data)
    row = res.scores.loc["1261011"]
    assert_allclose(row["housing"], (50 + 75 + 50) / 3)
    assert_allclose(row["services"], 75.0)
    assert np.isnan(row["schooling"])
    assert_allclose(
        row["readiness"], ((50 + 75 + 50) / 3 + 75) / 2
    )  # missing pillar dropped, weights renormalised
    assert_allclose(res.contributions().loc["1261011"].sum(), row["readiness"])
    # one more m2 per person adds share (1/3 x 1/2) x 100/20 points
    assert_allclose(res.marginal_gain().at["1261011", "floor_area_per_person_m2"], 100 / 20 / 6)


def test_target_based_score_does_not_move_when_another_city_changes():
    ref = load_reference_data()
    base = compute_readiness(ref).scores
    changed = ref.copy()
    krakow = (changed["teryt"] == "1261011") & (changed["indicator"] == "dwellings_per_1000")
    changed.loc[krakow, "value"] = 300.0
    after = compute_readiness(changed).scores
    others = base.index != "1261011"
    assert_allclose(after[others].to_numpy(), base[others].to_numpy(), equal_nan=True, rtol=0, atol=0)
    assert after.at["1261011", "housing"] < base.at["1261011", "housing"]
    # the peer-relative alternative (min-max) does move other cities: the invariance is not trivial
    mm = compute_readiness(ref, methods={"normalisation": "minmax"}).scores
    mm2 = compute_readiness(changed, methods={"normalisation": "minmax"}).scores
    assert not np.allclose(mm[others]["housing"], mm2[others]["housing"], equal_nan=True)


def test_coverage_counts_vintage_and_staleness():
    ref = load_reference_data()
    res = compute_readiness(ref)
    cov = res.coverage.detail("1261011")
    assert cov["indicators_expected"] == 16  # no scenario: headroom indicators are not expected
    # Kraków: dwellings/1000, floor area, completions, social assistance, unemployment, integration centre
    assert cov["indicators_present"] == 6
    assert cov["stale"] == ["social_assistance_beneficiaries_per_10k"]  # 2017, older than 5 years
    assert cov["imputed"] == {}
    assert res.coverage.vintage("1261011")["oldest_year"] == 2017
    relaxed = compute_readiness(ref, methods={"max_age_years": 10}).coverage.detail("1261011")
    assert relaxed["stale"] == []
    lublin = res.coverage.detail("0663011")
    assert "integration_centre" in lublin["undated"]


def test_imputation_only_where_configured():
    ref = load_reference_data()
    plain = compute_readiness(ref)
    assert np.isnan(plain.normalised.at["1465011", "dwellings_per_1000"])  # Warszawa: not in the source
    imputed = compute_readiness(ref, methods={"impute": {"dwellings_per_1000": "median"}})
    cov = imputed.coverage.detail("1465011")
    assert cov["imputed"] == {"dwellings_per_1000": "median"}
    assert "dwellings_per_1000" not in cov["missing"]
    latest = (
        ref[ref["indicator"] == "dwellings_per_1000"].sort_values("year").groupby("teryt").last()["value"]
    )
    assert_allclose(imputed.index.datasets["Imputed"].at["1465011", "dwellings_per_1000"], latest.median())


def test_result_with_scenario_is_json_ready_with_intervals_and_peers():
    ref = load_reference_data()
    res = compute_readiness(ref, ArrivalScenario.ukraine_default(5000), uncertainty_runs=200)
    payload = res.to_dict("3064011")
    json.dumps(payload)
    assert payload["methodology_version"] == "2025.1"
    assert payload["coverage"]["indicators_expected"] == 21
    assert payload["interval"]["score_p05"] <= payload["interval"]["score_p95"]
    assert payload["headroom"]["first_to_break"] is None  # no capacity data for Poznań: not invented
    peers = res.peer_view()
    big = res.groups["size_class"] == ">=500k"
    expected = res.scores.loc[big, "readiness"].rank(ascending=False, method="min")
    assert_allclose(peers.loc[big, "readiness_peer_rank"], expected)
    assert payload["peer"]["units"] == big.sum()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.assign(teryt=d["teryt"].where(d.index != 3, "12610")), "row 3, field 'teryt'"),
        (
            lambda d: d.assign(value=d["value"].astype(object).where(d.index != 2, "dużo")),
            "row 2, field 'value'",
        ),
        (
            lambda d: d.assign(indicator=d["indicator"].where(d.index != 1, "happiness")),
            "row 1, field 'indicator'",
        ),
        (lambda d: pd.concat([d, d.iloc[[0]]], ignore_index=True), "appears twice"),
        (lambda d: d.drop(columns="value"), "missing column"),
    ],
)
def test_bad_values_name_row_and_field(mutate, message):
    data = long([("1261011", "dwellings_per_1000", 500), ("1261011", "population", 8e5)] * 1)
    data = pd.concat(
        [data, long([("3064011", "dwellings_per_1000", 584), ("3064011", "population", 5e5)])],
        ignore_index=True,
    )
    with pytest.raises(ReadinessInputError, match=message):
        compute_readiness(mutate(data))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"methods": {"normalise": "goalposts"}}, "methods key 'normalise'"),
        ({"methods": {"normalisation": "magic"}}, "unknown method 'magic'"),
        ({"weights": {"happiness": 2}}, "weights key 'happiness'"),
        ({"weights": {"housing": -1}}, "negative"),
        ({"uncertainty_runs": -5}, "uncertainty_runs"),
    ],
)
def test_bad_configuration_is_a_readiness_error(kwargs, message):
    with pytest.raises(ReadinessInputError, match=message):
        compute_readiness(load_reference_data(), **kwargs)


def test_reference_data_has_source_and_year_and_no_invented_values():
    ref = load_reference_data()
    assert ref["source"].notna().all()
    assert ref["teryt"].str.fullmatch(r"\d{7}").all()
    assert ref["teryt"].nunique() == 20
    assert ref["year"].isna().sum() == 1  # Lublin's migrant point is undated in the source
    assert set(ref["indicator"]) <= set(FW.indicators.index)
    # nothing the sources lack was filled in
    assert not ref["indicator"].isin(["free_primary_places_per_1000", "social_workers_per_10k"]).any()
    assert_allclose(
        ref.query("teryt == '1261011' and indicator == 'registered_unemployed_per_1000'")["value"],
        13121 / 816614 * 1000,
        atol=0.005,
    )
