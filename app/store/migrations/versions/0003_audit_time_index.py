"""The audit trail's time index also holds seq, so a period's first and last seq are read from the
index alone: the Audit tab then walks only that period's stretch of the trail (app.services.audit).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_at_seq", "audit_event", ["at", "seq"])
    op.drop_index("ix_audit_event_at", table_name="audit_event")


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded")
