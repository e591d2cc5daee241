"""No secret ends up in a file the program writes: a SQL login's and a directory's bind password go
to the OS keyring only, never to the settings, the log, the store (audit trail included), exports or
checkpoints."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

import ldap_server

from app.domain.access import User
from app.services import audit, credentials, identity
from app.services.audit import AuditFilter
from app.store.db import Store
from ui_helpers import LONG

SQL_SECRET = "Sql-S3cret-비번!"
LDAP_SECRET = ldap_server.BIND_PASSWORD     # the test directory's service account


@pytest.fixture
def slapd(tmp_path_factory):
    """A real directory (the one tests/services/test_directory.py uses), outside the folders checked."""
    slapd_bin, slapadd = ldap_server.find_slapd()
    if not (slapd_bin and slapadd):
        if os.environ.get("CI") == "true":
            pytest.fail("slapd is missing: .ci/run must install the Debian packages slapd and ldap-utils")
        pytest.skip("slapd is not installed (Debian packages: slapd ldap-utils)")
    server = ldap_server.start(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


def _contents(path: Path):
    """(where, bytes) of a file, and of every member of a zip inside it (an .xlsx is a zip of XML
    whose compressed bytes would hide a secret from a plain search)."""
    import zipfile
    data = path.read_bytes()
    yield str(path), data
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield f"{path}!{name}", z.read(name)


def _xml_escaped(secret: str) -> bytes:
    from xml.sax.saxutils import escape
    return escape(secret, {'"': "&quot;", "'": "&apos;"}).encode("utf-8")


def _files_under(*roots: Path):
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_no_secret_in_any_file_the_program_writes(qtbot, make_window, store_url, tmp_path, os_keyring, monkeypatch,
                                                   slapd):
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
    roles_dlg.server.setText(slapd.ldaps_url)
    roles_dlg.base_dn.setText(ldap_server.SUFFIX)
    roles_dlg.bind.setCurrentIndex(roles_dlg.bind.findData("simple"))
    roles_dlg.bind_user.setText(ldap_server.BIND_DN)
    roles_dlg.bind_password.setText(LDAP_SECRET)
    roles_dlg.user_attribute.setText("uid")
    roles_dlg.ca_file.setText(str(slapd.ca_file))
    roles_dlg._add_group("routing-admins", "admin")   # lee, the window's user, is in it (nested)
    roles_dlg.checkpoint_dir.setText(str(tmp_path / "checkpoints"))
    with qtbot.waitSignal(roles_dlg.saved, timeout=LONG):
        roles_dlg.save()
    assert os_keyring.entries[(credentials.SERVICE, credentials.ldap_key(slapd.ldaps_url, ldap_server.BIND_DN))] \
        == LDAP_SECRET
    assert any(v == SQL_SECRET for v in os_keyring.entries.values())

    # signing in now asks the directory with that password; the OS user is not in it: no role, and a refusal
    me = identity.sign_in(store)
    assert me.role == "" and "is not in the directory" in me.role_note
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
        for where, data in _contents(path):
            for secret in (SQL_SECRET, LDAP_SECRET):
                for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le"), _xml_escaped(secret)):
                    assert encoded not in data, f"{secret!r} found in {where}"
        checked += 1
    names = {p.name for p in _files_under(*roots)}
    assert {"store.sqlite", "trail.csv", "trail.xlsx", log_file.name} <= names and checked > 5
    # the search sees inside the workbook: its sheet holds the trail's text (the *** of the secret included)
    sheet = dict(_contents(tmp_path / "exports" / "trail.xlsx"))
    sheet_xml = next(v for k, v in sheet.items() if k.endswith(("sheet1.xml", "sharedStrings.xml")) and b"***" in v)
    assert b"bind_password" in sheet_xml
    assert any(n.endswith(".ini") or n.endswith(".conf") for n in names)   # the settings file was looked at
