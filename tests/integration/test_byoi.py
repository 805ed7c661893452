"""Bring your own index: files in, CSV tables out."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from integration.byoi import build_from_files, build_index, write_outputs
from integration.composite import CompositeInputError
from tests.integration.asem_data import ASEM_DIR, EXAMPLE_CONFIG, asem_data, asem_meta, expected_results


def test_build_from_files_writes_every_table(tmp_path):
    written = build_from_files(
        ASEM_DIR / "ASEM_iData.csv", ASEM_DIR / "ASEM_iMeta.csv", EXAMPLE_CONFIG, tmp_path
    )
    expected = {
        "scores",
        "ranks",
        "results_long",
        "effective_weights",
        "imputed",
        "screening",
        "treatment",
        "group_ranks_GDPpc_group",
    } | {
        f"data_{k}"
        for k in ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated")
    }
    assert set(written) == expected and all(p.exists() for p in written.values())
    scores = pd.read_csv(tmp_path / "scores.csv", index_col="uCode")
    full = (
        expected_results()
        .query("score_precision == 'full_double'")
        .drop_duplicates("uCode")
        .set_index("uCode")
    )
    assert_allclose(scores.loc[full.index, "Index"], full["score"], rtol=0, atol=1e-9)
    assert scores.at["IND", "uName"] == "India"
    long = pd.read_csv(tmp_path / "results_long.csv")
    assert len(long) == 51 * 11 and set(long["level_name"]) == {"Pillar", "Sub-index", "Index"}
    treatment = pd.read_csv(tmp_path / "treatment.csv", index_col="iCode")
    assert treatment["n_winsorised"].sum() == 35
    weights = pd.read_csv(tmp_path / "effective_weights.csv", index_col="iCode")
    assert_allclose(weights.sum(), 1.0)


def test_write_outputs_round_trips_full_precision(tmp_path):
    result = build_index(asem_data(), asem_meta(), EXAMPLE_CONFIG)
    write_outputs(result, tmp_path / "nested" / "out")
    # pandas 3 parses floats exactly by default (its float_precision argument is deprecated).
    back = pd.read_csv(tmp_path / "nested" / "out" / "data_Normalised.csv", index_col="uCode")
    np.testing.assert_array_equal(back.to_numpy(), result.normalised.to_numpy())


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(CompositeInputError, match="cannot read data table"):
        build_from_files(tmp_path / "none.csv", ASEM_DIR / "ASEM_iMeta.csv", EXAMPLE_CONFIG, tmp_path)
    bad_meta = tmp_path / "meta.csv"
    asem_meta().assign(Weight=lambda m: m["Weight"].where(m["iCode"] != "LPI", -2)).to_csv(
        bad_meta, index=False
    )
    with pytest.raises(CompositeInputError, match="row 'LPI', key 'Weight'"):
        build_from_files(ASEM_DIR / "ASEM_iData.csv", bad_meta, EXAMPLE_CONFIG, tmp_path)
