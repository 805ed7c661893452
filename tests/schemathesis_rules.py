"""The API's rules that no JSON Schema can state, told to schemathesis's generator.

A schema says which requests are well formed; it cannot say that a point lies inside Poland's
border polygon, that an indicator is given once per year, or that a text is a readable CSV,
spreadsheet, YAML configuration or climate file. Without these rules the ``positive_data_acceptance``
check counts every such rejection (a 422 that names the row, the field and the reason) as a schema
that promises too much. The rules apply to positively generated cases only; negative cases, and
every other check, see the generator's data unchanged. Each rule is tested on its own by plain
tests (``tests/energy/test_geo.py`` for the border towns, the intake, readiness and index tests for
the documents).

Loaded by the schemathesis CLI through ``SCHEMATHESIS_HOOKS=tests.schemathesis_rules``
(``benchmarks/bench_schemathesis.py``) and by import in ``tests/service/test_schemathesis.py``.

What the rules do:

- **Border**: a generated building outside Poland is dropped, unless the body names a
  ``climate_id`` (then the estimate accepts it). The test is the engine's own ``energy.geo.in_poland``,
  the one the intake and the engine use.
- **In order**: a building retrofitted before it was built (a ``*_retrofit_year`` before its
  ``construction_year``) is dropped.
- **Once per year**: readiness values that repeat an (indicator, year) pair are dropped.
- **Documents**: a body that is a file or a text document (CSV, XLSX, multipart file, climate
  file, the CSV/YAML texts of ``POST /v1/indices``) is replaced by the document the OpenAPI
  documents for that operation and media type (or the packaged test file of that format); the rest
  of the case (path, query, headers, the index's name) stays generated.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.transport.serialization import Binary

DATA = Path(__file__).resolve().parent / "data"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUILDING_PATHS = {"/v1/inventories", "/v1/inventories/{inventory_id}/versions", "/v1/energy/estimate"}


def _positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


def _outside_poland(body: dict[str, Any]) -> bool:
    from energy.geo import in_poland

    if body.get("climate_id") is not None:
        return False
    points = [
        (b["lat"], b["lon"])
        for b in body.get("buildings") or []
        if isinstance(b, dict)
        and isinstance(b.get("lat"), int | float)
        and isinstance(b.get("lon"), int | float)
    ]
    if not points:
        return False
    lat, lon = zip(*points, strict=True)
    return not bool(in_poland(list(lat), list(lon)).all())


RETROFITS = ("wall_retrofit_year", "roof_retrofit_year", "window_retrofit_year")  # columns.RETROFIT_YEARS


def _retrofit_before_construction(body: dict[str, Any]) -> bool:
    def before(b: dict[str, Any]) -> bool:
        built = b.get("construction_year")
        return isinstance(built, int | float) and any(
            isinstance(b.get(k), int | float) and b[k] < built for k in RETROFITS
        )

    return any(before(b) for b in body.get("buildings") or [] if isinstance(b, dict))


def _repeats_a_year(body: dict[str, Any]) -> bool:
    pairs = [(v.get("indicator"), v.get("year")) for v in body.get("values") or [] if isinstance(v, dict)]
    return len(pairs) != len(set(map(repr, pairs)))


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    if not _positive(case):
        return True
    return _keeps_the_rules(case)


def _keeps_the_rules(case: Any) -> bool:
    if not isinstance(case.body, dict):
        return True
    path = case.operation.path
    if path in BUILDING_PATHS and (_outside_poland(case.body) or _retrofit_before_construction(case.body)):
        return False
    return not (path == "/v1/readiness/{teryt}/indicators" and _repeats_a_year(case.body))


@cache
def _file(*parts: str) -> bytes:
    return DATA.joinpath(*parts).read_bytes()


def _example(case: Any, media_type: str) -> Any:
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    return content.get(media_type, {}).get("example")


def _document(case: Any) -> Any:
    path, media_type = case.operation.path, case.media_type
    # Files as schemathesis's Binary, so that a replaced body still validates as the schema's binary
    # string (a bare ``bytes`` does not, and the case would be re-labelled as negative)
    if path == "/v1/climates":
        climate = Binary(_file("climate", "Warszawa_PVGIS-SARAH3_TMY_52.207_20.978_2005_2023.csv"))
        return {"file": climate} if media_type == "multipart/form-data" else climate
    if media_type == "text/csv":
        return _example(case, media_type)
    if media_type == XLSX:
        return Binary(_file("inventory", "budynki_sheet.xlsx"))
    if media_type == "multipart/form-data":
        return {"file": Binary(str(_example(case, "text/csv")).encode())}
    if path == "/v1/indices":
        from service.indices.schemas import EXAMPLE_CONFIG, EXAMPLE_DATA_CSV, EXAMPLE_META_CSV

        name = case.body.get("name") if isinstance(case.body, dict) else None
        documents = {"data_csv": EXAMPLE_DATA_CSV, "meta_csv": EXAMPLE_META_CSV, "config": EXAMPLE_CONFIG}
        return documents | ({"name": name} if isinstance(name, str) else {})
    return None


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    return _with_documents(case) if _positive(case) else case


def _replace_body(case: Any, document: Any) -> None:
    """Put a valid document in place of the generated body. Schemathesis re-validates a replaced
    body against the schema and counts any body holding a file as invalid (``contains_binary``), so
    a replaced file would turn the case negative; the file's validity is what this rule asserts, so
    the body is set past that tracking and its hash recorded as validated, as ``Case.__setattr__``
    does for a body it could validate."""
    if isinstance(document, Binary) or (
        isinstance(document, dict) and any(isinstance(v, Binary) for v in document.values())
    ):
        object.__setattr__(case, "body", document)
        if case._meta is not None:
            case._meta.update_validated_hash(ParameterLocation.BODY, case._hash_container(document))
    else:
        case.body = document


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    """The examples phase builds its cases from the schema's examples, filling what they leave out
    with generated values, and runs neither ``filter_case`` nor ``map_case``: the same rules here."""
    kept = [_with_documents(c) if _positive(c) else c for c in examples]
    examples[:] = [c for c in kept if not _positive(c) or _keeps_the_rules(c)]


def _with_documents(case: Any) -> Any:
    if case.operation.method.upper() not in {"POST", "PUT"}:
        return case
    document = _document(case)
    if document is not None:
        _replace_body(case, document)
        if case.operation.path == "/v1/climates" and case.media_type != "multipart/form-data":
            case.query = {**(case.query or {}), "filename": "tmy_52.207_20.978.csv"}
    return case
