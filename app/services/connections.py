"""What the settings dialogs need to describe a connection (a data source, or the program's store)
without opening it themselves: the SQL Server ODBC drivers installed here, the setting's spelling,
and a SQL login's password kept in the OS keyring. Opening and checking go through the services
(app.services.importing.check_source, app.services.stores) on a worker."""
from __future__ import annotations

from app.sources.base import SourceError
from app.sources.sqlserver import installed_drivers, parse_server, sqlserver_spec, store_sql_password

__all__ = ["SourceError", "installed_drivers", "parse_server", "sqlserver_spec", "keep_sql_password"]


def keep_sql_password(server: str, user: str, password: str) -> None:
    """A SQL login's password to the OS keyring (never to a file); SourceError in plain words when
    the keyring cannot take it."""
    store_sql_password(server, user, password)
