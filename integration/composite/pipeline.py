"""Run the configured steps: Raw -> Denominated -> Imputed -> Screened -> Treated -> Normalised -> Aggregated.

Data set names follow COINr. A skipped step produces no data set; the next step takes the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import weighted_mean
from .config import AggregateSpec, DenominateSpec, ImputeSpec, PipelineConfig, load_config
from .errors import CompositeInputError
from .normalise import normalise
from .prepare import denominate, impute, screen_units
from .rank import rank_desc
from .treat import treat
from .tree import IndicatorTree
from .units import UnitTable


@dataclass
class IndexResult:
    """Everything a pipeline run produced.

    Attributes
    ----------
    tree : IndicatorTree
        Tree with the weights actually used.
    config : PipelineConfig
    units : UnitTable
        Validated input (all units, before screening).
    datasets : dict of str to DataFrame
        Units by indicators after each step ("Raw", "Denominated", ...); "Aggregated" adds every aggregate.
    scores : DataFrame
        Screened units by aggregate codes (every level above indicators) [score on the normalised scale].
    ranks : DataFrame
        Ranks of ``scores`` (1 = best, ties share the best rank).
    group_ranks : dict of str to DataFrame
        Ranks within each group column listed in ``config.rank_groups``.
    imputed : DataFrame of bool
        True where a value was imputed.
    screening : DataFrame or None
        Availability per unit and whether it was kept.
    treatment : DataFrame or None
        Per indicator: status, points winsorised, side, skew/kurtosis before and after.
    """

    tree: IndicatorTree
    config: PipelineConfig
    units: UnitTable
    datasets: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    ranks: pd.DataFrame
    group_ranks: dict[str, pd.DataFrame] = field(default_factory=dict)
    imputed: pd.DataFrame | None = None
    screening: pd.DataFrame | None = None
    treatment: pd.DataFrame | None = None

    @property
    def normalised(self) -> pd.DataFrame:
        """Normalised indicators (units by indicators)."""
        return self.datasets["Normalised"]

    @property
    def pre_normalised(self) -> pd.DataFrame:
        """Indicator values that entered normalisation (after treatment, if any)."""
        keys = [k for k in self.datasets if k not in ("Normalised", "Aggregated")]
        return self.datasets[keys[-1]]

    def results_table(self) -> pd.DataFrame:
        """Long table: uCode, iCode, level, level_name, score, rank (one row per unit and aggregate)."""
        long = self.scores.stack(future_stack=True).rename("score").to_frame()
        long["rank"] = self.ranks.stack(future_stack=True)
        long.index.names = ["uCode", "iCode"]
        long = long.reset_index()
        long["level"] = long["iCode"].map(self.tree.nodes["Level"]).astype(int)
        long["level_name"] = long["level"].map(self.tree.level_name)
        return long[["uCode", "iCode", "level", "level_name", "score", "rank"]]


def aggregate_tree(
    normalised: pd.DataFrame, tree: IndicatorTree, spec: AggregateSpec | None = None
) -> pd.DataFrame:
    """Aggregate normalised indicators level by level up to the index.

    Returns
    -------
    DataFrame
        Units by aggregate codes, in level order.
    """
    spec = spec or AggregateSpec()
    known: dict[str, np.ndarray] = {c: normalised[c].to_numpy(dtype=float) for c in normalised.columns}
    out: dict[str, np.ndarray] = {}
    for level in tree.levels:
        kids, parents, w = tree.structure(level)
        x = np.column_stack([known[k] if k in known else out[k] for k in kids])
        y = weighted_mean(x, w, spec.method_at(level), spec.min_share, label=f"level {level}")
        for j, p in enumerate(parents):
            out[p] = y[:, j]
    return pd.DataFrame(out, index=normalised.index)


def _denominators(tree: IndicatorTree, step: DenominateSpec) -> dict[str, str]:
    """Indicator -> denominator: the metadata's Denominator column, overridden by the step's mapping."""
    mapping = {
        c: d
        for c, d in tree.nodes.loc[tree.indicators, "Denominator"].items()
        if isinstance(d, str) and d != ""
    }
    mapping.update(step.mapping)
    return mapping


def _impute_groups(step: ImputeSpec, units: UnitTable) -> pd.Series | None:
    """The group of each unit, when the imputation (or one indicator's) is by group."""
    if not ("group" in step.method or any("group" in m for m in step.per_indicator.values())):
        return None
    col = step.group
    if col is None or col not in units.groups.columns:
        raise CompositeInputError.at(
            f"group imputation needs a group column of the data; got {col!r}", key="impute.group"
        )
    return units.groups[col]


def run_pipeline(
    data: pd.DataFrame, meta: pd.DataFrame, config: PipelineConfig | dict[str, Any] | str
) -> IndexResult:
    """Build a composite indicator from COINr-shaped ``iData`` / ``iMeta`` and a pipeline configuration.

    Parameters
    ----------
    data : DataFrame
        One row per unit: ``uCode``, optional ``uName``/``Time``, group, denominator and indicator columns.
    meta : DataFrame
        ``iMeta``: iCode, Level, Parent, Weight, Direction, Type, optional Denominator, Target, iName.
    config : PipelineConfig, mapping or path to YAML/JSON

    Raises
    ------
    CompositeInputError
        Any invalid input; the message names the row and key.
    """
    config = load_config(config)
    tree = IndicatorTree.from_meta(meta, config.level_names).with_weights(config.weights)
    units = UnitTable.from_data(data, tree)
    current = units.values
    datasets = {"Raw": current}
    screening = treatment = None
    if config.denominate is not None:
        current = datasets["Denominated"] = denominate(
            current,
            units.denominators,
            _denominators(tree, config.denominate),
            config.denominate.scale_factors,
        )
    before_impute = current
    if config.impute is not None:
        current = datasets["Imputed"] = impute(
            current, config.impute.method, _impute_groups(config.impute, units), config.impute.per_indicator
        )
    imputed = before_impute.isna() & current.notna()
    if config.screen is not None:
        s = config.screen
        screening = screen_units(current, s.min_availability, s.min_nonzero, s.force_include, s.force_exclude)
        current = datasets["Screened"] = current.loc[screening["kept"]]
        if current.empty:
            raise CompositeInputError.at(
                "no unit passes the data-availability screen", key="screen.min_availability"
            )
    if config.treat is not None:
        t = config.treat
        default = {
            "method": t.method,
            "winmax": t.winmax,
            "skew_threshold": t.skew_threshold,
            "kurtosis_threshold": t.kurtosis_threshold,
            "fallback": t.fallback,
        }
        current, treatment = treat(current, t.per_indicator, default)
        datasets["Treated"] = current
    n = config.normalise
    unknown = [c for c in n.per_indicator if c not in tree.indicators]
    if unknown:
        raise CompositeInputError.at(
            "per-indicator normalisation for a code that is not an indicator", key=unknown[0]
        )
    norm = datasets["Normalised"] = normalise(
        current,
        tree.nodes["Direction"],
        n.method,
        n.params,
        n.per_indicator,
        pd.to_numeric(tree.nodes["Target"], errors="coerce"),
    )
    scores = aggregate_tree(norm, tree, config.aggregate)
    datasets["Aggregated"] = pd.concat([norm, scores], axis=1)
    group_ranks = {}
    for col in config.rank_groups:
        if col not in units.groups.columns:
            raise CompositeInputError.at(
                "rank group is not a group column of the data", key=f"ranks.groups.{col}"
            )
        group_ranks[col] = rank_desc(scores, units.groups[col])
    return IndexResult(
        tree,
        config,
        units,
        datasets,
        scores,
        rank_desc(scores),
        group_ranks,
        imputed.loc[current.index],
        screening,
        treatment,
    )
