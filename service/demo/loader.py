"""Load the demo city (Lublin, illustrative buildings) with its inventory and two keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.db import session_scope
from service.inventory import repository
from service.inventory.models import Inventory
from service.inventory.service import parse_submission
from service.orgs.models import Grant, Organisation
from service.orgs.service import create_key, create_org, grant
from service.settings import get_settings

DEMO_DIR = Path(__file__).resolve().parent
DEMO_CITY = {"name": "Miasto Lublin (demo)", "teryt": "0663011"}
DEMO_ADVISOR = "Doradca Energetyczny Lublin (demo)"
DEMO_INVENTORY = "Budynki gminne Lublina (dane ilustracyjne)"


def load_demo() -> dict[str, Any]:
    """Idempotent: creates the organisations and inventory once; creates fresh keys on every call."""
    settings = get_settings()
    with session_scope() as s:
        city = s.scalar(select(Organisation).where(Organisation.teryt == DEMO_CITY["teryt"]))
        if city is None:
            city = create_org(s, "city", DEMO_CITY["name"], DEMO_CITY["teryt"])
        advisor = s.scalar(select(Organisation).where(Organisation.name == DEMO_ADVISOR))
        if advisor is None:
            advisor = create_org(s, "advisor", DEMO_ADVISOR)
        if (
            s.scalar(select(Grant).where(Grant.city_org_id == city.id, Grant.advisor_org_id == advisor.id))
            is None
        ):
            grant(s, city, advisor, "plan")
        inventory = s.scalar(
            select(Inventory).where(Inventory.org_id == city.id, Inventory.name == DEMO_INVENTORY)
        )
        if inventory is None:
            content = (DEMO_DIR / "demo_city.csv").read_bytes()
            buildings, rows, warnings, fmt = parse_submission(content, "text/csv", "demo_city.csv", settings)
            inventory = Inventory(org_id=city.id, name=DEMO_INVENTORY)
            s.add(inventory)
            s.flush()
            repository.add_version(
                s, inventory, buildings, rows, created_by=city.id, source_format=fmt, warnings=warnings
            )
        publication = _publish_readiness(s, city)
        _, city_key = create_key(s, city, label="demo")
        _, advisor_key = create_key(s, advisor, label="demo")
        version = repository.get_version(s, inventory.id, inventory.latest_version)
        return {
            "city_name": city.name,
            "teryt": city.teryt,
            "city_org_id": str(city.id),
            "advisor_org_id": str(advisor.id),
            "inventory_id": str(inventory.id),
            "building_count": version.building_count if version else 0,
            "city_key": city_key,
            "advisor_key": advisor_key,
            "readiness_published": publication is not None,
        }


def _publish_readiness(session: Any, city: Organisation) -> Any:
    """Illustrative indicator values for the demo city, scores with 200 uncertainty runs, one
    published snapshot, so that the public widget has something to show. Idempotent."""
    import uuid as _uuid

    from service.orgs.keys import DEFAULT_SCOPES
    from service.orgs.service import Principal
    from service.readiness import repository as readiness_repo
    from service.readiness import service as readiness

    teryt = city.teryt
    if teryt is None:  # DEMO_CITY has one; a city org without one cannot publish
        raise ValueError(f"demo city '{city.name}' has no TERYT code")
    published = readiness_repo.latest_publication(session, teryt)
    if published is not None:
        return published
    principal = Principal(
        org_id=city.id, org_kind="city", key_id=_uuid.uuid4(), scopes=frozenset(DEFAULT_SCOPES["city"])
    )
    content = (DEMO_DIR / "readiness_demo.csv").read_bytes()
    readiness.submit_values(session, principal, teryt, content, "text/csv")
    request = {
        "teryts": [teryt],
        "scenario": {
            "arrivals": 5000,
            "label": "5 000 nowych mieszkańców (scenariusz demonstracyjny)",
            "labels": {
                "pl": "5 000 nowych mieszkańców (scenariusz demonstracyjny)",
                "en": "5,000 new residents (demonstration scenario)",
                "uk": "5 000 нових мешканців (демонстраційний сценарій)",
            },
        },
        "uncertainty_runs": 200,
    }
    run = readiness_repo.add_run(session, city.id, request, [teryt])
    readiness.store_result(session, run, *readiness.compute(session, request, [teryt], runs=200))
    return readiness.publish(session, principal, teryt, run.id, get_settings().base_url)
