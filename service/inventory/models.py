"""Inventories of public buildings and their immutable versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.orgs.models import Organisation


class Inventory(Base):
    __tablename__ = "inventories"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)

    # What its answer shows besides its own columns (read-only; the list query loads them eagerly).
    city: Mapped[Organisation] = relationship(viewonly=True)
    versions: Mapped[list[InventoryVersion]] = relationship(
        order_by="InventoryVersion.version", viewonly=True
    )


class InventoryVersion(Base):
    __tablename__ = "inventory_versions"
    __table_args__ = (UniqueConstraint("inventory_id", "version", name="inventory_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    inventory_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inventories.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    source_format: Mapped[str] = mapped_column(String(8))
    building_count: Mapped[int] = mapped_column(Integer)
    heated_area_m2: Mapped[float] = mapped_column(Float)
    warnings: Mapped[list] = mapped_column(default=list)


class Building(Base):
    """One building of one version; the full validated record is kept in ``data``."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("version_id", "building_id", name="version_building"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inventory_versions.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    building_id: Mapped[str] = mapped_column(String(100))
    building_type: Mapped[str] = mapped_column(String(32))
    heated_area_m2: Mapped[float] = mapped_column(Float)
    data: Mapped[dict] = mapped_column(JSON)
