"""jobs remember when their message was last sent, so that a sweep can re-send lost ones

Revision ID: 0008_job_dispatch
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0008_job_dispatch"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", service.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("dispatched_at")
