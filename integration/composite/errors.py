"""Input errors of the composite-indicator engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from integration.errors import IntegrationError


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where (row and/or key) and why."""

    row: str | None
    key: str | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row!r}" if self.row is not None else "",
                f"key {self.key!r}" if self.key is not None else "",
            )
            if part
        )
        return f"{where}: {self.reason}" if where else self.reason


class CompositeInputError(IntegrationError):
    """Bad data, metadata or configuration given to the composite engine.

    Parameters
    ----------
    problems : list of InputProblem or str
        Every problem found; the message names the row and/or key of each.

    Attributes
    ----------
    problems : list of InputProblem
    """

    def __init__(self, problems: list[InputProblem] | InputProblem | str):
        items: Sequence[InputProblem | str] = (
            [problems] if isinstance(problems, str | InputProblem) else problems
        )
        self.problems = [p if isinstance(p, InputProblem) else InputProblem(None, None, p) for p in items]
        shown = "; ".join(str(p) for p in self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(shown + more)

    @classmethod
    def at(cls, reason: str, *, row: object = None, key: object = None) -> CompositeInputError:
        """Build an error for one problem at ``row`` / ``key``."""
        return cls(InputProblem(None if row is None else str(row), None if key is None else str(key), reason))
