"""Bring-your-own-index use cases: check a submission, store it, compute it (in a job), read results.

The computation is exactly the CLI's: :func:`integration.byoi.build_index` then
:func:`integration.byoi.write_outputs`; the CSV files it writes are stored as they are, so the API
and ``miasto index build`` give the same tables byte for byte.
"""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy.orm import Session

from integration.byoi import build_index, write_outputs
from integration.composite.config import parse_config
from integration.composite.tree import UNIT_ID
from service.body import safe_yaml
from service.db import utcnow
from service.errors import NotFound, ValidationProblem, engine_input
from service.indices import repository as repo
from service.indices.models import IndexRun
from service.indices.schemas import IndexOut
from service.jobs.service import create_job
from service.orgs.service import Principal

TEXT_COLUMNS = {UNIT_ID: str, "iCode": str, "Parent": str}


def _one_of(body: dict, records_key: str, text_key: str) -> dict:
    given = [k for k in (records_key, text_key) if body.get(k) is not None]
    if len(given) != 1:
        raise ValidationProblem(
            f"give exactly one of '{records_key}' and '{text_key}'",
            errors=[{"field": records_key, "reason": f"exactly one of {records_key}/{text_key} is required"}],
        )
    return {"records": body[records_key]} if given[0] == records_key else {"csv": body[text_key]}


def frame_of(stored: dict, what: str) -> pd.DataFrame:
    """The table as the engine reads it (identifiers kept as text)."""
    if "records" in stored:
        frame = pd.DataFrame.from_records(stored["records"])
        for column, kind in TEXT_COLUMNS.items():
            if column in frame.columns:
                frame[column] = frame[column].where(frame[column].isna(), frame[column].astype(kind))
        return frame
    try:
        return pd.read_csv(io.StringIO(stored["csv"]), dtype=TEXT_COLUMNS)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValidationProblem(
            f"{what}: cannot read the CSV", errors=[{"field": f"{what}_csv", "reason": str(exc)}]
        ) from None


def config_of(body: dict) -> dict[str, Any]:
    if (body.get("config") is None) == (body.get("config_yaml") is None):
        raise ValidationProblem(
            "give exactly one of 'config' and 'config_yaml'",
            errors=[{"field": "config", "reason": "exactly one of config/config_yaml is required"}],
        )
    raw = body.get("config")
    if raw is None:
        try:
            raw = safe_yaml(body["config_yaml"], "config_yaml")
        except yaml.YAMLError as exc:
            raise ValidationProblem(
                "config_yaml is not YAML/JSON", errors=[{"field": "config_yaml", "reason": str(exc)}]
            ) from None
    if not isinstance(raw, dict):
        raise ValidationProblem(
            "the configuration must be a mapping", errors=[{"field": "config", "reason": "not a mapping"}]
        )
    with engine_input("config"):
        parse_config(raw)  # unknown methods, keys or bad numbers: 422 now, not a failed job later
    return raw


def submit(session: Session, principal: Principal, body: dict) -> IndexRun:
    principal.require("jobs:write")
    data, meta = _one_of(body, "data", "data_csv"), _one_of(body, "meta", "meta_csv")
    config = config_of(body)
    units = len(frame_of(data, "data"))
    frame_of(meta, "meta")
    return repo.add_run(
        session,
        IndexRun(org_id=principal.org_id, name=body.get("name") or "index", data=data, meta=meta, config=config,
                 unit_count=units),
    )  # fmt: skip


def compute(session: Session, run: IndexRun) -> dict[str, str]:
    """Build the index and store every output table (CSV text as ``write_outputs`` writes it)."""
    result = build_index(frame_of(run.data, "data"), frame_of(run.meta, "meta"), dict(run.config))
    with tempfile.TemporaryDirectory(prefix="miasto-index-") as folder:
        written = write_outputs(result, folder)
        tables = {name: Path(path).read_text(encoding="utf-8") for name, path in written.items()}
    repo.add_tables(session, run.id, tables)
    run.status, run.finished_at, run.unit_count = "succeeded", utcnow(), len(result.scores)
    session.flush()
    return tables


def visible_run(session: Session, principal: Principal, run_id: uuid.UUID) -> IndexRun:
    run = repo.get_run(session, run_id)
    if run is None or (run.org_id != principal.org_id and "admin" not in principal.scopes):
        raise NotFound(f"index {run_id} not found")
    return run


def table_records(session: Session, run_id: uuid.UUID, name: str) -> list[dict]:
    row = repo.table(session, run_id, name)
    if row is None:
        return []
    frame = pd.read_csv(io.StringIO(row.content["csv"]), dtype={UNIT_ID: str})
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def start_index(session: Session, principal: Principal, body: dict) -> tuple[IndexRun, Any]:
    """Store a checked submission and its ``index_build`` job (flush only); returns both."""
    run = submit(session, principal, body)
    job = create_job(
        session, principal, kind="index_build", owner_org_id=principal.org_id,
        subject_type="index_run", subject_id=str(run.id), params={"index_id": str(run.id)},
    )  # fmt: skip
    run.job_id = job.id
    session.flush()
    return run, job


def index_view(session: Session, principal: Principal, index_id: uuid.UUID) -> IndexOut:
    """The index: status, scores and ranks of every unit and the names of all intermediate tables."""
    run = visible_run(session, principal, index_id)
    return IndexOut(
        id=run.id, name=run.name, status=run.status, unit_count=run.unit_count, created_at=run.created_at,
        finished_at=run.finished_at, job_url=f"/v1/jobs/{run.job_id}" if run.job_id else None,
        tables=repo.table_names(session, run.id), scores=table_records(session, run.id, "scores"),
        ranks=table_records(session, run.id, "ranks"), url=f"/v1/indices/{run.id}",
    )  # fmt: skip


def table_file(session: Session, principal: Principal, index_id: uuid.UUID, name: str, fmt: str) -> str:
    """One output table of a visible index as CSV text, or as JSON records (``fmt='json'``)."""
    run = visible_run(session, principal, index_id)
    row = repo.table(session, run.id, name)
    if row is None:
        raise NotFound(f"index {index_id} has no table '{name}'")
    if fmt == "json":
        return json.dumps(table_records(session, run.id, name))
    return str(row.content["csv"])
