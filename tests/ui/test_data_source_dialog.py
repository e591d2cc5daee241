"""Settings ▸ Data source as a user meets it: SQL Server sign-in, the keyring, drivers, Test connection."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import keyring
import keyring.errors
import pytest
from PySide6.QtCore import QPoint, QRect

from odbc_fakes import FakeOdbcError, FakePyodbc
from ui_helpers import LONG

ALL_DRIVERS = ["ODBC Driver 17 for SQL Server", "SQL Server", "MDBTools"]
CERTIFICATE_NOT_TRUSTED = FakeOdbcError(
    "08001", "[Microsoft][ODBC Driver 18 for SQL Server]SSL Provider: The certificate chain was issued by an "
    "authority that is not trusted. (-2146893019) (SQLDriverConnect)")


@pytest.fixture
def fake_keyring(monkeypatch):
    stored = {}
    monkeypatch.setattr(keyring, "set_password", lambda svc, key, pw: stored.__setitem__((svc, key), pw))
    monkeypatch.setattr(keyring, "get_password", lambda svc, key: stored.get((svc, key)))
    return stored


@pytest.fixture
def server(monkeypatch):
    """No SQL Server here: pyodbc is a stand-in that records what it was asked and refuses."""
    fake = FakePyodbc(ALL_DRIVERS)
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    return fake


@pytest.fixture
def make_dialog(qtbot):
    from app.ui.dialogs import DataSourceDialog
    from app.ui.workers import TaskRunner

    runner = TaskRunner()

    def make(**kwargs) -> DataSourceDialog:
        dlg = DataSourceDialog(runner, import_mode=kwargs.pop("import_mode", True), **kwargs)
        qtbot.addWidget(dlg)
        dlg.show()
        return dlg

    yield make
    runner.wait()


def run_test(qtbot, dlg) -> str:
    task = dlg.test_connection()
    if task is not None:
        with qtbot.waitSignal(task.signals.done, timeout=LONG):
            pass
    return dlg.test_result.text()


def sql_login(dlg, server="ERPSQL01:1433", user="routing reader", password="pa+ss;w}rd%41") -> None:
    dlg.kind_buttons["sqlserver"].setChecked(True)
    dlg.server_edit.setText(server)
    dlg.database_edit.setText("KsmErp")
    dlg.auth_sql.setChecked(True)
    dlg.user_edit.setText(user)
    dlg.password_edit.setText(password)


@pytest.mark.parametrize("typed, odbc", [("ERPSQL01:1433", "ERPSQL01,1433"),
                                         ("tcp:ERPSQL01,1433", "tcp:ERPSQL01,1433"),
                                         ("[::1],1433", "::1,1433")])
def test_test_connection_signs_in_with_the_sql_login_and_its_saved_password(
        qtbot, make_dialog, fake_keyring, server, typed, odbc):
    dlg = make_dialog()
    sql_login(dlg, server=typed)
    result = run_test(qtbot, dlg)
    (sent,) = server.connection_strings
    assert f"SERVER={odbc};" in sent
    assert "UID=routing reader;" in sent and "PWD={pa+ss;w}}rd%41};" in sent
    assert "Trusted_Connection" not in sent
    assert fake_keyring == {("routing-ml", f"{odbc}/routing reader"): "pa+ss;w}rd%41"}
    assert result.startswith(f"✖ Could not connect to SQL Server {odbc}, database KsmErp "
                             "(SQL login routing reader): the server refused the SQL login routing reader")
    assert "[Microsoft]" not in result and "18456" not in result
    assert dlg.password_edit.text() == ""          # kept in the keyring, not in the widget
    run_test(qtbot, dlg)                           # again, without typing it: found in the keyring
    assert server.connection_strings[1] == sent


def test_a_port_that_is_not_a_number_is_named_before_connecting(qtbot, make_dialog, fake_keyring, server):
    dlg = make_dialog()
    sql_login(dlg, server="ERPSQL01,14x")
    assert run_test(qtbot, dlg).startswith("✖ ERPSQL01,14x is not a server name: write SERVER, "
                                           "SERVER\\INSTANCE or SERVER,PORT (the port a number from 1 to 65535")
    assert server.connection_strings == [] and fake_keyring == {}
    assert not dlg.save()


def test_windows_authentication_and_trusting_the_certificate(qtbot, make_dialog, server):
    server.answer = CERTIFICATE_NOT_TRUSTED
    dlg = make_dialog()
    dlg.kind_buttons["sqlserver"].setChecked(True)
    dlg.server_edit.setText(r"ERPSQL01\KSM")
    result = run_test(qtbot, dlg)
    assert 'tick "Trust server certificate"' in result and "certificate chain" not in result
    assert "Trusted_Connection=yes;" in server.connection_strings[0]
    assert "TrustServerCertificate" not in server.connection_strings[0]
    dlg.trust_box.setChecked(True)
    run_test(qtbot, dlg)
    assert server.connection_strings[1].endswith("Trusted_Connection=yes;TrustServerCertificate=yes;")


def test_only_installed_drivers_are_offered_and_a_chosen_one_is_used(qtbot, make_dialog, server):
    dlg = make_dialog()
    offered = [dlg.driver_box.itemText(i) for i in range(dlg.driver_box.count())]
    assert offered == ["Newest installed (ODBC Driver 17 for SQL Server)", "ODBC Driver 17 for SQL Server",
                       "SQL Server"]
    assert not dlg.driver_hint.isVisibleTo(dlg)
    dlg.kind_buttons["sqlserver"].setChecked(True)
    dlg.server_edit.setText("ERPSQL01")
    dlg.driver_box.setCurrentIndex(2)
    run_test(qtbot, dlg)
    assert server.connection_strings[0].startswith("DRIVER={SQL Server};")
    assert dlg.save()
    assert make_dialog().driver_box.currentText() == "SQL Server"   # the choice is remembered


def test_without_any_sql_server_driver_the_dialog_says_what_to_install(make_dialog, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyodbc", FakePyodbc(["MDBTools"]))
    dlg = make_dialog()
    dlg.kind_buttons["sqlserver"].setChecked(True)
    assert not dlg.driver_box.isEnabled()
    assert dlg.driver_hint.isVisibleTo(dlg)
    assert "Microsoft ODBC Driver 18 for SQL Server" in dlg.driver_hint.text()


def test_a_missing_keyring_is_said_in_plain_words(qtbot, make_dialog, server, monkeypatch):
    def no_backend(*args):
        raise keyring.errors.NoKeyringError(
            "No recommended backend was available. Install a recommended 3rd party backend package; "
            "or, install the keyrings.alt package if you want to use the non-recommended backends.")
    monkeypatch.setattr(keyring, "set_password", no_backend)
    dlg = make_dialog()
    sql_login(dlg)
    assert run_test(qtbot, dlg) == ""
    assert server.connection_strings == []
    shown = dlg.message.label.text()
    assert dlg.message.isVisibleTo(dlg)
    assert "could not be saved: this PC has no password store Routing ML can use" in shown
    assert "keyrings.alt" not in shown and "backend" not in shown
    assert not dlg.save()


def _views_sqlite(path: Path, routing_columns: str = "ITEM_CD, ROUT_NO, PROC_SEQ, JOB_CD") -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE Customers (id)")
        con.execute("CREATE TABLE BI_ITEM_INFO_VIEW (ITEM_CD, ITEM_NM, PART_TYPE)")
        con.execute(f"CREATE TABLE BI_ROUTING_VIEW ({routing_columns})")
    return path


def test_test_connection_checks_the_three_views_and_their_columns_as_import_does(
        qtbot, make_dialog, tmp_path):
    from app.domain.schema import COLUMNS, ITEMS, RESULTS, ROUTINGS
    from app.services.importing import check_source

    dlg = make_dialog()
    dlg.kind_buttons["sqlite"].setChecked(True)
    dlg.path_edit.setText(str(_views_sqlite(tmp_path / "no-results.sqlite")))
    result = run_test(qtbot, dlg)
    assert result.startswith("✖ The ERP views in SQLite file")
    assert "BI_WORK_ORDER_RESULTS: the work-order results view was not found" in result
    assert "Its tables are: BI_ITEM_INFO_VIEW, BI_ROUTING_VIEW, Customers" in result
    assert "Connected" not in result

    plant = tmp_path / "plant.sqlite"
    with sqlite3.connect(plant) as con:
        for name, kind in (("BI_ITEM_INFO_VIEW", ITEMS), ("BI_ROUTING_VIEW", ROUTINGS),
                           ("BI_WORK_ORDER_RESULTS", RESULTS)):
            columns = [c for c in COLUMNS[kind] if not (kind == RESULTS and c == "MACH_WORKED_HOURS")]
            con.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
    dlg.path_edit.setText(str(plant))
    result = run_test(qtbot, dlg)
    assert result.startswith("✖ The ERP views in SQLite file"), result
    assert "MACH_WORKED_HOURS" in result
    with pytest.raises(Exception) as refused:   # the import's own check says the same
        check_source(str(plant))
    assert "MACH_WORKED_HOURS" in str(refused.value)

    dlg.kind_buttons["folder"].setChecked(True)
    dlg.path_edit.setText(str(tmp_path / "nowhere"))
    assert "does not exist" in run_test(qtbot, dlg)


def test_test_connection_on_good_views_says_an_import_can_read_them(qtbot, make_dialog, demo_plant_file):
    dlg = make_dialog()
    dlg.kind_buttons["sqlite"].setChecked(True)
    dlg.path_edit.setText(str(demo_plant_file))
    result = run_test(qtbot, dlg)
    assert result.startswith("✔ Connected to SQLite file"), result
    assert "BI_ITEM_INFO_VIEW, BI_ROUTING_VIEW, BI_WORK_ORDER_RESULTS" in result
    listed = [dlg.tables.item(i).text() for i in range(dlg.tables.count())]
    assert "✔ BI_ROUTING_VIEW" in listed


def _in_dialog(widget, dlg) -> QRect:
    return QRect(widget.mapTo(dlg, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("drivers", [ALL_DRIVERS, []])
def test_sign_in_choices_do_not_overlap_and_no_label_is_cut(qtbot, qapp, make_dialog, monkeypatch, language,
                                                            drivers):
    from app.ui.main import configure_application
    monkeypatch.setitem(sys.modules, "pyodbc", FakePyodbc(drivers, CERTIFICATE_NOT_TRUSTED))
    configure_application(qapp, language)
    try:
        dlg = make_dialog()
        dlg.kind_buttons["sqlserver"].setChecked(True)
        dlg.resize(dlg.minimumSizeHint())
        qtbot.waitUntil(lambda: dlg.size() == dlg.minimumSizeHint().expandedTo(dlg.minimumSize()))
        _assert_nothing_overlaps(dlg)
        dlg.server_edit.setText("ERPSQL01")
        assert len(run_test(qtbot, dlg)) > 150   # a long message: the dialog grows, the rows keep their height
        qtbot.wait(100)                          # let the layout settle as it would on screen
        _assert_nothing_overlaps(dlg)
    finally:
        configure_application(qapp, "en")


def _assert_nothing_overlaps(dlg) -> None:
    """The sign-in choices, and every row of the shown page, side by side and whole."""
    from PySide6.QtWidgets import QLabel, QWidget
    windows, sql = _in_dialog(dlg.auth_windows, dlg), _in_dialog(dlg.auth_sql, dlg)
    assert not windows.intersects(sql)
    page = dlg.pages.currentWidget()
    shown = [w for w in page.findChildren(QWidget) if w.isVisibleTo(dlg) and not w.findChildren(QWidget)
             and w.parent() is page]
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert not _in_dialog(a, dlg).intersects(_in_dialog(b, dlg)), (a.objectName() or a.text(),
                                                                           b.objectName() or b.text())
    for widget in [dlg.auth_windows, dlg.auth_sql, dlg.trust_box, *page.findChildren(QLabel)]:
        if widget.isVisibleTo(dlg) and widget.text() and not getattr(widget, "wordWrap", lambda: False)():
            assert widget.width() >= widget.sizeHint().width(), f"{widget.text()!r} is cut"
            assert widget.height() >= widget.sizeHint().height() - 1, f"{widget.text()!r} is cut"
