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
from pathlib import Path, PureWindowsPath
from typing import BinaryIO
from urllib.parse import quote

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


def rename_with_retries(source: Path, target: Path, *, replace: bool = False) -> None:
    """Rename `source` to `target`, retrying while another program holds a file in the folder (or,
    with `replace`, holds the file `target` that is replaced). FolderBusyError naming both when it
    still fails; FileExistsError at once when `target` exists and `replace` is False."""
    delays = RETRY_DELAYS
    for attempt in range(len(delays) + 1):
        if not replace and target.exists():
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
        f"backup or sync tool, Excel, or another Routing ML window) keeps "
        f"{'it' if replace else 'a file in it'} open ({last.strerror or last})") from last


def sqlite_uri(path: str | os.PathLike, *, windows: bool | None = None, **params: str) -> str:
    """The SQLite `file:` URI of a file path, with query parameters (`mode="ro"`).

    Every character of the path survives: `%`, `#`, `?` and spaces are percent-quoted (a bare
    `file:{path}` cuts at `#` and decodes `%41`). A Windows drive path becomes `file:///C:/...`; a
    UNC path `\\\\server\\share\\...` (what a mapped network drive resolves to) becomes
    `file:////server/share/...`, because SQLite refuses any URI authority but an empty one
    (`pathlib.Path.as_uri` gives `file://server/share/...`). `windows` defaults to this platform.
    """
    windows = os.name == "nt" if windows is None else windows
    if windows:
        pure = PureWindowsPath(path)
        text = pure.as_posix()   # C:/a/b or //server/share/a
        if pure.drive.startswith(("\\\\?\\", "//?/")):
            raise ValueError(f"{path}: give the path without the \\\\?\\ prefix")
        if not pure.drive:
            raise ValueError(f"{path}: a SQLite URI needs an absolute path")
        if not text.startswith("/"):
            text = "/" + text    # file:///C:/..., the form SQLite's Windows VFS strips back to C:/...
    else:
        text = os.path.abspath(path)
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
    return "file://" + quote(text, safe="/:") + (f"?{query}" if query else "")


# File systems on which SQLite's write-ahead log cannot work: it needs shared memory between all
# programs using the file, which exists only on one computer (https://sqlite.org/wal.html).
NETWORK_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs", "ceph",
                        "glusterfs", "lustre", "davfs", "fuse.sshfs", "fuse.rclone", "fuse.smbnetfs"}


def is_network_path(path: str | os.PathLike, *, windows: bool | None = None, mounts: str | None = None) -> bool:
    """Whether `path` lies on another computer: a UNC path or a mapped network drive on Windows,
    an NFS/SMB/... mount elsewhere (`mounts`: the text of /proc/mounts, read when None)."""
    windows = os.name == "nt" if windows is None else windows
    if windows:
        pure = PureWindowsPath(path)
        if pure.drive.startswith(("\\\\", "//")):
            return True
        if len(pure.drive) == 2 and os.name == "nt":   # a drive letter: ask Windows what it is
            import ctypes
            return ctypes.windll.kernel32.GetDriveTypeW(pure.drive + "\\") == _DRIVE_REMOTE
        return False
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    target = os.path.abspath(path)
    best, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, best_type = point, fields[2]
    return best_type in NETWORK_FILE_SYSTEMS


_DRIVE_REMOTE = 4   # GetDriveTypeW: a network drive
