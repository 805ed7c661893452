"""Built-in job kinds that belong to no domain."""

from __future__ import annotations

import time
from typing import Any

from service.jobs.registry import JobContext, register


@register("noop")
def noop(ctx: JobContext) -> dict[str, Any]:
    """An empty job (used by the job round-trip benchmark and the worker tests).

    ``params.seconds`` makes it take that long, reporting progress, so that a worker can be
    killed mid-job in tests.
    """
    seconds = float(ctx.params.get("seconds", 0.0))
    steps = max(1, int(seconds * 4))
    for step in range(steps if seconds > 0 else 0):
        time.sleep(seconds / steps)
        ctx.progress(100 * (step + 1) / steps, f"step {step + 1} of {steps}")
    return {"slept_s": seconds, "attempt": ctx.attempt}
