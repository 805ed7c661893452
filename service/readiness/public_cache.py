"""In-memory cache of the public bodies: JSON, badge and widget per published snapshot, with ETags.

An entry per TERYT holds the latest snapshot id, its rendered bodies (per kind and language) and
their ETags, so a hot request does no database query, no JSON encoding and no rendering. The cache
re-checks the latest snapshot id at most every ``REVALIDATE_S`` seconds (one indexed query), and a
publication through this process drops the entry at once; so another API process sees a new
snapshot within ``REVALIDATE_S``. Unpublished TERYT codes are remembered as such for the same time,
so unknown codes cannot hammer the database either.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from service.i18n import translator
from service.readiness import repository as repo
from service.readiness.i18n import METHODOLOGY_LANGS
from service.readiness.methodology import methodology_html
from service.readiness.public_schema import PublicSnapshot
from service.readiness.render import badge_svg, widget_html

REVALIDATE_S = 1.0  # how stale the "latest snapshot" may be in another process [s]; engineering default
MAX_ENTRIES = 10_000  # more than the 2,477 gminas of Poland


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass
class Entry:
    snapshot_id: str | None
    checked_at: float
    snapshot: PublicSnapshot | None = None
    withdrawn_at: datetime | None = None  # the latest publication was withdrawn: the public answer is 410
    bodies: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)

    def body(self, kind: str, lang: str, base_url: str) -> tuple[bytes, str]:
        """Rendered body and ETag of ``kind`` (json, badge, widget) in ``lang``, rendered once."""
        key = (kind, lang)
        found = self.bodies.get(key)
        if found is None:
            snap = self.snapshot
            if snap is None:  # the routes answer 404 (or 410) before asking for a body
                raise LookupError(f"no published snapshot to render as {kind}")
            if kind == "json":
                raw = json.dumps(snap.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
            elif kind == "badge":
                raw = badge_svg(snap, lang)
            else:
                raw = widget_html(snap, lang, base_url)
            data = raw.encode("utf-8")
            found = self.bodies[key] = (data, etag_of(data))
        return found


class PublicCache:
    """Latest published snapshot per TERYT with its rendered bodies (see module docstring)."""

    def __init__(self, session_factory: Callable, revalidate_s: float = REVALIDATE_S) -> None:
        self.session_factory = session_factory
        self.revalidate_s = revalidate_s
        self.entries: dict[str, Entry] = {}
        self.pages: dict[str, tuple[bytes, str]] = {}

    def fresh(self, teryt: str) -> Entry | None:
        """The entry if it was checked within ``revalidate_s`` (no I/O; safe on the event loop)."""
        entry = self.entries.get(teryt)
        if entry is not None and time.monotonic() - entry.checked_at < self.revalidate_s:
            return entry
        return None

    def load(self, teryt: str) -> Entry:
        """Re-check the database (blocking: call from a worker thread) and return the entry."""
        entry = self.entries.get(teryt)
        known = (entry.snapshot_id, entry.withdrawn_at) if entry else None
        with self.session_factory() as session:
            head = repo.latest_head(session, teryt)
            if head is not None and head != known:
                pub = repo.latest_publication(session, teryt)
                if pub is not None:  # it exists: publications are only ever added (or withdrawn)
                    snap = PublicSnapshot.model_validate(pub.snapshot)
                    entry = Entry(pub.snapshot_id, time.monotonic(), snap, pub.withdrawn_at)
        # with a head, entry is set (it matched the known head or was just built)
        if head is None or entry is None:
            entry = Entry(None, time.monotonic())
        entry.checked_at = time.monotonic()
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[teryt] = entry
        return entry

    def history(self, teryt: str) -> list[dict]:
        """Every publication of ``teryt``, newest first (blocking: call from a worker thread)."""
        from service.readiness.service import public_history

        with self.session_factory() as session:
            return public_history(session, teryt)

    def invalidate(self, teryt: str) -> None:
        self.entries.pop(teryt, None)

    def methodology(self, lang: str) -> tuple[bytes, str]:
        found = self.pages.get(lang)
        if found is None:
            from service.readiness.service import framework

            fw = framework()
            html = methodology_html(fw.indicators, lang, fw.version, method_description(fw.meta))
            data = html.encode("utf-8")
            found = self.pages[lang] = (data, etag_of(data))
        return found


def method_description(meta: dict) -> dict[str, dict[str, str]]:
    """The method steps in every methodology language, from the one catalogue (``public.po``, msgctxt
    ``method:<step>``) filled with the framework's metadata (``framework.yaml``)."""
    low, high = meta.get("normalisation_range", [0, 100])
    values = {"low": low, "high": high, "age": meta.get("max_age_years"), "ref": meta.get("reference_year")}
    out: dict[str, dict[str, str]] = {}
    for step, english in METHOD_STEPS_EN.items():
        out[step] = {}
        for lang in METHODOLOGY_LANGS:
            t = translator(lang)
            aggregation = t.pgettext("aggregation", str(meta.get("aggregation", "arithmetic")))
            out[step][lang] = t.pgettext(f"method:{step}", english).format(aggregation=aggregation, **values)
    return out


# The English texts of the method steps (msgids); translations in service/i18n/locales/*/public.po.
METHOD_STEPS_EN: dict[str, str] = {
    "scenario": (
        "An arrival scenario (persons, shares of preschool and school-age children, household size) "
        "becomes needs: dwellings, school and preschool places, primary-care patients and social-work "
        "cases. Spare capacity divided by need gives the headroom indicators."
    ),
    "imputation": (
        "Missing values are not imputed unless the indicator's configuration says so; they are listed "
        "in the coverage and the remaining weights of the pillar are re-normalised."
    ),
    "normalisation": (
        "Target-based (goalposts) normalisation: each indicator to {low}-{high} between two fixed "
        "posts, so a gmina's score never depends on other gminas' data."
    ),
    "weighting": (
        "Default weights from the framework definition (table below); an advisor may change them for a "
        "computation, and the change shows in the published configuration hash."
    ),
    "aggregation": (
        "Weighted {aggregation} mean: indicators → pillars (housing, schooling, services) → overall score."
    ),
    "uncertainty": (
        "Monte Carlo: weights drawn ±25% around nominal and min-max normalisation as the alternative; "
        "the interval is the 5th to 95th percentile of the runs."
    ),
    "freshness": ("Data age is counted against {ref}; values older than {age} years are flagged."),
}


def invalidate_served(app_state: object, teryt: str) -> None:
    """After a publication or withdrawal: this process serves the change at once (others within
    ``REVALIDATE_S``). A no-op before the first public request built the cache."""
    cache = getattr(app_state, "readiness_public_cache", None)
    if cache is not None:
        cache.invalidate(teryt)
