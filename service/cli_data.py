"""``miasto data import-bdl``: load the framework's GUS BDL variables into the readiness values table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from service.cli import JsonOpt, _emit, _fail, app

data_app = typer.Typer(help="Readiness indicator data: imports from public statistics.", no_args_is_help=True)
app.add_typer(data_app, name="data")

BDL_SOURCE = "GUS BDL"


def framework_variables() -> dict[str, str]:
    """BDL variable id -> indicator code of every framework indicator that has one."""
    from integration.readiness import load_framework

    ids = load_framework().indicators["bdl_var_id"].dropna()
    return {str(v): code for code, v in ids.items()}


def store_bdl(values, session) -> int:
    """Store imported rows as origin 'bdl', source 'GUS BDL (...)'; returns the number of values stored."""
    from service.readiness import repository

    if values.empty:
        return 0
    rows = values[["teryt", "indicator", "value", "year", "source"]].copy()
    rows["source"] = BDL_SOURCE + ": " + rows["source"].astype(str)
    repository.store_values(session, rows, "bdl", None, "bdl")
    return len(rows)


@data_app.command("import-bdl")
def import_bdl_command(
    years: Annotated[list[int], typer.Option("--year", help="year(s) to fetch; repeat the option")],
    variable: Annotated[
        list[str] | None, typer.Option("--variable", help="BDL variable id (default: all)")
    ] = None,
    cache_dir: Annotated[Path, typer.Option(help="on-disk cache of BDL pages")] = Path("var/bdl_cache"),
    as_json: JsonOpt = False,
) -> None:
    """Fetch the framework's BDL variables for all gminas and store them beside city-reported values."""
    from integration.bdl import BdlClient, BdlError, import_bdl
    from service.db import session_scope

    known = framework_variables()
    chosen = {v: known.get(v, "") for v in (variable or list(known))}
    unknown = [v for v, code in chosen.items() if not code]
    if unknown:
        _fail(ValueError(f"--variable {unknown[0]}: not a BDL variable of the readiness framework"), as_json)
    stored, client = 0, BdlClient(cache_dir=cache_dir)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), disable=as_json) as bar:  # fmt: skip
            task = bar.add_task("GUS BDL", total=len(chosen))
            for var_id, code in chosen.items():  # one request chain per variable (paged inside)
                bar.update(task, description=f"BDL {var_id} -> {code}")
                frame = import_bdl({var_id: code}, years, client=client)
                with session_scope() as session:
                    stored += store_bdl(frame, session)
                bar.advance(task)
    except BdlError as exc:
        _fail(exc, as_json)
    finally:
        client.close()
    _emit(as_json, {"variables": len(chosen), "values_stored": stored, "years": years},
          f"stored {stored} values of {len(chosen)} BDL variable(s) for {years}")  # fmt: skip
