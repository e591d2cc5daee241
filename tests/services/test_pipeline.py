"""demo plant → import → train → predict → evaluate, as a user runs it."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.domain.routing import RoutingError
from app.ml.features import EncoderParams, WEIGHT_PRESETS
from app.ml.model import PredictOptions
from app.ml.registry import ModelError
from app.services import models
from app.services.importing import import_source
from app.services.prediction import predict_items
from app.services.progress import Cancelled, Progress
from app.store.db import Store


def _new_items(store: Store, n: int = 5) -> list[str]:
    model = models.load(store)
    routed = set(model.item_codes)
    return [c for c in store.item_codes() if c not in routed][:n]


def test_importing_again_replaces_and_never_duplicates(trained_store, demo_plant_file):
    before = trained_store.view_counts()
    assert before["items"] > 0 and before["routings"] > 0 and before["results"] > 0
    import_source(trained_store, str(demo_plant_file))
    assert trained_store.view_counts() == before


def test_cancelled_import_keeps_the_previous_copy(trained_store, demo_plant_file):
    before = trained_store.view_counts()
    calls = []

    def cb(f, m):
        calls.append(f)
        if f > 0.7:
            progress.cancel()

    progress = Progress(cb)
    with pytest.raises(Cancelled):
        import_source(trained_store, str(demo_plant_file), progress=progress)
    assert trained_store.view_counts() == before


def test_new_item_gets_several_explained_candidates_with_times(trained_store):
    codes = _new_items(trained_store, 20)
    batch = predict_items(trained_store, codes, PredictOptions(top_k=20, candidates=5))
    assert not batch.errors
    assert len(batch.predictions) == len(codes)
    several = [p for p in batch.predictions if len(p.candidates) >= 2]
    assert len(several) >= len(codes) // 2, "most new items should get more than one candidate"
    for p in batch.predictions:
        assert p.similar_items and all(s.matching for s in p.similar_items)
        # each score is the learned chance that the candidate is the engineers' routing
        scores = [c.score for c in p.candidates]
        assert all(0 < s < 1 for s in scores) and sum(scores) < 1.5
        for c in p.candidates:
            behind = c.based_on if c.repaired else c.support_items
            assert behind and set(behind) <= {s.ITEM_CD for s in p.similar_items}
            assert all(o.REASON for o in c.operations)
            assert [o.PROC_SEQ for o in c.operations] == sorted(o.PROC_SEQ for o in c.operations)
            for o in c.operations:
                assert o.TIME_SOURCE in ("item_actuals", "similar_actuals", "standard")
                assert o.RUN_TIME >= 0 and o.SETUP_TIME >= 0
                assert o.RUN_TIME_P10 <= o.RUN_TIME <= o.RUN_TIME_P90 + 1e-9
    # most in-house times come from the shop floor, not the standard times
    ops = [o for p in batch.predictions for c in p.candidates[:1] for o in c.operations if o.INSIDE_FLAG == "사내"]
    from_actuals = sum(o.TIME_SOURCE != "standard" for o in ops)
    assert from_actuals > 0.7 * len(ops)
    assert any(o.RUN_TIME > 0 for o in ops)


def test_json_has_the_documented_shape(trained_store):
    batch = predict_items(trained_store, _new_items(trained_store, 1) + ["NO-SUCH-ITEM"])
    data = json.loads(json.dumps(batch.to_json(), ensure_ascii=False))
    assert set(data) >= {"model_version", "predictions", "errors"}
    assert data["errors"][0]["ITEM_CD"] == "NO-SUCH-ITEM" and "NO-SUCH-ITEM" in data["errors"][0]["message"]
    pred = data["predictions"][0]
    assert {"ITEM_CD", "similar_items", "candidates"} <= set(pred)
    assert {"ITEM_CD", "similarity"} <= set(pred["similar_items"][0])
    cand = pred["candidates"][0]
    assert {"rank", "score", "support_items", "operations"} <= set(cand)
    op = cand["operations"][0]
    assert {"PROC_SEQ", "JOB_CD", "JOB_NM", "RES_CD", "INSIDE_FLAG", "SETUP_TIME", "RUN_TIME", "RUN_TIME_P10",
            "RUN_TIME_P90", "WAIT_TIME", "MOVE_TIME", "TIME_UNIT", "SAMPLE_COUNT", "TIME_SOURCE"} <= set(op)
    assert op["TIME_UNIT"] == "M"


def test_threshold_visibly_changes_the_result(trained_store):
    code = _new_items(trained_store, 1)[0]
    loose = predict_items(trained_store, [code], PredictOptions(top_k=20, threshold=0.0)).predictions[0]
    cut = sorted(s.similarity for s in loose.similar_items)[len(loose.similar_items) // 2]
    strict = predict_items(trained_store, [code], PredictOptions(top_k=20, threshold=cut + 1e-6)).predictions[0]
    assert 0 < len(strict.similar_items) < len(loose.similar_items)
    assert all(s.similarity > cut for s in strict.similar_items)
    none = predict_items(trained_store, [code], PredictOptions(threshold=1.01)).predictions[0]
    assert none.candidates == [] and any("threshold" in w for w in none.warnings)


def test_model_version_visibly_changes_the_result(trained_store):
    first = models.active_version(trained_store)
    weights = dict(WEIGHT_PRESETS["balanced"], part_type=0.0, material=0.0, spec_text=0.0, dimensions=5.0)
    second = models.train(trained_store, EncoderParams(weights=weights), activate=False)
    codes = _new_items(trained_store, 10)
    a = predict_items(trained_store, codes, version=first)
    b = predict_items(trained_store, codes, version=second)
    assert a.model_version == first and b.model_version == second
    changed = sum([s.ITEM_CD for s in x.similar_items] != [s.ITEM_CD for s in y.similar_items]
                  for x, y in zip(a.predictions, b.predictions))
    assert changed >= 5


def test_activate_and_roll_back(trained_store):
    first = models.active_version(trained_store)
    second = models.train(trained_store)
    assert models.active_version(trained_store) == second
    assert models.rollback(trained_store) == first
    assert models.active_version(trained_store) == first
    models.activate(trained_store, second)
    assert models.active_version(trained_store) == second
    with pytest.raises(RoutingError, match="NOPE"):
        models.activate(trained_store, "NOPE")


def test_roll_back_goes_back_through_the_history(trained_store):
    """Each rollback goes one activation further back instead of toggling between the last two."""
    first = models.active_version(trained_store)
    second = models.train(trained_store)
    third = models.train(trained_store)
    assert models.rollback_target(trained_store) == second
    assert models.rollback(trained_store) == second
    assert models.rollback(trained_store) == first
    assert models.active_version(trained_store) == first
    assert models.rollback_target(trained_store) is None
    with pytest.raises(RoutingError, match="no earlier active model"):
        models.rollback(trained_store)
    models.activate(trained_store, third)
    assert models.rollback(trained_store) == first


def test_crash_while_writing_a_model_leaves_the_active_one(trained_store, monkeypatch):
    first = models.active_version(trained_store)
    folder = trained_store.models_dir   # a server store's: this PC's copies, none yet on a new PC
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else []

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", boom)
    with pytest.raises(OSError):
        models.train(trained_store)
    assert models.active_version(trained_store) == first
    assert len(models.list_models(trained_store)) == 1
    assert sorted(p.name for p in folder.iterdir()) == before  # no half-written folder


def test_cancelled_training_leaves_the_active_model(trained_store):
    first = models.active_version(trained_store)
    progress = Progress(lambda f, m: progress.cancel() if f > 0.4 else None)
    with pytest.raises(Cancelled):
        models.train(trained_store, progress=progress)
    assert models.active_version(trained_store) == first
    assert len(models.list_models(trained_store)) == 1


def test_tampered_model_is_refused_with_a_clear_message(trained_store):
    version = models.active_version(trained_store)
    models.load(trained_store)   # (a server store's model is copied to this PC at its first use)
    x = trained_store.models_dir / version / "X.npy"
    good = x.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0x01
    x.write_bytes(bytes(data))
    models._cache.clear()
    if trained_store.is_sqlite:
        with pytest.raises(ModelError, match=r"X\.npy"):
            predict_items(trained_store, _new_items(trained_store, 1) or ["X"])
    else:   # only this PC's copy was damaged: it is copied again from the store (the store's own is checked)
        assert predict_items(trained_store, _new_items(trained_store, 1)).model_version == version
        assert x.read_bytes() == good


def test_unusable_actuals_are_warned_about_not_exported_as_zero(trained_store):
    """Items whose work results are all zero: times fall back to standard, with a warning."""
    model = models.load(trained_store)
    a = model.arrays
    zero_items = []
    for i in range(len(model.item_codes)):
        s, e = a["agg_ptr"][i], a["agg_ptr"][i + 1]
        if a["agg_raw"][s:e].sum() >= 3 and not (a["agg_n_run"][s:e] > 0).any() \
                and np.all(a["op_inside"][a["op_ptr"][i]:a["op_ptr"][i+1]]):
            zero_items.append(model.item_codes[i])
    assert zero_items, "the demo plant has items whose actuals are all zero"
    code = zero_items[0]
    batch = predict_items(trained_store, [code], PredictOptions(top_k=1))
    p = batch.predictions[0]
    ops = p.candidates[0].operations
    assert any(o.WARNING and "unusable" in o.WARNING for o in ops)
    assert all(o.TIME_SOURCE != "item_actuals" for o in ops)


def test_time_warnings_agree_with_the_time_source(trained_store):
    """An operation whose times come from similar items' actuals says which: when only the
    candidate's own items had none usable, the other similar items'; when none of the similar
    items had any, the plant's time model (learned from all items' results)."""
    batch = predict_items(trained_store, trained_store.item_codes())
    notes = []
    for p in batch.predictions:
        for c in p.candidates:
            for o in c.operations:
                keys = [v.key for v in getattr(o.WARNING, "values", ())[1:]]
                notes.append((o.TIME_SOURCE, keys))
                if o.TIME_SOURCE == "similar_actuals" and "unusable_similar" in keys:
                    assert keys[-1] == "times_from_plant_model", (p.ITEM_CD, c.rank, str(o.WARNING))
    assert ("similar_actuals", ["unusable_candidate", "times_from_other_similar_actuals"]) in notes


def test_a_saved_routing_keeps_its_warnings_wordable(trained_store):
    """A reopened routing's warning still carries its key, so the window can word it in Korean."""
    from app.domain.routing import Note
    from app.services.routings import load_saved, save_routing
    model = models.load(trained_store)
    a = model.arrays
    code = next(model.item_codes[i] for i in range(len(model.item_codes))
                if a["agg_raw"][a["agg_ptr"][i]:a["agg_ptr"][i + 1]].sum() >= 3
                and not (a["agg_n_run"][a["agg_ptr"][i]:a["agg_ptr"][i + 1]] > 0).any())
    ops = predict_items(trained_store, [code], PredictOptions(top_k=1)).predictions[0].candidates[0].operations
    warned = [o for o in ops if o.WARNING]
    assert warned and isinstance(warned[0].WARNING, Note)
    save_routing(trained_store, code, ops)
    reopened = [o for o in load_saved(trained_store, code).operations if o.WARNING]
    assert isinstance(reopened[0].WARNING, Note) and reopened[0].WARNING.key == "operation"
    assert str(reopened[0].WARNING) == str(warned[0].WARNING)


def test_retraining_on_the_same_data_gives_the_same_model(trained_store):
    """Times must not wobble between two trainings of the same data (engineers compare versions)."""
    first = models.load(trained_store, models.train(trained_store, activate=False))
    second = models.load(trained_store, models.train(trained_store, activate=False))
    assert first.item_codes == second.item_codes
    assert first.vocab == second.vocab
    for name, values in first.arrays.items():
        assert np.array_equal(values, second.arrays[name], equal_nan=values.dtype.kind == "f"), name
    assert np.array_equal(first.X, second.X)


def test_an_import_while_training_leaves_the_active_model(trained_store, demo_plant_file, monkeypatch):
    """Training reads the routings and the work results when it needs them: views replaced by an
    import in between would mix two imports, so that training is refused, saying to train again."""
    from app.ml.model import RoutingModel
    from app.services.importing import import_source
    first = models.active_version(trained_store)
    original = RoutingModel.train.__func__

    def train_during_an_import(cls, version, items, routings, results, *args, **kwargs):
        import_source(trained_store, str(demo_plant_file))
        return original(cls, version, items, routings, results, *args, **kwargs)

    monkeypatch.setattr(RoutingModel, "train", classmethod(train_during_an_import))
    with pytest.raises(ModelError, match="imported again while the model was trained; train again"):
        models.train(trained_store)
    assert models.active_version(trained_store) == first
    assert len(models.list_models(trained_store)) == 1
