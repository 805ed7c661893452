"""The FastAPI application: routers, error handlers, request ids, CORS, job dispatch."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import select

from service import health
from service.assessments import router as assessments_router
from service.body import BodyGuard
from service.db import engine_for, session_factory
from service.errors import install_error_handlers
from service.idempotency import install_idempotency
from service.indices import router as indices_router
from service.inventory import router as inventory_router
from service.jobs import router as jobs_router
from service.jobs.dispatch import Dispatcher
from service.logs import configure_logging
from service.middleware import RequestContext
from service.openapi import problem_json_everywhere
from service.orgs import router as orgs_router
from service.portfolios import router as portfolios_router
from service.readiness import public_router
from service.readiness import router as readiness_router
from service.settings import Settings, get_settings

log = logging.getLogger("miasto.api")

# The domain routers, in the order the OpenAPI document lists them.
ROUTERS = [
    health.router,
    orgs_router.router,
    inventory_router.router,
    jobs_router.router,
    assessments_router.router,
    portfolios_router.router,
    readiness_router.router,
    public_router.router,
    indices_router.router,
]

DESCRIPTION = """
**miasto** helps Polish cities with the energy transition of their public buildings and with
getting ready for new residents who arrive as refugees.

* Cities submit building inventories (JSON, CSV, XLSX); advisors they trust run assessments and
  investment portfolios on them.
* Long work runs as jobs: a POST answers 202 with the job; `GET /v1/jobs/{id}` shows progress.
* Errors are RFC 9457 `application/problem+json` with an `errors` list naming row, field and reason.
* Authenticate with `Authorization: Bearer <api key>`.
"""


def _requeue_local_jobs(app: FastAPI) -> None:
    """Without a broker, jobs left queued by a stopped API run again when it starts."""
    from service.jobs.models import Job

    with app.state.session_factory() as s:
        ids = list(s.scalars(select(Job.id).where(Job.status == "queued")))
    if ids:
        log.info("re-dispatching %d queued job(s)", len(ids))
        app.state.dispatcher.dispatch(ids)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeper = None
        if not settings.broker_url:
            try:
                _requeue_local_jobs(app)
            except Exception:  # noqa: BLE001 - a missing table before migration must not stop the API
                log.warning("could not look for queued jobs (database not migrated?)")
            # The API owns the local pool, so it sweeps (with a broker, the Celery workers do).
            sweeper = app.state.dispatcher.sweeper()
        yield
        if sweeper is not None:
            sweeper.stop()
        app.state.dispatcher.shutdown()  # ends the pool's children with the app

    app = FastAPI(
        title="miasto API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        contact={"name": "miasto"},
        docs_url=None,  # served offline by service.web.docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings.database_url)
    app.state.session_factory = session_factory(app.state.engine)
    app.state.dispatcher = Dispatcher(settings)
    install_error_handlers(app)
    install_idempotency(app)  # inner middleware: runs inside the request-id context
    # Every body is read, limited and checked once, before idempotency or any route sees it.
    app.add_middleware(BodyGuard)

    # Outermost of ours: the request id is set before anything else runs.
    app.add_middleware(RequestContext)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["X-Request-ID"],
        )
    for domain_router in ROUTERS:
        app.include_router(domain_router)
    from service.web import install_web

    install_web(app)  # the workspace under /app and the offline /docs, /redoc
    problem_json_everywhere(app)
    return app
