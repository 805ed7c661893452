"""All queries on inventories, versions and buildings."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from service.db import bulk_insert
from service.inventory.export import to_records
from service.inventory.models import Building, Inventory, InventoryVersion


def add_version(
    session: Session,
    inventory: Inventory,
    buildings: pd.DataFrame,
    row_numbers: list[int],
    *,
    created_by: uuid.UUID,
    source_format: str,
    warnings: list[dict[str, Any]],
) -> InventoryVersion:
    # Atomic increment: concurrent submissions get distinct numbers (row lock on PostgreSQL,
    # database write lock on SQLite) instead of colliding on the unique constraint.
    number = session.execute(
        update(Inventory)
        .where(Inventory.id == inventory.id)
        .values(latest_version=Inventory.latest_version + 1)
        .returning(Inventory.latest_version)
    ).scalar_one()
    inventory.latest_version = number
    version = InventoryVersion(
        inventory_id=inventory.id,
        version=number,
        created_by_org_id=created_by,
        source_format=source_format,
        building_count=len(buildings),
        heated_area_m2=float(buildings["heated_area_m2"].sum()) if len(buildings) else 0.0,
        warnings=warnings,
    )
    session.add(version)
    session.flush()
    records = to_records(buildings)  # NaN, NA and inf -> None, plain Python values
    rows = [
        {
            "version_id": version.id,
            "row_number": int(row_numbers[i]),
            "building_id": str(rec["building_id"]),
            "building_type": str(rec["building_type"]),
            "heated_area_m2": float(rec["heated_area_m2"]),
            "data": rec,
        }
        for i, rec in enumerate(records)
    ]
    bulk_insert(session, Building, rows)
    session.flush()
    return version


def get_inventory(session: Session, inventory_id: uuid.UUID) -> Inventory | None:
    return session.get(Inventory, inventory_id)


def list_inventories(session: Session, org_ids: list[uuid.UUID]) -> list[Inventory]:
    query = select(Inventory).where(Inventory.org_id.in_(org_ids)).order_by(Inventory.created_at.desc())
    return list(session.scalars(query))


def list_inventories_with_city(session: Session, org_ids: list[uuid.UUID]) -> list[Inventory]:
    """The inventories of these cities, newest first, each with its city (for the TERYT) in one query."""
    query = (
        select(Inventory)
        .options(joinedload(Inventory.city))
        .where(Inventory.org_id.in_(org_ids))
        .order_by(Inventory.created_at.desc())
    )
    return list(session.scalars(query))


def list_versions(session: Session, inventory_id: uuid.UUID) -> list[InventoryVersion]:
    query = select(InventoryVersion).where(InventoryVersion.inventory_id == inventory_id)
    return list(session.scalars(query.order_by(InventoryVersion.version)))


def get_version(session: Session, inventory_id: uuid.UUID, version: int) -> InventoryVersion | None:
    return session.scalar(
        select(InventoryVersion).where(
            InventoryVersion.inventory_id == inventory_id, InventoryVersion.version == version
        )
    )


def load_coordinates(session: Session, version_id: uuid.UUID) -> pd.DataFrame:
    """``building_id, lat, lon`` of a version's buildings, extracted by the database from the records
    (a map of 20,000 buildings needs three fields, not every record)."""
    data = Building.data
    rows = session.execute(
        select(Building.building_id, data["lat"].as_float(), data["lon"].as_float())
        .where(Building.version_id == version_id)
        .order_by(Building.row_number)
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["building_id", "lat", "lon"])


def load_buildings(session: Session, version_id: uuid.UUID) -> pd.DataFrame:
    rows = session.scalars(
        select(Building.data).where(Building.version_id == version_id).order_by(Building.row_number)
    ).all()
    return pd.DataFrame.from_records(list(rows))
