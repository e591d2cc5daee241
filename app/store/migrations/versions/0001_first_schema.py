"""The store as the first releases made it with metadata.create_all (before migrations).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("user_name", sa.String(200)),
        sa.Column("counts", sa.Text),
        sa.Column("warnings", sa.Text),
    )
    op.create_table(
        "model_version",
        sa.Column("version", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(200)),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("params", sa.Text),
        sa.Column("metrics", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("activated_at", sa.DateTime),
    )
    op.create_table(
        "saved_routing",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ITEM_CD", sa.String(100), nullable=False),
        sa.Column("ROUT_NO", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("operations", sa.Text, nullable=False),
        sa.Column("model_version", sa.String(40)),
        sa.Column("candidate_rank", sa.Integer),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_saved_routing_ITEM_CD", "saved_routing", ["ITEM_CD"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.String(200)),
        sa.Column("host", sa.String(200)),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    for table in ("audit_event", "saved_routing", "model_version", "import_run"):
        op.drop_table(table)
