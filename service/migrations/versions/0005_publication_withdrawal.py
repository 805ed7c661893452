"""readiness publications can be withdrawn: when and why (the public endpoints then answer 410)

Revision ID: 0005_publication_withdrawal
Revises: 0002_readiness
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0005_publication_withdrawal"
down_revision = "0002_readiness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("readiness_publications") as batch:
        batch.add_column(sa.Column("withdrawn_at", service.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_org_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("readiness_publications") as batch:
        batch.drop_column("withdrawn_by_org_id")
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_at")
