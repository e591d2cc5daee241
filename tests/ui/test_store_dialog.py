"""Settings ▸ Store: the address each choice makes, the test of it (nothing created), the password
kept in the keyring only, and the choice used by the next start or opened at once."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from app.services import stores
from ui_helpers import LONG


def _dialog(qtbot, make_window, store_url):
    w = make_window(store_url)
    dlg = w.store_dialog()
    assert dlg.kind() == "sqlite" and dlg.path_edit.text().endswith("store.sqlite")   # the store in use
    return w, dlg


def test_a_postgresql_choice_is_saved_for_the_next_start(qtbot, make_window, store_url, monkeypatch):
    from app.ui.main import resolve_gui_store
    monkeypatch.delenv("ROUTING_ML_STORE", raising=False)
    w, dlg = _dialog(qtbot, make_window, store_url)
    dlg.kind_buttons["postgresql"].setChecked(True)
    assert dlg.save() is False and "server name" in dlg.message.text()
    dlg.pg_server.setText("pg01.plant.local:5433")
    dlg.pg_database.setText("routing_ml")
    dlg.pg_user.setText("kim")
    dlg.pg_ssl.setCurrentIndex(dlg.pg_ssl.findData("require"))
    assert dlg.address.text() == "postgresql://kim@pg01.plant.local:5433/routing_ml?sslmode=require"
    assert dlg.save()
    assert QSettings().value("store/url") == "postgresql://kim@pg01.plant.local:5433/routing_ml?sslmode=require"
    assert resolve_gui_store(None) == "postgresql://kim@pg01.plant.local:5433/routing_ml?sslmode=require"
    assert resolve_gui_store("other.sqlite") == "other.sqlite"          # --store still comes first
    again = w.store_dialog()                                             # the saved choice is shown again
    assert again.kind() == "postgresql" and again.pg_server.text() == "pg01.plant.local:5433"
    assert again.pg_ssl.currentData() == "require" and again.pg_user.text() == "kim"


def test_a_sql_server_login_keeps_its_password_in_the_keyring_only(qtbot, make_window, store_url, os_keyring):
    from app.sources.sqlserver import parse_sqlserver_spec
    w, dlg = _dialog(qtbot, make_window, store_url)
    dlg.kind_buttons["mssql"].setChecked(True)
    dlg.ms_server.setText(r"DBSQL01\KSM")
    dlg.ms_database.setText("routing_ml")
    dlg.auth_sql.setChecked(True)
    dlg.ms_user.setText("routing_app")
    dlg.ms_password.setText("s3cret-pw")
    dlg.ms_encrypt.setCurrentIndex(dlg.ms_encrypt.findData("strict"))
    dlg.ms_trust.setChecked(True)
    assert dlg.save()
    url = QSettings().value("store/url")
    target = parse_sqlserver_spec(url)                                   # what the store reads back
    assert (target.server, target.database, target.user) == (r"DBSQL01\KSM", "routing_ml", "routing_app")
    assert {k.lower(): v for k, v in target.options.items()} == {"trustservercertificate": "yes", "encrypt": "strict"}
    assert "s3cret-pw" in os_keyring.entries.values()
    QSettings().sync()
    assert "s3cret-pw" not in Path(QSettings().fileName()).read_text(encoding="utf-8") and "s3cret" not in url
    dlg.auth_windows.setChecked(True)
    assert "trusted_connection=yes" in dlg.address.text() and "routing_app" not in dlg.address.text()


def test_testing_a_server_that_does_not_answer_says_so(qtbot, make_window, store_url):
    w, dlg = _dialog(qtbot, make_window, store_url)
    dlg.kind_buttons["postgresql"].setChecked(True)
    dlg.pg_server.setText("127.0.0.1:1")
    dlg.pg_database.setText("routing_ml")
    with qtbot.waitSignal(dlg.test_connection().signals.done, timeout=LONG):
        pass
    assert dlg.result.text().startswith("✖") and "cannot be reached" in dlg.result.text()


def test_testing_the_store_in_use_counts_what_it_holds(qtbot, make_window, store_url):
    w, dlg = _dialog(qtbot, make_window, store_url)
    with qtbot.waitSignal(dlg.test_connection().signals.done, timeout=LONG):
        pass
    assert "a Routing ML store (schema" in dlg.result.text() and "1 models" in dlg.result.text()


def test_an_empty_postgresql_database_is_tested_untouched_then_opened_as_the_store(qtbot, make_window, store_url,
                                                                                    pg_url):
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    url = make_url(pg_url)
    w, dlg = _dialog(qtbot, make_window, store_url)
    dlg.kind_buttons["postgresql"].setChecked(True)
    dlg.pg_server.setText(f"{url.host}:{url.port or 5432}")
    dlg.pg_database.setText(url.database)
    dlg.pg_user.setText(url.username or "")
    with qtbot.waitSignal(dlg.test_connection().signals.done, timeout=LONG):
        pass
    assert "the database is empty" in dlg.result.text()
    engine = create_engine(pg_url)
    assert inspect(engine).get_table_names() == []                       # the test made nothing
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert w.ctx.store_open and not w.ctx.store.is_sqlite
    assert f"PostgreSQL {url.host}" in w.store_label.text() and f"/{url.database}" in w.store_label.text()
    assert "saved_routing" in inspect(engine).get_table_names()        # made when first opened
    engine.dispose()
    w.ctx.store.dispose()


def test_a_new_store_file_is_made_when_opened_from_the_dialog(qtbot, make_window, store_url, tmp_path):
    w, dlg = _dialog(qtbot, make_window, store_url)
    target = tmp_path / "new" / "mine.sqlite"
    target.parent.mkdir()
    dlg.path_edit.setText(str(target))
    with qtbot.waitSignal(dlg.test_connection().signals.done, timeout=LONG):
        pass
    assert "does not exist yet" in dlg.result.text()
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert w.ctx.store.path == target and target.exists()
    assert stores.describe_url(QSettings().value("store/url")) == str(target)
