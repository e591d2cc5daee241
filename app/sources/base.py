"""What every read-only source offers, and the helpers the database sources share."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import closing
from decimal import Decimal
from types import TracebackType
from typing import Any, ClassVar, Protocol

import polars as pl

from app.domain.routing import RoutingError
from app.domain.schema import DEFAULT_VIEW_NAMES

# Rows fetched per round trip from a database; also how often read() reports progress.
BATCH_ROWS = 50_000


class SourceError(RoutingError):
    """A source cannot be opened or read; the message names the file, server, table or column."""


class ProgressReporter(Protocol):
    """What long reads need from app.services.progress.Progress (sources sit below services)."""

    def report(self, fraction: float, message: str = "") -> None: ...

    def sub(self, start: float, end: float) -> ProgressReporter: ...


class Source:
    """A read-only set of named tables: a file, a folder of files or a database.

    A source is used from one thread at a time (it may be opened on one thread and read on
    another). Subclasses implement `describe`, `list_tables`, `columns`, `row_count` and
    `_batches`, and `close` when they hold a connection.
    """

    # False where counting rows means reading the whole table (files): read() then does not
    # count first, and its progress reaches a fraction above 0 only at the end.
    counts_cheaply: ClassVar[bool] = True

    def __init__(self) -> None:
        self.view_names: dict[str, str] = dict(DEFAULT_VIEW_NAMES)
        self._notes: dict[str, list[str]] = {}

    def notes(self, table: str) -> list[str]:
        """What reading `table` found and put right, for the import summary (e.g. byte-order
        marks inside a file, a column header given twice)."""
        return list(self._notes.get(table, []))

    def _note(self, table: str, text: str) -> None:
        found = self._notes.setdefault(table, [])
        if text not in found:
            found.append(text)

    def describe(self) -> str:
        """Human text naming the source: a file path, a folder, or server and database."""
        raise NotImplementedError

    def list_tables(self) -> list[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """Column names of `table` in source order; SourceError if there is no such table."""
        raise NotImplementedError

    def row_count(self, table: str) -> int:
        raise NotImplementedError

    def read(self, table: str, columns: list[str] | None = None, *,
             progress: ProgressReporter | None = None) -> pl.DataFrame:
        """All rows of `table` (only `columns`, in that order, when given).

        Values keep the source's types where it has them (numbers, dates, text); files are
        read as text. `progress` gets a report per batch and may raise Cancelled.
        """
        present = self.columns(table)
        if columns is None:
            names = present
        else:
            missing = [c for c in columns if c not in present]
            if missing:
                raise SourceError(f"{self.location(table)} has no column {', '.join(missing)}; "
                                  f"its columns are: {', '.join(present) or '(none)'}")
            names = list(columns)
        total = self.row_count(table) if progress is not None and self.counts_cheaply else 0
        frames: list[pl.DataFrame] = []
        done = 0
        with closing(self._batches(table, names)) as batches:
            for frame in batches:
                frames.append(frame)
                done += frame.height
                if progress is not None:
                    fraction = min(done / total, 1.0) if total else 0.0
                    progress.report(fraction, f"{table}: {done:,} rows read")
        if progress is not None:
            progress.report(1.0, f"{table}: {done:,} rows read")
        if not frames:
            return pl.DataFrame(schema={name: pl.String for name in names})
        # Batches of a dynamically typed source may disagree (ints in one, text in the next).
        return pl.concat(frames, how="vertical_relaxed")

    def _batches(self, table: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        """Frames of consecutive rows of the existing `columns` of `table`."""
        raise NotImplementedError

    def location(self, table: str) -> str:
        """Where `table` lives, for messages: a file path, or table and source."""
        return f"table {table} in {self.describe()}"

    def row_label(self, table: str, index: int) -> str:
        """How a user finds data row `index` (0-based, in read order) of `table`."""
        return f"row {index + 1}"

    def close(self) -> None:
        """Release the connection or files; the source cannot be used afterwards."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def bracket(name: str) -> str:
    """Quote an identifier for SQL Server and Access."""
    return "[" + name.replace("]", "]]") + "]"


_PYTHON_TYPES: dict[type, pl.DataType] = {
    bool: pl.Boolean(),
    int: pl.Int64(),
    float: pl.Float64(),
    Decimal: pl.Float64(),
    str: pl.String(),
    dt.datetime: pl.Datetime("us"),
    dt.date: pl.Date(),
    dt.time: pl.Time(),
    bytes: pl.Binary(),
    bytearray: pl.Binary(),
}


def dtype_for(python_type: Any) -> pl.DataType | None:
    """The polars type for a DB-API description's type code, None when unknown (infer)."""
    return _PYTHON_TYPES.get(python_type)


def frame_from_rows(names: Sequence[str], rows: Sequence[Sequence[Any]],
                    dtypes: Sequence[pl.DataType | None]) -> pl.DataFrame:
    """Build a frame from DB-API rows; None in `dtypes` means infer from the values.

    Column by column, because only a Series is strict: building from rows with a schema
    silently truncates 1.5 in an integer column and drops bytearrays.
    """
    columns = zip(*rows) if rows else (() for _ in names)
    return pl.DataFrame([_series(name, column, dtype)
                         for name, column, dtype in zip(names, columns, dtypes)])


_BUILD_ERRORS = (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError)


def _series(name: str, values: Sequence[Any], dtype: pl.DataType | None) -> pl.Series:
    try:
        return pl.Series(name, values, dtype=dtype, strict=True)
    except _BUILD_ERRORS:
        pass
    if dtype == pl.Binary:
        return pl.Series(name, [bytes(v) if isinstance(v, (bytearray, memoryview)) else v
                                for v in values], dtype=pl.Binary)
    # A column whose values do not share one type (SQLite allows that): numbers become
    # floats, anything else stays as its text so no value is lost silently.
    if all(v is None or (isinstance(v, (int, float, Decimal)) and not isinstance(v, bool))
           for v in values):
        return pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    return pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
