"""The search is exact: pruning by PART_TYPE never changes the top-k of a brute-force scan."""
import numpy as np

from app.demo import generator
from app.ml.model import PredictOptions, RoutingModel, _top_k, _top_k_partition


def test_pruned_search_equals_brute_force():
    plant = generator.generate(4000, seed=3)
    model = RoutingModel.train("t", plant.items, plant.routings, plant.results)
    Q = model.encoder.encode(plant.items.head(400))
    own = [model.position(c) for c in plant.items.head(400)["ITEM_CD"].to_list()]
    idx, sims = model.search(Q, 15, own)
    S = Q @ model.X.T
    for r, ex in enumerate(own):
        if ex is not None:
            S[r, ex] = -np.inf
    brute = -np.sort(-S, axis=1)[:, :15]
    np.testing.assert_allclose(sims, brute, atol=1e-5)
    assert all(ex is None or ex not in row for ex, row in zip(own, idx))


def test_top_k_is_argpartitions_bit_for_bit():
    """_top_k reads only the groups of columns that can hold a row's k largest; it returns what
    argpartition and a stable sort return, columns and values, also where values tie (those rows
    are argpartition's), with excluded (-inf) columns, a ragged last group, and NaN."""
    rng = np.random.default_rng(4)
    cases = [rng.standard_normal((130, 64 * 61 + 37)).astype(np.float32),
             np.round(rng.random((50, 5000)), 2).astype(np.float32),     # ties everywhere
             rng.random((7, 64 * 60)).astype(np.float32),
             rng.random((3, 300)).astype(np.float32),                   # too few columns: argpartition
             rng.random((1, 9000)).astype(np.float32)]                  # one row: argpartition
    S = rng.random((20, 9000)).astype(np.float32)
    S[:, 17] = S[:, 4000] = 2.0                  # a tie at the top
    S[5, :] = -np.inf
    S[5, :20] = 1.0
    S[6, 100] = np.nan
    cases.append(S)
    X = rng.random((40, 8)).astype(np.float32)
    cases.append(np.vstack([X, X]) @ np.vstack([X] * 200).T)          # duplicated items: equal similarities
    for S in cases:
        S[0, 3] = -np.inf
        for k in (1, 15):
            top, vals = _top_k(S, k)
            want_top, want_vals = _top_k_partition(S, k)
            np.testing.assert_array_equal(top, want_top)
            np.testing.assert_array_equal(vals, want_vals)


def test_predictions_scale_run_time_with_size():
    """Two otherwise identical new items, one twice the diameter, get different run times."""
    plant = generator.generate(4000, seed=5)
    model = RoutingModel.train("t", plant.items, plant.routings, plant.results)
    item = plant.items.filter(plant.items["OUTDIAMETER"] > 50).head(1)
    Q = model.encoder.encode(item)
    od = float(item["OUTDIAMETER"][0])
    small = model.predict_vectors(["A"], Q, PredictOptions(), exclude_self=False, sizes=np.array([od]))[0]
    big = model.predict_vectors(["A"], Q, PredictOptions(), exclude_self=False, sizes=np.array([2 * od]))[0]
    runs_small = [o.RUN_TIME for o in small.candidates[0].operations if o.TIME_SOURCE == "similar_actuals"]
    runs_big = [o.RUN_TIME for o in big.candidates[0].operations if o.TIME_SOURCE == "similar_actuals"]
    assert runs_small and sum(runs_big) > 1.2 * sum(runs_small)


def test_prediction_resumes_the_garbage_collector():
    """Predictions pause Python's cyclic garbage collector (app.ml.model.cyclic_gc_paused) and
    resume it after, also when a prediction fails and when threads predict at once; a collector
    left off would keep every reference cycle the program makes from then on."""
    import gc
    import threading

    plant = generator.generate(1500, seed=7)
    model = RoutingModel.train("t", plant.items, plant.routings, plant.results)
    items = plant.items.head(30)
    Q = model.encoder.encode(items)
    codes = items["ITEM_CD"].to_list()
    was_enabled = gc.isenabled()   # off when a window's test ran first: its collector runs on the GUI thread
    gc.enable()
    preds = model.predict_vectors(codes, Q, PredictOptions(), items=items)
    assert len(preds) == 30 and all(p.candidates for p in preds)
    assert gc.isenabled()
    try:
        model.predict_vectors(codes, Q[:2], PredictOptions(), items=items)   # 30 codes, 2 vectors
    except IndexError:
        pass
    assert gc.isenabled()
    threads = [threading.Thread(target=model.predict_vectors, args=(codes, Q, PredictOptions()),
                                kwargs={"items": items}) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()
    gc.disable()         # a program that turned the collector off itself keeps it off
    try:
        model.predict_vectors(codes, Q, PredictOptions(), items=items)
        assert not gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_a_few_items_are_encoded_as_a_whole_plant_encodes_them(monkeypatch):
    """A prediction's few rows take a path of their own in FeatureEncoder.encode and .attributes
    (Python lists, not polars per column): the same vectors and attributes to the bit as the
    general path, with missing values, odd numbers, absent columns and groups weighted zero."""
    import random

    import polars as pl

    from app.ml import features

    plant = generator.generate(1500, seed=4)
    model = RoutingModel.train("t", plant.items, plant.routings, plant.results)
    enc = model.encoder
    rng = random.Random(3)
    odd = [0.0, -0.0, -2.0, 1e-300, 1e300, float("inf"), float("nan"), None, 7.5]
    numeric = {c for c, t in plant.items.schema.items() if t == pl.Float64}
    for trial in range(150):
        n = rng.randint(1, features.FEW_ROWS)
        rows = plant.items[[rng.randrange(plant.items.height) for _ in range(n)]].to_dicts()
        for r in rows:
            for c in r:
                if rng.random() < 0.1:
                    r[c] = rng.choice(odd) if c in numeric else rng.choice([None, "", "NEW LEVEL", "COATING 래핑"])
        frame = pl.DataFrame(rows, schema=plant.items.schema)
        frame = frame.select([c for c in frame.columns if rng.random() > 0.05])
        weights = None if trial % 3 else {g: rng.choice([0.0, 0.5, 2.0]) for g in features.GROUPS}
        few = enc.encode(frame, weights), np.nan_to_num(enc.attributes(frame), nan=-1.0)
        monkeypatch.setattr(features, "FEW_ROWS", 0)
        whole = enc.encode(frame, weights), np.nan_to_num(enc.attributes(frame), nan=-1.0)
        monkeypatch.setattr(features, "FEW_ROWS", 16)
        assert few[0].tobytes() == whole[0].tobytes() and few[1].tobytes() == whole[1].tobytes()
