"""First start: with no data yet, build the demo plant and train a first model, so a new user
sees real predictions instead of an empty screen."""
from __future__ import annotations

import tempfile
from pathlib import Path

from app.services import models
from app.services.importing import import_source
from app.services.progress import Progress
from app.store.db import Store

DEMO_ITEMS = 20_000


def needs_demo(store: Store) -> bool:
    return store.view_counts()["items"] == 0


def build_demo(store: Store, items: int = DEMO_ITEMS, seed: int = 7, progress: Progress | None = None,
               user=None) -> str:
    """Generate the demo plant, import it and train as `user` (an admin: the first user of a new
    store is one); returns the new model version."""
    from app.demo import generator

    p = progress or Progress()
    plant = generator.generate(items, seed, p.sub(0.0, 0.25))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-plant.sqlite"
        generator.write(plant, path)
        p.report(0.3, "importing the demo plant")
        # the file is temporary: the import history names the plant, not a path that will not exist
        import_source(store, str(path), progress=p.sub(0.3, 0.55),
                      source_name=f"demo plant ({items:,} items, seed {seed})", user=user)
    return models.train(store, progress=p.sub(0.55, 1.0), user=user)
