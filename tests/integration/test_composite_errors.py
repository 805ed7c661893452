"""Bad input gives CompositeInputError naming the row and/or key (never a deep traceback)."""

import numpy as np
import pandas as pd
import pytest

from integration.composite import CompositeInputError, IndicatorTree, load_config, run_pipeline
from tests.integration.asem_data import asem_meta


def _small():
    meta = pd.DataFrame(
        {
            "iCode": ["a", "b", "c", "P", "Q", "Index", "size"],
            "Level": [1, 1, 1, 2, 2, 3, np.nan],
            "Parent": ["P", "P", "Q", "Index", "Index", None, None],
            "Weight": [1, 1, 1, 1, 1, 1, np.nan],
            "Direction": [1, -1, 1, 1, 1, 1, np.nan],
            "Type": ["Indicator"] * 3 + ["Aggregate"] * 3 + ["Group"],
        }
    )
    data = pd.DataFrame(
        {
            "uCode": ["u1", "u2", "u3", "u4"],
            "size": ["s", "s", "l", "l"],
            "a": [1.0, 2, np.nan, 4],
            "b": [3.0, 1, 2, 5],
            "c": [0.5, 0.7, 0.1, 0.9],
        }
    )
    return data, meta


def _raises(match, data=None, meta=None, config=None):
    d, m = _small()
    with pytest.raises(CompositeInputError, match=match) as info:
        run_pipeline(d if data is None else data, m if meta is None else meta, config or {})
    assert isinstance(info.value, ValueError)
    return info.value


def test_small_example_runs():
    d, m = _small()
    r = run_pipeline(d, m, {"impute": {"method": "group_mean", "group": "size"}})
    assert r.scores.notna().all().all() and r.datasets["Imputed"].loc["u3", "a"] == 4


def test_unit_twice():
    d, _ = _small()
    err = _raises("row 'u2', key 'uCode': unit appears more than once", data=pd.concat([d, d.iloc[[1]]]))
    assert err.problems[0].row == "u2"


def test_non_numeric_value_names_row_and_column():
    d, _ = _small()
    d["b"] = d["b"].astype(object)
    d.loc[2, "b"] = "n/a?"
    _raises(r"row 'u3', key 'b': value 'n/a\?' is not numeric", data=d)


def test_indicator_in_data_not_in_meta_and_reverse():
    d, m = _small()
    _raises("key 'extra': column is in the data but not in the metadata", data=d.assign(extra=1.0))
    _raises("key 'c': indicator is in the metadata but not in the data", data=d.drop(columns="c"))


def test_cycle_and_orphans():
    _, m = _small()
    cyc = m.copy()
    cyc.loc[cyc.iCode == "Index", "Parent"] = "P"
    cyc.loc[cyc.iCode == "Index", "Level"] = np.nan
    cyc.loc[cyc.iCode == "Q", "Parent"] = "Top"
    cyc = pd.concat(
        [
            cyc,
            pd.DataFrame(
                {"iCode": ["Top"], "Type": ["Aggregate"], "Parent": [None], "Weight": [1], "Direction": [1]}
            ),
        ]
    )
    _raises("cycle in the tree", meta=cyc)
    orphan = m.copy()
    orphan.loc[orphan.iCode == "c", "Parent"] = "Nowhere"
    _raises("row 'c', key 'Parent': parent 'Nowhere' is not an aggregate in the metadata", meta=orphan)
    empty = pd.concat(
        [
            m,
            pd.DataFrame(
                {
                    "iCode": ["R"],
                    "Level": [2],
                    "Parent": ["Index"],
                    "Weight": [1],
                    "Direction": [1],
                    "Type": ["Aggregate"],
                }
            ),
        ]
    )
    _raises("row 'R', key 'iCode': aggregate has no children", meta=empty)
    two_roots = m.copy()
    two_roots.loc[two_roots.iCode == "Q", "Parent"] = None
    _raises("exactly one root", meta=two_roots)


def test_negative_and_all_zero_weights():
    _, m = _small()
    neg = m.copy()
    neg.loc[neg.iCode == "a", "Weight"] = -1
    _raises("row 'a', key 'Weight': weight -1 is negative", meta=neg)
    zero = m.copy()
    zero.loc[zero.iCode.isin(["a", "b"]), "Weight"] = 0
    _raises("row 'P', key 'Weight': all weights of this aggregate's children are zero", meta=zero)
    _raises("row 'Q', key 'Weight'", config={"weights": {"c": 0}})
    _raises("key 'zz': weight given for a code not in the tree", config={"weights": {"zz": 1}})


def test_group_imputation_without_group_column():
    _raises("key 'impute.group'", config={"impute": {"method": "group_mean"}})
    _raises("key 'impute.group'", config={"impute": {"method": "group_median", "group": "region"}})


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"impute": {"method": "knn"}}, "impute.method"),
        ({"normalise": {"method": "softmax"}}, "normalise.method"),
        ({"normalise": {"per_indicator": {"a": {"method": "zz"}}}}, "normalise.per_indicator.a.method"),
        ({"aggregate": {"method": "median"}}, "aggregate.method"),
        ({"aggregate": {"per_level": {3: "max"}}}, "aggregate.per_level.3"),
        ({"treat": {"fallback": "sqrt"}}, "treat.fallback"),
        ({"treat": {"winmax": "five"}}, "treat.winmax"),
        ({"screen": {"min_availability": 1.5}}, "screen.min_availability"),
        ({"normalise": {"range": [0]}}, "normalise.range"),
        ({"smooth": {}}, "config.smooth"),
        ({"impute": {"method": "mean", "fill": 0}}, "impute.fill"),
    ],
)
def test_unknown_method_or_bad_key_in_config(config, key):
    with pytest.raises(CompositeInputError, match=f"key '{key}'"):
        load_config(config)


def test_geometric_mean_of_zero_names_level():
    _raises(
        "key 'level 2': geometric mean needs positive values", config={"aggregate": {"method": "geometric"}}
    )


def test_bad_direction_and_missing_goalposts(tmp_path):
    _, m = _small()
    bad = m.copy()
    bad.loc[bad.iCode == "a", "Direction"] = 2
    _raises("row 'a', key 'Direction'", meta=bad)
    _raises("key 'a': goalposts normalisation needs", config={"normalise": {"method": "goalposts"}})
    path = tmp_path / "broken.yaml"
    path.write_text("impute: [unclosed", encoding="utf-8")
    with pytest.raises(CompositeInputError, match="cannot read configuration"):
        load_config(path)


def test_asem_meta_with_duplicate_code():
    m = pd.concat([asem_meta(), asem_meta().iloc[[0]]])
    with pytest.raises(CompositeInputError, match="row 'LPI', key 'iCode': code appears more than once"):
        IndicatorTree.from_meta(m)
    d, _ = _small()
    with pytest.raises(CompositeInputError, match="key 'screen.min_availability': no unit passes"):
        run_pipeline(
            d.assign(c=[np.nan, 1.0, np.nan, np.nan], b=[1.0, np.nan, 2, 3]),
            _small()[1],
            {"screen": {"min_availability": 1.0}},
        )
