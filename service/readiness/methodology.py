"""The public methodology page (pl/en), generated from the framework definition.

The page lists every indicator per pillar with its unit, direction, weight, share of the pillar,
source and rationale, describes the method step by step, and names the methodology version, so a
reader of a portal can trace any published score back to its definition.

References
----------
OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User Guide. OECD, Paris.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import numpy as np
import pandas as pd

from service.readiness.i18n import LABELS, methodology_labels
from service.readiness.public_schema import PILLAR_CODES
from service.readiness.render import CSP
from service.readiness.templates.styles import PAGE_CSS

REQUIRED_COLUMNS = (
    "code", "pillar", "name_pl", "name_en", "name_uk", "unit", "direction", "weight", "source", "rationale",
)  # fmt: skip
METHOD_STEPS = (
    "scenario", "imputation", "outliers", "normalisation", "weighting", "aggregation", "uncertainty",
    "freshness",
)  # fmt: skip
REFERENCE = (
    "OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User Guide. "
    "OECD Publishing, Paris. ISBN 978-92-64-04345-9."
)
AUXILIARY_HEADING = {
    "pl": "Dane pomocnicze (nie wchodzą do wyniku)",
    "en": "Auxiliary data (not scored)",
    "uk": "Допоміжні дані (не входять до результату)",
}


class FrameworkDefinitionError(ValueError):
    """The framework table or the method description cannot be rendered; names rows/keys and why."""


def _fail_rows(mask: pd.Series, frame: pd.DataFrame, field: str, reason: str) -> None:
    if mask.any():
        codes = ", ".join(frame.loc[mask, "code"].astype(str).head(20))
        raise FrameworkDefinitionError(f"{field}: {reason} (rows: {codes})")


def validate_framework(framework_df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Check the framework table and return a clean copy (numeric direction/weight, code as column).

    Every failing row of a check is named at once. Rows without a pillar and with weight 0 are
    auxiliary data (kept, shown apart); a row without a pillar but with a weight is an error.
    """
    if not isinstance(framework_df, pd.DataFrame):
        raise FrameworkDefinitionError(f"framework_df: expected a pandas DataFrame, got {type(framework_df)}")
    frame = framework_df
    if "code" not in frame.columns and frame.index.name == "code":
        frame = frame.reset_index()
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise FrameworkDefinitionError(f"framework_df: missing columns {missing}")
    if frame.empty:
        raise FrameworkDefinitionError("framework_df: no indicator rows")
    frame = frame.copy()
    frame["code"] = frame["code"].astype(str)
    _fail_rows(frame["code"].duplicated(keep=False), frame, "code", "duplicated indicator code")
    frame["direction"] = pd.to_numeric(frame["direction"], errors="coerce")
    _fail_rows(~frame["direction"].isin([1, -1]), frame, "direction", "must be 1 (higher is better) or -1")
    frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce")
    _fail_rows(~(frame["weight"] >= 0), frame, "weight", "must be a number >= 0")
    pillar = frame["pillar"].fillna("").astype(str).str.strip()
    frame["pillar"] = pillar
    _fail_rows((pillar == "") & (frame["weight"] > 0), frame, "pillar", "missing for a weighted indicator")
    name = frame[f"name_{lang}"].fillna("").astype(str).str.strip()
    _fail_rows(name == "", frame, f"name_{lang}", "empty indicator name")
    scored = frame[pillar != ""]
    totals = scored.groupby("pillar")["weight"].sum()
    if (totals <= 0).any():
        raise FrameworkDefinitionError(f"weight: pillars {list(totals[totals <= 0].index)} have zero total")
    return frame


def _number(value: float, lang: str, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if decimals and "." in text:
        text = text.rstrip("0").rstrip(".") if decimals > 1 else text
    return text.replace(".", ",") if lang in ("pl", "uk") else text


def _method_text(key: str, value: object, lang: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if lang in value and isinstance(value[lang], str):
            return value[lang]
        raise FrameworkDefinitionError(f"method_description[{key!r}]: no text for lang {lang!r}")
    raise FrameworkDefinitionError(
        f"method_description[{key!r}]: expected text or a mapping lang -> text, got {type(value).__name__}"
    )


def _method_section(method_description: Mapping[str, object], lang: str) -> str:
    lab = methodology_labels(lang)
    parts = []
    for key, value in method_description.items():
        heading = lab.get(f"step_{key}", str(key).replace("_", " ").capitalize())
        paragraphs = [p.strip() for p in _method_text(key, value, lang).split("\n\n") if p.strip()]
        parts.append(f"<h3>{escape(heading)}</h3>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs))
    return f'<h2 id="method">{escape(lab["method"])}</h2>{"".join(parts)}' if parts else ""


def _pillar_table(rows: pd.DataFrame, pillar: str, lang: str) -> str:
    lab = methodology_labels(lang)
    pillar_name = LABELS[lang].get(f"pillar_{pillar}", pillar)
    share_pct = 100.0 * rows["weight"] / rows["weight"].sum()
    direction = np.where(rows["direction"] > 0, "↑ " + lab["dir_up"], "↓ " + lab["dir_down"])
    body = "".join(
        f"<tr><th scope=row>{escape(name)} <code>{escape(code)}</code>"
        f"<span class=why>{escape(why)}</span></th><td>{escape(unit)}</td><td>{escape(arrow)}</td>"
        f"<td class=num>{_number(weight, lang, 2)}</td><td class=num>{_number(share, lang, 1)} %</td>"
        f"<td>{escape(source)}</td></tr>"
        for name, code, unit, arrow, weight, share, source, why in zip(
            rows[f"name_{lang}"].astype(str), rows["code"], rows["unit"].fillna("").astype(str),
            direction, rows["weight"], share_pct, rows["source"].fillna("").astype(str),
            rows["rationale"].fillna("").astype(str), strict=True,
        )
    )  # fmt: skip
    columns = ("col_name", "col_unit", "col_direction", "col_weight", "col_share", "col_source")
    heads = "".join(f'<th scope="col">{escape(lab[k])}</th>' for k in columns)
    count = lab["pillar_count"].format(n=len(rows), w=_number(rows["weight"].sum(), lang, 2))
    return (
        f'<h3 id="pillar-{escape(pillar)}">{escape(pillar_name)}</h3><div class="table-wrap"><table>'
        f"<caption>{escape(count)}</caption><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def methodology_html(
    framework_df: pd.DataFrame,
    lang: str,
    methodology_version: str,
    method_description: Mapping[str, object],
) -> str:
    """HTML page describing the readiness methodology in Polish or English.

    Parameters
    ----------
    framework_df : pandas.DataFrame
        One row per indicator with columns code, pillar, name_pl, name_en, name_uk, unit, direction
        (1 higher is better, -1 lower is better), weight [-], source, rationale (``code`` may also be
        the index). Extra columns are ignored. Rows with an empty pillar and weight 0 are listed as
        auxiliary data.
    lang : {'pl', 'en'}
        Page language.
    methodology_version : str
        Version of the framework, e.g. ``"2025.1"``.
    method_description : mapping
        Ordered method steps: key -> text, or key -> {lang: text}. Known keys (scenario, imputation,
        outliers, normalisation, weighting, aggregation, uncertainty, freshness) get translated
        headings; blank lines split paragraphs.

    Returns
    -------
    str
        A self-contained HTML5 document (inline CSS, no scripts, no external resources).
    """
    lab = methodology_labels(lang)
    frame = validate_framework(framework_df, lang)
    if not isinstance(method_description, Mapping):
        raise FrameworkDefinitionError("method_description: expected a mapping of step -> text")
    scored = frame[frame["pillar"] != ""]
    order = [p for p in PILLAR_CODES if p in set(scored["pillar"])]
    order += sorted(set(scored["pillar"]) - set(order))
    tables = "".join(_pillar_table(scored[scored["pillar"] == p], p, lang) for p in order)
    auxiliary = frame[frame["pillar"] == ""]
    aux = ""
    if not auxiliary.empty:
        items = "".join(
            f"<li>{escape(n)} (<code>{escape(c)}</code>): {escape(s)}</li>"
            for n, c, s in zip(
                auxiliary[f"name_{lang}"], auxiliary["code"], auxiliary["source"].fillna("").astype(str),
                strict=True,
            )
        )  # fmt: skip
        aux = f"<h3>{escape(AUXILIARY_HEADING[lang])}</h3><ul>{items}</ul>"
    version = lab["version"].format(v=methodology_version)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{escape(lab['title'])} ({escape(methodology_version)})</title>"
        f"<style>{PAGE_CSS}</style></head><body><main>"
        f"<h1>{escape(lab['title'])}</h1><p class=lead>{escape(version)}</p><p>{escape(lab['intro'])}</p>"
        f"{_method_section(method_description, lang)}"
        f'<h2 id="indicators">{escape(lab["indicators"])}</h2>{tables}{aux}'
        f"<h2>{escape(lab['references'])}</h2><ul><li>{escape(REFERENCE)}</li></ul></main></body></html>"
    )
