"""No secret ends up in a file the program writes: a SQL login's and a directory's bind password go
to the OS keyring only, never to the settings, the log, the store (audit trail included), exports or
checkpoints."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings

from app.domain.access import User
from app.services import audit, credentials, identity
from app.services.audit import AuditFilter
from app.store.db import Store
from ui_helpers import LONG

SQL_SECRET = "Sql-S3cret-비번!"
LDAP_SECRET = "Ldap-S3cret-pw#7"


def _files_under(*roots: Path):
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_no_secret_in_any_file_the_program_writes(qtbot, make_window, store_url, tmp_path, os_keyring, monkeypatch):
    from app.cli import main
    from app.logs import setup_logging
    log_file = setup_logging()
    w = make_window(store_url)

    # a SQL login in Settings ▸ Data source
    dlg = w.data_source_dialog()
    dlg.kind_buttons["sqlserver"].setChecked(True)
    dlg.server_edit.setText(r"ERPSQL01\KSM")
    dlg.database_edit.setText("KsmErp")
    dlg.auth_sql.setChecked(True)
    dlg.user_edit.setText("routing_reader")
    dlg.password_edit.setText(SQL_SECRET)
    store = Store(store_url)
    before = audit.count(store, AuditFilter(action="settings.change"), user=w.ctx.user)
    assert dlg.save()
    dlg.accept()
    qtbot.waitUntil(lambda: audit.count(store, AuditFilter(action="settings.change"), user=w.ctx.user) > before,
                    timeout=LONG)

    # a directory with a service account in Settings ▸ Roles and audit
    roles_dlg = w.roles_dialog()
    qtbot.waitUntil(lambda: roles_dlg.table.rowCount() >= 0 and not w.runner.running(), timeout=LONG)
    roles_dlg.use_directory.setChecked(True)
    roles_dlg.server.setText("ldaps://127.0.0.1:1")
    roles_dlg.base_dn.setText("DC=ksm,DC=local")
    roles_dlg.bind.setCurrentIndex(roles_dlg.bind.findData("simple"))
    roles_dlg.bind_user.setText("CN=routing-svc,DC=ksm,DC=local")
    roles_dlg.bind_password.setText(LDAP_SECRET)
    roles_dlg._add_group("routing-admins", "admin")
    roles_dlg.checkpoint_dir.setText(str(tmp_path / "checkpoints"))
    with qtbot.waitSignal(roles_dlg.saved, timeout=LONG):
        roles_dlg.save()
    assert os_keyring.entries[(credentials.SERVICE, "ldap:CN=routing-svc,DC=ksm,DC=local@ldaps://127.0.0.1:1")] \
        == LDAP_SECRET
    assert any(v == SQL_SECRET for v in os_keyring.entries.values())

    # signing in now asks the (unreachable) directory with that password; the refusal goes to the log
    me = identity.sign_in(store)
    assert me.role == "" and "cannot be reached" in me.role_note
    assert main(["--store", store_url.removeprefix("sqlite:///"), "audit", "list"]) == 2
    logging.getLogger("app").warning("a line of the log")
    # a detail naming a password is written as ***
    admin = User("KSM\\park.admin", "admin", "PC-ADMIN")
    audit.record(store, "settings.change", "x", {"bind_password": LDAP_SECRET}, admin)
    for suffix in (".csv", ".xlsx"):
        audit.export(store, tmp_path / "exports" / f"trail{suffix}", user=admin)
    store.dispose()
    w.save_settings()
    QSettings().sync()

    roots = [Path(store_url.removeprefix("sqlite:///")).parent, tmp_path, log_file.parent,
             Path(QSettings().fileName()).parent]
    checked = 0
    for path in _files_under(*roots):
        data = path.read_bytes()
        for secret in (SQL_SECRET, LDAP_SECRET):
            for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                assert encoded not in data, f"{secret!r} found in {path}"
        checked += 1
    names = {p.name for p in _files_under(*roots)}
    assert {"store.sqlite", "trail.csv", "trail.xlsx", log_file.name} <= names and checked > 5
    assert any(n.endswith(".ini") or n.endswith(".conf") for n in names)   # the settings file was looked at
