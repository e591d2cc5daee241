"""Copying a source (SQLite, CSV/XLSX folder, Access, SQL Server) into the program's own store."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.schema import DEFAULT_VIEW_NAMES, VIEW_KINDS
from app.services import audit, permissions
from app.services.identity import User
from app.services.progress import Progress
from app.store.db import Store


@dataclass
class ImportReport:
    source: str
    counts: dict[str, int]
    warnings: list[str]


@permissions.requires("data.import", target="spec")
def import_source(store: Store, spec: str, view_names: dict[str, str] | None = None,
                  progress: Progress | None = None, user: User | None = None,
                  source_name: str | None = None) -> ImportReport:
    """Read the three views, check them, and replace the store's copy in one transaction.

    Any problem (missing columns, bad values, Cancel) leaves the previous copy as it was.
    `source_name` is what the import history calls the source (default: the source's own description).
    """
    assert user is not None
    try:
        return _import(store, spec, view_names, progress or Progress(), user, source_name)
    except BaseException as exc:   # recorded as failed, then raised as it was
        audit.record(store, "data.import", spec.split("@")[-1], {"error": str(exc) or type(exc).__name__},
                     user, outcome="failed")
        raise


def _import(store: Store, spec: str, view_names, p: Progress, user: User, source_name) -> ImportReport:
    from app.sources import open_source, read_views  # sources pull in ODBC; load them only when used
    names = dict(DEFAULT_VIEW_NAMES)
    names.update({k: v for k, v in (view_names or {}).items() if v})
    started = datetime.now()
    p.report(0.0, f"opening {spec}")
    with open_source(spec) as source:
        described = source_name or source.describe()
        views = read_views(source, names, p.sub(0.0, 0.5))
    frames = views.frames()
    counts = store.replace_views({k: frames[k] for k in VIEW_KINDS}, p)
    store.record_import(described, started, user.name, counts, views.warnings)
    audit.record(store, "data.import", described, {"counts": counts, "warnings": views.warnings}, user)
    p.report(1.0, "import finished")
    return ImportReport(described, counts, views.warnings)


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
