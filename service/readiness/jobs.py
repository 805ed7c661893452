"""The readiness scores job: many gminas and/or Monte Carlo runs, stored in readiness_scores."""

from __future__ import annotations

import uuid
from typing import Any

from integration.errors import IntegrationError
from service.errors import ProblemError
from service.jobs.registry import JobContext, JobError, register
from service.readiness import repository as repo
from service.readiness import service


@register("readiness_scores")
def run_scores(ctx: JobContext) -> dict[str, Any]:
    """Compute the stored request of a score run (``params.run_id``) and store every gmina's scores."""
    run = repo.get_run(ctx.session, uuid.UUID(ctx.params["run_id"]))
    if run is None:
        raise JobError("not_found", f"score run {ctx.params['run_id']} no longer exists")
    if run.status == "succeeded":  # a redelivered job whose first attempt committed
        return {"summary": {"units": run.unit_count}, "result_path": f"/v1/readiness/scores/{run.id}"}
    runs = int(run.request.get("uncertainty_runs", 0))
    ctx.progress(5, f"loading indicator values of {len(run.teryts)} gmina(s)")
    try:
        ctx.progress(15, f"scoring {len(run.teryts)} gmina(s) with {runs} uncertainty run(s)")
        result, population = service.compute(ctx.session, run.request, run.teryts)
        ctx.progress(60, "pillar intervals and storing scores")
        # no progress call after this write: on SQLite the job's session now holds the write lock
        service.store_result(ctx.session, run, result, population)
    except ProblemError as exc:
        run.status = "failed"
        raise JobError("invalid_input", exc.detail) from None
    except IntegrationError as exc:  # scenario, weights or methods the engine refuses
        run.status = "failed"
        raise JobError("invalid_input", str(exc)) from None
    return {
        "summary": {"units": run.unit_count, "uncertainty_runs": runs, "config_hash": run.config_hash},
        "result_path": f"/v1/readiness/scores/{run.id}",
    }
