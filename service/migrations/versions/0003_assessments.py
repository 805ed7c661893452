"""assessments: per-building energy results and named user climates

Revision ID: 0003_assessments
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db  # noqa: F401 - custom column types

revision = "0003_assessments"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "climates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("period", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("altitude_m", sa.Float(), nullable=False),
        sa.Column("ghi_kwh_m2_per_year", sa.Float(), nullable=False),
        sa.Column("mean_temp_air_c", sa.Float(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_climates_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_climates")),
    )
    with op.batch_alter_table("climates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_climates_org_id"), ["org_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_org_id", sa.Uuid(), nullable=False),
        sa.Column("inventory_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("inventory_version", sa.Integer(), nullable=False),
        sa.Column("climate_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("city_lat", sa.Float(), nullable=False),
        sa.Column("city_lon", sa.Float(), nullable=False),
        sa.Column("city_location_source", sa.String(length=100), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("totals", sa.JSON(), nullable=True),
        sa.Column("totals_by_type", sa.JSON(), nullable=True),
        sa.Column("building_count", sa.Integer(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["climate_id"],
            ["climates.id"],
            name=op.f("fk_assessments_climate_id_climates"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_org_id"],
            ["organisations.id"],
            name=op.f("fk_assessments_created_by_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name=op.f("fk_assessments_inventory_id_inventories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_assessments_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_assessments_owner_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["inventory_versions.id"],
            name=op.f("fk_assessments_version_id_inventory_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_inventory_id"), ["inventory_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_owner_org_id"), ["owner_org_id"], unique=False)

    op.create_table(
        "assessment_buildings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.String(length=100), nullable=False),
        sa.Column("building_type", sa.String(length=32), nullable=False),
        sa.Column("co2_t_per_year", sa.Float(), nullable=True),
        sa.Column("ep_kwh_per_m2_year", sa.Float(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_buildings_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_buildings")),
        sa.UniqueConstraint("assessment_id", "building_id", name="assessment_building"),
    )
    with op.batch_alter_table("assessment_buildings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_buildings_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_buildings_assessment_id"))

    op.drop_table("assessment_buildings")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_owner_org_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_inventory_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("climates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_climates_org_id"))

    op.drop_table("climates")
