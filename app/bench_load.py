"""Twenty engineers on one PostgreSQL store (part of scripts/bench; `scripts/bench --only-load`).

Each simulated engineer is a separate process with its own cache folder (its own PC), on one
shared store: it browses the item master, predicts items and saves routings (opening the saved
routing, changing a time, saving at the revision it opened; a refusal because a colleague saved
first is counted as a conflict, not an error) for a fixed time. Printed: errors, conflicts, the
95th percentile of a save and of a prediction beside their targets, and the load average.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path


# The parts of one prediction timed inside each engineer (wall and the process's CPU time), to say
# where its p95 goes: (label, module, attribute) of the function that does that part.
PARTS = (
    ("active model + cache (models.load)", "app.services.models", "load"),
    ("item lookup (Store.read_view)", "app.store.db", "Store.read_view"),
    ("engine (encode + predict_vectors)", "app.ml.features", "FeatureEncoder.encode"),
    ("engine (encode + predict_vectors)", "app.ml.model", "RoutingModel.predict_vectors"),
    ("audit event (audit.record)", "app.services.audit", "record"),
    ("  of it: lock the chain's head (lock_chain)", "app.services.audit", "lock_chain"),
    ("a store connection's checkout (+ ping)", "sqlalchemy.engine.base", "Engine.connect"),
)


def _time_parts(parts: dict[str, list[list[float]]]) -> None:
    """Wrap each function of PARTS so that its wall and CPU time add to the current prediction's
    entry in `parts` (the caller appends a fresh [wall, cpu] per part before each prediction)."""
    import functools
    import importlib

    for label, module, attr in PARTS:
        owner = importlib.import_module(module)
        *path, name = attr.split(".")
        for step in path:
            owner = getattr(owner, step)
        original = getattr(owner, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            if not parts["whole prediction"][-1][0] < 0:   # not inside a prediction (browsing, saving)
                return _original(*args, **kwargs)
            entry = parts[_label][-1]
            t, c = time.perf_counter(), time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                entry[0] += time.perf_counter() - t
                entry[1] += time.process_time() - c
        setattr(owner, name, functools.wraps(original)(timed))


def _engineer(url: str, who: int, cache: str, seconds: float, codes: list[str], saved: list[str],
              start_at: float, barrier) -> dict:
    os.environ["ROUTING_ML_CACHE_DIR"] = cache   # this "PC"'s own copies of the model and views
    from app.domain.access import User
    from app.ml.model import PredictOptions
    from app.services import catalog, routings
    from app.services.prediction import predict_items
    from app.store.db import Store

    parts: dict[str, list[list[float]]] = {label: [[0.0, 0.0]] for label, _, _ in PARTS}
    parts["whole prediction"] = [[-1.0, 0.0]]
    _time_parts(parts)

    user = User(f"KSM\\eng{who:02d}", "engineer", f"PC-{who:02d}", f"eng{who:02d}")
    rng = random.Random(who)
    store = Store(url)
    times: dict[str, list[float]] = {"save": [], "predict": [], "browse": []}
    errors: list[str] = []
    conflicts = 0
    try:
        predict_items(store, [codes[0]], PredictOptions(top_k=10), user=user)   # first use: copy model + views
        catalog.search_items(store, "")
        barrier.wait(timeout=600)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            roll = rng.random()
            t = time.perf_counter()
            try:
                if roll < 0.4:
                    kind = "browse"
                    catalog.search_items(store, rng.choice(["SUS", "SEAL", "RING", "GL", ""]),
                                         offset=rng.randrange(0, 400), limit=200)
                elif roll < 0.8:
                    kind = "predict"
                    for entries in parts.values():
                        entries.append([0.0, 0.0])
                    parts["whole prediction"][-1][0] = -1.0   # inside a prediction: its parts count
                    c = time.process_time()
                    predict_items(store, [rng.choice(codes)], PredictOptions(top_k=10), user=user)
                    parts["whole prediction"][-1] = [time.perf_counter() - t, time.process_time() - c]
                else:
                    kind = "save"
                    item = rng.choice(saved)
                    opened = routings.load_saved(store, item)
                    ops = opened.operations
                    ops[0].RUN_TIME = round(ops[0].RUN_TIME + rng.choice([-0.5, 0.5]), 3) if ops[0].RUN_TIME > 1 \
                        else ops[0].RUN_TIME + 0.5
                    try:
                        routings.save_routing(store, item, ops, "draft", expected_revision=opened.revision, user=user)
                    except routings.ConflictError:
                        conflicts += 1
                times[kind].append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001 - every failure is a figure of the bench
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                if parts["whole prediction"][-1][0] < 0:   # a failed prediction: its parts are no figure
                    for entries in parts.values():
                        entries.pop()
            time.sleep(rng.uniform(0.05, 0.25))   # an engineer reads what came back
    finally:
        store.dispose()
    # the first entry of each part was the warm-up's (and a failed prediction's are dropped with it)
    done = len(times["predict"]) + 1
    return {"times": times, "errors": errors, "conflicts": conflicts,
            "parts": {k: v[1:done] for k, v in parts.items()} if len(parts["whole prediction"]) == done else {}}


def _p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20)[-1]


def run(show, work: Path, pg_admin_url: str, engineers: int = 20, seconds: float = 60, items: int = 5000,
        seed: int = 7) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.demo import generator
    from app.domain.access import User
    from app.ml.model import PredictOptions
    from app.services import models, routings
    from app.services.importing import import_source
    from app.services.prediction import predict_items
    from app.store.db import Store

    name = f"rml_bench_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        plant = work / "load-plant.sqlite"
        generator.write(generator.generate(items, seed=seed), plant)
        lead = User("KSM\\choi.lead", "admin", "PC-LEAD", "choi.lead")
        store = Store(url)
        import_source(store, str(plant), user=lead)
        models.train(store, user=lead)
        codes = store.item_codes()
        rng = random.Random(seed)
        saved = rng.sample(codes, 60)
        batch = predict_items(store, saved, PredictOptions(top_k=10), user=lead)
        for p in batch.predictions:
            if p.candidates:
                routings.save_routing(store, p.ITEM_CD, p.candidates[0].operations, user=lead)
        saved = [p.ITEM_CD for p in batch.predictions if p.candidates]
        store.dispose()
        print(f"  {engineers} engineers (processes) on PostgreSQL {name}, {items:,} items, "
              f"{len(saved)} saved routings, {seconds:g} s", flush=True)
        ctx = multiprocessing.get_context("spawn")
        manager = ctx.Manager()
        barrier = manager.Barrier(engineers + 1)
        caches = [tempfile.mkdtemp(prefix=f"pc{n:02d}-", dir=work) for n in range(engineers)]
        load_before = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
        with ctx.Pool(engineers) as pool:
            jobs = [pool.apply_async(_engineer, (url, n + 1, caches[n], seconds, codes, saved, 0, barrier))
                    for n in range(engineers)]
            barrier.wait(timeout=900)   # everyone has copied the model and warmed up
            t0 = time.monotonic()
            results = [j.get(timeout=seconds + 900) for j in jobs]
            wall = time.monotonic() - t0
        load_after = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
    times = {k: [v for r in results for v in r["times"][k]] for k in ("save", "predict", "browse")}
    errors = [e for r in results for e in r["errors"]]
    conflicts = sum(r["conflicts"] for r in results)
    show(f"{engineers} engineers: errors", len(errors), 0, "")
    show(f"{engineers} engineers: p95 save ({len(times['save']):,} saves, {conflicts} refused as conflicts)",
         _p95(times["save"]) * 1000, 200, "ms")
    show(f"{engineers} engineers: p95 prediction ({len(times['predict']):,})", _p95(times["predict"]) * 1000, 100, "ms")
    show(f"{engineers} engineers: p95 browse page ({len(times['browse']):,})", _p95(times["browse"]) * 1000, 100, "ms")
    print(f"  {sum(len(v) for v in times.values()) / wall:.1f} actions/s over {wall:.0f} s; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (1 min), {os.cpu_count()} cores", flush=True)
    _show_parts(results)
    for e in errors[:5]:
        print(f"  error: {e}", flush=True)
    return {"times": times, "errors": errors, "conflicts": conflicts, "load": (load_before, load_after)}


def _show_parts(results: list[dict]) -> None:
    """Where a prediction's time goes: p50 and p95 of each part's wall and CPU time, and the same
    parts of the slowest 5 % of predictions (their mean), so the tail's cause shows."""
    merged: dict[str, list[list[float]]] = {}
    for r in results:
        for k, v in r.get("parts", {}).items():
            merged.setdefault(k, []).extend(v)
    whole = merged.get("whole prediction")
    if not whole:
        return
    # what no part above covers (the service's own frames, the permission check, waiting for a CPU between parts)
    top = [k for k in merged if k != "whole prediction" and not k.startswith(" ") and "checkout" not in k]
    merged["rest of predict_items"] = [[w - sum(merged[k][i][0] for k in top), c - sum(merged[k][i][1] for k in top)]
                                       for i, (w, c) in enumerate(whole)]
    merged["whole prediction"] = merged.pop("whole prediction")
    cut = _p95([w for w, _ in whole])
    slow = [i for i, (w, _) in enumerate(whole) if w >= cut]
    print(f"  where a prediction's time goes (ms; CPU is the engineer process's own; {len(whole):,} predictions):",
          flush=True)
    print(f"    {'part':38} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>8} {'CPU p95':>8} {'slowest 5 %: wall':>18} "
          f"{'CPU':>6}", flush=True)
    for k, v in merged.items():
        walls, cpus = [w for w, _ in v], [c for _, c in v]
        print(f"    {k:38} {1000 * _p50(walls):9.1f} {1000 * _p95(walls):9.1f} {1000 * _p50(cpus):8.1f} "
              f"{1000 * _p95(cpus):8.1f} {1000 * statistics.fmean(walls[i] for i in slow):18.1f} "
              f"{1000 * statistics.fmean(cpus[i] for i in slow):6.1f}", flush=True)
