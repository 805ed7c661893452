"""Use cases: validate a portfolio request fully at submission, store it with its job, build the
candidate table (generated packages through the energy engine + audited variants) in the worker."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from energy import carriers
from energy.assess import assess_buildings
from energy.measures import Catalogue, load_catalogue
from energy.packages import PackageInputError, generate_candidates
from energy.portfolio import PortfolioInputError, PortfolioProblem, Programme, audited_candidates
from energy.portfolio.problem import validate_problem
from service.assessments import service as assessments
from service.errors import Conflict, NotFound, ValidationProblem, engine_input
from service.exports import Dialect, Sheet, column_format, csv_bytes, xlsx_bytes
from service.i18n import translator
from service.inventory import service as inventories
from service.jobs.dispatch import Dispatcher, starting_jobs
from service.jobs.registry import JobError
from service.jobs.service import create_job
from service.orgs.service import Principal, require_access
from service.portfolios import repository
from service.portfolios.compare import compare
from service.portfolios.document import PlanDocument, programme_rules
from service.portfolios.models import Portfolio
from service.portfolios.schemas import (
    ComparisonOut,
    FrontierRequest,
    PortfolioList,
    PortfolioOut,
    PortfolioRequest,
)

PROBLEM_FIELDS = (
    "objective",
    "budget_pln",
    "yearly_budgets_pln",
    "plan_years",
    "discount_rate",
    "price_escalation",
    "horizon_years",
    "forced_in_buildings",
    "forced_out_buildings",
    "excluded_measures",
    "max_projects_per_year",
    "target_co2_reduction_t_per_year",
    "target_primary_energy_savings_kwh_per_year",
    "solver",
    "gap_rel",
    "time_limit_s",
)


def to_problem(body: PortfolioRequest) -> PortfolioProblem:
    values = {f: getattr(body, f) for f in PROBLEM_FIELDS}
    values["forced_in_buildings"] = tuple(body.forced_in_buildings)
    values["forced_out_buildings"] = tuple(body.forced_out_buildings)
    values["excluded_measures"] = tuple(body.excluded_measures)
    values["required_measures"] = {k: tuple(v) for k, v in body.required_measures.items()}
    values["programmes"] = tuple(
        Programme(**{**p.model_dump(), "eligible_measures": tuple(p.eligible_measures)})
        for p in body.programmes
    )
    return PortfolioProblem(**values)


def carrier_table(assess_params: dict[str, Any]) -> pd.DataFrame:
    """Carrier prices and factors (assessment overrides applied) in the shape audited variants need."""
    t = carriers.carrier_factors(
        assess_params.get("prices_pln_per_kwh"),
        assess_params.get("co2_kg_per_kwh"),
        assess_params.get("w_primary"),
    )
    if assess_params.get("grid_co2_kg_per_kwh") is not None:
        t.loc["electricity", "co2_kg_per_kwh"] = float(assess_params["grid_co2_kg_per_kwh"])
    return t.rename(columns={"w_primary": "primary_energy_factor"})


def audited_frame(body: PortfolioRequest, assess_params: dict[str, Any]) -> pd.DataFrame | None:
    if not body.audited_variants:
        return None
    rows = []
    for v in body.audited_variants:
        row = v.model_dump(exclude={"savings_kwh_per_year"}, exclude_none=True)
        row.update({f"savings_{c}_kwh_per_year": kwh for c, kwh in v.savings_kwh_per_year.items()})
        rows.append(row)
    with engine_input("audited_variants"):
        return audited_candidates(pd.DataFrame(rows), carrier_table(assess_params))


def catalogue_for(body: PortfolioRequest) -> Catalogue:
    with engine_input("price_overrides"):
        return load_catalogue(overrides=body.price_overrides or None)


def _source(session: Session, principal: Principal, body: PortfolioRequest):
    """(inventory, version, assessment or None) the request builds on, with plan access checked."""
    assessment = None
    if body.assessment_id is not None:
        assessment = assessments.assessment_row(session, body.assessment_id)
        if assessment is None:
            raise NotFound(
                f"assessment {body.assessment_id} not found",
                errors=[{"field": "assessment_id", "reason": "not found"}],
            )
        require_access(
            session, principal, assessment.owner_org_id, "plan", f"assessment {body.assessment_id}"
        )
        if body.inventory_id not in (None, assessment.inventory_id) or body.version not in (
            None,
            assessment.inventory_version,
        ):
            raise Conflict(
                "inventory_id/version contradict the assessment's: it was made on inventory "
                f"{assessment.inventory_id} version {assessment.inventory_version}",
                errors=[{"field": "assessment_id", "reason": "an assessment of another inventory version"}],
            )
        return (
            inventories.inventory_row(session, assessment.inventory_id),
            inventories.version_row(session, assessment.version_id),
            assessment,
        )
    if body.inventory_id is None:
        raise ValidationProblem(
            "give inventory_id (and optionally version) or assessment_id",
            errors=[{"field": "inventory_id", "reason": "missing"}],
        )
    inventory = inventories.inventory_row(session, body.inventory_id)
    if inventory is None:
        raise NotFound(f"inventory {body.inventory_id} not found")
    require_access(session, principal, inventory.org_id, "plan", f"inventory {body.inventory_id}")
    version = inventories.find_version(session, inventory.id, body.version or inventory.latest_version)
    if version is None:
        raise NotFound(
            f"inventory {body.inventory_id} has no version {body.version}",
            errors=[{"field": "version", "value": body.version, "reason": "no such version"}],
        )
    return inventory, version, None


def _forced_lower_bound_check(
    body: PortfolioRequest, problem: PortfolioProblem, audited: pd.DataFrame
) -> None:
    """When all candidates are known now (audited only), a proof of infeasibility is a 422 at submission:
    each forced-in building costs at least its cheapest variant less the largest possible grant share."""
    forced = set(problem.forced_in_buildings)
    if body.include_generated or not forced:
        return
    share = min(1.0, sum(p.share_of_eligible_cost for p in problem.programmes))
    own = audited["capex_pln"].to_numpy(float) * (1 - share)
    need = float(
        pd.Series(own).groupby(audited["building_id"].to_numpy()).min().reindex(sorted(forced)).sum()
    )
    budgets = [
        b for b in (problem.budget_pln, sum(problem.yearly_budgets_pln or []) or None) if b is not None
    ]
    if budgets and need > min(budgets) * (1 + 1e-9):
        raise ValidationProblem(
            f"infeasible: the forced-in buildings alone need at least {need:,.0f} PLN of own contribution, "
            f"more than the budget of {min(budgets):,.0f} PLN",
            errors=[
                {"field": "forced_in_buildings", "reason": "conflicts with budget_pln/yearly_budgets_pln"}
            ],
            conflicts=["forced_in_buildings", "budget_pln" if problem.budget_pln else "yearly_budgets_pln"],
        )


def _buildings_known(body: PortfolioRequest, known: set[str], version: int) -> None:
    """Buildings the request names must be in the inventory version: a 409 otherwise (a well-formed
    request that does not fit the stored data; no schema can know a city's buildings)."""
    named = {
        "forced_in_buildings": body.forced_in_buildings,
        "forced_out_buildings": body.forced_out_buildings,
        "required_measures": list(body.required_measures),
        "audited_variants.building_id": [v.building_id for v in body.audited_variants],
    }
    errors = [
        {"field": field, "value": u, "reason": f"not a building of inventory version {version}"}
        for field, ids in named.items()
        for u in sorted(set(map(str, ids)) - known)
    ]
    if errors:
        fields = sorted({e["field"] for e in errors})
        raise Conflict(
            f"{', '.join(fields)}: buildings {[e['value'] for e in errors[:5]]} are not in inventory "
            f"version {version}",
            errors=errors[:100],
        )


def start_portfolio(
    session: Session,
    principal: Principal,
    body: PortfolioRequest,
    kind: str,
    fixed_ids: tuple[uuid.UUID, uuid.UUID] | None = None,
):
    """Validate everything, then store the portfolio row and its job (flush only); a 4xx stores nothing.

    ``fixed_ids`` (portfolio id, job id) are chosen ids (the demo's documented ones); else random."""
    principal.require("jobs:write")
    inventory, version, assessment = _source(session, principal, body)
    assess_params = assessment.params if assessment is not None else {}
    catalogue_for(body)
    frame = inventories.buildings_of_version(session, version.id)
    known = set(frame["building_id"].astype(str))
    _buildings_known(body, known, version.version)  # what the request names exists, then its shape
    audited = audited_frame(body, assess_params)
    if not body.include_generated and audited is None:
        raise ValidationProblem(
            "include_generated is false and no audited_variants were given: nothing to choose",
            errors=[{"field": "audited_variants", "reason": "empty"}],
        )
    problem = to_problem(body)
    stub = pd.DataFrame({"building_id": sorted(known), "primary_energy_savings_kwh_per_year": 0.0})
    check = problem if kind == "portfolio" else replace(problem, budget_pln=problem.budget_pln or 1.0)
    validate_problem(check, stub)  # a bad field is the engine's error: a 422 naming it
    if audited is not None:
        _forced_lower_bound_check(body, problem, audited)
    if assessment is not None:
        lat, lon, where = assessment.city_lat, assessment.city_lon, assessment.city_location_source
    else:
        lat, lon, where = assessments.city_location(frame, None)
    request = body.model_dump(mode="json")
    request.update(city_lat=lat, city_lon=lon, city_location_source=where)
    portfolio = repository.add_portfolio(
        session,
        id=fixed_ids[0] if fixed_ids else uuid.uuid4(),
        owner_org_id=inventory.org_id,
        created_by_org_id=principal.org_id,
        kind=kind,
        name=body.name,
        inventory_id=inventory.id,
        version_id=version.id,
        inventory_version=version.version,
        assessment_id=assessment.id if assessment else None,
        request=request,
    )
    job = create_job(
        session,
        principal,
        kind=f"portfolio_{kind}",
        owner_org_id=inventory.org_id,
        subject_type="portfolio",
        subject_id=str(portfolio.id),
        params={"portfolio_id": str(portfolio.id), "building_count": version.building_count},
        job_id=fixed_ids[1] if fixed_ids else None,
    )
    portfolio.job_id = job.id
    session.flush()
    return portfolio, job


def submit_portfolio(
    session: Session, principal: Principal, body: PortfolioRequest, kind: str, dispatcher: Dispatcher
) -> Portfolio:
    """:func:`start_portfolio`, committed and its job sent (the workspace's forms; the API answers
    with 202 through ``service.jobs.dispatch.accepted``). A refused request stores nothing."""
    with starting_jobs(session, dispatcher) as started:
        portfolio, job = start_portfolio(session, principal, body, kind)
        started.append(job.id)
    return portfolio


def build_candidates(
    session: Session, row: Portfolio, body: PortfolioRequest, progress: Callable[[float, str], None]
) -> pd.DataFrame:
    """Generated packages (one vectorised engine call over all buildings x packages) + audited variants."""
    assessment = assessments.assessment_row(session, row.assessment_id) if row.assessment_id else None
    assess_params = assessment.params if assessment is not None else {}
    frames = []
    if body.include_generated:
        from service.assessments import climates

        climate = None
        if assessment is not None and assessment.climate_id is not None:
            stored = climates.climate_row(session, assessment.climate_id)
            if stored is None:  # the foreign key restricts deletes; as in assessments/jobs.py
                raise JobError("not-found", f"climate {assessment.climate_id} no longer exists")
            climate = climates.engine_climate(stored)
        buildings = inventories.buildings_of_version(session, row.version_id)
        try:
            frames.append(
                generate_candidates(
                    buildings,
                    assess_buildings,
                    catalogue_for(body),
                    row.request["city_lat"],
                    row.request["city_lon"],
                    climate=climate,
                    params=assessments.engine_params(assess_params),
                    progress=progress,
                )
            )
        except PackageInputError as exc:
            raise PortfolioInputError(f"packages: {exc}") from exc
    audited = audited_frame(body, assess_params)
    if audited is not None:
        frames.append(audited)
    cands = pd.concat(frames, ignore_index=True)
    cands["building_id"] = cands["building_id"].astype(str)
    return cands


def visible_portfolio(session: Session, principal: Principal, portfolio_id: uuid.UUID) -> Portfolio:
    principal.require("inventory:read")
    row = repository.get_portfolio(session, portfolio_id)
    if row is None:
        raise NotFound(f"portfolio {portfolio_id} not found")
    require_access(session, principal, row.owner_org_id, "read", f"portfolio {portfolio_id}")
    return row


def request_model(row: Portfolio) -> PortfolioRequest:
    extra = ("city_lat", "city_lon", "city_location_source")
    data = {k: v for k, v in row.request.items() if k not in extra}
    if data.get("solver") == "cbc":  # stored before CBC left (pulp 4 drops PULP_CBC_CMD): HiGHS solves it
        data["solver"] = "highs"
    return FrontierRequest(**data) if row.kind == "frontier" else PortfolioRequest(**data)


def chart_svg(session: Session, principal: Principal, portfolio_id: uuid.UUID, lang: str = "pl") -> str:
    """The SVG of a finished portfolio: its Pareto frontier, or its yearly cash flow with cumulative CO2,
    labels and numbers in ``lang``."""
    from service.charts import ChartInputError
    from service.charts.i18n import chart_language, tr
    from service.charts.portfolio import cash_flow_svg, frontier_svg

    row = visible_portfolio(session, principal, portfolio_id)
    if row.finished_at is None:
        raise Conflict(f"portfolio {portfolio_id} has no results yet (see its job)")
    try:
        with chart_language(lang):
            if row.kind == "frontier":
                kind = (row.solve or {}).get("kind") or row.request.get("frontier", "co2")
                return frontier_svg(row.frontier or [], kind, tr("Pareto frontier – {name}", name=row.name))
            return cash_flow_svg(
                row.cash_flow or [], tr("Cash flow and CO₂ reduction – {name}", name=row.name)
            )
    except ChartInputError as exc:
        raise Conflict(str(exc), errors=[{"field": exc.field, "reason": str(exc)}]) from exc


def compare_chart_svg(session: Session, principal: Principal, rows: list[Portfolio], lang: str = "pl") -> str:
    """Totals of finished portfolios side by side (rows already checked by the compare route's rules)."""
    from service.charts import ChartInputError
    from service.charts.i18n import chart_language
    from service.charts.portfolio import compare_totals_svg

    totals = [{"portfolio_id": str(r.id), "name": r.name, **(r.totals or {})} for r in rows]
    try:
        with chart_language(lang):
            return compare_totals_svg(totals)
    except ChartInputError as exc:
        raise Conflict(str(exc), errors=[{"field": exc.field, "reason": str(exc)}]) from exc


def comparable(session: Session, principal: Principal, ids: str) -> tuple[list[uuid.UUID], list[Portfolio]]:
    """2..10 distinct visible, finished optimum portfolios named in ``ids`` (422/404/409 otherwise)."""
    try:
        wanted = list(dict.fromkeys(uuid.UUID(x.strip()) for x in ids.split(",") if x.strip()))
    except ValueError as exc:
        raise ValidationProblem(
            f"ids: {exc}", errors=[{"field": "ids", "value": ids[:200], "reason": "not a UUID"}]
        ) from exc
    if not 2 <= len(wanted) <= 10:
        raise ValidationProblem(
            "ids: give 2 to 10 distinct portfolio ids",
            errors=[{"field": "ids", "value": ids[:200], "reason": "2..10 ids"}],
        )
    rows = [visible_portfolio(session, principal, pid) for pid in wanted]
    for r in rows:
        if r.kind != "portfolio" or r.finished_at is None:
            raise Conflict(f"portfolio {r.id} has no optimum to compare (a frontier, or not finished)")
    return wanted, rows


def comparison(session: Session, rows: list[Portfolio]) -> dict[str, list[dict[str, Any]]]:
    """Totals, per-building packages and cash flow of ``rows`` side by side (``compare``)."""
    return compare(
        [
            {"id": r.id, "name": r.name, "totals": r.totals, "cash_flow": r.cash_flow,
             "projects": repository.load_projects(session, r.id)}
            for r in rows
        ]
    )  # fmt: skip


def plan_labels(rows: list[Portfolio]) -> dict[str, str]:
    """Compare suffixes (``__1``) -> the plan's name; equal names get their position appended."""
    names = [r.name or f"Plan {i}" for i, r in enumerate(rows, start=1)]
    return {str(i): (n if names.count(n) == 1 else f"{n} ({i})") for i, n in enumerate(names, start=1)}


def _plan_sheets(session: Session, row: Portfolio, lang: str) -> list[Sheet]:
    t = translator(lang)
    if row.kind == "frontier":
        return [Sheet(t.pgettext("sheet", "Frontier"), pd.DataFrame.from_records(row.frontier or []))]
    cash = pd.DataFrame.from_records(row.cash_flow or [])
    financing_cols = [c for c in ("year", "capex_pln", "grant_pln", "own_contribution_pln") if c in cash]
    totals = pd.DataFrame([{"parameter": k, "value": v} for k, v in (row.totals or {}).items()])
    if not totals.empty:
        totals["parameter"] = [column_format(k, lang).header for k in totals["parameter"]]
    return [
        Sheet(t.pgettext("sheet", "Summary"), totals),
        Sheet(
            t.pgettext("sheet", "Projects"),
            pd.DataFrame.from_records(repository.load_projects(session, row.id)),
        ),
        Sheet(t.pgettext("sheet", "Financing by year"), cash[financing_cols]),
        Sheet(t.pgettext("sheet", "Cash flow"), cash),
    ]


def export_file(
    session: Session, principal: Principal, portfolio_id: uuid.UUID, fmt: str, dialect: Dialect, lang: str
) -> tuple[bytes, str]:
    """A finished portfolio as CSV (its projects, or the frontier points) or as an XLSX workbook."""
    row = visible_portfolio(session, principal, portfolio_id)
    if row.finished_at is None:
        raise Conflict(f"portfolio {portfolio_id} has no results yet (see its job)")
    stem = f"{'frontier' if row.kind == 'frontier' else 'portfolio'}-{portfolio_id}"
    sheets = _plan_sheets(session, row, lang)
    if fmt == "csv":
        return csv_bytes(sheets[0 if row.kind == "frontier" else 1].frame, dialect, lang), f"{stem}.csv"
    return xlsx_bytes(sheets, lang), f"{stem}.xlsx"


def compare_export_file(
    session: Session, principal: Principal, ids: str, fmt: str, dialect: Dialect, lang: str
) -> tuple[bytes, str]:
    """2..10 plans side by side: CSV of the buildings, or a workbook (plans, buildings, cash flow) whose
    column groups are named by each plan's name."""
    _, rows = comparable(session, principal, ids)
    result = comparison(session, rows)
    names = plan_labels(rows)
    by_id = {str(r.id): names[str(i)] for i, r in enumerate(rows, start=1)}
    t = translator(lang)
    plans = pd.DataFrame.from_records(result["totals"]).drop(columns=["portfolio_id"], errors="ignore")
    cash = pd.DataFrame.from_records(result["cash_flow"])
    if "portfolio_id" in cash:
        cash.insert(1, "plan", cash.pop("portfolio_id").astype(str).map(by_id))
    buildings = pd.DataFrame.from_records(result["buildings"])
    if fmt == "csv":
        return csv_bytes(buildings, dialect, lang), "portfolio-comparison.csv"
    sheets = [
        Sheet(t.pgettext("sheet", "Plans"), plans),
        Sheet(t.pgettext("sheet", "Buildings"), buildings, plan_names=names),
        Sheet(t.pgettext("sheet", "Cash flow"), cash),
    ]
    return xlsx_bytes(sheets, lang), "portfolio-comparison.xlsx"


def plan_document(
    session: Session,
    principal: Principal,
    portfolio_id: uuid.UUID,
    compare_ids: str | None = None,
    frontier_id: uuid.UUID | None = None,
) -> PlanDocument:
    """A finished portfolio with named projects, its programmes' rules, and optionally the plans it is
    compared with (``compare_ids``, 1..9 others) and a finished frontier job (``frontier_id``)."""
    from service.orgs.service import get_org

    row = visible_portfolio(session, principal, portfolio_id)
    if row.kind != "portfolio" or row.finished_at is None:
        raise Conflict(f"portfolio {portfolio_id} has no finished plan (a frontier, or still running)")
    projects = pd.DataFrame.from_records(repository.load_projects(session, row.id))
    buildings = inventories.buildings_of_version(session, row.version_id)
    names = buildings.reindex(columns=["building_id", "name"]).astype({"building_id": str})
    if not projects.empty:
        projects = projects.merge(names, on="building_id", how="left")
    compared: list[dict[str, Any]] = []
    if compare_ids:
        others = [x for x in compare_ids.split(",") if x.strip() and x.strip() != str(row.id)]
        _, rows = comparable(session, principal, ",".join([str(row.id), *others]))
        compared = comparison(session, rows)["totals"]
    frontier: list[dict[str, Any]] = []
    if frontier_id is not None:
        front = visible_portfolio(session, principal, frontier_id)
        if front.kind != "frontier" or front.finished_at is None:
            raise Conflict(f"portfolio {frontier_id} is not a finished frontier")
        frontier = list(front.frontier or [])
    prices = carriers.carrier_table().reset_index()
    return PlanDocument(
        portfolio_id=row.id, name=row.name, city_name=get_org(session, str(row.owner_org_id)).name,
        inventory_name=inventories.inventory_name(session, row.inventory_id), inventory_version=row.inventory_version,
        engine_version=row.engine_version or "", finished_at=row.finished_at, request=dict(row.request or {}),
        solve=dict(row.solve or {}), totals=dict(row.totals or {}), projects=projects,
        cash_flow=pd.DataFrame.from_records(row.cash_flow or []), programmes=programme_rules(row.request or {}),
        compared=compared, frontier=frontier, carrier_prices=prices.to_dict("records"),
    )  # fmt: skip


def list_visible(session: Session, principal: Principal) -> list[Portfolio]:
    """The portfolios of every city the caller may see (own, or granted to an advisor)."""
    from service.orgs.service import visible_city_ids

    return repository.list_portfolios(session, visible_city_ids(session, principal))


def projects_of(session: Session, row: Portfolio) -> list[dict[str, Any]]:
    """The stored projects of a visible portfolio (the caller checked its visibility)."""
    return repository.load_projects(session, row.id)


# The API's answers (``service.portfolios.router``), with the jobs a list shows loaded in one query.


def portfolio_view(session: Session, principal: Principal, portfolio_id: uuid.UUID) -> PortfolioOut:
    """A visible portfolio in full: its job, projects, cash flow or frontier points."""
    row = visible_portfolio(session, principal, portfolio_id)
    out = PortfolioOut.model_validate(row, context={"full": True})
    if row.finished_at is not None and row.kind == "portfolio":
        out.projects = repository.load_projects(session, row.id)
    return out


def portfolio_list(session: Session, principal: Principal) -> PortfolioList:
    """The portfolios of every city the caller may see, each with its job (a constant number of queries)."""
    items = [PortfolioOut.model_validate(r) for r in list_visible(session, principal)]  # with their jobs
    return PortfolioList(items=items, count=len(items))


def comparison_view(session: Session, principal: Principal, ids: str) -> ComparisonOut:
    """2..10 finished portfolios side by side."""
    wanted, rows = comparable(session, principal, ids)
    return ComparisonOut(portfolio_ids=wanted, **comparison(session, rows))


def compare_chart(session: Session, principal: Principal, ids: str, lang: str = "pl") -> str:
    """The SVG bars of 2..10 finished portfolios' totals."""
    _, rows = comparable(session, principal, ids)
    return compare_chart_svg(session, principal, rows, lang)
