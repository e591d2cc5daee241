"""A text index of the audit trail on SQLite: the Audit tab's text search over a million events.

An FTS5 table `audit_text` with the trigram tokenizer over each event's target, details and machine
(external content: it holds only the index, keyed by audit_event.id, detail=none), so a rare text
is found without reading every row; `audit_text_mark` says up to which id. It is only an aid: app.services.audit brings it up to date
before a text search (rows beyond it are read directly), checks every hit against the row itself,
and searches without it where this PC's SQLite has no FTS5 trigram tokenizer (then this migration
makes no table). Nothing writes it when an event is recorded, so recording costs no more.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CREATE = ("CREATE VIRTUAL TABLE audit_text USING fts5(target, detail, host, content='audit_event', "
          "content_rowid='id', tokenize='trigram', detail=none)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    try:
        bind.exec_driver_sql("SAVEPOINT audit_text_probe")
        bind.exec_driver_sql(CREATE)
    except sa.exc.OperationalError:   # no FTS5, or a SQLite before 3.34 (no trigram): search reads the rows
        bind.exec_driver_sql("ROLLBACK TO SAVEPOINT audit_text_probe")
        bind.exec_driver_sql("RELEASE SAVEPOINT audit_text_probe")
        return
    bind.exec_driver_sql("RELEASE SAVEPOINT audit_text_probe")
    # how far the index goes (an external-content FTS5 table cannot say: it reads audit_event for that)
    bind.exec_driver_sql("CREATE TABLE audit_text_mark (id INTEGER PRIMARY KEY CHECK (id = 1), "
                         "indexed_id INTEGER NOT NULL)")
    bind.exec_driver_sql("INSERT INTO audit_text(rowid, target, detail, host) "
                         "SELECT id, target, detail, host FROM audit_event")
    bind.exec_driver_sql("INSERT INTO audit_text_mark (id, indexed_id) SELECT 1, coalesce(max(id), 0) FROM audit_event")


def downgrade() -> None:
    raise NotImplementedError("a store is never downgraded: its audit chain would be lost")
