"""Exceptions of the energy engine.

Every error the engine raises on what it was given derives from :class:`EnergyError` (a
:class:`ValueError`), whose message names the building (row), field or key and the reason, so
that a caller handles the engine's refusals with one ``except EnergyError`` (the service renders
them as one kind of 422 problem+json answer). ``tests/service/test_layers.py`` checks that every
exception class of ``energy/`` derives from it.
"""

from __future__ import annotations


class EnergyError(ValueError):
    """Base of every error of the energy engine: input it cannot use, or a problem with no solution."""


class EnergyInputError(EnergyError):
    """Bad input to the energy balance (a building row, a parameter, a file)."""


class ClimateDataError(EnergyInputError):
    """A climate file that cannot be used: truncated, too short, non-numeric or impossible values."""


class OutsideClimateError(EnergyInputError):
    """Buildings outside Poland given without a user climate; ``building_ids`` lists them."""

    def __init__(self, message: str, building_ids: list[str] | None = None) -> None:
        super().__init__(message)
        self.building_ids = list(building_ids or [])


class UnknownSystemError(EnergyInputError):
    """A heating or DHW system for which no efficiency is defined."""


class ParameterError(EnergyInputError):
    """An assessment parameter (price, factor) that is missing or out of range."""
