"""The result of a readiness computation: scores, peer views, explanation, intervals, JSON payload."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from integration.composite import IndexResult
from integration.readiness.coverage import Coverage
from integration.readiness.framework import Framework, ReadinessInputError
from integration.readiness.scenario import ArrivalScenario

ROOT = "readiness"


def _num(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or pd.isna(x) or not np.isfinite(float(x)) else round(float(x), digits)


@dataclass
class ReadinessResult:
    """Readiness of many units under one framework, scenario and method choice.

    Attributes
    ----------
    index : IndexResult
        The composite engine's full result (datasets, scores, ranks, group ranks, imputed mask).
    raw : DataFrame
        Units x indicator codes: values used (latest year; headroom ratios when a scenario is set).
    coverage : Coverage
    groups : DataFrame
        Peer-group labels per unit (``size_class``, ``functional_type``).
    headroom, breaking : DataFrame or None
        Headroom ratios and breaking points (only with a scenario).
    intervals : DataFrame or None
        After :meth:`add_uncertainty`: 5th/95th percentile of scores and ranks per unit.
    """

    framework: Framework
    scenario: ArrivalScenario | None
    index: IndexResult
    raw: pd.DataFrame
    coverage: Coverage
    groups: pd.DataFrame
    headroom: pd.DataFrame | None = None
    breaking: pd.DataFrame | None = None
    peer_group: str = "size_class"
    intervals: pd.DataFrame | None = None
    runs: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def scores(self) -> pd.DataFrame:
        """Units x [readiness, housing, schooling, services] on [0, 100]."""
        return self.index.scores[[ROOT, *self.framework.pillars.index]]

    @property
    def normalised(self) -> pd.DataFrame:
        return self.index.normalised

    def peer_view(self) -> pd.DataFrame:
        """Peer-relative view beside the target-based scores (within ``peer_group``).

        Columns per score code ``c``: ``c`` (score), ``c_peer_rank``, ``c_peer_n`` (units ranked in
        the group), ``c_peer_median``, ``c_vs_peer_median`` (score minus peer median [points]).
        """
        if self.peer_group not in self.groups.columns:
            raise ReadinessInputError(
                f"methods.peer_group {self.peer_group!r} unknown; use size_class or functional_type"
            )
        scores = self.scores
        group = self.groups[self.peer_group]
        by = scores.groupby(group, dropna=True)
        ranks = self.index.group_ranks[self.peer_group][scores.columns]
        median = by.transform("median").reindex(scores.index)
        count = by.transform("count").reindex(scores.index)
        parts = {
            "": scores,
            "_peer_rank": ranks,
            "_peer_n": count,
            "_peer_median": median,
            "_vs_peer_median": scores - median,
        }
        return pd.concat([v.add_suffix(k) for k, v in parts.items()], axis=1)

    def overall_shares(self) -> pd.DataFrame:
        """Share of each indicator in each unit's overall score (arithmetic aggregation) [-].

        Weights are re-normalised over present children at each level, as the engine aggregates;
        missing indicators get 0. Rows sum to 1 where the unit has any score.
        """
        norm = self.normalised
        tree = self.index.tree
        pillars = self.framework.pillars.index
        w_ind = tree.nodes.loc[norm.columns, "Weight"].to_numpy(float)
        pillar_of = tree.nodes.loc[norm.columns, "Parent"]
        member = pd.get_dummies(pillar_of).reindex(columns=pillars, fill_value=False).to_numpy(float)
        present = norm.notna().to_numpy()
        weighted = present * w_ind  # units x indicators
        per_pillar = weighted @ member  # units x pillars
        with np.errstate(invalid="ignore", divide="ignore"):
            share_in_pillar = np.nan_to_num(weighted / (per_pillar @ member.T))
            w_pil = tree.nodes.loc[pillars, "Weight"].to_numpy(float) * (per_pillar > 0)
            pil_share = np.nan_to_num(w_pil / w_pil.sum(axis=1, keepdims=True))
        return pd.DataFrame(share_in_pillar * (pil_share @ member.T), index=norm.index, columns=norm.columns)

    def contributions(self) -> pd.DataFrame:
        """Points each indicator adds to the overall score; rows sum to the overall score."""
        return self.overall_shares() * self.normalised.fillna(0.0)

    def marginal_gain(self) -> pd.DataFrame:
        """Overall points gained per unit of raw improvement of each indicator (goalposts only).

        For goalposts normalisation ``d score / d x = share * 100 / (max - min)`` in the improving
        direction while below the upper goalpost, else 0 (already at full marks). Missing
        indicators get NaN: reporting them changes the weights, not a slope.
        """
        if self.index.config.normalise.method != "goalposts":
            raise ReadinessInputError("marginal gain is defined for goalposts normalisation only")
        norm = self.normalised
        posts = self.framework.indicators.loc[norm.columns]
        slope = 100.0 / (posts["goalpost_max"] - posts["goalpost_min"]).to_numpy(float)
        gain = self.overall_shares() * slope
        return gain.where(norm < 100.0, 0.0).where(norm.notna())

    def add_uncertainty(self, runs: int, seed: int = 0) -> None:
        """Score and rank intervals from ``runs`` Monte Carlo draws (:func:`integration.uncertainty.run_uncertainty`).

        Varies the weights (+-25 % uniform) and the normalisation (the nominal goalposts or
        min-max [0, 100]); aggregation stays arithmetic because goalposts floor at 0, where
        geometric and harmonic means are undefined.
        """
        from integration.uncertainty import UncertaintySpec, run_uncertainty

        cfg = self.index.config.normalise
        nominal = {"method": cfg.method, **cfg.params}
        if cfg.per_indicator:
            nominal["per_indicator"] = cfg.per_indicator
        spec = UncertaintySpec(
            n_runs=runs,
            normalisations=(nominal, {"method": "minmax", "range": [0, 100]}),
            aggregations=(self.index.config.aggregate.method,),
            sensitivity=False,
            seed=seed,
        )
        out = run_uncertainty(self.index, spec)
        self.intervals = pd.DataFrame(
            {
                "score_p05": out.scores["p05"],
                "score_p95": out.scores["p95"],
                "rank_p05": out.ranks["p05"],
                "rank_p95": out.ranks["p95"],
            }
        )
        self.runs = runs

    def to_dict(self, teryt: str) -> dict:
        """JSON-ready payload for one unit (scores, pillars, intervals, coverage, vintage, explanation)."""
        if teryt not in self.scores.index:
            raise ReadinessInputError(f"teryt {teryt!r}: not among the computed units")
        scores = self.scores.loc[teryt]
        contrib = self.contributions().loc[teryt][self.normalised.loc[teryt].notna()]
        peer = self.peer_view().loc[teryt]
        payload = {
            "teryt": teryt,
            "methodology_version": self.framework.version,
            "config_hash": self.framework.config_hash(),
            "normalisation": self.index.config.normalise.method,
            "score": _num(scores[ROOT]),
            "rank": _num(self.index.ranks.at[teryt, ROOT], 0),
            "pillars": {p: _num(scores[p]) for p in self.framework.pillars.index},
            "peer": {
                "group": self.peer_group,
                "label": None
                if pd.isna(self.groups.at[teryt, self.peer_group])
                else str(self.groups.at[teryt, self.peer_group]),
                "rank": _num(peer[f"{ROOT}_peer_rank"], 0),
                "units": _num(peer[f"{ROOT}_peer_n"], 0),
                "median_score": _num(peer[f"{ROOT}_peer_median"]),
            },
            "coverage": self.coverage.detail(teryt),
            "vintage": self.coverage.vintage(teryt),
            "explanation": {
                "contributions": {c: _num(v, 3) for c, v in contrib.sort_values(ascending=False).items()},
                "strengths": contrib.sort_values(ascending=False).index[:3].tolist(),
                "weaknesses": self.normalised.loc[teryt].dropna().sort_values().index[:3].tolist(),
            },
            "interval": None,
            "headroom": None,
            "scenario": None if self.scenario is None else self.scenario.model_dump(),
        }
        if self.intervals is not None:
            iv = self.intervals.loc[teryt]
            payload["interval"] = {"runs": self.runs, **{k: _num(v) for k, v in iv.items()}}
        if self.headroom is not None and self.breaking is not None:  # both are set with a scenario
            head = self.headroom.loc[teryt]
            brk = self.breaking.loc[teryt]
            payload["headroom"] = {
                "ratios": {c: _num(v, 3) for c, v in head.items()},
                "breaks_at_arrivals": {
                    p: _num(brk[f"{p}_breaks_at"], 0) for p in self.framework.pillars.index
                },
                "first_to_break": None if pd.isna(brk["first_to_break"]) else brk["first_to_break"],
            }
        return payload
