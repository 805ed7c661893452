"""Shared loaders for the COINr ASEM conformance files copied into tests/data/asem."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

ASEM_DIR = Path(__file__).resolve().parents[1] / "data" / "asem"
EXAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "integration" / "data" / "examples" / "asem_pipeline.yaml"
)


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(ASEM_DIR / name)


def asem_data() -> pd.DataFrame:
    return _read("ASEM_iData.csv").copy()


def asem_meta() -> pd.DataFrame:
    return _read("ASEM_iMeta.csv").copy()


def expected_results() -> pd.DataFrame:
    return _read("expected_results.csv").copy()
