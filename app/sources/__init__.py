"""Read-only access to the plant ERP's views in a SQLite, Access, CSV/Excel or SQL Server source.

    with open_source("D:/erp/KsmErp.accdb") as source:
        views = read_views(source, progress=progress)   # Views(items, routings, results, warnings)
"""
from app.sources.base import Source, SourceError
from app.sources.factory import open_source
from app.sources.sqlserver import store_sql_password
from app.sources.views import ViewCheck, Views, check_views, read_views

__all__ = ["Source", "SourceError", "ViewCheck", "Views", "check_views", "open_source", "read_views",
           "store_sql_password"]
