"""Preview and export: the one door the window and the command line use.

`preview` builds every row of a selection through a profile and marks every bad cell. `export`
does the same against the real target (for a database: its reflected tables, and the routings it
holds already), refuses what cannot be written with the reason, and writes all routings or none:
files are renamed into place only when all are complete, database rows go in one transaction.
Each export is recorded in the store (export_run and the audit trail): who, when, what, where.
"""
from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.exc import SQLAlchemyError

from app.services import audit
from app.services.export import database as db
from app.services.export.errors import ExportError
from app.services.export.files import as_written, write_csv, write_xlsx
from app.services.export.profile import MappingProfile
from app.services.export.rows import ERROR, WARNING, ExportPlan, Problem, build_plan, load_plant_data, problem_params
from app.services.export.selection import Selection, Skipped
from app.domain.access import User
from app.services import permissions
from app.services.progress import Progress
from app.store.db import Store, export_run

FORMATS = ("csv", "xlsx", "db")
FIRST_ROWS = 5
SHOWN_PROBLEMS = 3
SHOWN_WARNINGS = 20


@dataclass
class ExportTarget:
    format: str                  # csv | xlsx | db
    out: str                     # a folder (csv), a file (xlsx), a database (db)
    schema: str | None = None    # db: the tables' schema (default: the login's, dbo on SQL Server)
    create_tables: bool = False  # db: make missing tables with the profile's layout (staging)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ExportError(f"format {self.format!r} is not one of {', '.join(FORMATS)}")
        if not str(self.out or "").strip():
            raise ExportError("say where to export to: a folder (csv), a file (xlsx) or a database (db)")


@dataclass
class ExportOptions:
    replace: bool = False        # db: a routing the target has already (same ITEM_CD, ROUT_NO) is replaced
    dry_run: bool = False        # show what would be written, write nothing
    skip_invalid: bool = False   # write the valid routings and list the others; else refuse all


@dataclass
class ExportResult:
    """What went where: per table the rows written (or that would be, for a dry run)."""

    profile: str
    format: str
    target: str
    written: dict[str, int]
    files: list[str]
    skipped: list[Skipped]
    routings: int
    dry_run: bool
    first_rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)     # ITEM_CD/ROUT_NO replaced in the target
    warning_count: int = 0                                 # `warnings` holds the first few
    export_id: int | None = None
    place: str = ""              # the folder, file or database alone (`target` says which kind, in English)

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "files": self.files, "skipped": [s.to_json() for s in self.skipped],
                "profile": self.profile, "format": self.format, "target": self.target, "routings": self.routings,
                "dry_run": self.dry_run, "replaced": self.replaced,
                "warnings": [p.describe() for p in self.warnings], "warning_count": self.warning_count,
                "first_rows": self.first_rows if self.dry_run else {}}


def preview(store: Store, profile: MappingProfile, selection: Selection, user: User | None = None,
            progress: Progress | None = None) -> ExportPlan:
    """Every row the selection gives through the profile, with every bad cell marked (no target checked)."""
    if user is None:
        from app.services.identity import signed_in_user
        user = signed_in_user(store)
    p = progress or Progress()
    p.report(0.05, "reading the plant's items and resources")
    plant = load_plant_data(store, [r.ITEM_CD for r in selection.routings])
    p.report(0.4, f"building the rows of {len(selection.routings):,} routings")
    plan = build_plan(profile, selection, plant, user)
    p.report(1.0, "checked")
    return plan


@permissions.requires("export.routings")
def export(store: Store, profile: MappingProfile, selection: Selection, target: ExportTarget,
           options: ExportOptions | None = None, user: User | None = None,
           progress: Progress | None = None) -> ExportResult:
    """Write the selection through `profile` to `target`: all routings or none (see module doc).
    Needs the engineer role (`user`: the signed-in one when None)."""
    options = options or ExportOptions()
    assert user is not None   # permissions.requires fills it in
    p = progress or Progress()
    if not selection.routings:
        raise ExportError(f"nothing to export: {selection.description or 'the selection'} holds no routing"
                          + _skipped_tail(selection.skipped), code="nothing_to_export",
                          selection=selection)
    p.report(0.02, "reading the plant's items and resources")
    plant = load_plant_data(store, [r.ITEM_CD for r in selection.routings])
    if target.format == "db":
        result = _export_db(profile, selection, plant, target, options, user, p)
    else:
        plan = build_plan(profile, selection, plant, user)
        if target.format == "xlsx":
            _add_xlsx_problems(plan)
        p.report(0.3, "checked every cell")
        tables, kept, skipped = _decide(plan, options)
        if target.format == "xlsx":
            _check_sheet_rows(tables)
        files = []
        if not options.dry_run:
            files = _write_files(plan, target, tables, p)
        result = _result(plan, target, options, tables, kept, skipped,
                         files=[str(f) for f in files], where=_describe_file_target(target))
        result.place = str(Path(target.out))
    if not options.dry_run:
        result.export_id = _record(store, result, selection, user)
    p.report(1.0, "dry run: nothing written" if options.dry_run else "written")
    return result


# ---- deciding what is written ----------------------------------------------------------------------
def _decide(plan: ExportPlan, options: ExportOptions) -> tuple[list[tuple[str, pl.DataFrame]], list[int],
                                                                list[Skipped]]:
    """The tables to write (valid routings only) or ExportError saying why not."""
    invalid = plan.invalid
    n = len(plan.routings)
    if invalid:
        errors = plan.first_errors(SHOWN_PROBLEMS)
        more = plan.count(ERROR) - len(errors)
        if len(invalid) == n:
            raise ExportError(f"export refused: {'the routing is' if n == 1 else f'all {n:,} routings are'} "
                              f"invalid — {_first_problems(errors, more)}", plan.problem_list(ERROR, limit=1000),
                              code="all_invalid", routings=n, first=errors, more=more)
        if not options.skip_invalid:
            raise ExportError(f"export refused: {len(invalid):,} of {n:,} routings are invalid — "
                              f"{_first_problems(errors, more)}; export only the valid ones, or fix these",
                              plan.problem_list(ERROR, limit=1000), code="some_invalid", routings=n,
                              invalid=len(invalid), first=errors, more=more)
    keep = [i for i in range(n) if i not in invalid]
    tables = [(t.name, t.frame.filter(pl.col("_r").is_in(keep)).drop("_r")) for t in plan.tables]
    if sum(f.height for _, f in tables) == 0:
        raise ExportError(f"export refused: the selection gives no row for any table of profile {plan.profile.name}",
                          code="no_rows", profile=plan.profile.name)
    skipped = list(plan.skipped)
    if invalid:
        per = (plan.problems.filter(pl.col("severity") == ERROR)
               .with_columns(pl.when(pl.col("column") != "")
                             .then(pl.col("table") + pl.lit(".") + pl.col("column")
                                   + pl.when(pl.col("row") >= 0)
                                   .then(pl.lit(" in row ") + (pl.col("row") + 1).cast(pl.Utf8)).otherwise(pl.lit(""))
                                   + pl.lit(": ") + pl.col("reason"))
                             .otherwise(pl.col("reason")).alias("text"))
               .group_by("routing", maintain_order=True)
               .agg(pl.col("ITEM_CD").first(), pl.col("ROUT_NO").first(), pl.col("text").head(SHOWN_PROBLEMS),
                    pl.len().alias("n")))
        for r, item, rout, texts, count in per.iter_rows():
            more = f" (and {count - len(texts)} more)" if count > len(texts) else ""
            skipped.append(Skipped(item, "; ".join(texts) + more, rout or None,
                                   problems=plan.problem_list(ERROR, limit=SHOWN_PROBLEMS, routing=r), more=count - len(texts)))
    return tables, keep, skipped


def _first_problems(problems: list[Problem], more: int) -> str:
    text = "; ".join(p.describe() for p in problems)
    return text + (f" (and {more:,} more problem{'s' if more > 1 else ''})" if more > 0 else "")


def _skipped_tail(skipped: list[Skipped]) -> str:
    if not skipped:
        return ""
    shown = "; ".join(f"{s.ITEM_CD}: {s.reason}" for s in skipped[:SHOWN_PROBLEMS])
    more = len(skipped) - SHOWN_PROBLEMS
    return f" ({shown}{f' and {more:,} more' if more > 0 else ''})"


def _numbered(tables: list[tuple[str, pl.DataFrame]], plan: ExportPlan) -> list[tuple[str, pl.DataFrame]]:
    """Files carry the identity column numbered 1, 2, … per table, as the ERP's own rows do."""
    ident = {t.name: t.identity for t in plan.tables}
    out = []
    for name, frame in tables:
        cols = ident.get(name) or []
        if cols and frame.height:
            frame = frame.with_columns([pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(c) for c in cols])
        out.append((name, frame))
    return out


def _first_rows(tables: list[tuple[str, pl.DataFrame]]) -> dict[str, list[dict[str, str]]]:
    return {name: [{k: as_written(v) for k, v in row.items()} for row in frame.head(FIRST_ROWS).iter_rows(named=True)]
            for name, frame in tables}


def _result(plan: ExportPlan, target: ExportTarget, options: ExportOptions, tables, kept, skipped, *,
            files: list[str], where: str, replaced: list[str] | None = None) -> ExportResult:
    shown = _numbered(tables, plan) if target.format != "db" else tables
    warnings = plan.problems.filter((pl.col("severity") == WARNING) & pl.col("routing").is_in(kept))
    return ExportResult(plan.profile.name, target.format, where, {n: f.height for n, f in tables}, files, skipped,
                        len(kept), options.dry_run, _first_rows(shown),
                        [Problem(**r) for r in warnings.head(SHOWN_WARNINGS).iter_rows(named=True)],
                        replaced or [], warning_count=warnings.height)


# ---- files ---------------------------------------------------------------------------------------
def _add_xlsx_problems(plan: ExportPlan) -> None:
    """Cells a spreadsheet cannot hold (control characters, text over 32,767 characters) make their
    routing invalid, named like every other bad cell, rather than being changed on the way."""
    from app.services.export.xlsx import EXCEL_CELL_CHARS, unwritable_cells
    found = []
    for t in plan.tables:
        bad = unwritable_cells(t.frame.drop("_r"))
        if not bad.height:
            continue
        bad = bad.with_columns(t.frame["_r"].gather(bad["row"]).cast(pl.Int64).alias("routing"))
        control = pl.col("problem") == "control"
        found.append(bad.select(
            "routing",
            pl.lit(t.name).alias("table"), "row", "column",
            pl.lit("").alias("value"),
            pl.when(control)
            .then(pl.lit("holds the control character ") + pl.col("character")
                  + pl.lit(", which an XLSX file cannot hold; remove it, or export as CSV or into a database"))
            .otherwise(pl.lit("holds ") + pl.col("length").cast(pl.Utf8) + pl.lit(
                f" characters; a spreadsheet cell holds at most {EXCEL_CELL_CHARS:,}; shorten it, or export as CSV "
                f"or into a database")).alias("reason"),
            pl.lit(ERROR).alias("severity"),
            pl.when(control).then(pl.lit("xlsx_control_character")).otherwise(pl.lit("xlsx_cell_too_long"))
            .alias("code"),
            pl.when(control).then(pl.lit('{"character": "') + pl.col("character") + pl.lit('"}'))
            .otherwise(pl.lit('{"length": ') + pl.col("length").cast(pl.Utf8)
                       + pl.lit(f', "limit": {EXCEL_CELL_CHARS}}}')).alias("params")))
    if found:
        plan.add_problem_frame(pl.concat(found))


def _check_sheet_rows(tables: list[tuple[str, pl.DataFrame]]) -> None:
    from app.services.export.xlsx import EXCEL_ROWS
    for name, frame in tables:
        if frame.height + 1 > EXCEL_ROWS:
            raise ExportError(f"export refused: table {name} has {frame.height:,} rows, more than the "
                              f"{EXCEL_ROWS - 1:,} a spreadsheet sheet holds below its header; export as CSV or into "
                              f"a database, or export fewer routings", code="xlsx_too_many_rows", table=name,
                              rows=frame.height, limit=EXCEL_ROWS - 1)


def _describe_file_target(target: ExportTarget) -> str:
    return f"folder {Path(target.out)}" if target.format == "csv" else f"file {Path(target.out)}"


def _write_files(plan: ExportPlan, target: ExportTarget, tables: list[tuple[str, pl.DataFrame]],
                 p: Progress) -> list[Path]:
    tables = _numbered(tables, plan)
    if target.format == "csv":
        return write_csv(target.out, tables,
                         on_table=lambda n: p.report(0.3 + 0.7 * n / len(tables), f"{n} of {len(tables)} files written"))
    total = max(1, sum(f.height for _, f in tables))
    return [write_xlsx(target.out, tables,
                       on_rows=lambda n: p.report(0.3 + 0.7 * n / total, f"{n:,} of {total:,} rows written"))]


# ---- databases -------------------------------------------------------------------------------------
def _export_db(profile: MappingProfile, selection: Selection, plant, target: ExportTarget, options: ExportOptions,
               user: User, p: Progress) -> ExportResult:
    dbt = db.parse_target(target.out)
    where = dbt.description + (f", schema {target.schema}" if target.schema else "")
    if dbt.missing_file and not target.create_tables:
        raise ExportError(f"{where} does not exist; choose an existing database, or let Routing ML make staging "
                          f"tables of the profile's layout in a new file (create tables)", code="no_database",
                          target=where)
    # a dry run into a file that does not exist yet pictures it in memory rather than making the file
    engine = dbt.engine(in_memory=dbt.missing_file and options.dry_run)
    phase = "connecting to"
    raw = None
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            trans = conn.begin()
            try:
                phase = "reading the tables of"
                p.report(0.05, f"reading the tables of {where}")
                reflected = db.reflect_tables(conn, profile, target.schema, where, target.create_tables,
                                              options.dry_run)
                plan = build_plan(profile, selection, plant, user,
                                  target={name: rt.columns for name, rt in reflected.items()})
                p.report(0.25, "checked every cell against the target's columns")
                phase = "looking for existing routings in"
                replaced = _check_existing(conn, reflected, plan, options, where)
                tables, kept, skipped = _decide(plan, options)
                result = _result(plan, target, options, tables, kept, skipped, files=[], where=where,
                                 replaced=[f"{i}/{r}" for i, r in replaced])
                result.place = where
                if options.dry_run:
                    trans.rollback()
                    return result
                phase = "replacing routings in"
                if replaced:
                    p.report(0.3, f"removing {len(replaced):,} routing(s) being replaced")
                    db.delete_routings(conn, reflected, replaced)
                total = max(1, sum(f.height for _, f in tables))
                done = 0
                for name, frame in tables:
                    rt = reflected[name]
                    plan_t = next(t for t in plan.tables if t.name == name)
                    frame = _insert_frame(conn, rt, plan_t, frame)
                    phase = f"writing {name} to"
                    base = done

                    def batch(n, name=name, base=base):
                        p.report(0.3 + 0.65 * (base + n) / total, f"{name}: {n:,} rows written")
                    done += db.insert_rows(conn, rt, frame, batch)
                phase = "committing to"
                trans.commit()
                return result
            except BaseException:
                if trans.is_active:
                    try:
                        trans.rollback()
                    except SQLAlchemyError:
                        pass   # the connection is gone: the server rolls the transaction back itself
                raise
    except (SQLAlchemyError, *_driver_errors(engine)) as exc:
        said = db.db_message(exc)
        if phase == "connecting to":
            raise ExportError(f"cannot connect to {where}: {said}; nothing was written", code="no_connection",
                              target=where, said=said) from None
        if phase == "committing to":
            raise ExportError(f"the connection to {where} failed while committing ({said}): whether the export "
                              f"arrived is unknown; look for the routings in the target before exporting again",
                              code="commit_unknown", target=where, said=said) from None
        disconnected = db.is_disconnect(engine, exc, raw)
        lost = "the connection was lost while" if disconnected else "failed while"
        raise ExportError(f"{lost} {phase} {where}: {said}; the transaction was rolled back, nothing of this "
                          f"export was written", code="rolled_back", target=where, said=said,
                          lost=disconnected) from None
    finally:
        engine.dispose()


def _driver_errors(engine) -> tuple[type[BaseException], ...]:
    """The database driver's own error class (PostgreSQL's COPY runs on the driver's connection)."""
    dbapi = getattr(engine.dialect, "loaded_dbapi", None)
    error = getattr(dbapi, "Error", None)
    return (error,) if isinstance(error, type) else ()


def _insert_frame(conn, rt: db.ReflectedTable, plan_t, frame: pl.DataFrame) -> pl.DataFrame:
    """The columns to insert: an identity the target numbers is left out, one it does not number
    continues from its largest value, and a column empty in every row is left to the target when
    that means NULL there too (fewer parameters to send)."""
    out = []
    for c in plan_t.columns:
        tc = rt.columns[c]
        if c in plan_t.identity:
            if tc.generated or tc.nullable:
                continue
            start = int(conn.execute(db.max_id_query(rt.table, rt.names[c])).scalar() or 0)
            out.append(pl.int_range(start + 1, start + 1 + frame.height, dtype=pl.Int64).alias(c))
        elif frame[c].null_count() == frame.height and tc.nullable and not tc.has_default and not tc.generated:
            continue
        else:
            out.append(pl.col(c))
    return frame.select(out)


def _check_existing(conn, reflected, plan: ExportPlan, options: ExportOptions, where: str) -> list[tuple[str, str]]:
    """Routings the target holds already: to replace (when chosen), else a problem of each."""
    pairs = {}
    for t in plan.tables:
        if t.table.rows == "routing" and {"ITEM_CD", "ROUT_NO"} <= set(t.frame.columns):
            for r, item, rout in t.frame.select("_r", "ITEM_CD", "ROUT_NO").iter_rows():
                if item and rout:
                    pairs[(item, rout)] = r
            break
    if not pairs:
        return []
    found = db.find_existing(conn, reflected, set(pairs))
    if options.replace:
        return sorted(found)
    plan.add_problems([Problem(pairs[(item, rout)], item, rout, "", -1, "", "",
                               f"already in {', '.join(tables)} of {where}; choose Replace (--replace) to overwrite it",
                               ERROR, "already_in_target", problem_params(tables=list(tables), target=where))
                       for (item, rout), tables in sorted(found.items())])
    return []


# ---- the record ------------------------------------------------------------------------------------
def _record(store: Store, result: ExportResult, selection: Selection, user: User) -> int:
    detail = {"profile": result.profile, "format": result.format, "routings": result.routings,
              "rows": result.written, "files": result.files, "skipped": len(result.skipped),
              "replaced": len(result.replaced)}
    with store.begin() as conn:
        new_id = conn.execute(export_run.insert().values(
            at=audit.utc_now(), user_name=user.name, host=user.host or socket.gethostname(), profile=result.profile,
            format=result.format, target=result.target, selection=selection.description,
            routings=result.routings, row_counts=json.dumps(result.written),
            files=json.dumps(result.files, ensure_ascii=False),
            skipped=json.dumps([s.to_json() for s in result.skipped], ensure_ascii=False))).inserted_primary_key[0]
        audit.record(store, "export", result.target, detail, user, conn)
    return int(new_id)


def recent_exports(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest exports, newest first (who, when in UTC, profile, format, where, rows per table)."""
    with store.engine.connect() as conn:
        rows = conn.execute(export_run.select().order_by(export_run.c.id.desc()).limit(limit)).mappings().all()
    out = []
    for r in rows:
        d = dict(r)
        for key in ("row_counts", "files", "skipped"):
            d[key] = json.loads(d[key]) if d.get(key) else ([] if key != "row_counts" else {})
        out.append(d)
    return out
