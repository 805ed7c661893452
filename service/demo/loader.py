"""Load the demo city (Lublin, illustrative buildings) with its inventory and two keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service import example_ids as ids
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


def load_demo(progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Idempotent: creates the organisations and inventory once; creates fresh keys on every call.

    ``progress`` gets one line per step that takes a while (the CLI prints them)."""
    say = progress or (lambda _line: None)
    settings = get_settings()
    with session_scope() as s:
        city = s.scalar(select(Organisation).where(Organisation.teryt == DEMO_CITY["teryt"]))
        if city is None:
            city = create_org(s, "city", DEMO_CITY["name"], DEMO_CITY["teryt"], org_id=ids.CITY_ORG)
        advisor = s.scalar(select(Organisation).where(Organisation.name == DEMO_ADVISOR))
        if advisor is None:
            advisor = create_org(s, "advisor", DEMO_ADVISOR, org_id=ids.ADVISOR_ORG)
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
            inventory = Inventory(id=ids.INVENTORY, org_id=city.id, name=DEMO_INVENTORY)
            s.add(inventory)
            s.flush()
            repository.add_version(
                s, inventory, buildings, rows, created_by=city.id, source_format=fmt, warnings=warnings
            )
        publication = _publish_readiness(s, city)
        _, city_key = create_key(s, city, label="demo")
        _, advisor_key = create_key(s, advisor, label="demo")
        version = repository.get_version(s, inventory.id, inventory.latest_version)
        info = {
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
        city_id, inventory_id = city.id, inventory.id
    return {**info, **_assess_and_plan(city_id, inventory_id, say)}


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
    if city.id == ids.CITY_ORG:  # a database the demo created: its documented run id
        run.id = ids.READINESS_RUN
        session.flush()
    readiness.store_result(session, run, *readiness.compute(session, request, [teryt], runs=200))
    return readiness.publish(session, principal, teryt, run.id, get_settings().base_url)


def _city_principal(city_id: Any) -> Any:
    import uuid as _uuid

    from service.orgs.keys import DEFAULT_SCOPES
    from service.orgs.service import Principal

    return Principal(
        org_id=city_id, org_kind="city", key_id=_uuid.uuid4(), scopes=frozenset(DEFAULT_SCOPES["city"])
    )


#: the demo's two plans: a small and a large single budget, with the 2024 thermo-modernisation bonus
DEMO_PLANS = (
    (ids.PORTFOLIO_SMALL, "Plan 2 mln zł (demo)", 2_000_000),
    (ids.PORTFOLIO_LARGE, "Plan 6 mln zł (demo)", 6_000_000),
)


def _assess_and_plan(city_id: Any, inventory_id: Any, say: Callable[[str], None]) -> dict[str, Any]:
    """An assessment of the demo inventory and two plans, computed once with their documented ids
    (``service.demo.ids``) so that every OpenAPI example names a record that exists. Idempotent:
    only on a database whose demo inventory has the documented id, and only what is missing."""
    from service.assessments import repository as assessment_repo
    from service.assessments import service as assessments
    from service.assessments.schemas import AssessmentRequest
    from service.jobs.runner import run_job
    from service.portfolios import repository as portfolio_repo
    from service.portfolios import service as portfolios
    from service.portfolios.schemas import PortfolioRequest

    if inventory_id != ids.INVENTORY:  # an older demo database with random ids: leave it as it is
        return {"assessment_id": None, "portfolio_ids": []}
    principal = _city_principal(city_id)
    jobs = []
    with session_scope() as s:
        if assessment_repo.get_assessment(s, ids.ASSESSMENT) is None:
            _, job = assessments.start_assessment(
                s,
                principal,
                ids.INVENTORY,
                AssessmentRequest(),
                fixed_ids=(ids.ASSESSMENT, ids.ASSESSMENT_JOB),
            )
            jobs.append(job.id)
    for job_id in jobs:
        say("  computing the demo assessment (40 buildings, once) ...")
        run_job(job_id)
    jobs = []
    with session_scope() as s:
        for plan_id, name, budget in DEMO_PLANS:
            if portfolio_repo.get_portfolio(s, plan_id) is not None:
                continue
            body = PortfolioRequest.model_validate({
                "name": name, "assessment_id": str(ids.ASSESSMENT), "objective": "max_co2",
                "budget_pln": budget,
                "programmes": [{"programme_id": "thermo_bonus_2024", "share_of_eligible_cost": 0.26}],
            })  # fmt: skip
            _, job = portfolios.start_portfolio(
                s, principal, body, "portfolio", fixed_ids=(plan_id, ids.job_of(plan_id))
            )
            jobs.append(job.id)
    for i, job_id in enumerate(jobs, 1):
        say(f"  solving demo plan {i} of {len(jobs)} (once, about 10 s) ...")
        run_job(job_id)
    return {"assessment_id": str(ids.ASSESSMENT), "portfolio_ids": [str(p[0]) for p in DEMO_PLANS]}
