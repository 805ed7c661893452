"""``miasto assess INVENTORY_ID``: run an energy assessment job in this process with a progress bar.

The job goes through the same code as the API (the assessment and job rows, the worker function,
results stored in the database); only the dispatch differs: it runs here, in a thread, while the
main thread follows its progress in the job table.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Annotated, Any

import typer

from service.cli import JsonOpt, _fail, app


def _principal(session, inventory_id: uuid.UUID):
    """The inventory owner acting as an operator (the CLI runs with database access, not an API key)."""
    from service.errors import NotFound
    from service.inventory.models import Inventory
    from service.orgs.service import Principal

    inventory = session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFound(f"inventory {inventory_id} not found")
    return Principal(
        org_id=inventory.org_id, org_kind="city", key_id=uuid.uuid4(), scopes=frozenset({"admin"})
    )


def _follow(job_id: uuid.UUID, thread: threading.Thread, quiet: bool) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from service.db import session_scope
    from service.jobs.models import Job

    def poll() -> tuple[int, str]:
        with session_scope() as s:
            job = s.get_one(Job, job_id)  # the job was committed before; NoResultFound otherwise
            return job.progress, job.message

    if quiet:
        thread.join()
        return
    columns = (
        TextColumn("[bold]assessment"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("queued", total=100)
        while thread.is_alive():
            pct, message = poll()
            bar.update(task, completed=pct, description=message)
            time.sleep(0.2)
        pct, message = poll()
        bar.update(task, completed=100 if message == "done" else pct, description=message)


@app.command()
def assess(
    inventory_id: Annotated[str, typer.Argument(help="inventory id (UUID)")],
    version: Annotated[int | None, typer.Option(help="inventory version; latest if omitted")] = None,
    grid_co2: Annotated[float | None, typer.Option(help="grid electricity CO2 factor [kg/kWh]")] = None,
    climate_id: Annotated[
        str | None, typer.Option(help="a named climate uploaded at POST /v1/climates")
    ] = None,
    pv: Annotated[bool, typer.Option("--pv/--no-pv", help="include rooftop PV")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Assess the energy use and rooftop PV of an inventory's buildings; results stay in the database."""
    from service.assessments.schemas import AssessmentRequest
    from service.assessments.service import start_assessment
    from service.db import session_scope
    from service.errors import ProblemError
    from service.jobs.models import Job
    from service.jobs.runner import run_job

    try:
        body = AssessmentRequest(
            version=version,
            grid_co2_kg_per_kwh=grid_co2,
            include_pv=pv,
            climate_id=uuid.UUID(climate_id) if climate_id else None,
        )
        with session_scope() as s:
            assessment, job = start_assessment(
                s, _principal(s, uuid.UUID(inventory_id)), uuid.UUID(inventory_id), body
            )
            assessment_id, job_id = assessment.id, job.id
    except (ProblemError, ValueError) as exc:
        _fail(exc)
    thread = threading.Thread(target=run_job, args=(str(job_id),), daemon=True)
    thread.start()
    _follow(job_id, thread, as_json)
    with session_scope() as s:
        job = s.get_one(Job, job_id)  # the job was committed before; NoResultFound otherwise
        out: dict[str, Any] = {
            "assessment_id": str(assessment_id),
            "job_id": str(job_id),
            "status": job.status,
            "result": job.result,
            "error": {"type": job.error_type, "detail": job.error_detail} if job.error_type else None,
            "url": f"/v1/assessments/{assessment_id}",
        }
    if as_json:
        typer.echo(json.dumps(out, default=str))
    elif out["status"] == "succeeded":
        r = out["result"]
        typer.echo(
            f"assessment {assessment_id}: {r['building_count']} buildings, {r['co2_t_per_year']:,.1f} t CO2/a, "
            f"{r['cost_pln_per_year']:,.0f} PLN/a, PV {r['pv_capacity_kwp']:,.1f} kWp, "
            f"{r['warnings']} warning(s)"
        )
    if out["status"] != "succeeded":
        typer.echo(f"error: assessment {out['status']}: {out['error']}", err=True)
        raise typer.Exit(code=1)
