"""SQL Server addresses, connection strings and passwords; reading through a stand-in engine."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import create_engine, event

from app.domain.schema import VIEW_KINDS
from app.sources import SourceError, open_source, read_views, store_sql_password
from app.sources.sqlserver import (KEYRING_SERVICE, SqlServerSource, SqlServerTarget,
                                   choose_driver, explain_odbc_error, installed_drivers,
                                   keyring_key, odbc_connection_string, open_sqlserver,
                                   parse_sqlserver_spec, sql_password, sqlserver_drivers,
                                   sqlserver_spec)

from odbc_fakes import LOGIN_FAILED, FakeOdbcError, FakePyodbc

from .conftest import expected_frame, write_sqlite


@pytest.fixture
def fake_keyring(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], str]:
    stored: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "get_password", lambda service, key: stored.get((service, key)))
    monkeypatch.setattr(keyring, "set_password",
                        lambda service, key, password: stored.__setitem__((service, key), password))
    return stored


@pytest.mark.parametrize("spec, target", [
    ("mssql://ERPSRV/KsmErp", SqlServerTarget("ERPSRV", "KsmErp")),
    ("mssql://ERPSRV\\ERP/KsmErp", SqlServerTarget("ERPSRV\\ERP", "KsmErp")),
    ("mssql://kim@erp.plant.local:1433/KsmErp?TrustServerCertificate=yes",
     SqlServerTarget("erp.plant.local,1433", "KsmErp", "kim",
                     options={"TrustServerCertificate": "yes"})),
    ("mssql+pyodbc://ERPSRV/KsmErp?driver=ODBC+Driver+17+for+SQL+Server&trusted_connection=yes",
     SqlServerTarget("ERPSRV", "KsmErp", driver="ODBC Driver 17 for SQL Server")),
])
def test_addresses_are_parsed(spec: str, target: SqlServerTarget) -> None:
    assert parse_sqlserver_spec(spec) == target


@pytest.mark.parametrize("spec, words", [
    ("mssql://kim:secret@ERPSRV/KsmErp", "must not contain a password"),
    ("mssql://ERPSRV", "must name a server and a database"),
    ("mssql://ERPSRV/KsmErp?PWD=secret", "must not set PWD"),
    ("mssql://kim@ERPSRV/KsmErp?trusted_connection=yes", "names the SQL login kim too"),
])
def test_bad_addresses_are_refused(spec: str, words: str) -> None:
    with pytest.raises(SourceError, match=words) as error:
        parse_sqlserver_spec(spec)
    assert "secret" not in str(error.value)


def test_windows_login_connection_string() -> None:
    target = parse_sqlserver_spec("mssql://ERPSRV\\ERP/KsmErp?Encrypt=yes")
    assert odbc_connection_string(target, "ODBC Driver 18 for SQL Server") == (
        "DRIVER={ODBC Driver 18 for SQL Server};SERVER=ERPSRV\\ERP;DATABASE=KsmErp;"
        "Trusted_Connection=yes;Encrypt=yes;")


def test_sql_login_connection_string_braces_the_password() -> None:
    target = parse_sqlserver_spec("mssql://kim@ERPSRV/KsmErp")
    text = odbc_connection_string(target, "ODBC Driver 18 for SQL Server", "p;w}d")
    assert text == ("DRIVER={ODBC Driver 18 for SQL Server};SERVER=ERPSRV;DATABASE=KsmErp;"
                    "UID=kim;PWD={p;w}}d};")
    assert "Trusted_Connection" not in text


def test_newest_installed_driver_is_chosen() -> None:
    assert choose_driver(["SQL Server", "ODBC Driver 17 for SQL Server",
                          "ODBC Driver 18 for SQL Server", "MDBTools"]) == "ODBC Driver 18 for SQL Server"
    assert choose_driver(["SQL Server", "ODBC Driver 9 for SQL Server",
                          "ODBC Driver 17 for SQL Server"]) == "ODBC Driver 17 for SQL Server"
    assert choose_driver(["SQL Server", "MDBTools"]) == "SQL Server"
    with pytest.raises(SourceError, match="Microsoft ODBC Driver 18 for SQL Server"):
        choose_driver(["MDBTools"])
    assert sqlserver_drivers(["SQL Server", "MDBTools", "ODBC Driver 17 for SQL Server",
                              "ODBC Driver 18 for SQL Server"]) == [
        "ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server", "SQL Server"]


def test_password_comes_from_the_keyring(fake_keyring: dict) -> None:
    store_sql_password("ERPSRV", "kim", "s3cret")
    assert fake_keyring == {(KEYRING_SERVICE, "ERPSRV/kim"): "s3cret"}
    assert sql_password("ERPSRV", "kim") == "s3cret"


@pytest.fixture
def fake_pyodbc(monkeypatch: pytest.MonkeyPatch) -> FakePyodbc:
    """No unixodbc or SQL Server needed: `import pyodbc` gives a stand-in."""
    fake = FakePyodbc(["ODBC Driver 17 for SQL Server", "ODBC Driver 18 for SQL Server",
                       "SQL Server"])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    return fake


@pytest.mark.parametrize("server", ["ERPSQL01", "erp.plant.local:1433", "erp.plant.local,1433",
                                    "ERPSQL01\\KSM", " ERPSQL01\\KSM ", "tcp:ERPSQL01,1433",
                                    "TCP:ERPSQL01\\KSM", "[::1],1433", "[2001:db8::7]:1433", "fe80::1",
                                    "192.0.2.7,14330", "np:\\\\ERPSQL01\\pipe\\MSSQL$KSM\\sql\\query"])
@pytest.mark.parametrize("user, password", [
    ("kim", "pa+ss%2Bw;o}rd"),
    ("routing reader", " lead and trail "),
    ("DOMAIN\\kim", "{braced};=+%41"),
])
def test_password_saved_by_the_dialog_is_the_one_the_connection_uses(
        fake_keyring: dict, fake_pyodbc: FakePyodbc, server: str, user: str, password: str) -> None:
    """The dialog saves under the server as typed; the source reads the spec the dialog writes."""
    store_sql_password(server, user, password)                      # what the dialog does
    spec = sqlserver_spec(server, "Ksm Erp#2", user)                # what the dialog saves
    with pytest.raises(SourceError) as error:
        open_source(spec)
    assert f"refused the SQL login {user}" in str(error.value)
    assert password not in str(error.value)
    (sent,) = fake_pyodbc.connection_strings
    assert "PWD={" + password.replace("}", "}}") + "};" in sent  # every character as typed
    assert "Trusted_Connection" not in sent
    assert "DATABASE={Ksm Erp#2};" in sent or "DATABASE=Ksm Erp#2;" in sent
    target = parse_sqlserver_spec(spec)
    assert target.user == user and target.database == "Ksm Erp#2"
    assert keyring_key(target.server, user) == keyring_key(server, user)


def test_keyring_entries_agree_for_every_spelling_of_a_port() -> None:
    assert keyring_key("HOST:1433", "kim") == keyring_key("HOST,1433", "kim") == "HOST,1433/kim"
    assert keyring_key("HOST\\KSM", "a b") == "HOST\\KSM/a b"
    assert keyring_key("tcp:HOST,1433", "kim") == keyring_key(" TCP:HOST:1433", "kim") == "tcp:HOST,1433/kim"
    assert keyring_key("[::1],1433", "kim") == keyring_key("[::1]:1433", "kim") == "::1,1433/kim"
    assert keyring_key("[fe80::1]", "kim") == keyring_key("fe80::1", "kim") == "fe80::1/kim"


@pytest.mark.parametrize("server, odbc", [
    ("ERPSQL01", "ERPSQL01"),
    ("erp.plant.local:1433", "erp.plant.local,1433"),
    ("tcp:ERPSQL01,1433", "tcp:ERPSQL01,1433"),
    ("tcp:ERPSQL01:1433", "tcp:ERPSQL01,1433"),
    ("tcp:ERPSQL01\\KSM", "tcp:ERPSQL01\\KSM"),
    ("ERPSQL01\\KSM,14330", "ERPSQL01\\KSM,14330"),
    ("[::1],1433", "::1,1433"),
    ("[::1]:1433", "::1,1433"),
    ("::1,1433", "::1,1433"),
    ("fe80::1:1433", "fe80::1:1433"),            # without brackets every group is the address's
    ("tcp:[2001:db8::7],1433", "tcp:2001:db8::7,1433"),
    ("[2001:db8::7]\\KSM,1433", "2001:db8::7\\KSM,1433"),
    ("192.0.2.7,1433", "192.0.2.7,1433"),
    ("lpc:(local)", "lpc:(local)"),
    ("np:\\\\.\\pipe\\MSSQL$KSM\\sql\\query", "np:\\\\.\\pipe\\MSSQL$KSM\\sql\\query"),
])
def test_the_server_reaches_odbc_as_typed_whatever_its_spelling(fake_pyodbc: FakePyodbc, server: str,
                                                                 odbc: str) -> None:
    """What the dialog saves (an mssql:// setting) gives ODBC the server the user typed, in ODBC's
    spelling [protocol:]host[\\instance][,port]."""
    spec = sqlserver_spec(server, "KsmErp")
    assert parse_sqlserver_spec(spec).server == odbc
    with pytest.raises(SourceError):
        open_source(spec)                                           # the stand-in refuses every login
    (sent,) = fake_pyodbc.connection_strings
    assert f"SERVER={odbc};" in sent or "SERVER={" + odbc + "};" in sent


@pytest.mark.parametrize("server, words", [
    ("ERPSQL01,14x", "port '14x'"),
    ("ERPSQL01:70000", "port '70000'"),
    ("[::1,1433", "without closing it"),
    ("[::1]x", "after the address"),
    ("tcp:", "names no server"),
])
def test_a_server_that_cannot_be_read_is_refused_naming_it(server: str, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        sqlserver_spec(server, "KsmErp")


def test_windows_login_spec_and_trusting_the_certificate(fake_pyodbc: FakePyodbc) -> None:
    spec = sqlserver_spec("ERPSQL01\\KSM", "KsmErp", trust_server_certificate=True,
                          driver="ODBC Driver 17 for SQL Server")
    with pytest.raises(SourceError, match="refused your Windows login"):
        open_source(spec)
    assert fake_pyodbc.connection_strings == [
        "DRIVER={ODBC Driver 17 for SQL Server};SERVER=ERPSQL01\\KSM;DATABASE=KsmErp;"
        "Trusted_Connection=yes;TrustServerCertificate=yes;"]


def test_the_newest_installed_driver_is_used_and_a_missing_one_is_named(
        fake_keyring: dict, fake_pyodbc: FakePyodbc) -> None:
    with pytest.raises(SourceError):
        open_source("mssql://ERPSRV/KsmErp")
    assert fake_pyodbc.connection_strings[0].startswith("DRIVER={ODBC Driver 18 for SQL Server};")
    with pytest.raises(SourceError) as error:
        open_source(sqlserver_spec("ERPSRV", "KsmErp", driver="ODBC Driver 13 for SQL Server"))
    message = str(error.value)
    assert 'the ODBC driver "ODBC Driver 13 for SQL Server" is not installed on this PC' in message
    assert "ODBC Driver 18 for SQL Server, ODBC Driver 17 for SQL Server, SQL Server" in message
    assert len(fake_pyodbc.connection_strings) == 1  # no attempt with a driver that is not there
    assert installed_drivers() == ["ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server",
                                   "SQL Server"]


TARGET = SqlServerTarget("ERPSQL01\\KSM", "KsmErp", "kim")


@pytest.mark.parametrize("state, raw, words", [
    ("01000", "[unixODBC][Driver Manager]Can't open lib 'ODBC Driver 18 for SQL Server' : file "
     "not found (0) (SQLDriverConnect)",
     'the ODBC driver "ODBC Driver 18 for SQL Server" is not installed on this PC. Choose one '
     'that is (ODBC Driver 17 for SQL Server)'),
    ("IM002", "[Microsoft][ODBC Driver Manager] Data source name not found and no default driver "
     "specified (0) (SQLDriverConnect)", "is not installed on this PC"),
    ("08001", "[Microsoft][ODBC Driver 18 for SQL Server]SSL Provider: The certificate chain was "
     "issued by an authority that is not trusted. (-2146893019) (SQLDriverConnect)",
     'tick "Trust server certificate"'),
    ("08001", "[Microsoft][ODBC Driver 18 for SQL Server]SSL Provider: [error:0A000086:SSL "
     "routines::certificate verify failed:self-signed certificate] (-1) (SQLDriverConnect)",
     "certificate is not trusted by this PC"),
    ("28000", LOGIN_FAILED.args[1], "refused the SQL login kim: the user name or password is wrong"),
    ("HYT00", "[Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired (0) "
     "(SQLDriverConnect)", "the server ERPSQL01\\KSM could not be reached"),
    ("08001", "[Microsoft][ODBC Driver 18 for SQL Server]Named Pipes Provider: Could not open a "
     "connection to SQL Server [53].  (53) (SQLDriverConnect)", "could not be reached"),
    ("42000", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Cannot open database "
     "\"KsmErp\" requested by the login. The login failed. (4060) (SQLDriverConnect)",
     "the database KsmErp does not exist on ERPSQL01\\KSM, or your login may not use it"),
    ("HY000", "[Microsoft][ODBC Driver 18 for SQL Server]Something new (0) (SQLDriverConnect)",
     'the ODBC driver "ODBC Driver 18 for SQL Server" reported: Something new'),
])
def test_connection_failures_are_explained_in_plain_words(state: str, raw: str, words: str) -> None:
    message = explain_odbc_error(FakeOdbcError(state, raw), TARGET,
                                 "ODBC Driver 18 for SQL Server", ["ODBC Driver 17 for SQL Server"])
    assert words in message
    assert "[Microsoft]" not in message and "SQLDriverConnect" not in message
    assert "Can't open lib" not in message


def test_without_the_odbc_driver_manager_the_package_is_named(
        fake_keyring: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyodbc", None)  # as without libodbc.so.2
    with pytest.raises(SourceError, match="apt-get install unixodbc"):
        open_source("mssql://ERPSRV/KsmErp")
    assert installed_drivers() == []


NO_BACKEND = keyring.errors.NoKeyringError(
    "No recommended backend was available. Install a recommended 3rd party backend package; or, "
    "install the keyrings.alt package if you want to use the non-recommended backends. See "
    "https://pypi.org/project/keyring for details.")
# What keyring's Windows backend lets through from CredWrite (pywin32-ctypes' pywintypes.error).
PywintypesError = type("error", (Exception,), {"__module__": "win32ctypes.pywin32.pywintypes"})


@pytest.mark.parametrize("failure, words", [
    (NO_BACKEND, "this PC has no password store Routing ML can use"),
    (PywintypesError(1783, "CredWrite", "The stub received bad data."),
     "the Windows Credential Manager refused it: The stub received bad data. (Windows error 1783)"),
    (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "the OS keyring is locked"),
])
def test_keyring_failures_are_plain_source_errors(monkeypatch: pytest.MonkeyPatch,
                                                  failure: Exception, words: str) -> None:
    def fail(*args: object) -> None:
        raise failure
    monkeypatch.setattr(keyring, "set_password", fail)
    monkeypatch.setattr(keyring, "get_password", fail)
    with pytest.raises(SourceError) as saving:
        store_sql_password("ERPSRV", "kim", "pw")
    with pytest.raises(SourceError) as reading:
        sql_password("ERPSRV", "kim")
    for error in (saving, reading):
        assert words in str(error.value)
        assert "keyrings.alt" not in str(error.value) and "pypi.org" not in str(error.value)
    assert str(saving.value).startswith("The password of the SQL login kim on ERPSRV could not be saved")


def test_missing_password_says_what_to_do(fake_keyring: dict) -> None:
    with pytest.raises(SourceError) as error:
        open_source("mssql://kim@ERPSRV/KsmErp")
    message = str(error.value)
    assert "No password is stored for the SQL login kim on server ERPSRV" in message
    assert "'ERPSRV/kim'" in message


def test_unavailable_keyring_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(service: str, key: str) -> str:
        raise keyring.errors.NoKeyringError("no backend")
    monkeypatch.setattr(keyring, "get_password", fail)
    with pytest.raises(SourceError, match="could not be read from the OS keyring"):
        sql_password("ERPSRV", "kim")


def test_failed_connection_names_server_and_database_but_not_the_password(
        fake_keyring: dict, pyodbc_module: Any) -> None:
    store_sql_password("ERPSRV", "kim", "s3cret")
    with pytest.raises(SourceError) as error:
        open_sqlserver("mssql://kim@ERPSRV/KsmErp?driver=No+Such+Driver", lambda: [])
    message = str(error.value)
    assert message.startswith("Could not connect to SQL Server ERPSRV, database KsmErp (SQL login kim)")
    assert "s3cret" not in message


def test_views_are_read_from_dbo(tmp_path: Path) -> None:
    """SQLite with a database attached as "dbo" stands in for the server."""
    dbo = write_sqlite(tmp_path / "dbo.sqlite")
    engine = create_engine(f"sqlite:///{tmp_path / 'main.sqlite'}")

    @event.listens_for(engine, "connect")
    def attach(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.execute("ATTACH DATABASE ? AS dbo", (str(dbo),))

    with SqlServerSource(engine, "stand-in server") as source:
        source.view_names["items"] = "dbo.bi_item_info_view"
        assert source.list_tables() == ["BI_ITEM_INFO_VIEW", "BI_ROUTING_VIEW",
                                        "BI_WORK_ORDER_RESULTS"]
        assert source.row_count("BI_ROUTING_VIEW") == 2
        views = read_views(source)
    for kind in VIEW_KINDS:
        assert_frame_equal(views.frames()[kind], expected_frame(kind))
