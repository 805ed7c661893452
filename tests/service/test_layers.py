"""The service's rooms: one vocabulary of building types and systems, plain imports, and front doors
(routers, workspace pages) that leave transactions and queries to the services."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from energy import typology
from energy.carriers import system_table
from energy.errors import EnergyError, EnergyInputError, OutsideClimateError
from energy.inventory import columns
from energy.measures import MeasureCatalogueError
from energy.portfolio.problem import PortfolioInputError
from energy.pv.params import PVInputError
from integration.composite.errors import CompositeInputError, InputProblem
from integration.errors import IntegrationError
from integration.readiness.framework import ReadinessInputError
from service.errors import engine_input, engine_problem


def test_inventory_building_types_are_the_typology_s():
    assert columns.BUILDING_TYPES is typology.BUILDING_TYPES
    spec = next(f for f in columns.FIELDS if f.name == "building_type")
    assert spec.choices == typology.BUILDING_TYPES


def test_inventory_heating_systems_are_the_engine_s_systems_table():
    assert set(columns.HEATING_SYSTEMS) == set(system_table().index)
    for name in ("heating_system", "dhw_system"):
        spec = next(f for f in columns.FIELDS if f.name == name)
        assert spec.choices == columns.HEATING_SYSTEMS


@pytest.mark.parametrize(
    ("missing", "importer"),
    [
        ("service.indices.router", "import service.app"),
        ("service.indices.models", "import service.models"),
        ("service.cli_index", "import service.cli"),
        ("service.web.pages.readiness", "import service.web.router"),
        ("service.reports.jobs", "from service.jobs.registry import load_kinds; load_kinds()"),
    ],
)
def test_a_missing_module_is_an_import_error_not_a_missing_feature(missing, importer):
    # sys.modules[name] = None makes `import name` raise ModuleNotFoundError(name=name), exactly what
    # the old loops by name swallowed when a module was absent from the build.
    code = f"import sys; sys.modules[{missing!r}] = None\n{importer}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr and missing in done.stderr


# Routers and workspace pages are front doors: they parse, call one service function and shape the
# answer. The transaction (commit, flush, rollback) and every query belong to the service that they
# call (service/transactions.py, service/jobs/dispatch.py::starting_jobs). import-linter keeps them off
# repositories and models; this reads their source for what an import rule cannot see: a commit on
# the session they were handed, or a query built from SQLAlchemy's own constructs.
SERVICE = Path(__file__).resolve().parents[2] / "service"
FRONT_DOORS = sorted(
    {*SERVICE.glob("*/router.py"), *SERVICE.glob("*/public_router.py"), *SERVICE.glob("web/**/*.py")}
)
TRANSACTION_CALLS = {"commit", "flush", "rollback", "begin", "begin_nested", "commit_and_dispatch",
                     "starting_jobs", "transaction"}  # fmt: skip
SESSION_QUERIES = {"execute", "scalars", "scalar", "query", "get", "add", "add_all", "delete", "merge",
                   "refresh", "expunge", "bulk_save_objects", "connection"}  # fmt: skip
ALLOWED_SQLALCHEMY = {("sqlalchemy.orm", "Session")}  # the type of the session a page passes on


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def front_door_violations(source: str) -> list[str]:
    """What a router or page must not do, as ``line: what`` (empty when the file keeps its room)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in TRANSACTION_CALLS:
                found.append(f"{node.lineno}: calls {called}()")
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if called in SESSION_QUERIES and receiver is not None and "session" in (_name(receiver) or ""):
                found.append(f"{node.lineno}: queries the session ({called})")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if (node.module, alias.name) not in ALLOWED_SQLALCHEMY:
                    found.append(f"{node.lineno}: imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: imports {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
    return found


def test_the_front_doors_are_the_ones_we_mean():
    names = {str(p.relative_to(SERVICE)) for p in FRONT_DOORS}
    assert {"inventory/router.py", "readiness/public_router.py", "web/pages/portfolios.py",
            "web/queries.py", "web/router.py"} <= names  # fmt: skip
    assert len(names) >= 20


@pytest.mark.parametrize("path", FRONT_DOORS, ids=lambda p: str(p.relative_to(SERVICE)))
def test_routers_and_pages_leave_transactions_and_queries_to_the_services(path):
    assert front_door_violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("planted", "reported"),
    [
        ("def f(session):\n    session.commit()\n", "2: calls commit()"),
        ("from service.deps import commit\ndef f(session):\n    commit(session)\n", "3: calls commit()"),
        ("def f(request):\n    request.state.session.rollback()\n", "2: calls rollback()"),
        ("def f(s):\n    s.flush()\n", "2: calls flush()"),
        ("from service.jobs.dispatch import commit_and_dispatch\ncommit_and_dispatch(d, s, [1])\n",
         "2: calls commit_and_dispatch()"),
        ("from sqlalchemy import select\n", "1: imports select from sqlalchemy"),
        ("import sqlalchemy as sa\n", "1: imports sqlalchemy"),
        ("def f(session, M):\n    return session.scalars(q)\n", "2: queries the session (scalars)"),
        ("def f(session, M, i):\n    return session.get(M, i)\n", "2: queries the session (get)"),
    ],
)  # fmt: skip
def test_the_front_door_check_reports_a_planted_violation(planted, reported):
    assert reported in front_door_violations(planted)


def test_the_front_door_check_lets_a_plain_page_through():
    page = (
        "from sqlalchemy.orm import Session\n"
        "from service.web import queries\n"
        "def list_page(request, session: Session, user):\n"
        "    items = queries.inventory_list(session, user.principal)\n"
        "    return {'items': items, 'lang': request.query_params.get('lang')}\n"
    )
    assert front_door_violations(page) == []


ROOT = SERVICE.parent


def _sources(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts)


def _trees(*packages: str) -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in _sources(*packages)]


def test_one_api_key_lookup():
    """The hash lookup of a key given in plain text is ``service.orgs.service.key_by_plaintext``; the
    API's dependency, the workspace's sign-in and the idempotency middleware all call it."""
    places = {
        path
        for path, tree in _trees("service")
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Attribute)
        and node.left.attr == "key_hash"
    }
    assert places == {"service/orgs/service.py"}


def test_one_svg_response():
    """An SVG answer is ``service.exports.responses.svg`` (its media type and cache rule), nowhere else."""
    places = {
        path
        for path, tree in _trees("service")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "media_type" and isinstance(kw.value, ast.Constant) and "svg" in str(kw.value.value)
    }
    assert places == set()  # responses.py names it through its MEDIA table
    assert 'MEDIA["svg"]' in (SERVICE / "exports" / "responses.py").read_text(encoding="utf-8")


def test_no_private_pvlib_names():
    """pvlib's private names (a leading underscore) can change in any release: none is imported or used."""
    found = []
    for path, tree in _trees("energy", "integration", "service"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pvlib":
                parts = (node.module or "").split(".") + [a.name for a in node.names]
                found += [f"{path}:{node.lineno}" for part in parts if part.startswith("_")]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in {
                    "pvlib",
                    "irradiance",
                    "iam",
                    "atmosphere",
                    "temperature",
                    "pvsystem",
                    "solarposition",
                }:
                    found.append(f"{path}:{node.lineno}")  # fmt: skip
    assert found == []


# Functions longer than 100 lines (issue 13 §1) that are not split yet, with their length today: the
# list may only shrink. A new long function, or a listed one that grows, fails; one split below the
# limit must leave the list.
MAX_FUNCTION_LINES = 100
LONG_FUNCTIONS: dict[str, int] = {}  # all split into named steps; a new entry needs a reason


def function_lengths(*packages: str) -> dict[str, int]:
    return {
        f"{path}:{node.name}": node.end_lineno - node.lineno + 1  # type: ignore[operator]
        for path, tree in _trees(*packages)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_no_function_grows_over_100_lines():
    lengths = function_lengths("energy", "integration", "service")
    long = {name: n for name, n in lengths.items() if n > MAX_FUNCTION_LINES}
    assert set(long) <= set(LONG_FUNCTIONS), f"new functions over {MAX_FUNCTION_LINES} lines: " + ", ".join(
        f"{k} ({v})" for k, v in long.items() if k not in LONG_FUNCTIONS
    )
    grown = {k: (LONG_FUNCTIONS[k], v) for k, v in long.items() if v > LONG_FUNCTIONS[k]}
    assert not grown, f"listed long functions grew (was, now): {grown}"
    split = set(LONG_FUNCTIONS) - set(long)
    assert not split, f"now under {MAX_FUNCTION_LINES} lines: take them off LONG_FUNCTIONS: {sorted(split)}"


def test_one_csv_and_xlsx_writer():
    """Every CSV and XLSX the service writes goes through ``service/exports/writers.py`` (number
    formats, injection-safe cells); the intake's readers only read."""
    places = set()
    for path, tree in _trees("service"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in {
                "writer",
                "DictWriter",
                "to_csv",
                "to_excel",
            }:
                places.add(path)
            elif isinstance(node, ast.ImportFrom) and node.module == "openpyxl":
                places |= {path for a in node.names if a.name == "Workbook"}
    assert places == {"service/exports/writers.py"}


# Each engine has one error base (issue 13 §1): every exception class of energy/ derives from
# energy.errors.EnergyError, every one of integration/ from integration.errors.IntegrationError.
ENGINE_BASES = {"energy": EnergyError, "integration": IntegrationError}


def engine_exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in the engines, ``module:Name`` -> class (each module imported)."""
    found = {}
    for engine in ENGINE_BASES:
        package = importlib.import_module(engine)
        names = [engine] + [m.name for m in pkgutil.walk_packages(package.__path__, engine + ".")]
        for name in names:
            module = importlib.import_module(name)
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__ == name:
                    found[f"{name}:{obj.__qualname__}"] = obj
    return found


def test_every_engine_error_derives_from_its_engine_s_base():
    classes = engine_exception_classes()
    assert {"energy.errors:EnergyInputError", "energy.portfolio.problem:PortfolioInfeasibleError",
            "energy.measures:MeasureCatalogueError", "integration.bdl:BdlError",
            "integration.composite.errors:CompositeInputError"} <= set(classes)  # fmt: skip
    strays = [name for name, cls in classes.items() if not issubclass(cls, ENGINE_BASES[name.split(".")[0]])]
    assert strays == []
    # callers (the engines' own code included) still catch them as ValueError
    assert all(issubclass(base, ValueError) for base in ENGINE_BASES.values())


# The service renders an engine error as a 422 in one place: the handler in service/errors.py
# (``engine_problem``, installed for both bases; ``engine_input`` names the part of the request an
# engine call read). Elsewhere in service/, an ``except`` that names an engine error may re-raise
# it, raise another engine error, or fail the job (a JobError, or a helper of the module that
# returns one); raising anything else from it
# (ValidationProblem, Conflict, a helper's problem) is a second translation. The workspace's forms
# show the findings through ``as_problem``, the handler's own translation, and raise nothing.
ONE_HANDLER = "service/errors.py"


def engine_error_translations(source: str, engine_errors: set[str]) -> list[str]:
    """``line: what`` for each raise of something else from an ``except`` naming an engine error."""
    tree = ast.parse(source)
    failing_jobs = {"JobError"} | {
        f.name for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.returns is not None and _name(f.returns) == "JobError"
    }  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        named = sorted({n for n in map(_name, caught) if n in engine_errors})
        if not named:
            continue
        for inner in (n for statement in node.body for n in ast.walk(statement)):
            if not isinstance(inner, ast.Raise) or inner.exc is None:
                continue
            raised = _name(inner.exc.func) if isinstance(inner.exc, ast.Call) else _name(inner.exc)
            if raised not in engine_errors | failing_jobs | {node.name}:
                found.append(f"{inner.lineno}: catches {', '.join(named)} and raises {raised or 'a problem'}")
    return found


def test_engine_errors_become_422s_in_one_handler():
    engine_errors = {cls.__name__ for cls in engine_exception_classes().values()}
    found = [
        f"{path}:{problem}"
        for path in _sources("service")
        if str(path.relative_to(ROOT)) != ONE_HANDLER
        for problem in engine_error_translations(path.read_text(encoding="utf-8"), engine_errors)
    ]
    assert found == []
    handler = (ROOT / ONE_HANDLER).read_text(encoding="utf-8")
    assert "app.add_exception_handler(engine_error, _engine)" in handler


@pytest.mark.parametrize(
    ("planted", "reported"),
    [
        ("try:\n    f()\nexcept PVInputError as exc:\n    raise ValidationProblem(str(exc))\n",
         "4: catches PVInputError and raises ValidationProblem"),
        ("try:\n    f()\nexcept (KeyError, energy.errors.EnergyError) as exc:\n    raise invalid(exc, 'x: ')\n",
         "4: catches EnergyError and raises invalid"),
        ("try:\n    f()\nexcept BdlError:\n    if x:\n        raise Conflict('no')\n",
         "5: catches BdlError and raises Conflict"),
    ],
)  # fmt: skip
def test_the_one_handler_check_reports_a_planted_translation(planted, reported):
    assert engine_error_translations(planted, {"PVInputError", "EnergyError", "BdlError"}) == [reported]


def test_the_one_handler_check_lets_re_raises_and_failed_jobs_through():
    source = (
        "try:\n    f()\nexcept PackageInputError as exc:\n    raise PortfolioInputError(f'packages: {exc}')\n"
        "try:\n    f()\nexcept EnergyError as exc:\n    raise JobError('invalid-input', str(exc)) from exc\n"
        "try:\n    f()\nexcept EnergyError as exc:\n    note(exc)\n    raise\n"
        "try:\n    f()\nexcept ValueError as exc:\n    raise ValidationProblem(str(exc))\n"
        "def _fail(exc) -> JobError:\n    return JobError('infeasible', str(exc))\n"
        "try:\n    f()\nexcept EnergyError as exc:\n    raise _fail(exc) from exc\n"
    )
    engine_errors = {"PackageInputError", "PortfolioInputError", "EnergyError"}
    assert engine_error_translations(source, engine_errors) == []


@pytest.mark.parametrize(
    ("raised", "part", "detail", "errors"),
    [
        (PVInputError("params.tilt_deg: 95 out of range"), {}, "params.tilt_deg: 95 out of range",
         [{"field": "params.tilt_deg", "reason": "params.tilt_deg: 95 out of range"}]),
        (MeasureCatalogueError("pv.unit_cost_pln: not a number"), {"section": "price_overrides"},
         "price_overrides: pv.unit_cost_pln: not a number",
         [{"field": "price_overrides", "reason": "price_overrides: pv.unit_cost_pln: not a number"}]),
        (PortfolioInputError("no colon here"), {}, "no colon here", [{"field": None, "reason": "no colon here"}]),
        (EnergyInputError("row 3: heated_area_m2 < 0"), {"field": None}, "row 3: heated_area_m2 < 0",
         [{"field": None, "reason": "row 3: heated_area_m2 < 0"}]),
        (ReadinessInputError("weights: negative"), {"field": "scenario/weights/methods"}, "weights: negative",
         [{"field": "scenario/weights/methods", "reason": "weights: negative"}]),
        (CompositeInputError([InputProblem(None, "normalise", "unknown method 'softmax'"),
                              InputProblem("A", None, "duplicate unit")]),
         {"section": "config"}, "invalid config: key 'normalise': unknown method 'softmax'; row 'A': duplicate unit",
         [{"row": None, "field": "config.normalise", "reason": "unknown method 'softmax'"},
          {"row": "A", "field": "config", "reason": "duplicate unit"}]),
        (OutsideClimateError("2 buildings outside Poland", ["B1", "B2"]), {}, "2 buildings outside Poland",
         [{"field": "lat/lon", "value": "B1", "reason": "outside Poland"},
          {"field": "lat/lon", "value": "B2", "reason": "outside Poland"}]),
    ],
)  # fmt: skip
def test_the_one_handler_names_row_field_and_reason(raised, part, detail, errors):
    with pytest.raises(type(raised)) as caught, engine_input(**part):
        raise raised
    problem = engine_problem(caught.value)
    assert (problem.status, problem.detail, problem.errors) == (422, detail, errors)
