"""Running service calls off the GUI thread.

A `Task` wraps a plain function `fn(progress) -> result`. It runs on a QThreadPool; the function gets
an app.services.progress.Progress whose callback only posts an event (throttled), so no widget is
ever touched from the worker. The result, an error message or "cancelled" come back by signal.

The worker never emits a task's public signals itself: it emits one private signal into a slot of
the GUI-thread object (a queued connection Qt guarantees), and that slot emits the public signals on
the GUI thread. So a lambda connected to them runs on the GUI thread too; PySide does not promise
that for a lambda connected to a signal emitted on another thread, and a widget touched from a
worker thread makes Qt abort ("Timers cannot be started from another thread").
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, Signal, Slot

from app.domain.routing import RoutingError
from app.services.progress import Cancelled, Progress
from app.services.stores import connection_message, is_connection_lost

log = logging.getLogger("app.ui.workers")

# signals at most every 50 ms: a worker reporting per row must not flood the GUI thread
PROGRESS_INTERVAL_S = 0.05


class TaskSignals(QObject):
    progress = Signal(float, str)      # fraction 0..1, message
    finished = Signal(object)          # the function's result
    failed = Signal(str)               # a message a user can act on
    raised = Signal(object)            # the exception itself, just before `failed`
    cancelled = Signal()
    done = Signal()                    # always last, whatever happened
    _posted = Signal(object)           # from the worker: [(public signal name, its arguments), ...]

    def __init__(self) -> None:
        super().__init__()
        self.delivered = False         # `done` reached the GUI thread: every callback has run
        self._posted.connect(self._deliver)

    def post(self, name: str, *args: Any) -> None:
        """Called on the worker: the public signal `name` is emitted later, on this object's thread."""
        self._posted.emit([(name, args)])

    def post_last(self, *signals: tuple[str, tuple]) -> None:
        """Called on the worker with the outcome and `done`: they reach the GUI thread as one event, so
        nothing runs between a result and `done` (a result shown while its buttons are still disabled
        was a race a quick click, or a test, lost)."""
        self._posted.emit([*signals, ("done", ())])

    @Slot(object)
    def _deliver(self, batch: list) -> None:
        for name, args in batch:
            if name == "done":
                self.delivered = True
            getattr(self, name).emit(*args)
        if self.delivered:
            self._release()

    def _release(self) -> None:
        """Nothing is emitted after `done`: let go of every callback connected. A callback holding its
        task (TaskRunner's own, JobBar's) closes a cycle through Qt's connection, which Python's
        collector cannot see."""
        meta = self.metaObject()
        for i in range(meta.methodOffset(), meta.methodCount()):
            method = meta.method(i)
            name = bytes(method.name()).decode()
            if name in _PUBLIC and self.isSignalConnected(method):   # disconnect() warns on an idle one
                getattr(self, name).disconnect()


_PUBLIC = ("progress", "finished", "failed", "raised", "cancelled", "done")


class _Throttle:
    """A task's progress callback: posts at most one unchanged message every PROGRESS_INTERVAL_S. Not
    a bound method of the Task, so the task, its Progress and the callback make no cycle (a finished
    task is freed as soon as nothing holds it, frozen collector or not)."""

    def __init__(self, signals: TaskSignals) -> None:
        self.signals = signals
        self.last_emit = 0.0
        self.last_message = ""
        self.lock = threading.Lock()

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        with self.lock:
            if fraction < 1.0 and message == self.last_message and now - self.last_emit < PROGRESS_INTERVAL_S:
                return
            self.last_emit, self.last_message = now, message
        self.signals.post("progress", float(fraction), message)


class Task(QRunnable):
    """One piece of long work. Keep the object until `signals.done` (TaskRunner does)."""

    def __init__(self, fn: Callable[[Progress], Any], name: str = "task"):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.name = name
        self.signals = TaskSignals()
        self.progress = Progress(_Throttle(self.signals))
        self.is_done = False
        self.result: Any = None
        self.error: str | None = None
        self.exception: BaseException | None = None
        self.was_cancelled = False

    def cancel(self) -> None:
        self.progress.cancel()

    def run(self) -> None:  # on the worker thread
        outcome: list[tuple[str, tuple]] = []
        try:
            self.progress.check()
            result = self.fn(self.progress)
        except Cancelled:
            self.was_cancelled = True
            outcome = [("cancelled", ())]
        except RoutingError as exc:
            self.error, self.exception = str(exc), exc
            log.warning("%s: %s", self.name, exc)
            outcome = [("raised", (exc,)), ("failed", (str(exc),))]
        except Exception as exc:  # noqa: BLE001 - the user sees a message, the log the traceback
            if is_connection_lost(exc):   # not a bug: the server went away; said in a user's words
                log.warning("%s: %s", self.name, exc)
                self.error, self.exception = connection_message(exc), exc
            else:
                log.exception("%s failed", self.name)
                self.error, self.exception = f"{type(exc).__name__}: {exc}", exc
            outcome = [("raised", (exc,)), ("failed", (self.error,))]
        else:
            self.result = result
            outcome = [("finished", (result,))]
        finally:
            self.is_done = True
            self.signals.post_last(*outcome)


class TaskRunner(QObject):
    """Starts tasks on two pools — quick look-ups and long work — and keeps them alive until done."""

    connection_lost = Signal(str)   # a task failed because the store could not be reached

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.quick_pool = QThreadPool(self)
        # look-ups mostly wait for the store (a shared server answers in 10-300 ms): four at once, so
        # an engineer's prediction does not queue behind the other tabs' first reads
        self.quick_pool.setMaxThreadCount(4)
        self.long_pool = QThreadPool(self)
        self.long_pool.setMaxThreadCount(2)
        self._tasks: set[Task] = set()

    def start(self, fn: Callable[[Progress], Any], name: str, *, long: bool = False,
              on_result: Callable[[Any], None] | None = None, on_error: Callable[[str], None] | None = None,
              on_progress: Callable[[float, str], None] | None = None,
              on_cancelled: Callable[[], None] | None = None,
              on_done: Callable[[], None] | None = None,
              on_exception: Callable[[BaseException], None] | None = None) -> Task:
        """`on_exception` gets the exception object (to tell a ConflictError from a lost
        connection); `on_error` the message. Give one or both."""
        task = Task(fn, name)
        for signal, callback in ((task.signals.progress, on_progress), (task.signals.finished, on_result),
                                 (task.signals.raised, on_exception), (task.signals.failed, on_error),
                                 (task.signals.cancelled, on_cancelled), (task.signals.done, on_done)):
            if callback:
                signal.connect(self._guarded(callback))
        task.signals.raised.connect(self._raised)
        task.signals.done.connect(lambda t=task: self._tasks.discard(t))
        self._tasks.add(task)
        # the pool is given the task's method, not the task: PySide keeps every QRunnable it is given
        # (auto-delete off) until the pool itself goes, and with it each task's result; the window
        # kept every model it ever loaded. A callable is let go once it has run.
        (self.long_pool if long else self.quick_pool).start(task.run)
        return task

    def _raised(self, exc: BaseException) -> None:
        if is_connection_lost(exc) and shiboken6.isValid(self):
            self.connection_lost.emit(connection_message(exc))

    def _guarded(self, callback: Callable) -> Callable:
        """A late result must not reach widgets that were closed while the work ran."""
        owner = getattr(callback, "__self__", None)

        def call(*args):
            if shiboken6.isValid(self) and (not isinstance(owner, QObject) or shiboken6.isValid(owner)):
                callback(*args)
        return call

    def running(self) -> list[Task]:
        return [t for t in self._tasks if not t.is_done]

    def cancel_all(self) -> None:
        for t in list(self._tasks):
            t.cancel()

    def wait_for(self, task: Task) -> bool:
        """Wait for `task` to finish, its callbacks run, while the window keeps painting and its timers
        tick (user input waits). For a step a modal question needs at once (Save before closing);
        everything else connects to the task's signals instead. Returns False if it was cancelled
        or failed."""
        if not task.signals.delivered:
            loop = QEventLoop()
            task.signals.done.connect(loop.quit)
            if not task.signals.delivered:   # `done` may have arrived while connecting
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return task.error is None and not task.was_cancelled

    def wait(self, msecs: int = 30_000) -> bool:
        a = self.quick_pool.waitForDone(msecs)
        b = self.long_pool.waitForDone(msecs)
        return a and b
