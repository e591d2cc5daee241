"""Creating and upgrading the program's store schema with Alembic, in place.

`upgrade_store` runs at every open. The usual case (the store is already at the program's schema)
costs one query. Otherwise, under a lock that makes concurrent starts of several PCs wait for
each other, it stamps a store made before migrations existed and upgrades it, all in one
transaction: a failure leaves the store as it was. A store whose schema is newer than this
program knows is refused, never downgraded or written.

New tables and columns come as a new file in `migrations/versions/` (`revision` = the next
number, `down_revision` = the previous head), written by hand with `op.*`; the test
tests/store/test_migrations.py checks that the migrated schema equals `app.store.db.metadata`.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The revision that describes a store made by metadata.create_all before migrations existed.
FIRST_REVISION = "0001"
FIRST_TABLES = {"import_run", "model_version", "saved_routing", "audit_event"}


class SchemaNewerError(Exception):
    """The store was written by a newer Routing ML; `revision` is its schema, `known` ours."""

    def __init__(self, revision: str, known: str):
        super().__init__(revision, known)
        self.revision, self.known = revision, known


class SchemaUnknownError(Exception):
    """The database holds tables of its own but is not a Routing ML store."""

    def __init__(self, tables: list[str]):
        super().__init__(tables)
        self.tables = tables


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this program knows."""
    head = _script().get_current_head()
    assert head is not None, "no migrations"
    return head


def current_revision(conn: Connection) -> str | None:
    heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


def upgrade_store(engine: Engine) -> str:
    """Bring the store at `engine` to the head revision; returns the revision it had before
    ("" for a new store). Raises SchemaNewerError or SchemaUnknownError (see the classes)."""
    head = head_revision()
    with engine.connect() as conn:
        before = current_revision(conn)
    if before == head:
        return before
    known = {s.revision for s in _script().walk_revisions()}
    if before is not None and before not in known:
        raise SchemaNewerError(before, head)   # said before asking for a write lock
    with engine.connect() as conn:
        conn = conn.execution_options(store_write_lock=True)
        with conn.begin():
            _lock_for_migration(conn)
            before = current_revision(conn)   # another PC may have upgraded while we waited
            if before == head:
                return before
            if before is not None and before not in known:
                raise SchemaNewerError(before, head)
            if before is None:
                tables = set(inspect(conn).get_table_names())
                if FIRST_TABLES <= tables:
                    command.stamp(_config(conn), FIRST_REVISION)
                elif tables:   # e.g. an ERP source chosen as the store by mistake: never add to it
                    raise SchemaUnknownError(sorted(tables))
            command.upgrade(_config(conn), "head")
    return before or ""


def offline_sql(dialect_name: str) -> str:
    """The SQL that creates a new store at the head revision on `dialect_name` ("mssql",
    "postgresql", "sqlite"), as the migrations would issue it, for a database administrator who
    creates the tables himself, and for checking what SQL Server would be sent."""
    import io
    out = io.StringIO()
    cfg = _config()
    cfg.attributes["dialect_name"] = dialect_name
    cfg.attributes["output"] = out
    if dialect_name == "mssql":   # SQL Server 2012 and later: NVARCHAR(max), never the old NTEXT
        cfg.attributes["dialect_opts"] = {"deprecate_large_types": True}
    command.upgrade(cfg, "head", sql=True)
    return out.getvalue()


def _lock_for_migration(conn: Connection) -> None:
    """Serialise migrations of one shared store: the second PC waits, then finds it done.
    (SQLite: the caller's transaction is BEGIN IMMEDIATE, which takes the write lock.)"""
    backend = conn.dialect.name
    if backend == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7401290)"))
    elif backend == "mssql":
        conn.execute(text("EXEC sp_getapplock @Resource = 'routing_ml_migration', "
                          "@LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000"))
