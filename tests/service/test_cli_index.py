"""CLI: ``miasto index build`` (outputs equal the library's) and ``miasto data import-bdl`` (recorded BDL)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pandas as pd
from numpy.testing import assert_allclose
from typer.testing import CliRunner

import integration
from integration.byoi import build_index, read_table
from service.cli import app
from tests.conftest import make_settings

EXAMPLES = Path(integration.__file__).resolve().parent / "data" / "examples"
runner = CliRunner()


def test_index_build_writes_the_library_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["index", "build", "--data", str(EXAMPLES / "ASEM_iData.csv"), "--meta", str(EXAMPLES / "ASEM_iMeta.csv"),
            "--config", str(EXAMPLES / "asem_pipeline.yaml"), "--out", str(out), "--json"]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    expected = build_index(
        read_table(EXAMPLES / "ASEM_iData.csv", "data"), read_table(EXAMPLES / "ASEM_iMeta.csv", "metadata"),
        str(EXAMPLES / "asem_pipeline.yaml"),
    )  # fmt: skip
    assert payload["units"] == len(expected.scores) and payload["index"] == "Index"
    scores = pd.read_csv(out / "scores.csv", index_col=0)
    assert_allclose(scores.loc[expected.scores.index, "Index"], expected.scores["Index"], rtol=0, atol=1e-12)
    assert payload["top"][0]["uCode"] == expected.scores["Index"].idxmax()
    assert {"scores", "ranks", "results_long", "data_Treated", "treatment"} <= set(payload["files"])


def test_index_build_bad_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("normalise:\n  method: softmax\n", encoding="utf-8")
    args = ["index", "build", "--data", str(EXAMPLES / "ASEM_iData.csv"), "--meta", str(EXAMPLES / "ASEM_iMeta.csv"),
            "--config", str(config), "--out", str(tmp_path / "out")]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "softmax" in res.output and "normalise" in res.output
    assert not (tmp_path / "out").exists()


def _bdl_page(request: httpx.Request) -> httpx.Response:
    """A recorded-shape BDL page: Lublin (gmina id 030610163011) and Rzeszów, one year, no next page."""
    year = request.url.params.get("year")
    results = [
        {"id": "030610163011", "name": "Lublin", "values": [{"year": year, "val": 547.2, "attrId": 1}]},
        {"id": "041810063011", "name": "Rzeszów", "values": [{"year": year, "val": 571.9, "attrId": 1}]},
    ]
    return httpx.Response(200, json={"totalRecords": 2, "page": 0, "pageSize": 100, "results": results})


def test_import_bdl_stores_values_beside_city_values(sqlite_url: str, monkeypatch, tmp_path: Path) -> None:
    import integration.bdl as bdl
    from service.db import engine_for, session_scope
    from service.readiness import repository
    from service.readiness.service import merged_values

    real = bdl.BdlClient
    monkeypatch.setattr(bdl, "BdlClient", lambda **kw: real(transport=httpx.MockTransport(_bdl_page), **kw))
    monkeypatch.setattr("service.db.get_settings", lambda: make_settings(sqlite_url))
    res = runner.invoke(app, ["data", "import-bdl", "--year", "2025", "--variable", "410600",
                              "--cache-dir", str(tmp_path), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["values_stored"] == 2
    with session_scope(engine_for(sqlite_url)) as s:
        city = pd.DataFrame([{"teryt": "0663011", "indicator": "dwellings_per_1000", "value": 560.0, "year": 2025,
                              "source": "UM Lublin"}])  # fmt: skip
        repository.store_values(s, city, "city", None, "json")
    with session_scope(engine_for(sqlite_url)) as s:
        merged = merged_values(s, ["0663011", "1863011"])
    dw = merged[(merged["indicator"] == "dwellings_per_1000") & (merged["year"] == 2025)].set_index(
        ["teryt", "origin"]
    )
    assert dw.loc[("0663011", "bdl"), "source"].startswith("GUS BDL")
    # same year: city beats the BDL import, which beats the packaged reference (538.8 for 2025)
    assert dw.loc[("0663011", "city"), "used"] and not dw.loc[("0663011", "bdl"), "used"]
    assert not dw.loc[("0663011", "reference"), "used"]
    assert dw.loc[("1863011", "bdl"), "value"] == 571.9
