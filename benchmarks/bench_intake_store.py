"""Intake end to end: parse + validate + store a 50,000-building CSV, on SQLite and on PostgreSQL.

Run ``python benchmarks/bench_intake_store.py`` (``MIASTO_BENCH_QUICK=1`` for 5,000 rows). The
baseline, measured in the same run, is ``pandas.read_csv`` of the same bytes (see bench_intake.py);
the storage step is the service's own repository (one version, bulk insert, one commit).
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_intake import ROWS, run  # noqa: E402

from service.db import make_engine, session_factory  # noqa: E402
from service.inventory import repository  # noqa: E402
from service.inventory.models import Inventory  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from service.orgs.models import Organisation  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def make_store(url: str):  # type: ignore[no-untyped-def]
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as s:
        # a tenant without a TERYT code, so that repeated runs do not collide on it
        org = Organisation(kind="advisor", name=f"bench {uuid.uuid4().hex[:6]}", teryt=None)
        s.add(org)
        s.commit()
        org_id = org.id

    def store(parsed):  # type: ignore[no-untyped-def]
        with sessions() as s:
            inventory = Inventory(org_id=org_id, name="bench")
            s.add(inventory)
            s.flush()
            rows = [int(r) for r in parsed.source_rows]
            repository.add_version(
                s, inventory, parsed.buildings, rows, created_by=org_id, source_format="csv", warnings=[]
            )
            s.commit()

    return store


def read_csv_to_sql_seconds(url: str) -> float:
    """The named baseline: ``pandas.read_csv`` of the same CSV bytes and ``DataFrame.to_sql`` into a
    scratch table of the same database (no validation, no JSON record), best of 3."""
    import io
    import time

    import pandas as pd
    import sqlalchemy as sa
    from bench_intake import synthetic_inventory, to_csv_bytes

    content = to_csv_bytes(synthetic_inventory(ROWS))
    engine = sa.create_engine(url)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        pd.read_csv(io.BytesIO(content)).to_sql("bench_to_sql", engine, if_exists="replace", index=False)
        best = min(best, time.perf_counter() - start)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS bench_to_sql"))
    engine.dispose()
    return best


def main() -> None:
    targets = [("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.db")]
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2).close()
        targets.append(("PostgreSQL", PG_URL))
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL not reachable ({type(exc).__name__}); measuring SQLite only")
    for name, url in targets:
        print(f"\n== {name}: parse + validate + store, {ROWS:,} buildings")
        store = make_store(url)
        results = run(store=store)
        to_sql_s = read_csv_to_sql_seconds(url)
        csv_total = next(r["intake_s"] + r["store_s"] for r in results if r["format"] == "csv (comma)")
        print(
            f"{name:10} baseline pandas.read_csv + DataFrame.to_sql of the same {ROWS:,} rows: {to_sql_s:.2f} s; "
            f"csv (comma) end to end {csv_total:.2f} s = {csv_total / to_sql_s:.2f}x (goal <= 2x)"
        )
        for r in results:
            if r["store_s"]:
                total = r["intake_s"] + r["store_s"]
                print(
                    f"{name:10} {r['format']:38} end to end {total:6.2f} s = {r['rows'] / total:>9,.0f} rows/s; "
                    f"{total / r['baseline_s']:.1f}x the {r['baseline']} baseline"
                )


if __name__ == "__main__":
    main()
