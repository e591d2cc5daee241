"""The program's per-user folders follow ROUTING_ML_DATA_DIR and ROUTING_ML_LOG_DIR on every system,
and the tests use them: on Windows platformdirs ignores XDG_*, so nothing else keeps a test run out
of the user's real %LOCALAPPDATA%\\RoutingML (and the log clean-up out of the user's real logs)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import tempfile

import platformdirs
import pytest

from app import folders, logs
from app.services import audit_seal
from app.store.db import Store, default_store_path

TEMP = Path(tempfile.gettempdir()).resolve()


@pytest.fixture
def no_platform_folders(monkeypatch):
    """platformdirs as on Windows under the tests: XDG_* means nothing, so its folders are the
    user's real ones; any use of them fails the test."""
    def real_folder(*_args, **_kwargs):
        raise AssertionError("the user's real folder was asked for")
    for name in ("user_data_dir", "user_log_dir", "user_state_dir", "user_cache_dir"):
        monkeypatch.setattr(platformdirs, name, real_folder)
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_every_per_user_folder_of_a_test_run_is_a_temporary_one(no_platform_folders, tmp_path):
    server_store = Store.__new__(Store)          # only its folder naming, no server needed
    server_store.path, server_store.url = None, "postgresql+psycopg://db.plant.local/routing"
    server_store.is_sqlite = False
    places = [folders.data_dir(), folders.log_dir(), folders.cache_dir(), default_store_path(),
              audit_seal.default_checkpoint_dir(), server_store.models_dir, server_store.data_dir,
              server_store.cache_dir]
    for place in places:
        assert TEMP in Path(place).resolve().parents, place


def test_the_variables_move_the_folders(monkeypatch, tmp_path):
    monkeypatch.setenv("ROUTING_ML_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROUTING_ML_LOG_DIR", str(tmp_path / "logs"))
    assert default_store_path() == tmp_path / "data" / "store.sqlite"
    assert audit_seal.default_checkpoint_dir() == tmp_path / "data" / "audit-checkpoints"
    assert logs.log_dir() == tmp_path / "logs"
    monkeypatch.delenv("ROUTING_ML_DATA_DIR")
    monkeypatch.delenv("ROUTING_ML_LOG_DIR")
    assert folders.data_dir() == Path(platformdirs.user_data_dir("RoutingML", appauthor=False))
    assert folders.log_dir() == Path(platformdirs.user_log_dir("RoutingML", appauthor=False))


def test_a_command_of_the_test_run_cleans_up_only_the_test_log_folder(tmp_path):
    """A command line started by a test (as many are) prunes old logs at start: in the test's log
    folder, never in the platform's one, even with XDG_* gone as on Windows."""
    code = ("import sys; from app.logs import setup_logging; print(setup_logging())")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["ROUTING_ML_LOG_DIR"] = str(tmp_path)
    old = tmp_path / "routing-ml-20200101-000000-1.jsonl"
    old.write_text("{}\n", encoding="utf-8")
    long_ago = time.time() - (logs.KEEP_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()).parent == tmp_path
    assert not old.exists()
    assert TEMP in Path(os.environ["ROUTING_ML_LOG_DIR"]).resolve().parents   # what the other tests' commands get
