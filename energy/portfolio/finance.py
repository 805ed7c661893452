"""Discounting, NPV coefficients, payback and yearly cash flows of retrofit projects.

Timing (see :mod:`energy.portfolio.problem`): capex at the start of plan year ``y`` discounted by
``(1+r)^-y``; yearly savings ``S`` escalated by ``(1+e)^t`` at the end of years ``t = y+1 .. min(y+L, H)``.

.. math:: NPV_{j,y} = -C_j (1+r)^{-y} + S_j \\sum_{t=y+1}^{\\min(y+L_j, H)} \\left(\\frac{1+e}{1+r}\\right)^t

References
----------
EN 15459-1:2017, Energy performance of buildings - Economic evaluation procedure for energy systems
in buildings (global cost / present value method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def active_years(lifetime_years, start_years, horizon_years: int) -> np.ndarray:
    """Years [a] of savings counted within the horizon, shape (n_projects, n_start_years).

    Lifetimes are floored to whole years (a 15.7-year package saves for 15 counted years).
    """
    life = np.floor(np.asarray(lifetime_years, float))[:, None]
    y = np.asarray(start_years, float)[None, :]
    return np.clip(np.minimum(y + life, horizon_years) - y, 0.0, None)


def savings_present_value_factor(
    lifetime_years, start_years, horizon_years: int, discount_rate: float, price_escalation: float
) -> np.ndarray:
    """Sum over counted years of ((1+e)/(1+r))^t, shape (n_projects, n_start_years) [a]."""
    q = (1.0 + price_escalation) / (1.0 + discount_rate)
    cum = np.concatenate([[0.0], np.cumsum(q ** np.arange(1, horizon_years + 1))])
    life = np.floor(np.asarray(lifetime_years, float))[:, None].astype(int)
    y = np.asarray(start_years, int)[None, :]
    end = np.clip(np.minimum(y + life, horizon_years), y, None)
    return cum[end] - cum[np.broadcast_to(y, end.shape)]


def capex_discount_factor(start_years, discount_rate: float) -> np.ndarray:
    """(1+r)^-y for each start year [-]."""
    return (1.0 + discount_rate) ** -np.asarray(start_years, float)


def npv_pln(
    capex_pln,
    savings_pln_per_year,
    lifetime_years,
    start_years,
    horizon_years,
    discount_rate,
    price_escalation,
):
    """NPV [PLN] of each project for each start year, without grants, shape (n, n_years)."""
    pv = savings_present_value_factor(
        lifetime_years, start_years, horizon_years, discount_rate, price_escalation
    )
    disc = capex_discount_factor(start_years, discount_rate)[None, :]
    return (
        np.asarray(savings_pln_per_year, float)[:, None] * pv - np.asarray(capex_pln, float)[:, None] * disc
    )


def simple_payback_years(own_contribution_pln, savings_pln_per_year) -> np.ndarray:
    """Own contribution / yearly savings [a]; inf where savings <= 0."""
    own = np.asarray(own_contribution_pln, float)
    sav = np.asarray(savings_pln_per_year, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sav > 0, own / np.where(sav > 0, sav, 1.0), np.inf)


def yearly_cash_flow(
    chosen: pd.DataFrame, horizon_years: int, discount_rate: float, price_escalation: float
) -> pd.DataFrame:
    """Cash flow and CO2 trajectory of a portfolio, one row per year 0..H.

    Parameters
    ----------
    chosen : DataFrame
        Chosen projects with ``start_year, capex_pln, grant_pln, savings_pln_per_year,
        co2_reduction_t_per_year, lifetime_years``.

    Returns
    -------
    DataFrame
        ``year, capex_pln, grant_pln, own_contribution_pln, savings_pln, net_cash_flow_pln,
        cumulative_cash_flow_pln, discounted_net_cash_flow_pln, co2_reduction_t, active_projects``;
        capex in year t is paid at its start, savings and CO2 accrue in year t (end).
    """
    t = np.arange(horizon_years + 1)
    y = chosen["start_year"].to_numpy(int)[:, None]
    life = np.floor(chosen["lifetime_years"].to_numpy(float))[:, None]
    active = (t[None, :] > y) & (t[None, :] <= y + life)
    starts = t[None, :] == y
    esc = (1.0 + price_escalation) ** t
    capex = chosen["capex_pln"].to_numpy(float) @ starts
    grant = chosen["grant_pln"].to_numpy(float) @ starts
    savings = (chosen["savings_pln_per_year"].to_numpy(float) @ active) * esc
    co2 = chosen["co2_reduction_t_per_year"].to_numpy(float) @ active
    net = savings - capex + grant
    return pd.DataFrame(
        {
            "year": t,
            "capex_pln": capex,
            "grant_pln": grant,
            "own_contribution_pln": capex - grant,
            "savings_pln": savings,
            "net_cash_flow_pln": net,
            "cumulative_cash_flow_pln": np.cumsum(net),
            "discounted_net_cash_flow_pln": net / (1.0 + discount_rate) ** t,
            "co2_reduction_t": co2,
            "active_projects": active.sum(axis=0),
        }
    )
