"""Built-in job kinds that belong to no domain."""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import text

from service.jobs.registry import JobContext, register


@register("noop")
def noop(ctx: JobContext) -> dict[str, Any]:
    """An empty job (used by the job round-trip benchmark and the worker tests).

    ``params.seconds`` makes it take that long, reporting progress, so that a worker can be
    killed mid-job in tests (the progress message names the process, to find the one to kill).
    ``params.fail_attempts`` makes its first attempts fail on a real database error (a query of a
    missing table, whose SQL and parameters must not reach the client) for the retry tests.
    """
    if ctx.attempt <= int(ctx.params.get("fail_attempts", 0)):
        ctx.session.execute(
            text("SELECT secret FROM no_such_table WHERE token = :token"), {"token": "s3cr3t"}
        )
    seconds = float(ctx.params.get("seconds", 0.0))
    steps = max(1, int(seconds * 4))
    for step in range(steps if seconds > 0 else 0):
        time.sleep(seconds / steps)
        ctx.progress(100 * (step + 1) / steps, f"step {step + 1} of {steps} in process {os.getpid()}")
    return {"slept_s": seconds, "attempt": ctx.attempt}
