"""Refugee-readiness framework: pillars (housing, schooling, services), arrival scenarios,
capacity against need, data coverage and readiness scores computed with the composite engine."""

from integration.readiness.capacity import breaking_points, headroom, spare_capacity
from integration.readiness.coverage import Coverage
from integration.readiness.framework import Framework, ReadinessInputError, load_framework
from integration.readiness.scenario import ArrivalScenario, scenario_needs
from integration.readiness.values import load_cities, load_reference_data

__all__ = [
    "ArrivalScenario",
    "Coverage",
    "Framework",
    "ReadinessInputError",
    "breaking_points",
    "headroom",
    "load_cities",
    "load_framework",
    "load_reference_data",
    "scenario_needs",
    "spare_capacity",
]
