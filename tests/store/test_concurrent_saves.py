"""Several engineers saving the same routings at the same moment on one shared store: one save
wins each time, the others are refused naming who saved and when, and no update is lost; readers
never wait for a writer."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest
from saving_engineers import engineer_creates, engineer_rounds
from sqlalchemy import func, select

from app.domain.access import User
from app.domain.routing import Operation
from app.services import audit, routings
from app.store.db import Store, audit_event, saved_routing

ITEMS = ["SR-0000001", "GL-0000042"]
ENGINEERS = 4
ROUNDS = 6
START_RUN = 10.0


def _start(store: Store) -> None:
    lead = User("KSM\\choi.lead", "engineer", "PC-LEAD", "choi.lead")
    for item in ITEMS:
        routings.save_routing(store, item, [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, START_RUN),
                                            Operation(20, "H10-1", "열처리", "HT-01", "외주", 0, 0)],
                              user=lead)


def test_n_processes_saving_the_same_routings_at_once_lose_no_update(empty_store):
    _start(empty_store)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(ENGINEERS)
    with ProcessPoolExecutor(ENGINEERS, mp_context=ctx) as pool:
        futures = [pool.submit(engineer_rounds, empty_store.url, n + 1, ITEMS, ROUNDS, barrier)
                   for n in range(ENGINEERS)]
        results = [f.result(timeout=600) for f in futures]
    by_round: dict[int, list[dict]] = {}
    for outcome in (o for r in results for o in r):
        by_round.setdefault(outcome["round"], []).append(outcome)
    assert sorted(by_round) == list(range(ROUNDS))
    for n, outcomes in by_round.items():
        winners = [o for o in outcomes if o["saved"]]
        assert len(winners) == 1, f"round {n}: {outcomes}"   # exactly one of the simultaneous saves went in
        win = winners[0]
        for lost in (o for o in outcomes if not o["saved"]):
            # refused, naming the winner and the time of the winning save, showing their routing
            assert (lost["by"], lost["at"], lost["revision"]) == (win["by"], win["at"], win["revision"])
            assert lost["theirs_run"] == START_RUN + 1 + n // len(ITEMS)
    for i, item in enumerate(ITEMS):
        rounds_on_item = len(range(i, ROUNDS, len(ITEMS)))
        final = routings.load_saved(empty_store, item)
        assert final.revision == 1 + rounds_on_item
        assert final.operations[0].RUN_TIME == START_RUN + rounds_on_item   # every winning +1 is there
        with empty_store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(saved_routing)
                                .where(saved_routing.c.ITEM_CD == item)).scalar() == 1
            saves = conn.execute(select(func.count()).select_from(audit_event).where(
                audit_event.c.action == "routing.save", audit_event.c.target == item)).scalar()
        assert saves == 1 + rounds_on_item   # refused saves left no trace in the trail
    from app.services import audit_seal
    admin = User("KSM\\park.admin", "admin", "PC-ADMIN", "park.admin")
    assert audit_seal.verify(empty_store, user=admin).intact


def test_n_processes_creating_the_same_new_routing_at_once_make_one(empty_store):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(ENGINEERS)
    with ProcessPoolExecutor(ENGINEERS, mp_context=ctx) as pool:
        outcomes = list(pool.map(engineer_creates, [empty_store.url] * ENGINEERS, range(1, ENGINEERS + 1),
                                 ["NEW-0000001"] * ENGINEERS, [barrier] * ENGINEERS, timeout=600))
    winners = [o for o in outcomes if o["saved"]]
    assert len(winners) == 1, outcomes
    assert all((o["by"], o["at"], o["revision"]) == (winners[0]["by"], winners[0]["at"], 1) for o in outcomes)
    kept = routings.load_saved(empty_store, "NEW-0000001")
    assert kept.updated_by == winners[0]["by"] and kept.operations[0].RUN_TIME == int(winners[0]["by"][-1])
    with empty_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(saved_routing)).scalar() == 1


def test_a_second_save_from_the_same_revision_is_refused_with_the_other_persons_name_and_time(empty_store):
    _start(empty_store)
    kim = User("KSM\\kim", "engineer", "PC-07", "kim")
    lee = User("KSM\\이영희", "engineer", "PC-08", "lee")
    opened = routings.load_saved(empty_store, ITEMS[0])
    first = routings.save_routing(empty_store, ITEMS[0], opened.operations[:1], expected_revision=opened.revision,
                                  user=kim)
    with pytest.raises(routings.ConflictError) as refused:
        routings.save_routing(empty_store, ITEMS[0], opened.operations, "submitted",
                              expected_revision=opened.revision, user=lee)
    e = refused.value
    assert (e.by, e.at, e.revision) == ("KSM\\kim", first.updated_at, first.revision)
    assert f"changed by KSM\\kim at {first.updated_at:%Y-%m-%d %H:%M:%S}" in str(e)
    assert [o.JOB_CD for o in e.theirs.operations] == ["A01-2"]
    kept = routings.load_saved(empty_store, ITEMS[0])
    assert (kept.revision, kept.updated_by, len(kept.operations)) == (first.revision, "KSM\\kim", 1)


def test_reading_a_routing_does_not_wait_for_a_save_in_progress(empty_store):
    """While one PC's save holds its transaction open, others still open and list routings (the
    revision before that save)."""
    _start(empty_store)
    before = routings.load_saved(empty_store, ITEMS[0])
    writing = threading.Event()
    release = threading.Event()

    def slow_save():
        with empty_store.begin() as conn:
            routings._lock_routing(conn, ITEMS[0])
            conn.execute(saved_routing.update().where(saved_routing.c.ITEM_CD == ITEMS[0])
                         .values(revision=before.revision + 1))
            audit.record(empty_store, "routing.save", ITEMS[0], {}, User("KSM\\kim", "engineer", "PC", "kim"), conn)
            writing.set()
            release.wait(60)

    writer = threading.Thread(target=slow_save)
    writer.start()
    try:
        assert writing.wait(60)
        seen = {}
        reader = threading.Thread(target=lambda: seen.update(
            one=routings.load_saved(empty_store, ITEMS[0]), all=routings.list_saved(empty_store)))
        reader.start()
        reader.join(timeout=30)   # a hang detector only: a reader that waits for the writer never returns here
        assert not reader.is_alive(), "reading waited for the save in progress"
        assert seen["one"].revision == before.revision and len(seen["all"]) == len(ITEMS)
    finally:
        release.set()
        writer.join(60)
    assert routings.load_saved(empty_store, ITEMS[0]).revision == before.revision + 1
