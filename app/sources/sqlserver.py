"""The plant's SQL Server: read-only ERP views under dbo, through SQLAlchemy and pyodbc.

A setting names the server like `mssql://SERVER/KsmErp` (Windows login) or
`mssql://user@SERVER\\INSTANCE/KsmErp?TrustServerCertificate=yes` (SQL login); the
`mssql+pyodbc://` spelling of a SQLAlchemy URL is accepted too, and `sqlserver_spec` writes one.
Query parameters become ODBC connection keywords, `driver=` picks the ODBC driver (default: the
newest installed). A SQL login's password lives only in the OS keyring under `keyring_key`,
written by `store_sql_password` and read when connecting, never in a setting or file.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import polars as pl
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.sources.base import BATCH_ROWS, Source, SourceError, bracket

log = logging.getLogger(__name__)

KEYRING_SERVICE = "routing-ml"
SCHEMES = ("mssql", "mssql+pyodbc")
SCHEMA = "dbo"
LEGACY_DRIVER = "SQL Server"  # ships with every Windows; no TLS 1.2 on old builds
_FORBIDDEN_KEYWORDS = {"pwd", "password", "uid", "user", "user id"}
_DRIVER_PATTERN = re.compile(r"ODBC Driver (\d+) for SQL Server")
INSTALL_DRIVER = ("Install \"Microsoft ODBC Driver 18 for SQL Server\" (Windows: from Microsoft's "
                  "download site, or ask IT; Debian: the msodbcsql18 package from Microsoft's "
                  "repository).")


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


_PROTOCOL = re.compile(r"(?i)(tcp|np|lpc|admin):(?!\d+$)")


@dataclass(frozen=True)
class ServerAddress:
    """A SQL Server as ODBC's SERVER keyword names it: `[protocol:]host[\\instance][,port]`.

    `host` is a name, an IPv4 address or an IPv6 address (without brackets); a named pipe
    (`np:\\\\host\\pipe\\...`) is kept whole in `host`."""

    host: str
    instance: str = ""
    port: str = ""
    protocol: str = ""      # tcp, np, lpc, admin (lower case), or "" for the driver's choice

    def odbc(self) -> str:
        text = f"{self.protocol}:{self.host}" if self.protocol else self.host
        if self.instance:
            text += "\\" + self.instance
        return f"{text},{self.port}" if self.port else text

    def netloc(self) -> str:
        """The server in a `mssql://` setting (percent-quoted; an IPv6 address in brackets)."""
        text = quote(self.protocol + ":", safe="") if self.protocol else ""
        if ":" in self.host and self.protocol != "np":
            text += "[" + quote(self.host, safe=":") + "]"
        else:
            text += quote(self.host, safe="\\")
        if self.instance:
            text += "\\" + quote(self.instance, safe="")
        return f"{text}:{self.port}" if self.port else text


def parse_server(server: str) -> ServerAddress:
    """Read a server as typed: `HOST`, `HOST\\INSTANCE`, `HOST,1433`, `HOST:1433`, `tcp:HOST,1433`,
    `192.0.2.7,1433`, `[::1],1433`, `[::1]:1433`, `::1` (an IPv6 address without brackets has no
    `:port`: its last group would be taken for one)."""
    text = server.strip()
    protocol = ""
    m = _PROTOCOL.match(text)
    if m:
        protocol, text = m.group(1).lower(), text[m.end():].strip()
    if protocol == "np":           # \\host\pipe\name: no instance or port to read
        if not text:
            raise SourceError(f"The SQL Server {server.strip()!r} names no pipe after np:.")
        return ServerAddress(text, protocol=protocol)
    port = ""
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise SourceError(f"The SQL Server {server.strip()!r} opens '[' without closing it.")
        host, rest = text[1:close], text[close + 1:].replace(":", ",", 1)
        instance = ""
        if rest.startswith("\\"):
            instance, _, port = rest[1:].partition(",")
        elif rest.startswith(","):
            port = rest[1:]
        elif rest:
            raise SourceError(f"The SQL Server {server.strip()!r} has {rest!r} after the address; "
                              f"write [address],port.")
    else:
        if "," in text:
            text, _, port = text.rpartition(",")
        elif text.count(":") == 1:
            text, _, port = text.partition(":")
        host, _, instance = text.partition("\\")
    host, instance, port = host.strip(), instance.strip(), port.strip()
    if not host:
        raise SourceError(f"The SQL Server {server.strip()!r} names no server.")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise SourceError(f"The SQL Server {server.strip()!r} has the port {port!r}: a port is a "
                          f"number from 1 to 65535.")
    return ServerAddress(host, instance, str(int(port)) if port else "", protocol)


def canonical_server(server: str) -> str:
    """The server as ODBC writes it (`HOST:1433` becomes `HOST,1433`; `[::1]:1433` becomes
    `::1,1433`); a server that cannot be read is returned as typed (stripped)."""
    try:
        return parse_server(server).odbc()
    except SourceError:
        return server.strip()


def keyring_key(server: str, user: str) -> str:
    """The OS keyring entry (service `routing-ml`) of a SQL login's password.

    The dialog that stores it and the source that reads it both use this, so `HOST:1433`,
    `HOST,1433` and ` HOST,1433 ` are one entry, and so are `[::1]:1433` and `::1,1433`; the
    user name is kept exactly as typed.
    """
    return f"{canonical_server(server)}/{user}"


def sqlserver_spec(server: str, database: str, user: str | None = None, driver: str | None = None,
                   trust_server_certificate: bool = False) -> str:
    """The `mssql://` setting for a server: what parse_sqlserver_spec reads back unchanged.

    Every part is percent-quoted, so spaces, `+`, `#`, `%` and `@` in a user or database name
    survive. It never holds a password.
    """
    netloc = parse_server(server).netloc()
    if user:
        netloc = quote(user, safe="") + "@" + netloc
    options = {}
    if driver:
        options["driver"] = driver
    if not user:
        options["trusted_connection"] = "yes"
    if trust_server_certificate:
        options["TrustServerCertificate"] = "yes"
    query = urlencode(options, quote_via=quote)
    return f"mssql://{netloc}/{quote(database, safe='')}" + (f"?{query}" if query else "")


def parse_sqlserver_spec(spec: str) -> SqlServerTarget:
    """Read a `mssql://[user@]server[:port]/database[?keyword=value...]` setting."""
    scheme, _, rest = spec.partition("://")
    if scheme.lower() not in SCHEMES:
        raise SourceError(f"{spec!r} is not a SQL Server address; write mssql://server/database.")
    # The netloc is split by hand: urlsplit's .hostname lower-cases the server name, which is
    # also the keyring key of its password.
    try:
        parts = urlsplit("//" + rest)
    except ValueError as exc:   # e.g. a bracketed server that is no IPv6 address
        raise SourceError(f"The SQL Server address {spec!r} cannot be read: {exc}.") from None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if ":" in userinfo:
        raise SourceError("The SQL Server address must not contain a password: it would be kept "
                          "in a settings file. Store the password in the OS keyring instead "
                          "(store_sql_password).")
    database = unquote(parts.path.strip("/"))
    if not hostport or not database:
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
    return SqlServerTarget(server=_server_of_netloc(hostport).odbc(), database=database,
                           user=user, driver=driver, options=options)


def _server_of_netloc(hostport: str) -> ServerAddress:
    """The server of a `mssql://` setting: `HOST:1433`, `tcp%3AHOST:1433`, `[::1]:1433`, `HOST\\KSM`."""
    m = _PROTOCOL.match(unquote(hostport))
    protocol = ""
    if m:   # the protocol's colon may be written plainly (tcp:HOST) or quoted (tcp%3AHOST)
        protocol = m.group(1)
        hostport = re.sub(r"(?i)^" + protocol + r"(%3A|:)", "", hostport)
    if protocol.lower() != "np":
        m = re.fullmatch(r"(.*?)(?::(\d+))?", hostport)
        host, port = m.group(1), m.group(2)
        if port and not host.startswith("[") and ":" in host:   # fe80::1: an unbracketed IPv6 address
            host, port = hostport, None
        hostport = host + (f",{port}" if port else "")
    return parse_server((f"{protocol}:" if protocol else "") + unquote(hostport))


def _pop(options: dict[str, str], key: str) -> str | None:
    """Remove and return an option whatever its capitalisation."""
    found = next((k for k in options if k.lower() == key), None)
    return options.pop(found) if found is not None else None


def sqlserver_drivers(installed: list[str]) -> list[str]:
    """The SQL Server ODBC drivers among `installed`, newest first ("SQL Server" last)."""
    versions = sorted(((int(m.group(1)), name) for name in installed
                       if (m := _DRIVER_PATTERN.fullmatch(name))), reverse=True)
    return [name for _, name in versions] + ([LEGACY_DRIVER] if LEGACY_DRIVER in installed else [])


def choose_driver(installed: list[str]) -> str:
    """The newest "ODBC Driver NN for SQL Server", else Windows' built-in "SQL Server"."""
    drivers = sqlserver_drivers(installed)
    if drivers:
        return drivers[0]
    raise SourceError("No SQL Server ODBC driver is installed on this PC. " + INSTALL_DRIVER)


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


# ---- the OS keyring ---------------------------------------------------------------------------
def _keyring_problem(error: BaseException) -> str:
    """What went wrong with the OS keyring, in words a user can act on."""
    import keyring.errors
    if isinstance(error, keyring.errors.NoKeyringError):
        return ("this PC has no password store Routing ML can use (on Windows the Credential "
                "Manager; on Linux a Secret Service such as GNOME Keyring or KWallet)")
    if isinstance(error, keyring.errors.KeyringLocked):
        return "the OS keyring is locked; unlock it (sign in to the desktop again) and retry"
    # The Windows backend lets pywintypes.error (winerror, function, message) through.
    if type(error).__name__ == "error" and "pywintypes" in type(error).__module__:
        words = error.args[2] if len(error.args) > 2 else str(error)
        code = f" (Windows error {error.args[0]})" if error.args else ""
        return f"the Windows Credential Manager refused it: {words}{code}"
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"the OS keyring failed: {first}"


def sql_password(server: str, user: str) -> str:
    """The SQL login's password from the OS keyring; SourceError saying what to do if absent."""
    import keyring   # here, not at the top: it is not needed to start the window
    try:
        password = keyring.get_password(KEYRING_SERVICE, keyring_key(server, user))
    except Exception as e:  # noqa: BLE001 - backends raise their own types (pywintypes.error)
        raise SourceError(f"The password of the SQL login {user} on {server} could not be read "
                          f"from the OS keyring: {_keyring_problem(e)}. Use Windows "
                          f"authentication instead, or ask IT.") from e
    if password is None:
        raise SourceError(f"No password is stored for the SQL login {user} on server {server}. "
                          f"Enter it once in Settings ▸ Data source; it is kept in the OS "
                          f"keyring (service {KEYRING_SERVICE!r}, entry "
                          f"{keyring_key(server, user)!r}).")
    return password


def store_sql_password(server: str, user: str, password: str) -> None:
    """Keep a SQL login's password in the OS keyring, where opening the source finds it.

    `server` as the user wrote it (SERVER, SERVER\\INSTANCE, SERVER,PORT or SERVER:PORT).
    SourceError in plain words when the keyring cannot take it; nothing is kept elsewhere.
    """
    import keyring
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_key(server, user), password)
    except Exception as e:  # noqa: BLE001 - see sql_password
        raise SourceError(f"The password of the SQL login {user} on {server} could not be saved: "
                          f"{_keyring_problem(e)}. It was not saved anywhere else; use Windows "
                          f"authentication instead, or ask IT.") from e


# ---- connecting ---------------------------------------------------------------------------------
def _import_pyodbc() -> Any:
    try:
        import pyodbc
    except ImportError as e:  # pyodbc loads libodbc, which unixODBC provides (Windows has it)
        raise SourceError(f"The ODBC driver manager cannot be loaded ({e}). On Debian install it "
                          f"with: sudo apt-get install unixodbc") from e
    return pyodbc


def installed_drivers() -> list[str]:
    """The SQL Server ODBC drivers installed on this PC, newest first; [] without ODBC at all."""
    try:
        return sqlserver_drivers(_import_pyodbc().drivers())
    except SourceError:
        return []


def open_sqlserver(spec: str, installed_drivers: Callable[[], list[str]] | None = None
                   ) -> SqlServerSource:
    """Connect to the server a `mssql://` setting names, checking the login at once.

    The ODBC connection string goes to pyodbc.connect unchanged (SQLAlchemy 2.0 would decode
    `+` and `%xx` in an odbc_connect URL parameter, altering such a password). Failures are
    SourceErrors saying in plain words what failed and what to do.
    """
    target = parse_sqlserver_spec(spec)
    password = sql_password(target.server, target.user) if target.user else None
    pyodbc = _import_pyodbc()
    installed = (installed_drivers or pyodbc.drivers)()
    described = target.describe()
    if target.driver and target.driver not in installed:
        raise SourceError(f"Could not connect to {described}: "
                          + _driver_missing(target.driver, installed))
    driver = target.driver or choose_driver(installed)
    connection_string = odbc_connection_string(target, driver, password)

    def connect() -> Any:
        return pyodbc.connect(connection_string)

    engine = create_engine("mssql+pyodbc://", module=pyodbc, creator=connect)
    return SqlServerSource(engine, described,
                           explain=lambda e: explain_odbc_error(e, target, driver, installed))


def _driver_missing(driver: str, installed: list[str]) -> str:
    others = sqlserver_drivers(installed)
    if others:
        return (f"the ODBC driver \"{driver}\" is not installed on this PC. Choose one that is "
                f"({', '.join(others)}) in Settings ▸ Data source, or install it.")
    return f"the ODBC driver \"{driver}\" is not installed on this PC. " + INSTALL_DRIVER


def odbc_error_parts(error: BaseException) -> tuple[str, str]:
    """(SQLSTATE, the driver's words without [vendor][driver] prefixes and call names)."""
    original = getattr(error, "orig", None) or error
    args = getattr(original, "args", ())
    state = str(args[0]) if len(args) > 1 else ""
    words = str(args[1]) if len(args) > 1 else str(original)
    words = re.sub(r"\s*\((?:-?\d+)\)\s*\(SQL\w+\)", "", words)   # " (18456) (SQLDriverConnect)"
    words = re.sub(r"\(SQL\w+\)", "", words)
    words = re.sub(r"\[[^\]]*\]", "", words)                    # [Microsoft][ODBC Driver 18 ...]
    words = re.sub(r"\s+", " ", words.replace(";", ". ")).strip(" .")
    return state, words


def explain_odbc_error(error: BaseException, target: SqlServerTarget, driver: str,
                       installed: list[str]) -> str:
    """What a failed connection means and what to do, instead of the driver's raw words."""
    state, words = odbc_error_parts(error)
    raw = str(getattr(error, "orig", None) or error)
    low = raw.lower()
    log.warning("SQL Server connection to %s failed: %s", target.describe(), raw.splitlines()[0] if raw else "")
    server, database = target.server, target.database
    if state in ("IM002", "IM003") or "can't open lib" in low or "data source name not found" in low:
        return _driver_missing(driver, installed)
    if "certificate" in low or "target principal name" in low:
        return ("the server's certificate is not trusted by this PC (usual for a server inside "
                "the plant with a self-signed certificate). If this is your plant's server, tick "
                "\"Trust server certificate\" in Settings ▸ Data source (TrustServerCertificate=yes); "
                "or ask IT to install the server's certificate on this PC.")
    if "ssl security error" in low or "encryption not supported" in low or "ssl provider" in low:
        return (f"the ODBC driver \"{driver}\" could not set up an encrypted connection with the "
                f"server (the built-in \"SQL Server\" driver lacks TLS 1.2 on older Windows). "
                + INSTALL_DRIVER)
    if "cannot open database" in low or state == "42000" and "database" in low:
        return (f"the database {database} does not exist on {server}, or your login may not use "
                f"it: check the database name, or ask the database administrator for access.")
    if state == "28000" or "login failed" in low:
        if target.user:
            return (f"the server refused the SQL login {target.user}: the user name or password is "
                    f"wrong, or the login is disabled. Enter the password again in Settings ▸ "
                    f"Data source.")
        return (f"the server refused your Windows login: ask the database administrator to give "
                f"your Windows account read access to database {database} on {server}.")
    if "sspi" in low:
        return ("your Windows login could not be checked with the domain (is the PC on the plant "
                "network or VPN?). Try again on the plant network, or use a SQL login.")
    if (state in ("08001", "HYT00", "08S01") or "timeout" in low or "not found or was not accessible"
            in low or "does not exist or access denied" in low or "no such host" in low):
        return (f"the server {server} could not be reached: check the server name (and "
                f"\\instance or ,port), that this PC is on the plant network or VPN, and that the "
                f"server accepts remote connections.")
    return f"the ODBC driver \"{driver}\" reported: {words or type(error).__name__}"


class SqlServerSource(Source):
    """Tables and views of the dbo schema of a SQLAlchemy engine (SQL Server in the plant)."""

    def __init__(self, engine: Engine, description: str,
                 explain: Callable[[BaseException], str] | None = None):
        """Connect at once; `explain` words a failed connection (default: the database's words)."""
        super().__init__()
        self._engine = engine
        self._description = description
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as e:
            engine.dispose()
            reason = explain(e) if explain is not None else _db_message(e)
            raise SourceError(f"Could not connect to {description}: {reason}") from e

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
    """The database's own words (without SQLAlchemy's statement dump, links and ODBC prefixes)."""
    if isinstance(error, DBAPIError):
        return odbc_error_parts(error)[1] or type(error).__name__
    return str(error).split("\n")[0]
