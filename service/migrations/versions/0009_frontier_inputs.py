"""frontier inputs: the candidate packages a frontier's point jobs share

Revision ID: 0009_frontier_inputs
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0009_frontier_inputs"
down_revision = "0001"
branch_labels = None
depends_on = "0004_portfolios"


def upgrade() -> None:
    op.create_table(
        "portfolio_frontier_inputs",
        sa.Column("portfolio_id", sa.Uuid(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_portfolio_frontier_inputs_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portfolio_id", name=op.f("pk_portfolio_frontier_inputs")),
    )


def downgrade() -> None:
    op.drop_table("portfolio_frontier_inputs")
