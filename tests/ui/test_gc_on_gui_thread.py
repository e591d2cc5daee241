"""The cyclic garbage collector runs on the GUI thread only, and a full collection (which walks every
object the window keeps, a long pause) waits, as the interpreter's own would, until enough new
objects have reached the oldest generation."""
from __future__ import annotations

import gc
import threading
import weakref

import shiboken6
from PySide6.QtCore import QObject

from app.ui import gc_on_gui_thread
from app.ui.heartbeat import wait_until


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_workers_cyclic_garbage_is_collected_on_the_gui_thread(qapp):
    parent = QObject()
    collector = gc_on_gui_thread.GuiThreadCollector(parent)
    seen: list[str] = []

    def note(phase, info):
        if phase == "start":
            seen.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        watched: list[weakref.ref] = []
        kept: list = []

        def work():
            watched.append(weakref.ref(_Cycle()))
            kept.extend([i] for i in range(20_000))   # passes the young generation's threshold many times

        worker = threading.Thread(target=work, name="export-worker")
        worker.start()
        worker.join()
        assert watched[0]() is not None            # nothing collected it on the worker
        assert wait_until(lambda: watched[0]() is None, 10)
    finally:
        gc.callbacks.remove(note)
        shiboken6.delete(parent)
    assert gc.isenabled()                          # again, once the application object is gone
    assert seen and set(seen) == {threading.main_thread().name}


class _FakeGc:
    """gc as the collector sees it: every check finds all three thresholds passed, with `made` new
    objects since the last check and `held` objects in the oldest generation after a full collection."""

    def __init__(self) -> None:
        self.made, self.held = 800, 100_000
        self.collected: list[int] = []

    def get_threshold(self):
        return (700, 10, 10)

    def get_count(self):
        return (self.made, 11, 11)

    def disable(self):
        pass

    def enable(self):
        pass

    def collect(self, generation=2):
        self.collected.append(generation)

    def get_objects(self, generation=None):
        return [None] * self.held


def test_a_full_collection_waits_until_a_quarter_of_the_kept_objects_is_new(qapp, monkeypatch):
    fake = _FakeGc()
    monkeypatch.setattr(gc_on_gui_thread, "gc", fake)
    parent = QObject()
    collector = gc_on_gui_thread.GuiThreadCollector(parent)
    collector.timer.stop()
    try:
        for _ in range(40):
            collector.check()
    finally:
        shiboken6.delete(parent)
    # the first is full (nothing known yet); the next comes once 25,000 objects (100,000 / 4) are new:
    # 32 checks of 800, each a collection of the younger generations, which are short
    assert fake.collected[:34] == [2] + [1] * 32 + [2]


def test_no_collection_while_a_model_loads(qapp, monkeypatch):
    """hold() (the window's model loading on a worker) stops the collections, release() lets them run
    again: the model's objects are frozen once it is loaded, never walked young."""
    fake = _FakeGc()
    monkeypatch.setattr(gc_on_gui_thread, "gc", fake)
    collector = gc_on_gui_thread.install(qapp)
    collector.timer.stop()
    try:
        gc_on_gui_thread.hold()
        for _ in range(10):
            collector.check()
        assert fake.collected == []
        fake.made = 2_000_001                     # but not for ever
        collector.check()
        assert len(fake.collected) == 1
        fake.made = 800
        gc_on_gui_thread.release()
        collector.check()
        assert len(fake.collected) == 2
    finally:
        gc_on_gui_thread.release()
        collector.timer.start()
    assert collector.holds == 0


def test_a_window_closed_while_its_model_loads_does_not_keep_the_collector_held(qtbot, qapp, store_url):
    """The load's end reaches a window that still exists; one deleted first never hears of it. The
    collector is the application's: were it left held, no other window's garbage would be collected
    (until two million objects wait)."""
    from app.services import stores
    from app.ui.window import MainWindow
    from ui_helpers import LONG

    collector = gc_on_gui_thread.install(qapp)
    before = collector.holds

    def slow(store) -> None:
        stores.StoreProbe(store, delay_s=0.3)      # the model's load waits for a slow server
    stores.add_open_hook(slow)
    try:
        w = MainWindow(store_url, build_demo_if_empty=False)
        w.show()
        qtbot.waitUntil(lambda: w._loading_model, timeout=LONG)
        assert collector.holds == before + 1
        w.shutdown()                               # as closing it does: the load is done, its end queued
        w.ctx.store.dispose()
        shiboken6.delete(w)                        # and the window gone before the queue is read
        qtbot.wait(100)
    finally:
        stores.remove_open_hook(slow)
    assert collector.holds == before
