"""The fixed identifiers of the demo records: the same on every machine, so that the OpenAPI's "Try it out"
examples name records that exist once ``miasto demo`` (``make run``) has loaded the demo city.

Plain constants (uuid5 of a fixed namespace and a name); importing this module loads nothing.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6d1a0e36-3c7b-5f0e-9a51-6d6961737430")  # fixed once for miasto's demo


def demo_id(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def job_of(subject_id: uuid.UUID) -> uuid.UUID:
    """The fixed id of the job that computed a demo record."""
    return uuid.uuid5(subject_id, "job")


CITY_ORG = demo_id("org:city:0663011")
ADVISOR_ORG = demo_id("org:advisor")
INVENTORY = demo_id("inventory")
ASSESSMENT = demo_id("assessment")
PORTFOLIO_SMALL = demo_id("portfolio:2-mln")
PORTFOLIO_LARGE = demo_id("portfolio:6-mln")
READINESS_RUN = demo_id("readiness-run")
ASSESSMENT_JOB = job_of(ASSESSMENT)
TERYT = "0663011"
SNAPSHOT = f"rs-{TERYT}-0001"
