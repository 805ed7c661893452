"""The refugee-readiness framework: pillars, indicators, goalposts and methodology metadata.

The framework is data: ``integration/data/readiness/indicators.csv`` (one row per indicator),
``pillars.csv`` and ``framework.yaml`` (version, reference year, staleness limit, default
methods). :func:`load_framework` reads and validates them; :meth:`Framework.config_hash` gives a
stable hash that published snapshots carry so a portal can tell which methodology produced a score.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from integration.errors import IntegrationError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "readiness"

ROLES = ("score", "headroom", "auxiliary")
REQUIRED_COLUMNS = (
    "code",
    "pillar",
    "role",
    "name_pl",
    "name_en",
    "name_uk",
    "unit",
    "direction",
    "weight",
    "bdl_var_id",
    "source",
    "goalpost_min",
    "goalpost_max",
    "goalpost_source",
    "impute",
    "rationale",
)
IMPUTE_METHODS = ("none", "mean", "median", "group_mean", "group_median")


class ReadinessInputError(IntegrationError):
    """Bad readiness input; the message names the row, field or key and the reason."""


@dataclass(frozen=True)
class Framework:
    """A versioned readiness framework.

    Attributes
    ----------
    version : str
        Methodology version, e.g. ``"2025.1"``.
    indicators : pandas.DataFrame
        One row per indicator, indexed by ``code`` (columns as in ``indicators.csv``).
    pillars : pandas.DataFrame
        One row per pillar, indexed by ``code`` (names pl/en/uk, weight).
    meta : dict
        ``reference_year``, ``max_age_years``, ``normalisation``, ``normalisation_range``,
        ``aggregation``.
    """

    version: str
    indicators: pd.DataFrame
    pillars: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def scored(self) -> pd.DataFrame:
        """Indicators that enter the score (roles ``score`` and ``headroom``)."""
        return self.indicators[self.indicators["role"] != "auxiliary"]

    def goalposts(self) -> pd.DataFrame:
        """Goalposts of the scored indicators: columns ``min``, ``max``, ``direction``."""
        scored = self.scored
        return pd.DataFrame(
            {
                "min": scored["goalpost_min"],
                "max": scored["goalpost_max"],
                "direction": scored["direction"],
            }
        )

    def config_hash(self) -> str:
        """SHA-256 (hex, first 16 chars) of the canonical framework content."""
        payload = {
            "version": self.version,
            "meta": self.meta,
            "indicators": json.loads(self.indicators.reset_index().to_json(orient="records")),
            "pillars": json.loads(self.pillars.reset_index().to_json(orient="records")),
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _validate_indicators(frame: pd.DataFrame, pillars: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ReadinessInputError(f"indicators.csv: missing columns {missing}")
    duplicated = frame.loc[frame["code"].duplicated(), "code"].tolist()
    if duplicated:
        raise ReadinessInputError(f"indicators.csv: indicator code(s) {duplicated} appear twice")
    for row, rec in frame.iterrows():  # metadata rows (~25), not a hot path
        where = f"indicators.csv row {row + 2} ({rec['code']})"
        if rec["role"] not in ROLES:
            raise ReadinessInputError(f"{where}: role {rec['role']!r} not one of {ROLES}")
        if rec["impute"] not in IMPUTE_METHODS:
            raise ReadinessInputError(f"{where}: impute {rec['impute']!r} not one of {IMPUTE_METHODS}")
        if rec["role"] == "auxiliary":
            continue
        if rec["pillar"] not in pillars.index:
            raise ReadinessInputError(f"{where}: pillar {rec['pillar']!r} is not defined in pillars.csv")
        if rec["direction"] not in (1, -1):
            raise ReadinessInputError(f"{where}: direction must be 1 or -1, got {rec['direction']!r}")
        if not rec["weight"] >= 0:
            raise ReadinessInputError(f"{where}: weight must be >= 0, got {rec['weight']!r}")
        if not rec["goalpost_max"] > rec["goalpost_min"]:
            raise ReadinessInputError(
                f"{where}: goalpost_max ({rec['goalpost_max']}) must exceed goalpost_min ({rec['goalpost_min']})"
            )
    return frame.set_index("code")


def load_framework(version: str | None = None, data_dir: Path | None = None) -> Framework:
    """Load and validate the readiness framework.

    Parameters
    ----------
    version : str, optional
        Expected methodology version; a mismatch raises :class:`ReadinessInputError`
        (only the packaged version is available).
    data_dir : pathlib.Path, optional
        Folder holding ``indicators.csv``, ``pillars.csv`` and ``framework.yaml``.

    Returns
    -------
    Framework
    """
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    meta = yaml.safe_load((folder / "framework.yaml").read_text(encoding="utf-8"))
    found = str(meta.pop("version"))
    if version is not None and str(version) != found:
        raise ReadinessInputError(f"framework version {version!r} not available (packaged: {found!r})")
    pillars = pd.read_csv(folder / "pillars.csv").set_index("code")
    indicators = pd.read_csv(folder / "indicators.csv", dtype={"bdl_var_id": "string"})
    indicators["impute"] = indicators["impute"].fillna("none")
    return Framework(
        version=found, indicators=_validate_indicators(indicators, pillars), pillars=pillars, meta=meta
    )
