"""Use cases for inventories: submit (all or nothing), read versions, diff, summarise."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, is_dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from energy.inventory.parsing import parse_inventory
from service.errors import Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationProblem
from service.inventory import repository
from service.inventory.models import Inventory, InventoryVersion
from service.inventory.schemas import (
    InventoryCreated,
    InventoryDetail,
    InventoryList,
    InventoryOut,
    VersionOut,
)
from service.orgs.service import Principal, org_row, require_access, visible_city_ids
from service.settings import Settings
from service.transactions import transaction

JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


def issue_dict(issue: Any) -> dict[str, Any]:
    if is_dataclass(issue) and not isinstance(issue, type):
        return asdict(issue)
    return dict(issue)


def _sniffed_format(body: bytes) -> str | None:
    """What an upload without a telling type or name holds: an .xlsx is a zip, JSON opens with
    ``{`` or ``[``, other UTF-8 text is read as CSV; anything else (an image, a PDF) is None."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[:1] in (b"{", b"["):
        return "json"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return None
    return "csv" if head and b"\x00" not in head else None


def _source_format(content_type: str, filename: str | None, body: bytes = b"") -> str:
    if content_type in XLSX_TYPES or (filename or "").lower().endswith(".xlsx"):
        return "xlsx"
    if content_type in JSON_TYPES or (filename or "").lower().endswith(".json"):
        return "json"
    if content_type in CSV_TYPES or (filename or "").lower().endswith(".csv"):
        return "csv"
    sniffed = _sniffed_format(body) if content_type in ("", "application/octet-stream") else None
    if sniffed:
        return sniffed
    raise UnsupportedMediaType(
        f"content type '{content_type}' is not accepted; send application/json, text/csv or an .xlsx file",
        errors=[{"row": None, "field": "Content-Type", "value": content_type, "reason": "unsupported"}],
    )


def name_from_json(body: bytes) -> str | None:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(doc, dict) and isinstance(doc.get("name"), str):
        return doc["name"][:200]
    return None


def parse_submission(
    body: bytes, content_type: str, filename: str | None, settings: Settings
) -> tuple[pd.DataFrame, list[int], list[dict[str, Any]], str]:
    """Parse and validate; any error raises (so nothing is stored)."""
    fmt = _source_format(content_type, filename, body)
    if len(body) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"the submission is {len(body) / 1e6:.1f} MB; the limit is {settings.max_upload_mb} MB"
        )
    canonical_type = {"xlsx": XLSX_TYPES[0], "json": "application/json", "csv": "text/csv"}[fmt]
    # a file that cannot be read, or is too large, raises an engine error the one handler answers
    parsed = parse_inventory(
        body, content_type=canonical_type, filename=filename, max_rows=settings.max_buildings
    )
    if parsed.errors:
        raise ValidationProblem(
            f"{len(parsed.errors)} error(s) in the submission; nothing was stored",
            errors=[issue_dict(i) for i in parsed.errors],
        )
    buildings = parsed.buildings
    rows = (
        [int(r) for r in parsed.source_rows]
        if len(parsed.source_rows) == len(buildings)
        else list(range(2, len(buildings) + 2))
    )
    if buildings.empty:
        raise ValidationProblem(
            "the submission contains no buildings", errors=[{"field": None, "reason": "empty"}]
        )
    return buildings, rows, [issue_dict(w) for w in parsed.warnings], fmt


def _city_of(session: Session, principal: Principal) -> Any:
    principal.require("inventory:write")
    org = org_row(session, principal.org_id)
    if org is None or org.kind != "city":
        raise Forbidden("only a city submits inventories of its buildings")
    return org


def create_inventory(
    session: Session,
    principal: Principal,
    name: str,
    body: bytes,
    content_type: str,
    filename: str | None,
    settings: Settings,
) -> tuple[Inventory, InventoryVersion]:
    city = _city_of(session, principal)
    buildings, rows, warnings, fmt = parse_submission(body, content_type, filename, settings)
    inventory = Inventory(org_id=city.id, name=name.strip()[:200] or "inventory")
    session.add(inventory)
    session.flush()
    version = repository.add_version(
        session, inventory, buildings, rows, created_by=city.id, source_format=fmt, warnings=warnings
    )
    return inventory, version


def visible_inventory(
    session: Session, principal: Principal, inventory_id: uuid.UUID, need: str = "read"
) -> Inventory:
    principal.require("inventory:read")
    inventory = repository.get_inventory(session, inventory_id)
    if inventory is None:
        raise NotFound(f"inventory {inventory_id} not found")
    require_access(session, principal, inventory.org_id, need, f"inventory {inventory_id}")
    return inventory


def add_version(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID,
    body: bytes,
    content_type: str,
    filename: str | None,
    settings: Settings,
) -> tuple[Inventory, InventoryVersion]:
    principal.require("inventory:write")
    inventory = visible_inventory(session, principal, inventory_id, need="own")
    buildings, rows, warnings, fmt = parse_submission(body, content_type, filename, settings)
    version = repository.add_version(
        session, inventory, buildings, rows, created_by=principal.org_id, source_format=fmt, warnings=warnings
    )
    return inventory, version


def list_inventories(session: Session, principal: Principal) -> list[Inventory]:
    principal.require("inventory:read")
    return repository.list_inventories(session, visible_city_ids(session, principal))


def get_version(
    session: Session, principal: Principal, inventory_id: uuid.UUID, version: int | None
) -> InventoryVersion:
    inventory = visible_inventory(session, principal, inventory_id)
    number = version if version is not None else inventory.latest_version
    found = repository.get_version(session, inventory.id, number)
    if found is None:
        raise NotFound(f"inventory {inventory_id} has no version {number}")
    return found


def list_versions(session: Session, inventory: Inventory) -> list[InventoryVersion]:
    """Every version of a visible inventory, oldest first."""
    return list(repository.list_versions(session, inventory.id))


def version_buildings(session: Session, version: InventoryVersion) -> pd.DataFrame:
    return repository.load_buildings(session, version.id)


# For the other domains' services, which check tenancy on their own rows (an assessment's, a
# portfolio's) and must not reach into this domain's repository or models.


def inventory_row(session: Session, inventory_id: uuid.UUID) -> Inventory | None:
    """The inventory of this id without a tenancy check (the caller checks the owner)."""
    return repository.get_inventory(session, inventory_id)


def inventory_name(session: Session, inventory_id: uuid.UUID) -> str:
    inventory = repository.get_inventory(session, inventory_id)
    return inventory.name if inventory is not None else ""


def version_row(session: Session, version_id: uuid.UUID) -> InventoryVersion | None:
    return session.get(InventoryVersion, version_id)


def find_version(session: Session, inventory_id: uuid.UUID, number: int) -> InventoryVersion | None:
    return repository.get_version(session, inventory_id, number)


def buildings_of_version(session: Session, version_id: uuid.UUID) -> pd.DataFrame:
    """The building table of a version by its id (an assessment or portfolio names its version)."""
    return repository.load_buildings(session, version_id)


def submit_inventory(
    session: Session,
    principal: Principal,
    name: str | None,
    body: bytes,
    content_type: str,
    filename: str | None,
    settings: Settings,
) -> InventoryCreated:
    """Create an inventory with its first version and commit; a rejected file stores nothing."""
    title = name or name_from_json(body) or filename or "inventory"
    with transaction(session):
        inv, ver = create_inventory(session, principal, title, body, content_type, filename, settings)
        out = InventoryCreated(
            inventory=InventoryOut.model_validate(inv), version=VersionOut.model_validate(ver)
        )
    return out


def submit_version(
    session: Session,
    principal: Principal,
    inventory_id: uuid.UUID,
    body: bytes,
    content_type: str,
    filename: str | None,
    settings: Settings,
) -> VersionOut:
    """Add a version to an inventory and commit; a rejected file stores nothing."""
    with transaction(session):
        _, ver = add_version(session, principal, inventory_id, body, content_type, filename, settings)
        out = VersionOut.model_validate(ver)
    return out


def inventory_list(session: Session, principal: Principal) -> InventoryList:
    """The caller's inventories and those of cities that granted access, with their TERYT (one query)."""
    principal.require("inventory:read")
    rows = repository.list_inventories_with_city(session, visible_city_ids(session, principal))
    items = [InventoryOut.model_validate(inv) for inv in rows]
    return InventoryList(items=items, count=len(items))


def inventory_detail(session: Session, principal: Principal, inventory_id: uuid.UUID) -> InventoryDetail:
    return InventoryDetail.model_validate(visible_inventory(session, principal, inventory_id))


def version_list(session: Session, principal: Principal, inventory_id: uuid.UUID) -> list[VersionOut]:
    inv = visible_inventory(session, principal, inventory_id)
    return [VersionOut.model_validate(v) for v in list_versions(session, inv)]


def version_frame(
    session: Session, principal: Principal, inventory_id: uuid.UUID, version: int
) -> tuple[InventoryVersion, pd.DataFrame]:
    """A visible version and its building table."""
    ver = get_version(session, principal, inventory_id, version)
    return ver, version_buildings(session, ver)


def version_diff(
    session: Session, principal: Principal, inventory_id: uuid.UUID, from_version: int, to_version: int
) -> dict[str, Any]:
    """Buildings added, removed and changed between two visible versions."""
    from service.inventory.diff import diff_inventories

    old = get_version(session, principal, inventory_id, from_version)
    new = get_version(session, principal, inventory_id, to_version)
    return diff_inventories(version_buildings(session, old), version_buildings(session, new))


def building_coordinates(session: Session, version_id: uuid.UUID) -> pd.DataFrame:
    """``building_id`` (text), ``lat``, ``lon`` of every building of an inventory version (for maps)."""
    return repository.load_coordinates(session, version_id).astype({"building_id": str})
