"""Roles that cannot be made up in a database tool: role rows and the role source are signed, a
cached directory role names the trail event that recorded it.

Rows of the role table and the role source written before this version carry no signature. They
are sealed into the audit chain here, as one `roles.sealed` event listing them: until an admin's
sign-in signs them (app.services.roles), an unsigned row or role source counts only while it is the
one this event lists, and only where no signer key is pinned. Cached directory roles from before
carry no event and are read again from the directory.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
import json
import socket
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from app.store.chain import GENESIS, chain_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("user_role") as batch:
        batch.add_column(sa.Column("signature", sa.String(100)))
        batch.add_column(sa.Column("signer_key", sa.String(60)))
    with op.batch_alter_table("role_cache") as batch:
        batch.add_column(sa.Column("audit_seq", sa.BigInteger))
    with op.batch_alter_table("app_setting") as batch:
        batch.add_column(sa.Column("signature", sa.String(100)))
        batch.add_column(sa.Column("signer_key", sa.String(60)))

    if op.get_context().as_sql:   # the SQL script of a new store (migrate.offline_sql): no rows to seal
        return
    user_role = sa.table("user_role", sa.column("user_name"), sa.column("role"))
    setting = sa.table("app_setting", sa.column("key"), sa.column("value"))
    rows = [[r.user_name, r.role] for r in bind.execute(sa.select(user_role.c.user_name, user_role.c.role)
                                                         .order_by(user_role.c.user_name))]
    source = bind.execute(sa.select(setting.c.value).where(setting.c.key == "roles.source")).scalar()
    if not rows and source is None:
        return
    events = sa.table("audit_event", sa.column("seq", sa.BigInteger), sa.column("at", sa.DateTime),
                      sa.column("user_name"), sa.column("role"), sa.column("host"), sa.column("action"),
                      sa.column("target"), sa.column("detail"), sa.column("outcome"), sa.column("hash"))
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    # continue the chain as app.services.audit.lock_chain does: from the head, or from a newer row
    at_head = bind.execute(sa.select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    newest = bind.execute(sa.select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)).first()
    prev_seq, prev_hash = (int(at_head.seq), at_head.hash) if at_head is not None else (0, GENESIS)
    if newest is not None and (at_head is None or newest.seq > at_head.seq):
        prev_seq, prev_hash = int(newest.seq), newest.hash
    seq = prev_seq + 1
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    host = socket.gethostname()
    detail = json.dumps({"rows": rows, "role_source": json.loads(source) if source is not None else None},
                        ensure_ascii=False, sort_keys=True)
    digest = chain_hash(prev_hash, seq, at, "routing-ml", "", host, "roles.sealed", "", detail, "ok")
    bind.execute(events.insert().values(seq=seq, at=at, user_name="routing-ml", role="", host=host,
                                        action="roles.sealed", target="", detail=detail, outcome="ok", hash=digest))
    if at_head is None:
        bind.execute(head.insert().values(id=1, seq=seq, hash=digest))
    else:
        bind.execute(head.update().where(head.c.id == 1).values(seq=seq, hash=digest))


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded: its audit chain would be lost")
