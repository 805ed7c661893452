"""The ``miasto`` command line: serve, worker, migrate, demo, organisations, keys, grants."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from service.db import session_scope

app = typer.Typer(
    help="miasto: energy transition and refugee readiness for Polish cities.", no_args_is_help=True
)
org_app = typer.Typer(help="Organisations (city, advisor, portal, admin) and grants.", no_args_is_help=True)
key_app = typer.Typer(help="API keys: create (shown once) and revoke.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(key_app, name="key")

JsonOpt = Annotated[bool, typer.Option("--json", help="print machine-readable JSON")]


def _emit(as_json: bool, payload: dict[str, Any], text: str) -> None:
    typer.echo(json.dumps(payload, default=str) if as_json else text)


def _fail(exc: Exception, as_json: bool = False) -> None:
    detail = getattr(exc, "detail", str(exc))
    if as_json:
        typer.echo(
            json.dumps(
                {"error": type(exc).__name__, "detail": detail, "errors": getattr(exc, "errors", [])},
                default=str,
            )
        )
    else:
        typer.echo(f"error: {detail}", err=True)
    raise typer.Exit(code=2)


@app.command()
def migrate() -> None:
    """Apply database migrations (MIASTO_DATABASE_URL)."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade()
    typer.echo(f"database migrated: {get_settings().database_url.split('@')[-1]}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Start the API with uvicorn."""
    import uvicorn

    uvicorn.run("service.asgi:app", host=host, port=port, workers=workers, log_level="warning")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="worker processes")] = 2,
    loglevel: Annotated[str, typer.Option(help="Celery log level")] = "INFO",
) -> None:
    """Start a Celery worker that runs jobs from MIASTO_BROKER_URL."""
    from service.jobs.celery_app import celery_app
    from service.jobs.registry import load_kinds
    from service.settings import get_settings

    if not get_settings().broker_url:
        typer.echo("error: set MIASTO_BROKER_URL (for example redis://127.0.0.1:6379/0)", err=True)
        raise typer.Exit(code=2)
    load_kinds()
    celery_app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "-Q",
            "miasto",
            "--without-gossip",
            "--without-mingle",
            # one name per process: several workers on one host are counted apart (service.jobs.fanout)
            f"--hostname=miasto-{os.getpid()}@%h",
        ]
    )


@org_app.command("create")
def org_create(
    kind: Annotated[str, typer.Option(help="city, advisor, portal or admin")],
    name: Annotated[str, typer.Option(help="display name")],
    teryt: Annotated[str | None, typer.Option(help="7-digit TERYT gmina code (cities)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an organisation."""
    from service.orgs.service import create_org

    try:
        with session_scope() as s:
            org = create_org(s, kind, name, teryt)
            payload = {"org_id": str(org.id), "kind": org.kind, "name": org.name, "teryt": org.teryt}
    except Exception as exc:  # noqa: BLE001 - the CLI reports any refusal readably
        _fail(exc, as_json)
    _emit(as_json, payload, f"created {payload['kind']} '{payload['name']}' id={payload['org_id']}")


@org_app.command("grant")
def org_grant(
    city: Annotated[str, typer.Option(help="city: id, TERYT or name")],
    advisor: Annotated[str, typer.Option(help="advisor: id or name")],
    access: Annotated[str, typer.Option(help="read or plan")] = "read",
    revoke: Annotated[bool, typer.Option("--revoke", help="revoke instead of grant")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Grant (or revoke) an advisor's access to a city's data."""
    from service.orgs.service import get_org, grant, revoke_grant

    try:
        with session_scope() as s:
            city_org, advisor_org = get_org(s, city), get_org(s, advisor)
            if revoke:
                revoke_grant(s, city_org, advisor_org.id)
                payload = {"city": city_org.name, "advisor": advisor_org.name, "access": None}
            else:
                g = grant(s, city_org, advisor_org, access)
                payload = {
                    "grant_id": str(g.id),
                    "city": city_org.name,
                    "advisor": advisor_org.name,
                    "access": g.access,
                }
    except Exception as exc:  # noqa: BLE001
        _fail(exc, as_json)
    _emit(as_json, payload, f"{payload['advisor']} now has access={payload['access']} on {payload['city']}")


@key_app.command("create")
def key_create(
    org: Annotated[str, typer.Option(help="organisation: id, TERYT or name")],
    scopes: Annotated[str | None, typer.Option(help="comma-separated scopes (default: by org kind)")] = None,
    label: Annotated[str | None, typer.Option(help="a note, e.g. who uses the key")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    from service.orgs.service import create_key, get_org

    try:
        with session_scope() as s:
            owner = get_org(s, org)
            key, plaintext = create_key(s, owner, scopes.split(",") if scopes else None, label)
            payload = {
                "key_id": str(key.id),
                "prefix": key.prefix,
                "org": owner.name,
                "scopes": key.scopes,
                "api_key": plaintext,
            }
    except Exception as exc:  # noqa: BLE001
        _fail(exc, as_json)
    _emit(
        as_json, payload, f"key {payload['key_id']} for {payload['org']} (shown once):\n{payload['api_key']}"
    )


@key_app.command("revoke")
def key_revoke(
    key: Annotated[str, typer.Argument(help="key id or prefix")], as_json: JsonOpt = False
) -> None:
    """Revoke an API key; it answers 401 from then on."""
    from service.orgs.service import revoke_key

    try:
        with session_scope() as s:
            row = revoke_key(s, key)
            payload = {"key_id": str(row.id), "revoked_at": row.revoked_at}
    except Exception as exc:  # noqa: BLE001
        _fail(exc, as_json)
    _emit(as_json, payload, f"key {payload['key_id']} revoked at {payload['revoked_at']}")


def _check_port_free(host: str, port: int) -> None:
    """Say plainly that the port is taken, before any key is printed (``make run PORT=8001``)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            typer.echo(
                f"miasto demo: port {port} on {host} is taken ({exc.strerror}); "
                f"choose another, e.g. make run PORT={port + 1}",
                err=True,
            )
            raise typer.Exit(code=2) from None


@app.command()
def demo(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="load the demo and exit")] = False,
) -> None:
    """Migrate, load the demo city with its inventory, create keys, print them, and serve."""
    from service.demo.loader import load_demo
    from service.migrate import upgrade

    if not no_serve:
        _check_port_free(host, port)
    upgrade()
    info = load_demo(progress=typer.echo)
    base = f"http://{host}:{port}"
    typer.echo(
        "\n".join(
            [
                "",
                f"miasto demo: {info['city_name']} (TERYT {info['teryt']}), inventory {info['inventory_id']}"
                f" with {info['building_count']} buildings",
                f"  city key    : {info['city_key']}",
                f"  advisor key : {info['advisor_key']}  (plan access to the city)",
                f"  workspace   : {base}/app   (sign in with either key; Polish, English, Ukrainian)",
                f"  API docs    : {base}/docs",
                f"  inventory   : curl -H 'Authorization: Bearer {info['city_key']}' {base}/v1/inventories/"
                f"{info['inventory_id']}",
                *(
                    [
                        f"  plans       : {base}/app/portfolios/compare?ids={','.join(info['portfolio_ids'])}"
                        f"   (assessment {info['assessment_id']})"
                    ]
                    if info.get("portfolio_ids")
                    else []
                ),  # fmt: skip
                f"  widget      : {base}/v1/public/readiness/{info['teryt']}/widget?lang=pl   (also en, uk; no key)",
                f"  public JSON : {base}/v1/public/readiness/{info['teryt']}   badge: .../badge.svg",
                f"  portal demo : open examples/portal/index.html (embeds the widget from {base})",
                "",
            ]
        )
    )
    if not no_serve:
        serve(host=host, port=port, workers=1)


def main() -> None:  # pragma: no cover - console-script entry
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


# The command groups register themselves on ``app``, so they are imported after it exists.
import service.cli_data  # noqa: E402
import service.cli_energy  # noqa: E402
import service.cli_index  # noqa: E402, F401

if __name__ == "__main__":  # ``python -m service.cli``
    # Run the app of the importable module, on which the extension commands registered themselves.
    from service.cli import main as _main

    _main()
