"""Exceptions of the integration (readiness) engine.

Every error the engine raises on what it was given (indicator data, a framework or composite
configuration, an answer of GUS BDL) derives from :class:`IntegrationError` (a :class:`ValueError`)
and names the row, field or key and the reason, so that a caller handles the engine's refusals
with one ``except IntegrationError`` (the service renders them as one kind of 422 problem+json
answer). ``tests/service/test_layers.py`` checks that every exception class of ``integration/``
derives from it.
"""

from __future__ import annotations


class IntegrationError(ValueError):
    """Base of every error of the integration engine."""
