"""Window tests: offscreen Qt, QSettings in a temporary folder, one demo store built per session
and copied for every test that changes it."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402

from app.domain.access import User  # noqa: E402

DEMO_ITEMS = 2500
LONG = 60_000  # ms: generous, a busy 2-core CI machine is slow

_settings_dir = tempfile.mkdtemp(prefix="routing-ml-test-settings-")
QCoreApplication.setOrganizationName("RoutingML-test")
QCoreApplication.setApplicationName("Routing ML test")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _settings_dir)


def _build_demo_store(path_or_url: Path | str) -> None:
    from app.services import first_start
    from app.store.db import Store

    store = Store(str(path_or_url))
    try:
        first_start.build_demo(store, DEMO_ITEMS, seed=7)
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory) -> Path:
    """One demo plant (2,500 items), imported and trained, for the whole session. Do not change it."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "store.sqlite"
    _build_demo_store(path)
    return path


@pytest.fixture
def store_url(demo_store_file: Path, tmp_path: Path) -> str:
    """A private copy of the demo store (with its model files) that a test may change."""
    from ui_helpers import copy_store_file
    return copy_store_file(demo_store_file, tmp_path / "store.sqlite")


@pytest.fixture(scope="session")
def pg_demo_template(pg_session_databases) -> str:
    """The same demo plant built once into a PostgreSQL database (the shared server store); the name
    of the database pg_store_url copies."""
    from sqlalchemy.engine import make_url
    url = pg_session_databases()
    _build_demo_store(url)
    return make_url(url).database


@pytest.fixture
def pg_store_url(pg_database_factory, pg_demo_template) -> str:
    """A private copy of the demo store on the PostgreSQL server, for one test."""
    return pg_database_factory(template=pg_demo_template)


@pytest.fixture
def probes():
    """A StoreProbe (app.services.stores) on every store opened through the services from now on:
    it records the thread of each store call and can delay them or cut the connection."""
    from app.services import stores
    found: list = []

    def hook(store) -> None:
        found.append(stores.StoreProbe(store))
    stores.add_open_hook(hook)
    yield found
    stores.remove_open_hook(hook)


@pytest.fixture(scope="session", autouse=True)
def _configured_app(qapp):
    from app.ui.main import configure_application

    configure_application(qapp, "en")
    yield qapp


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    QSettings().clear()
    yield
    QSettings().clear()


LEE = User("lee", "admin", "PC-LEE")


@pytest.fixture
def make_window(qtbot):
    """Opens a MainWindow on a store URL (the window opens the store on a worker, as the program does)
    and waits until its model is loaded; closes it afterwards."""
    from app.ui.window import MainWindow

    windows = []

    def make(url: str, wait_model: bool = True, user: User | None = LEE,
             size: tuple[int, int] | None = (1600, 980), **kwargs) -> MainWindow:
        """`user=None` signs the OS user in, as the program does; `size` None keeps the size the
        window chose for itself."""
        w = MainWindow(url, build_demo_if_empty=kwargs.pop("build_demo_if_empty", False), user=user,
                       **kwargs)
        if size:
            w.resize(*size)
        w.show()
        windows.append(w)
        if wait_model:
            qtbot.waitUntil(lambda: w.ctx.model is not None, timeout=LONG)
        return w

    yield make
    for w in windows:
        w.shutdown()
        w.prediction.clear()   # a test's unsaved edits must not hold the close on the Save question
        w.close()
        w.ctx.store.dispose()
        w.deleteLater()
