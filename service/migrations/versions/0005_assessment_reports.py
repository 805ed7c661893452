"""assessment_reports: energy-diagnosis PDFs made by report jobs (big cities, or on request)

Depends on 0003_assessments.

Revision ID: 0005_assessment_reports
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db  # noqa: F401 - custom column types

revision = "0005_assessment_reports"
down_revision = "0001"
branch_labels = None
depends_on = "0003_assessments"


def upgrade() -> None:
    op.create_table(
        "assessment_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_reports_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_assessment_reports_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_reports")),
        sa.UniqueConstraint("assessment_id", "lang", "engine_version", name="assessment_report"),
    )


def downgrade() -> None:
    op.drop_table("assessment_reports")
