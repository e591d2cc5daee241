"""Writing files and moving folders so that it also works on Windows.

Windows differs from Linux in ways that break naive code: `os.fsync` needs a handle open for
writing (a file opened "rb" gives `[Errno 9] Bad file descriptor`), and renaming a folder fails
for a while when a virus scanner, the search indexer, a backup tool or another Routing ML
process has a file in it open (`PermissionError`, WinError 5 or 32). These helpers sync while
writing and retry renames with backoff before giving up with a message naming the folder.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# Seconds to wait before each retry: about 6 s in all, long enough for a virus scan of a new file.
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


class FolderBusyError(OSError):
    """A folder could not be renamed because another program kept a file in it open."""


def write_synced(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Create `path`, let `write` fill the open binary file, then flush and fsync it before closing,
    so its bytes are on disk once this returns (the handle is writable, as Windows requires)."""
    with open(path, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def sync_folder(path: Path) -> None:
    """Make a rename inside `path` durable (POSIX); Windows cannot open a folder for that, and NTFS
    journals renames itself."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rename_with_retries(source: Path, target: Path) -> None:
    """Rename `source` to `target` (which must not exist), retrying while another program holds a
    file in the folder. FolderBusyError naming both when it still fails; FileExistsError at once
    when `target` exists."""
    delays = RETRY_DELAYS
    for attempt in range(len(delays) + 1):
        if target.exists():
            raise FileExistsError(17, "the target exists already", str(target))
        try:
            os.replace(source, target)
            return
        except PermissionError as exc:   # Windows: WinError 5 (access denied) or 32 (in use)
            last = exc
        if attempt < len(delays):
            time.sleep(delays[attempt])
    raise FolderBusyError(
        last.errno, f"{source} could not be renamed to {target.name}: another program (a virus scanner, "
        f"backup or sync tool, or another Routing ML window) keeps a file in it open "
        f"({last.strerror or last})") from last
