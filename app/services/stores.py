"""Opening the program's store, for the window and the command line alike.

The window holds what `open_store` returns only to hand it back to the services, on a worker: a
shared server can take a second to answer, and the GUI thread never waits for it.

`StoreProbe` watches one opened store: which threads touch it (every SQL statement, every read of
its imported views) and, for tests and the benchmark, makes it answer late, as a busy server on a
slow network would (`ROUTING_ML_STORE_DELAY_MS`, or `add_open_hook`)."""
from __future__ import annotations

import functools
import os
import re
import threading
import time
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.store.db import Store, StoreError, default_store_path, store_url

__all__ = ["Store", "StoreError", "StoreProbe", "UnopenedStore", "open_store", "describe_url", "is_open",
           "add_open_hook", "remove_open_hook", "DELAY_ENV", "default_store_folder"]

DELAY_ENV = "ROUTING_ML_STORE_DELAY_MS"
# the Store methods that read the store (SQL or the imported views' files); `describe` and the
# path properties only compute names and are left alone
TOUCHING = ("begin", "view_counts", "read_view", "items", "routed_item_codes", "item_codes", "last_import",
            "current_data_dir", "replace_views", "import_lock", "import_holder", "ensure_model_folder")

_hooks: list[Callable[[Store], None]] = []
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+(\S+)", re.IGNORECASE)   # a statement's table, for StoreProbe


def add_open_hook(hook: Callable[[Store], None]) -> None:
    """`hook(store)` runs on every store `open_store` opens from now on (tests, the benchmark)."""
    _hooks.append(hook)


def remove_open_hook(hook: Callable[[Store], None]) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (and, for SQLite, create unless `create` is False) the store at `url`: `--store`,
    `ROUTING_ML_STORE`, the machine's STORE or the default file when None. Slow on a distant
    server: call it on a worker. Raises StoreError naming the store when it cannot be opened."""
    try:
        store = Store(url, create=create)
    except StoreError as exc:
        # Store words the driver's error in one line; that its cause was the connection tells the
        # window to offer a retry and a local store rather than another choice of store
        if is_connection_lost(exc.__context__ or exc.__cause__ or exc) and exc.__context__ is not None:
            raise StoreUnreachable(str(exc)) from None
        raise
    delay_ms = float(os.environ.get(DELAY_ENV, "0") or 0)
    if delay_ms > 0:
        StoreProbe(store, delay_s=delay_ms / 1000)
    for hook in list(_hooks):
        hook(store)
    return store


def describe_url(url: str | None) -> str:
    """What the status bar says of a store that is not opened yet: its file or server/database."""
    try:
        parsed = store_url(url)
    except Exception:  # noqa: BLE001 - a mistyped URL: shown as typed
        return url or ""
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.database or ""
    # as an open store describes itself (app.store.server)
    if backend == "postgresql":
        port = f":{parsed.port}" if parsed.port else ""
        return f"PostgreSQL {parsed.host or 'localhost'}{port}/{parsed.database or ''}"
    if backend == "mssql":
        try:
            from app.sources.sqlserver import parse_sqlserver_spec
            target = parse_sqlserver_spec(url or "")
            return f"SQL Server {target.server}/{target.database}"
        except Exception:  # noqa: BLE001 - shown as SQLAlchemy reads it
            pass
    return f"{backend} {parsed.host or ''}/{parsed.database or ''}"


def is_server_url(url: str | None) -> bool:
    """True for a shared server store (PostgreSQL, SQL Server), False for a SQLite file."""
    try:
        return make_url(url).get_backend_name() != "sqlite" if url and "://" in url else False
    except Exception:  # noqa: BLE001
        return False


def default_store_folder() -> str:
    return str(default_store_path().parent)


def local_store_url() -> str:
    """This PC's own store (the default SQLite file), where an engineer works while the shared
    server cannot be reached."""
    return f"sqlite:///{default_store_path()}"


def is_connection_lost(exc: BaseException) -> bool:
    """True when `exc` says the store could not be reached or the connection broke (a server
    restarted, a network cut), so the same action may work when tried again; False for refusals
    that trying again will not change (a conflict, a permission, a bad value)."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
    if isinstance(exc, (StoreUnreachable, DisconnectionError, InterfaceError, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig or exc).lower()
        # SQLite's own operational errors (a locked or damaged file) are not a lost connection
        return not any(word in text for word in ("locked", "malformed", "readonly", "read-only", "no such"))
    return False


def connection_message(exc: BaseException, store_text: str = "") -> str:
    """One line a user can act on for a lost connection: which store, and the server's reason."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = f" {store_text}" if store_text else ""
    return f"the connection to the store{where} was lost or could not be made ({reason})"


class StoreUnreachable(StoreError):
    """The store's server cannot be reached (raised by a probe that simulates it, and by open_store
    for a server that refuses or does not answer)."""


class UnopenedStore:
    """Stands for a store that is not open (yet, or because its server cannot be reached): any
    service given it raises StoreError saying so, with the reason, instead of an AttributeError."""

    is_open = False
    path = None

    def __init__(self, spec: str | None, reason: str = ""):
        self.spec = spec
        self.url = spec or ""
        self.reason = reason

    def describe(self) -> str:
        return describe_url(self.spec)

    def dispose(self) -> None:
        pass

    def message(self) -> str:
        if self.reason:
            return f"store {self.describe()} is not open: {self.reason}"
        return f"store {self.describe()} is still being opened; try again in a moment"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise StoreError(self.message())


def is_open(store: Any) -> bool:
    return store is not None and getattr(store, "is_open", True) is not False


@dataclass
class Touch:
    thread: int
    thread_name: str
    what: str          # the method, or "SQL: <first words> … <table>"
    at: float


@dataclass
class StoreProbe:
    """Records every touch of `store` (the thread, what) and delays each use of a connection (about one per service call) by `delay_s`.

    Attaching wraps the store's reading methods on this one object and listens to its engine; the
    store class itself is unchanged."""

    store: Store
    delay_s: float = 0.0
    touches: list[Touch] = field(default_factory=list)
    unreachable: bool = False   # every new use of a connection fails, as when the server went away

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._active = True
        event.listen(self.store.engine, "before_cursor_execute", self._on_sql)
        event.listen(self.store.engine, "checkout", self._on_checkout)
        for name in TOUCHING:
            original = getattr(self.store, name)
            setattr(self.store, name, self._wrap(name, original))
        self.store.probe = self  # type: ignore[attr-defined] - found again by tests and the bench

    def _record(self, what: str) -> None:
        if not self._active:
            return
        t = threading.current_thread()
        with self._lock:
            self.touches.append(Touch(t.ident or 0, t.name, what, time.monotonic()))

    def _wrap(self, name: str, original: Callable) -> Callable:
        @functools.wraps(original)
        def call(*args: Any, **kwargs: Any):
            self._record(name)
            return original(*args, **kwargs)
        return call

    def _on_checkout(self, *_args: Any) -> None:
        self._record("connection")
        if self.unreachable:   # what a PostgreSQL or SQL Server driver raises when the server is gone
            from sqlalchemy.exc import OperationalError
            raise OperationalError("(connect)", None,
                                   ConnectionRefusedError("server closed the connection unexpectedly"))
        if self._active and self.delay_s:
            time.sleep(self.delay_s)   # each call of a service waits once, as for a distant busy server

    def _on_sql(self, _conn, _cursor, statement: str, *_args: Any) -> None:
        first = " ".join(statement.split()[:4])
        table = _TABLE.search(statement)
        self._record("SQL: " + first + (f" … {table[1]}" if table and table[1] not in first else ""))

    def on_thread(self, ident: int | None = None) -> list[Touch]:
        """The touches made on thread `ident` (default: the main thread, the GUI's)."""
        ident = threading.main_thread().ident if ident is None else ident
        with self._lock:
            return [t for t in self.touches if t.thread == ident]

    def clear(self) -> None:
        with self._lock:
            self.touches.clear()

    def pause(self) -> None:
        """Stop recording and delaying (a test's own checks afterwards read the store directly)."""
        self._active = False

    def resume(self) -> None:
        self._active = True


# ---- Settings ▸ Store: a store's address, and a test of it --------------------------------------------
@dataclass(frozen=True)
class StoreCheck:
    """What Test connection found: `state` is "store" (a Routing ML store, schema `revision`),
    "empty" (a database with no tables: the store's tables are made at first use), "new file"
    (a SQLite file that does not exist yet) or "other" (tables of something else: refused)."""

    description: str
    state: str
    revision: str = ""
    saved_routings: int = 0
    models: int = 0
    tables: tuple[str, ...] = ()


def store_address(kind: str, *, path: str = "", server: str = "", database: str = "", user: str = "",
                  driver: str = "", encrypt: str = "", trust_server_certificate: bool = False,
                  ssl_mode: str = "") -> str:
    """The store URL `--store`, ROUTING_ML_STORE and Settings ▸ Store take, from the dialog's fields
    (never with a password: PostgreSQL reads it from pgpass or PGPASSWORD, a SQL Server login from
    the OS keyring). kind: "sqlite", "postgresql" or "mssql"."""
    from urllib.parse import quote

    if kind == "sqlite":
        return f"sqlite:///{Path(path.strip()).expanduser()}" if path.strip() else ""
    if kind == "postgresql":
        host = server.strip()
        login = quote(user.strip(), safe="") + "@" if user.strip() else ""
        query = f"?sslmode={ssl_mode}" if ssl_mode else ""
        return f"postgresql://{login}{host}/{quote(database.strip(), safe='')}{query}"
    from app.sources.sqlserver import sqlserver_spec
    spec = sqlserver_spec(server, database, user.strip() or None, driver or None, trust_server_certificate)
    if encrypt:
        spec += ("&" if "?" in spec else "?") + f"Encrypt={encrypt}"
    return spec


def check_connection(url: str) -> StoreCheck:
    """Connect to the store at `url` and say what is there, without creating or upgrading anything
    (on a worker: a server may take seconds). Raises StoreUnreachable or StoreError saying why."""
    from sqlalchemy import create_engine, func, inspect, select, text

    from app.store import db, migrate
    parsed = store_url(url)
    description = describe_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.exists():
            if not path.parent.is_dir():
                raise StoreError(f"the folder {path.parent} does not exist")
            return StoreCheck(description, "new file")
    if parsed.get_backend_name() == "mssql":
        from app.services.connections import store_drivers
        if not store_drivers():
            from app.sources.sqlserver import INSTALL_DRIVER
            raise StoreError("no SQL Server ODBC driver is installed on this PC. " + INSTALL_DRIVER)
        try:
            from app.store import server as server_store   # SQL Server stores (pyodbc), when present
            engine, _ = server_store.mssql_engine(url)
        except ImportError:
            engine = create_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed.set(drivername="postgresql+psycopg"),
                               connect_args={"connect_timeout": 10, "application_name": "Routing ML"})
    else:
        engine = create_engine(parsed)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            tables = tuple(sorted(inspect(conn).get_table_names()))
            if not tables:
                return StoreCheck(description, "empty")
            if "alembic_version" not in tables and not migrate.FIRST_TABLES <= set(tables):
                return StoreCheck(description, "other", tables=tables)
            revision = ""
            if "alembic_version" in tables:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""
            saved = conn.execute(select(func.count()).select_from(db.saved_routing)).scalar() or 0
            models = conn.execute(select(func.count()).select_from(db.model_version)).scalar() or 0
            return StoreCheck(description, "store", revision, int(saved), int(models), tables)
    except Exception as exc:
        if is_connection_lost(exc):
            raise StoreUnreachable(f"store {description} cannot be reached: "
                                   f"{str(getattr(exc, 'orig', None) or exc).strip().splitlines()[0]}") from None
        raise StoreError(f"store {description}: {str(getattr(exc, 'orig', None) or exc).strip().splitlines()[0]}") \
            from None
    finally:
        engine.dispose()
