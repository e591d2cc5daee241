"""Opening a shared store on a database server: PostgreSQL (psycopg) or SQL Server (pyodbc).

`--store`, `ROUTING_ML_STORE` and the machine setting STORE take a SQLAlchemy URL:

- `postgresql://pg01/routing_ml` (also `postgresql+psycopg://…`, `postgres://…`): psycopg 3; a
  password, if the server wants one, from `~/.pgpass` / `%APPDATA%\\postgresql\\pgpass.conf` or
  PGPASSWORD, never from a setting.
- `mssql://ERPSQL01\\KSM/routing_ml` (Windows integrated login, `Trusted_Connection=yes`) or
  `mssql://kim@ERPSQL01,1433/routing_ml` (SQL login; its password in the OS keyring as for the
  ERP source, see app.sources.sqlserver). `?driver=ODBC+Driver+17+for+SQL+Server` picks the
  ODBC driver (default: the newest "ODBC Driver NN for SQL Server", then FreeTDS on Linux, then
  Windows' built-in "SQL Server"); `?Encrypt=yes|no|strict` and `?TrustServerCertificate=yes` go
  to Microsoft's drivers as they are, and become FreeTDS's own `Encryption=` on FreeTDS. The
  `mssql+pyodbc://` spelling works too.

The connection string goes to pyodbc.connect unchanged (never through SQLAlchemy's URL parsing,
which would decode `+` and `%xx` in a password). Connections are checked before use (a ping on
checkout, as `pool_pre_ping` does; see ping_on_checkout), so a server restarted while the program
runs costs one failed action, not a broken program.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Engine, make_url

APPLICATION_NAME = "Routing ML"
PG_DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 10
FREETDS = "FreeTDS"
# FreeTDS speaks TDS 7.4 (SQL Server 2012 and later) only when told; older versions lose
# NVARCHAR(MAX) and DATETIME2, which the store needs.
FREETDS_TDS_VERSION = "7.4"


_FRESH = "routing_ml.fresh"   # a connection record's info: connected since its last checkout
_checkout = threading.local()


def ping_on_checkout(engine: Engine) -> Engine:
    """What `pool_pre_ping` does, as the pool's checkout listener: a pooled connection is pinged
    before it is handed out (a new one is not), and one found dead replaces every older pooled
    connection (the server restarted: they are all dead) and a new one is handed out. Skipped for
    a checkout inside unpinged_checkout(), whose first statement is the ping itself."""
    dialect = engine.dialect

    def connected(_dbapi_connection, record) -> None:
        record.info[_FRESH] = True

    def ping(dbapi_connection, record, _proxy) -> None:
        if record.info.pop(_FRESH, False) or getattr(_checkout, "unpinged", False):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise exc.InvalidatePoolError(f"ping failed: {err}") from err
            raise
    event.listen(engine, "connect", connected)
    event.listen(engine, "checkout", ping)
    return engine


@contextmanager
def unpinged_checkout() -> Iterator[None]:
    """Connections checked out in this block (this thread) are not pinged: for a read whose
    statement is its own ping, run again when it finds the connection dead (Store.read_scalar)."""
    _checkout.unpinged = True
    try:
        yield
    finally:
        _checkout.unpinged = False


class ServerStoreError(Exception):
    """The server store's address or driver is unusable; the message says what to do."""


def backend_of(url: URL) -> str:
    return url.get_backend_name()


def normalise_url(url: URL) -> URL:
    """`postgresql://` and `postgres://` mean psycopg 3 (the driver the program ships)."""
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        return url.set(drivername=PG_DRIVER)
    return url


# ---- SQL Server ---------------------------------------------------------------------------------
def store_drivers(installed: list[str], platform: str | None = None) -> list[str]:
    """The ODBC drivers a SQL Server store may use among `installed`, best first: Microsoft's
    "ODBC Driver NN for SQL Server" (newest first), then FreeTDS (Linux), then Windows' built-in
    "SQL Server" (no TLS 1.2 on older Windows)."""
    from app.sources.sqlserver import LEGACY_DRIVER, sqlserver_drivers
    microsoft = [d for d in sqlserver_drivers(installed) if d != LEGACY_DRIVER]
    freetds = [d for d in installed if d.lower() == FREETDS.lower()]
    legacy = [LEGACY_DRIVER] if LEGACY_DRIVER in installed else []
    return microsoft + freetds + legacy


def choose_store_driver(installed: list[str]) -> str:
    drivers = store_drivers(installed)
    if not drivers:
        from app.sources.sqlserver import INSTALL_DRIVER
        raise ServerStoreError("No SQL Server ODBC driver is installed on this PC. " + INSTALL_DRIVER
                               + " On Linux the FreeTDS driver works too (Debian: sudo apt-get install tdsodbc).")
    return drivers[0]


def is_freetds(driver: str) -> bool:
    return driver.lower() == FREETDS.lower() or "libtdsodbc" in driver.lower()


def mssql_connection_string(spec: str, driver: str, password: str | None = None) -> str:
    """The ODBC connection string of a `mssql://` store address for `driver`.

    Microsoft's drivers: SERVER=host\\instance or host,port, Trusted_Connection=yes without a SQL
    login, the address's other options (Encrypt, TrustServerCertificate, …) unchanged.
    FreeTDS: SERVER and PORT apart, TDS_Version 7.4, UTF-8 to the client, Encrypt as FreeTDS's
    Encryption (require / request / off); TrustServerCertificate is left out (FreeTDS checks a
    certificate only when freetds.conf names a CA file)."""
    from app.sources.sqlserver import SqlServerTarget, odbc_connection_string, parse_sqlserver_spec
    target = parse_sqlserver_spec(spec)
    if not is_freetds(driver):
        options = {"APP": APPLICATION_NAME, **target.options}
        return odbc_connection_string(SqlServerTarget(target.server, target.database, target.user,
                                                      target.driver, options), driver, password)
    host, comma, port = target.server.partition(",")
    options = {k: v for k, v in target.options.items() if k.lower() != "trustservercertificate"}
    encrypt = next((options.pop(k) for k in list(options) if k.lower() == "encrypt"), None)
    if encrypt is not None:
        options["Encryption"] = {"yes": "require", "true": "require", "mandatory": "require",
                                 "strict": "require", "no": "request", "false": "request",
                                 "optional": "request"}.get(encrypt.lower(), encrypt)
    if not any(k.lower() == "tds_version" for k in options):
        options["TDS_Version"] = FREETDS_TDS_VERSION
    if not any(k.lower() == "clientcharset" for k in options):
        options["ClientCharset"] = "UTF-8"
    if comma:
        options = {"Port": port, **options}
    return odbc_connection_string(SqlServerTarget(host, target.database, target.user, target.driver,
                                                  options), driver, password)


def mssql_engine(spec: str, installed_drivers: Callable[[], list[str]] | None = None,
                 password: Callable[[str, str], str] | None = None,
                 connect: Callable[[str], Any] | None = None) -> tuple[Engine, str]:
    """An engine on the SQL Server store `spec` and a description of it (server, database, login,
    driver). `installed_drivers`, `password` and `connect` stand in for pyodbc and the keyring in
    tests."""
    from app.sources.sqlserver import (
        SourceError,
        _driver_missing,
        _import_pyodbc,
        parse_sqlserver_spec,
        sql_password,
    )
    try:
        target = parse_sqlserver_spec(spec)
    except SourceError as exc:
        raise ServerStoreError(str(exc).replace("SQL Server address", "SQL Server store address")) from None
    pyodbc = None
    if installed_drivers is None or connect is None:
        try:
            pyodbc = _import_pyodbc()
        except SourceError as exc:
            raise ServerStoreError(str(exc)) from None
    installed = (installed_drivers or pyodbc.drivers)()
    if target.driver and target.driver not in installed:
        raise ServerStoreError(f"Cannot open the store on {target.describe()}: "
                               + _driver_missing(target.driver, installed))
    driver = target.driver or choose_store_driver(installed)
    secret = None
    if target.user:
        try:
            secret = (password or sql_password)(target.server, target.user)
        except SourceError as exc:
            raise ServerStoreError(str(exc)) from None
    connection_string = mssql_connection_string(spec, driver, secret)
    opener = connect or (lambda cs: pyodbc.connect(cs, timeout=CONNECT_TIMEOUT_S))
    engine = create_engine("mssql+pyodbc://", creator=lambda: opener(connection_string),
                           deprecate_large_types=True,   # SQL Server 2012+: NVARCHAR(max)
                           **({"module": pyodbc} if pyodbc is not None else {}))
    return ping_on_checkout(engine), f"{target.describe()} via {driver}"


def pg_engine(url: URL) -> Engine:
    return ping_on_checkout(create_engine(normalise_url(url),
                                          connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                                        "application_name": APPLICATION_NAME}))


def server_engine(url: URL | str) -> tuple[Engine, str]:
    """The engine of a server store and what to call it in messages (never with a password)."""
    url = make_url(url) if isinstance(url, str) else url
    backend = backend_of(url)
    if backend == "postgresql":
        shown = normalise_url(url)
        return pg_engine(url), f"PostgreSQL {shown.host or 'localhost'}{':' + str(shown.port) if shown.port else ''}/{shown.database or ''}"
    if backend == "mssql":
        return mssql_engine(url.render_as_string(hide_password=False))
    return ping_on_checkout(create_engine(url)), f"{backend} {url.host or ''}/{url.database or ''}"

