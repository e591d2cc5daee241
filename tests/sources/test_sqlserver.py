"""SQL Server addresses, connection strings and passwords; reading through a stand-in engine."""
from __future__ import annotations

from pathlib import Path

import keyring
import keyring.errors
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import create_engine, event

from app.domain.schema import VIEW_KINDS
from app.sources import SourceError, open_source, read_views, store_sql_password
from app.sources.sqlserver import (KEYRING_SERVICE, SqlServerSource, SqlServerTarget,
                                   choose_driver, odbc_connection_string, open_sqlserver,
                                   parse_sqlserver_spec, sql_password)

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
    assert choose_driver(["SQL Server", "MDBTools"]) == "SQL Server"
    with pytest.raises(SourceError, match="Microsoft ODBC Driver 18 for SQL Server"):
        choose_driver(["MDBTools"])


def test_password_comes_from_the_keyring(fake_keyring: dict) -> None:
    store_sql_password("ERPSRV", "kim", "s3cret")
    assert fake_keyring == {(KEYRING_SERVICE, "ERPSRV/kim"): "s3cret"}
    assert sql_password("ERPSRV", "kim") == "s3cret"


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
    with pytest.raises(SourceError, match="OS keyring could not be read"):
        sql_password("ERPSRV", "kim")


def test_failed_connection_names_server_and_database_but_not_the_password(
        fake_keyring: dict) -> None:
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
