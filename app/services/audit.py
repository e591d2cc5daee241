"""The audit trail: who did what, when, from which machine."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.services.identity import User, current_user
from app.store.db import Store, audit_event


def record(store: Store, action: str, target: str = "", detail: dict[str, Any] | None = None,
           user: User | None = None, conn=None) -> None:
    """Write one audit event; pass `conn` to make it part of the caller's transaction."""
    user = user or current_user()
    values = dict(at=datetime.now(), user_name=user.name, host=user.host, action=action, target=target,
                  detail=json.dumps(detail or {}, ensure_ascii=False, default=str))
    if conn is not None:
        conn.execute(audit_event.insert().values(**values))
    else:
        with store.begin() as c:
            c.execute(audit_event.insert().values(**values))


def events(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(audit_event.select().order_by(audit_event.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def events_of(store: Store, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every event with one of these actions, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(audit_event.select().where(audit_event.c.action.in_(actions))
                            .order_by(audit_event.c.id)).mappings().all()
    return [dict(r) for r in rows]
