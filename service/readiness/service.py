"""Readiness use cases: submit values, merge sources, compute and store scores, publish snapshots."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from sqlalchemy.orm import Session

from integration.readiness import ArrivalScenario, load_framework, load_reference_data
from integration.readiness.framework import Framework
from integration.readiness.score import compute_readiness
from service.db import utcnow
from service.errors import Conflict, NotFound, UnsupportedMediaType, ValidationProblem, engine_input
from service.jobs.service import create_job
from service.orgs.service import Principal, access_level, require_access, visible_cities
from service.readiness import repository as repo
from service.readiness.intake import SubmissionError, read_submission, validate_submission
from service.readiness.models import (
    ORIGINS,
    ReadinessPublication,
    ReadinessScore,
    ReadinessScoreRun,
    ReadinessSubmission,
)
from service.readiness.public_schema import PublicSnapshot
from service.readiness.results import config_hash, score_rows
from service.readiness.schemas import RunOut, ScoreOut, ValueOut, ValuesOut
from service.teryt import gmina_name
from service.transactions import transaction

# One city is computed in the request, with up to SYNC_MAX_RUNS uncertainty runs (the Monte Carlo is
# vectorised: 1,000 runs of one gmina take about 0.25 s, measured like the engine's 0 runs); the rest is a job.
SYNC_MAX_UNITS = 1
SYNC_MAX_RUNS = 1000


@lru_cache(maxsize=1)
def framework() -> Framework:
    return load_framework()


@lru_cache(maxsize=1)
def reference_values() -> pd.DataFrame:
    ref = load_reference_data()[["teryt", "indicator", "value", "year", "source"]].copy()
    ref = ref.dropna(subset=["value"])
    return ref.assign(origin="reference", created_at=pd.NaT, superseded_at=pd.NaT, version=pd.NA)


def check_city(session: Session, principal: Principal, teryt: str, need: str) -> None:
    """Own (the city), plan/read (a granted advisor) or admin; gminas without a tenant: admin only."""
    principal.require("readiness:read" if need == "read" else "readiness:write")
    org = repo.city_org(session, teryt)
    if org is None:
        if "admin" not in principal.scopes:
            raise NotFound(f"gmina {teryt} not found")
        return
    require_access(session, principal, org.id, need, f"gmina {teryt}")


def submit_values(
    session: Session, principal: Principal, teryt: str, content: bytes, content_type: str
) -> tuple[ReadinessSubmission, int, int]:
    """Validate a city's submission (all errors at once) and store it as a new version."""
    check_city(session, principal, teryt, "plan")
    try:
        frame, rows = read_submission(content, content_type)
    except LookupError as exc:
        raise UnsupportedMediaType(str(exc)) from None
    except SubmissionError as exc:
        raise ValidationProblem(exc.detail, errors=exc.errors) from None
    org = repo.city_org(session, teryt)
    default_source = f"city-reported: {org.name if org else teryt}"
    try:
        clean = validate_submission(frame, rows, framework(), default_source)
    except SubmissionError as exc:
        raise ValidationProblem(exc.detail, errors=exc.errors) from None
    before = repo.stored_values(session, [teryt])
    keys = set(zip(clean["indicator"], clean["year"], strict=True))
    mine = before[before["origin"] == "city"]
    superseded = sum((i, int(y)) in keys for i, y in zip(mine["indicator"], mine["year"], strict=True))
    fmt = "csv" if content_type in ("text/csv", "application/csv", "text/plain") else "json"
    (sub,) = repo.store_values(session, clean.assign(teryt=teryt), "city", principal.org_id, fmt)
    return sub, len(clean), superseded


def merged_values(session: Session, teryts: list[str] | None, history: bool = False) -> pd.DataFrame:
    """Reference, BDL and city values side by side, with ``used`` marking what enters the score.

    Within one (teryt, indicator, year) the city-reported value wins over a BDL import, which wins
    over the packaged reference; among years the latest is used (as the engine does).
    """
    ref = reference_values()
    if teryts is not None:
        ref = ref[ref["teryt"].isin(teryts)]
    stored = repo.stored_values(session, teryts, history=history)
    frames = [f for f in (ref, stored) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*repo.VALUE_COLUMNS, "used"])
    both = pd.concat(frames, ignore_index=True)
    both["year"] = both["year"].astype("Int64")
    current = both["superseded_at"].isna()
    prio = both["origin"].map({o: i for i, o in enumerate(ORIGINS)})
    order = both.assign(_cur=current, _p=prio, _y=both["year"].astype(float).fillna(-np.inf))
    order = order.sort_values(["_cur", "teryt", "indicator", "_y", "_p"], kind="stable")
    winners = order[order["_cur"]].drop_duplicates(["teryt", "indicator"], keep="last").index
    both["used"] = both.index.isin(winners)
    return both


def _scenario(request: dict) -> ArrivalScenario | None:
    spec = request.get("scenario")
    if not spec:
        return None
    fields = {k: v for k, v in spec.items() if k not in ("scenario_id", "label", "labels") and v is not None}
    return ArrivalScenario.build(**fields)


def compute(session: Session, request: dict, teryts: list[str], runs: int | None = None):
    """Run the engine on the merged values of ``teryts`` (its ReadinessInputError: a 422 by the handler)."""
    values = merged_values(session, teryts)
    used = values[values["used"]] if not values.empty else values
    missing = sorted(set(teryts) - set(used["teryt"]))
    if missing:
        raise ValidationProblem(
            f"no indicator values for {len(missing)} gmina(s): {', '.join(missing[:10])}",
            errors=[{"field": "teryts", "value": t, "reason": "no indicator values"} for t in missing[:100]],
        )
    with engine_input(field="scenario/weights/methods"):
        result = compute_readiness(
            used[["teryt", "indicator", "value", "year", "source"]],
            scenario=_scenario(request),
            framework=framework(),
            weights=request.get("weights"),
            methods=request.get("methods"),
            uncertainty_runs=request.get("uncertainty_runs", 0) if runs is None else runs,
        )
    population = used[used["indicator"] == "population"].set_index("teryt")["value"]
    return result, population


def store_result(session: Session, run: ReadinessScoreRun, result, population) -> None:
    rows = score_rows(result, population)
    repo.add_scores(session, run, rows)
    run.status, run.unit_count, run.finished_at = "succeeded", len(rows), utcnow()
    run.methodology_version = result.framework.version
    run.config_hash = config_hash(result.framework.config_hash(), run.request)
    session.flush()


def start_scores(session: Session, principal: Principal, request: dict) -> tuple[ReadinessScoreRun, bool]:
    """Check access and inputs; compute in-line (one city, no runs) or leave the run for a job.

    Returns the run and whether a job must be dispatched (more than one gmina, or more than
    :data:`SYNC_MAX_RUNS` uncertainty runs). Inputs of a job are checked up front on the
    first gmina (bad scenario, weights or methods fail now with 422, not later in the job).
    """
    teryts = list(dict.fromkeys(request["teryts"]))
    principal.require("readiness:write")
    if "admin" not in principal.scopes:  # one query for all gminas, then the (few) tenants' grants
        orgs = repo.city_orgs(session, teryts)
        for teryt in teryts:
            if teryt not in orgs:
                raise NotFound(f"gmina {teryt} not found")
            require_access(session, principal, orgs[teryt].id, "plan", f"gmina {teryt}")
    sync = len(teryts) <= SYNC_MAX_UNITS and int(request.get("uncertainty_runs") or 0) <= SYNC_MAX_RUNS
    if not sync:
        principal.require("jobs:write")
    run = repo.add_run(session, principal.org_id, request, teryts)
    if sync:
        store_result(session, run, *compute(session, request, teryts))
        return run, False
    compute(session, request, teryts[:1], runs=0)
    return run, True


def visible_run(session: Session, principal: Principal, run_id: uuid.UUID) -> ReadinessScoreRun:
    run = repo.get_run(session, run_id)
    if run is None or (run.org_id != principal.org_id and "admin" not in principal.scopes):
        raise NotFound(f"score run {run_id} not found")
    return run


def municipality_name(session: Session, teryt: str) -> str:
    org = repo.city_org(session, teryt)
    return gmina_name(teryt) or (org.name if org else f"gmina {teryt}")


def _snapshot(session, teryt, score, run, seq, previous, base_url: str) -> dict:
    scen = (run.request or {}).get("scenario") or {}
    arrivals = float(scen.get("arrivals", 0))
    pop = score.vintage.get("population_persons")
    pillars = [
        {"code": p, **{k: score.pillars[p][k] for k in
                       ("score", "interval_low", "interval_high", "indicators_present", "indicators_total")}}
        for p in framework().pillars.index
    ]  # fmt: skip
    cov = score.coverage
    return {
        "snapshot_id": f"rs-{teryt}-{seq:04d}",
        "supersedes": previous,
        "teryt": teryt,
        "municipality_name": municipality_name(session, teryt),
        "methodology_version": run.methodology_version,
        "methodology_url": f"{base_url.rstrip('/')}/v1/public/methodology?lang=pl",
        "config_hash": run.config_hash,
        "published_at": utcnow(),
        "data_vintage": {"min_year": score.vintage.get("min_year"), "max_year": score.vintage.get("max_year")},
        "interval_probability": 0.9,
        "overall": score.pillars["overall"],
        "pillars": pillars,
        "coverage": {"indicators_present": sum(p["indicators_present"] for p in pillars),
                     "indicators_total": sum(p["indicators_total"] for p in pillars),
                     "imputed": cov.get("imputed", []), "stale": cov.get("stale", [])},
        "scenario": {"scenario_id": scen.get("scenario_id", f"arrivals-{int(round(arrivals))}" if scen
                                             else "no-scenario"),
                     "label": scen.get("label", f"{int(round(arrivals)):,} new residents".replace(",", "\u00a0"))
                     if scen else "No arrival scenario",
                     "labels": scen.get("labels") or None,
                     "arrivals_persons": int(round(arrivals)),
                     "arrivals_per_1000_residents": round(1000 * arrivals / pop, 2) if pop else None},
    }  # fmt: skip


#: fewest uncertainty runs a published interval may rest on: the 5th and 95th percentiles of fewer
#: Monte Carlo draws move by several score points from one computation to the next (engineering choice,
#: stated in the methodology; the demo publishes 200)
MIN_PUBLISH_RUNS = 100


def _publishable(
    session: Session, principal: Principal, teryt: str, run_id: uuid.UUID
) -> tuple[ReadinessScoreRun, ReadinessScore]:
    """The run and its score of ``teryt`` if they may go public: finished, with uncertainty intervals."""
    check_city(session, principal, teryt, "plan")
    run = visible_run(session, principal, run_id)
    if run.finished_at is None or run.status != "succeeded":
        raise Conflict(f"score run {run_id} has not finished (status {run.status}); publish it when it has")
    # A well-formed request naming a run that cannot go public is a 409: the run's state decides,
    # not the request (no schema can know which runs cover a gmina or carry intervals).
    found = repo.run_scores(session, run.id, teryt)
    if not found:
        raise Conflict(
            f"score run {run_id} has no score of gmina {teryt}",
            errors=[
                {"field": "run_id", "value": str(run_id), "reason": f"the run does not cover gmina {teryt}"}
            ],
        )
    runs = int((run.request or {}).get("uncertainty_runs") or 0)
    if runs < MIN_PUBLISH_RUNS:
        raise Conflict(
            f"score run {run_id} has {runs} uncertainty runs; a published score states its uncertainty "
            f"interval, which needs at least {MIN_PUBLISH_RUNS}: compute the scores again with "
            f"uncertainty_runs >= {MIN_PUBLISH_RUNS}",
            errors=[{"field": "run_id", "value": str(run_id),
                     "reason": f"uncertainty_runs {runs} < {MIN_PUBLISH_RUNS}: no interval to publish"}],
        )  # fmt: skip
    return run, found[0]


def _validated_snapshot(
    session: Session, teryt: str, score, run, base_url: str
) -> tuple[PublicSnapshot, int]:
    """The next snapshot of ``teryt`` (validated against the public contract) and its sequence number."""
    previous = repo.latest_publication(session, teryt)
    seq = (previous.seq if previous else 0) + 1
    raw = _snapshot(session, teryt, score, run, seq, previous.snapshot_id if previous else None, base_url)
    try:
        return PublicSnapshot.model_validate(raw), seq
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])), "value": e.get("input"), "reason": e["msg"]}
                  for e in exc.errors()]  # fmt: skip
        raise Conflict(
            f"the scores of gmina {teryt} cannot be published (missing pillar scores or data years?)",
            errors=errors,
        ) from None


def preview_snapshot(
    session: Session, principal: Principal, teryt: str, run_id: uuid.UUID, base_url: str
) -> PublicSnapshot:
    """Exactly the snapshot that :func:`publish` would freeze from ``run_id`` now, without storing it."""
    run, score = _publishable(session, principal, teryt, run_id)
    return _validated_snapshot(session, teryt, score, run, base_url)[0]


def publish(
    session: Session, principal: Principal, teryt: str, run_id: uuid.UUID, base_url: str
) -> ReadinessPublication:
    """Freeze the scores of ``teryt`` in the named run into an immutable public snapshot.

    The run is always named (never "the latest"): a what-if run must not go public by accident.
    """
    run, score = _publishable(session, principal, teryt, run_id)
    snap, seq = _validated_snapshot(session, teryt, score, run, base_url)
    return repo.add_publication(
        session,
        ReadinessPublication(
            snapshot_id=snap.snapshot_id, teryt=teryt, seq=seq, score_id=score.id,
            published_by_org_id=principal.org_id, published_at=snap.published_at,
            snapshot=snap.model_dump(mode="json"),
        ),
    )  # fmt: skip


def withdraw(
    session: Session, principal: Principal, teryt: str, snapshot_id: str, reason: str
) -> ReadinessPublication:
    """Withdraw a publication: the public endpoints answer 410 (with the date) while it is the latest."""
    check_city(session, principal, teryt, "plan")
    pub = repo.publication(session, teryt, snapshot_id)
    if pub is None:
        raise NotFound(f"no publication {snapshot_id} of gmina {teryt}")
    if pub.withdrawn_at is not None:
        raise Conflict(f"publication {snapshot_id} was already withdrawn on {pub.withdrawn_at:%Y-%m-%d}")
    pub.withdrawn_at, pub.withdrawn_reason, pub.withdrawn_by_org_id = utcnow(), reason, principal.org_id
    session.flush()
    return pub


def publications(session: Session, principal: Principal, teryt: str) -> list[ReadinessPublication]:
    check_city(session, principal, teryt, "read")
    return repo.publications(session, teryt)


def public_history(session: Session, teryt: str) -> list[dict[str, Any]]:
    """What was published for ``teryt`` and when, newest first (public: no key)."""
    return [
        {"snapshot_id": p.snapshot_id, "seq": p.seq, "published_at": p.published_at,
         "supersedes": p.snapshot.get("supersedes"), "score": (p.snapshot.get("overall") or {}).get("score"),
         "methodology_version": p.snapshot.get("methodology_version"),
         "withdrawn_at": p.withdrawn_at, "withdrawn_reason": p.withdrawn_reason,
         "current": i == 0 and p.withdrawn_at is None}
        for i, p in enumerate(repo.publications(session, teryt))
    ]  # fmt: skip


def runs_for(session: Session, principal: Principal, teryt: str) -> list[ReadinessScoreRun]:
    """The caller's own score runs that cover ``teryt``, newest first (what it may publish from)."""
    check_city(session, principal, teryt, "read")
    return [r for r in repo.runs_of_org(session, principal.org_id) if teryt in (r.teryts or [])]


def access_of(session: Session, principal: Principal, teryt: str) -> str | None:
    """The caller's level on the gmina's data ('own', 'plan', 'read'), None when it may not see it."""
    org = repo.city_org(session, teryt)
    if org is None:
        return "own" if "admin" in principal.scopes else None
    return access_level(session, principal, org.id)


def gminas_overview(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every gmina the caller sees (its cities with a TERYT), the access level and the public state."""
    principal.require("readiness:read")
    out = []
    for org, level in visible_cities(session, principal):
        if org.teryt is None:
            continue
        latest = repo.latest_publication(session, org.teryt)
        out.append({
            "teryt": org.teryt, "name": municipality_name(session, org.teryt), "level": level,
            "publication": latest,
            "score": (latest.snapshot.get("overall") or {}).get("score") if latest else None,
        })  # fmt: skip
    return out


def report_data(
    session: Session,
    principal: Principal,
    run_id: uuid.UUID | None,
    teryt: str,
    snapshot_id: str | None = None,
) -> dict[str, Any]:
    """What the readiness diagnosis shows for ``teryt``: from a chosen run, or from the run behind a
    publication (``snapshot_id``). 404 for another tenant's run; 409 while the run computes."""
    publication = None
    if snapshot_id is not None:
        check_city(session, principal, teryt, "read")
        publication = next(
            (p for p in repo.publications(session, teryt) if p.snapshot_id == snapshot_id), None
        )
        if publication is None:
            raise NotFound(f"no publication {snapshot_id} of gmina {teryt}")
        score = session.get(ReadinessScore, publication.score_id)
        run = repo.get_run(session, score.run_id) if score else None
    else:
        run = visible_run(session, principal, run_id)  # type: ignore[arg-type]
        rows = repo.run_scores(session, run.id, teryt)
        score = rows[0] if rows else None
        if run.finished_at is None:
            raise Conflict(f"score run {run_id} has not finished (see its job)")
    if run is None or score is None:
        raise NotFound(f"no score of gmina {teryt} in this run")
    values = merged_values(session, [teryt])
    used = values[values["used"]] if not values.empty else values
    return {
        "run": run, "score": score, "teryt": teryt, "municipality": municipality_name(session, teryt),
        "values": used, "framework": framework(), "publication": publication,
    }  # fmt: skip


def publish_now(
    session: Session, principal: Principal, teryt: str, run_id: uuid.UUID, base_url: str
) -> ReadinessPublication:
    """:func:`publish` and commit, so that the caller may drop the served copies knowing that a
    reader who refills them sees the new snapshot (409 on a lost race)."""
    with transaction(session):
        return publish(session, principal, teryt, run_id, base_url)


def withdraw_now(
    session: Session, principal: Principal, teryt: str, snapshot_id: str, reason: str
) -> ReadinessPublication:
    """:func:`withdraw` and commit (see :func:`publish_now`)."""
    with transaction(session):
        return withdraw(session, principal, teryt, snapshot_id, reason)


def submit_values_now(
    session: Session, principal: Principal, teryt: str, content: bytes, content_type: str
) -> tuple[ReadinessSubmission, int, int]:
    """:func:`submit_values` and commit (the workspace redirects next); a rejected one stores nothing."""
    with transaction(session):
        return submit_values(session, principal, teryt, content, content_type)


def score_now(session: Session, principal: Principal, request: dict) -> ReadinessScoreRun:
    """:func:`start_scores` computed in the request and committed (the workspace's scenario form).

    A request that would need a job is refused with 422 and nothing is stored (the form caps the
    runs so that one gmina is computed in the request)."""
    with transaction(session):
        run, as_job = start_scores(session, principal, request)
        if as_job:
            raise ValidationProblem(
                "the workspace computes one gmina in the request only",
                errors=[{"row": None, "field": "uncertainty_runs", "value": request.get("uncertainty_runs"),
                         "reason": f"must be <= {SYNC_MAX_RUNS}"}],
            )  # fmt: skip
    return run


def run_view(session: Session, principal: Principal, run_id: uuid.UUID) -> RunOut:
    return RunOut.model_validate(visible_run(session, principal, run_id))  # two queries: the run, its scores


def post_scores(session: Session, principal: Principal, request: dict) -> tuple[RunOut | None, Any]:
    """:func:`start_scores` for the API: a run computed in the request comes back as ``(RunOut, None)``;
    one left for a job as ``(None, job)`` with the ``readiness_scores`` job stored (flush only)."""
    run, as_job = start_scores(session, principal, request)
    if not as_job:
        return RunOut.model_validate(run), None
    job = create_job(
        session, principal, kind="readiness_scores", owner_org_id=principal.org_id,
        subject_type="readiness_score_run", subject_id=str(run.id), params={"run_id": str(run.id)},
    )  # fmt: skip
    run.job_id = job.id
    session.flush()
    return None, job


def latest_score_view(session: Session, principal: Principal, teryt: str) -> ScoreOut:
    """The most recently computed scores of a visible gmina (404 when none were computed)."""
    check_city(session, principal, teryt, "read")
    row = repo.latest_score(session, teryt)
    if row is None:
        raise NotFound(f"no scores computed for gmina {teryt}")
    return ScoreOut.model_validate(row)


def indicator_values(session: Session, principal: Principal, teryt: str, history: bool) -> ValuesOut:
    """Every value of a visible gmina with its source and origin; ``used`` marks the scored ones."""
    check_city(session, principal, teryt, "read")
    frame = merged_values(session, [teryt], history=history)
    frame = frame.sort_values(["indicator", "year", "origin"], na_position="first")
    values = [
        ValueOut(
            indicator=r.indicator, value=r.value, year=None if r.year is None else int(r.year),
            source=r.source, origin=r.origin, version=None if r.origin == "reference" else int(r.version),
            recorded_at=None if r.origin == "reference" else r.created_at,
            superseded_at=r.superseded_at,
            used=bool(r.used),
        )
        for r in frame.astype(object).where(frame.notna(), None).itertuples()
    ]  # fmt: skip
    return ValuesOut(teryt=teryt, count=len(values), values=values)
