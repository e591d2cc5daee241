"""Checks the Python that set-up runs with and prints the folder for the virtual environment.

Run by scripts/_venv.sh and scripts\\_venv.ps1 with the bare interpreter, before anything is
installed (standard library only): `python check_python.py ROOT`. Exit 0 and the environment's
folder on standard output, or exit 1 and one message saying what to do.
"""
from __future__ import annotations

import hashlib
import os
import struct
import sys

MINIMUM = (3, 11)
MAX_PATH = 259   # Windows' MAX_PATH (260) less the terminating NUL, unless long paths are enabled
# \Lib\site-packages\ plus the longest file name in PySide6's wheel (about 150 characters), with room.
DEEPEST_INSIDE_VENV = 190


def problem(version: tuple[int, ...], bits: int, executable: str) -> str | None:
    """Why this Python cannot run Routing ML, or None."""
    found = f"Python {'.'.join(map(str, version[:3]))} ({bits}-bit) at {executable}"
    if tuple(version[:2]) < MINIMUM or bits != 64:
        what = "is too old" if tuple(version[:2]) < MINIMUM else "is 32-bit, and PySide6 exists only for 64-bit"
        return (f"Routing ML needs a 64-bit Python {MINIMUM[0]}.{MINIMUM[1]} or newer; {found} {what}. "
                f"Install Python 3.12 from python.org (Windows: the \"Windows installer (64-bit)\", which "
                f"needs no administrator rights), then run the command again; if it is installed already, "
                f"name it: set PYTHON=C:\\path\\to\\python.exe (PowerShell: $env:PYTHON = \"...\").")
    return None


def venv_folder(root: str, *, windows: bool, long_paths: bool, local_appdata: str | None) -> str:
    """`ROOT/.venv`, unless on Windows without long paths its deepest file would pass MAX_PATH
    (a typical OneDrive folder): then a short folder under %LOCALAPPDATA%\\RoutingML\\venvs."""
    sep = "\\" if windows else "/"
    inside = root.rstrip("\\/") + sep + ".venv"
    if not windows or long_paths or len(inside) + DEEPEST_INSIDE_VENV <= MAX_PATH or not local_appdata:
        return inside
    name = root.rstrip("\\/").replace("\\", "/").rsplit("/", 1)[-1][:16] or "routing-ml"
    key = hashlib.sha256(root.lower().encode("utf-8")).hexdigest()[:8]
    return sep.join([local_appdata.rstrip("\\/"), "RoutingML", "venvs", f"{name}-{key}"])


def long_paths_enabled() -> bool:
    """Windows' LongPathsEnabled policy (set by IT or the Python installer's last page)."""
    try:
        import winreg
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\FileSystem") as key:
            return winreg.QueryValueEx(key, "LongPathsEnabled")[0] == 1
    except OSError:
        return False


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: check_python.py ROOT")
        return 2
    message = problem(tuple(sys.version_info), struct.calcsize("P") * 8, sys.executable)
    if message:
        print(message)
        return 1
    root = os.path.abspath(argv[1])
    windows = sys.platform == "win32"
    print(venv_folder(root, windows=windows, long_paths=windows and long_paths_enabled(),
                      local_appdata=os.environ.get("LOCALAPPDATA")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
