"""Bring your own index over the API: the CLI's engine and outputs, config errors now, data errors in the job.

The API is a wrapper, so it is tested for wiring: its tables equal ``integration.byoi`` run in-process on
the same ASEM example (COINr's build_example_coin; its conformance is tested in tests/integration).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import yaml
from numpy.testing import assert_allclose

import integration
from integration.byoi import build_index, read_table
from integration.composite.config import load_config
from tests.service.test_jobs import wait_for

EXAMPLES = Path(integration.__file__).resolve().parent / "data" / "examples"
DATA_CSV = (EXAMPLES / "ASEM_iData.csv").read_text(encoding="utf-8")
META_CSV = (EXAMPLES / "ASEM_iMeta.csv").read_text(encoding="utf-8")
CONFIG_YAML = (EXAMPLES / "asem_pipeline.yaml").read_text(encoding="utf-8")


def _finish(client, tenants, r):  # type: ignore[no-untyped-def]
    assert r.status_code == 202, r.text
    url = r.headers["Location"]
    return wait_for(lambda: (j := client.get(url, headers=tenants.h(tenants.advisor_key)).json())["status"]
                    in ("succeeded", "failed") and j, 60)  # fmt: skip


def test_asem_index_over_the_api_equals_the_library(client, tenants) -> None:
    body = {"name": "ASEM", "data_csv": DATA_CSV, "meta_csv": META_CSV, "config_yaml": CONFIG_YAML}
    job = _finish(
        client, tenants, client.post("/v1/indices", json=body, headers=tenants.h(tenants.advisor_key))
    )
    assert job["status"] == "succeeded", job
    out = client.get(job["result_url"], headers=tenants.h(tenants.advisor_key)).json()
    expected = build_index(
        read_table(EXAMPLES / "ASEM_iData.csv", "data"), read_table(EXAMPLES / "ASEM_iMeta.csv", "metadata"),
        load_config(yaml.safe_load(CONFIG_YAML)),
    )  # fmt: skip
    got = pd.DataFrame(out["scores"]).set_index("uCode")
    assert out["unit_count"] == len(expected.scores)
    assert_allclose(got.loc[expected.scores.index, "Index"], expected.scores["Index"], rtol=0, atol=1e-12)
    ranks = pd.DataFrame(out["ranks"]).set_index("uCode")
    assert (ranks.loc[expected.ranks.index, "Index"] == expected.ranks["Index"]).all()
    assert {"results_long", "data_Normalised", "treatment", "imputed"} <= set(out["tables"])
    csv = client.get(f"{job['result_url']}/tables/data_Normalised", headers=tenants.h(tenants.advisor_key))
    norm = pd.read_csv(io.StringIO(csv.text), index_col=0)
    assert_allclose(
        norm.loc[expected.normalised.index, expected.normalised.columns], expected.normalised, atol=1e-12
    )
    # another tenant does not see it
    assert client.get(job["result_url"], headers=tenants.h(tenants.city_key)).status_code == 404


def test_config_errors_are_422_before_any_job(client, tenants) -> None:
    h = tenants.h(tenants.advisor_key)
    base = {"data_csv": DATA_CSV, "meta_csv": META_CSV}
    r = client.post("/v1/indices", json={**base, "config": {"normalise": {"method": "softmax"}}}, headers=h)
    assert (
        r.status_code == 422 and "softmax" in r.text and r.json()["errors"][0]["field"].startswith("config")
    )
    assert client.post("/v1/indices", json=base, headers=h).status_code == 422  # no configuration
    r = client.post("/v1/indices", json={**base, "data": [{"uCode": "A"}], "config": {}}, headers=h)
    assert r.status_code == 422  # data given twice
    jobs = client.get("/v1/jobs", headers=h).json()
    assert jobs["count"] == 0  # nothing was queued


def test_bad_tables_fail_the_job_with_a_readable_error(client, tenants) -> None:
    meta = "\n".join(
        line for line in META_CSV.splitlines() if not line.startswith("1,LPI,")
    )  # LPI: data only
    body = {"data_csv": DATA_CSV, "meta_csv": meta, "config_yaml": CONFIG_YAML}
    job = _finish(
        client, tenants, client.post("/v1/indices", json=body, headers=tenants.h(tenants.advisor_key))
    )
    assert job["status"] == "failed" and job["error"]["type"] == "invalid_input"
    assert "LPI" in job["error"]["detail"]
