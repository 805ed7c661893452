"""Pipeline options against independent hand/loop calculations on a small index."""

import json

import numpy as np
import pandas as pd
import yaml
from numpy.testing import assert_allclose

from integration.composite import load_config, run_pipeline
from tests.integration.asem_data import EXAMPLE_CONFIG

META = pd.DataFrame(
    {
        "iCode": ["dwell", "rent", "places", "doctors", "Housing", "Schooling", "Index", "size", "pop"],
        "Level": [1, 1, 1, 1, 2, 2, 3, None, None],
        "Parent": ["Housing", "Housing", "Schooling", "Schooling", "Index", "Index", None, None, None],
        "Weight": [2, 1, 1, 1, 1, 3, 1, None, None],
        "Direction": [1, -1, 1, 1, 1, 1, 1, None, None],
        "Type": ["Indicator"] * 4 + ["Aggregate"] * 3 + ["Group", "Denominator"],
        "Denominator": [None, None, "pop", None, None, None, None, None, None],
    }
)
DATA = pd.DataFrame(
    {
        "uCode": ["g1", "g2", "g3", "g4", "g5"],
        "size": ["S", "S", "L", "L", "L"],
        "pop": [1000.0, 2000, 50000, 80000, 120000],
        "dwell": [350.0, 420, np.nan, 390, 410],
        "rent": [18.0, 22, 35, 41, np.nan],
        "places": [20.0, 30, 400, 900, 600],
        "doctors": [4.0, 6, 9, np.nan, 7],
    }
)
POSTS = {
    "dwell": {"goalposts": [300, 450, 100]},
    "rent": {"goalposts": [15, 45, 100]},
    "places": {"goalposts": [0, 20, 100]},
    "doctors": {"goalposts": [2, 10, 100]},
}


def _naive(norm: pd.DataFrame, w: dict, methods: dict) -> pd.Series:
    """Per-unit loop: the reference the vectorised engine must match."""
    out = {}
    for unit, row in norm.iterrows():
        scores = dict(row)
        for parent, kids, method in (
            ("Housing", ["dwell", "rent"], methods[2]),
            ("Schooling", ["places", "doctors"], methods[2]),
            ("Index", ["Housing", "Schooling"], methods[3]),
        ):
            pairs = [(scores[k], w[k]) for k in kids if not np.isnan(scores[k])]
            tw = sum(p[1] for p in pairs)
            if method == "arithmetic":
                scores[parent] = sum(v * wi for v, wi in pairs) / tw
            elif method == "geometric":
                scores[parent] = float(np.prod([v ** (wi / tw) for v, wi in pairs]))
            else:
                scores[parent] = tw / sum(wi / v for v, wi in pairs)
        out[unit] = scores["Index"]
    return pd.Series(out)


def test_goalposts_per_indicator_denominated_and_mixed_means_match_loop():
    config = {
        "denominate": {"scale_factors": {"places": 1000}},
        "normalise": {"method": "goalposts", "goalposts": [0, 1, 100], "per_indicator": POSTS},
        "aggregate": {"method": "arithmetic", "per_level": {3: "harmonic"}},
    }
    r = run_pipeline(DATA, META, config)
    per_1000 = DATA.set_index("uCode")["places"] / DATA.set_index("uCode")["pop"] * 1000
    assert_allclose(r.datasets["Denominated"]["places"], per_1000)
    assert_allclose(r.normalised.at["g1", "dwell"], (350 - 300) / 150 * 100)
    assert_allclose(r.normalised.at["g4", "rent"], (45 - 41) / 30 * 100)  # lower is better
    assert_allclose(r.normalised["places"], np.clip(per_1000 / 20, 0, 1) * 100)
    weights = dict(zip(META.iCode, META.Weight, strict=True))
    assert_allclose(
        r.scores["Index"], _naive(r.normalised, weights, {2: "arithmetic", 3: "harmonic"}), rtol=1e-13
    )


def test_geometric_and_min_share():
    config = {
        "normalise": {"method": "minmax", "range": [1, 10]},
        "aggregate": {"method": "geometric", "min_share": 0.6},
    }
    r = run_pipeline(DATA, META, config)
    weights = dict(zip(META.iCode, META.Weight, strict=True))
    expected = _naive(r.normalised, weights, {2: "geometric", 3: "geometric"})
    missing_half = r.normalised[["dwell", "rent"]].isna().any(axis=1) | r.normalised[
        ["places", "doctors"]
    ].isna().any(axis=1)
    assert_allclose(r.scores.loc[~missing_half, "Index"], expected[~missing_half], rtol=1e-13)
    assert r.scores.loc[missing_half, "Index"].isna().all()  # a pillar with 1 of 2 children < 0.6 share


def test_target_based_score_ignores_other_units_minmax_does_not():
    config = {"normalise": {"method": "goalposts", "goalposts": [0, 1, 100], "per_indicator": POSTS}}
    changed = DATA.copy()
    changed.loc[changed.uCode == "g5", ["dwell", "rent", "doctors"]] = [900.0, 5.0, 30.0]
    a, b = run_pipeline(DATA, META, config), run_pipeline(changed, META, config)
    assert_allclose(a.scores.loc["g1"], b.scores.loc["g1"], rtol=0)
    m1, m2 = run_pipeline(DATA, META, {}), run_pipeline(changed, META, {})
    assert not np.allclose(m1.scores.loc["g1"], m2.scores.loc["g1"])


def test_imputation_per_indicator_and_weights_override():
    config = {
        "impute": {"method": "median", "group": "size", "per_indicator": {"dwell": "group_mean"}},
        "weights": {"Schooling": 1, "dwell": 1},
        "ranks": {"groups": ["size"]},
    }
    r = run_pipeline(DATA, META, config)
    imp = r.datasets["Imputed"]
    assert imp.at["g3", "dwell"] == 400 and imp.at["g5", "rent"] == 28.5 and imp.at["g4", "doctors"] == 6.5
    assert r.imputed.sum().sum() == 3
    eq = (
        r.normalised[["dwell", "rent"]].mean(axis=1) / 2
        + r.normalised[["places", "doctors"]].mean(axis=1) / 2
    )
    assert_allclose(r.scores["Index"], eq, rtol=1e-13)
    assert set(r.group_ranks["size"]["Index"]) <= {1.0, 2.0, 3.0}


def test_yaml_and_json_configs_agree(tmp_path):
    path = tmp_path / "asem.json"
    raw = load_config(EXAMPLE_CONFIG)
    path.write_text(json.dumps(yaml.safe_load(EXAMPLE_CONFIG.read_text())), encoding="utf-8")
    assert load_config(path) == raw
    assert (
        raw.impute.method == "group_mean"
        and raw.treat.winmax == 5
        and raw.normalise.params["range"] == [0, 100]
    )
