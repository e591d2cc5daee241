"""Audit trail as a hash chain, roles, shared settings, and the approval of saved routings.

Rows written before the chain existed are sealed into it here, in their order, as rows 1..N with
role "" and outcome "ok"; their local times become UTC by this PC's time zone (the PC that wrote
them, for the usual single-PC SQLite store). Row N+1 is an `audit.chain_started` event naming N.
So Verify proves these rows unchanged since this upgrade, not before it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
import json
import socket
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql

from app.store.chain import GENESIS, chain_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "user_role",
        sa.Column("user_name", sa.Unicode(200), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("granted_by", sa.Unicode(200)),
        sa.Column("granted_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "role_cache",
        sa.Column("user_name", sa.Unicode(200), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("groups", sa.UnicodeText),
        sa.Column("resolved_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.UnicodeText, nullable=False),
        sa.Column("updated_by", sa.Unicode(200)),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("saved_routing") as batch:
        batch.add_column(sa.Column("reviewed_by", sa.Unicode(200)))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime))
        batch.add_column(sa.Column("review_comment", sa.UnicodeText))

    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger))
        batch.add_column(sa.Column("role", sa.Unicode(20)))
        batch.add_column(sa.Column("outcome", sa.String(20)))
        batch.add_column(sa.Column("hash", sa.String(64)))
        if bind.dialect.name == "mssql":   # Korean names and exact times on SQL Server
            # SQL Server refuses to change an indexed column: 0001's index on `at` goes and comes back
            batch.drop_index("ix_audit_event_at")
            batch.alter_column("at", type_=UTC_DATETIME, existing_nullable=False)
            batch.create_index("ix_audit_event_at", ["at"])
            batch.alter_column("user_name", type_=sa.Unicode(200), existing_nullable=True)
            batch.alter_column("host", type_=sa.Unicode(200), existing_nullable=True)
            batch.alter_column("target", type_=sa.UnicodeText, existing_nullable=True)
            batch.alter_column("detail", type_=sa.UnicodeText, existing_nullable=True)

    events = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                      sa.column("at", sa.DateTime), sa.column("user_name", sa.Unicode), sa.column("role", sa.Unicode),
                      sa.column("host", sa.Unicode), sa.column("action", sa.String), sa.column("target", sa.UnicodeText),
                      sa.column("detail", sa.UnicodeText), sa.column("outcome", sa.String),
                      sa.column("hash", sa.String))
    # offline (the SQL script of a new store, migrate.offline_sql) there is nothing to read
    legacy = [] if op.get_context().as_sql else bind.execute(
        sa.select(events.c.id, events.c.at, events.c.user_name, events.c.host, events.c.action,
                  events.c.target, events.c.detail).order_by(events.c.id)).all()
    prev, seq = GENESIS, 0
    for row in legacy:
        seq += 1
        at = row.at.astimezone(timezone.utc).replace(tzinfo=None)   # naive local time -> UTC
        prev = chain_hash(prev, seq, at, row.user_name, "", row.host, row.action, row.target, row.detail, "ok")
        bind.execute(events.update().where(events.c.id == row.id).values(
            seq=seq, at=at, role="", outcome="ok", hash=prev))
    seq += 1
    at = _utc_now()
    detail = json.dumps({"sealed_rows": len(legacy)})
    host = socket.gethostname()
    prev = chain_hash(prev, seq, at, "routing-ml", "", host, "audit.chain_started", "", detail, "ok")
    bind.execute(events.insert().values(seq=seq, at=at, user_name="routing-ml", role="", host=host,
                                        action="audit.chain_started", target="", detail=detail, outcome="ok",
                                        hash=prev))
    bind.execute(sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                          sa.column("hash", sa.String)).insert().values(
        id=1, seq=seq, hash=prev))
    bind.execute(sa.table("app_setting", sa.column("key", sa.String), sa.column("value", sa.UnicodeText),
                          sa.column("updated_by", sa.Unicode), sa.column("updated_at", sa.DateTime)).insert().values(
        key="store.id", value=json.dumps(str(uuid.uuid4())), updated_by="routing-ml", updated_at=at))

    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger, nullable=False)
        batch.alter_column("outcome", existing_type=sa.String(20), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
    op.create_index("ux_audit_event_seq", "audit_event", ["seq"], unique=True)
    op.create_index("ix_audit_event_user_seq", "audit_event", ["user_name", "seq"])
    op.create_index("ix_audit_event_action_seq", "audit_event", ["action", "seq"])
    op.create_index("ix_audit_event_outcome_seq", "audit_event", ["outcome", "seq"])


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded: its audit chain would be lost")
