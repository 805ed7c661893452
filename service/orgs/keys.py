"""API keys: generated from a secure random source, shown once, stored as a SHA-256 hash.

A key carries 190 bits of entropy, so a fast hash is enough: it cannot be brute-forced, and
lookup by hash stays a single indexed query on every request.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "mst"

SCOPES = (
    "inventory:read",
    "inventory:write",
    "jobs:read",
    "jobs:write",
    "grants:write",
    "readiness:read",
    "readiness:write",
    "admin",
)

DEFAULT_SCOPES: dict[str, tuple[str, ...]] = {
    "city": (
        "inventory:read",
        "inventory:write",
        "jobs:read",
        "jobs:write",
        "grants:write",
        "readiness:read",
        "readiness:write",
    ),
    "advisor": ("inventory:read", "jobs:read", "jobs:write", "readiness:read", "readiness:write"),
    "portal": ("readiness:read",),
    "admin": SCOPES,
}


def generate_key() -> tuple[str, str, str]:
    """Return ``(plaintext, prefix, sha256 hex)``; only the hash and prefix are stored."""
    prefix = secrets.token_hex(4)
    plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    return plaintext, prefix, hash_key(plaintext)


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
