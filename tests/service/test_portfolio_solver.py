"""A portfolio stored when CBC was still offered is re-read (job, frontier form) with HiGHS."""

from __future__ import annotations

import uuid

from service.portfolios.models import Portfolio
from service.portfolios.schemas import FrontierRequest
from service.portfolios.service import request_model


def stored(kind: str, request: dict) -> Portfolio:
    return Portfolio(kind=kind, name="stary plan", inventory_id=uuid.uuid4(), request=request)


def test_stored_cbc_request_is_read_back_with_highs():
    body = {"inventory_id": str(uuid.uuid4()), "budget_pln": 1e6, "solver": "cbc", "gap_rel": 0.01}
    again = request_model(stored("portfolio", body))
    assert (again.solver, again.gap_rel, again.budget_pln) == ("highs", 0.01, 1e6)
    front = request_model(stored("frontier", {**body, "n_points": 5, "city_lat": 51.2}))
    assert isinstance(front, FrontierRequest) and (front.solver, front.n_points) == ("highs", 5)


def test_stored_highspy_request_keeps_its_solver():
    body = {"inventory_id": str(uuid.uuid4()), "budget_pln": 1e6, "solver": "highspy"}
    assert request_model(stored("portfolio", body)).solver == "highspy"
