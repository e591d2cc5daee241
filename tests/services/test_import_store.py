"""An import either replaces the store's copy and records it, or leaves both as they were:
a locked or read-only store, a crash between the folder renames, files held open (Windows)."""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from app.store import db
from app.store.db import Store

from import_helpers import (Plant, cli_process, leftovers, one_line, run_cli, store_state,
                       without_write_permission)


def _a_changed_plant(plant: Plant) -> None:
    """The same plant with fewer work results, so a completed import changes the store."""
    path = plant.folder / "BI_WORK_ORDER_RESULTS.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: int(len(lines) * 0.8)]))


def test_import_into_a_locked_store_is_refused_and_changes_nothing(plant: Plant, capsys):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    holder = sqlite3.connect(plant.store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")    # another writer, e.g. a database tool with unsaved changes
    try:
        rc, _, err = run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = one_line(err)
    assert rc == 2
    assert "locked" in line and str(plant.store) in line and "try again" in line
    assert "SQL" not in line and len(line) < 300
    assert store_state(plant.store, plant.probes) == before
    assert leftovers(plant.store) == []


def test_second_import_at_the_same_time_names_the_first(plant: Plant, capsys):
    before = store_state(plant.store, plant.probes)
    running = Store(str(plant.store))
    with running.import_lock():
        rc, _, err = run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store))
    running.dispose()
    line = one_line(err)
    assert rc == 2
    assert "another import" in line and f"process {os.getpid()}" in line
    assert store_state(plant.store, plant.probes) == before


def test_read_only_store_is_called_read_only_and_predict_reads_it(plant: Plant):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    Store(str(plant.store)).dispose()    # the last close checkpoints: no -wal or -shm file is left
    folder = plant.store.parent
    plant.store.chmod(0o444)
    folder.chmod(0o555)
    try:
        prefix = without_write_permission()
        imported = cli_process("import", "--source", str(plant.folder), "--store", str(plant.store), prefix=prefix)
        predicted = cli_process("predict", "--item", plant.probes[0], "--store", str(plant.store), prefix=prefix)
        trained = cli_process("train", "--store", str(plant.store), prefix=prefix)
    finally:
        folder.chmod(0o755)
        plant.store.chmod(0o644)
    line = one_line(imported.stderr)
    assert imported.returncode == 2
    assert "read-only" in line and "damaged" not in line and str(plant.store) in line
    assert predicted.returncode == 0, predicted.stderr
    assert f"=== {plant.probes[0]} ===" in predicted.stdout
    assert trained.returncode == 2 and "read-only" in one_line(trained.stderr)
    assert store_state(plant.store, plant.probes) == before


CRASH_AT_RENAME = """
import json
import os
_replace, _calls = os.replace, []
def _crashing_replace(src, dst):
    _calls.append(src)
    if len(_calls) == {n}:
        os._exit(9)      # as if killed or the power failed, between the folder renames
    _replace(src, dst)
os.replace = _crashing_replace
"""

CRASH_AT_COMMIT = """
import glob, os, sys
from sqlalchemy.engine import base
_commit = base.RootTransaction.commit
def _crash(self):
    store_folder = os.path.dirname(sys.argv[sys.argv.index("--store") + 1])
    if glob.glob(os.path.join(store_folder, "store-data.old-*")):
        os._exit(9)     # killed after the new folder is in place, before the record is committed
    _commit(self)
base.RootTransaction.commit = _crash
"""


@pytest.mark.parametrize("crash", [CRASH_AT_RENAME.format(n=1), CRASH_AT_RENAME.format(n=2), CRASH_AT_COMMIT],
                         ids=["before-first-rename", "between-renames", "before-commit"])
def test_predict_after_a_crash_in_the_middle_of_an_import_puts_the_last_import_back(plant: Plant, capsys, crash):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    crashed = cli_process("import", "--source", str(plant.folder), "--store", str(plant.store), code=crash)
    assert crashed.returncode == 9, crashed.stderr
    assert leftovers(plant.store)     # what the crash left: a .new- and maybe an .old- folder

    rc, out, err = run_cli(capsys, "predict", "--item", plant.probes[0], "--store", str(plant.store))
    assert rc == 0, err
    assert leftovers(plant.store) == []
    assert store_state(plant.store, plant.probes) == before


def test_train_after_a_crash_between_the_renames_uses_the_last_import(plant: Plant, capsys):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    cli_process("import", "--source", str(plant.folder), "--store", str(plant.store),
                code=CRASH_AT_RENAME.format(n=2))
    assert not (plant.store.parent / "store-data").exists()
    rc, out, err = run_cli(capsys, "train", "--store", str(plant.store))
    assert rc == 0, err
    assert (plant.store.parent / "store-data").exists() and leftovers(plant.store) == []
    assert store_state(plant.store, plant.probes)["counts"] == before["counts"]


def test_a_killed_import_leaves_nothing_after_the_next_start(plant: Plant, capsys):
    before = store_state(plant.store, plant.probes)
    # what kill -9 while writing leaves: a half-written folder beside the data
    half = plant.store.parent / "store-data.new-k1ll3d"
    half.mkdir()
    (half / "BI_ITEM_INFO_VIEW.parquet").write_bytes(b"PAR1 half written")
    rc, _, err = run_cli(capsys, "predict", "--item", plant.probes[0], "--store", str(plant.store))
    assert rc == 0, err
    assert leftovers(plant.store) == []
    assert store_state(plant.store, plant.probes) == before


def test_import_succeeds_while_the_virus_scanner_holds_a_file_for_a_moment(plant: Plant, capsys, monkeypatch):
    _a_changed_plant(plant)
    replace, refusals = os.replace, []

    def busy_replace(src, dst):
        if len(refusals) < 3:
            refusals.append(src)
            raise PermissionError(13, "The process cannot access the file because it is being used "
                                      "by another process", str(src))
        replace(src, dst)

    monkeypatch.setattr(db.os, "replace", busy_replace)
    monkeypatch.setattr(db.time, "sleep", lambda s: None)
    rc, out, err = run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store))
    assert rc == 0, err
    assert len(refusals) == 3
    store = Store(str(plant.store))
    lines = (plant.folder / "BI_WORK_ORDER_RESULTS.csv").read_bytes().count(b"\n") - 1
    assert store.view_counts()["results"] == lines
    assert leftovers(plant.store) == []
    store.dispose()


def test_a_file_held_open_for_good_is_a_clear_error_and_changes_nothing(plant: Plant, capsys, monkeypatch):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    replace = os.replace

    def held(src, dst):
        if Path(src) == plant.store.parent / "store-data":
            raise PermissionError(13, "Access is denied", str(src))
        replace(src, dst)

    monkeypatch.setattr(db.os, "replace", held)
    monkeypatch.setattr(db.time, "sleep", lambda s: None)
    rc, _, err = run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store))
    line = one_line(err)
    assert rc == 2
    assert "store-data" in line and "open in another program" in line
    monkeypatch.undo()
    assert store_state(plant.store, plant.probes) == before
    assert leftovers(plant.store) == []


def test_leftover_old_folders_that_cannot_be_deleted_never_break_an_import(plant: Plant, capsys, monkeypatch):
    _a_changed_plant(plant)
    stuck = plant.store.parent / "store-data.old"     # left by an earlier version, a file in it held open
    stuck.mkdir()
    (stuck / "BI_ITEM_INFO_VIEW.parquet").write_bytes(b"old")
    rmtree = db.shutil.rmtree

    def cannot_delete(path, *a, **k):
        if Path(path).name.startswith("store-data.old"):
            raise PermissionError(13, "Access is denied", str(path))
        rmtree(path, *a, **k)

    monkeypatch.setattr(db.shutil, "rmtree", cannot_delete)
    monkeypatch.setattr(db.time, "sleep", lambda s: None)
    for _ in range(2):
        rc, _, err = run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store))
        assert rc == 0, err
    monkeypatch.undo()
    rc, _, err = run_cli(capsys, "predict", "--item", plant.probes[0], "--store", str(plant.store))
    assert rc == 0, err
    assert leftovers(plant.store) == []


KILLED_IN_AN_IMPORT = """
import os, sys
from app.store.db import Store
store = Store(sys.argv[sys.argv.index("--store") + 1])
held = store.import_lock()
held.__enter__()
os._exit(9)      # kill -9 in the middle of an import: its owner file stays behind
"""


def test_a_killed_import_is_not_named_as_the_holder_of_a_later_lock(plant: Plant, capsys):
    killed = cli_process("models", "--store", str(plant.store), code=KILLED_IN_AN_IMPORT)
    assert killed.returncode == 9, killed.stderr
    owner = next(plant.store.parent.glob("*.owner"))
    dead = json.loads(owner.read_text(encoding="utf-8"))["pid"]
    holder = sqlite3.connect(plant.store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")    # now another program holds the store's write lock
    try:
        rc, _, err = run_cli(capsys, "train", "--store", str(plant.store))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = one_line(err)
    assert rc == 2 and "is locked" in line
    assert f"process {dead}" not in line and "an import by" not in line
    assert "database tool" in line


def test_a_store_made_writable_again_after_a_read_only_prediction_imports(plant: Plant):
    _a_changed_plant(plant)
    Store(str(plant.store)).dispose()    # no -wal or -shm file left
    prefix = without_write_permission()
    plant.store.chmod(0o444)             # the folder stays writable: SQLite makes -wal and -shm there
    try:
        predicted = cli_process("predict", "--item", plant.probes[0], "--store", str(plant.store), prefix=prefix)
    finally:
        plant.store.chmod(0o644)
    assert predicted.returncode == 0, predicted.stderr
    imported = cli_process("import", "--source", str(plant.folder), "--store", str(plant.store), prefix=prefix)
    assert imported.returncode == 0, imported.stderr
    assert "imported" in imported.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to give the -shm file another owner (Unix file modes)")
def test_a_read_only_journal_file_of_another_user_is_named(plant: Plant):
    _a_changed_plant(plant)
    Store(str(plant.store)).dispose()
    shm = plant.store.with_name(plant.store.name + "-shm")
    shm.write_bytes(b"")
    os.chown(shm, 65534, 65534)          # made by another user while the store was read-only
    shm.chmod(0o444)
    prefix = [*without_write_permission()[:-2], "-dac_override,-dac_read_search,-fowner", "--"]
    imported = cli_process("import", "--source", str(plant.folder), "--store", str(plant.store), prefix=prefix)
    line = one_line(imported.stderr)
    assert imported.returncode == 2
    assert "store.sqlite-shm is read-only though the store is not" in line
    assert "no permission to write the file" not in line


def test_predict_answers_while_another_program_holds_the_write_lock(plant: Plant, capsys):
    holder = sqlite3.connect(plant.store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")    # e.g. a database tool with unsaved changes
    try:
        rc, out, err = run_cli(capsys, "predict", "--item", plant.probes[0], "--store", str(plant.store))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rc == 0, err
    assert f"=== {plant.probes[0]} ===" in out
    warning = one_line(err)
    assert warning.startswith("warning:") and "locked by another program" in warning and "audit trail" in warning
    log_file = Path(warning.rsplit("(", 1)[1].rstrip(")"))
    logged = [json.loads(line)["message"] for line in log_file.read_text(encoding="utf-8").splitlines()]
    # what the trail lacks is in the log: the prediction, its items and who asked
    assert any("not recorded" in m and "'action': 'predict'" in m and plant.probes[0] in m for m in logged)


FOLDER_READ_ONLY_AT_SWAP = """
import os
from app.store import db
_commit = db.Store._commit_folder
def _read_only_first(self, tmp, **kwargs):
    os.chmod(self.data_dir.parent, 0o555)   # the share's permissions changed while the import ran
    return _commit(self, tmp, **kwargs)
db.Store._commit_folder = _read_only_first
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows ignores a folder's read-only attribute")
def test_a_store_folder_that_becomes_read_only_during_the_import_is_named_and_changes_nothing(plant: Plant, capsys):
    before = store_state(plant.store, plant.probes)
    _a_changed_plant(plant)
    folder = plant.store.parent
    try:
        imported = cli_process("import", "--source", str(plant.folder), "--store", str(plant.store),
                               prefix=without_write_permission(), code=FOLDER_READ_ONLY_AT_SWAP)
    finally:
        folder.chmod(0o755)
    line = one_line(imported.stderr)
    assert imported.returncode == 2, imported.stderr
    assert "unexpected" not in line and f"the folder {folder} is read-only" in line
    assert store_state(plant.store, plant.probes) == before
    assert leftovers(plant.store) == []       # the next start removed the half-made folder
