"""Log files when the window and the command line run at once (as on a plant engineer's PC)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest

from app import logs


def _process_log(tmp_path) -> str:
    """setup_logging in a separate process, as the window or a command would."""
    code = ("import logging; from app.logs import setup_logging; p = setup_logging(); "
            "logging.getLogger('app.x').warning('hello from %s', 'child'); print(p)")
    env = dict(os.environ, ROUTING_ML_LOG_DIR=str(tmp_path))
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_each_process_writes_its_own_log_file(tmp_path):
    first, second = _process_log(tmp_path), _process_log(tmp_path)
    assert first != second
    for path in (first, second):
        entry = json.loads(open(path, encoding="utf-8").read())
        assert entry["message"] == "hello from child" and entry["level"] == "WARNING"


@pytest.fixture
def handler(tmp_path):
    h = logs.ProcessLogHandler(tmp_path / "routing-ml-test.jsonl", max_bytes=2000, backups=2)
    h.setFormatter(logs._JsonFormatter())
    log = logging.getLogger("test.rotation")
    log.propagate = False
    log.addHandler(h)
    yield log
    log.removeHandler(h)
    h.close()


def test_a_refused_rotation_keeps_every_record_and_prints_no_logging_errors(tmp_path, handler, monkeypatch,
                                                                           capsys):
    """Windows refuses to rename a file another program has open; the log must carry on."""
    real_rename = os.rename

    def refused(src, dst):
        raise PermissionError(32, "The process cannot access the file because it is being used by another process")
    monkeypatch.setattr(os, "rename", refused)
    for n in range(100):
        handler.warning("record %d 씰", n)
    assert "Logging error" not in capsys.readouterr().err
    lines = (tmp_path / "routing-ml-test.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message"] for line in lines] == [f"record {n} 씰" for n in range(100)]

    monkeypatch.setattr(os, "rename", real_rename)   # the other program let go: rotation resumes
    for n in range(100, 140):
        handler.warning("record %d", n)
    assert (tmp_path / "routing-ml-test.jsonl.1").exists()
    assert "Logging error" not in capsys.readouterr().err


def test_old_log_files_are_removed_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_ML_LOG_DIR", str(tmp_path))
    old = tmp_path / "routing-ml-20200101-000000-1.jsonl"
    recent = tmp_path / "routing-ml-20990101-000000-2.jsonl"
    for path in (old, recent):
        path.write_text("{}\n", encoding="utf-8")
    long_ago = time.time() - (logs.KEEP_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    logs._remove_old_logs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [recent.name]
