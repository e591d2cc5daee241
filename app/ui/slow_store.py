"""The window on a store that answers late (a busy shared server, a slow network): every use of a
connection waits `delay_ms` (app.services.stores.StoreProbe), while an engineer opens the window,
browses, predicts, edits and saves, and looks at the Training tab. A 20 ms heartbeat on the GUI
thread records the longest stall; the store work runs on workers, so it should stay short.

`python -m app.ui.slow_store STORE [--delay-ms 300]` prints the figures as one JSON line
(scripts/bench runs it in a fresh process)."""
from __future__ import annotations

import os
import time
from typing import Any

DEFAULT_DELAY_MS = 300


def measure_slow_store(store_url: str, delay_ms: float = DEFAULT_DELAY_MS, timeout_s: float = 600) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QModelIndex

    from app.domain.access import User
    from app.services import stores
    from app.ui.heartbeat import Heartbeat, wait_until
    from app.ui.main import ensure_application
    from app.ui.routing_editor import COLUMNS
    from app.ui.window import MainWindow

    from PySide6.QtCore import QCoreApplication, QSettings
    if QCoreApplication.instance() is None:   # the user's own window settings are neither read nor changed
        import tempfile
        QCoreApplication.setOrganizationName("RoutingML-bench")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          tempfile.mkdtemp(prefix="routing-ml-bench-settings-"))
    probes: list[stores.StoreProbe] = []

    def slow(store) -> None:
        probes.append(stores.StoreProbe(store, delay_s=delay_ms / 1000))
    stores.add_open_hook(slow)
    app = ensure_application()
    beat = Heartbeat(watch_after_ms=60)   # where the GUI thread was in each step's longest stall
    stalls: dict[str, float] = {}
    busy: dict[str, float] = {}   # the GUI thread's own CPU time in each step's longest stall
    where: dict[str, str] = {}
    out: dict[str, Any] = {"delay_ms": delay_ms}

    calls: dict[str, list[str]] = {}   # each step's uses of a connection, each with the statement it ran
    seen = [0]

    def step(name: str, condition, what: str) -> None:
        if not wait_until(condition, timeout_s):
            raise TimeoutError(f"slow store: {what} did not finish within {timeout_s:.0f} s")
        app.processEvents()
        stalls[name] = round(beat.max_stall_ms, 1)
        busy[name] = round(beat.stall_busy_ms, 1)
        where[name] = beat.stall_where
        touches = [t for p in probes for t in p.touches]
        calls[name] = _calls(sorted(touches, key=lambda t: t.at)[seen[0]:])
        seen[0] = len(touches)
        beat.reset()

    # the machine's own noise first: the longest stall of an idle event loop (a shared, busy PC
    # delays the GUI thread without any help from the program)
    beat.start()
    wait_until(lambda: False, 3.0)
    beat.stop()
    out["idle_max_stall_ms"] = round(beat.max_stall_ms, 1)

    window = MainWindow(store_url, build_demo_if_empty=False, user=User("bench", "admin", "bench"))
    try:
        window.resize(1600, 960)
        window.show()
        app.processEvents()   # building the widgets is not store work: the heartbeat starts once shown
        beat.start()
        t = time.perf_counter()
        # opening the store and loading the model, on workers
        step("start", lambda: window.ctx.model is not None or bool(window.ctx.model_error), "the start")
        if window.ctx.model is None:
            raise RuntimeError(f"slow store: {window.ctx.model_error}")
        out["model_ready_s"] = round(time.perf_counter() - t, 2)

        tab = window.prediction
        browser = tab.browser
        tab.inputs.tabs.setCurrentIndex(0)
        browser.only_without.setChecked(True)
        step("browse", lambda: browser.model.rowCount() > 0 and not browser.model.loading, "browsing")

        browser.select_row(0)
        code = browser.current_code()
        shown: list[str] = []
        tab.prediction_shown.connect(shown.append)
        t = time.perf_counter()
        tab.predict_code(code)
        step("predict", lambda: bool(shown), "the prediction")
        out["predict_s"] = round(time.perf_counter() - t, 2)

        model = tab.editor.model
        setup = model.operations[0].SETUP_TIME + 1   # a change, also when this item was saved before
        model.setData(model.index(0, COLUMNS.index("SETUP_TIME"), QModelIndex()), f"{setup:g}")   # forks a candidate
        saved: list = []
        failed: list[str] = []
        tab.saved.connect(saved.append)
        tab.save_failed.connect(failed.append)
        t = time.perf_counter()
        tab.save_button.click()
        step("save", lambda: bool(saved) or bool(failed), "the save")
        if failed:
            raise RuntimeError(f"slow store: the save failed: {failed[0]}")
        out["save_s"] = round(time.perf_counter() - t, 2)

        window.tabs.setCurrentWidget(window.training)
        step("training tab", lambda: window.training.data.report is not None and not window.runner.running(),
             "the Training tab's data report")
    finally:
        beat.stop()
        stores.remove_open_hook(slow)
        window.prediction.clear()
        window.close()
        window.deleteLater()
        app.processEvents()
    out["stalls_ms"] = stalls
    out["stall_cpu_ms"] = busy
    out["stall_where"] = where
    out["max_stall_ms"] = max(stalls.values())
    out["store_calls"] = sum(1 for p in probes for t in p.touches if t.what == "connection")
    out["store_calls_per_step"] = calls
    out["gui_thread_calls"] = sum(len(p.on_thread()) for p in probes)
    return out


def _calls(touches: list) -> list[str]:
    """Each use of a connection in `touches` as 'thread: its first statement after BEGIN' (what it was
    for: a step with one more call than usual says which)."""
    out: list[str] = []
    for i, t in enumerate(touches):
        if t.what == "connection":
            sql = next((u.what[5:] for u in touches[i + 1:] if u.thread == t.thread and u.what.startswith("SQL")
                        and not u.what.startswith("SQL: BEGIN")), "no SQL")
            out.append(f"{t.thread_name}: {sql}")
    return out


def _main() -> None:
    import argparse
    import json
    ap = argparse.ArgumentParser(prog="python -m app.ui.slow_store")
    ap.add_argument("store")
    ap.add_argument("--delay-ms", type=float, default=DEFAULT_DELAY_MS)
    ap.add_argument("--timeout", type=float, default=600, help="seconds each step may take")
    args = ap.parse_args()
    print(json.dumps(measure_slow_store(args.store, args.delay_ms, args.timeout)))


if __name__ == "__main__":
    _main()
