"""Progress of a solve as it happens: stage, incumbent, proven bound and gap, a monotone fraction done.

An optimisation takes ``on_progress``, a callable receiving one dict per event::

    {"stage": "lp" | "warm_start" | "milp" | "point" | "done", "incumbent": float | None,
     "bound": float | None, "gap": float | None, "elapsed_s": float, "fraction": float in [0, 1]}

During a HiGHS MILP the events come from its callbacks (an improved incumbent, and every 0.5 s from the
branch and bound), so a long plan shows its current gap. ``fraction`` is the larger of the time used out
of the time limit and the gap closed so far on a log scale (first gap seen -> target gap), never
decreasing. An exception raised by ``on_progress`` (a cancelled job) interrupts HiGHS and is re-raised
once it has stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

ProgressCallback = Callable[[dict], None]


class Progress:
    """Turns solver events into ``on_progress`` calls (no-op when the callback is None)."""

    def __init__(self, callback: ProgressCallback | None, time_limit_s: float, gap_target: float):
        self.callback = callback
        self.time_limit_s = max(float(time_limit_s), 1e-9)
        self.gap_target = max(float(gap_target), 1e-9)
        self.t0 = time.perf_counter()
        self.fraction = 0.0
        self.first_gap: float | None = None
        self.error: BaseException | None = None
        self._last_tick = -math.inf

    def report(
        self,
        stage: str,
        incumbent: float | None = None,
        bound: float | None = None,
        gap: float | None = None,
        fraction: float | None = None,
    ) -> None:
        if self.callback is None:
            return
        elapsed = time.perf_counter() - self.t0
        done = elapsed / self.time_limit_s
        if gap is not None and math.isfinite(gap):
            self.first_gap = gap if self.first_gap is None else self.first_gap
            if gap <= self.gap_target:
                done = 1.0
            elif self.first_gap > self.gap_target:
                done = max(done, math.log(self.first_gap / gap) / math.log(self.first_gap / self.gap_target))
        if fraction is not None:
            done = max(done, fraction)
        self.fraction = max(self.fraction, min(done, 1.0))
        self.callback(
            {
                "stage": stage,
                "incumbent": incumbent,
                "bound": bound,
                "gap": gap,
                "elapsed_s": elapsed,
                "fraction": self.fraction,
            }
        )

    def attach(self, h) -> None:
        """Report from ``highspy.Highs`` ``h``'s MIP callbacks (every improvement, else every 0.5 s)."""
        if self.callback is None:
            return

        def on_event(event, improving: bool) -> None:
            now = time.perf_counter()
            if self.error is not None:
                event.data_in.user_interrupt = True
                return
            if not improving and now - self._last_tick < 0.5:
                return
            self._last_tick = now
            out = event.data_out
            incumbent = float(out.mip_primal_bound)
            bound = float(out.mip_dual_bound)
            gap = float(out.mip_gap) if math.isfinite(incumbent) and math.isfinite(bound) else None
            try:
                self.report("milp", incumbent if math.isfinite(incumbent) else None, bound, gap)
            except Exception as exc:  # a cancelled job: stop HiGHS, re-raised by raise_pending()
                self.error = exc
                event.data_in.user_interrupt = True

        h.cbMipImprovingSolution.subscribe(lambda e: on_event(e, True))
        h.cbMipInterrupt.subscribe(lambda e: on_event(e, False))

    def raise_pending(self) -> None:
        if self.error is not None:
            raise self.error
