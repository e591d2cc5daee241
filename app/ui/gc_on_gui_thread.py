"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate when a threshold is crossed: a
worker computing a prediction could then destroy a forgotten widget or timer, and Qt aborts
("Timers cannot be started from another thread"). That abort was seen here when a diagnostic
thread released the last reference to Qt objects during a 300,000-item training. So automatic
collection is switched off while the window runs, and a GUI-thread timer collects with the
interpreter's own thresholds instead.

A full collection walks every object the interpreter tracks: with the 300,000-item model loaded
that took 0.2-0.26 s on the GUI thread, a stall of its own. What is alive once the model is loaded
(the imported modules, the model, the window) lives as long as the window does, so `freeze_long_lived`
moves it out of the collector's reach (gc.freeze); a full collection then walks only what came later.
`thaw` gives it back when the window closes, so a window's garbage is still collected.

The pause of a collection grows with the objects it walks, so the timer checks often: every 50 ms
a young collection walks at most what the workers made in 50 ms (at 500 ms, a worker reading 10,000
saved routings left 50,000-70,000 new objects, 25-40 ms of the GUI thread's CPU per collection, and
the middle generation's 150,000, 150 ms). A full collection walks every object not frozen, so, as
the interpreter itself does, it waits until the objects moved to the oldest generation since the
last full one reach a quarter of those that survived it (gc.collect(2) alone skips that rule).
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_INTERVAL_MS = 50
_LONG_LIVED_SHARE = 4     # CPython's gc: a full collection once pending >= long-lived total / 4
_HELD_LIMIT = 2_000_000   # while held, collect anyway once this many new objects wait (a safety net)


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.long_lived = 0      # objects the oldest generation held after the last full collection
        self.pending = 0         # the objects made since, net of those freed: at most what moved into it
        self.holds = 0           # hold(): a worker is making what will live as long as the window
        gc.disable()
        self.timer.start()
        parent.destroyed.connect(lambda *_: gc.enable())

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds, youngest first."""
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0] or (self.holds and counts[0] <= _HELD_LIMIT):
            return
        generation = 0
        if counts[1] > self.thresholds[1]:
            generation = 1
            if counts[2] > self.thresholds[2] and self.pending >= self.long_lived // _LONG_LIVED_SHARE:
                generation = 2
        self.pending += counts[0]
        gc.collect(generation)
        if generation == 2:
            self.long_lived = len(gc.get_objects(generation=2))
            self.pending = 0


def freeze_long_lived() -> None:
    """Leave everything alive now out of later collections (call when the window has its model)."""
    gc.freeze()


def hold() -> None:
    """No collection until release(): a worker is loading the model, whose objects live as long as the
    window and are frozen once it has them (freeze_long_lived). Collected as they were made, at 300,000
    items they cost the GUI thread young collections of 20-50 ms of CPU each while the model loaded,
    and a full one walking all of it 200 ms."""
    collector = _installed()
    if collector is not None:
        collector.holds += 1


def release() -> None:
    collector = _installed()
    if collector is not None and collector.holds:
        collector.holds -= 1


def _installed() -> GuiThreadCollector | None:
    from PySide6.QtCore import QCoreApplication
    app = QCoreApplication.instance()
    return app.findChild(GuiThreadCollector) if app is not None else None


def thaw() -> None:
    """Undo freeze_long_lived: the next full collection walks everything again."""
    gc.unfreeze()


def install(app: QObject) -> GuiThreadCollector:
    """Once per application object; returns the collector (kept alive as the app's child)."""
    existing = app.findChild(GuiThreadCollector)
    return existing if existing is not None else GuiThreadCollector(app)
