"""A small CSV plant imported and trained once, copied for each test that imports over it."""
from __future__ import annotations

import shutil

import pytest
from import_helpers import PLANT_ITEMS, PROBE_COUNT, Plant


@pytest.fixture(scope="session")
def csv_plant_template(tmp_path_factory) -> Plant:
    from app.demo import generator
    from app.services import models
    from app.services.importing import import_source
    from app.store.db import Store
    root = tmp_path_factory.mktemp("csv-plant")
    folder = root / "erp"
    generator.write(generator.generate(PLANT_ITEMS, seed=3), folder)
    store = Store(str(root / "store" / "store.sqlite"))
    import_source(store, str(folder))
    models.train(store)
    codes = store.item_codes()
    probes = codes[:: max(1, len(codes) // PROBE_COUNT)][:PROBE_COUNT]
    store.dispose()
    return Plant(folder, root / "store" / "store.sqlite", probes)


@pytest.fixture
def plant(tmp_path, csv_plant_template) -> Plant:
    """A private copy of the CSV plant and of its store."""
    shutil.copytree(csv_plant_template.folder, tmp_path / "erp")
    shutil.copytree(csv_plant_template.store.parent, tmp_path / "store")
    return Plant(tmp_path / "erp", tmp_path / "store" / "store.sqlite", list(csv_plant_template.probes))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    """Every service test on a store runs on the local SQLite file and on the PostgreSQL server."""
    return request.param
