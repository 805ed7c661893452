"""portfolios: stored optimisation results and their chosen projects

Depends on 0003_assessments (a portfolio may link the assessment it was built from).

Revision ID: 0004_portfolios
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db  # noqa: F401 - custom column types

revision = "0004_portfolios"
down_revision = "0001"
branch_labels = None
depends_on = "0003_assessments"


def upgrade() -> None:
    op.create_table(
        "portfolios",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("inventory_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("inventory_version", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=True),
        sa.Column("solve", sa.JSON(), nullable=True),
        sa.Column("totals", sa.JSON(), nullable=True),
        sa.Column("cash_flow", sa.JSON(), nullable=True),
        sa.Column("frontier", sa.JSON(), nullable=True),
        sa.Column("candidate_count", sa.Integer(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_portfolios_assessment_id_assessments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_org_id"],
            ["organisations.id"],
            name=op.f("fk_portfolios_created_by_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_portfolios_inventory_id_inventories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_portfolios_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_portfolios_owner_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["inventory_versions.id"],
            name=op.f("fk_portfolios_version_id_inventory_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
    )
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolios_inventory_id"), ["inventory_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolios_owner_org_id"), ["owner_org_id"], unique=False)

    op.create_table(
        "portfolio_projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("building_id", sa.String(length=100), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("capex_pln", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_portfolio_projects_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_projects")),
    )
    with op.batch_alter_table("portfolio_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_projects_portfolio_id"), ["portfolio_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("portfolio_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_projects_portfolio_id"))

    op.drop_table("portfolio_projects")
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolios_owner_org_id"))
        batch_op.drop_index(batch_op.f("ix_portfolios_inventory_id"))

    op.drop_table("portfolios")
