"""Helpers of the import tests: the plant they import over, running the command line, and a
snapshot of what a user would compare after a failed import: the files, the record, predictions."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main

PLANT_ITEMS = 300
# Items whose predictions are compared before and after (routed and unrouted ones).
PROBE_COUNT = 4


@dataclass
class Plant:
    folder: Path       # the CSV views as imported into the store
    store: Path        # store.sqlite of an imported and trained copy
    probes: list[str]  # item codes whose predictions are compared


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def store_state(store_file: Path, probes: list[str]) -> dict:
    """What a user compares after an import: the copied views byte for byte, the import record,
    and the predictions of a few fixed items."""
    from app.services import models
    from app.services.prediction import predict_items
    from app.store.db import Store
    store = Store(str(store_file))
    try:
        folder = getattr(store, "current_data_dir", lambda: store.data_dir)()   # works on older code too
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(folder.glob("*.parquet"))}
        last = store.last_import()
        models._cache.clear()
        batch = predict_items(store, probes)
        return {"files": files, "counts": store.view_counts(),
                "import_run": (last["id"], last["counts"]) if last else None,
                "predictions": json.dumps(batch.to_json(), sort_keys=True, default=str)}
    finally:
        store.dispose()


def leftovers(store_file: Path) -> list[str]:
    """Folders an import left beside the store's data folder."""
    return sorted(p.name for p in store_file.parent.iterdir() if ".new-" in p.name or ".old" in p.name)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def without_write_permission() -> list[str]:
    """A command prefix that runs a program unable to write files it lacks permission for: root
    ignores file modes, so for root the capability to override them is dropped (setpriv)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:   # Windows: file attributes, no root
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("setpriv (Debian package util-linux) is needed to test a read-only store as root")
        pytest.skip("setpriv (Debian package util-linux) is not installed")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def cli_process(*argv: str, prefix: list[str] | None = None, code: str | None = None,
                timeout: int = 300) -> subprocess.CompletedProcess:
    """routing-ml in its own process; `code` runs first (e.g. to make it crash at a given point)."""
    script = (code or "") + "\nimport sys\nfrom app.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([*(prefix or []), sys.executable, "-c", script, *argv], capture_output=True,
                          text=True, timeout=timeout, env=env)
