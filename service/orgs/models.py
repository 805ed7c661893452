"""Organisations (tenants), their API keys, and the access a city grants to advisors."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

ORG_KINDS = ("city", "advisor", "portal", "admin")
ACCESS_LEVELS = ("read", "plan")


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('city','advisor','portal','admin')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    teryt: Mapped[str | None] = mapped_column(String(7), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    keys: Mapped[list[ApiKey]] = relationship(back_populates="org")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list] = mapped_column(default=list)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    org: Mapped[Organisation] = relationship(back_populates="keys")


class Grant(Base):
    """A city's grant of read (or read-and-plan) access on its data to an advisor."""

    __tablename__ = "grants"
    __table_args__ = (
        UniqueConstraint("city_org_id", "advisor_org_id", name="city_advisor"),
        CheckConstraint("access IN ('read','plan')", name="access"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    city_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    advisor_org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    access: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    advisor: Mapped[Organisation] = relationship(foreign_keys=[advisor_org_id], viewonly=True)


class EndedSession(Base):
    """A workspace session that was signed out: its nonce's hash until the cookie would expire anyway.

    The session cookie is signed and carries a random nonce; signing out stores the nonce's SHA-256
    here, so a copied cookie stops working at once instead of at its expiry."""

    __tablename__ = "ended_sessions"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
