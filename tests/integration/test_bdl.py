"""GUS BDL client on recorded responses (tests/data/bdl): paging, retries, cache, TERYT mapping."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from integration.bdl import BdlClient, BdlError, import_bdl, unit_id_to_teryt
from integration.readiness import load_cities

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "bdl"


def recorded(calls: list[httpx.Request]):
    """MockTransport handler serving ``by_variable_<id>_page<n>.json``; 404 for anything else."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        var_id = request.url.path.rstrip("/").split("/")[-1]
        page = request.url.params.get("page", "0")
        path = FIXTURES / f"by_variable_{var_id}_page{page}.json"
        if not path.exists():
            return httpx.Response(404, json={"errors": "not found"})
        return httpx.Response(200, json=json.loads(path.read_text(encoding="utf-8")))

    return handler


def test_unit_id_to_teryt_documented_examples_and_all_reference_cities():
    got = unit_id_to_teryt(["011212161011", "071412865011", "011212161000", "bad"])
    assert got.iloc[0] == "1261011"
    assert got.iloc[1] == "1465011"
    assert got.iloc[2:].isna().all()  # powiat-level id and garbage have no gmina TERYT
    cities = load_cities()
    mapped = unit_id_to_teryt(cities["bdl_unit_id_gmina"]).to_numpy()
    assert list(mapped) == list(cities.index)


def test_paging_follows_links_next_and_drops_nulls():
    calls: list[httpx.Request] = []
    client = BdlClient(transport=httpx.MockTransport(recorded(calls)), sleep=lambda s: None)
    out = import_bdl({410600: "dwellings_per_1000"}, [2025], client=client)
    assert [c.url.params["page"] for c in calls] == ["0", "1"]
    assert calls[0].url.params["unit-level"] == "6"
    assert calls[0].url.params.get_list("year") == ["2025"]
    assert list(out.columns) == [
        "teryt",
        "indicator",
        "value",
        "year",
        "source",
        "bdl_unit_id",
        "variable_id",
    ]
    by_teryt = out.set_index("teryt")["value"]
    assert "1465011" not in by_teryt.index  # Warszawa's val is null: missing, not zero
    assert_allclose(by_teryt[["1261011", "2469011", "3064011", "0264011"]], [581, 591.7, 584.2, 595.4])
    assert (out["year"] == 2025).all()
    assert out["source"].str.contains("variable 410600").all()


def test_ids_without_codes_are_named_from_the_framework():
    calls: list[httpx.Request] = []
    client = BdlClient(transport=httpx.MockTransport(recorded(calls)))
    out = import_bdl([410600, 72305], [2025], client=client)
    assert set(out["indicator"]) == {"dwellings_per_1000", "population"}
    pop = out[out["indicator"] == "population"].set_index("teryt")["value"]
    assert_allclose(pop["1261011"], 816614)


def test_retries_with_exponential_backoff_then_succeeds():
    calls: list[httpx.Request] = []
    inner = recorded(calls)
    failures = iter([503, 429])
    waits: list[float] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        status = next(failures, None)
        if status is not None:
            return httpx.Response(status, headers={"Retry-After": "3"} if status == 429 else {})
        return inner(request)

    client = BdlClient(transport=httpx.MockTransport(flaky), backoff_s=1.0, sleep=waits.append)
    frame = client.data_by_variable(72305, [2025])
    assert len(frame) == 2
    assert waits == [1.0, 3.0]  # 1 s, then max(2 s doubled, Retry-After 3 s)
    assert client.requests_made == 3


def test_gives_up_after_max_retries_and_fails_fast_on_404():
    client = BdlClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(503)), max_retries=2, sleep=lambda s: None
    )
    with pytest.raises(BdlError, match="gave up after 3 attempts"):
        client.data_by_variable(410600, [2025])
    calls: list[httpx.Request] = []
    client = BdlClient(transport=httpx.MockTransport(recorded(calls)), sleep=lambda s: None)
    with pytest.raises(BdlError, match="HTTP 404"):
        client.data_by_variable(999999, [2025])
    assert len(calls) == 1


def test_disk_cache_serves_repeat_requests_without_network(tmp_path):
    calls: list[httpx.Request] = []
    with BdlClient(cache_dir=tmp_path, transport=httpx.MockTransport(recorded(calls))) as client:
        first = client.data_by_variable(410600, [2025])
    assert len(calls) == 2 and len(list(tmp_path.glob("*.json"))) == 2

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network")

    with BdlClient(cache_dir=tmp_path, transport=httpx.MockTransport(offline), max_retries=0) as client:
        again = client.data_by_variable(410600, [2025])
        assert client.requests_made == 0
    pd.testing.assert_frame_equal(first, again)
    assert np.isnan(again.loc[again["unit_name"] == "Warszawa", "value"]).all()


def test_bad_page_size_and_shape_are_named():
    client = BdlClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"page": 0})))
    with pytest.raises(BdlError, match="page_size"):
        client.data_by_variable(410600, [2025], page_size=500)
    with pytest.raises(BdlError, match="no 'results' key"):
        client.data_by_variable(410600, [2025])
