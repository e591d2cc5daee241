"""What the settings dialogs need to describe a connection (a data source, or the program's store)
without opening it themselves: the SQL Server ODBC drivers installed here, the setting's spelling,
and a SQL login's password kept in the OS keyring. Opening and checking go through the services
(app.services.importing.check_source, app.services.stores) on a worker."""
from __future__ import annotations

from app.sources.base import SourceError
from app.sources.sqlserver import installed_drivers, parse_server, sqlserver_spec, store_sql_password

__all__ = ["SourceError", "installed_drivers", "parse_server", "sqlserver_spec", "keep_sql_password",
           "store_drivers"]


def store_drivers() -> list[str]:
    """The ODBC drivers a SQL Server store can use on this PC, best first (Microsoft's newest, then
    FreeTDS on Linux); [] when there is none (or no ODBC at all)."""
    try:
        from app.sources.sqlserver import _import_pyodbc
        installed = list(_import_pyodbc().drivers())
    except Exception:  # noqa: BLE001 - no ODBC on this PC
        return []
    try:
        from app.store.server import store_drivers as usable   # SQL Server stores, when present
    except ImportError:
        return installed_drivers()
    return usable(installed)


def keep_sql_password(server: str, user: str, password: str) -> None:
    """A SQL login's password to the OS keyring (never to a file); SourceError in plain words when
    the keyring cannot take it."""
    store_sql_password(server, user, password)
