"""JSON-lines log files in the user's log folder: one file per process, rotated by size.

The window and the command line often run at the same time. One shared file cannot be rotated on
Windows while the other process has it open (the rename fails, every later record printed
"Logging error" and the file grew for ever), so each process writes its own file
`routing-ml-YYYYMMDD-HHMMSS-PID.jsonl`; old files are removed at start-up. A rotation that still
fails (a viewer or virus scanner holding the file) is retried later instead of at every record.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import time
from datetime import datetime
from pathlib import Path

from app.folders import log_dir  # noqa: F401 - callers import log_dir from here

MAX_BYTES = 5_000_000
BACKUPS = 3
KEEP_DAYS = 30        # log files older than this are removed at start-up
KEEP_FILES = 60       # and at most this many of the newest are kept


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ProcessLogHandler(logging.handlers.RotatingFileHandler):
    """A size-rotated log file of this process; a rotation refused by another program holding the
    file is tried again after another tenth of the size, and records keep going to the file."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True)
        self._next_try = 0

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        if self.stream is not None and self.stream.tell() < self._next_try:
            return False
        return bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        try:
            super().doRollover()
        except OSError:   # Windows: another program has the file open, the rename is refused
            if self.stream is None:
                self.stream = self._open()
            self._next_try = self.stream.tell() + self.maxBytes // 10


def setup_logging() -> Path:
    """Send the `app` loggers to this process's own log file (once); returns its path."""
    root = logging.getLogger("app")
    for handler in root.handlers:
        if isinstance(handler, ProcessLogHandler):
            return Path(handler.baseFilename)
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_logs(folder)
    path = folder / f"routing-ml-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.jsonl"
    handler = ProcessLogHandler(path)
    handler.setFormatter(_JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def _remove_old_logs(folder: Path) -> None:
    """Log files of ended processes beyond KEEP_DAYS or KEEP_FILES; a file still open elsewhere
    (Windows refuses to delete it) stays."""
    logs = []
    for path in folder.glob("routing-ml*.jsonl*"):
        try:
            logs.append((path.stat().st_mtime, path))
        except OSError:
            continue
    logs.sort(reverse=True)
    too_old = time.time() - KEEP_DAYS * 86400
    for n, (mtime, path) in enumerate(logs):
        if n >= KEEP_FILES or mtime < too_old:
            try:
                path.unlink()
            except OSError:
                pass
