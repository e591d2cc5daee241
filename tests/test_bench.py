"""scripts/bench runs where the users are: no POSIX-only calls on its way (Windows has no os.wait4)."""
from __future__ import annotations

import math
import os

import pytest

from app import bench


def test_children_are_timed_without_os_wait4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "wait4", raising=False)   # as on Windows
    seconds, peak, out = bench._run_cli([], dict(os.environ), module="platform")
    assert seconds > 0
    assert isinstance(peak, float)
    assert "Linux" in out or "Windows" in out or "macOS" in out


def test_the_peak_memory_of_a_child_is_measured_on_linux_and_windows() -> None:
    """Through os.wait4 on Linux, through the process handle on Windows."""
    _, peak, _ = bench._run_cli([], dict(os.environ), module="platform")
    assert 0.001 < peak < 4 and not math.isnan(peak)


def test_a_failing_child_stops_the_bench_with_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "wait4", raising=False)
    with pytest.raises(SystemExit, match="No module named"):
        bench._run_cli([], dict(os.environ), module="no_such_module_here")


def test_reading_a_wide_sqlite_table_is_benched_not_tested(tmp_path) -> None:
    assert bench.bench_sqlite_read(tmp_path, rows=2000) > 0
    assert not list(tmp_path.iterdir())   # the bench leaves its file behind nowhere
