"""Shared fixtures: one small demo plant, imported and trained once per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEMO_ITEMS = 3000


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
def trained_store(tmp_path, trained_store_template):
    """A private copy of the trained store, so a test may change it freely."""
    from app.store.db import Store
    dest = tmp_path / "store"
    shutil.copytree(trained_store_template, dest)
    store = Store(str(dest / "store.sqlite"))
    yield store
    store.dispose()
