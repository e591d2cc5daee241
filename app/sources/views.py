"""Read the three ERP views from any source, check their columns and give them uniform types."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from app.domain.schema import (COLUMNS, ITEMS, NUMERIC, RESULTS, ROUTINGS, VIEW_KINDS,
                               check_columns)
from app.sources.base import ProgressReporter, Source, SourceError

DATE_COLUMNS = ("INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT")
DATETIME = pl.Datetime("us")
# Tried in order; "%.f" also matches no fraction at all.
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                 "%Y/%m/%d %H:%M:%S%.f", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_KIND_NAMES = {ITEMS: "item master", ROUTINGS: "routings", RESULTS: "work-order results"}
MAX_LISTED = 5        # bad values listed per view
MAX_TABLES_LISTED = 60


@dataclass
class Views:
    """The three views, normalised (see read_views), and what was missing but not required."""

    items: pl.DataFrame
    routings: pl.DataFrame
    results: pl.DataFrame
    warnings: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {ITEMS: self.items, ROUTINGS: self.routings, RESULTS: self.results}


def find_table(name: str, tables: list[str]) -> str | None:
    """The table a configured view name means: exact, then ignoring a `dbo.` prefix, then also
    ignoring case."""
    wanted = _without_dbo(name)
    tests = (lambda t: t == name,
             lambda t: _without_dbo(t) == wanted,
             lambda t: _without_dbo(t).casefold() == wanted.casefold())
    for matches in tests:
        found = next((t for t in tables if matches(t)), None)
        if found is not None:
            return found
    return None


def _without_dbo(name: str) -> str:
    return name[4:] if name[:4].lower() == "dbo." else name


@dataclass
class ViewCheck:
    """Where each view was found (kind → table and the schema columns it has) and what is missing
    but not required."""

    found: dict[str, tuple[str, list[str]]]
    warnings: list[str] = field(default_factory=list)


def check_views(source: Source, view_names: dict[str, str] | None = None) -> ViewCheck:
    """Find the three views and check their columns without reading rows: one SourceError naming
    every missing view and required column (and the source's tables when a view is missing)."""
    names = {**source.view_names, **(view_names or {})}
    tables = source.list_tables()
    problems: list[str] = []
    warnings: list[str] = []
    found: dict[str, tuple[str, list[str]]] = {}
    for kind in VIEW_KINDS:
        table = find_table(names[kind], tables)
        if table is None:
            problems.append(f"{names[kind]}: the {_KIND_NAMES[kind]} view was not found")
            continue
        present = source.columns(table)
        for problem in check_columns(kind, names[kind], present):
            (problems if problem.required else warnings).append(problem.message())
        found[kind] = (table, [c for c in COLUMNS[kind] if c in present])
    if problems:
        text = f"The ERP views in {source.describe()} cannot be used:\n" + "\n".join(
            f"- {p}" for p in problems)
        if len(found) < len(VIEW_KINDS):
            text += f"\nIts tables are: {_listing(tables)}"
        raise SourceError(text)
    return ViewCheck(found, warnings)


def read_views(source: Source, view_names: dict[str, str] | None = None,
               progress: ProgressReporter | None = None) -> Views:
    """Read, check and normalise the item, routing and work-result views of `source`.

    View names default to those the source was opened with. Every missing view and every
    missing required column is reported in one SourceError before any data is read. The frames
    keep only the schema's columns, in its order: numeric columns as Float64, date columns as
    Datetime, the rest as stripped text with empty cells null, ITEM_CD upper case; rows with no
    value at all are dropped. A value that does not fit its column is a SourceError naming
    where it is. `progress` gets a report per view and batch and may raise Cancelled.
    """
    checked = check_views(source, view_names)
    found, warnings = checked.found, checked.warnings
    frames = {}
    for i, kind in enumerate(VIEW_KINDS):
        table, columns = found[kind]
        step = progress.sub(i / len(VIEW_KINDS), (i + 1) / len(VIEW_KINDS)) if progress else None
        if step is not None:
            step.report(0.0, f"Reading {table}")
        raw = source.read(table, columns, progress=step)
        frames[kind] = normalise(kind, raw, source, table)
    if progress is not None:
        progress.report(1.0, "ERP views read")
    return Views(frames[ITEMS], frames[ROUTINGS], frames[RESULTS], warnings)


def _listing(tables: list[str]) -> str:
    if not tables:
        return "(none)"
    shown = ", ".join(tables[:MAX_TABLES_LISTED])
    more = len(tables) - MAX_TABLES_LISTED
    return shown + (f" … and {more} more" if more > 0 else "")


def normalise(kind: str, raw: pl.DataFrame, source: Source, table: str) -> pl.DataFrame:
    """The schema's columns of `raw` with uniform types (see read_views)."""
    columns: list[pl.Series] = []
    bad: list[tuple[int, int, str, str]] = []   # (row, column position, column, complaint)
    total_bad = 0
    for position, name in enumerate(COLUMNS[kind]):
        if name not in raw.columns:
            columns.append(pl.Series(name, [None] * raw.height, dtype=_target_dtype(kind, name)))
            continue
        values = raw[name]
        if name in NUMERIC[kind]:
            converted, failed = _to_number(values)
            complaint = "is not a number"
        elif name in DATE_COLUMNS:
            converted, failed = _to_datetime(values)
            complaint = "is not a date (write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
        else:
            converted, failed = _to_text(values), None
            if name == "ITEM_CD":
                converted = converted.str.to_uppercase()
        if failed is not None and failed.any():
            total_bad += int(failed.sum())
            for row in failed.arg_true().head(MAX_LISTED).to_list():
                bad.append((row, position, name, complaint))
        columns.append(converted.alias(name))
    if total_bad:
        bad.sort()
        lines = [f"  {source.row_label(table, row)}, column {name}: "
                 f"'{raw[name][row]}' {complaint}"
                 for row, _, name, complaint in bad[:MAX_LISTED]]
        head = f"{source.location(table)}: {total_bad} value{'s' if total_bad > 1 else ''} cannot be read"
        if total_bad > MAX_LISTED:
            head += f" (the first {MAX_LISTED} are listed)"
        raise SourceError(head + ":\n" + "\n".join(lines))
    return pl.DataFrame(columns).filter(~pl.all_horizontal(pl.all().is_null()))


def _target_dtype(kind: str, name: str) -> pl.DataType:
    if name in NUMERIC[kind]:
        return pl.Float64()
    if name in DATE_COLUMNS:
        return DATETIME
    return pl.String()


def _to_text(values: pl.Series) -> pl.Series:
    """Text with surrounding spaces stripped and empty cells null."""
    if values.dtype.is_float():
        # Codes that a spreadsheet or database kept as numbers: 123.0 means "123".
        integral = values.is_finite() & (values == values.round(0)) & (values.abs() < 2.0**53)
        text = pl.select(pl.when(integral).then(values.cast(pl.Int64, strict=False).cast(pl.String))
                         .otherwise(values.cast(pl.String))).to_series()
    elif values.dtype == pl.Binary:
        text = values.cast(pl.String, strict=False)
    else:
        text = values.cast(pl.String)
    stripped = text.str.strip_chars()
    blank_to_null = pl.when(stripped.str.len_bytes() > 0).then(stripped)
    return pl.select(blank_to_null).to_series().alias(values.name)


def _to_number(values: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """Float64 values, and which cells held something that is not a number."""
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        return values.cast(pl.Float64).fill_nan(None), None
    text = _to_text(values)
    numbers = text.cast(pl.Float64, strict=False)
    return numbers.fill_nan(None), text.is_not_null() & numbers.is_null()


def _to_datetime(values: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """Datetime values, and which cells held something that is not a date."""
    if isinstance(values.dtype, pl.Datetime):
        if values.dtype.time_zone is not None:
            values = values.dt.replace_time_zone(None)
        return values.cast(DATETIME), None
    if values.dtype == pl.Date:
        return values.cast(DATETIME), None
    text = _to_text(values)
    parsed = pl.select(pl.coalesce([text.str.to_datetime(fmt, time_unit="us", strict=False)
                                    for fmt in _DATE_FORMATS])).to_series()
    return parsed, text.is_not_null() & parsed.is_null()
