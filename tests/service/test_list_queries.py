"""Every list endpoint issues the same number of SQL statements for 1 item as for 50 (no N+1).

Rows are stored straight through the models (fast, and each one with what its list shows: an
assessment or portfolio with its job, a grant with its own advisor); the statements are counted with
SQLAlchemy's ``before_cursor_execute`` on the application's engine.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from service.assessments.models import Assessment, Climate
from service.inventory.models import Inventory, InventoryVersion
from service.jobs.models import Job
from service.orgs.models import Grant
from service.orgs.service import create_org
from service.portfolios.models import Portfolio
from service.readiness.models import ReadinessPublication, ReadinessScore, ReadinessScoreRun

TERYT = "0663011"  # the tenants' city (tests/conftest.py)


@contextmanager
def counted(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # the app's job sweep shares the engine and wakes on its own clock: its statements are not the request's
        if threading.current_thread().name != "miasto-job-sweep":
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class Seed:
    """Adds n rows of one kind to the tenants' city, with whatever each listed row points at."""

    def __init__(self, session, city_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
        self.s, self.city = session, city_id
        self.inventory = Inventory(org_id=city_id, name="base", latest_version=1)
        self.s.add(self.inventory)
        self.s.flush()
        self.version = self._version(1)
        self.run = ReadinessScoreRun(org_id=city_id, request={}, teryts=[TERYT], status="succeeded")
        self.s.add(self.run)
        self.s.flush()
        self.count = 0

    def _version(self, number: int) -> InventoryVersion:
        version = InventoryVersion(
            inventory_id=self.inventory.id, version=number, created_by_org_id=self.city,
            source_format="csv", building_count=1, heated_area_m2=100.0,
        )  # fmt: skip
        self.s.add(version)
        self.s.flush()
        return version

    def _job(self, subject_type: str) -> Job:
        job = Job(kind="noop", org_id=self.city, owner_org_id=self.city, subject_type=subject_type,
                  subject_id=str(uuid.uuid4()), status="running")  # fmt: skip
        self.s.add(job)
        self.s.flush()
        return job

    def inventories(self) -> None:
        self.s.add(Inventory(org_id=self.city, name=f"inventory {self.count}", latest_version=0))

    def versions(self) -> None:
        self.inventory.latest_version += 1
        self._version(self.inventory.latest_version)

    def assessments(self) -> None:
        self.s.add(
            Assessment(
                owner_org_id=self.city, created_by_org_id=self.city, inventory_id=self.inventory.id,
                version_id=self.version.id, inventory_version=1, job_id=self._job("assessment").id,
                city_lat=51.25, city_lon=22.57, city_location_source="test",
            )
        )  # fmt: skip

    def portfolios(self) -> None:
        self.s.add(
            Portfolio(
                owner_org_id=self.city, created_by_org_id=self.city, name=f"plan {self.count}",
                inventory_id=self.inventory.id, version_id=self.version.id, inventory_version=1,
                job_id=self._job("portfolio").id,
            )
        )  # fmt: skip

    def jobs(self) -> None:
        self._job("assessment")

    def grants(self) -> None:
        advisor = create_org(self.s, "advisor", f"Doradca {self.count}")
        self.s.add(Grant(city_org_id=self.city, advisor_org_id=advisor.id, access="read"))

    def climates(self) -> None:
        self.s.add(
            Climate(
                org_id=self.city, name=f"climate {self.count}", filename="tmy.csv", file_format="csv",
                content=b"-", source="test", period="2005-2020", lat=51.25, lon=22.57, altitude_m=200.0,
                ghi_kwh_m2_per_year=1100.0, mean_temp_air_c=8.5,
            )
        )  # fmt: skip

    def publications(self) -> None:
        score = ReadinessScore(
            run_id=self.run.id, teryt=TERYT, score=50.0, pillars={}, coverage={}, vintage={}
        )
        if self.count:  # one score per (run, gmina): the later publications freeze other runs
            run = ReadinessScoreRun(org_id=self.city, request={}, teryts=[TERYT], status="succeeded")
            self.s.add(run)
            self.s.flush()
            score.run_id = run.id
        self.s.add(score)
        self.s.flush()
        self.s.add(
            ReadinessPublication(snapshot_id=f"rs-{TERYT}-{self.count + 1:04d}", teryt=TERYT,
                                 seq=self.count + 1, score_id=score.id, snapshot={"supersedes": None})
        )  # fmt: skip

    def add(self, kind: str, n: int) -> None:
        for _ in range(n):
            getattr(self, kind)()
            self.count += 1
        self.s.flush()


LISTS: dict[str, Callable[[Seed], str]] = {
    "inventories": lambda seed: "/v1/inventories",
    "versions": lambda seed: f"/v1/inventories/{seed.inventory.id}/versions",
    "assessments": lambda seed: f"/v1/inventories/{seed.inventory.id}/assessments",
    "portfolios": lambda seed: "/v1/portfolios",
    "jobs": lambda seed: "/v1/jobs?limit=100",
    "grants": lambda seed: "/v1/grants",
    "climates": lambda seed: "/v1/climates",
    "publications": lambda seed: f"/v1/readiness/{TERYT}/publications",
}


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_list_endpoint_issues_as_many_statements_for_50_items_as_for_1(kind, app_and_tenants, client):
    app, tenants = app_and_tenants
    with app.state.session_factory() as session:
        seed = Seed(session, tenants.city_id)
        seed.add(kind, 1)
        session.commit()
        url = LISTS[kind](seed)

        def statements_of_one_get() -> tuple[int, int]:
            with counted(app.state.engine) as statements:
                response = client.get(url, headers=tenants.h(tenants.city_key))
            assert response.status_code == 200, response.text
            body = response.json()
            items = body if isinstance(body, list) else body["items"]
            return len(items), len(statements)

        items_1, statements_1 = statements_of_one_get()
        seed.add(kind, 49)
        session.commit()
        items_50, statements_50 = statements_of_one_get()
    assert items_50 - items_1 == 49
    assert statements_50 == statements_1, (
        f"{kind}: {statements_1} statements for 1 item, {statements_50} for 50"
    )
