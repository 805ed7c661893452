"""Small exact expectations from COINr's tests and docs (tests/data/asem UNIT_EXPECTATIONS, sections 1-8)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from integration.composite import (
    IndicatorTree,
    UnitTable,
    availability,
    denominate,
    dist2targ,
    goalposts,
    impute,
    minmax,
    normalise_column,
    passes_skew_kurt,
    rank_desc,
    screen_units,
    skew_kurt,
    treat_column,
    weighted_mean,
    winsorise,
    zscore,
)
from tests.integration.asem_data import asem_data, asem_meta


def _raw_asem() -> UnitTable:
    return UnitTable.from_data(asem_data(), IndicatorTree.from_meta(asem_meta()))


@pytest.mark.parametrize(
    ("x", "skew", "kurt"),
    [
        ([*range(1, 11), 30, 100], 3.063241, 9.741391),
        ([*range(1, 11), 100], 3.2556382, 10.7066739),
        ([*range(1, 21), 100, 200], 3.5855704, 13.3390233),
    ],
)
def test_skew_kurt_vectors(x, skew, kurt):
    s, k = skew_kurt(np.array(x, dtype=float))
    assert_allclose([s, k], [skew, kurt], atol=5e-7)
    assert passes_skew_kurt(s, k) == 0


def test_skew_kurt_raw_asem_columns_dets_table():
    raw = _raw_asem().values
    expected = {  # treat.html Dets_Table, printed to 7 significant digits
        "Flights": (2.103287, 4.508879),
        "Goods": (2.649973, 8.266610),
        "Services": (1.701085, 2.375656),
        "LPI": (-0.3042681, -0.6567514),
        "Ship": (-0.5756680, -0.6814795),
        "Bord": (2.1482360, 5.7914905),
        "Elec": (2.2252736, 5.7910268),
        "Gas": (2.8294486, 10.3346494),
        "ConSpeed": (0.4622037, 0.1873214),
        "Cov4G": (-1.3725191, 0.5419314),
    }
    s, k = skew_kurt(raw[list(expected)].to_numpy())
    assert_allclose(np.column_stack([s, k]), np.array(list(expected.values())), rtol=5e-7, atol=5e-8)
    assert_array_equal(passes_skew_kurt(s, k), [0, 0, 1, 1, 1, 0, 0, 0, 1, 1])


def test_winsorise_case1_one_point():
    y, info = treat_column(np.array([*range(1, 11), 100.0]), winmax=5, fallback="none")
    assert_array_equal(y, [*range(1, 11), 10])
    assert info.n_winsorised == 1 and info.passes_after
    assert_allclose([info.skew_after, info.kurt_after], [-0.1276217, -1.3366772], atol=5e-8)


def test_winsorise_case2_and_case3_log_of_original():
    x = np.array([*range(1, 21), 100.0, 200.0])
    y, info = treat_column(x, winmax=1, fallback="none")
    assert not info.passes_after and info.n_winsorised == 1 and y[-1] == 100
    assert_allclose([info.skew_after, info.kurt_after], [2.8170, 7.1335], atol=5e-5)
    y_log, info_log = treat_column(x, winmax=1, fallback="log")
    assert info_log.status == "log"
    assert_allclose(y_log, np.log(x), rtol=0)


def test_winsorise_case4_forced_counts_last_set_per_side():
    w, high, low = winsorise(np.array([*range(1, 21), 100.0, 200.0]), winmax=3, force=True)
    assert_array_equal(w, [2, *range(2, 21), 20, 20])
    assert_array_equal(high, [20, 21])  # 0-based positions 21 and 22
    assert_array_equal(low, [0])


def test_winsorise_doc_vector_winmax2():
    y, info = treat_column(np.array([*range(1, 11), 30.0, 100.0]), winmax=2)
    assert y[-1] == 30 and info.n_winsorised == 1
    assert_allclose([info.skew_after, info.kurt_after], [1.712038, 1.815781], atol=5e-7)


@pytest.mark.parametrize(
    ("code", "winmax", "n_win", "skew", "kurt", "status"),
    [
        ("Flights", 5, 1, 1.900658, 3.336065, "winsorised"),
        ("Bord", 5, 1, 1.899211, 4.346298, "winsorised"),
        ("Elec", 5, 1, 1.717744, 2.586062, "winsorised"),
        ("Gas", 5, 1, 1.602518, 1.525576, "winsorised"),
        ("Goods", 5, 2, 1.140608, 0.1572047, "winsorised"),
        ("Goods", 1, 0, 0.03104001, -0.8888965, "log_ct"),
        ("Flights", 0, 0, -0.09502644, -0.8305217, "log_ct"),
    ],
)
def test_treat_raw_asem_columns(code, winmax, n_win, skew, kurt, status):
    y, info = treat_column(_raw_asem().values[code].to_numpy(), winmax=winmax)
    assert info.status == status and info.n_winsorised == n_win
    assert_allclose([info.skew_after, info.kurt_after], [skew, kurt], rtol=5e-7)


def test_qtreat_custom_thresholds_fall_back_to_log_ct():
    y, info = treat_column(
        _raw_asem().values["Flights"].to_numpy(), winmax=1, skew_threshold=1.5, kurtosis_threshold=3
    )
    assert info.status == "log_ct"
    assert_allclose([info.skew_after, info.kurt_after], [-0.09502644, -0.8305217], rtol=5e-7)


def test_normalisation_functions():
    x = np.arange(1.0, 11.0)
    assert_allclose([minmax(x, (2, 7)).min(), minmax(x, (2, 7)).max()], [2, 7])
    z = zscore(x, (5, 2))
    assert_allclose([z.mean(), z.std(ddof=1)], [5, 2])
    assert_array_equal(normalise_column(x, "rank", 1, {}), np.arange(10.0))
    assert_allclose(normalise_column(x, "scaled", 1, {"scale": (1, 10)}), (x - 1) / 9 * 100)
    assert_allclose(normalise_column(x, "dist2max", 1, {}), 1 - (10 - x) / 9)
    assert_allclose(normalise_column(x, "fracmax", 1, {}), x / 10)
    assert_allclose(normalise_column(x, "dist2ref", 1, {}, ref_value=x[4]), 1 - (x[4] - x) / (x[4] - 1))
    assert_allclose(normalise_column(x, "dist2ref", 1, {"cap_max": True}, ref_value=x[4]).max(), 1)
    assert_allclose(normalise_column(x, "minmax", -1, {}), (10 - x) / 9 * 100)
    assert_allclose(goalposts(x, (0.2, 0.8, 10)), np.clip((x - 0.2) / 0.6, 0, 1) * 10)
    cases = [(1, 1, 0.1), (11, 1, 1), (-1, 1, 0), (1, -1, 0.9), (-1, -1, 1), (11, -1, 0)]
    assert_allclose([goalposts(np.array(v), (0, 10, 1), d) for v, d, _ in cases], [r for *_, r in cases])


def test_dist2targ_vectors():
    assert_allclose(dist2targ(np.array([0.0, 5, 11]), 10), [0, 0.5, 1.1])
    assert_allclose(dist2targ(np.array([0.0, 5, 11]), 10, cap_max=True), [0, 0.5, 1])
    assert_allclose(dist2targ(np.array([-1.0, 1, 10]), 0, -1), [1.1, 0.9, 0])
    assert_allclose(dist2targ(np.array([-1.0, 1, 10]), 0, -1, cap_max=True), [1, 0.9, 0])
    y = dist2targ(np.arange(1.0, 11.0), 8, cap_max=True)
    assert y.min() == 0 and y.max() == 1 and (y[7:] == 1).all()


def test_prank_is_rank_minus_one_over_n_minus_one_with_ties_min():
    assert_allclose(
        normalise_column(np.array([3.0, 1, 3, np.nan, 2]), "prank", 1, {}), [2 / 3, 0, 2 / 3, np.nan, 1 / 3]
    )


def _agg(x, w, method):
    return weighted_mean(np.array([x], dtype=float), np.array(w, dtype=float)[:, None], method)[0, 0]


def test_aggregation_means():
    assert_allclose(_agg([1, 2, 3], [1, 1, 1], "geometric"), 1.8171206, atol=5e-8)
    assert_allclose(_agg([1, 2, 3], [1, 1, 2], "geometric"), 2.0597671, atol=5e-8)
    assert_allclose(_agg([1, 2, 3], [2, 1, 1], "harmonic"), 1.4117647, atol=5e-8)
    assert_allclose(_agg([1, np.nan, 3, 5, np.nan], range(1, 6), "arithmetic"), (1 * 1 + 3 * 3 + 5 * 4) / 8)
    assert np.isnan(_agg([np.nan, np.nan], [1, 1], "arithmetic"))


def test_aggregation_weighted_rows_and_min_share():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(6, 5))
    x[2, :4] = np.nan
    w = np.arange(1.0, 6.0)[:, None]
    out = weighted_mean(x, w, min_share=0.5)[:, 0]
    keep = np.arange(6) != 2
    assert_allclose(out[keep], (x[keep] * w[:, 0]).sum(axis=1) / 15)
    assert np.isnan(out[2])


def test_impute_median_and_group_mean_with_missing_label():
    x = pd.DataFrame({"v": [1, 2, np.nan, *range(4, 11)]}, dtype=float)
    assert impute(x, "median").loc[2, "v"] == 6
    df = pd.DataFrame({"v": [1.0, np.nan, 3.0, 10.0, np.nan, np.nan]})
    groups = pd.Series(["a", "a", "a", "b", "b", None])
    out = impute(df, "group_mean", groups)["v"]
    assert_array_equal(out.to_numpy(), [1, 2, 3, 10, 10, np.nan])


def test_impute_doc_subset():
    df1 = asem_data().iloc[36:46][["Pat", "CultServ", "CultGood", "Tourist"]].reset_index(drop=True)
    filled = impute(df1, "mean")
    fills = {c: filled.loc[df1[c].isna(), c].unique() for c in ("Pat", "CultServ", "CultGood")}
    assert_allclose(
        [fills["Pat"][0], fills["CultServ"][0], fills["CultGood"][0]], [122.35, 0.6470778, 4.5395], rtol=1e-7
    )
    groups = pd.Series(np.repeat(["a", "b"], 5))
    med = impute(df1, "group_median", groups)
    assert_allclose(med.loc[df1["Pat"].isna() & (groups == "a"), "Pat"], 136.75)
    assert_allclose(med.loc[df1["Pat"].isna() & (groups == "b"), "Pat"], 26.85)
    assert_allclose(med.loc[df1["CultGood"].isna() & (groups == "b"), "CultGood"], 1.2345)


def test_screening_random_rows():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(1, 2, size=(10, 10)), index=list("abcdefghij"))
    x.iloc[0, :5] = np.nan
    x.iloc[1, 0] = np.nan
    x.iloc[2, :5] = 0
    x.iloc[3, 0] = 0
    assert screen_units(x, 0.75)["kept"].tolist() == [False] + [True] * 9
    assert screen_units(x, 1.0)["kept"].tolist() == [False, False] + [True] * 8
    assert not screen_units(x, 0.0, min_nonzero=0.75)["kept"]["c"]
    assert screen_units(x, 1.0, force_exclude=("f",))["kept"].sum() == 7


def test_screening_asem_raw():
    raw = _raw_asem().values
    table = availability(raw)
    assert_allclose(table.loc[["AUS", "BGD", "BRN"], "availability"], [1, 0.8775510, 0.7959184], atol=5e-8)
    assert_allclose(table.loc[["AUS", "BGD"], "nonzero_share"], [0.9387755, 0.9767442], atol=5e-8)
    assert_allclose(table["availability"].min(), 0.7959184, atol=5e-8)
    kept = screen_units(raw, 0.85)["kept"]
    assert kept.sum() == 48 and sorted(kept.index[~kept]) == ["BRN", "LAO", "MMR"]
    sub = asem_data().iloc[39:51].set_index("uCode")[["Research", "Pat", "CultServ", "CultGood"]]
    small = screen_units(sub, 0.75)
    assert (
        sorted(small.index[~small["kept"]]) == ["LAO", "MMR", "VNM"]
        and small.loc["KOR", "availability"] == 0.75
    )


def test_denominate_with_scale_factor():
    units = _raw_asem()
    out = denominate(
        units.values, units.denominators, {"Goods": "GDP", "Flights": "Population"}, {"Flights": 1000}
    )
    assert_allclose(out["Goods"], units.values["Goods"] / units.denominators["GDP"])
    assert_allclose(out["Flights"], units.values["Flights"] / units.denominators["Population"] * 1000)
    assert_array_equal(out["LPI"], units.values["LPI"])


def test_rank_helper():
    df = pd.DataFrame({"x": [1.0, 3, 2, 4], "y": [4.0, 1, 3, 2]})
    assert_array_equal(rank_desc(df).to_numpy().T, [[4, 2, 3, 1], [1, 4, 2, 3]])
    grouped = rank_desc(df, pd.Series(["a", "a", "b", "b"]))
    assert_array_equal(grouped.to_numpy().T, [[2, 1, 2, 1], [1, 2, 1, 2]])
    assert_array_equal(rank_desc(pd.DataFrame({"t": [5.0, 7, 7, np.nan]}))["t"], [3, 1, 1, np.nan])
