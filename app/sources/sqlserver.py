"""The plant's SQL Server: read-only ERP views under dbo, through SQLAlchemy and pyodbc.

A setting names the server like `mssql://SERVER/KsmErp` (Windows login) or
`mssql://user@SERVER\\INSTANCE/KsmErp?TrustServerCertificate=yes` (SQL login); the
`mssql+pyodbc://` spelling of a SQLAlchemy URL is accepted too. Query parameters become ODBC
connection keywords, `driver=` picks the ODBC driver. A SQL login's password lives only in the
OS keyring (store_sql_password), never in a setting or file.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import keyring
import keyring.errors
import polars as pl
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from app.sources.base import BATCH_ROWS, Source, SourceError, bracket

KEYRING_SERVICE = "routing-ml"
SCHEMES = ("mssql", "mssql+pyodbc")
SCHEMA = "dbo"
_LEGACY_DRIVER = "SQL Server"  # ships with every Windows; no TLS 1.2 on old builds
_FORBIDDEN_KEYWORDS = {"pwd", "password", "uid", "user", "user id"}


@dataclass(frozen=True)
class SqlServerTarget:
    """Where to connect: server (host, host\\instance or host,port), database and login."""

    server: str
    database: str
    user: str | None = None          # None: Windows integrated login
    driver: str | None = None        # None: the newest installed SQL Server ODBC driver
    options: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        login = f"SQL login {self.user}" if self.user else "Windows login"
        return f"SQL Server {self.server}, database {self.database} ({login})"


def is_sqlserver_spec(spec: str) -> bool:
    return spec.split("://", 1)[0].lower() in SCHEMES and "://" in spec


def parse_sqlserver_spec(spec: str) -> SqlServerTarget:
    """Read a `mssql://[user@]server[:port]/database[?keyword=value...]` setting."""
    scheme, _, rest = spec.partition("://")
    if scheme.lower() not in SCHEMES:
        raise SourceError(f"{spec!r} is not a SQL Server address; write mssql://server/database.")
    # The netloc is split by hand: urlsplit's .hostname lower-cases the server name, which is
    # also the keyring key of its password.
    parts = urlsplit("//" + rest)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if ":" in userinfo:
        raise SourceError("The SQL Server address must not contain a password: it would be kept "
                          "in a settings file. Store the password in the OS keyring instead "
                          "(store_sql_password).")
    host, _, port = unquote(hostport).partition(":")
    database = unquote(parts.path.strip("/"))
    if not host or not database:
        raise SourceError(f"The SQL Server address {spec!r} must name a server and a database, "
                          f"e.g. mssql://SERVER/KsmErp.")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    driver = _pop(options, "driver")
    user = unquote(userinfo) or None
    # The login kind follows from whether a user is named; an explicit setting must agree.
    trusted = _pop(options, "trusted_connection")
    if trusted is not None and trusted.lower() == "yes" and user:
        raise SourceError("The SQL Server address asks for the Windows login and names the SQL "
                          f"login {user} too: leave out one of them.")
    if trusted is not None and trusted.lower() != "yes" and not user:
        raise SourceError("The SQL Server address turns the Windows login off but names no SQL "
                          "login: write mssql://user@SERVER/database.")
    forbidden = [k for k in options if k.lower() in _FORBIDDEN_KEYWORDS]
    if forbidden:
        raise SourceError(f"The SQL Server address must not set {', '.join(forbidden)}: the login "
                          f"goes before the server (mssql://user@SERVER/db) and its password "
                          f"in the OS keyring.")
    return SqlServerTarget(server=f"{host},{port}" if port else host, database=database,
                           user=user, driver=driver, options=options)


def _pop(options: dict[str, str], key: str) -> str | None:
    """Remove and return an option whatever its capitalisation."""
    found = next((k for k in options if k.lower() == key), None)
    return options.pop(found) if found is not None else None


def choose_driver(installed: list[str]) -> str:
    """The newest "ODBC Driver NN for SQL Server", else Windows' built-in "SQL Server"."""
    versions = sorted((int(m.group(1)), name) for name in installed
                      if (m := re.fullmatch(r"ODBC Driver (\d+) for SQL Server", name)))
    if versions:
        return versions[-1][1]
    if _LEGACY_DRIVER in installed:
        return _LEGACY_DRIVER
    raise SourceError("No SQL Server ODBC driver is installed. Install \"Microsoft ODBC Driver 18 "
                      "for SQL Server\" (Windows: from Microsoft's download site; Debian: the "
                      "msodbcsql18 package from Microsoft's repository).")


def _odbc_value(value: str) -> str:
    """Brace a connection-string value that contains characters with a meaning there."""
    if value != value.strip() or any(c in value for c in ";{}="):
        return "{" + value.replace("}", "}}") + "}"
    return value


def odbc_connection_string(target: SqlServerTarget, driver: str, password: str | None = None) -> str:
    """The ODBC connection string for `target`; `password` is required for a SQL login."""
    parts = {"DRIVER": "{" + driver.replace("}", "}}") + "}",
             "SERVER": _odbc_value(target.server), "DATABASE": _odbc_value(target.database)}
    if target.user:
        if password is None:
            raise SourceError(f"No password given for the SQL login {target.user}.")
        parts["UID"] = _odbc_value(target.user)
        parts["PWD"] = "{" + password.replace("}", "}}") + "}"
    else:
        parts["Trusted_Connection"] = "yes"
    parts.update({key: _odbc_value(value) for key, value in target.options.items()})
    return "".join(f"{key}={value};" for key, value in parts.items())


def _keyring_key(server: str, user: str) -> str:
    return f"{server}/{user}"


def sql_password(server: str, user: str) -> str:
    """The SQL login's password from the OS keyring; SourceError saying what to do if absent."""
    try:
        password = keyring.get_password(KEYRING_SERVICE, _keyring_key(server, user))
    except keyring.errors.KeyringError as e:
        raise SourceError(f"The OS keyring could not be read for the SQL login {user} on {server}: "
                          f"{e}") from e
    if password is None:
        raise SourceError(f"No password is stored for the SQL login {user} on server {server}. "
                          f"Enter it once in the data source settings; it is kept in the OS "
                          f"keyring (service {KEYRING_SERVICE!r}, entry "
                          f"{_keyring_key(server, user)!r}).")
    return password


def store_sql_password(server: str, user: str, password: str) -> None:
    """Keep a SQL login's password in the OS keyring, where opening the source finds it.

    `server` is spelled as the address has it: SERVER, SERVER\\INSTANCE, or SERVER,PORT for
    mssql://user@SERVER:PORT/database.
    """
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_key(server, user), password)
    except keyring.errors.KeyringError as e:
        raise SourceError(f"The password for {user} on {server} could not be stored in the OS "
                          f"keyring: {e}") from e


def _installed_odbc_drivers() -> list[str]:
    import pyodbc
    return pyodbc.drivers()


def open_sqlserver(spec: str, installed_drivers: Callable[[], list[str]] = _installed_odbc_drivers
                   ) -> SqlServerSource:
    """Connect to the server a `mssql://` setting names, checking the login at once."""
    target = parse_sqlserver_spec(spec)
    password = sql_password(target.server, target.user) if target.user else None
    driver = target.driver or choose_driver(installed_drivers())
    url = URL.create("mssql+pyodbc",
                     query={"odbc_connect": odbc_connection_string(target, driver, password)})
    return SqlServerSource(create_engine(url), target.describe())


class SqlServerSource(Source):
    """Tables and views of the dbo schema of a SQLAlchemy engine (SQL Server in the plant)."""

    def __init__(self, engine: Engine, description: str):
        super().__init__()
        self._engine = engine
        self._description = description
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as e:
            engine.dispose()
            raise SourceError(f"Could not connect to {description}: {_db_message(e)}") from e

    def describe(self) -> str:
        return self._description

    def location(self, table: str) -> str:
        return f"view {SCHEMA}.{table} on {self._description}"

    def list_tables(self) -> list[str]:
        try:
            inspector = inspect(self._engine)
            names = inspector.get_view_names(schema=SCHEMA) + inspector.get_table_names(schema=SCHEMA)
        except SQLAlchemyError as e:
            raise SourceError(f"Could not list the views of {self._description}: "
                              f"{_db_message(e)}") from e
        return sorted(names)

    def columns(self, table: str) -> list[str]:
        try:
            columns = inspect(self._engine).get_columns(table, schema=SCHEMA)
        except SQLAlchemyError as e:
            raise SourceError(f"Could not read the columns of {self.location(table)}: "
                              f"{_db_message(e)}") from e
        if not columns:
            raise SourceError(f"{self._description} has no view or table {SCHEMA}.{table}.")
        return [column["name"] for column in columns]

    def row_count(self, table: str) -> int:
        return int(self._scalar(f"SELECT COUNT(*) FROM {bracket(SCHEMA)}.{bracket(table)}", table))

    def _batches(self, table: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        query = (f"SELECT {', '.join(bracket(c) for c in columns)} "
                 f"FROM {bracket(SCHEMA)}.{bracket(table)}")
        try:
            with self._engine.connect() as conn:
                yield from pl.read_database(query, conn, iter_batches=True, batch_size=BATCH_ROWS)
        except SQLAlchemyError as e:
            raise SourceError(f"Could not read {self.location(table)}: {_db_message(e)}") from e

    def close(self) -> None:
        self._engine.dispose()

    def _scalar(self, sql: str, table: str) -> Any:
        try:
            with self._engine.connect() as conn:
                return conn.execute(text(sql)).scalar_one()
        except SQLAlchemyError as e:
            raise SourceError(f"Could not read {self.location(table)}: {_db_message(e)}") from e


def _db_message(error: SQLAlchemyError) -> str:
    """The database's own words (without SQLAlchemy's statement dump and links)."""
    original = getattr(error, "orig", None)
    return str(original if original is not None else error).split("\n")[0]
