"""Pipeline configuration: load a JSON/YAML mapping and validate every key and method name.

The format is documented with the ASEM example in ``integration/data/examples/CONFIG.md``.
A step that is absent (or ``null``) is skipped; the steps always run in the order
denominate -> impute -> screen -> treat -> normalise -> aggregate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CompositeInputError

IMPUTE_METHODS = ("none", "mean", "median", "group_mean", "group_median")
TREAT_METHODS = ("none", "winsorise")
TREAT_FALLBACKS = ("none", "log_ct", "log")
NORMALISE_METHODS = (
    "minmax",
    "zscore",
    "goalposts",
    "prank",
    "rank",
    "dist2ref",
    "dist2targ",
    "scaled",
    "fracmax",
    "dist2max",
    "none",
)
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic")
#: COINr function names accepted as aliases.
ALIASES = {
    "i_mean": "mean",
    "i_median": "median",
    "i_mean_grp": "group_mean",
    "i_median_grp": "group_median",
    "n_minmax": "minmax",
    "n_zscore": "zscore",
    "n_goalposts": "goalposts",
    "n_prank": "prank",
    "n_borda": "rank",
    "n_dist2ref": "dist2ref",
    "n_dist2targ": "dist2targ",
    "n_scaled": "scaled",
    "n_fracmax": "fracmax",
    "n_dist2max": "dist2max",
    "a_amean": "arithmetic",
    "a_gmean": "geometric",
    "a_hmean": "harmonic",
    "winsorize": "winsorise",
    "log_CT": "log_ct",
}


@dataclass(frozen=True)
class DenominateSpec:
    """Divide indicators by a denominator column. ``mapping`` overrides iMeta's Denominator column."""

    mapping: dict[str, str] = field(default_factory=dict)
    scale_factors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ImputeSpec:
    method: str = "none"
    group: str | None = None
    per_indicator: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreenSpec:
    """Keep a unit if its share of present indicator values >= ``min_availability``."""

    min_availability: float = 0.0
    min_nonzero: float | None = None
    force_include: tuple[str, ...] = ()
    force_exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreatSpec:
    """COINr outlier treatment (defaults = COINr's ``Treat`` defaults)."""

    method: str = "winsorise"
    winmax: int = 5
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    fallback: str = "log_ct"
    per_indicator: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class NormaliseSpec:
    """Normalisation method and its parameters; ``per_indicator`` maps a code to its own method/params.

    Parameters by method: ``range`` [l, u] (minmax, default [0, 100]); ``mean_sd`` [m, s] (zscore, default
    [0, 1]); ``goalposts`` [low, high, scale] (goalposts); ``scale`` [a, b] (scaled); ``reference`` unit code
    (dist2ref); ``target`` (dist2targ; default iMeta's Target); ``cap_max`` (dist2ref/dist2targ).
    """

    method: str = "minmax"
    params: dict[str, Any] = field(default_factory=dict)
    per_indicator: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class AggregateSpec:
    method: str = "arithmetic"
    per_level: dict[int, str] = field(default_factory=dict)
    min_share: float | None = None

    def method_at(self, level: int) -> str:
        return self.per_level.get(level, self.method)


@dataclass(frozen=True)
class PipelineConfig:
    """A validated pipeline configuration; ``None`` for a step means the step is skipped."""

    denominate: DenominateSpec | None = None
    impute: ImputeSpec | None = None
    screen: ScreenSpec | None = None
    treat: TreatSpec | None = None
    normalise: NormaliseSpec = field(default_factory=NormaliseSpec)
    aggregate: AggregateSpec = field(default_factory=AggregateSpec)
    weights: dict[str, float] = field(default_factory=dict)
    rank_groups: tuple[str, ...] = ()
    level_names: dict[int, str] = field(default_factory=dict)


def _method(value: Any, allowed: tuple[str, ...], key: str) -> str:
    name = ALIASES.get(str(value), str(value))
    if name not in allowed:
        raise CompositeInputError.at(
            f"unknown method {value!r}; expected one of {', '.join(allowed)}", key=key
        )
    return name


def _keys(section: dict[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(section, dict):
        raise CompositeInputError.at(f"must be a mapping, got {type(section).__name__}", key=where)
    for k in section:
        if k not in allowed:
            raise CompositeInputError.at(
                f"unknown key; expected one of {', '.join(sorted(allowed))}", key=f"{where}.{k}"
            )


def _number(value: Any, key: str, low: float | None = None, high: float | None = None) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise CompositeInputError.at(f"{value!r} is not a number", key=key) from None
    if (low is not None and out < low) or (high is not None and out > high):
        raise CompositeInputError.at(f"{out:g} is outside [{low}, {high}]", key=key)
    return out


def _norm_params(p: dict[str, Any], key: str) -> dict[str, Any]:
    _keys(p, {"method", "range", "mean_sd", "goalposts", "scale", "reference", "target", "cap_max"}, key)
    out = dict(p)
    if "method" in out:
        out["method"] = _method(out["method"], NORMALISE_METHODS, f"{key}.method")
    for name, size in (("range", 2), ("mean_sd", 2), ("goalposts", 3), ("scale", 2)):
        if name in out:
            vals = out[name]
            if not isinstance(vals, list | tuple) or len(vals) != size:
                raise CompositeInputError.at(f"must be a list of {size} numbers", key=f"{key}.{name}")
            out[name] = [_number(v, f"{key}.{name}") for v in vals]
    return out


#: The sections of a pipeline configuration, in pipeline order.
CONFIG_SECTIONS = (
    "denominate",
    "impute",
    "screen",
    "treat",
    "normalise",
    "aggregate",
    "weights",
    "ranks",
    "levels",
)


def _treat_spec(d: dict[str, Any]) -> TreatSpec:
    """The ``treat`` section: outlier treatment, by default and per indicator."""
    _keys(
        d,
        {"method", "winmax", "skew_threshold", "kurtosis_threshold", "fallback", "per_indicator"},
        "treat",
    )
    per_treat: dict[str, dict[str, Any]] = {}
    for code, p in (d.get("per_indicator") or {}).items():
        _keys(p, {"method", "winmax", "fallback"}, f"treat.per_indicator.{code}")
        per_treat[code] = {
            **p,
            **(
                {"method": _method(p["method"], TREAT_METHODS, f"treat.per_indicator.{code}.method")}
                if "method" in p
                else {}
            ),
            **(
                {"fallback": _method(p["fallback"], TREAT_FALLBACKS, f"treat.per_indicator.{code}.fallback")}
                if "fallback" in p
                else {}
            ),
        }
    return TreatSpec(
        _method(d.get("method", "winsorise"), TREAT_METHODS, "treat.method"),
        int(_number(d.get("winmax", 5), "treat.winmax", 0)),
        _number(d.get("skew_threshold", 2.0), "treat.skew_threshold", 0),
        _number(d.get("kurtosis_threshold", 3.5), "treat.kurtosis_threshold"),
        _method(d.get("fallback", "log_ct"), TREAT_FALLBACKS, "treat.fallback"),
        per_treat,
    )


def _normalise_spec(d: dict[str, Any]) -> NormaliseSpec:
    """The ``normalise`` section: method and parameters, by default and per indicator."""
    _keys(
        d,
        {
            "method",
            "range",
            "mean_sd",
            "goalposts",
            "scale",
            "reference",
            "target",
            "cap_max",
            "per_indicator",
        },
        "normalise",
    )
    base = _norm_params({k: v for k, v in d.items() if k != "per_indicator"}, "normalise")
    per_norm = {
        k: _norm_params(v, f"normalise.per_indicator.{k}") for k, v in (d.get("per_indicator") or {}).items()
    }
    return NormaliseSpec(base.pop("method", "minmax"), base, per_norm)


def parse_config(raw: dict[str, Any]) -> PipelineConfig:
    """Validate a configuration mapping (as loaded from JSON/YAML).

    Raises
    ------
    CompositeInputError
        Unknown section, key or method, or a parameter of the wrong type/range; the message names the key.
    """
    raw = raw or {}
    _keys(raw, set(CONFIG_SECTIONS), "config")
    cfg: dict[str, Any] = {}
    if (d := raw.get("denominate")) is not None:
        d = {} if d is True else d
        _keys(d, {"mapping", "scale_factors"}, "denominate")
        cfg["denominate"] = DenominateSpec(
            dict(d.get("mapping") or {}),
            {
                k: _number(v, f"denominate.scale_factors.{k}")
                for k, v in (d.get("scale_factors") or {}).items()
            },
        )
    if (d := raw.get("impute")) is not None:
        _keys(d, {"method", "group", "per_indicator"}, "impute")
        per = {
            k: _method(v, IMPUTE_METHODS, f"impute.per_indicator.{k}")
            for k, v in (d.get("per_indicator") or {}).items()
        }
        cfg["impute"] = ImputeSpec(
            _method(d.get("method", "none"), IMPUTE_METHODS, "impute.method"), d.get("group"), per
        )
    if (d := raw.get("screen")) is not None:
        _keys(d, {"min_availability", "min_nonzero", "force_include", "force_exclude"}, "screen")
        nz = d.get("min_nonzero")
        cfg["screen"] = ScreenSpec(
            _number(d.get("min_availability", 0), "screen.min_availability", 0, 1),
            None if nz is None else _number(nz, "screen.min_nonzero", 0, 1),
            tuple(d.get("force_include") or ()),
            tuple(d.get("force_exclude") or ()),
        )
    if (d := raw.get("treat")) is not None:
        cfg["treat"] = _treat_spec(d)
    if (d := raw.get("normalise")) is not None:
        cfg["normalise"] = _normalise_spec(d)
    if (d := raw.get("aggregate")) is not None:
        _keys(d, {"method", "per_level", "min_share"}, "aggregate")
        per = {
            int(k): _method(v, AGGREGATE_METHODS, f"aggregate.per_level.{k}")
            for k, v in (d.get("per_level") or {}).items()
        }
        ms = d.get("min_share")
        cfg["aggregate"] = AggregateSpec(
            _method(d.get("method", "arithmetic"), AGGREGATE_METHODS, "aggregate.method"),
            per,
            None if ms is None else _number(ms, "aggregate.min_share", 0, 1),
        )
    if (d := raw.get("weights")) is not None:
        _keys(d, set(d), "weights")
        cfg["weights"] = {str(k): _number(v, f"weights.{k}") for k, v in d.items()}
    if (d := raw.get("ranks")) is not None:
        _keys(d, {"groups"}, "ranks")
        cfg["rank_groups"] = tuple(d.get("groups") or ())
    if (d := raw.get("levels")) is not None:
        _keys(d, set(d), "levels")
        cfg["level_names"] = {int(k): str(v) for k, v in d.items()}
    return PipelineConfig(**cfg)


def load_config(source: str | Path | dict[str, Any] | PipelineConfig) -> PipelineConfig:
    """Load and validate a pipeline configuration from a YAML/JSON file path, a mapping or a config.

    Raises
    ------
    CompositeInputError
        Unreadable file or invalid content (the message names the key).
    """
    if isinstance(source, PipelineConfig):
        return source
    if isinstance(source, dict):
        return parse_config(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CompositeInputError.at(f"cannot read configuration: {exc}", key=str(path)) from None
    return parse_config(raw)
