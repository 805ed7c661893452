"""Exceptions of the energy engine.

Every error is a :class:`ValueError` subclass whose message names the building (row), field or
key and the reason, so the service can turn it into a 4xx problem+json answer.
"""

from __future__ import annotations


class EnergyInputError(ValueError):
    """Bad input to the energy engine (a building row, a parameter, a file)."""


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
