"""Turning a selection of routings into the target tables' rows through a profile, and checking
every cell before anything is written.

The work is columnar (polars), so 10,000 routings check in a second or two: a frame of routings,
one of operations and one of alternative resources carry the source fields the profile names;
each target column is an expression over them followed by a type conversion; every check is a
boolean mask. The marked cells become a frame of problems (routing, table, row, column, value,
reason, severity); a routing with any error is invalid as a whole.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from app.domain.schema import INSIDE, ITEM_COLUMNS, ITEM_NUMERIC, ITEMS, ROUTINGS
from app.services.export.profile import (
    COMPONENT_FIELDS,
    SOURCE_UNITS,
    TIME_UNIT_CODES,
    UNITS,
    ColumnMap,
    Lookup,
    MappingProfile,
    TableMap,
)
from app.services.export.selection import OPERATION_DTYPES, ExportRouting, SavedOperations, Selection, Skipped
from app.domain.access import User

ERROR, WARNING = "error", "warning"
UNIT_WORDS = {"min": "minutes", "h": "hours", "s": "seconds"}
PROBLEM_SCHEMA = {"routing": pl.Int64, "ITEM_CD": pl.Utf8, "ROUT_NO": pl.Utf8, "table": pl.Utf8, "row": pl.Int64,
                  "column": pl.Utf8, "value": pl.Utf8, "reason": pl.Utf8, "severity": pl.Utf8, "code": pl.Utf8,
                  "params": pl.Utf8}
_ROUTING_TYPES = {"revision": pl.Int64, "candidate_rank": pl.Int64, "saved_at": pl.Datetime("us")}


@dataclass
class Problem:
    """One bad cell (or a routing-wide fault when `column` is empty) and why."""

    routing: int            # index into the plan's routings
    ITEM_CD: str
    ROUT_NO: str
    table: str
    row: int                # row within the table (before invalid routings are left out); -1: none
    column: str
    value: str
    reason: str             # in English (the command line); the window words `code` and `params` itself
    severity: str = ERROR
    code: str = ""          # the kind of problem (PROBLEM_CODES), for wording it in the user's language
    params: str = ""        # its particulars as a JSON object (lengths, units, lookup names, ...)

    @property
    def args(self) -> dict[str, Any]:
        return json.loads(self.params) if self.params else {}

    @property
    def cell(self) -> str:
        """`TABLE.COLUMN in row N` (N counted from 1 in the table as the preview shows it), `TABLE`, or ''."""
        if not self.table:
            return ""
        where = f"{self.table}.{self.column}" if self.column else self.table
        return where + (f" in row {self.row + 1}" if self.row >= 0 else "")

    def describe(self) -> str:
        where = f"routing {self.ITEM_CD}/{self.ROUT_NO}" if self.ROUT_NO else f"routing {self.ITEM_CD}"
        return f"{where}, {self.cell}: {self.reason}" if self.cell else f"{where}: {self.reason}"


# Each kind of problem, and the particulars its `params` carry (besides the cell's `value`):
PROBLEM_CODES = {
    "no_operations": (),
    "not_a_number_of": ("unit",),                    # unit: min | h
    "not_in_lookup": ("lookup", "plant"),            # plant: the lookup is the plant's resources
    "not_in_lookup_written_empty": ("lookup", "plant"),
    "no_mapping": ("mapping",),                      # mapping: "k→v, ..."
    "too_long": ("length", "bytes"),                 # bytes: counted in CP949 bytes, else characters
    "not_a_datetime": (),
    "not_a_whole_number": (),
    "not_a_number": (),
    "number_does_not_fit": ("precision", "scale"),
    "required_empty": ("sources",),                  # sources: list of the column's sources
    "not_allowed": ("allowed",),                     # allowed: list of values
    "negative_time": (),
    "wrong_unit": ("unit", "column_unit"),           # units: min | h | s
    "unit_column_disagrees": ("unit", "unit_column"),
    "sequence_not_above_zero": (),
    "sequence_twice": (),
    "sequence_not_increasing": ("prev",),
    "all_times_zero": ("columns",),
    "already_in_target": ("tables", "target"),
    "routing_twice": ("first_row",),                 # first_row: the row (from 1) of its first copy
    "xlsx_control_character": ("character",),        # character: U+0007
    "xlsx_cell_too_long": ("length", "limit"),
}


def problem_params(**params: Any) -> str:
    return json.dumps(params, ensure_ascii=False) if params else ""


@dataclass
class TargetColumn:
    """A column as the real target has it (from reflection); overrides the profile's type and length."""

    name: str
    type: str | None            # text / int / number / datetime, None: a type this check does not know
    length: int | None = None
    length_in_bytes: bool = False   # SQL Server VARCHAR: Korean takes two bytes a character (CP949)
    precision: int | None = None
    scale: int | None = None
    nullable: bool = True
    has_default: bool = False
    generated: bool = False     # identity / autoincrement: the target numbers it


@dataclass
class TablePlan:
    table: TableMap
    frame: pl.DataFrame                      # final values in the target's column order, plus "_r"
    identity: list[str] = field(default_factory=list)   # columns the target numbers

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns]


@dataclass
class ExportPlan:
    """Every row of every target table for a selection, with every problem found.

    `problems` is a frame (PROBLEM_SCHEMA) because a large selection can have tens of thousands
    of marked cells; `problem_list` turns some of them into Problem objects."""

    profile: MappingProfile
    routings: list[ExportRouting]
    tables: list[TablePlan]
    problems: pl.DataFrame
    skipped: list[Skipped]                   # items that never became a routing (from the selection)
    description: str = ""
    selection: Selection | None = None       # what the rows were made of

    @property
    def invalid(self) -> set[int]:
        return set(self.problems.filter(pl.col("severity") == ERROR)["routing"].unique().to_list())

    def count(self, severity: str) -> int:
        return int((self.problems["severity"] == severity).sum())

    def problem_list(self, severity: str | None = None, limit: int | None = None,
                     routing: int | None = None, table: str | None = None) -> list[Problem]:
        f = self.problems
        if severity:
            f = f.filter(pl.col("severity") == severity)
        if routing is not None:
            f = f.filter(pl.col("routing") == routing)
        if table is not None:
            f = f.filter(pl.col("table") == table)
        if limit is not None:
            f = f.head(limit)
        return [Problem(**row) for row in f.iter_rows(named=True)]

    @property
    def errors(self) -> list[Problem]:
        return self.problem_list(ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return self.problem_list(WARNING)

    def add_problems(self, problems: list[Problem]) -> None:
        if problems:
            extra = pl.DataFrame([p.__dict__ for p in problems], schema=PROBLEM_SCHEMA, orient="row")
            self.problems = _in_profile_order(pl.concat([self.problems, extra]), self.profile)

    def add_problem_frame(self, found: pl.DataFrame) -> None:
        """Add problems given as a frame of PROBLEM_SCHEMA without ITEM_CD and ROUT_NO (filled in here);
        a cell that has a problem already keeps it."""
        keys = _routing_keys(self.tables, self.routings)
        extra = (found.join(keys, on="routing", how="left").select(list(PROBLEM_SCHEMA))
                 .join(self.problems.select("table", "row", "column"), on=["table", "row", "column"], how="anti"))
        self.problems = _in_profile_order(pl.concat([self.problems, extra]), self.profile)

    def first_errors(self, n: int) -> list[Problem]:
        """The first `n` errors of different kinds (table, column and reason), to say what is wrong."""
        f = (self.problems.filter(pl.col("severity") == ERROR)
             .unique(["table", "column", "reason"], keep="first", maintain_order=True).head(n))
        return [Problem(**row) for row in f.iter_rows(named=True)]

    def row_counts(self) -> dict[str, int]:
        return {t.name: t.frame.height for t in self.tables}

    def cell_marks(self, table: str) -> dict[tuple[int, str], tuple[str, str, str]]:
        """(row, column) → (severity, reason, the value in question) of every marked cell of `table`."""
        f = self.problems.filter((pl.col("table") == table) & (pl.col("row") >= 0))
        return {(r, c): (s, why, v) for r, c, s, why, v in
                f.select("row", "column", "severity", "reason", "value").iter_rows()}


@dataclass
class PlantData:
    """What an export reads once from the plant's data in the store."""

    items: pl.DataFrame                       # ITEM_CD and the item master's columns
    resources: list[str]                      # every RES_CD of the plant's routings
    alternatives: dict[str, list[str]]        # JOB_CD → in-house resources used for it (≥ 2)


_FEW_ITEMS = 900      # an editor's or a small batch's items are looked up in the store's index of the master


def load_plant_data(store, codes: list[str]) -> PlantData:
    """The selection's items and the plant's resources from the store's copy of the views."""
    codes = list(dict.fromkeys(codes))
    if len(codes) > _FEW_ITEMS:
        # many routings: the file's rows of these items alone (0.05 s at 300,000 items), where the store's
        # lookup first reads the whole item master and indexes it (1.0-1.2 s of CPU when not done yet)
        items = store.scan_view(ITEMS).filter(pl.col("ITEM_CD").is_in(codes)).collect()
    else:
        items = store.read_view(ITEMS, where_items=codes) if codes else _empty_items()
    # the distinct (operation, resource, in-house) triples of the plant's 2.4 M routing operations in one
    # pass over the file (0.12-0.18 s of CPU; reading the three columns first and taking them apart, 0.5 s)
    triples = store.scan_view(ROUTINGS, ["JOB_CD", "RES_CD", "INSIDE_FLAG"]).group_by(
        "JOB_CD", "RES_CD", "INSIDE_FLAG").agg().collect()
    resources = sorted(r for r in triples["RES_CD"].unique().to_list() if r)
    pairs = (triples.filter((pl.col("INSIDE_FLAG") == INSIDE) & pl.col("RES_CD").is_not_null()
                        & pl.col("JOB_CD").is_not_null())
             .select("JOB_CD", "RES_CD").unique()
             .group_by("JOB_CD").agg(pl.col("RES_CD").sort())
             .filter(pl.col("RES_CD").list.len() >= 2))
    alternatives = dict(zip(pairs["JOB_CD"].to_list(), pairs["RES_CD"].to_list()))
    return PlantData(items.unique("ITEM_CD", keep="first"), resources, alternatives)


def _empty_items() -> pl.DataFrame:
    return pl.DataFrame(schema={c: (pl.Float64 if c in ITEM_NUMERIC else pl.Utf8) for c in ITEM_COLUMNS})


# ---- the source frames (only the fields the profile names) --------------------------------------
def _needed(profile: MappingProfile) -> set[str]:
    out = {"routing.ITEM_CD", "routing.ROUT_NO"}
    for t in profile.tables:
        for c in t.columns:
            out.update(c.sources)
    return out


def _routing_frame(routings: list[ExportRouting], plant: PlantData, needed: set[str]) -> pl.DataFrame:
    data: dict[str, Any] = {"_r": list(range(len(routings)))}
    schema: dict[str, Any] = {"_r": pl.Int64}
    for name in sorted(n.split(".", 1)[1] for n in needed if n.startswith("routing.")):
        data[f"routing.{name}"] = [getattr(r, name) for r in routings]
        schema[f"routing.{name}"] = _ROUTING_TYPES.get(name, pl.Utf8)
    frame = pl.DataFrame(data, schema=schema, strict=False)
    item_cols = [n.split(".", 1)[1] for n in sorted(needed) if n.startswith("item.")]
    if item_cols:
        items = plant.items.select([pl.col("ITEM_CD").alias("routing.ITEM_CD")]
                                   + [pl.col(c).alias(f"item.{c}") for c in item_cols])
        frame = frame.join(items, on="routing.ITEM_CD", how="left", maintain_order="left")
    return frame


def _operation_frame(routings: list[ExportRouting], needed: set[str]) -> pl.DataFrame:
    names = {n.split(".", 1)[1] for n in needed if n.startswith("operation.")} | {"JOB_CD", "RES_CD", "INSIDE_FLAG"}
    names = sorted(names - {"position", "ROUT_ORDER"})
    schema: dict[str, Any] = {"_r": pl.Int64, "_o": pl.Int64} | {f"operation.{n}": OPERATION_DTYPES[n] for n in names}
    frame = _saved_operation_frame(routings, names)
    if frame is None:
        ops = [o for r in routings for o in r.operations]
        counts = [len(r.operations) for r in routings]
        data: dict[str, Any] = {"_r": [i for i, n in enumerate(counts) for _ in range(n)],
                                "_o": [j for n in counts for j in range(n)]}
        for name in names:
            data[f"operation.{name}"] = [getattr(o, name) for o in ops]
        frame = pl.DataFrame(data, schema=schema, strict=False)
    last = pl.col("_o") == pl.col("_o").max().over("_r")
    # F first, I between, L last, as the editor orders the routing (one operation: L, as the engine writes it)
    return frame.with_columns([pl.col(c).fill_nan(None) for c, t in schema.items() if t == pl.Float64]
                              + [(pl.col("_o") + 1).alias("operation.position"),
                                 pl.when(last).then(pl.lit("L")).when(pl.col("_o") == 0).then(pl.lit("F"))
                                 .otherwise(pl.lit("I")).alias("operation.ROUT_ORDER")])


def _saved_operation_frame(routings: list[ExportRouting], names: list[str]) -> pl.DataFrame | None:
    """The operations of saved routings read from the frame they were decoded into (SavedOperations),
    in the routings' order, without making an Operation object; None for other routings."""
    shared = routings[0].operations.frame if routings and isinstance(routings[0].operations, SavedOperations) \
        else None
    if shared is None or not all(isinstance(r.operations, SavedOperations) and r.operations.frame is shared
                                 for r in routings):
        return None
    starts = np.fromiter((r.operations.start for r in routings), np.int64, len(routings))
    counts = np.fromiter((r.operations.count for r in routings), np.int64, len(routings))
    firsts = np.cumsum(counts) - counts                  # each routing's first row in the result
    total = int(counts.sum())
    ordinal = np.arange(total, dtype=np.int64) - np.repeat(firsts, counts)
    return (shared[np.repeat(starts, counts) + ordinal]
            .select([pl.col(n).alias(f"operation.{n}") for n in names])
            .with_columns(pl.Series("_r", np.repeat(np.arange(len(routings), dtype=np.int64), counts)),
                          pl.Series("_o", ordinal))
            .select(["_r", "_o"] + [f"operation.{n}" for n in names]))


def _resource_frame(operations: pl.DataFrame, plant: PlantData, needed: set[str]) -> pl.DataFrame:
    alt = pl.DataFrame({"operation.JOB_CD": list(plant.alternatives),
                        "resource.RES_CD": list(plant.alternatives.values())},
                       schema={"operation.JOB_CD": pl.Utf8, "resource.RES_CD": pl.List(pl.Utf8)})
    narrow = (operations.select("_r", "_o", "operation.JOB_CD", "operation.RES_CD", "operation.INSIDE_FLAG")
              .filter(pl.col("operation.INSIDE_FLAG") == INSIDE)
              .join(alt, on="operation.JOB_CD", how="inner", maintain_order="left")
              .explode("resource.RES_CD")
              .with_columns(pl.int_range(1, pl.len() + 1).over(["_r", "_o"]).cast(pl.Int64).alias("resource.priority"),
                            pl.when(pl.col("resource.RES_CD") == pl.col("operation.RES_CD")).then(pl.lit("Y"))
                            .otherwise(pl.lit("N")).alias("resource.MAIN_YN"))
              .select("_r", "_o", "resource.RES_CD", "resource.priority", "resource.MAIN_YN"))
    wanted = [c for c in operations.columns if c in needed or c in ("_r", "_o")]
    return narrow.join(operations.select(wanted), on=["_r", "_o"], how="left", maintain_order="left")


def _component_frame(operations: pl.DataFrame) -> pl.DataFrame:
    # Routing ML knows no bill of materials yet: no component rows, but every field a profile may name.
    return operations.head(0).with_columns(
        *[pl.lit(None, dtype=pl.Utf8).alias(f"component.{f}") for f in COMPONENT_FIELDS if f != "CHILD_ITEM_SEQ"],
        pl.lit(None, dtype=pl.Int64).alias("component.CHILD_ITEM_SEQ"))


# ---- building and checking -----------------------------------------------------------------------
@dataclass
class _Mask:
    column: str
    mask: pl.Expr
    reason: str                 # may hold {value} and {prev}
    value: pl.Expr | None
    severity: str = ERROR
    kind: str = ""
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def build_plan(profile: MappingProfile, selection: Selection, plant: PlantData, user: User,
               now: datetime | None = None, target: dict[str, dict[str, TargetColumn]] | None = None) -> ExportPlan:
    """Rows of every table of `profile` for `selection`, and every problem found in them.

    `target` (table → column → TargetColumn, from the real target) makes the checks use the
    target's own types, lengths and NOT NULL columns."""
    now = (now or datetime.now()).replace(microsecond=0)
    routings = selection.routings
    needed = _needed(profile)
    base_r = _routing_frame(routings, plant, needed)
    base_o = _operation_frame(routings, needed).join(base_r, on="_r", how="left", maintain_order="left")
    frames = {"routing": base_r, "operation": base_o}
    lookups = {name: _lookup_values(lk, plant) for name, lk in profile.lookups.items()}
    plans, found = [], []
    empty = [i for i, r in enumerate(routings) if not r.operations]
    if empty:
        found.append(pl.DataFrame({"routing": empty, "table": [""] * len(empty), "row": [-1] * len(empty),
                                   "column": [""] * len(empty), "value": [""] * len(empty),
                                   "reason": ["the routing has no operations"] * len(empty),
                                   "severity": [ERROR] * len(empty), "code": ["no_operations"] * len(empty),
                                   "params": [""] * len(empty)},
                                  schema={k: PROBLEM_SCHEMA[k] for k in ("routing", "table", "row", "column", "value",
                                                                         "reason", "severity", "code", "params")}))
    for table in profile.tables:
        if table.rows not in frames:
            frames[table.rows] = (_resource_frame(base_o, plant, needed) if table.rows == "resource"
                                  else _component_frame(base_o))
        plan, work, masks = _build_table(profile, table, frames[table.rows], lookups, user, now,
                                         (target or {}).get(table.name))
        plans.append(plan)
        found.append(_problems(plan.name, work, masks))
    problems = pl.concat(found) if found else pl.DataFrame(schema={k: v for k, v in PROBLEM_SCHEMA.items()
                                                                   if k not in ("ITEM_CD", "ROUT_NO")})
    found = [problems, _routings_twice(plans)]
    problems = pl.concat([f for f in found if f.height]) if any(f.height for f in found) else problems
    keys = _routing_keys(plans, routings)
    problems = _in_profile_order(problems.join(keys, on="routing", how="left").select(list(PROBLEM_SCHEMA)), profile)
    return ExportPlan(profile, routings, plans, problems, list(selection.skipped), selection.description, selection)


def _routings_twice(plans: list[TablePlan]) -> pl.DataFrame:
    """A routing (ITEM_CD and ROUT_NO, as written) that the selection holds a second time: the
    target would get two routings under one key. Each later copy is marked, naming the first."""
    cols = ["routing", "table", "row", "column", "value", "reason", "severity", "code", "params"]
    plan = next((p for p in plans if p.table.rows == "routing" and {"ITEM_CD", "ROUT_NO"} <= set(p.frame.columns)),
                None)
    if plan is None or plan.frame.height < 2:
        return pl.DataFrame(schema={k: PROBLEM_SCHEMA[k] for k in cols})
    key = [pl.col("ITEM_CD").cast(pl.Utf8).str.strip_chars().str.to_uppercase(),
           pl.col("ROUT_NO").cast(pl.Utf8).str.strip_chars()]
    f = (plan.frame.select(pl.col("_r").alias("routing"), pl.col("ITEM_CD").cast(pl.Utf8).alias("value"), *key)
         .with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
         .filter(pl.col("ITEM_CD").is_not_null() & pl.col("ROUT_NO").is_not_null())
         .with_columns(pl.col("row").first().over("ITEM_CD", "ROUT_NO").alias("first"))
         .filter(pl.col("row") != pl.col("first")))
    first = (pl.col("first") + 1).cast(pl.Utf8)
    return f.select("routing", pl.lit(plan.name).alias("table"), "row", pl.lit("ITEM_CD").alias("column"), "value",
                    (pl.lit("'") + pl.col("value") + pl.lit("' is in the selection already (row ") + first
                     + pl.lit(") with the same ROUT_NO; the target would hold the routing twice: export it once"))
                    .alias("reason"),
                    pl.lit(ERROR).alias("severity"), pl.lit("routing_twice").alias("code"),
                    (pl.lit('{"first_row": ') + first + pl.lit("}")).alias("params"))


def _in_profile_order(problems: pl.DataFrame, profile: MappingProfile) -> pl.DataFrame:
    """Per routing: errors first, then by table and column as the profile orders them, then row."""
    tables = {"": -1, **{t.name: i for i, t in enumerate(profile.tables)}}
    columns = {"": -1}
    for t in profile.tables:
        for i, c in enumerate(t.columns):
            columns.setdefault(c.name, i)
    return (problems.with_columns(pl.col("table").replace_strict(tables, default=99, return_dtype=pl.Int64).alias("_t"),
                                  pl.col("column").replace_strict(columns, default=999, return_dtype=pl.Int64)
                                  .alias("_c"))
            .sort(["routing", "severity", "_t", "row", "_c"], maintain_order=True)
            .drop("_t", "_c"))


def _routing_keys(plans: list[TablePlan], routings: list[ExportRouting]) -> pl.DataFrame:
    """ITEM_CD and the ROUT_NO each routing is written with (the profile may fill it from a setting)."""
    for plan in plans:
        if plan.table.rows == "routing" and "ROUT_NO" in plan.frame.columns:
            return (plan.frame.select(pl.col("_r").alias("routing"), pl.col("ROUT_NO").cast(pl.Utf8).fill_null(""))
                    .with_columns(pl.Series("ITEM_CD", [routings[i].ITEM_CD for i in plan.frame["_r"].to_list()],
                                            dtype=pl.Utf8)))
    return pl.DataFrame({"routing": list(range(len(routings))), "ROUT_NO": [r.ROUT_NO or "" for r in routings],
                         "ITEM_CD": [r.ITEM_CD for r in routings]},
                        schema={"routing": pl.Int64, "ROUT_NO": pl.Utf8, "ITEM_CD": pl.Utf8})


def _lookup_values(lk: Lookup, plant: PlantData) -> dict[str, str]:
    if lk.source == "plant_resources":
        return {r: r for r in plant.resources}
    return lk.values


def effective_column(col: ColumnMap, target: TargetColumn | None) -> ColumnMap:
    """The column as checks see it: the real target's type, length and NOT NULL win over the profile."""
    if target is None:
        return col
    out = ColumnMap(**{f.name: getattr(col, f.name) for f in fields(ColumnMap)})
    if target.type:
        out.type = target.type
    if target.type == "text":
        out.length = target.length
    if target.type == "number" and target.scale is not None and out.scale is None:
        out.scale = target.scale
    if not target.nullable and not target.has_default and not target.generated:
        out.required = True
    return out


def _build_table(profile: MappingProfile, table: TableMap, base: pl.DataFrame, lookups: dict[str, dict[str, str]],
                 user: User, now: datetime, target: dict[str, TargetColumn] | None
                 ) -> tuple[TablePlan, pl.DataFrame, list[_Mask]]:
    """The table's final values, a work frame (values beside the sources and each column's value
    before conversion, `__pre.NAME`) for the checks, and the checks as masks."""
    masks: list[_Mask] = []
    pre: list[pl.Expr] = []
    finals: list[pl.Expr] = []
    identity: list[str] = []
    for col in table.columns:
        tcol = (target or {}).get(col.name)
        eff = effective_column(col, tcol)
        if col.sources == ["identity"]:
            identity.append(col.name)
            finals.append(pl.lit(None, dtype=pl.Int64).alias(col.name))
            continue
        expr, dtype, unit = _source_expr(col, base, profile, user, now)
        for step in col.transform:
            expr, dtype, unit = _apply_transform(step, expr, dtype, unit, col, profile, lookups, masks)
        staged = f"__pre.{col.name}"
        pre.append(expr.alias(staged))
        final, bad_type = _convert(pl.col(staged), dtype, eff, tcol)
        checks = _cell_checks(eff, unit)
        masks.extend(m for m in checks if m.kind == "allowed")   # says more than "too long" about 'YES' for Y/N
        if bad_type is not None:
            masks.append(bad_type)
        masks.extend(m for m in checks if m.kind != "allowed")
        finals.append(final.alias(col.name))
    work = base.lazy().with_columns(pre).with_columns(finals).collect()
    frame = work.select(["_r"] + [c.name for c in table.columns])
    masks.extend(_row_checks(table))
    return TablePlan(table, frame, identity), work, masks


def _source_expr(col: ColumnMap, base: pl.DataFrame, profile: MappingProfile, user: User, now: datetime
                 ) -> tuple[pl.Expr, pl.DataType, str | None]:
    parts: list[tuple[pl.Expr, pl.DataType]] = []
    for src in col.sources:
        ns, _, name = src.partition(".")
        if ns == "setting":
            v = profile.settings.get(name, "")
            parts.append((pl.lit(v if v != "" else None, dtype=pl.Utf8), pl.Utf8))
        elif ns == "user":
            parts.append((pl.lit(str(getattr(user, name, "") or "") or None, dtype=pl.Utf8), pl.Utf8))
        elif ns == "export":
            parts.append((pl.lit(now if name == "now" else now.replace(hour=0, minute=0, second=0),
                                 dtype=pl.Datetime("us")), pl.Datetime("us")))
        else:
            dtype = base.schema[src]
            e = pl.col(src)
            if dtype == pl.Utf8:
                e = pl.when(e.str.strip_chars() == "").then(None).otherwise(e)
            parts.append((e, dtype))
    unit = SOURCE_UNITS.get(col.sources[0]) if col.sources else None
    if col.default is not None:
        d = col.default
        parts.append((pl.lit(d), pl.Utf8 if isinstance(d, str) else pl.Float64 if isinstance(d, float)
                      else pl.Int64 if isinstance(d, int) else pl.Utf8))
    if not parts:
        return pl.lit(None, dtype=pl.Utf8), pl.Utf8, None
    if len(parts) == 1:
        return parts[0][0].cast(parts[0][1]), parts[0][1], unit
    kinds = {_kind(d) for _, d in parts}
    if len(kinds) > 1:
        return pl.coalesce([e.cast(pl.Utf8) for e, _ in parts]), pl.Utf8, unit
    dtype = pl.Float64 if kinds == {"number"} else parts[0][1]
    return pl.coalesce([e.cast(dtype) for e, _ in parts]), dtype, unit


def _kind(dtype: pl.DataType) -> str:
    return "text" if dtype == pl.Utf8 else "number" if dtype.is_numeric() else "time" if dtype.is_temporal() else "?"


def _glob_regex(pattern: str) -> str:
    return "^" + fnmatch.translate(pattern).removeprefix("(?s:").removesuffix(")\\Z") + "$"


def _apply_transform(step: Any, expr: pl.Expr, dtype: pl.DataType, unit: str | None, col: ColumnMap,
                     profile: MappingProfile, lookups: dict[str, dict[str, str]], masks: list[_Mask]
                     ) -> tuple[pl.Expr, pl.DataType, str | None]:
    if step in ("minutes_to_hours", "hours_to_minutes"):
        num = expr.cast(pl.Float64, strict=False)
        word = "minutes" if step == "minutes_to_hours" else "hours"
        masks.append(_Mask(col.name, expr.is_not_null() & num.is_null(), f"{{value}} is not a number of {word}", expr,
                           code="not_a_number_of", params={"unit": "min" if word == "minutes" else "h"}))
        if step == "minutes_to_hours":
            return num / 60.0, pl.Float64, ("h" if unit == "min" else unit)
        return num * 60.0, pl.Float64, ("min" if unit == "h" else unit)
    if step == "upper":
        return _as_key(expr, dtype).str.to_uppercase(), pl.Utf8, unit
    key = _as_key(expr, dtype)
    if "lookup" in step:
        name = step["lookup"]
        lk = profile.lookups[name]
        table = lookups[name]
        found = key.replace_strict(list(table), list(table.values()), default=None, return_dtype=pl.Utf8)
        missing = key.is_not_null() & ~key.is_in(list(table))
        what = f"lookup {name}" + (" (the plant's resources)" if lk.source == "plant_resources" else "")
        which = {"lookup": name, "plant": lk.source == "plant_resources"}
        if lk.on_missing == "keep":
            return pl.coalesce(found, key), pl.Utf8, None
        if lk.on_missing == "error":
            masks.append(_Mask(col.name, missing, f"{{value}} is not in {what}", key, code="not_in_lookup",
                               params=which))
            # the routing is invalid and never written: its cell shows the value the lookup lacks
            return pl.coalesce(found, key), pl.Utf8, None
        if lk.on_missing == "warn":
            masks.append(_Mask(col.name, missing, f"{{value}} is not in {what}; written empty", key, WARNING,
                               code="not_in_lookup_written_empty", params=which))
        return found, pl.Utf8, None
    mapping: dict[str, str] = step["map"]
    out = None
    conds = []
    for k, v in mapping.items():
        if k == "*":
            continue
        cond = key.str.contains(_glob_regex(k)) if any(ch in k for ch in "*?[") else key == k
        conds.append(cond)
        out = (pl.when(cond) if out is None else out.when(cond)).then(pl.lit(v, dtype=pl.Utf8))
    star = mapping.get("*")
    result = pl.lit(star, dtype=pl.Utf8) if out is None else out.otherwise(pl.lit(star, dtype=pl.Utf8))
    if star is None and conds:
        matched = pl.any_horizontal(conds).fill_null(False)
        pairs = ", ".join(f"{k}→{v}" for k, v in mapping.items())
        masks.append(_Mask(col.name, key.is_not_null() & ~matched, "{value} has no mapping (" + pairs + ")", key,
                           code="no_mapping", params={"mapping": pairs}))
    return pl.when(key.is_null()).then(None).otherwise(result), pl.Utf8, None


def _as_key(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A value as lookup and map keys are written: text, whole numbers without '.0'."""
    if dtype == pl.Utf8:
        return expr
    if dtype.is_float():
        return pl.when(expr == expr.round(0)).then(expr.cast(pl.Int64, strict=False).cast(pl.Utf8)) \
            .otherwise(expr.cast(pl.Utf8))
    if dtype.is_temporal():
        return expr.dt.strftime("%Y-%m-%d %H:%M:%S")
    return expr.cast(pl.Utf8)


def _convert(expr: pl.Expr, dtype: pl.DataType, col: ColumnMap, tcol: TargetColumn | None
             ) -> tuple[pl.Expr, _Mask | None]:
    """The value in the column's type; and the mask of values that cannot be converted."""
    kind = col.type
    if kind == "text":
        text = _as_key(expr, dtype)
        if dtype == pl.Utf8:
            text = pl.when(text.str.len_chars() == 0).then(None).otherwise(text)
        if col.length:
            in_bytes = tcol is not None and tcol.length_in_bytes
            size = _byte_length(text) if in_bytes else text.str.len_chars()
            unit = ("byte" if col.length == 1 else "bytes (a Korean letter takes two)") if in_bytes else \
                ("character" if col.length == 1 else "characters")
            return text, _Mask(col.name, size > col.length,
                               f"{{value}} is longer than the {col.length} {unit} the column holds", pl.col(col.name),
                               code="too_long", params={"length": col.length, "bytes": in_bytes})
        return text, None
    if kind == "datetime":
        if dtype.is_temporal():
            return expr.cast(pl.Datetime("us")), None
        as_text = _as_key(expr, dtype).str.strip_chars()
        parsed = pl.coalesce(as_text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
                             as_text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
                             as_text.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"))
        return parsed, _Mask(col.name, expr.is_not_null() & pl.col(col.name).is_null(),
                             "{value} is not a date and time (write YYYY-MM-DD HH:MM:SS)", expr, code="not_a_datetime")
    if dtype == pl.Utf8:
        num = expr.str.strip_chars().cast(pl.Float64, strict=False)
    elif dtype.is_numeric() or dtype == pl.Boolean:
        num = expr.cast(pl.Float64)
    else:
        num = pl.lit(None, dtype=pl.Float64)
    bad = expr.is_not_null() & (num.is_null() | num.is_nan() | num.is_infinite())
    if kind == "int":
        whole = num.round(0)
        bad = bad | (num.is_not_null() & ((num != whole) | (num.abs() > 9.2e18)))
        return (pl.when(bad).then(None).otherwise(whole).cast(pl.Int64, strict=False),
                _Mask(col.name, bad, "{value} is not a whole number", _as_key(expr, dtype), code="not_a_whole_number"))
    value = num.round(col.scale) if col.scale is not None else num
    reason, code, params = "{value} is not a number", "not_a_number", {}
    if tcol is not None and tcol.precision is not None:
        top = 10.0 ** (tcol.precision - (tcol.scale or 0))
        bad = bad | (value.abs() >= top)
        reason = f"{{value}} is not a number that fits NUMERIC({tcol.precision},{tcol.scale or 0})"
        code, params = "number_does_not_fit", {"precision": tcol.precision, "scale": tcol.scale or 0}
    return pl.when(bad).then(None).otherwise(value), _Mask(col.name, bad, reason, _as_key(expr, dtype), code=code,
                                                           params=params)


def _byte_length(text: pl.Expr) -> pl.Expr:
    # CP949 (the Korean code page of a VARCHAR column on SQL Server): ASCII one byte, the rest two
    return text.str.len_chars() + text.str.count_matches(r"[^\x00-\x7F]")


def _cell_checks(col: ColumnMap, unit: str | None) -> list[_Mask]:
    """Masks over the column's final value `col` (as the real target sees it) in `unit`."""
    me = pl.col(col.name)
    shown = _as_key(me, pl.Float64) if col.type in ("int", "number") else me.cast(pl.Utf8)
    out = []
    if col.required:
        out.append(_Mask(col.name, me.is_null(),
                         f"required, but empty (from {' or '.join(col.sources) or 'no source and no default'})", None,
                         code="required_empty", params={"sources": list(col.sources)}))
    if col.allowed:
        allowed = [str(a) for a in col.allowed]
        out.append(_Mask(col.name, me.is_not_null() & ~shown.is_in(allowed),
                         "{value} is not one of " + ", ".join(allowed), shown, kind="allowed", code="not_allowed",
                         params={"allowed": allowed}))
    if col.unit is not None and col.type in ("int", "number"):
        out.append(_Mask(col.name, me < 0, "{value} is a negative time", shown, code="negative_time"))
        if unit is not None and col.unit in UNITS and col.unit != unit:
            out.append(_Mask(col.name, me.is_not_null(),
                             f"holds {UNIT_WORDS[unit]} but the column is in {UNIT_WORDS[col.unit]}", None,
                             code="wrong_unit", params={"unit": unit, "column_unit": col.unit}))
        elif unit is not None and col.unit not in UNITS:
            states = pl.col(col.unit).cast(pl.Utf8)
            meant = states.replace_strict(list(TIME_UNIT_CODES), list(TIME_UNIT_CODES.values()), default=None,
                                          return_dtype=pl.Utf8)
            out.append(_Mask(col.name, me.is_not_null() & meant.is_not_null() & (meant != unit),
                             f"holds {UNIT_WORDS[unit]} but {col.unit} says {{value}}", states,
                             code="unit_column_disagrees", params={"unit": unit, "unit_column": col.unit}))
    return out


def _row_checks(table: TableMap) -> list[_Mask]:
    out = []
    for col in table.columns:
        if "sequence" in col.checks:
            v = pl.col(col.name)
            shown = v.cast(pl.Utf8)
            dup = v.is_duplicated().over("_r")
            prev = v.shift(1).over("_r")
            out.append(_Mask(col.name, v.is_not_null() & (v <= 0), "{value} must be above zero", shown,
                             code="sequence_not_above_zero"))
            out.append(_Mask(col.name, v.is_not_null() & dup, "{value} appears twice in this routing", shown,
                             code="sequence_twice"))
            out.append(_Mask(col.name, v.is_not_null() & prev.is_not_null() & ~dup & (v <= prev),
                             "{value} does not increase (the operation before has {prev})", shown,
                             code="sequence_not_increasing"))
    zero_cols = [c.name for c in table.columns if "not_all_zero" in c.checks]
    if zero_cols:
        total = pl.sum_horizontal([pl.col(c).cast(pl.Float64).abs().fill_null(0) for c in zero_cols]).sum().over("_r")
        names = " and ".join(zero_cols)
        for c in zero_cols:
            out.append(_Mask(c, total == 0, f"every {names} of this routing is zero", None, code="all_times_zero",
                             params={"columns": zero_cols}))
    return out


def _problems(table: str, work: pl.DataFrame, masks: list[_Mask]) -> pl.DataFrame:
    """Every marked cell as a row of the problems frame: one per cell, its first error, else its
    first warning."""
    cols = ["routing", "table", "row", "column", "value", "reason", "severity", "code", "params"]
    schema = {k: PROBLEM_SCHEMA[k] for k in cols}
    if not masks or work.height == 0:
        return pl.DataFrame(schema=schema)
    flags = work.select([m.mask.fill_null(False).alias(f"m{i}") for i, m in enumerate(masks)])
    parts = []
    for i, hit in enumerate(flags.iter_columns()):
        if not hit.any():
            continue
        m = masks[i]
        value = m.value.cast(pl.Utf8) if m.value is not None else pl.lit(None, dtype=pl.Utf8)
        prev = (pl.col(m.column).shift(1).over("_r").cast(pl.Utf8) if "{prev}" in m.reason
                else pl.lit("", dtype=pl.Utf8))
        picked = work.select(pl.col("_r").alias("routing"), pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row"),
                             value.alias("value"), prev.alias("prev")).filter(hit)
        shown = (pl.when(pl.col("value").is_null()).then(pl.lit("(empty)"))
                 .when(pl.col("value").cast(pl.Float64, strict=False).is_not_null()).then(pl.col("value"))
                 .otherwise(pl.lit("'") + pl.col("value") + pl.lit("'")))
        pieces = {"{value}": shown, "{prev}": pl.col("prev").fill_null("")}
        # {prev} is a number as text: it goes into the JSON as a string without escaping
        params = (pl.lit('{"prev": "') + pl.col("prev").fill_null("") + pl.lit('"}')) if "{prev}" in m.reason \
            else pl.lit(problem_params(**m.params), dtype=pl.Utf8)
        reason = pl.concat_str([pieces.get(part, pl.lit(part)) for part in re.split(r"(\{value\}|\{prev\})", m.reason)
                                if part])
        parts.append(picked.select("routing", pl.lit(table).alias("table"), "row", pl.lit(m.column).alias("column"),
                                   pl.col("value").fill_null(""), reason.alias("reason"),
                                   pl.lit(m.severity).alias("severity"), pl.lit(m.code).alias("code"),
                                   params.alias("params"), pl.lit(i).alias("_order")))
    if not parts:
        return pl.DataFrame(schema=schema)
    return (pl.concat(parts)
            .sort([pl.col("severity") != ERROR, "_order"])     # per cell: its first error, else first warning
            .unique(["row", "column"], keep="first", maintain_order=True)
            .sort(["row", "_order"])
            .select(cols))
