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
    if store.engine.dialect.name == "postgresql":
        # what autovacuum keeps for a trail that grew over months (the test servers here run with it
        # off): the statistics (without them the planner scans the table for an action family: 1.3 s)
        # and the visibility map (without it the first seq of a period is found by reading every row of
        # the period instead of the (at, seq) index alone: 80-120 ms for 7 days)
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE) audit_event")


def _load() -> str:
    """The machine's load beside a figure: on a shared machine the wall time includes waiting for a CPU."""
    try:
        return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except (AttributeError, OSError):   # Windows has no load average
        return f"{os.cpu_count()} cores"


def _show_record(show, name: str, times: list[float], cpu_times: list[float]) -> None:
    """p50 and p95 of the wall time, and the p95 of the thread's own CPU time: the part that is the
    recording's cost, beside what waiting for a CPU on a busy machine adds."""
    times, cpu_times = sorted(times), sorted(cpu_times)
    p95 = int(0.95 * (len(times) - 1))
    note = f"(CPU p50 {1000 * cpu_times[len(times) // 2]:.3f} ms; {_load()})"
    show(f"{name}, p50", 1000 * times[len(times) // 2], 1, "ms", note=note)
    show(f"{name}, p95", 1000 * times[p95], 1, "ms", note=f"(CPU p95 {1000 * cpu_times[p95]:.3f} ms)")
    show(f"{name}, p95 of its CPU time", 1000 * cpu_times[p95], 1, "ms")
    print("  (the wall time's tail beyond the CPU time is waiting for a CPU)", flush=True)


def _store_bytes(store) -> int:
    """A SQLite store's size on disk with its write-ahead log (0 for a server)."""
    if not store.is_sqlite:
        return 0
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(Path(str(store.path) + s).stat().st_size for s in ("", "-wal") if Path(str(store.path) + s).exists())


def _cpu() -> float:
    """CPU seconds of this process, all its threads (os.times counts in 10 ms ticks: too coarse here)."""
    return time.process_time()


def _ms(fn, repeat: int = 5) -> tuple[float, float]:
    """Median wall and median CPU time (this process) of `fn`, in ms."""
    times, cpu_times = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), _cpu()
        fn()
        times.append(time.perf_counter() - t)
        cpu_times.append(_cpu() - c)
    return 1000 * statistics.median(times), 1000 * statistics.median(cpu_times)


def _show_ms(show, name: str, fn, repeat: int = 5, target: float = 200) -> None:
    wall, cpu = _ms(fn, repeat)
    show(name, wall, target, "ms", note=f"(CPU {cpu:.0f} ms; {_load()})")


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
    print(f"  (CPU: of this process{'' if store.is_sqlite else '; the database server works in its own'})")
    for name, flt in filters.items():
        _show_ms(show, f"audit {name}", lambda f=flt: audit.query(store, f, limit=200, user=admin))
    for name in ("today", "one user", "refusals only"):
        flt = filters[f"first page, {name}"]
        _show_ms(show, f"audit count, {name}", lambda f=flt: audit.count(store, f, user=admin), 3)
    page = audit.query(store, AuditFilter(), limit=200, user=admin)
    _show_ms(show, "audit next page (keyset) deep in the trail",
             lambda: audit.query(store, AuditFilter(), before_seq=page[-1].seq - n // 2, limit=200, user=admin))
    empty = work / "no-checkpoints"
    empty.mkdir(exist_ok=True)
    t, cpu = time.perf_counter(), _cpu()
    result = audit_seal.verify(store, empty, user=admin, write_checkpoint_if_intact=False)
    seconds, cpu = time.perf_counter() - t, _cpu() - cpu
    if not result.intact:
        print(f"  (verify: {result.summary()})")
    show(f"verify {result.rows:,} events", seconds, 10, "s", note=f"(CPU {cpu:.1f} s; {_load()})")
    _export_figures(store, work, admin, today)
    store.dispose()


def _export_figures(store, work: Path, admin, today) -> None:
    """The Audit tab's export of today's events and of the whole trail to CSV. The issue sets no time
    for them (the export runs beside the window, with its progress shown), so they are printed for
    the record, with their CPU time."""
    from app.services import audit
    from app.services.audit import AuditFilter
    for name, flt in (("today", AuditFilter(since=today)), ("the whole trail", AuditFilter())):
        out = work / "audit-export.csv"
        t, cpu = time.perf_counter(), _cpu()
        done = audit.export(store, out, flt, user=admin)
        seconds, cpu = time.perf_counter() - t, _cpu() - cpu
        print(f"audit export of {name} to CSV: {done.rows:,} events in {seconds:.1f} s (CPU {cpu:.1f} s; {_load()}; "
              f"no target in the issue)", flush=True)
        for path in [out, *done.checkpoints]:
            path.unlink(missing_ok=True)
