"""Indicator tree (COINr ``iMeta`` shape) and unit data (COINr ``iData`` shape).

The tree holds every indicator and aggregate with its level, parent, weight and direction. Levels run
from 1 (indicators) up to the index; level names default to COINr's (Indicator, Pillar, Sub-index,
Index) and can be overridden.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators, step 6 (weighting and aggregation).
Becker W. et al. (2022), COINr: An R package for developing composite indicators, JOSS 7(78), 4567.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CompositeInputError, InputProblem

#: Columns of ``iData`` that are neither indicators, groups nor denominators.
UNIT_ID, UNIT_NAME, RESERVED_COLUMNS = "uCode", "uName", ("uCode", "uName", "Time")
DEFAULT_LEVEL_NAMES = {1: "Indicator", 2: "Pillar", 3: "Sub-index", 4: "Index"}


@dataclass(frozen=True)
class IndicatorTree:
    """Validated indicator hierarchy.

    Attributes
    ----------
    nodes : DataFrame
        One row per indicator/aggregate, indexed by ``iCode``, columns ``Level`` (int), ``Parent``
        (str or None), ``Weight`` (float, >= 0), ``Direction`` (+1/-1), ``Type``, ``iName``,
        ``Denominator`` and ``Target`` (NaN where not given).
    groups : list of str
        Group columns of the unit data (``Type == 'Group'``).
    denominators : list of str
        Denominator columns of the unit data (``Type == 'Denominator'``).
    level_names : dict of int to str
    """

    nodes: pd.DataFrame
    groups: list[str] = field(default_factory=list)
    denominators: list[str] = field(default_factory=list)
    level_names: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_LEVEL_NAMES))

    @classmethod
    def from_meta(cls, meta: pd.DataFrame, level_names: dict[int, str] | None = None) -> IndicatorTree:
        """Validate a COINr-style ``iMeta`` table and build the tree.

        Raises
        ------
        CompositeInputError
            Duplicate codes, bad level/weight/direction, a parent that is not in the table (orphan),
            a cycle, more than one root, or sibling weights that are negative or all zero.
        """
        return _build_tree(meta, level_names)

    @property
    def indicators(self) -> list[str]:
        """Indicator codes (level 1) in metadata order."""
        return self.nodes.index[self.nodes["Level"] == 1].tolist()

    @property
    def levels(self) -> list[int]:
        """Aggregate levels in bottom-up order (2, 3, ...)."""
        return sorted(int(v) for v in self.nodes["Level"].unique() if v > 1)

    @property
    def root(self) -> str:
        """Code of the top node (the index)."""
        return str(self.nodes.index[self.nodes["Parent"].isna()][0])

    def codes_at(self, level: int) -> list[str]:
        """Codes at one level, in metadata order."""
        return self.nodes.index[self.nodes["Level"] == level].tolist()

    def children(self, code: str) -> list[str]:
        """Direct children of ``code``."""
        return self.nodes.index[self.nodes["Parent"] == code].tolist()

    def level_name(self, level: int) -> str:
        return self.level_names.get(level, f"Level {level}")

    def with_weights(self, weights: dict[str, float] | None) -> IndicatorTree:
        """Copy of the tree with some weights replaced (validated again)."""
        if not weights:
            return self
        unknown = [k for k in weights if k not in self.nodes.index]
        if unknown:
            raise CompositeInputError(
                [InputProblem(None, k, "weight given for a code not in the tree") for k in unknown]
            )
        nodes = self.nodes.copy()
        for code, w in weights.items():
            nodes.loc[code, "Weight"] = _as_float(w, code, "Weight")
        _check_weights(nodes)
        return IndicatorTree(nodes, list(self.groups), list(self.denominators), dict(self.level_names))

    def structure(self, level: int) -> tuple[list[str], list[str], np.ndarray]:
        """Child codes, parent codes and the child-by-parent weight matrix for one aggregate level.

        Returns
        -------
        children, parents : list of str
        weights : ndarray, shape (n_children, n_parents)
            ``weights[i, j]`` is the weight of child i in parent j (0 if not its parent).
        """
        parents = self.codes_at(level)
        kids = self.nodes.index[self.nodes["Parent"].isin(parents)].tolist()
        w = np.zeros((len(kids), len(parents)))
        col = {p: j for j, p in enumerate(parents)}
        for i, k in enumerate(kids):
            w[i, col[self.nodes.at[k, "Parent"]]] = self.nodes.at[k, "Weight"]
        return kids, parents, w

    def effective_weights(self) -> pd.DataFrame:
        """Share of each indicator in each aggregate when nothing is missing (arithmetic mean).

        Returns
        -------
        DataFrame
            Indicators (rows) by aggregates (columns); each column sums to 1 over its indicators.
        """
        eff = pd.DataFrame(np.eye(len(self.indicators)), index=self.indicators, columns=self.indicators)
        for level in self.levels:
            kids, parents, w = self.structure(level)
            share = w / w.sum(axis=0, keepdims=True)
            eff = pd.concat(
                [eff, pd.DataFrame(eff[kids].to_numpy() @ share, index=eff.index, columns=parents)], axis=1
            )
        return eff.drop(columns=self.indicators)


def _as_float(value: object, code: str, column: str) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]  # any cell value; a non-number is caught below
    except (TypeError, ValueError):
        raise CompositeInputError.at(f"{column} {value!r} is not a number", row=code, key=column) from None
    if not np.isfinite(out):
        raise CompositeInputError.at(f"{column} must be finite", row=code, key=column)
    return out


def _build_tree(meta: pd.DataFrame, level_names: dict[int, str] | None) -> IndicatorTree:
    if "iCode" not in meta.columns:
        raise CompositeInputError.at("metadata has no 'iCode' column", key="iCode")
    meta = meta.copy()
    meta["Type"] = (
        meta["Type"]
        if "Type" in meta.columns
        else np.where(meta.get("Level", 1) == 1, "Indicator", "Aggregate")
    )
    problems: list[InputProblem] = []
    codes = meta["iCode"].astype(str)
    for code in codes[codes.duplicated()].unique():
        problems.append(InputProblem(code, "iCode", "code appears more than once in the metadata"))
    groups = codes[meta["Type"] == "Group"].tolist()
    denoms = codes[meta["Type"] == "Denominator"].tolist()
    nodes = meta[meta["Type"].isin(["Indicator", "Aggregate"])].copy()
    bad_type = meta[~meta["Type"].isin(["Indicator", "Aggregate", "Group", "Denominator", "Other"])]
    problems += [
        InputProblem(str(r.iCode), "Type", f"unknown Type {r.Type!r}") for r in bad_type.itertuples()
    ]
    if problems:
        raise CompositeInputError(problems)
    nodes.index = nodes["iCode"].astype(str)
    for col, default in (("Weight", 1.0), ("Direction", 1.0), ("Level", np.nan)):
        if col not in nodes.columns:
            nodes[col] = default
    for code, row in nodes.iterrows():  # per metadata row, not per unit
        for col in ("Weight", "Direction"):
            nodes.at[code, col] = _as_float(row[col], str(code), col)
        if nodes.at[code, "Direction"] not in (1.0, -1.0):
            problems.append(InputProblem(str(code), "Direction", "Direction must be 1 or -1"))
    # An object column holding None for "no parent": under pandas 3 a text column is the str dtype,
    # where ``.where(..., None)`` stores NaN instead of None.
    nodes["Parent"] = pd.Series(
        [p if pd.notna(p) and str(p) != "" else None for p in nodes["Parent"]],
        index=nodes.index,
        dtype=object,
    )
    for code, parent in nodes["Parent"].items():
        if parent is not None and parent not in nodes.index:
            problems.append(
                InputProblem(
                    str(code), "Parent", f"parent {parent!r} is not an aggregate in the metadata (orphan)"
                )
            )
    roots = nodes.index[nodes["Parent"].isna()].tolist()
    if len(roots) != 1:
        problems.append(
            InputProblem(
                None, "Parent", f"the tree needs exactly one root (node without parent), found {roots}"
            )
        )
    if problems:
        raise CompositeInputError(problems)
    childless = [c for c in nodes.index[nodes["Type"] == "Aggregate"] if not (nodes["Parent"] == c).any()]
    problems += [InputProblem(c, "iCode", "aggregate has no children (orphan aggregate)") for c in childless]
    problems += [
        InputProblem(c, "Type", "a node with children must be an Aggregate, not an Indicator")
        for c in nodes.index[(nodes["Type"] == "Indicator") & nodes.index.isin(nodes["Parent"])]
    ]
    if problems:
        raise CompositeInputError(problems)
    nodes["Level"] = _levels(nodes)
    for col in ("Denominator", "Target", "iName"):
        if col not in nodes.columns:
            nodes[col] = np.nan
    nodes = nodes[["Level", "Parent", "Weight", "Direction", "Type", "iName", "Denominator", "Target"]]
    _check_weights(nodes)
    return IndicatorTree(nodes, groups, denoms, {**DEFAULT_LEVEL_NAMES, **(level_names or {})})


def _levels(nodes: pd.DataFrame) -> pd.Series:
    """Level of each node: 1 for leaves, else 1 + the highest child level; detects cycles."""
    parent = nodes["Parent"].to_dict()
    for start in nodes.index:  # walk up at most len(nodes) steps; longer means a cycle
        seen, node = [start], parent[start]
        while node is not None:
            if node in seen:
                raise CompositeInputError.at(
                    f"cycle in the tree: {' -> '.join([*seen, node])}", row=start, key="Parent"
                )
            seen.append(node)
            node = parent[node]
    level = pd.Series(1, index=nodes.index, dtype=int)
    for _ in range(len(nodes)):
        up = level.groupby(nodes["Parent"]).max() + 1
        new = level.copy()
        new.loc[up.index] = np.maximum(level.loc[up.index], up)
        if new.equals(level):
            break
        level = new
    given = pd.to_numeric(nodes["Level"], errors="coerce")
    bad = given.notna() & (given != level)
    if bad.any():
        code = bad.idxmax()
        raise CompositeInputError.at(
            f"Level {given[code]:g} disagrees with the tree (expected {level[code]}: children must sit one level below)",
            row=code,
            key="Level",
        )
    return level


def _check_weights(nodes: pd.DataFrame) -> None:
    problems = [
        InputProblem(str(c), "Weight", f"weight {w:g} is negative")
        for c, w in nodes["Weight"].items()
        if w < 0
    ]
    sums = nodes["Weight"].groupby(nodes["Parent"]).sum()
    problems += [
        InputProblem(str(p), "Weight", "all weights of this aggregate's children are zero")
        for p, s in sums.items()
        if s <= 0
    ]
    if problems:
        raise CompositeInputError(problems)
