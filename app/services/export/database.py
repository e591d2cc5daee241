"""Writing straight into the ERP's tables (or staging tables of the same layout) on SQL Server,
PostgreSQL or SQLite.

Every table and column is found by reflecting the real target; statements are built by SQLAlchemy
from the reflected tables, never from a profile's text, and every value is bound. One transaction
holds the whole export: all routings or none.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchTableError
from sqlalchemy.sql import sqltypes

from app.services.export.errors import ExportError
from app.services.export.profile import MappingProfile, TableMap
from app.services.export.rows import TargetColumn

BATCH_ROWS = 5_000
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


class TargetError(ExportError):
    """The target database cannot be used as the profile needs it; the message names it, the table and column."""


@dataclass
class DbTarget:
    """A target database: its SQLAlchemy URL (with an ODBC string for SQL Server) and how to name it."""

    url: URL
    description: str
    dialect: str
    engine_options: dict[str, Any]

    @property
    def missing_file(self) -> bool:
        """A SQLite target whose file does not exist yet."""
        return self.dialect == "sqlite" and not Path(self.url.database or "").exists()

    def engine(self, in_memory: bool = False) -> Engine:
        url = URL.create("sqlite") if in_memory else self.url
        engine = sa.create_engine(url, **self.engine_options)
        if self.dialect == "sqlite":
            # pysqlite would run DDL outside the transaction: begin it ourselves, with the write lock
            event.listen(engine, "connect", _sqlite_manual_transactions)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine


def _sqlite_manual_transactions(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def parse_target(spec: str, installed_drivers: Callable[[], list[str]] | None = None) -> DbTarget:
    """A target from what the engineer wrote: a SQLite file path or sqlite:/// URL, a
    postgresql:// URL, or a SQL Server address mssql://[user@]SERVER/DATABASE (Windows login unless a
    user is named; a SQL login's password comes from the OS keyring, as for sources)."""
    from app.sources.sqlserver import is_sqlserver_spec

    spec = spec.strip()
    if is_sqlserver_spec(spec):
        return _sqlserver_target(spec, installed_drivers)
    if "://" not in spec:
        path = Path(spec).expanduser()
        if path.suffix.lower() not in SQLITE_SUFFIXES:
            raise TargetError(f"{spec!r} is not a database: write a SQLite file (.sqlite, .db), "
                              f"postgresql://HOST/DATABASE or mssql://SERVER/DATABASE")
        return DbTarget(URL.create("sqlite", database=str(path.resolve())), f"SQLite file {path}", "sqlite", {})
    if spec.startswith("sqlite:///"):
        return parse_target(spec.removeprefix("sqlite:///"), installed_drivers)
    try:
        url = make_url(spec.replace("postgresql://", "postgresql+psycopg://", 1)
                       if spec.startswith("postgresql://") else spec)
    except ArgumentError:
        raise TargetError(f"{spec!r} is not a database address") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        return DbTarget(url, f"PostgreSQL {url.host or 'localhost'}/{url.database}", "postgresql", {})
    raise TargetError(f"{spec!r}: Routing ML writes to SQL Server (mssql://), PostgreSQL (postgresql://) or SQLite "
                      f"(a .sqlite file), not {backend}")


def _sqlserver_target(spec: str, installed_drivers: Callable[[], list[str]] | None) -> DbTarget:
    from app.sources.base import SourceError
    from app.sources.sqlserver import choose_driver, odbc_connection_string, parse_sqlserver_spec, sql_password
    try:
        target = parse_sqlserver_spec(spec)
        password = sql_password(target.server, target.user) if target.user else None
        driver = target.driver or choose_driver((installed_drivers or _odbc_drivers)())
    except SourceError as exc:
        raise TargetError(str(exc)) from None
    url = URL.create("mssql+pyodbc", query={"odbc_connect": odbc_connection_string(target, driver, password)})
    # fast_executemany: pyodbc sends the rows as parameter arrays, not one round trip per row
    return DbTarget(url, target.describe(), "mssql", {"fast_executemany": True})


def _odbc_drivers() -> list[str]:
    import pyodbc
    return pyodbc.drivers()


# ---- the target's tables, as they really are -----------------------------------------------------
@dataclass
class ReflectedTable:
    table: sa.Table
    columns: dict[str, TargetColumn]       # by the profile's column name
    names: dict[str, str]                  # profile column name → the target's spelling
    pictured: bool = False                 # a dry run's table that --create-tables would make


def reflect_tables(conn: Connection, profile: MappingProfile, schema: str | None, where: str,
                   create_missing: bool = False, dry_run: bool = False) -> dict[str, ReflectedTable]:
    """Every table of the profile as the target has it; TargetError naming the first table or column
    the target lacks. `create_missing` makes missing tables with the profile's layout (staging);
    in a dry run they are only pictured."""
    inspector = sa.inspect(conn)
    existing = {n.lower(): n for n in inspector.get_table_names(schema=schema)}
    out = {}
    for tm in profile.tables:
        real = existing.get(tm.name.lower())
        if real is None and create_missing:
            layout = layout_table(tm, sa.MetaData(), schema, conn.dialect.name)
            if dry_run:
                out[tm.name] = ReflectedTable(layout, {c.name: _target_column(c, {}, {"ID"}, conn.dialect.name)
                                                       for c in layout.columns}, {c.name: c.name for c in layout.columns},
                                              pictured=True)
                continue
            layout.create(conn)
            real = tm.name
        if real is None:
            raise TargetError(f"{where} has no table {(schema + '.') if schema else ''}{tm.name} "
                              f"(tables there: {', '.join(sorted(existing.values())[:12]) or 'none'})",
                              code="no_table", target=where, table=f"{(schema + '.') if schema else ''}{tm.name}",
                              tables=sorted(existing.values())[:12])
        try:
            table = sa.Table(real, sa.MetaData(), schema=schema, autoload_with=conn, implicit_returning=False)
        except NoSuchTableError:
            raise TargetError(f"{where}: table {tm.name} cannot be read") from None
        by_lower = {c.name.lower(): c for c in table.columns}
        cols, names = {}, {}
        info = {c["name"]: c for c in inspector.get_columns(real, schema=schema)}
        pk = set(inspector.get_pk_constraint(real, schema=schema).get("constrained_columns") or [])
        for cm in tm.columns:
            c = table.columns.get(cm.name) if cm.name in table.columns else by_lower.get(cm.name.lower())
            if c is None:
                raise TargetError(f"{where}: table {real} has no column {cm.name} that profile "
                                  f"{profile.name} fills", code="no_column", target=where, table=real,
                                  column=cm.name, profile=profile.name)
            names[cm.name] = c.name
            cols[cm.name] = _target_column(c, info.get(c.name, {}), pk, conn.dialect.name)
        missing = [c.name for c in table.columns if c.name not in names.values() and not c.nullable
                   and c.server_default is None and not _generated(c, info.get(c.name, {}), pk, conn.dialect.name)]
        if missing:
            raise TargetError(f"{where}: table {real} needs a value in {', '.join(missing)}, which profile "
                              f"{profile.name} does not fill", code="columns_not_filled", target=where, table=real,
                              columns=missing, profile=profile.name)
        out[tm.name] = ReflectedTable(table, cols, names)
    return out


def _generated(col: sa.Column, info: dict, pk: set[str], dialect: str) -> bool:
    if info.get("identity") or info.get("autoincrement") is True:
        return True
    default = str(info.get("default") or "")
    if default.startswith("nextval("):
        return True
    # SQLite: an INTEGER PRIMARY KEY alone is the rowid, numbered by SQLite
    return dialect == "sqlite" and pk == {col.name} and isinstance(col.type, sqltypes.Integer)


def _target_column(col: sa.Column, info: dict, pk: set[str], dialect: str) -> TargetColumn:
    t = col.type
    kind, length, in_bytes, precision, scale = None, None, False, None, None
    if isinstance(t, sqltypes.String):
        kind, length = "text", t.length
        in_bytes = dialect == "mssql" and not isinstance(t, sqltypes.Unicode) and \
            type(t).__name__.upper() in ("VARCHAR", "CHAR", "STRING", "TEXT")
    elif isinstance(t, sqltypes.Integer):
        kind = "int"
    elif isinstance(t, sqltypes.Float):
        kind = "number"
    elif isinstance(t, sqltypes.Numeric):
        kind, precision, scale = "number", t.precision, t.scale
        if scale == 0 and precision:
            kind = "int"
    elif isinstance(t, (sqltypes.DateTime, sqltypes.Date)):
        kind = "datetime"
    return TargetColumn(col.name, kind, length, in_bytes, precision, scale, bool(col.nullable),
                        col.server_default is not None or info.get("default") is not None,
                        _generated(col, info, pk, dialect))


def layout_table(tm: TableMap, metadata: sa.MetaData, schema: str | None, dialect: str) -> sa.Table:
    """A table of the profile's layout (for staging): its columns, types and lengths, in order."""
    cols = []
    for c in tm.columns:
        if c.sources == ["identity"]:
            cols.append(sa.Column(c.name, sa.Integer, sa.Identity() if dialect != "sqlite" else None,
                                  primary_key=True, autoincrement=True))
            continue
        kind = {"text": sa.Unicode(c.length) if c.length else sa.UnicodeText(), "int": sa.BigInteger(),
                "number": sa.Float(), "datetime": sa.DateTime()}[c.type]
        if kind.__class__ is sa.BigInteger and dialect == "sqlite":
            kind = sa.Integer()
        cols.append(sa.Column(c.name, kind, nullable=not c.required))
    names = {c.name for c in cols}
    extra = [sa.Index(f"ix_{tm.name}_routing", "ITEM_CD", "ROUT_NO")] if {"ITEM_CD", "ROUT_NO"} <= names else []
    return sa.Table(tm.name, metadata, *cols, *extra, schema=schema)


# ---- the statements (compiled by the target's own dialect, values bound) -------------------------
def existing_routings_query(table: sa.Table, item_col: str, rout_col: str, codes: list[str]) -> sa.Select:
    return sa.select(table.c[item_col], table.c[rout_col]).where(table.c[item_col].in_(codes)).distinct()


def delete_routings_statement(table: sa.Table, item_col: str, rout_col: str, codes: int) -> sa.Delete:
    """DELETE of one ROUT_NO's routings of `codes` items (parameters r, i0, i1, …)."""
    return sa.delete(table).where(table.c[rout_col] == sa.bindparam("r"),
                                  table.c[item_col].in_([sa.bindparam(f"i{n}") for n in range(codes)]))


def max_id_query(table: sa.Table, column: str) -> sa.Select:
    return sa.select(sa.func.max(table.c[column]))


def find_existing(conn: Connection, reflected: dict[str, ReflectedTable], pairs: set[tuple[str, str]]
                  ) -> dict[tuple[str, str], list[str]]:
    """Which (ITEM_CD, ROUT_NO) of `pairs` the target holds already, and in which tables."""
    codes = sorted({p[0] for p in pairs})
    found: dict[tuple[str, str], list[str]] = {}
    for name, rt in reflected.items():
        item_col, rout_col = rt.names.get("ITEM_CD"), rt.names.get("ROUT_NO")
        if not item_col or not rout_col or rt.pictured:
            continue
        for i in range(0, len(codes), 1000):   # SQL Server takes at most 2,100 parameters
            for item, rout in conn.execute(existing_routings_query(rt.table, item_col, rout_col, codes[i:i + 1000])):
                if (item, rout) in pairs:
                    found.setdefault((item, rout), []).append(name)
    return found


def delete_routings(conn: Connection, reflected: dict[str, ReflectedTable], pairs: Iterable[tuple[str, str]]) -> None:
    """Remove the routings `pairs` (ITEM_CD, ROUT_NO) from every table that has both columns: one
    statement per ROUT_NO and up to 1,000 items (a target without an index on them stays quick)."""
    by_rout: dict[str, list[str]] = {}
    for item, rout in pairs:
        by_rout.setdefault(rout, []).append(item)
    for rt in reflected.values():
        item_col, rout_col = rt.names.get("ITEM_CD"), rt.names.get("ROUT_NO")
        if not (item_col and rout_col):
            continue
        for rout, items in by_rout.items():
            for i in range(0, len(items), 1000):
                chunk = items[i:i + 1000]
                conn.execute(delete_routings_statement(rt.table, item_col, rout_col, len(chunk)),
                             {"r": rout, **{f"i{n}": code for n, code in enumerate(chunk)}})


def insert_statement(table: sa.Table, keys: list[str]) -> sa.Insert:
    """INSERT of `keys` (the target's own column names) with one positional parameter each (p0, p1, …)."""
    return table.insert().values({table.c[k]: sa.bindparam(f"p{i}") for i, k in enumerate(keys)})


def insert_rows(conn: Connection, rt: ReflectedTable, frame: pl.DataFrame,
                on_batch: Callable[[int], None] | None = None) -> int:
    """Insert the frame's rows (columns named as the profile names them) in batches of bound
    parameters; PostgreSQL takes them by COPY. Returns how many rows went in."""
    if frame.height == 0:
        return 0
    keys = [rt.names[c] for c in frame.columns]
    if conn.dialect.name == "postgresql":
        return _copy_rows(conn, rt, keys, frame, on_batch)
    if conn.dialect.name == "sqlite":   # SQLAlchemy's own text form of a SQLite DATETIME
        frame = frame.with_columns([pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S.%6f") for c, t in frame.schema.items()
                                    if t.is_temporal()])
    compiled = insert_statement(rt.table, keys).compile(dialect=conn.dialect)
    order = [int(name[1:]) for name in compiled.positiontup]
    sql = compiled.string
    done = 0
    for start in range(0, frame.height, BATCH_ROWS):
        part = frame.slice(start, BATCH_ROWS).select([frame.columns[i] for i in order])
        conn.exec_driver_sql(sql, part.rows())
        done += part.height
        if on_batch:
            on_batch(done)
    return done


def copy_statement(conn: Connection, table: sa.Table, keys: list[str]) -> str:
    """COPY … FROM STDIN (CSV) naming the reflected table and columns, quoted by the dialect; the
    values travel as data, never in the statement."""
    prep = conn.dialect.identifier_preparer
    return (f"COPY {prep.format_table(table)} ({', '.join(prep.quote(k) for k in keys)}) "
            f"FROM STDIN WITH (FORMAT csv, NULL '')")


def _copy_rows(conn: Connection, rt: ReflectedTable, keys: list[str], frame: pl.DataFrame,
               on_batch: Callable[[int], None] | None) -> int:
    raw = conn.connection.driver_connection
    done = 0
    with raw.cursor() as cur, cur.copy(copy_statement(conn, rt.table, keys)) as copy:
        for start in range(0, frame.height, BATCH_ROWS * 4):
            part = frame.slice(start, BATCH_ROWS * 4)
            # an empty text is never written (the checks make it NULL), so an unquoted empty field is NULL
            copy.write(part.write_csv(include_header=False, null_value="", datetime_format="%Y-%m-%d %H:%M:%S%.f",
                                      quote_style="non_numeric").encode("utf-8"))
            done += part.height
            if on_batch:
                on_batch(done)
    return done


def db_message(error: BaseException) -> str:
    """The database's own words (without SQLAlchemy's statement dump and links)."""
    original = getattr(error, "orig", None)
    return str(original if original is not None else error).strip().split("\n")[0]


def is_disconnect(engine: Engine, error: BaseException, raw_connection: Any = None) -> bool:
    """Whether `error` (SQLAlchemy's or the driver's own) means the connection was lost."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    original = getattr(error, "orig", None) or error
    try:
        return bool(engine.dialect.is_disconnect(original, raw_connection, None))
    except Exception:  # noqa: BLE001 - a dialect that cannot tell
        return False
