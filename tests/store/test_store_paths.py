"""Store files wherever users keep them: odd characters in folder names, network shares (Windows)."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from app.files import is_network_path, sqlite_uri
from app.store import db
from app.store.db import Store, StoreError


# "?" cannot be in a Windows file name; a Linux share can hold it.
@pytest.mark.parametrize("folder", ["plant #2", "100% seals", "품질 자료", "a%41b"]
                         + (["why?"] if sys.platform != "win32" else []))
def test_a_store_in_a_folder_with_url_characters_opens_again(tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder / "store.sqlite"
    Store(str(path)).dispose()
    store = Store(str(path), create=False)            # the existing file is checked, then opened
    try:
        assert [p.name for p in tmp_path.iterdir()] == [folder]   # no stray file at a cut-off path
        assert store.path == path.resolve()
        assert Store(store.url, create=False).path == path.resolve()   # its URL names the same file
    finally:
        store.dispose()


def test_a_damaged_store_in_such_a_folder_is_named_not_mistaken(tmp_path: Path) -> None:
    path = tmp_path / "a#b" / "store.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(StoreError, match="is damaged"):
        Store(str(path))


@pytest.mark.parametrize("path, uri", [
    (r"\\fileserver\Engineering\Routing ML\store #1.sqlite",
     "file:////fileserver/Engineering/Routing%20ML/store%20%231.sqlite?mode=ro"),
    (r"C:\Users\kim\OneDrive - KSM\100%\store?.sqlite",
     "file:///C:/Users/kim/OneDrive%20-%20KSM/100%25/store%3F.sqlite?mode=ro"),
    (r"D:\씰\store.sqlite", "file:///D:/%EC%94%B0/store.sqlite?mode=ro"),
])
def test_windows_paths_become_uris_sqlite_accepts(path: str, uri: str) -> None:
    """SQLite refuses an authority (file://fileserver/...); a UNC path needs four slashes."""
    assert sqlite_uri(path, windows=True, mode="ro") == uri


def test_a_uri_is_read_back_by_sqlite_as_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / ("x #1 %41" + (" ?" if sys.platform != "win32" else "")) / "s.sqlite"
    path.parent.mkdir()
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (a)")
    con = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    try:
        assert con.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            con.execute("INSERT INTO t VALUES (1)")
    finally:
        con.close()


MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
//fileserver/eng /mnt/eng cifs rw 0 0
fs:/export /home/shared nfs4 rw 0 0
/dev/sdb1 /mnt/eng/local\\040disk ext4 rw 0 0
"""


@pytest.mark.parametrize("path, windows, expected", [
    (r"\\fileserver\eng\store.sqlite", True, True),
    ("//fileserver/eng/store.sqlite", True, True),
    ("/mnt/eng/store.sqlite", False, True),
    ("/home/shared/x/store.sqlite", False, True),
    ("/mnt/eng/local disk/store.sqlite", False, False),
    ("/home/kim/store.sqlite", False, False),
])
def test_network_shares_are_recognised(path: str, windows: bool, expected: bool) -> None:
    assert is_network_path(path, windows=windows, mounts=MOUNTS) is expected


def _journal(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA journal_mode").scalar()


def test_a_store_on_a_network_share_does_not_use_wal(tmp_path: Path, monkeypatch) -> None:
    local = Store(str(tmp_path / "local.sqlite"))
    try:
        assert _journal(local) == "wal"
    finally:
        local.dispose()
    monkeypatch.setattr(db, "is_network_path", lambda path: True)   # as if on \\fileserver\eng
    shared = Store(str(tmp_path / "local.sqlite"))
    try:
        assert _journal(shared) == "delete"     # the same file, switched back to a rollback journal
        assert not (tmp_path / "local.sqlite-wal").exists()
    finally:
        shared.dispose()
