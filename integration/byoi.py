"""Bring your own index: COINr-shaped data + metadata tables and a pipeline configuration -> CSV outputs.

The CLI command ``miasto index build --data DATA.csv --meta META.csv --config PIPELINE.yaml --out DIR``
is a thin wrapper around ``build_from_files``. The configuration format is documented in
``integration/data/examples/CONFIG.md`` with COINr's ASEM example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .composite.config import PipelineConfig
from .composite.errors import CompositeInputError
from .composite.pipeline import IndexResult, run_pipeline
from .composite.tree import UNIT_ID, UNIT_NAME


def build_index(
    data: pd.DataFrame, meta: pd.DataFrame, config: PipelineConfig | dict[str, Any] | str | Path
) -> IndexResult:
    """Run the configured pipeline on an advisor's own data.

    Parameters
    ----------
    data : DataFrame
        COINr ``iData``: ``uCode``, optional ``uName``, group, denominator and indicator columns.
    meta : DataFrame
        COINr ``iMeta``: iCode, Level, Parent, Weight, Direction, Type, optional Denominator, Target.
    config : PipelineConfig, mapping, or path to a YAML/JSON file

    Raises
    ------
    CompositeInputError
        Any invalid input; the message names the row and key.
    """
    return run_pipeline(data, meta, config if not isinstance(config, Path) else str(config))


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV table (``uCode``/``iCode`` kept as text); unreadable files raise ``CompositeInputError``."""
    try:
        return pd.read_csv(path, dtype={UNIT_ID: str, "iCode": str, "Parent": str})
    except (OSError, ValueError) as exc:
        raise CompositeInputError.at(f"cannot read {what} table: {exc}", key=str(path)) from None


def write_outputs(result: IndexResult, out_dir: str | Path) -> dict[str, Path]:
    """Write scores, ranks and every intermediate table as CSV files.

    Files: ``scores.csv`` and ``ranks.csv`` (units by aggregates, with uName), ``results_long.csv`` (uCode,
    iCode, level, level_name, score, rank), ``data_<Dataset>.csv`` for each step (Raw, Denominated, Imputed,
    Screened, Treated, Normalised, Aggregated), ``imputed.csv``, ``screening.csv``, ``treatment.csv``,
    ``effective_weights.csv`` and ``group_ranks_<column>.csv``.

    Returns
    -------
    dict of str to Path
        Name -> written file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = result.units.names
    tables: dict[str, pd.DataFrame] = {
        "scores": result.scores.join(names, how="left")[[UNIT_NAME, *result.scores.columns]],
        "ranks": result.ranks.join(names, how="left")[[UNIT_NAME, *result.ranks.columns]],
        "results_long": result.results_table().set_index(UNIT_ID),
        "effective_weights": result.tree.effective_weights().rename_axis("iCode"),
    }
    tables.update({f"data_{k}": v for k, v in result.datasets.items()})
    if result.imputed is not None:
        tables["imputed"] = result.imputed
    if result.screening is not None:
        tables["screening"] = result.screening
    if result.treatment is not None:
        tables["treatment"] = result.treatment
    tables.update({f"group_ranks_{k}": v for k, v in result.group_ranks.items()})
    written = {}
    for name, table in tables.items():
        path = out / f"{name}.csv"
        table.to_csv(path, index=True, float_format="%.17g")
        written[name] = path
    return written


def build_from_files(
    data_path: str | Path, meta_path: str | Path, config_path: str | Path, out_dir: str | Path
) -> dict[str, Path]:
    """Read the two tables and the configuration, build the index and write its outputs (CLI entry point)."""
    result = build_index(read_table(data_path, "data"), read_table(meta_path, "metadata"), str(config_path))
    return write_outputs(result, out_dir)
