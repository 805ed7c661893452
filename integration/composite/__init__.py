"""A general composite-indicator engine, conformant with COINr (the JRC's reference implementation).

Pipeline (each step optional, configured per indicator where sensible):
denominate -> impute -> screen -> treat (winsorise / log) -> normalise -> weights -> aggregate -> rank.

Typical use::

    from integration.composite import run_pipeline
    result = run_pipeline(i_data, i_meta, "integration/data/examples/asem_pipeline.yaml")
    result.scores["Index"], result.ranks["Index"]

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators: Methodology and User Guide.
Becker W. et al. (2022), COINr: An R package for developing composite indicators, JOSS 7(78), 4567.
"""

from .aggregate import weighted_mean
from .config import (
    AggregateSpec,
    DenominateSpec,
    ImputeSpec,
    NormaliseSpec,
    PipelineConfig,
    ScreenSpec,
    TreatSpec,
    load_config,
    parse_config,
)
from .errors import CompositeInputError, InputProblem
from .normalise import dist2targ, goalposts, minmax, normalise, normalise_column, zscore
from .pipeline import IndexResult, aggregate_tree, run_pipeline
from .prepare import availability, denominate, impute, screen_units
from .rank import rank_desc
from .stats import passes_skew_kurt, skew_kurt
from .treat import log_ct, treat, treat_column, winsorise
from .tree import IndicatorTree
from .units import UnitTable

__all__ = [
    "AggregateSpec",
    "CompositeInputError",
    "DenominateSpec",
    "ImputeSpec",
    "IndexResult",
    "IndicatorTree",
    "InputProblem",
    "NormaliseSpec",
    "PipelineConfig",
    "ScreenSpec",
    "TreatSpec",
    "UnitTable",
    "aggregate_tree",
    "availability",
    "denominate",
    "dist2targ",
    "goalposts",
    "impute",
    "load_config",
    "log_ct",
    "minmax",
    "normalise",
    "normalise_column",
    "parse_config",
    "passes_skew_kurt",
    "rank_desc",
    "run_pipeline",
    "screen_units",
    "skew_kurt",
    "treat",
    "treat_column",
    "weighted_mean",
    "winsorise",
    "zscore",
]
