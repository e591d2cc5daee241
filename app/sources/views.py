"""Read the three ERP views from any source, check their columns and give them uniform types."""
from __future__ import annotations

from collections.abc import Callable
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
ROW = "_source_row"   # a frame's row position in the source while it is checked
# Rows with the same key say the same thing twice; the first is kept (results have no key:
# an order reported twice is data, weighed when actuals are cleaned).
KEYS = {ITEMS: ["ITEM_CD"], ROUTINGS: ["ITEM_CD", "ROUT_NO", "PROC_SEQ"]}
# Cells without which a row means nothing (which item, which operation). Other required columns
# may have empty cells: a time not booked is missing data, counted where actuals are cleaned.
ROW_REQUIRED = {ITEMS: ["ITEM_CD", "PART_TYPE"], ROUTINGS: ["ITEM_CD", "ROUT_NO", "PROC_SEQ", "JOB_CD"],
                RESULTS: ["ITEM_CD", "JOB_CD"]}


@dataclass
class Views:
    """The three views, normalised (see read_views), and the import summary's warnings: what
    was missing but not required, what was left out and why, with counts."""

    items: pl.DataFrame
    routings: pl.DataFrame
    results: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    # per view, each row's position in the source, and how to say where a position is
    positions: dict[str, pl.Series] = field(default_factory=dict, repr=False)
    locate: Callable[[str, int], str] | None = field(default=None, repr=False)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {ITEMS: self.items, ROUTINGS: self.routings, RESULTS: self.results}

    def where(self, kind: str, index: int) -> str:
        """Where row `index` of a view came from: "<file> line 12", "table T in <file> row 12"."""
        if self.locate is None or kind not in self.positions:
            return f"row {index + 1}"
        return self.locate(kind, int(self.positions[kind][index]))


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
    Datetime, the rest as stripped text with empty cells null, ITEM_CD upper case. A value that
    does not fit its column is a SourceError naming where it is. Left out, each with a warning
    that counts them and names the first: rows with no value at all (silently), lines repeating
    the header, rows with an empty required cell (for routings, with the rest of their routing;
    a routing row without ITEM_CD or ROUT_NO, which no routing can be found for, is a SourceError),
    and later rows repeating an item or routing operation key. Routings and results of items
    missing from the item master are kept with a warning. `progress` gets a report per view and
    batch and may raise Cancelled.
    """
    names = {**source.view_names, **(view_names or {})}
    checked = check_views(source, view_names)
    found, warnings = checked.found, checked.warnings
    frames = {}
    for i, kind in enumerate(VIEW_KINDS):
        table, columns = found[kind]
        step = progress.sub(i / len(VIEW_KINDS), (i + 1) / len(VIEW_KINDS)) if progress else None
        if step is not None:
            step.report(0.0, f"Reading {table}")
        raw = source.read(table, columns, progress=step)
        frame = _normalise(kind, raw, source, table)
        frame, left_out = _leave_out_unusable(kind, frame, source, table)
        warnings += source.notes(table) + left_out
        frames[kind] = frame
    warnings += _items_missing_from_master(frames, names)
    if progress is not None:
        progress.report(1.0, "ERP views read")

    def locate(kind: str, position: int) -> str:
        table = found[kind][0]
        return f"{source.location(table)} {source.row_label(table, position)}"

    return Views(frames[ITEMS].drop(ROW), frames[ROUTINGS].drop(ROW), frames[RESULTS].drop(ROW), warnings,
                 {kind: frame[ROW] for kind, frame in frames.items()}, locate)


def _listing(tables: list[str]) -> str:
    if not tables:
        return "(none)"
    shown = ", ".join(tables[:MAX_TABLES_LISTED])
    more = len(tables) - MAX_TABLES_LISTED
    return shown + (f" … and {more} more" if more > 0 else "")


def normalise(kind: str, raw: pl.DataFrame, source: Source, table: str) -> pl.DataFrame:
    """The schema's columns of `raw` with uniform types (see read_views)."""
    return _normalise(kind, raw, source, table).drop(ROW)


def _normalise(kind: str, raw: pl.DataFrame, source: Source, table: str) -> pl.DataFrame:
    """normalise, keeping each row's position in `raw` (column ROW) and leaving out lines that
    repeat the header (files joined together), which are noted on the source."""
    repeated = _repeated_header(raw)
    if repeated.any():
        first = int(repeated.arg_true()[0])
        count = int(repeated.sum())
        source._note(table, f"{source.location(table)}: {count} line{'s' if count > 1 else ''} repeating the "
                            f"header left out ({source.row_label(table, first)} first; files joined together?)")
    raw = raw.with_row_index(ROW).filter(~repeated)
    columns: list[pl.Series] = [raw[ROW]]
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
        lines = [f"  {source.row_label(table, raw[ROW][row])}, column {name}: "
                 f"'{raw[name][row]}' {complaint}"
                 for row, _, name, complaint in bad[:MAX_LISTED]]
        head = f"{source.location(table)}: {total_bad} value{'s' if total_bad > 1 else ''} cannot be read"
        if total_bad > MAX_LISTED:
            head += f" (the first {MAX_LISTED} are listed)"
        raise SourceError(head + ":\n" + "\n".join(lines))
    return pl.DataFrame(columns).filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))


def _repeated_header(raw: pl.DataFrame) -> pl.Series:
    """Rows whose ITEM_CD cell says "ITEM_CD": the header line again."""
    if "ITEM_CD" not in raw.columns or raw["ITEM_CD"].dtype != pl.String:
        return pl.Series([False] * raw.height, dtype=pl.Boolean)
    return (raw["ITEM_CD"].str.strip_chars().str.to_uppercase() == "ITEM_CD").fill_null(False)


def _leave_out_unusable(kind: str, frame: pl.DataFrame, source: Source,
                        table: str) -> tuple[pl.DataFrame, list[str]]:
    """`frame` without rows the program cannot use, and a warning per reason (see read_views)."""
    where = source.location(table)
    warnings: list[str] = []
    if kind == ROUTINGS:
        _refuse_operations_without_routing(frame, source, table)
    empty = pl.any_horizontal([pl.col(c).is_null() for c in ROW_REQUIRED[kind]])
    broken = frame.filter(empty)
    if broken.height:
        per_column = [f"{c} {n:,}" for c in ROW_REQUIRED[kind]
                      if (n := int(broken[c].null_count()))]
        first = broken.row(0, named=True)
        first_column = next(c for c in ROW_REQUIRED[kind] if first[c] is None)
        text = (f"{where}: {broken.height:,} row{'s' if broken.height > 1 else ''} left out because a "
                f"required cell is empty ({', '.join(per_column)}; first: "
                f"{source.row_label(table, first[ROW])}, column {first_column})")
        frame = frame.filter(~empty)
        if kind == ROUTINGS:
            cut = broken.select("ITEM_CD", "ROUT_NO").unique()   # never null: refused above
            rest = frame.join(cut, on=["ITEM_CD", "ROUT_NO"], how="semi")
            if rest.height:
                text += (f", with the other {rest.height:,} operations of {cut.height:,} routing"
                         f"{'s' if cut.height > 1 else ''} they belong to, so no routing is imported "
                         f"with an operation missing")
                frame = frame.join(cut, on=["ITEM_CD", "ROUT_NO"], how="anti", maintain_order="left")
        warnings.append(text)
    if kind in KEYS:
        frame, repeated = _leave_out_repeated_keys(kind, frame, source, table)
        warnings += repeated
    return frame, warnings


def _refuse_operations_without_routing(frame: pl.DataFrame, source: Source, table: str) -> None:
    """An operation without ITEM_CD or ROUT_NO cannot be told apart from the other routings, so it
    can neither be imported nor left out with its routing (which would import that routing with an
    operation missing): the view is refused, naming the first such row."""
    orphans = frame.filter(pl.col("ITEM_CD").is_null() | pl.col("ROUT_NO").is_null())
    if not orphans.height:
        return
    first = orphans.row(0, named=True)
    column = "ITEM_CD" if first["ITEM_CD"] is None else "ROUT_NO"
    more = orphans.height - 1
    raise SourceError(f"{source.location(table)} {source.row_label(table, first[ROW])}, column {column}: the "
                      f"cell is empty, so the operation cannot be tied to its routing (leaving it out would "
                      f"import that routing with an operation missing); fill it in or remove the row"
                      + (f"; {more:,} more row{'s' if more > 1 else ''} like it" if more else ""))


def _leave_out_repeated_keys(kind: str, frame: pl.DataFrame, source: Source,
                             table: str) -> tuple[pl.DataFrame, list[str]]:
    key = KEYS[kind]
    later = frame.select(pl.struct(key).is_duplicated() & ~pl.struct(key).is_first_distinct()).to_series()
    if not later.any():
        return frame, []
    where = source.location(table)
    warnings = []
    values = [c for c in frame.columns if c != ROW]
    exact = frame.select(~pl.struct(values).is_first_distinct()).to_series() & later
    if exact.any():
        n = int(exact.sum())
        first = frame.filter(exact)[ROW][0]
        warnings.append(f"{where}: {n:,} row{'s' if n > 1 else ''} repeating an earlier row exactly left out "
                        f"(first: {source.row_label(table, first)})")
    conflicting = later & ~exact
    if conflicting.any():
        clash = frame.filter(conflicting)
        first = clash.row(0, named=True)
        earlier = frame.filter(pl.all_horizontal([pl.col(c) == first[c] for c in key]))[ROW][0]
        name = " ".join(str(first[c]) for c in key)
        what = "item code" if kind == ITEMS else "routing operation (ITEM_CD ROUT_NO PROC_SEQ)"
        differing = next(c for c in values if frame.filter(pl.col(ROW) == earlier)[c][0] != first[c])
        n = clash.height
        warnings.append(f"{where}: {n:,} later row{'s' if n > 1 else ''} giving an earlier {what} again with "
                        f"other values left out; the first row of each is used (first: {name} on "
                        f"{source.row_label(table, earlier)} and {source.row_label(table, first[ROW])}, "
                        f"column {differing})")
    return frame.filter(~later), warnings


def _items_missing_from_master(frames: dict[str, pl.DataFrame], names: dict[str, str]) -> list[str]:
    known = frames[ITEMS]["ITEM_CD"].implode()
    warnings = []
    for kind in (ROUTINGS, RESULTS):
        orphans = frames[kind].filter(~pl.col("ITEM_CD").is_in(known))
        if orphans.height:
            codes = orphans["ITEM_CD"].unique(maintain_order=True)
            shown = ", ".join(codes.head(3).to_list()) + (" …" if codes.len() > 3 else "")
            warnings.append(f"{names[kind]}: {orphans.height:,} row{'s' if orphans.height > 1 else ''} for "
                            f"{codes.len():,} item{'s' if codes.len() > 1 else ''} missing from "
                            f"{names[ITEMS]} ({shown}) are kept but not used")
    return warnings


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
