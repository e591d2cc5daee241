"""Mapping profiles and the record of every export (Mapping & Export tab).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mapping_profile",
        sa.Column("name", sa.Unicode(100), primary_key=True),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Unicode(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.Unicode(200)),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "export_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.Unicode(200)),
        sa.Column("host", sa.Unicode(200)),
        sa.Column("profile", sa.Unicode(100), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("target", sa.UnicodeText, nullable=False),
        sa.Column("selection", sa.UnicodeText),
        sa.Column("routings", sa.Integer, nullable=False),
        sa.Column("row_counts", sa.UnicodeText, nullable=False),
        sa.Column("files", sa.UnicodeText),
        sa.Column("skipped", sa.UnicodeText),
    )
    op.create_index("ix_export_run_at", "export_run", ["at"])


def downgrade() -> None:
    op.drop_table("export_run")
    op.drop_table("mapping_profile")
