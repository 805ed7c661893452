"""Ranks: higher score = better; ties share the best rank; missing keeps a missing rank."""

from __future__ import annotations

import pandas as pd


def rank_desc(scores: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """Rank every column descending (R ``rank(-x, ties.method = "min", na.last = "keep")``).

    Parameters
    ----------
    scores : DataFrame
        Units by codes.
    groups : Series, optional
        Group label per unit: rank within each group (units with a missing label get no rank).
    """
    if groups is None:
        return scores.rank(ascending=False, method="min", na_option="keep")
    return (
        scores.groupby(groups.reindex(scores.index), dropna=True)
        .rank(ascending=False, method="min", na_option="keep")
        .reindex(scores.index)
    )
