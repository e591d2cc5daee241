"""The window's start: what it loads before it appears, and what it leaves for afterwards.

Durations are not asserted here (the machines are shared); `scripts/bench --start` measures them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# In a fresh process, as at a user's start: the window is made, then shown, with the program's own
# settings in a temporary folder. Prints what was loaded at each point, as JSON.
START = r"""
import json, os, sys, time
from PySide6.QtCore import QCoreApplication, QSettings
QCoreApplication.setOrganizationName("RoutingML-test")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from app.ui.main import ensure_application, open_window, wait_for_warm_up, warm_up_after_first_paint
from app.ui.heartbeat import wait_until
LATER = ("pyqtgraph", "keyring")
app = ensure_application()
window = open_window(sys.argv[1], build_demo_if_empty=False)
made = [m for m in LATER if m in sys.modules]
warm_up_after_first_paint(window)
window.show()
wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), 60)
wait_until(lambda: "pyqtgraph" in sys.modules, 60)
wait_for_warm_up(60)
from threadpoolctl import threadpool_info
blas = sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
print(json.dumps({"before_shown": made, "after_shown": [m for m in LATER if m in sys.modules], "blas_threads": blas}))
window.shutdown()
"""


@pytest.mark.slow
def test_the_window_appears_before_its_plots_library_is_loaded_which_loads_right_after(tmp_path):
    """pyqtgraph (the time chart and the evaluation plot) is the largest import of the window's
    start: the window is made without it, and a background thread loads it once the window is
    painted, so the first plot does not wait for it. The keyring is loaded when a password is
    needed. NumPy's BLAS still leaves one core to the window, although NumPy is no longer loaded
    before the limit is set."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", START, str(tmp_path / "store.sqlite"), str(tmp_path / "settings")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["before_shown"] == []
    assert seen["after_shown"] == ["pyqtgraph"]
    assert seen["blas_threads"] == [max(1, (os.cpu_count() or 2) - 1)]
