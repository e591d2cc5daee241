"""The program's own store: copies of the ERP views plus everything Routing ML owns.

SQLite by default (a file in the user's data folder); any SQLAlchemy URL works for a shared store.
Tables owned by the program: import_run, model_version, saved_routing, audit_event (with its
chain head audit_head), user_role, role_cache, app_setting, mapping_profile and export_run; they are
created and upgraded by the Alembic migrations in app/store/migrations (app/store/migrate.py), and
the definitions below must match what those migrations make (tests/store/test_migrations.py).

The imported copy of the ERP views is kept as Parquet files beside the store (`<store>-data/`,
one file per view, named as the view, with its own column spelling), because training reads
millions of rows and Arrow reads them ~5x faster than row-by-row SQL. A second SQLite library
in the same process (as ADBC would bring) must not touch the store file: two copies of SQLite
on one file break each other's locks.
"""
from __future__ import annotations

import errno
import getpass
import hashlib
import json
import logging
import os
import secrets
import shutil
import socket
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import filelock
import polars as pl
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UnicodeText,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from app import __version__, machine_settings
from app.domain.routing import RoutingError
from app.domain.schema import (
    COLUMNS,
    DEFAULT_VIEW_NAMES,
    ITEMS,
    NUMERIC,
    ROUTINGS,
    VIEW_KINDS,
)
from app.files import is_network_path, sqlite_uri
from app.folders import cache_dir, data_dir

DATE_COLUMNS = {"INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT"}
# Inside a data folder: the id of the import_run row that wrote it. The row's commit is what makes
# a folder current, so after a crash the folder whose mark is the last committed id is the right one.
IMPORT_MARK = "IMPORT_RUN_ID"
# Waits between tries of a rename or delete that another program blocks for a moment (on Windows
# the virus scanner, a sync tool or a reader holding a file open); about 6 s in all.
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
BUSY_TIMEOUT_MS = 5000    # how long SQLite waits for another program's write lock
IMPORT_LOCK_NAME = "routing_ml.import"
IMPORT_HOLDER_KEY = "import.running"
SERVER_CHECK_S = 2.0      # a server store is asked for its newest import at most this often
log = logging.getLogger(__name__)


class StoreError(RoutingError):
    """The store cannot be opened or is not a Routing ML store; the message names it."""


class StoreLocked(StoreError):
    """Another program holds the store's write lock (longer than the wait for it)."""


def default_store_path() -> Path:
    return data_dir() / "store.sqlite"


def store_url(store: str | None = None) -> URL:
    """`--store` beats `ROUTING_ML_STORE` beats the machine's STORE (set by IT, see
    app.machine_settings) beats the default file; a bare path means SQLite.

    A path reaches SQLite unchanged whatever it holds (`#`, `%`, `?`, a UNC path
    `\\\\server\\share\\...`, which is what a mapped network drive resolves to): it is never parsed
    as part of a URL string.
    """
    value = (store or os.environ.get("ROUTING_ML_STORE") or machine_settings.current().store
             or str(default_store_path()))
    if "://" in value:
        from app.store.server import normalise_url
        return normalise_url(make_url(value))
    return URL.create("sqlite", database=str(Path(value).expanduser().resolve()))


metadata = MetaData()


import_run = Table(
    "import_run", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", UnicodeText, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("user_name", Unicode(200)),
    Column("counts", UnicodeText),       # JSON {kind: rows}
    Column("warnings", UnicodeText),     # JSON [str]
)

model_version = Table(
    "model_version", metadata,
    Column("version", String(40), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Unicode(200)),
    Column("path", UnicodeText, nullable=False),
    Column("params", UnicodeText),       # JSON
    Column("metrics", UnicodeText),      # JSON, filled by evaluation
    Column("summary", UnicodeText),      # JSON: item / routing counts
    Column("active", Boolean, nullable=False, default=False),
    Column("activated_at", DateTime),
)

saved_routing = Table(
    "saved_routing", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ITEM_CD", Unicode(100), nullable=False, index=True),
    Column("ROUT_NO", Unicode(40), nullable=False),
    Column("status", String(20), nullable=False),   # draft | submitted | approved | rejected
    Column("revision", Integer, nullable=False),    # optimistic lock: bumped on every save
    Column("operations", UnicodeText, nullable=False),     # JSON list of operations
    Column("model_version", String(40)),
    Column("candidate_rank", Integer),
    Column("note", UnicodeText),
    Column("created_by", Unicode(200)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", Unicode(200)),
    Column("updated_at", DateTime, nullable=False),
    Column("reviewed_by", Unicode(200)),
    Column("reviewed_at", DateTime),
    Column("review_comment", UnicodeText),
)

# SQL Server's DATETIME keeps 1/300 s, which would change a hashed time; DATETIME2 keeps microseconds.
UTC_DATETIME = DateTime().with_variant(mssql.DATETIME2(precision=6), "mssql")

# The audit trail (app.services.audit): append-only, `seq` numbers it from 1 and `hash` chains each
# row to the one before; `at` is UTC. Text columns are Unicode so SQL Server keeps Korean names.
audit_event = Table(
    "audit_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False),
    Column("at", UTC_DATETIME, nullable=False),
    Column("user_name", Unicode(200)),
    Column("role", Unicode(20)),
    Column("host", Unicode(200)),
    Column("action", String(60), nullable=False),
    Column("target", UnicodeText),
    Column("detail", UnicodeText),
    Column("outcome", String(20), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ux_audit_event_seq", audit_event.c.seq, unique=True)
Index("ix_audit_event_at_seq", audit_event.c.at, audit_event.c.seq)
Index("ix_audit_event_user_seq", audit_event.c.user_name, audit_event.c.seq)
Index("ix_audit_event_action_seq", audit_event.c.action, audit_event.c.seq)
Index("ix_audit_event_outcome_seq", audit_event.c.outcome, audit_event.c.seq)

# One row (id 1): the newest seq and hash. Appending locks it, so two PCs never fork the chain.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Roles that admins give in the program (the role source "store"); see app.services.roles. Each row
# is signed by the admin who gave it (Ed25519, app.services.trust); a row without a valid signature
# of a trusted key does not count.
user_role = Table(
    "user_role", metadata,
    Column("user_name", Unicode(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("granted_by", Unicode(200)),
    Column("granted_at", DateTime, nullable=False),
    Column("signature", String(100)),      # base64 Ed25519 signature (app.services.roles.grant_payload)
    Column("signer_key", String(60)),      # base64 public key that made it
)

# The last role the directory gave each user, for working while it cannot be reached; `audit_seq`
# is the trail event that recorded it, which the row must match to count.
role_cache = Table(
    "role_cache", metadata,
    Column("user_name", Unicode(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("groups", UnicodeText),        # JSON [group DN]
    Column("resolved_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("audit_seq", BigInteger),
)

# Settings shared by every PC using the store (role source, checkpoint folder, the store's id).
# A setting that decides roles (the role source) is signed like a role row.
app_setting = Table(
    "app_setting", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", UnicodeText, nullable=False),   # JSON
    Column("updated_by", Unicode(200)),
    Column("updated_at", DateTime, nullable=False),
    Column("signature", String(100)),
    Column("signer_key", String(60)),
)

mapping_profile = Table(
    "mapping_profile", metadata,
    Column("name", Unicode(100), primary_key=True),
    Column("body", UnicodeText, nullable=False),        # the profile's JSON (app/services/export/profile.py)
    Column("revision", Integer, nullable=False),        # optimistic lock: bumped on every save
    Column("created_by", Unicode(200)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", Unicode(200)),
    Column("updated_at", DateTime, nullable=False),
)

export_run = Table(
    "export_run", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),   # UTC, as the audit trail
    Column("user_name", Unicode(200)),
    Column("host", Unicode(200)),
    Column("profile", Unicode(100), nullable=False),
    Column("format", String(10), nullable=False),       # csv | xlsx | db
    Column("target", UnicodeText, nullable=False),      # folder, file or database (never a password)
    Column("selection", UnicodeText),                   # what was exported, in words
    Column("routings", Integer, nullable=False),
    Column("row_counts", UnicodeText, nullable=False),  # JSON {table: rows}
    Column("files", UnicodeText),                       # JSON [path]
    Column("skipped", UnicodeText),                     # JSON [{ITEM_CD, ROUT_NO, reason}]
)


# Files kept in a server store (app/store/blobs.py): a model version's files (kind "model", owner
# the version) and the imported views' Parquet files (kind "data", owner the import_run id), each
# with its SHA-256, cut into chunks (PostgreSQL bytea and SQL Server VARBINARY(max) rows stay small).
store_file = Table(
    "store_file", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("owner", Unicode(100), nullable=False),
    Column("name", Unicode(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
Index("ux_store_file_kind_owner_name", store_file.c.kind, store_file.c.owner, store_file.c.name, unique=True)

store_file_chunk = Table(
    "store_file_chunk", metadata,
    Column("file_id", Integer, ForeignKey("store_file.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)


class Store:
    """Opens (and creates on first use) the store at a SQLAlchemy URL.

    A SQLite store the user may not write (file or folder without write permission) opens
    read-only: predictions work, and importing, training or saving fail with a StoreError saying
    so. Every database error that means "read-only" or "locked" becomes a one-line StoreError.
    """

    def __init__(self, url: str | None = None, *, create: bool = True):
        parsed = store_url(url)
        self.url = parsed.render_as_string(hide_password=False)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path = Path(parsed.database) if self.is_sqlite and parsed.database else None
        self.read_only = False
        self._server_description = ""
        self._server_data_hit: tuple[float, Path] | None = None
        self._server_lock_state = threading.local()
        read_only_uri = None
        if self.path is not None:
            if not self.path.exists() and not create:
                raise StoreError(f"store {self.path} does not exist")
            if self.path.exists():
                read_only_uri = _check_sqlite_file(self.path)
                self.read_only = read_only_uri is not None
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._views_cache: dict[str, tuple[tuple[str, int], object]] = {}
        self._import_lock = filelock.FileLock(self._beside("-data.lock"), timeout=0, thread_local=True)
        if read_only_uri is not None:
            # Read-only: pysqlite is given the URI itself (mode=ro, or immutable=1 when even the
            # WAL index cannot be created beside the file).
            self.engine: Engine = create_engine(
                "sqlite://", future=True,
                creator=lambda: sqlite3.connect(read_only_uri, uri=True, check_same_thread=False))
        elif self.is_sqlite:
            self.engine = create_engine(parsed, future=True)
        else:
            from app.store.server import ServerStoreError, server_engine
            try:
                self.engine, self._server_description = server_engine(parsed)
            except ServerStoreError as exc:
                raise StoreError(str(exc)) from None
        if self.is_sqlite:
            on_share = self.path is not None and is_network_path(self.path)
            pragmas = (_sqlite_read_only_pragmas if self.read_only else
                       _sqlite_pragmas_on_share if on_share else _sqlite_pragmas)
            event.listen(self.engine, "connect", pragmas)
            # pysqlite's own transaction handling is off (see _sqlite_pragmas); SQLAlchemy says BEGIN.
            event.listen(self.engine, "begin", _sqlite_begin)
        event.listen(self.engine, "handle_error", self._word_database_error)
        self._upgrade_schema()

    def _upgrade_schema(self) -> None:
        """Create or upgrade the store's tables in place (Alembic); refuse a newer store."""
        from app.store import migrate
        try:
            migrate.upgrade_store(self.engine)
        except migrate.SchemaNewerError as exc:
            self.engine.dispose()
            raise StoreError(
                f"store {self.describe()} was written by a newer Routing ML (store schema {exc.revision}; "
                f"this version {__version__} knows schemas up to {exc.known}): update Routing ML to "
                f"open it, or choose another store") from None
        except migrate.SchemaUnknownError as exc:
            self.engine.dispose()
            raise StoreError(f"store {self.describe()} is not a Routing ML store (it holds the tables "
                             f"{', '.join(exc.tables[:10])}); choose another store") from None
        except StoreError:   # read-only or locked, said by _word_database_error
            self.engine.dispose()
            raise
        except (DatabaseError, OperationalError) as exc:
            self.engine.dispose()
            raise StoreError(f"store {self.describe()} cannot be opened: {_first_line(exc)}") from None

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self._server_description

    def _beside(self, suffix: str) -> Path:
        if self.path is not None:
            return self.path.with_name(self.path.stem + suffix)
        key = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return data_dir() / f"server-{key}{suffix}"

    @property
    def cache_dir(self) -> Path:
        """A server store's local copies on this PC (models, imported views): the user's cache folder."""
        key = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return cache_dir() / f"server-{key}"

    @property
    def models_dir(self) -> Path:
        """Model folders: beside a SQLite store; for a server store this PC's copies of them."""
        return self.cache_dir / "models" if not self.is_sqlite else self._beside("-models")

    @property
    def data_dir(self) -> Path:
        """Where the imported copy of the ERP views lives (Parquet, one file per view)."""
        return self._beside("-data")

    def ensure_model_folder(self, version: str, folder: Path) -> Path:
        """A server store's model files copied to this PC's cache if not there yet; `folder` as it is
        for a SQLite store."""
        if self.is_sqlite or folder.exists():
            return folder
        from app.store import blobs
        blobs.remove_stale_copies(folder.parent)
        return blobs.fetch_folder(self.engine, "model", version, folder, self.describe())

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def reading(self, *, unpinged: bool = False) -> Iterator[Connection]:
        """A connection for a read that is one statement (each statement sees what was committed when
        it began). On PostgreSQL in autocommit: no BEGIN and ROLLBACK around it, two round trips fewer
        for reads every prediction makes (on a loaded server each round trip waits for a CPU twice).
        `unpinged`: a server store's connection is handed out without its ping (see read_scalar)."""
        if unpinged and not self.is_sqlite:
            from app.store.server import unpinged_checkout
            with unpinged_checkout():
                connection = self.engine.connect()
        else:
            connection = self.engine.connect()
        with connection as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    def read_scalar(self, statement):
        """The first value of a read that is one statement, such as the active model's version every
        prediction asks. On a server store the statement is its connection's ping: one round trip
        fewer, each of which waits for a CPU on a loaded PC. A pooled connection that it finds dead
        (the server restarted) has the pool's connections replaced, as a failed ping does, and the
        statement runs again on a new connection, so a restart costs the user nothing here either."""
        try:
            with self.reading(unpinged=True) as conn:
                return conn.execute(statement).scalar()
        except DBAPIError as exc:
            if self.is_sqlite or not exc.connection_invalidated:
                raise
        with self.reading() as conn:
            return conn.execute(statement).scalar()

    @contextmanager
    def begin(self) -> Iterator:
        """A write transaction. On SQLite it takes the write lock at its start (BEGIN IMMEDIATE):
        two processes that read and then write (saving, appending to the audit chain) wait for
        each other instead of the second failing with "database is locked"."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(store_write_lock=True)
            with conn.begin():
                yield conn

    @staticmethod
    def lock_in_transaction(conn: Connection, name: str, timeout_ms: int = 15000) -> None:
        """Serialise writers of one thing (a routing, a profile) across every PC until `conn`'s
        transaction ends; readers are never blocked. SQLite: the transaction's BEGIN IMMEDIATE
        already holds the store's write lock. PostgreSQL: a transaction-scoped advisory lock on a
        hash of `name` (waits as long as the other transaction lasts, which a dead client's
        connection ends); SQL Server: sp_getapplock owned by the transaction, for `timeout_ms`."""
        backend = conn.dialect.name
        if backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})
        elif backend == "mssql":
            result = conn.execute(text(
                "SET NOCOUNT ON; DECLARE @r int; EXEC @r = sp_getapplock @Resource = :name, @LockMode = 'Exclusive', "
                "@LockOwner = 'Transaction', @LockTimeout = :ms; SELECT @r"), {"name": name[:255], "ms": int(timeout_ms)})
            if (result.scalar() or 0) < 0:
                raise StoreLocked(f"{name} has been written by someone else for {timeout_ms / 1000:g} s; try again")

    # ---- errors in the database's words, said in the user's ----------------------------------
    def _word_database_error(self, context) -> None:
        """SQLAlchemy's handle_error hook: "read-only" and "locked" become one-line StoreErrors."""
        self.word_database_error(context.original_exception)

    def word_database_error(self, error: BaseException) -> None:
        """Raise the one-line StoreError of a driver's error that means "read-only" or "locked" (for
        statements sent to the driver itself, past SQLAlchemy's hook); else return."""
        text = str(error).lower()
        if "readonly" in text or "read-only" in text:
            raise StoreError(self.read_only_message()) from None
        if ("database is locked" in text or "database table is locked" in text or "busy" in text
                or "lock timeout" in text or "lock request time out" in text):   # PostgreSQL, SQL Server
            raise StoreLocked(self.locked_message()) from None

    def read_only_message(self) -> str:
        return (f"store {self.describe()} is read-only (no permission to write the file or its folder): "
                f"predictions work, but importing, training and saving need a store you may write; "
                f"ask for write access or choose another store with --store")

    def locked_message(self) -> str:
        holder = self.import_holder() if self._import_running_elsewhere() else None
        who = (f"an import by {holder}" if holder else
               "another Routing ML (an import, training or a save) or a database tool with unsaved changes")
        return (f"store {self.describe()} is locked: {who} is writing to it; wait until it has finished "
                f"(or close that program) and try again")

    # ---- the import lock -----------------------------------------------------------------------
    @contextmanager
    def import_lock(self) -> Iterator[None]:
        """Held for a whole import, so two imports into one store never run at once; a second one
        fails at once with a StoreError naming who holds it."""
        if self.read_only:
            raise StoreError(self.read_only_message())
        if not self.is_sqlite:
            with self._server_import_lock():
                yield
            return
        try:
            self._import_lock.acquire()
        except filelock.Timeout:
            holder = self.import_holder() or "another process"
            raise StoreError(f"another import into store {self.describe()} is running ({holder}); "
                             f"wait for it to finish, then import again") from None
        except OSError as exc:
            raise StoreError(f"store {self.describe()}: cannot create the lock file "
                             f"{self._import_lock.lock_file}: {exc.strerror or exc}") from None
        owner = self._owner_file()
        try:
            if self._import_lock.lock_counter == 1:
                owner.write_text(json.dumps({"user": getpass.getuser(), "host": socket.gethostname(),
                                             "pid": os.getpid(), "since": datetime.now().isoformat(timespec="seconds")}),
                                 encoding="utf-8")
            yield
        finally:
            if self._import_lock.lock_counter == 1:
                try:
                    owner.unlink(missing_ok=True)
                except OSError as exc:   # the folder became read-only, the share went away: this must
                    # not hide what ended the import; a stale owner file names nobody (the lock is free)
                    log.warning("could not remove %s: %s", owner, exc)
            self._import_lock.release()

    @contextmanager
    def _server_import_lock(self) -> Iterator[None]:
        """One import at a time per server store, whichever PC: a session-level lock of the server
        (PostgreSQL advisory lock, SQL Server application lock) held on a connection of its own, so
        a killed importer's lock goes with its connection. Who holds it is in app_setting."""
        held = getattr(self._server_lock_state, "conn", None)
        if held is not None:   # re-entrant: import_source holds it around replace_views
            self._server_lock_state.depth += 1
            try:
                yield
            finally:
                self._server_lock_state.depth -= 1
            return
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if conn.dialect.name == "postgresql":
                got = conn.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:n, 0))"),
                                   {"n": IMPORT_LOCK_NAME}).scalar()
            elif conn.dialect.name == "mssql":
                got = conn.execute(text(
                    "SET NOCOUNT ON; DECLARE @r int; EXEC @r = sp_getapplock @Resource = :n, @LockMode = 'Exclusive', "
                    "@LockOwner = 'Session', @LockTimeout = 0; SELECT @r"), {"n": IMPORT_LOCK_NAME}).scalar() >= 0
            else:
                got = True
            if not got:
                holder = self.import_holder() or "another PC"
                raise StoreError(f"another import into store {self.describe()} is running ({holder}); "
                                 f"wait for it to finish, then import again")
            self._set_import_holder({"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid(),
                                     "since": datetime.now().isoformat(timespec="seconds")})
            self._server_lock_state.conn, self._server_lock_state.depth = conn, 1
            try:
                yield
            finally:
                self._server_lock_state.conn = None
                try:
                    self._set_import_holder(None)
                except (DatabaseError, OperationalError, StoreError):
                    pass   # the server is gone; its lock went with the connection
        finally:
            # a pooled connection would keep the session, and with it the lock: end the session
            conn.invalidate()
            conn.close()

    def _set_import_holder(self, info: dict | None) -> None:
        with self.begin() as c:
            c.execute(app_setting.delete().where(app_setting.c.key == IMPORT_HOLDER_KEY))
            if info is not None:
                c.execute(app_setting.insert().values(key=IMPORT_HOLDER_KEY, value=json.dumps(info),
                                                      updated_by=info["user"], updated_at=datetime.now()))

    def import_holder(self) -> str | None:
        """"kim on PC-12 since 2024-05-02 10:03 (process 1234)" while an import runs, else None."""
        try:
            if not self.is_sqlite:
                with self.engine.connect() as c:
                    value = c.execute(select(app_setting.c.value).where(app_setting.c.key == IMPORT_HOLDER_KEY)).scalar()
                info = json.loads(value) if value else None
                if info is None:
                    return None
            else:
                info = json.loads(self._owner_file().read_text(encoding="utf-8"))
            since = info["since"].replace("T", " ")[:16]
            return f"{info['user']} on {info['host']} since {since} (process {info['pid']})"
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _import_running_elsewhere(self) -> bool:
        """Whether another process or thread holds the import lock now. Its owner file alone says
        nothing: a killed import leaves it behind, naming a process that is gone."""
        if not self.is_sqlite:
            return False   # a server's locks time out on their own; the message need not name an import
        if not self._try_import_lock():
            return True
        self._import_lock.release()
        return False

    def _owner_file(self) -> Path:
        return Path(str(self._import_lock.lock_file) + ".owner")

    def _try_import_lock(self) -> bool:
        """Take the import lock if nobody holds it (re-entrant); False if it is held or cannot be made."""
        try:
            self._import_lock.acquire()
            return True
        except (filelock.Timeout, OSError):
            return False

    # ---- the copied ERP views ------------------------------------------------------------
    def _view_file(self, kind: str, folder: Path | None = None) -> Path:
        return (folder or self.current_data_dir()) / f"{DEFAULT_VIEW_NAMES[kind]}.parquet"

    def replace_views(self, frames: dict[str, pl.DataFrame], progress=None, *, source: str = "",
                      user: str = "", started: datetime | None = None, warnings: Sequence[str] = (),
                      also: Callable[[Connection, dict[str, int]], None] | None = None,
                      extras: dict[str, pl.DataFrame] | None = None) -> dict[str, int]:
        """Replace all three view copies and record the import (import_run, plus `also(conn)` in the
        same transaction, given the row counts): both happen or neither. Importing again never duplicates; a failure,
        Cancel or crash at any point leaves the previous copy and its record as they were.
        `extras` (name -> frame, e.g. a demo plant's DEMO_RULE_ROUTINGS) go into the same copy and
        are replaced with it; `extra_table(name)` reads them back."""
        with self.import_lock():
            if self.is_sqlite:
                self._settle_data_dir()
            target = self.data_dir if self.is_sqlite else self.cache_dir / "data"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                tmp = Path(tempfile.mkdtemp(prefix=target.name + ".new-", dir=target.parent))
            except OSError as exc:
                raise StoreError(f"store {self.describe()}: cannot write beside it in {target.parent}: "
                                 f"{exc.strerror or exc}") from None
            counts = {}
            try:
                for n, kind in enumerate(VIEW_KINDS):
                    frame = _for_store(frames[kind], kind)
                    _report(progress, 0.5 + 0.5 * n / 3, f"writing {DEFAULT_VIEW_NAMES[kind]}: {frame.height:,} rows")
                    frame.write_parquet(tmp / f"{DEFAULT_VIEW_NAMES[kind]}.parquet", compression="zstd",
                                        statistics=True)
                    counts[kind] = frame.height
                for name, frame in (extras or {}).items():
                    frame.write_parquet(tmp / f"{name}.parquet", compression="zstd")
                if progress is not None:
                    progress.check()
                record = dict(source=source, user=user, started=started or datetime.now(), counts=counts,
                              warnings=list(warnings), also=also)
                if self.is_sqlite:
                    self._commit_folder(tmp, **record)
                else:
                    self._commit_to_server(tmp, **record)
            except BaseException:
                _remove_tree(tmp)
                raise
        with self._lock:
            self._views_cache.clear()
        _report(progress, 1.0, "written")
        return counts

    def _commit_folder(self, tmp: Path, *, source: str, user: str, started: datetime, counts: dict,
                       warnings: list[str], also) -> None:
        """Record the import, swap `tmp` in, commit; undo the swap if the commit fails."""
        with self.engine.connect().execution_options(store_write_lock=True) as conn:
            trans = conn.begin()
            try:
                run_id = conn.execute(import_run.insert().values(
                    source=source, started_at=started, finished_at=datetime.now(), user_name=user,
                    counts=json.dumps(counts), warnings=json.dumps(warnings, ensure_ascii=False))
                ).inserted_primary_key[0]
                if also is not None:
                    also(conn, counts)
                (tmp / IMPORT_MARK).write_text(str(run_id), encoding="ascii")
                old = self._swap_in(tmp)
            except BaseException:
                trans.rollback()
                raise
            try:
                trans.commit()
            except BaseException:
                self._swap_back(old, tmp)
                raise
        if old is not None:
            _remove_tree(old)

    def _commit_to_server(self, tmp: Path, *, source: str, user: str, started: datetime, counts: dict,
                          warnings: list[str], also) -> None:
        """A server store: the import's record and its Parquet files go in in one transaction (the
        previous import's files go out in it); then `tmp` becomes this PC's copy."""
        from app.store import blobs
        with self.begin() as conn:
            run_id = conn.execute(import_run.insert().values(
                source=source, started_at=started, finished_at=datetime.now(), user_name=user,
                counts=json.dumps(counts), warnings=json.dumps(warnings, ensure_ascii=False))
            ).inserted_primary_key[0]
            if also is not None:
                also(conn, counts)
            (tmp / IMPORT_MARK).write_text(str(run_id), encoding="ascii")
            blobs.put_folder(conn, "data", str(run_id), tmp)
            blobs.drop_others(conn, "data", str(run_id))
        final = self.cache_dir / f"data-{run_id}"
        try:
            _rename(tmp, final)
        except StoreError:   # this PC copies it from the store at its next read instead
            _remove_tree(tmp)
        with self._lock:
            self._server_data_hit = None

    def _swap_in(self, tmp: Path) -> Path | None:
        """Move the current folder aside under a unique name and `tmp` into its place."""
        target = self.data_dir
        old = None
        if target.exists():
            old = target.with_name(f"{target.name}.old-{secrets.token_hex(4)}")
            _rename(target, old)
        try:
            _rename(tmp, target)
        except BaseException:
            if old is not None:
                _rename(old, target)
            raise
        return old

    def _swap_back(self, old: Path | None, tmp: Path) -> None:
        _rename(self.data_dir, tmp)
        if old is not None:
            _rename(old, self.data_dir)

    def _leftovers(self) -> list[Path]:
        """Folders an interrupted or running import left beside the data folder."""
        target = self.data_dir
        try:
            with os.scandir(target.parent) as entries:
                return [Path(e.path) for e in entries
                        if e.name.startswith((target.name + ".new-", target.name + ".old")) and e.is_dir()]
        except OSError:
            return []

    def current_data_dir(self) -> Path:
        """The folder holding the copy of the last committed import.

        Normally `data_dir`. After a crash (kill, power cut) in the middle of an import, the
        interrupted import's folders are tidied here when no import is running: the folder of the
        last committed import is put back in place and the rest removed. While another import is
        running nothing is moved, and the last committed copy is read where it is.
        """
        if not self.is_sqlite:
            return self._server_data_dir()
        if not self._leftovers():
            return self.data_dir
        if not self._try_import_lock():
            return self._committed_folder()
        try:
            return self._settle_data_dir()
        finally:
            self._import_lock.release()

    def _server_data_dir(self) -> Path:
        """The last committed import's views, copied from the server store to this PC's cache once
        (re-checked at most every SERVER_CHECK_S seconds)."""
        now = time.monotonic()
        with self._lock:
            hit = self._server_data_hit
            if hit is not None and now - hit[0] < SERVER_CHECK_S:
                return hit[1]
        run_id = self._last_import_id()
        folder = self.cache_dir / f"data-{run_id}" if run_id is not None else self.cache_dir / "data-none"
        if run_id is not None and not folder.exists():
            from app.store import blobs
            if not blobs.has_folder(self.engine, "data", str(run_id)):
                return self.cache_dir / "data-none"   # recorded by a version that kept no files: import again
            blobs.remove_stale_copies(self.cache_dir)
            blobs.fetch_folder(self.engine, "data", str(run_id), folder, self.describe())
            for older in self.cache_dir.glob("data-*"):
                if older != folder:
                    _remove_tree(older)
        with self._lock:
            self._server_data_hit = (now, folder)
        return folder

    def _committed_folder(self) -> Path:
        target = self.data_dir
        committed = self._last_import_id()
        candidates = ([target] if target.exists() else []) + sorted(
            self._leftovers(), key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
        if committed is not None:
            for folder in candidates:
                if _import_mark(folder) == committed:
                    return folder
        if target.exists():
            return target
        olds = [p for p in candidates if p.name.startswith(target.name + ".old")]
        return olds[0] if olds else target

    def _settle_data_dir(self) -> Path:
        """With the import lock held: put the committed folder in place and remove leftovers."""
        target = self.data_dir
        right = self._committed_folder()
        try:
            if right != target:
                if target.exists():
                    _rename(target, target.with_name(f"{target.name}.new-{secrets.token_hex(4)}"))
                _rename(right, target)
                log.warning("store %s: put back %s, the copy of the last completed import", self.describe(), right.name)
            for leftover in self._leftovers():
                _remove_tree(leftover)
        except (StoreError, OSError) as exc:   # e.g. a read-only folder: read the right copy where it is
            log.warning("store %s: could not tidy the data folders: %s", self.describe(), exc)
            return right
        return target

    def _last_import_id(self) -> int | None:
        with self.reading() as conn:
            value = conn.execute(select(func.max(import_run.c.id))).scalar()
        return int(value) if value is not None else None

    def view_counts(self) -> dict[str, int]:
        folder = self.current_data_dir()
        out = {}
        for kind in VIEW_KINDS:
            path = self._view_file(kind, folder)
            out[kind] = pl.scan_parquet(path).select(pl.len()).collect().item() if path.exists() else 0
        return out

    def read_view(self, kind: str, columns: list[str] | None = None, where_items: list[str] | None = None,
                  categorical: Sequence[str] = ()) -> pl.DataFrame:
        """Read a copied view (dates as pl.Datetime, numbers as Float64); `where_items` picks items;
        the text columns named in `categorical` come as pl.Categorical (millions of short repeated
        codes in a fraction of the memory)."""
        cols = columns or COLUMNS[kind]
        if kind == ITEMS and where_items is not None:
            # a few rows looked up by code: a join over the whole item master took most of a
            # single prediction's time at 300,000 items
            items, rows = self._items_by_code()
            found = [r for r in (rows.get(c) for c in dict.fromkeys(where_items)) if r is not None]
            if len(found) == 1:     # one prediction's item: a slice is a view, a gather runs on polars' threads
                one = items.slice(found[0], 1)
                # all columns, in order (a prediction's read): as it is; a select of all 39 took 0.2 ms
                return one if cols == one.columns else one.select(cols)
            return items[found].select(cols)
        path = self._view_file(kind)
        if not path.exists():
            return _typed(pl.DataFrame({c: [] for c in cols}), kind, cols)
        try:
            lazy = pl.scan_parquet(path).select(cols)
            if where_items is not None:
                lazy = lazy.filter(pl.col("ITEM_CD").is_in(list(where_items)))
            if categorical:
                lazy = lazy.with_columns(pl.col(c).cast(pl.Utf8).cast(pl.Categorical) for c in categorical)
            frame = lazy.collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"store {self.describe()}: cannot read {path}: {_first_line(exc)}") from None
        return _typed(frame, kind, cols, keep=categorical)

    def scan_view(self, kind: str, columns: list[str] | None = None) -> pl.LazyFrame:
        """A copied view as a query plan (typed as read_view types it): what the plan does not need
        is never read, and what it needs only on the way is let go on the way. Collect it at once:
        an import may replace the copy later."""
        cols = columns or COLUMNS[kind]
        path = self._view_file(kind)
        if not path.exists():
            return _typed(pl.DataFrame({c: [] for c in cols}), kind, cols).lazy()
        try:
            lazy = pl.scan_parquet(path).select(cols)
            return _typed(lazy, kind, cols)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"store {self.describe()}: cannot read {path}: {_first_line(exc)}") from None

    def extra_table(self, name: str) -> pl.DataFrame | None:
        """A table the last import copied beside the views (`replace_views(extras=...)`), or None."""
        path = self.current_data_dir() / f"{name}.parquet"
        if not path.exists():
            return None
        try:
            return pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise StoreError(f"store {self.describe()}: cannot read {path}: {_first_line(exc)}") from None

    def items(self) -> pl.DataFrame:
        """The whole item master, sorted by ITEM_CD, kept in memory after the first read."""
        return self._cached("items", lambda: self.read_view(ITEMS).unique("ITEM_CD", keep="first").sort("ITEM_CD"))

    def _items_by_code(self) -> tuple[pl.DataFrame, dict[str, int]]:
        """`items()` and each item code's row in it, kept in memory with it."""
        def build():
            items = self.items()
            return items, {c: i for i, c in enumerate(items["ITEM_CD"].to_list())}
        return self._cached("items_by_code", build)

    def routed_item_codes(self) -> pl.Series:
        """Codes of the items that have at least one routing."""
        return self._cached("routed", lambda: self.read_view(ROUTINGS, ["ITEM_CD"])["ITEM_CD"].unique())

    def _cached(self, key: str, load):
        path = self._view_file(ITEMS if key.startswith("item") else ROUTINGS)
        stamp = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
        with self._lock:
            hit = self._views_cache.get(key)
            if hit and hit[0] == stamp:
                return hit[1]
        value = load()
        with self._lock:
            self._views_cache[key] = (stamp, value)
        return value

    def item_codes(self) -> list[str]:
        return self.items()["ITEM_CD"].to_list()

    def last_import(self) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(import_run.select().order_by(import_run.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None


def _import_mark(folder: Path) -> int | None:
    try:
        return int((folder / IMPORT_MARK).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _transient(exc: OSError) -> bool:
    """A failure another program causes for a moment: a file held open (Windows), a busy folder."""
    return (isinstance(exc, PermissionError) or exc.errno in (errno.EBUSY, errno.EACCES)
            or getattr(exc, "winerror", None) in (5, 32, 33))


def _rename(src: Path, dst: Path) -> None:
    """os.replace with retries while another program holds a file in `src`; then a StoreError."""
    for delay in (*RETRY_DELAYS, None):
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if delay is None or not _transient(exc):
                why = ""
                if _transient(exc) and not os.access(src.parent, os.W_OK):
                    why = (f" (the folder {src.parent} is read-only to you: ask for write access, or "
                           f"choose another store with --store)")
                elif _transient(exc):
                    why = (" (a file in it is open in another program: another Routing ML, the virus "
                           "scanner or a sync tool such as OneDrive; close it and try again)")
                raise StoreError(f"could not rename {src} to {dst}: {exc.strerror or exc}{why}") from None
            time.sleep(delay)


def _remove_tree(path: Path) -> None:
    """Delete a folder, retrying while a file in it is held open; left for later if that fails
    (leftovers are removed at the next start or import)."""
    for delay in (*RETRY_DELAYS[:4], None):
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if delay is None:
                log.warning("could not remove %s (%s); it is removed at the next start", path, exc)
                return
            time.sleep(delay)


def _for_store(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The view's columns in schema order with the store's types."""
    return _typed(frame.select([pl.col(c) if c in frame.columns else pl.lit(None).alias(c) for c in COLUMNS[kind]]),
                  kind, COLUMNS[kind])


def _typed(frame, kind: str, cols: list[str], keep: Sequence[str] = ()):
    """frame (a DataFrame or a LazyFrame) with its columns as the store types them."""
    exprs = []
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    for c in cols:
        dtype = schema[c]
        if c in keep:
            exprs.append(pl.col(c))
        elif c in NUMERIC[kind]:
            exprs.append(pl.col(c).cast(pl.Float64))
        elif c in DATE_COLUMNS:
            if dtype == pl.Utf8:
                exprs.append(pl.col(c).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).cast(pl.Datetime("us")))
            else:
                exprs.append(pl.col(c).cast(pl.Datetime("us")))
        else:
            exprs.append(pl.col(c).cast(pl.Utf8))
    return frame.select(exprs)


def _report(progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress.report(fraction, message)


def _sqlite_pragmas(dbapi_conn, _record, journal: str = "WAL", synchronous: str = "NORMAL") -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA journal_mode={journal}")
    cur.execute(f"PRAGMA synchronous={synchronous}")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()
    # Let SQLAlchemy's own BEGIN handling and our explicit BEGIN coexist.
    dbapi_conn.isolation_level = None


def _sqlite_pragmas_on_share(dbapi_conn, record) -> None:
    # WAL needs memory shared by every program using the file, which a network share cannot
    # give (https://sqlite.org/wal.html): use the rollback journal, fully synced.
    _sqlite_pragmas(dbapi_conn, record, journal="DELETE", synchronous="FULL")


def _sqlite_begin(conn) -> None:
    # A connection that will write for sure (a migration) takes the write lock at once: a deferred
    # BEGIN that read first cannot wait for another writer in WAL mode, it fails with "busy".
    immediate = conn.get_execution_options().get("store_write_lock", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_read_only_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    dbapi_conn.isolation_level = None


def _check_sqlite_file(path: Path) -> str | None:
    """None when the store can be opened for writing, else the URI that opens it read-only.

    StoreError when it is not a SQLite database, is damaged, or cannot be read at all.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(f"store {path} cannot be read: {exc.strerror}") from None
    if head and head != b"SQLite format 3\x00":
        raise StoreError(f"store {path} is not a SQLite database (corrupt or another kind of file)")
    if _can_write(path):
        _journal_files_writable(path)
    # A WAL store needs its folder writable too (for the -wal and -shm files); when even reading
    # cannot create them, immutable=1 reads the file as it is.
    tries = ([sqlite_uri(path, mode="rw")] if _can_write(path) else []) + [
        sqlite_uri(path, mode="ro"), sqlite_uri(path, immutable="1")]
    problem: sqlite3.DatabaseError | None = None
    for attempt in tries:
        try:  # reading the schema catches a truncated or scrambled file without scanning it all
            con = sqlite3.connect(attempt, uri=True)
            try:
                con.execute("SELECT name FROM sqlite_master").fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise StoreError(f"store {path} is locked by another program that is writing to it; "
                                 f"wait until it has finished (or close that program) and try again") from None
            if "readonly" in text or "unable to open" in text or "read-only" in text:
                problem = exc
                continue
            raise StoreError(f"store {path} is damaged: {exc}") from None
        return None if attempt.endswith("mode=rw") else attempt
    raise StoreError(f"store {path} cannot be opened: {problem}")


def _journal_files_writable(path: Path) -> None:
    """SQLite gives the -wal and -shm files it creates the store file's permissions: made while the
    store was read-only, they stay read-only after it is writable again, and every write would fail.
    They get the store file's permissions back, or a StoreError names them."""
    for journal in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if not journal.exists() or _can_write(journal):
            continue
        try:
            os.chmod(journal, stat.S_IMODE(path.stat().st_mode))
        except OSError:
            pass
        if not _can_write(journal):
            raise StoreError(f"store {path}: its file {journal.name} is read-only though the store is not (left by "
                             f"a use while the store was read-only); make it writable, or delete it while no "
                             f"program uses the store, then try again")


def _can_write(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return True
    except OSError:
        return False


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
