"""The heartbeat's stall watch names where the GUI thread spent its longest stall, so a stall seen
once in a benchmark run says what the window was waiting for or doing."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from app.ui.heartbeat import Heartbeat, wait_until


def _wait_for_a_slow_answer() -> None:
    time.sleep(0.4)           # the GUI thread waiting, not working: no CPU, no Python running


def _count_on_the_gui_thread(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(200))


def test_the_longest_stall_says_where_the_gui_thread_waited(qapp):
    beat = Heartbeat(watch_after_ms=40)
    beat.start()
    wait_until(lambda: False, 0.1)
    QTimer.singleShot(0, lambda: _count_on_the_gui_thread(0.1))      # a much shorter stall first
    wait_until(lambda: False, 0.3)
    QTimer.singleShot(0, _wait_for_a_slow_answer)
    wait_until(lambda: False, 0.6)
    beat.stop()
    assert beat.max_stall_ms >= 200
    assert "_wait_for_a_slow_answer" in beat.stall_where, beat.stall_where
    assert beat.stall_busy_ms < 100          # waited: little of the GUI thread's CPU in it
    beat.reset()
    beat.start()
    QTimer.singleShot(0, lambda: _count_on_the_gui_thread(0.3))
    wait_until(lambda: False, 0.5)
    beat.stop()
    assert "_count_on_the_gui_thread" in beat.stall_where, beat.stall_where


def test_without_a_watch_the_heartbeat_only_measures(qapp):
    beat = Heartbeat()
    beat.start()
    QTimer.singleShot(0, _wait_for_a_slow_answer)
    wait_until(lambda: False, 0.6)
    beat.stop()
    assert beat.max_stall_ms >= 200 and beat.stall_where == ""


def _sort_holding_the_interpreter(data: list[float], then) -> None:
    sorted(data)              # one call into C: no other thread runs Python until it returns
    then.wait(10)             # alive afterwards, as a worker of a pool is, so its name is known


def test_a_stall_while_a_worker_holds_the_interpreter_names_the_worker(qapp):
    """The GUI thread cannot run, nor can the sampler: faulthandler's watchdog still sees the worker."""
    import random
    import threading

    data = [random.random() for _ in range(200_000)]
    t = time.thread_time()
    sorted(data)
    # at least 0.3 s of this thread's CPU in one sort, whatever this machine's speed; CPU time, as a
    # busy machine's waits would make a short sort look long by the clock
    while time.thread_time() - t < 0.3:
        data += [random.random() for _ in range(len(data))]
        t = time.thread_time()
        sorted(data)
    beat = Heartbeat(watch_after_ms=60)
    beat.start()
    wait_until(lambda: False, 0.1)
    sorted_ = threading.Event()
    worker = threading.Thread(target=_sort_holding_the_interpreter, args=(data, sorted_), name="slow worker",
                              daemon=True)
    QTimer.singleShot(0, worker.start)
    wait_until(lambda: False, 0.2)
    wait_until(lambda: time.perf_counter() - beat._last_tick < 0.05, 10)   # ticking again: the sort is done
    wait_until(lambda: False, 0.1)
    beat.stop()
    sorted_.set()
    assert beat.max_stall_ms >= 150, beat.max_stall_ms
    assert "slow worker: test_heartbeat.py" in beat.stall_where and "_sort_holding_the_interpreter" in beat.stall_where, \
        beat.stall_where
