"""Where the program's own files are: the source tree, or the folder PyInstaller unpacked them to.

Everything loaded from a file by path (resources, Alembic migration scripts, the self-test's demo
plant) is found through here, so the same code works in both.
"""
from __future__ import annotations

import sys
from pathlib import Path

#: the self-test's tiny demo plant, relative to bundle_dir() in a PyInstaller bundle (build.spec)
SELFTEST_PLANT = Path("selftest") / "plant.sqlite"


def frozen() -> bool:
    """True inside a PyInstaller bundle (RoutingML.exe / routing-ml.exe)."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_dir() -> Path:
    """The bundle's data folder (PyInstaller's `_internal`), or the repository root from source."""
    if frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    """resources/ (icons, style, translations, profiles) beside the app package or in the bundle."""
    return bundle_dir() / "resources"


def selftest_plant() -> Path | None:
    """The demo plant the build bundles for `--self-test`; None when running from source."""
    path = bundle_dir() / SELFTEST_PLANT
    return path if frozen() and path.exists() else None
