"""A small Qt-free progress object that long work reports to and checks for cancellation."""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable


class Cancelled(Exception):
    """Raised inside long work when the user asked to stop; nothing half-done is kept."""


class Progress:
    """Report a fraction and a message; ask whether the user cancelled.

    `callback(fraction, message)` is called from the working thread; the window turns it into a
    signal, the command line draws a bar.
    """

    def __init__(self, callback: Callable[[float, str], None] | None = None):
        self._callback = callback
        self._cancel = threading.Event()
        self.fraction = 0.0
        self.message = ""

    def report(self, fraction: float, message: str = "") -> None:
        self.fraction = max(0.0, min(1.0, fraction))
        if message:
            self.message = message
        if self._callback:
            self._callback(self.fraction, self.message)
        self.check()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")

    def sub(self, start: float, end: float) -> Progress:
        """A child progress whose 0..1 maps onto start..end of this one."""
        parent = self

        class _Sub(Progress):
            def report(self, fraction: float, message: str = "") -> None:
                parent.report(start + (end - start) * max(0.0, min(1.0, fraction)), message)

            @property
            def cancelled(self) -> bool:
                return parent.cancelled

            def check(self) -> None:
                parent.check()

        return _Sub()


_open_bars: list["TerminalProgress"] = []


def end_progress_line() -> None:
    """Finish a bar cut off mid-way, so the message that follows starts on its own line."""
    while _open_bars:
        bar = _open_bars.pop()
        bar._stream.write("\n")
        bar._stream.flush()


class TerminalProgress(Progress):
    """Draws a one-line bar on stderr when it is a terminal; silent otherwise, so a script that
    reads stderr sees nothing but warnings and the one-line error."""

    def __init__(self, stream=None):
        super().__init__()
        self._stream = stream or sys.stderr
        self._last = 0.0
        self._tty = hasattr(self._stream, "isatty") and self._stream.isatty()

    def report(self, fraction: float, message: str = "") -> None:
        super().report(fraction, message)
        if not self._tty:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        width = 30
        filled = int(width * self.fraction)
        self._stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.fraction:5.1%} "
                           f"{self.message[:60]:<60}")
        if self.fraction >= 1.0:
            self._stream.write("\n")
            if self in _open_bars:
                _open_bars.remove(self)
        elif self not in _open_bars:
            _open_bars.append(self)
        self._stream.flush()
