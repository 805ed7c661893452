"""Every table, imported in one place for Alembic and for ``Base.metadata``."""

from service.inventory.models import Building, Inventory, InventoryVersion
from service.jobs.models import IdempotentResponse, Job
from service.orgs.models import ApiKey, Grant, Organisation

__all__ = ["ApiKey", "Building", "Grant", "IdempotentResponse", "Inventory", "InventoryVersion", "Job", "Organisation"]
