"""The service's rooms: one vocabulary of building types and systems, and plain imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from energy import typology
from energy.carriers import system_table
from service.inventory import columns


def test_inventory_building_types_are_the_typology_s():
    assert columns.BUILDING_TYPES is typology.BUILDING_TYPES
    spec = next(f for f in columns.FIELDS if f.name == "building_type")
    assert spec.choices == typology.BUILDING_TYPES


def test_inventory_heating_systems_are_the_engine_s_systems_table():
    assert set(columns.HEATING_SYSTEMS) == set(system_table().index)
    for name in ("heating_system", "dhw_system"):
        spec = next(f for f in columns.FIELDS if f.name == name)
        assert spec.choices == columns.HEATING_SYSTEMS


@pytest.mark.parametrize(
    ("missing", "importer"),
    [
        ("service.indices.router", "import service.app"),
        ("service.indices.models", "import service.models"),
        ("service.cli_index", "import service.cli"),
        ("service.web.pages.readiness", "import service.web.router"),
        ("service.reports.jobs", "from service.jobs.registry import load_kinds; load_kinds()"),
    ],
)
def test_a_missing_module_is_an_import_error_not_a_missing_feature(missing, importer):
    # sys.modules[name] = None makes `import name` raise ModuleNotFoundError(name=name), exactly what
    # the old loops by name swallowed when a module was absent from the build.
    code = f"import sys; sys.modules[{missing!r}] = None\n{importer}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr and missing in done.stderr
