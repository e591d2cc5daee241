"""Files in the store: model versions and imported views shared through a server store.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_file",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("owner", sa.Unicode(100), nullable=False),
        sa.Column("name", sa.Unicode(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ux_store_file_kind_owner_name", "store_file", ["kind", "owner", "name"], unique=True)
    op.create_table(
        "store_file_chunk",
        sa.Column("file_id", sa.Integer, sa.ForeignKey("store_file.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_file_chunk")
    op.drop_table("store_file")
