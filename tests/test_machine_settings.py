"""Machine-wide settings written by the MSI (registry) or by IT on other systems (INI file)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app import machine_settings
from app.machine_settings import FILE_ENV, load


@pytest.fixture(autouse=True)
def _fresh_cache():
    machine_settings.current.cache_clear()
    yield
    machine_settings.current.cache_clear()


def _env(path: Path) -> dict[str, str]:
    return {FILE_ENV: str(path)}


def test_settings_file_named_by_the_environment(tmp_path):
    f = tmp_path / "settings.ini"
    # keys in any case, a BOM as Notepad writes it, spaces around values
    f.write_text("[RoutingML]\nserver = ERPSQL01\\KSM \nDATABASE=KsmErp\nLdap_Url=ldaps://dc01.ksm.local\n"
                 "STORE=mssql+pyodbc://ERPSQL01/RoutingML\n", encoding="utf-8-sig")
    s = load(_env(f))
    assert (s.server, s.database, s.ldap_url, s.store) == (
        r"ERPSQL01\KSM", "KsmErp", "ldaps://dc01.ksm.local", "mssql+pyodbc://ERPSQL01/RoutingML")
    assert s.origin == str(f) and not s.problems
    assert "SERVER=ERPSQL01\\KSM" in s.describe()


def test_cp949_file_from_a_korean_notepad(tmp_path):
    f = tmp_path / "settings.ini"
    f.write_bytes("; 생산기술팀 설정\n[RoutingML]\nDATABASE=품질DB\n".encode("cp949"))
    assert load(_env(f)).database == "품질DB"


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    ("SERVER=x\n", "is not a settings file"),
    ("[Other]\nSERVER=x\n", "has no [RoutingML] section"),
])
def test_unreadable_file_is_named_and_sets_nothing(tmp_path, content, problem):
    f = tmp_path / "settings.ini"
    if content is not None:
        f.write_text(content, encoding="utf-8")
    s = load(_env(f))
    assert s.values() == {"SERVER": "", "DATABASE": "", "LDAP_URL": "", "STORE": ""}
    assert len(s.problems) == 1 and str(f) in s.problems[0] and problem in s.problems[0]


def test_an_ldap_url_that_is_not_one_is_ignored_with_a_reason(tmp_path):
    f = tmp_path / "settings.ini"
    f.write_text("[RoutingML]\nLDAP_URL=dc01.ksm.local\nSERVER=ERP\n", encoding="utf-8")
    s = load(_env(f))
    assert s.ldap_url == "" and s.server == "ERP"
    assert "LDAP_URL 'dc01.ksm.local'" in s.problems[0] and "ldap://" in s.problems[0]


def test_other_systems_read_etc_file_when_present(tmp_path, monkeypatch):
    f = tmp_path / "etc-settings.ini"
    monkeypatch.setattr(machine_settings, "DEFAULT_FILE", f)
    assert load({}, platform="linux").values()["SERVER"] == ""   # absent: nothing set, no problem
    assert load({}, platform="linux").problems == ()
    f.write_text("[RoutingML]\nSERVER=pg01\n", encoding="utf-8")
    assert load({}, platform="linux").server == "pg01"


class FakeWinreg:
    """The part of `winreg` the reader uses, over a dict {(hive, key): {name: (value, type)}}."""
    HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER = "HKLM", "HKCU"
    KEY_READ, KEY_WOW64_64KEY = 0x20019, 0x0100
    REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4

    def __init__(self, tree, denied=()):
        self.tree, self.denied, self.opened = tree, set(denied), []

    class _Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def OpenKey(self, hive, key, reserved, access):
        self.opened.append((hive, key, access))
        if hive in self.denied:
            raise PermissionError(13, "Access is denied")
        if (hive, key) not in self.tree:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._Key(self.tree[(hive, key)])

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    def ExpandEnvironmentStrings(self, value):
        return value.replace("%COMPUTERNAME%", "PC-0417")


def test_registry_machine_values_win_over_per_user_ones():
    w = FakeWinreg({
        ("HKLM", r"Software\RoutingML"): {"SERVER": ("ERPSQL01", 1), "DATABASE": ("KsmErp", 1),
                                          "LDAP_URL": ("", 1), "InstallDir": (r"C:\Program Files\RoutingML", 1)},
        ("HKCU", r"Software\RoutingML"): {"SERVER": ("my-laptop", 1), "LDAP_URL": ("ldap://dc01", 1),
                                          "STORE": (r"\\fs01\routing\%COMPUTERNAME%.sqlite", 2)},
    })
    s = load({}, winreg_module=w, platform="win32")
    assert s.server == "ERPSQL01" and s.database == "KsmErp"          # HKLM wins
    assert s.ldap_url == "ldap://dc01"                                 # empty in HKLM: HKCU's
    assert s.store == r"\\fs01\routing\PC-0417.sqlite"                 # REG_EXPAND_SZ expanded
    assert s.origin == r"HKLM\Software\RoutingML + HKCU\Software\RoutingML"
    # the MSI's components are 64-bit: the 64-bit view is read even from a 32-bit Python
    assert all(access & FakeWinreg.KEY_WOW64_64KEY for _h, _k, access in w.opened)


def test_registry_absent_or_unreadable():
    s = load({}, winreg_module=FakeWinreg({}), platform="win32")
    assert s.values()["SERVER"] == "" and s.origin == "none" and s.problems == ()
    denied = load({}, winreg_module=FakeWinreg({}, denied={"HKLM"}), platform="win32")
    assert denied.problems == (r"HKLM\Software\RoutingML cannot be read: Access is denied",)
    wrong = load({}, winreg_module=FakeWinreg({("HKLM", r"Software\RoutingML"): {"SERVER": (5, 4)}}),
                 platform="win32")
    assert wrong.server == "" and "SERVER is not a text value" in wrong.problems[0]


def test_the_machine_store_is_the_default_store(tmp_path, monkeypatch):
    from app.store.db import store_url
    f = tmp_path / "settings.ini"
    f.write_text(f"[RoutingML]\nSTORE={tmp_path / 'shared.sqlite'}\n", encoding="utf-8")
    monkeypatch.setenv(FILE_ENV, str(f))
    monkeypatch.delenv("ROUTING_ML_STORE", raising=False)
    machine_settings.current.cache_clear()
    assert store_url(None).database == str(tmp_path / "shared.sqlite")
    # the user's own choices beat IT's default
    monkeypatch.setenv("ROUTING_ML_STORE", str(tmp_path / "mine.sqlite"))
    assert store_url(None).database == str(tmp_path / "mine.sqlite")
    assert store_url(str(tmp_path / "cli.sqlite")).database == str(tmp_path / "cli.sqlite")


def test_trusted_signer_keys_come_from_hklm_or_the_etc_file_only(tmp_path, monkeypatch):
    """What only an administrator of the PC can set (the pinned audit signer keys): HKLM, never HKCU,
    and never the file ROUTING_ML_MACHINE_SETTINGS names (anyone can set that variable)."""
    w = FakeWinreg({("HKLM", r"Software\RoutingML"): {"AUDIT_SIGNERS": (["KEY1", "KEY2"], 7)},
                    ("HKCU", r"Software\RoutingML"): {"AUDIT_SIGNERS": ("MINE", 1)}})
    w.REG_MULTI_SZ = 7
    assert machine_settings.trusted_value("AUDIT_SIGNERS", winreg_module=w, platform="win32") == \
        ("KEY1\nKEY2", r"HKLM\Software\RoutingML\AUDIT_SIGNERS", [])
    only_user = FakeWinreg({("HKCU", r"Software\RoutingML"): {"AUDIT_SIGNERS": ("MINE", 1)}})
    assert machine_settings.trusted_value("AUDIT_SIGNERS", winreg_module=only_user, platform="win32")[0] == ""
    mine = tmp_path / "mine.ini"
    mine.write_text("[RoutingML]\nAUDIT_SIGNERS=MINE\n", encoding="utf-8")
    monkeypatch.setenv(FILE_ENV, str(mine))
    etc = tmp_path / "etc.ini"
    assert machine_settings.trusted_value("AUDIT_SIGNERS", platform="linux", path=etc)[0] == ""
    etc.write_text("[RoutingML]\nAUDIT_SIGNERS = KEY1 KEY2\n", encoding="utf-8")
    assert machine_settings.trusted_value("AUDIT_SIGNERS", platform="linux", path=etc)[0] == "KEY1 KEY2"
