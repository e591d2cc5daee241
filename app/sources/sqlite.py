"""A SQLite file, opened read-only with the standard library."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from app.files import sqlite_uri
from app.sources.base import BATCH_ROWS, Source, SourceError, frame_from_rows

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
SQLITE_HEADER = b"SQLite format 3\x00"


def has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _declared_dtype(declared: str) -> pl.DataType | None:
    """SQLite's column affinity rules (https://sqlite.org/datatype3.html §3.1) as polars types.

    None (infer from the values) for BLOB and NUMERIC affinity, whose columns may hold ints,
    floats or text.
    """
    upper = declared.upper()
    if "INT" in upper:
        return pl.Int64()
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return pl.String()
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return pl.Float64()
    return None


class SqliteSource(Source):
    """Tables and views of a SQLite file; the file is never written."""

    def __init__(self, path: Path):
        super().__init__()
        self._path = path.resolve()
        if not self._path.is_file():
            raise SourceError(f"The SQLite file {self._path} does not exist.")
        if self._path.stat().st_size and not has_sqlite_header(self._path):
            raise SourceError(f"{self._path} is not a SQLite database (it does not start with "
                              f"the SQLite header).")
        try:
            # mode=ro: the source data is never written. check_same_thread=False: the window
            # opens a source on its own thread and reads it on a worker thread.
            # sqlite_uri, not Path.as_uri: a file on a share (\\server\share\...) must become
            # file:////server/..., as SQLite refuses file://server/...
            self._conn = sqlite3.connect(sqlite_uri(self._path, mode="ro"), uri=True,
                                         check_same_thread=False)
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            raise SourceError(f"Could not open the SQLite file {self._path}: {e}") from e

    def describe(self) -> str:
        return f"SQLite file {self._path}"

    def location(self, table: str) -> str:
        return f"table {table} in {self._path}"

    def list_tables(self) -> list[str]:
        rows = self._execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                             "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
        return [name for (name,) in rows]

    def columns(self, table: str) -> list[str]:
        cursor = self._execute(f"SELECT * FROM {_quote(table)} LIMIT 0", table)
        return [d[0] for d in cursor.description]

    def row_count(self, table: str) -> int:
        (count,) = self._execute(f"SELECT count(*) FROM {_quote(table)}", table).fetchone()
        return int(count)

    def _batches(self, table: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        declared = {name: kind for _, name, kind, *_ in
                    self._execute(f"PRAGMA table_info({_quote(table)})", table).fetchall()}
        dtypes = [_declared_dtype(declared.get(name, "")) for name in columns]
        cursor = self._execute(
            f"SELECT {', '.join(_quote(c) for c in columns)} FROM {_quote(table)}", table)
        try:
            while True:
                try:
                    rows = cursor.fetchmany(BATCH_ROWS)
                except sqlite3.Error as e:
                    raise SourceError(f"Could not read {self.location(table)}: {e}") from e
                if not rows:
                    return
                yield frame_from_rows(columns, rows, dtypes)
        finally:
            cursor.close()

    def close(self) -> None:
        self._conn.close()

    def _execute(self, sql: str, table: str | None = None) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql)
        except sqlite3.Error as e:
            if table is not None and "no such table" in str(e):
                raise SourceError(f"{self._path} has no table or view named {table}.") from e
            where = self.location(table) if table is not None else str(self._path)
            raise SourceError(f"Could not read {where}: {e}") from e
