"""A small client for the GUS Bank Danych Lokalnych (BDL) API v1.

``GET https://bdl.stat.gov.pl/api/v1/data/by-variable/{id}?unit-level=6&year=..&page=..&page-size=100``
returns a paged list (``totalRecords``, ``page``, ``pageSize``, ``links.next`` absent on the last page,
``results``: one item per unit with ``id`` (12-character unit id), ``name`` and ``values``
(``year`` as a string, ``val`` number or null, ``attrId``)). See GUS, "API BDL – dokumentacja"
(https://api.stat.gov.pl/Home/BdlApi).

TERYT mapping rule
------------------
A 12-character BDL unit id is makroregion(2) + województwo(2) + region(1) + podregion(2) +
powiat(2) + gmina(2) + kind(1). The 7-digit gmina TERYT is województwo + powiat + gmina + kind
(characters 3-4, 8-9, 10-11 and 12), e.g. Kraków ``011212161011`` -> ``1261011``. Ids of higher
levels (gmina ``00``, kind ``0``) have no gmina TERYT.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from integration.errors import IntegrationError

BASE_URL = "https://bdl.stat.gov.pl/api/v1/"
MAX_PAGE_SIZE = 100
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class BdlError(IntegrationError):
    """A BDL request failed for good or a response had an unexpected shape (message names the URL/key)."""


def unit_id_to_teryt(unit_ids: Iterable[str] | pd.Series) -> pd.Series:
    """Map 12-character BDL unit ids to 7-digit gmina TERYT codes (vectorised).

    Parameters
    ----------
    unit_ids : iterable of str
        BDL unit ids (level 6, gminas).

    Returns
    -------
    pandas.Series of str
        TERYT codes; ``<NA>`` for ids that are not 12 digits or denote no gmina (gmina ``00``).
    """
    ids = pd.Series(list(unit_ids) if not isinstance(unit_ids, pd.Series) else unit_ids, dtype="string")
    teryt = ids.str.slice(2, 4) + ids.str.slice(7, 9) + ids.str.slice(9, 11) + ids.str.slice(11, 12)
    valid = ids.str.fullmatch(r"\d{12}").fillna(False) & (ids.str.slice(9, 11) != "00")
    return teryt.where(valid, pd.NA)


class BdlClient:
    """GUS BDL API v1 client with paging, retries with exponential backoff and an on-disk cache.

    Parameters
    ----------
    base_url : str
        API root (default the public v1 endpoint).
    client_id : str, optional
        Registered ``X-ClientId`` (higher rate limits).
    cache_dir : path, optional
        Folder for cached JSON pages (one file per request); None disables caching.
    transport : httpx.BaseTransport, optional
        Injected transport (``httpx.MockTransport`` in tests).
    max_retries : int
        Retries after the first attempt for 429/5xx and transport errors.
    backoff_s : float
        First wait [s]; doubles each retry; a ``Retry-After`` header wins when larger.
    sleep : callable
        Waiting function (injected in tests).
    """

    def __init__(
        self,
        base_url: str = BASE_URL,
        client_id: str | None = None,
        cache_dir: str | Path | None = None,
        transport: httpx.BaseTransport | None = None,
        max_retries: int = 4,
        backoff_s: float = 1.0,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        headers = {"Accept": "application/json"}
        if client_id:
            headers["X-ClientId"] = client_id
        self._http = httpx.Client(base_url=base_url, headers=headers, transport=transport, timeout=timeout_s)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_retries = int(max_retries)
        self.backoff_s = float(backoff_s)
        self._sleep = sleep
        self.requests_made = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BdlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cache_path(self, path: str, params: list[tuple[str, str]]) -> Path | None:
        if self.cache_dir is None:
            return None
        key = json.dumps([path, sorted(params)])
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"

    def get_json(self, path: str, params: list[tuple[str, str]]) -> dict:
        """GET one page as JSON, from the cache when present, retrying transient failures."""
        cached = self._cache_path(path, params)
        if cached is not None and cached.exists():
            return json.loads(cached.read_text(encoding="utf-8"))
        wait = self.backoff_s
        last = "no attempt"
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._sleep(wait)
                wait *= 2
            self.requests_made += 1
            try:
                # a tuple: httpx types its list form as list[tuple[str, str | int | ...]] (invariant)
                response = self._http.get(path, params=tuple(params))
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in RETRY_STATUS:
                last = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = max(wait, float(retry_after))
                continue
            if response.status_code != 200:
                raise BdlError(f"{path}: HTTP {response.status_code} {response.text[:200]!r}")
            try:
                payload = response.json()
            except ValueError as exc:
                raise BdlError(f"{path}: response is not JSON ({exc})") from None
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            return payload
        raise BdlError(f"{path}: gave up after {self.max_retries + 1} attempts ({last})")

    def data_by_variable(
        self,
        variable_id: int | str,
        years: Iterable[int],
        unit_level: int = 6,
        unit_parent_id: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> pd.DataFrame:
        """All values of one variable for units of a level, following pages until ``links.next`` is absent.

        Returns
        -------
        pandas.DataFrame
            Columns ``bdl_unit_id, unit_name, variable_id, year (int), value (float, NaN for null), attr_id``.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise BdlError(f"page_size: must be in [1, {MAX_PAGE_SIZE}], got {page_size}")
        base = [("format", "json"), ("unit-level", str(unit_level)), ("page-size", str(page_size))]
        base += [("year", str(int(y))) for y in years]
        if unit_parent_id:
            base.append(("unit-parent-id", unit_parent_id))
        path = f"data/by-variable/{variable_id}"
        rows: list[dict] = []
        page = 0
        while True:
            payload = self.get_json(path, [*base, ("page", str(page))])
            if "results" not in payload:
                raise BdlError(f"{path} page {page}: no 'results' key in response")
            for unit in payload["results"]:
                for v in unit.get("values", []):
                    rows.append(
                        {
                            "bdl_unit_id": unit["id"],
                            "unit_name": unit.get("name"),
                            "variable_id": int(variable_id),
                            "year": int(v["year"]),
                            "value": np.nan if v.get("val") is None else float(v["val"]),
                            "attr_id": v.get("attrId"),
                        }
                    )
            if not payload.get("links", {}).get("next"):
                break
            page += 1
        columns = ["bdl_unit_id", "unit_name", "variable_id", "year", "value", "attr_id"]
        return pd.DataFrame(rows, columns=columns)


def import_bdl(
    variables: Mapping[int | str, str] | Iterable[int | str],
    years: Iterable[int],
    cache_dir: str | Path | None = None,
    *,
    client: BdlClient | None = None,
    unit_level: int = 6,
) -> pd.DataFrame:
    """Fetch BDL variables for gminas and return them in the readiness long format.

    Parameters
    ----------
    variables : mapping of BDL id -> indicator code, or iterable of BDL ids
        Ids without a code are named by the readiness framework's ``bdl_var_id`` column when it
        lists them, else ``bdl_<id>``.
    years : iterable of int
    cache_dir : path, optional
        On-disk cache for the default client.
    client : BdlClient, optional
        A configured client (tests inject one with a mock transport).

    Returns
    -------
    pandas.DataFrame
        ``teryt, indicator, value, year, source, bdl_unit_id, variable_id``; null values dropped
        (a missing statistic is missing, not zero); units without a gmina TERYT dropped.
    """
    if not isinstance(variables, Mapping):
        from integration.readiness.framework import load_framework

        by_id = load_framework().indicators["bdl_var_id"].dropna()
        known = {str(v): code for code, v in by_id.items()}
        variables = {v: known.get(str(v), f"bdl_{v}") for v in variables}
    years = list(years)
    own = client is None
    client = client or BdlClient(cache_dir=cache_dir)
    fetched = date.today().isoformat()
    try:
        frames = []
        for var_id, code in variables.items():  # one request chain per variable, not per unit
            frame = client.data_by_variable(var_id, years, unit_level=unit_level)
            frame["indicator"] = code
            frame["source"] = f"GUS BDL API v1, variable {var_id}, /data/by-variable (fetched {fetched})"
            frames.append(frame)
    finally:
        if own:
            client.close()
    columns = ["teryt", "indicator", "value", "year", "source", "bdl_unit_id", "variable_id"]
    if not frames:
        return pd.DataFrame(columns=columns)
    data = pd.concat(frames, ignore_index=True)
    data["teryt"] = unit_id_to_teryt(data["bdl_unit_id"]).to_numpy()
    data = data.dropna(subset=["teryt", "value"])
    return data[columns].reset_index(drop=True)
