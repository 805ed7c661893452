"""Every table, imported in one place for Alembic and for ``Base.metadata``.

Domain packages that add tables list their models module in ``MODEL_MODULES``.
"""

import importlib

from service.inventory.models import Building, Inventory, InventoryVersion
from service.jobs.models import IdempotentResponse, Job
from service.orgs.models import ApiKey, Grant, Organisation

MODEL_MODULES = [
    "service.assessments.models",
    "service.portfolios.models",
    "service.readiness.models",
    "service.indices.models",
]
for _name in MODEL_MODULES:
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as _exc:
        if not (_exc.name and _name.startswith(_exc.name)):
            raise

__all__ = [
    "ApiKey",
    "Building",
    "Grant",
    "IdempotentResponse",
    "Inventory",
    "InventoryVersion",
    "Job",
    "Organisation",
]
