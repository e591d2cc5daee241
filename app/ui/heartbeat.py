"""Measuring how responsive the window stays: a 20 ms timer on the GUI thread records the longest
gap between its ticks (a stall), while the window's own workers train and predict."""
from __future__ import annotations

import collections
import faulthandler
import os
import re
import sys
import tempfile
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer

TICK_MS = 20


class Heartbeat(QObject):
    """Ticks every 20 ms on the GUI thread; `max_stall_ms` is the longest delay beyond the tick.

    Beside it, the GUI thread's own CPU time: `max_busy_ms` in its busiest tick interval, and
    `stall_busy_ms` in the longest one. On a machine shared by many processes a stall's wall time
    also holds the waits for a core; its CPU time is what the window itself spent there.

    With `watch_after_ms`, a thread samples the GUI thread's Python stack while a tick is that late,
    and `stall_where` says where the longest stall was spent (working, or waiting on something).
    The sampler needs the interpreter itself, so it sees nothing while another thread holds it in a
    long call into C (a worker sorting, reading or decoding): for that, faulthandler's watchdog (a
    thread of C that needs no interpreter) writes every thread's Python stack once a tick is that
    late, and `stall_where` adds the workers' from the longest stall. (faulthandler has one such
    timer per process: a watching heartbeat takes it, and cancels it when stopped.)"""

    def __init__(self, parent: QObject | None = None, interval_ms: int = TICK_MS, watch_after_ms: float | None = None):
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.max_gap_ms = 0.0
        self.ticks = 0
        self.stall_where = ""
        self._last_tick = time.perf_counter()
        self._samples: list[tuple[str, ...]] = []
        self._watch_after_s = watch_after_ms / 1000 if watch_after_ms else None
        self._watching = False
        self._watcher: threading.Thread | None = None
        self._dump: Any = None          # faulthandler's file: every thread's stack in a late tick
        self._dump_end = 0

    def start(self) -> None:
        self.reset()
        self.timer.start()
        if self._watch_after_s is not None:
            self._watching = True
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, name="stall watch", daemon=True)
                self._watcher.start()
            if self._dump is None:
                self._dump = tempfile.TemporaryFile()
            self._dump_end = os.lseek(self._dump.fileno(), 0, os.SEEK_END)
            faulthandler.dump_traceback_later(self._watch_after_s, file=self._dump)

    def stop(self) -> None:
        self.timer.stop()
        if self._watching:
            faulthandler.cancel_dump_traceback_later()
        self._watching = False

    def reset(self) -> None:
        self.max_gap_ms = 0.0
        self.max_busy_ms = 0.0
        self.stall_busy_ms = 0.0
        self.stall_where = ""
        self.ticks = 0
        self.cpu = time.thread_time()
        self._samples = []
        self._last_tick = time.perf_counter()
        self.clock.start()

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self._last_tick = time.perf_counter()
        samples, self._samples = self._samples, []
        dump = self._late_dump() if self._watching else ""
        cpu = time.thread_time()
        busy = (cpu - self.cpu) * 1000
        self.cpu = cpu
        self.ticks += 1
        if gap > self.max_gap_ms:
            self.max_gap_ms, self.stall_busy_ms = gap, busy
            if self._watch_after_s is not None:
                self.stall_where = _where(samples, gap) + (f"; {_threads_in(dump)}" if dump else "")
        self.max_busy_ms = max(self.max_busy_ms, busy)

    def _late_dump(self) -> str:
        """What faulthandler wrote since the last tick (every thread's stack once this tick was late);
        then armed again for the next tick. Cancelling first waits for a dump being written."""
        faulthandler.cancel_dump_traceback_later()
        fd = self._dump.fileno()
        end = os.lseek(fd, 0, os.SEEK_END)
        text = ""
        if end > self._dump_end:
            os.lseek(fd, self._dump_end, os.SEEK_SET)
            text = os.read(fd, end - self._dump_end).decode("utf-8", "replace")
            os.lseek(fd, end, os.SEEK_SET)
            self._dump_end = end
        faulthandler.dump_traceback_later(self._watch_after_s, file=self._dump)
        return text

    @property
    def max_stall_ms(self) -> float:
        return max(0.0, self.max_gap_ms - self.interval_ms)

    def _watch(self) -> None:
        """On a thread of its own: while a tick is more than `watch_after_ms` late, the GUI thread's
        Python stack every 5 ms (none when it holds the interpreter in Qt's own code)."""
        gui = threading.main_thread().ident
        while self._watching:
            time.sleep(0.005)
            if time.perf_counter() - self._last_tick > self._watch_after_s:
                frame = sys._current_frames().get(gui)
                stack = []
                while frame is not None and len(stack) < 8:
                    code = frame.f_code
                    stack.append(f"{os.path.basename(code.co_filename)}:{frame.f_lineno} {code.co_name}")
                    frame = frame.f_back
                self._samples.append(tuple(stack))


def _where(samples: list[tuple[str, ...]], gap_ms: float) -> str:
    """Where the GUI thread was in a stall, from the watch's samples: the commonest stack, innermost first."""
    if not samples:
        return f"no sample in {gap_ms:.0f} ms (the GUI thread held the interpreter, or the stall was short)"
    stack, n = collections.Counter(samples).most_common(1)[0]
    return f"{n} of {len(samples)} samples: " + " < ".join(stack)


_THREAD = re.compile(r"^(?:Current thread|Thread) (0x[0-9a-f]+)", re.MULTILINE)
_FRAME = re.compile(r'^  File "(.*)", line (\d+) in (.*)$')


def _threads_in(dump: str, frames: int = 4) -> str:
    """faulthandler's first dump in `dump`, in short: the GUI thread and each other thread running
    Python (not waiting for work in threading or queue, nor this watch), by name, with its innermost
    `frames` frames."""
    names = {t.ident: t.name for t in threading.enumerate()}
    gui = threading.main_thread().ident
    names[gui] = "GUI thread"
    skip = {t.ident for t in threading.enumerate() if t.name == "stall watch"}
    first = dump.split("Timeout (")[1] if "Timeout (" in dump else dump
    parts = _THREAD.split(first)[1:]
    shown = []
    for ident_hex, body in zip(parts[0::2], parts[1::2]):
        ident = int(ident_hex, 16)
        stack = [m.groups() for m in map(_FRAME.match, body.splitlines()) if m]
        idle = not stack or os.path.basename(stack[0][0]) in ("threading.py", "queue.py")
        if ident in skip or (idle and ident != gui):
            continue
        where = " < ".join(f"{os.path.basename(f)}:{line} {fn}" for f, line, fn in stack[:frames])
        shown.append(f"{names.get(ident, ident_hex)}: {where}")
    return "every thread then: " + (" | ".join(shown) if shown else "none running Python")


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until `condition()` holds or the time is up."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)
    return True


def measure_stalls(store_url: str, batch_items: int = 1000, timeout_s: float = 1800,
                   started_at: float | None = None) -> dict[str, Any]:
    """Open the window on `store_url`, train once and predict `batch_items` items through the window's
    own workers; return the longest GUI stalls and the cold start (to a shown, interactive window).

    `started_at` (a time.time() value) is when the process was launched, so the cold start
    includes starting Python and importing everything; without it, timing starts here."""
    t0 = time.perf_counter() - (max(0.0, time.time() - started_at) if started_at else 0.0)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.main import ensure_application, open_window

    app = ensure_application()
    window = open_window(store_url, build_demo_if_empty=False)
    window.show()
    app.processEvents()
    cold_start_s = time.perf_counter() - t0
    beat = Heartbeat()
    out: dict[str, Any] = {"cold_start_s": round(cold_start_s, 3)}
    try:
        if not wait_until(lambda: window.ctx.model is not None or bool(window.ctx.model_error), timeout_s):
            raise TimeoutError("the model did not load")
        out["model_ready_s"] = round(time.perf_counter() - t0, 3)

        # training through the Training tab
        window.tabs.setCurrentWidget(window.training)
        wait_until(lambda: not window.runner.running(), timeout_s)  # let the quality report finish first
        window.training.trainer.evaluate_after.setChecked(False)
        beat.start()
        result: dict[str, Any] = {}
        window.training.training_finished.connect(lambda v: result.setdefault("version", v))
        window.training.training_failed.connect(lambda m: result.setdefault("error", m))
        t = time.perf_counter()
        window.training.trainer.train_button.click()
        if not wait_until(lambda: bool(result) and window.ctx.model is not None and not window.runner.running(),
                          timeout_s):
            raise TimeoutError("training did not finish")
        beat.stop()
        if "error" in result:
            raise RuntimeError(result["error"])
        out["train_s"] = round(time.perf_counter() - t, 2)
        out["train_max_stall_ms"] = round(beat.max_stall_ms, 1)

        # a batch prediction through the Prediction tab
        from app.services.catalog import item_codes
        codes = item_codes(window.ctx.store)[:batch_items]
        window.tabs.setCurrentWidget(window.prediction)
        tab = window.prediction
        tab.inputs.tabs.setCurrentIndex(1)
        tab.inputs.codes_edit.setPlainText("\n".join(codes))
        rows: list[int] = []
        tab.batch_finished.connect(rows.append)
        beat.start()
        t = time.perf_counter()
        tab.predict_button.click()
        if not wait_until(lambda: bool(rows), timeout_s):
            raise TimeoutError("the batch prediction did not finish")
        app.processEvents()
        beat.stop()
        out["batch_s"] = round(time.perf_counter() - t, 2)
        out["batch_rows"] = rows[0]
        out["batch_max_stall_ms"] = round(beat.max_stall_ms, 1)

        # searching the whole item master, typed as an engineer would, then scrolling to the end
        tab.inputs.tabs.setCurrentIndex(0)
        browser = tab.browser
        beat.start()
        t = time.perf_counter()
        for query in ("SUS316", "SEAL RING SIC", ""):
            browser.search.setText(query)
            browser._apply_query()
            if not wait_until(lambda: not browser.model.loading and browser.model.total >= 0, timeout_s):
                raise TimeoutError(f"the item search {query!r} did not finish")
        for _ in range(20):   # lazy loading: page after page while scrolling down
            browser.table.scrollToBottom()
            wait_until(lambda: not browser.model.loading, timeout_s)
        beat.stop()
        out["search_s"] = round(time.perf_counter() - t, 2)
        out["search_rows_loaded"] = browser.model.rowCount()
        out["search_max_stall_ms"] = round(beat.max_stall_ms, 1)
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    return out


def _main() -> None:
    """`python -m app.ui.heartbeat STORE [--t0 EPOCH]`: the measurements as one JSON line."""
    import argparse
    import json
    ap = argparse.ArgumentParser(prog="python -m app.ui.heartbeat")
    ap.add_argument("store")
    ap.add_argument("--t0", type=float, help="time.time() when the process was launched")
    ap.add_argument("--batch-items", type=int, default=1000)
    args = ap.parse_args()
    print(json.dumps(measure_stalls(args.store, args.batch_items, started_at=args.t0)))


if __name__ == "__main__":
    _main()
