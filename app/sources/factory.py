"""Open whichever kind of source a setting names."""
from __future__ import annotations

from pathlib import Path

from app.sources.access import ACCESS_SUFFIXES, AccessSource
from app.sources.base import Source, SourceError
from app.sources.folder import FolderSource
from app.sources.sqlite import SQLITE_SUFFIXES, SqliteSource, has_sqlite_header
from app.sources.sqlserver import is_sqlserver_spec, open_sqlserver

ACCEPTED = ("Routing ML reads a SQLite file (.sqlite, .sqlite3, .db), an Access file (.mdb, "
            ".accdb), a folder holding one .csv or .xlsx file per view (BI_ITEM_INFO_VIEW, "
            "BI_ROUTING_VIEW, BI_WORK_ORDER_RESULTS), or a SQL Server database written as "
            "mssql://SERVER/DATABASE.")


def open_source(spec: str, *, view_names: dict[str, str] | None = None) -> Source:
    """Open the source `spec` names: a file or folder path, or a `mssql://` address.

    `view_names` (kind → view name) replaces the default view names for this source; read_views
    uses them. Raises SourceError naming the path and what is accepted when it cannot.
    """
    spec = spec.strip()
    if is_sqlserver_spec(spec):
        source: Source = open_sqlserver(spec)
    else:
        path = Path(spec).expanduser()
        suffix = path.suffix.lower()
        if not path.exists():
            raise SourceError(f"{path} does not exist. {ACCEPTED}")
        if path.is_dir():
            source = FolderSource(path)
        elif suffix in ACCESS_SUFFIXES:
            source = AccessSource(path)
        elif suffix in SQLITE_SUFFIXES or has_sqlite_header(path):
            source = SqliteSource(path)
        else:
            raise SourceError(f"{path} is not a kind of file Routing ML can read. {ACCEPTED}")
    if view_names:
        source.view_names.update(view_names)
    return source
