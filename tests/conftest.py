"""Shared fixtures: one small demo plant, imported and trained once per test session."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import keyring
import keyring.backend
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Per-user folders (default store, server copies, checkpoints, logs) go to a temporary place, never
# the user's real ones, through the program's own variables (app.folders): platformdirs ignores
# XDG_* on Windows, where the log clean-up at start would otherwise prune the user's real logs.
# Set before anything is imported, so child processes inherit them too.
TEST_HOME = tempfile.mkdtemp(prefix="routing-ml-test-home-")
os.environ["ROUTING_ML_DATA_DIR"] = os.path.join(TEST_HOME, "data")
os.environ["ROUTING_ML_LOG_DIR"] = os.path.join(TEST_HOME, "logs")
os.environ["XDG_CACHE_HOME"] = os.path.join(TEST_HOME, "cache")   # Qt's and fontconfig's caches (Linux)
os.environ["ROUTING_ML_CACHE_DIR"] = os.path.join(TEST_HOME, "cache", "RoutingML")

DEMO_ITEMS = 3000


class MemoryKeyring(keyring.backend.KeyringBackend):
    """The OS keyring as the tests see it: in memory, nothing on disk."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def os_keyring(tmp_path_factory, monkeypatch):
    """Every test gets an empty in-memory keyring (signing keys, bind passwords) and its own
    per-user data folder (where an admin's checkpoints go by default)."""
    monkeypatch.setenv("ROUTING_ML_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))
    monkeypatch.setenv("ROUTING_ML_CACHE_DIR", str(tmp_path_factory.mktemp("user-cache")))   # server stores' copies
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def admin():
    from app.domain.access import User
    return User("KSM\\park.admin", "admin", "PC-ADMIN", "park.admin")


@pytest.fixture
def approver():
    from app.domain.access import User
    return User("KSM\\choi.lead", "approver", "PC-LEAD", "choi.lead")


@pytest.fixture
def engineer():
    from app.domain.access import User
    return User("KSM\\kim", "engineer", "PC-ENG-07", "kim")


@pytest.fixture
def store_backend() -> str:
    """Where empty_store and trained_store live: SQLite here; tests/services and tests/store
    run each store test on PostgreSQL too (their conftest.py parametrizes this)."""
    return "sqlite"


@pytest.fixture
def empty_store(tmp_path, store_backend, request):
    """A new store with no data (only what migrations make)."""
    from app.store.db import Store
    if store_backend == "postgresql":
        store = Store(request.getfixturevalue("pg_url"))
    else:
        store = Store(str(tmp_path / "store" / "store.sqlite"))
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def demo_plant_file(tmp_path_factory) -> Path:
    from app.demo import generator
    path = tmp_path_factory.mktemp("plant") / "plant.sqlite"
    generator.write(generator.generate(DEMO_ITEMS, seed=11), path)
    return path


@pytest.fixture(scope="session")
def trained_store_template(tmp_path_factory, demo_plant_file) -> Path:
    """A store with the demo plant imported and one model trained and active."""
    from app.services import models
    from app.services.importing import import_source
    from app.store.db import Store
    folder = tmp_path_factory.mktemp("store-template")
    store = Store(str(folder / "store.sqlite"))
    import_source(store, str(demo_plant_file))
    models.train(store)
    store.dispose()
    return folder


@pytest.fixture
def trained_store(tmp_path, store_backend, request):
    """A private copy of the trained store, so a test may change it freely."""
    from app.store.db import Store
    if store_backend == "postgresql":
        template = request.getfixturevalue("pg_trained_store_template")
        url = request.getfixturevalue("pg_database_factory")(template=template)
        store = Store(url)   # its models and views are in the database: copied to this "PC" when first used
        yield store
        store.dispose()
        return
    dest = tmp_path / "store"
    shutil.copytree(request.getfixturevalue("trained_store_template"), dest)
    store = Store(str(dest / "store.sqlite"))
    yield store
    store.dispose()


# ---- PostgreSQL: the real server of this machine and CI ----------------------------------------
PG_DEFAULT = "postgresql+psycopg://127.0.0.1:5432/postgres"


def _pg_admin_url() -> str:
    """The server to make test databases on: ROUTING_ML_TEST_PG, else the local server's `postgres`."""
    url = os.environ.get("ROUTING_ML_TEST_PG", PG_DEFAULT)
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def _pg_admin():
    """An AUTOCOMMIT engine on the test server; outside CI a missing server skips the test,
    under CI (CI=true) it fails, because .ci/run must provide the server."""
    from sqlalchemy import create_engine, text
    admin_url = _pg_admin_url()
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {admin_url} ({type(exc).__name__}); start it "
                    f"(Debian: postgresql) or set ROUTING_ML_TEST_PG")
    return admin


def _create_pg_database(admin, template: str | None = None) -> str:
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    name = f"rml_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def _pg_databases():
    """Yields a function that makes PostgreSQL databases (copies of `template` if given) and returns
    their SQLAlchemy URLs; drops them when resumed. The two fixtures below differ in scope only."""
    admin = None
    made: list[str] = []

    def make(template: str | None = None) -> str:
        nonlocal admin
        admin = admin or _pg_admin()
        made.append(_create_pg_database(admin, template))
        return made[-1]
    yield make
    for url in made:
        _drop_pg_database(admin, url)
    if admin is not None:
        admin.dispose()


@pytest.fixture
def pg_database_factory():
    """Makes new PostgreSQL databases for one test, dropped afterwards."""
    yield from _pg_databases()


@pytest.fixture
def pg_url(pg_database_factory):
    """A new, empty PostgreSQL database for one test (dropped afterwards), as a SQLAlchemy URL."""
    return pg_database_factory()


@pytest.fixture(scope="session")
def pg_session_databases():
    """Makes PostgreSQL databases that live until the test session ends: templates that each test copies."""
    yield from _pg_databases()


@pytest.fixture(scope="session")
def pg_trained_store_template(demo_plant_file, pg_session_databases):
    """The demo plant imported and trained once into a PostgreSQL database, which each test's
    trained_store copies (CREATE DATABASE … TEMPLATE)."""
    from sqlalchemy.engine import make_url

    from app.services import models
    from app.services.importing import import_source
    from app.store.db import Store
    url = pg_session_databases()
    store = Store(url)
    try:
        import_source(store, str(demo_plant_file))
        models.train(store)
    finally:
        store.dispose()
    return make_url(url).database
