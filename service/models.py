"""Every table, imported in one place for Alembic and for ``Base.metadata``.

A domain package that adds tables is imported here (plainly: a missing module is an error).
"""

from service.assessments import models as assessments_models
from service.indices import models as indices_models
from service.inventory.models import Building, Inventory, InventoryVersion
from service.jobs.models import IdempotentResponse, Job
from service.orgs.models import ApiKey, Grant, Organisation
from service.portfolios import models as portfolios_models
from service.readiness import models as readiness_models

# The modules whose tables are not re-exported by name below; importing them registers their tables.
DOMAIN_MODEL_MODULES = (assessments_models, portfolios_models, readiness_models, indices_models)

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
