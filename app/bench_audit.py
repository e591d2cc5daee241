"""The audit trail's speed targets (part of scripts/bench; `scripts/bench --only-audit` runs just these).

A store is filled with N events (1,000,000 by default) spread over 60 days, 200 users and every
action, written in bulk with their real chain hashes; then it measures what a user waits for:
recording one event, the Audit tab's filtered pages and counts, and Verify.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

ACTIONS = ["predict"] * 12 + ["routing.save"] * 4 + ["session.sign_in"] * 3 + \
    ["routing.approve", "routing.reject", "data.import", "model.train", "model.activate", "audit.export",
     "settings.change", "role.set"]


def fill(store, n: int, seed: int = 7) -> None:
    """Append `n` events in bulk (one transaction per 20,000), chained as record() would chain them."""
    from app.services import audit
    from app.store.chain import GENESIS, chain_hash
    from app.store.db import audit_event, audit_head
    from sqlalchemy import update
    rng = random.Random(seed)
    users = [f"KSM\\user{i:03d}" for i in range(200)]
    roles = {u: ("admin" if i < 3 else "approver" if i < 20 else "engineer") for i, u in enumerate(users)}
    start = audit.utc_now() - timedelta(days=60)
    step = timedelta(days=60) / max(n, 1)
    with store.begin() as conn:   # a trail of its own: its times rise with seq, as a real one's do
        conn.execute(audit_event.delete())
        seq, prev = 0, GENESIS
    made = 0
    while made < n:
        batch = []
        for _ in range(min(20_000, n - made)):
            made += 1
            seq += 1
            user = rng.choice(users)
            action = rng.choice(ACTIONS)
            outcome = "denied" if rng.random() < 0.01 else "ok"
            target = f"SR-{rng.randrange(10_000_000):07d}"
            detail = json.dumps({"model_version": "20261201-0900", "revision": rng.randrange(1, 9)}, sort_keys=True)
            at = start + step * made
            host = f"PC-{rng.randrange(120):03d}"
            prev = chain_hash(prev, seq, at, user, roles[user], host, action, target, detail, outcome)
            batch.append(dict(seq=seq, at=at, user_name=user, role=roles[user], host=host, action=action,
                              target=target, detail=detail, outcome=outcome, hash=prev))
        with store.begin() as conn:
            conn.execute(audit_event.insert(), batch)
            conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))


def _show_record(show, name: str, times: list[float], cpu_times: list[float]) -> None:
    """p50 and p95 of the wall time, and the p95 of the thread's own CPU time: the part that is the
    recording's cost, beside what waiting for a CPU on a busy machine adds."""
    times, cpu_times = sorted(times), sorted(cpu_times)
    p95 = int(0.95 * (len(times) - 1))
    show(f"{name}, p50", 1000 * times[len(times) // 2], 1, "ms")
    show(f"{name}, p95", 1000 * times[p95], 1, "ms")
    show(f"{name}, p95 of its CPU time", 1000 * cpu_times[p95], 1, "ms")
    try:
        load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except (AttributeError, OSError):   # Windows has no load average
        load = f"{os.cpu_count()} cores"
    print(f"  ({load}: the wall time's tail beyond the CPU time is waiting for a CPU)", flush=True)


def _store_bytes(store) -> int:
    """A SQLite store's size on disk with its write-ahead log (0 for a server)."""
    if not store.is_sqlite:
        return 0
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(Path(str(store.path) + s).stat().st_size for s in ("", "-wal") if Path(str(store.path) + s).exists())


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def run(show, work: Path, n: int = 1_000_000, url: str | None = None) -> None:
    """Measure on a SQLite store in `work` (or the store at `url`), printing each figure with `show`."""
    from app.domain.access import User
    from app.services import audit, audit_seal
    from app.services.audit import AuditFilter
    from app.store.db import Store

    path = work / "audit-bench.sqlite"
    if url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store(url or str(path))
    admin = User("KSM\\bench.admin", "admin", "BENCH")
    t = time.perf_counter()
    fill(store, n)
    print(f"audit trail of {n:,} events written in {time.perf_counter() - t:.1f} s ({store.describe()})", flush=True)
    t = time.perf_counter()
    size = _store_bytes(store)
    if audit.update_text_index(store):   # as the upgrade to migration 0006 builds it for a store in use
        print(f"  (text index built in {time.perf_counter() - t:.1f} s; the store grew from {size / 1e6:,.0f} MB "
              f"to {_store_bytes(store) / 1e6:,.0f} MB)", flush=True)

    kim = User("KSM\\user150", "engineer", "PC-007")
    times, cpu_times = [], []
    for i in range(2000):
        t, c = time.perf_counter(), time.thread_time()
        audit.record(store, "predict", f"SR-{i:07d}", {"model_version": "20261201-0900"}, kim)
        times.append(time.perf_counter() - t)
        cpu_times.append(time.thread_time() - c)
    _show_record(show, "record one audit event (own transaction)", times, cpu_times)
    times, cpu_times = [], []
    for i in range(2000):   # as a save or a training records it: inside the action's own transaction
        with store.begin() as conn:
            t, c = time.perf_counter(), time.thread_time()
            audit.record(store, "routing.save", f"SR-{i:07d}", {"status": "draft", "revision": 1}, kim, conn)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.thread_time() - c)
    _show_record(show, "record inside the action's transaction", times, cpu_times)

    today = audit.to_utc(audit.to_local(audit.utc_now()).replace(hour=0, minute=0, second=0, microsecond=0))
    filters = {
        "first page, no filter": AuditFilter(),
        "first page, today": AuditFilter(since=today),
        "first page, one user": AuditFilter(user="KSM\\user042"),
        "first page, one user, 7 days": AuditFilter(user="KSM\\user042", since=today - timedelta(days=7)),
        "first page, refusals only": AuditFilter(outcome="denied"),
        "first page, action family routing.": AuditFilter(action="routing."),
        # a rare target (about 1 in 10,000 events, none of them recorded above): the scan cannot stop early
        "first page, rare text SR-9999, 7 days": AuditFilter(text="SR-9999", since=today - timedelta(days=7)),
        "first page, rare text SR-9999, all time": AuditFilter(text="SR-9999"),
    }
    for name, flt in filters.items():
        show(f"audit {name}", _ms(lambda f=flt: audit.query(store, f, limit=200, user=admin)), 200, "ms")
    for name in ("today", "one user", "refusals only"):
        flt = filters[f"first page, {name}"]
        show(f"audit count, {name}", _ms(lambda f=flt: audit.count(store, f, user=admin), 3), 200, "ms")
    page = audit.query(store, AuditFilter(), limit=200, user=admin)
    show("audit next page (keyset) deep in the trail",
         _ms(lambda: audit.query(store, AuditFilter(), before_seq=page[-1].seq - n // 2, limit=200, user=admin)),
         200, "ms")
    empty = work / "no-checkpoints"
    empty.mkdir(exist_ok=True)
    t, cpu = time.perf_counter(), _cpu()
    result = audit_seal.verify(store, empty, user=admin, write_checkpoint_if_intact=False)
    seconds, cpu = time.perf_counter() - t, _cpu() - cpu
    if not result.intact:
        print(f"  (verify: {result.summary()})")
    show(f"verify {result.rows:,} events", seconds, 10, "s")
    print(f"  (of which {cpu:.1f} s of this process's CPU: on a busy shared machine the wall time is longer)")
    store.dispose()
