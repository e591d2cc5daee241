"""Copying a source (SQLite, CSV/XLSX folder, Access, SQL Server) into the program's own store."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from app.domain.schema import DEFAULT_VIEW_NAMES, RESULTS, VIEW_KINDS
from app.ml.model import impossible_hours_lazy
from app.services import audit, permissions
from app.services.identity import User
from app.services.progress import Progress
from app.domain.routing import RoutingError
from app.store.db import Store

# A view with fewer rows than this share of the previous import's is refused unless confirmed:
# plants do not lose half their items or routings between two imports; a cut file or a wrong
# filter in the view does.
SHRINK_LIMIT = 0.5


@dataclass(frozen=True)
class ShrunkView:
    view: str        # the view's name as the source calls it
    rows: int        # rows it has now
    previous: int    # rows of the store's copy


class ShrinkRefused(RoutingError):
    """A view has far fewer rows than the store's copy; importing with allow_shrink accepts it.
    `shrunk` names every such view with both counts, for a question to the user."""

    def __init__(self, message: str, shrunk: list[ShrunkView]):
        super().__init__(message)
        self.shrunk = shrunk


@dataclass
class ImportReport:
    source: str
    counts: dict[str, int]
    warnings: list[str]


@permissions.requires("data.import", target="spec")
def import_source(store: Store, spec: str, view_names: dict[str, str] | None = None,
                  progress: Progress | None = None, user: User | None = None,
                  source_name: str | None = None, *, allow_shrink: bool = False) -> ImportReport:
    """Read the three views, check them, and replace the store's copy in one transaction.

    Any problem (missing columns, bad values, a view without rows, a locked or read-only store,
    Cancel) leaves the previous copy and its import record as they were. A view with fewer than
    half the rows of the store's copy raises ShrinkRefused unless `allow_shrink`.
    `source_name` is what the import history calls the source (default: the source's own description).
    """
    assert user is not None
    try:
        return _import(store, spec, view_names, progress or Progress(), user, source_name, allow_shrink)
    except BaseException as exc:   # recorded as failed, then raised as it was
        audit.record(store, "data.import", spec.split("@")[-1], {"error": str(exc) or type(exc).__name__},
                     user, outcome="failed")
        raise


def _import(store: Store, spec: str, view_names, p: Progress, user: User, source_name,
            allow_shrink: bool) -> ImportReport:
    from app.sources import open_source, read_views  # sources pull in ODBC; load them only when used
    names = dict(DEFAULT_VIEW_NAMES)
    names.update({k: v for k, v in (view_names or {}).items() if v})
    started = datetime.now()
    with store.import_lock():   # a second import into the same store fails here, at once
        p.report(0.0, f"opening {spec}")
        with open_source(spec) as source:
            described = source_name or source.describe()
            views = read_views(source, names, p.sub(0.0, 0.5))
            extras = _demo_rule_routings(source, views.warnings)
        views.warnings.extend(impossible_hours_warnings(views, names[RESULTS]))
        frames = views.frames()
        _refuse_empty_or_shrunk(store, described, names, {k: f.height for k, f in frames.items()},
                                allow_shrink)

        def record_audit(conn, counts: dict[str, int]) -> None:
            audit.record(store, "data.import", described, {"counts": counts, "warnings": views.warnings},
                         user, conn)

        counts = store.replace_views({k: frames[k] for k in VIEW_KINDS}, p, source=described,
                                     user=user.name, started=started, warnings=views.warnings,
                                     also=record_audit, extras=extras)
    p.report(1.0, "import finished")
    return ImportReport(described, counts, views.warnings)


def _demo_rule_routings(source, warnings: list[str]) -> dict[str, pl.DataFrame]:
    """A demo plant's rule routings, when the source has them, to keep beside the copy of its views
    (the ceiling its evaluation is scored against). Unreadable ones are left out with a warning."""
    from app.services.evaluation import RULE_COLUMNS, RULE_ROUTINGS, rule_routings_frame
    from app.sources.base import SourceError
    if RULE_ROUTINGS not in source.list_tables():
        return {}
    try:
        return {RULE_ROUTINGS: rule_routings_frame(source.read(RULE_ROUTINGS, RULE_COLUMNS), source.location(RULE_ROUTINGS),
                                                   lambda i: source.row_label(RULE_ROUTINGS, i))}
    except (SourceError, RoutingError) as exc:
        warnings.append(f"{RULE_ROUTINGS} left out (the evaluation shows no ceiling): {exc}")
        return {}


@dataclass
class SourceCheck:
    """What Test connection found: the source, its tables, and where each ERP view is."""

    source: str
    tables: list[str]
    views: dict[str, str]          # kind → table found for it
    warnings: list[str]


def check_source(spec: str, view_names: dict[str, str] | None = None) -> SourceCheck:
    """Connect and check the three views and their required columns exactly as an import would,
    without reading rows. SourceError (naming what is missing) when an import would fail there."""
    from app.sources import check_views, open_source

    with open_source(spec) as source:
        names = {k: v for k, v in (view_names or {}).items() if v}
        tables = source.list_tables()
        checked = check_views(source, names)
        return SourceCheck(source.describe(), tables,
                           {kind: table for kind, (table, _) in checked.found.items()}, checked.warnings)


def _refuse_empty_or_shrunk(store: Store, source: str, names: dict[str, str], counts: dict[str, int],
                            allow_shrink: bool) -> None:
    before = store.view_counts()
    for kind in VIEW_KINDS:
        kept = f"; the store keeps its {before[kind]:,} rows" if before[kind] else ""
        if counts[kind] == 0:
            raise RoutingError(f"{names[kind]} in {source} has no usable rows, so nothing was imported{kept}")
    if allow_shrink:
        return
    shrunk = [ShrunkView(names[kind], counts[kind], before[kind]) for kind in VIEW_KINDS
              if counts[kind] < SHRINK_LIMIT * before[kind]]
    if shrunk:
        first = shrunk[0]
        raise ShrinkRefused(
            f"{first.view} in {source} has {first.rows:,} rows, fewer than half of the "
            f"{first.previous:,} in the store, so nothing was imported; if that is right (another "
            f"plant, a smaller extract), import again with --allow-shrink", shrunk)


def impossible_hours_warnings(views, view_name: str) -> list[str]:
    """One warning per hours column with values no shop can book: counted per reason, the first
    named by file, line and column. The rows stay in the store; training leaves those values out."""
    checked = impossible_hours_lazy(views.results.lazy().with_row_index("_i")).collect()
    out = []
    for problem, column in (("run_problem", "MACH_WORKED_HOURS"), ("setup_problem", "SETUP_HOURS")):
        bad = checked.filter(pl.col(problem).is_not_null())
        if not bad.height:
            continue
        counted = ", ".join(f"{why} {n:,}" for why, n in bad[problem].value_counts(sort=True).iter_rows())
        first = bad.row(0, named=True)
        culprit = column
        if "ORDER_QTY" in first[problem]:
            culprit = "ORDER_QTY"     # the hours are fine, the quantity they are divided by is not
        out.append(f"{view_name}: {bad.height:,} value{'s' if bad.height > 1 else ''} of {column} no shop "
                   f"can book ({counted}) left out of the times (first: {views.where(RESULTS, first['_i'])}, "
                   f"column {culprit}: {first[culprit]:g})")
    return out
