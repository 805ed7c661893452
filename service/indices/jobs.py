"""The bring-your-own-index job: one submitted index computed and its tables stored."""

from __future__ import annotations

import uuid
from typing import Any

from integration.composite.errors import CompositeInputError
from service.errors import ProblemError
from service.indices import service
from service.jobs.registry import JobContext, JobError, register


@register("index_build")
def build(ctx: JobContext) -> dict[str, Any]:
    run = service.repo.get_run(ctx.session, uuid.UUID(ctx.params["index_id"]))
    if run is None:
        raise JobError("not_found", f"index {ctx.params['index_id']} no longer exists")
    if run.status == "succeeded":
        return {"summary": {"units": run.unit_count}, "result_path": f"/v1/indices/{run.id}"}
    ctx.progress(10, f"building index '{run.name}' over {run.unit_count} units")
    try:
        tables = service.compute(ctx.session, run)  # writes: no progress call after (SQLite write lock)
    except CompositeInputError as exc:
        raise JobError("invalid_input", str(exc)) from None
    except ProblemError as exc:
        raise JobError("invalid_input", exc.detail) from None
    return {
        "summary": {"units": run.unit_count, "tables": len(tables)},
        "result_path": f"/v1/indices/{run.id}",
    }
