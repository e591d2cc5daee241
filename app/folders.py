"""The per-user folders of Routing ML, and the environment variables that move them.

Defaults are the platform's (platformdirs): on Windows `%LOCALAPPDATA%\\RoutingML` for data and
`%LOCALAPPDATA%\\RoutingML\\Logs` for logs, whatever XDG_* variables say (platformdirs reads those on
Linux only). `ROUTING_ML_DATA_DIR` and `ROUTING_ML_LOG_DIR` move them on every system: a PC whose
profile folder is too small or synced, and the tests, which must never touch a user's real folders.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "RoutingML"
DATA_DIR_ENV = "ROUTING_ML_DATA_DIR"
LOG_DIR_ENV = "ROUTING_ML_LOG_DIR"
CACHE_DIR_ENV = "ROUTING_ML_CACHE_DIR"


def data_dir() -> Path:
    """`ROUTING_ML_DATA_DIR`, else the platform's per-user data folder: the default store, the
    copies of a server store's data and models, the admin's audit checkpoints."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """`ROUTING_ML_CACHE_DIR`, else the platform's per-user cache folder (%LOCALAPPDATA%\\RoutingML\\Cache,
    ~/.cache/RoutingML): this PC's copies of a shared store's models and imported views, which the
    program copies again from the store when they are missing."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """`ROUTING_ML_LOG_DIR`, else the platform's log folder (%LOCALAPPDATA%\\RoutingML\\Logs)."""
    override = os.environ.get(LOG_DIR_ENV, "").strip()
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
