"""A trigram index of the audit trail on PostgreSQL: the Audit tab's text search over a million events.

The Audit tab searches an event's target, details and machine with ILIKE '%text%', which no b-tree
index can answer: over a million events on PostgreSQL it read every row (1-3.6 s). A GIN index with
pg_trgm's gin_trgm_ops over the three columns answers ILIKE '%text%' on any of them (a BitmapOr of
the three); PostgreSQL keeps it up to date itself, so a search never reads rows it cannot match.
SQLite has its own text index (0006); SQL Server has none (its search reads the rows, as before).

pg_trgm comes with PostgreSQL (the contrib package) and is a trusted extension since PostgreSQL 13:
a user who may create objects in the database may create it. Where the store's login may not (or
the server lacks the package), the upgrade goes on without the index, and the log says so with the
two statements for a database administrator to run (PG_TRGM_SQL); search is then as slow as before,
never wrong.

Building the index over an existing trail takes about a minute per million events, during which
recording waits (CREATE INDEX blocks writes to the table; the migration runs in one transaction).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEX = "ix_audit_event_text_trgm"


def index_sql(schema: str | None = None) -> str:
    """CREATE INDEX for the trigram index; `schema`: where pg_trgm's operator class lives, when that
    is not on the search path."""
    ops = f'"{schema}".gin_trgm_ops' if schema else "gin_trgm_ops"
    return (f"CREATE INDEX IF NOT EXISTS {INDEX} ON audit_event USING gin "
            f"(target {ops}, detail {ops}, host {ops})")


PG_TRGM_SQL = f"CREATE EXTENSION IF NOT EXISTS pg_trgm; {index_sql()};"
log = logging.getLogger("app.store.migrations")


def _try(bind, statement: str) -> str:
    """Run `statement` in a savepoint; '' when it worked, else the database's first line of why."""
    bind.exec_driver_sql("SAVEPOINT audit_trgm")
    try:
        bind.exec_driver_sql(statement)
    except sa.exc.DBAPIError as exc:   # no right to create it, no pg_trgm on the server, ...
        bind.exec_driver_sql("ROLLBACK TO SAVEPOINT audit_trgm")
        bind.exec_driver_sql("RELEASE SAVEPOINT audit_trgm")
        return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    bind.exec_driver_sql("RELEASE SAVEPOINT audit_trgm")
    return ""


def upgrade() -> None:
    if op.get_context().as_sql:   # the SQL script of a new store (migrate.offline_sql): the DBA runs it
        if op.get_context().dialect.name == "postgresql":
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute(index_sql())
        return
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                  "WHERE e.extname = 'pg_trgm'").scalar()
    why = ""
    if schema is None:
        why = _try(bind, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
        if not why:
            schema = bind.exec_driver_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                          "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").scalar()
    if not why:
        why = _try(bind, index_sql(schema))
    if why:
        notice = (f"the audit trail's text search on this PostgreSQL store reads every event (slow over many "
                  f"events): its trigram index could not be made ({why}); a database administrator can make it "
                  f"with: {PG_TRGM_SQL}")
        log.warning(notice, extra={"user_notice": notice})


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded: its audit chain would be lost")
