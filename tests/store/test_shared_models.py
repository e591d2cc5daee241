"""Models and imported views live in a server store, so every PC predicts with the active model
without copying folders: each PC copies them once into its own cache, checked by SHA-256."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.services import models
from app.services.importing import import_source
from app.store.db import Store, StoreError, import_run, model_version, store_file, store_file_chunk


def _other_pc(url: str, home: Path, *args: str) -> dict:
    """The command line of another PC: its own user folders (so its own cache), same store."""
    env = dict(os.environ, ROUTING_ML_CACHE_DIR=str(home / "cache"), ROUTING_ML_DATA_DIR=str(home / "data"))
    done = subprocess.run([sys.executable, "-m", "app", "--store", url, *args], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def shared(pg_url, demo_plant_file, admin):
    store = Store(pg_url)
    import_source(store, str(demo_plant_file), user=admin)
    yield store
    store.dispose()


def test_a_model_trained_and_activated_on_one_pc_is_used_by_another_at_its_next_prediction(shared, admin, tmp_path):
    first = models.train(shared, user=admin)
    code = shared.item_codes()[7]
    pc2 = tmp_path / "pc2"
    seen = _other_pc(shared.url, pc2, "predict", "--item", code, "--json")
    assert seen["model_version"] == first and seen["predictions"][0]["candidates"]
    cached = pc2 / "cache"
    (models_copy,) = cached.glob("server-*/models/" + first)
    assert (models_copy / "manifest.json").exists()           # copied once into that PC's cache
    assert list(cached.glob("server-*/data-*/BI_ITEM_INFO_VIEW.parquet"))   # the imported views too

    second = models.train(shared, user=admin, activate=False)
    again = _other_pc(shared.url, pc2, "predict", "--item", code, "--json")
    assert again["model_version"] == first                   # not active yet
    models.activate(shared, second, user=admin)
    latest = _other_pc(shared.url, pc2, "predict", "--item", code, "--json")
    assert latest["model_version"] == second
    assert latest["predictions"][0]["ITEM_CD"] == code


def test_the_window_is_told_once_when_another_pc_activated_a_model(shared, admin, engineer):
    from app.services.prediction import predict_items
    first = models.train(shared, user=admin)
    second = models.train(shared, user=admin)
    mine = Store(shared.url)                 # this PC's window, on the same store
    try:
        code = mine.item_codes()[3]
        assert predict_items(mine, [code], user=engineer).model_version == second
        assert models.active_model_change(mine) is None                     # the first look
        models.activate(shared, first, user=admin)                          # on another PC
        batch = predict_items(mine, [code], user=engineer)
        change = models.active_model_change(mine)
        assert batch.model_version == first
        assert (change.previous, change.current, change.by) == (second, first, admin.name)
        assert f"model {first} was activated by {admin.name}" in change.message
        assert models.active_model_change(mine) is None                     # said once
    finally:
        mine.dispose()


def test_a_model_file_damaged_in_the_store_is_refused_by_name_on_a_new_pc(shared, admin, tmp_path, monkeypatch):
    version = models.train(shared, user=admin)
    with shared.engine.begin() as conn:
        fid = conn.execute(select(store_file.c.id).where(store_file.c.kind == "model", store_file.c.owner == version,
                                                         store_file.c.name == "encoder.json")).scalar()
        conn.execute(update(store_file_chunk).where(store_file_chunk.c.file_id == fid)
                     .values(data=b'{"forged": true}'))
    monkeypatch.setenv("ROUTING_ML_CACHE_DIR", str(tmp_path / "new-pc-cache"))
    models._cache.clear()
    other = Store(shared.url)
    try:
        with pytest.raises(StoreError, match=rf"file encoder.json of model {version} is damaged"):
            models.load(other)
        assert not list((tmp_path / "new-pc-cache").glob("server-*/models/*"))   # nothing half-copied kept
    finally:
        other.dispose()


def test_a_new_import_replaces_the_views_in_the_store_and_every_pc_reads_the_new_ones(shared, admin, tmp_path):
    from app.demo import generator
    smaller = tmp_path / "plant2.sqlite"
    generator.write(generator.generate(2500, seed=5), smaller)
    before = shared.view_counts()
    import_source(shared, str(smaller), user=admin, allow_shrink=True)
    with shared.engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(import_run)).scalar()
        owners = conn.execute(select(store_file.c.owner).where(store_file.c.kind == "data").distinct()).scalars().all()
        last = conn.execute(select(func.max(import_run.c.id))).scalar()
    assert runs == 2 and owners == [str(last)]      # the older import's files left the store with it
    pc2 = Store(shared.url)
    try:
        pc2._server_data_hit = None
        assert pc2.view_counts()["items"] == 2500 != before["items"]
    finally:
        pc2.dispose()


def test_model_rows_and_files_are_committed_together(shared, admin, monkeypatch):
    """A failure while the files go into the store leaves neither the version nor any of its files."""
    from app.store import blobs
    real = blobs.put_folder

    def fails_half_way(conn, kind, owner, folder):
        real(conn, kind, owner, folder)
        raise OSError("connection to the server lost")
    monkeypatch.setattr(blobs, "put_folder", fails_half_way)
    with pytest.raises(OSError):
        models.train(shared, user=admin)
    with shared.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(model_version)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(store_file).where(store_file.c.kind == "model")).scalar() == 0
        assert conn.execute(select(func.count()).select_from(store_file_chunk)).scalar() == \
            conn.execute(select(func.count()).select_from(store_file_chunk).join(
                store_file, store_file.c.id == store_file_chunk.c.file_id).where(store_file.c.kind == "data")).scalar()
