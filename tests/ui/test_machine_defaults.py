"""The dialogs start from what IT deployed with the MSI: the SQL Server (SERVER, DATABASE) and the
directory for roles (LDAP_URL)."""
from __future__ import annotations

import pytest

from app import machine_settings
from ui_helpers import LONG


@pytest.fixture
def machine_file(tmp_path, monkeypatch):
    f = tmp_path / "settings.ini"
    f.write_text("[RoutingML]\nSERVER=ERPSQL01\\KSM\nDATABASE=KsmErp_Test\nLDAP_URL=ldaps://dc01.ksm.local\n",
                 encoding="utf-8")
    monkeypatch.setenv(machine_settings.FILE_ENV, str(f))
    machine_settings.current.cache_clear()
    yield f
    machine_settings.current.cache_clear()


def test_data_source_dialog_offers_the_deployed_server(qtbot, machine_file):
    from app.ui.dialogs import DataSourceDialog
    from app.ui.workers import TaskRunner

    dlg = DataSourceDialog(TaskRunner())
    qtbot.addWidget(dlg)
    assert dlg.kind() == "sqlserver"
    assert dlg.server_edit.text() == r"ERPSQL01\KSM" and dlg.database_edit.text() == "KsmErp_Test"

    # what the user saves afterwards is theirs, whatever IT deployed
    dlg.kind_buttons["sqlite"].setChecked(True)
    dlg.path_edit.setText("/data/plant.sqlite")
    dlg.server_edit.setText("")
    assert dlg.save()
    again = DataSourceDialog(TaskRunner())
    qtbot.addWidget(again)
    assert again.kind() == "sqlite" and again.server_edit.text() == ""


def test_without_machine_settings_the_dialog_starts_as_before(qtbot, tmp_path, monkeypatch):
    from app.ui.dialogs import DataSourceDialog
    from app.ui.workers import TaskRunner

    monkeypatch.setattr(machine_settings, "DEFAULT_FILE", tmp_path / "absent.ini")
    monkeypatch.delenv(machine_settings.FILE_ENV, raising=False)
    machine_settings.current.cache_clear()
    dlg = DataSourceDialog(TaskRunner())
    qtbot.addWidget(dlg)
    assert dlg.kind() == "sqlite" and dlg.server_edit.text() == "" and dlg.database_edit.text() == "KsmErp"
    machine_settings.current.cache_clear()


def test_roles_dialog_offers_the_deployed_directory(qtbot, machine_file, make_window, store_url):
    w = make_window(store_url)
    dlg = w.roles_dialog()
    qtbot.waitUntil(lambda: dlg.table.rowCount() >= 1 and not w.runner.running(), timeout=LONG)
    assert dlg.server.text() == "ldaps://dc01.ksm.local"
    dlg.close()
