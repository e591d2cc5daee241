"""An engineer in a separate process, for tests/store/test_concurrent_saves.py (spawned: nothing
is shared with the test but the store's URL and a barrier)."""
from __future__ import annotations


def engineer_rounds(url: str, who: int, items: list[str], rounds: int, barrier) -> list[dict]:
    """Each round every engineer opens the same routing, waits for the others, then adds one
    minute to its first operation and saves. Returns what happened to each save."""
    from app.domain.access import User
    from app.services.routings import ConflictError, load_saved, save_routing
    from app.store.db import Store

    user = User(f"KSM\\eng{who}", "engineer", f"PC-{who:02d}", f"eng{who}")
    store = Store(url)
    out = []
    try:
        for n in range(rounds):
            item = items[n % len(items)]
            opened = load_saved(store, item)
            ops = opened.operations
            ops[0].RUN_TIME = ops[0].RUN_TIME + 1
            barrier.wait(timeout=120)
            try:
                saved = save_routing(store, item, ops, "draft", expected_revision=opened.revision,
                                     note=f"eng{who} round {n}", user=user)
                out.append({"round": n, "item": item, "saved": True, "revision": saved.revision,
                            "at": saved.updated_at, "by": user.name})
            except ConflictError as exc:
                out.append({"round": n, "item": item, "saved": False, "revision": exc.revision, "at": exc.at,
                            "by": exc.by, "theirs_run": exc.theirs.operations[0].RUN_TIME if exc.theirs else None})
            barrier.wait(timeout=120)   # the round is over for everyone before the next one opens
    finally:
        store.dispose()
    return out


def engineer_creates(url: str, who: int, item: str, barrier) -> dict:
    """Everyone saves a first routing for the same new item at the same moment."""
    from app.domain.access import User
    from app.domain.routing import Operation
    from app.services.routings import ConflictError, save_routing
    from app.store.db import Store

    user = User(f"KSM\\eng{who}", "engineer", f"PC-{who:02d}", f"eng{who}")
    store = Store(url)
    try:
        ops = [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, float(who))]
        barrier.wait(timeout=120)
        try:
            saved = save_routing(store, item, ops, "draft", expected_revision=None, user=user)
            return {"saved": True, "by": user.name, "at": saved.updated_at, "revision": saved.revision}
        except ConflictError as exc:
            return {"saved": False, "by": exc.by, "at": exc.at, "revision": exc.revision}
    finally:
        store.dispose()
