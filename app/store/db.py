"""The program's own store: copies of the ERP views plus everything Routing ML owns.

SQLite by default (a file in the user's data folder); any SQLAlchemy URL works for a shared store.
The ERP views are copied under their own names with their own column spelling, so what was read
is what is kept. Tables owned by the program: import_run, model_version, saved_routing,
audit_event.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import platformdirs
import polars as pl
from sqlalchemy import (Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text,
                        create_engine, event, inspect, text)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from app.domain.routing import RoutingError
from app.domain.schema import COLUMNS, DEFAULT_VIEW_NAMES, ITEMS, NUMERIC, RESULTS, ROUTINGS, VIEW_KINDS

APP_NAME = "RoutingML"
DATE_COLUMNS = {"INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT"}


class StoreError(RoutingError):
    """The store cannot be opened or is not a Routing ML store; the message names it."""


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "store.sqlite"


def resolve_store_url(store: str | None = None) -> str:
    """`--store` beats `ROUTING_ML_STORE` beats the default file; a bare path means SQLite."""
    value = store or os.environ.get("ROUTING_ML_STORE") or str(default_store_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


metadata = MetaData()


def _view_table(kind: str) -> Table:
    cols = []
    for name in COLUMNS[kind]:
        if name in NUMERIC[kind]:
            cols.append(Column(name, Float))
        elif name in DATE_COLUMNS:
            cols.append(Column(name, String(19)))  # ISO 'YYYY-MM-DD HH:MM:SS' sorts as text
        else:
            cols.append(Column(name, Text))
    return Table(DEFAULT_VIEW_NAMES[kind], metadata, *cols)


VIEW_TABLES = {kind: _view_table(kind) for kind in VIEW_KINDS}

import_run = Table(
    "import_run", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("user_name", String(200)),
    Column("counts", Text),       # JSON {kind: rows}
    Column("warnings", Text),     # JSON [str]
)

model_version = Table(
    "model_version", metadata,
    Column("version", String(40), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("path", Text, nullable=False),
    Column("params", Text),       # JSON
    Column("metrics", Text),      # JSON, filled by evaluation
    Column("summary", Text),      # JSON: item / routing counts
    Column("active", Boolean, nullable=False, default=False),
    Column("activated_at", DateTime),
)

saved_routing = Table(
    "saved_routing", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ITEM_CD", String(100), nullable=False, index=True),
    Column("ROUT_NO", String(40), nullable=False),
    Column("status", String(20), nullable=False),   # draft | submitted | approved | rejected
    Column("revision", Integer, nullable=False),    # optimistic lock: bumped on every save
    Column("operations", Text, nullable=False),     # JSON list of operations
    Column("model_version", String(40)),
    Column("candidate_rank", Integer),
    Column("note", Text),
    Column("created_by", String(200)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(200)),
    Column("updated_at", DateTime, nullable=False),
)

audit_event = Table(
    "audit_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(200)),
    Column("host", String(200)),
    Column("action", String(60), nullable=False),
    Column("target", Text),
    Column("detail", Text),
)


class Store:
    """Opens (and creates on first use) the store at a SQLAlchemy URL."""

    def __init__(self, url: str | None = None, *, create: bool = True):
        self.url = resolve_store_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path = Path(parsed.database) if self.is_sqlite and parsed.database else None
        if self.path is not None:
            if not self.path.exists() and not create:
                raise StoreError(f"store {self.path} does not exist")
            if self.path.exists():
                _check_sqlite_file(self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, future=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling is off (see _sqlite_pragmas); SQLAlchemy says BEGIN.
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        try:
            metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                for kind in VIEW_KINDS:
                    name = DEFAULT_VIEW_NAMES[kind]
                    conn.execute(text(f'CREATE INDEX IF NOT EXISTS "ix_{name}_item" ON "{name}" ("ITEM_CD")'))
        except (DatabaseError, OperationalError) as exc:
            raise StoreError(f"store {self.describe()} cannot be opened: {_first_line(exc)}") from None

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        u = make_url(self.url)
        return f"{u.host or ''}/{u.database or ''}"

    @property
    def models_dir(self) -> Path:
        if self.path is not None:
            return self.path.with_name(self.path.stem + "-models")
        key = abs(hash(self.url)) % 10**10
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / f"models-{key}"

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator:
        with self.engine.begin() as conn:
            yield conn

    # ---- the copied ERP views ------------------------------------------------------------
    def replace_views(self, frames: dict[str, pl.DataFrame], progress=None, batch: int = 50_000) -> dict[str, int]:
        """Replace all three view copies in ONE transaction: importing again never duplicates,
        and a failure or Cancel leaves the previous copy untouched."""
        counts = {}
        total = sum(frames[k].height for k in VIEW_KINDS) or 1
        done = 0
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            if self.is_sqlite:
                cur.execute("BEGIN")
            for kind in VIEW_KINDS:
                name = DEFAULT_VIEW_NAMES[kind]
                cols = COLUMNS[kind]
                frame = _for_store(frames[kind].select(cols))
                cur.execute(f'DELETE FROM "{name}"')
                placeholders = ", ".join("?" for _ in cols)
                col_sql = ", ".join(f'"{c}"' for c in cols)
                sql = f'INSERT INTO "{name}" ({col_sql}) VALUES ({placeholders})'
                for start in range(0, frame.height, batch):
                    chunk = frame.slice(start, batch)
                    cur.executemany(sql, chunk.iter_rows())
                    done += chunk.height
                    if progress is not None:
                        progress.report(0.5 + 0.5 * done / total, f"writing {name}: {start + chunk.height:,} rows")
                counts[kind] = frame.height
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        return counts

    def view_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {k: conn.execute(text(f'SELECT COUNT(*) FROM "{DEFAULT_VIEW_NAMES[k]}"')).scalar_one()
                    for k in VIEW_KINDS}

    def read_view(self, kind: str, columns: list[str] | None = None, where_items: list[str] | None = None) -> pl.DataFrame:
        """Read a copied view; dates come back as pl.Datetime, numbers as Float64."""
        cols = columns or COLUMNS[kind]
        name = DEFAULT_VIEW_NAMES[kind]
        col_sql = ", ".join(f'"{c}"' for c in cols)
        sql = f'SELECT {col_sql} FROM "{name}"'
        params: tuple = ()
        if where_items is not None:
            if not where_items:
                return _typed(pl.DataFrame({c: [] for c in cols}), kind, cols)
            sql += f' WHERE "ITEM_CD" IN ({", ".join("?" for _ in where_items)})'
            params = tuple(where_items)
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            rows = cur.fetchall()
        except Exception as exc:  # a damaged file shows here first
            raise StoreError(f"store {self.describe()}: cannot read {name}: {_first_line(exc)}") from None
        finally:
            raw.close()
        frame = pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None) if rows else \
            pl.DataFrame({c: [] for c in cols})
        return _typed(frame, kind, cols)

    def item_codes(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text(f'SELECT "ITEM_CD" FROM "{DEFAULT_VIEW_NAMES[ITEMS]}"'))]

    def record_import(self, source: str, started: datetime, user: str, counts: dict, warnings: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(import_run.insert().values(
                source=source, started_at=started, finished_at=datetime.now(), user_name=user,
                counts=json.dumps(counts), warnings=json.dumps(warnings, ensure_ascii=False)))

    def last_import(self) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(import_run.select().order_by(import_run.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None


def _for_store(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Datetime or dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S").alias(name))
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)


def _typed(frame: pl.DataFrame, kind: str, cols: list[str]) -> pl.DataFrame:
    exprs = []
    for c in cols:
        if c in NUMERIC[kind]:
            exprs.append(pl.col(c).cast(pl.Float64))
        elif c in DATE_COLUMNS:
            exprs.append(pl.col(c).cast(pl.Utf8).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False))
        else:
            exprs.append(pl.col(c).cast(pl.Utf8))
    return frame.select(exprs)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()
    # Let SQLAlchemy's own BEGIN handling and our explicit BEGIN coexist.
    dbapi_conn.isolation_level = None


def _check_sqlite_file(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(f"store {path} cannot be read: {exc.strerror}") from None
    if head and head != b"SQLite format 3\x00":
        raise StoreError(f"store {path} is not a SQLite database (corrupt or another kind of file)")
    try:  # reading the schema catches a truncated or scrambled file without scanning it all
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            con.execute("SELECT name FROM sqlite_master").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"store {path} is damaged: {exc}") from None


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0] if str(exc) else type(exc).__name__
