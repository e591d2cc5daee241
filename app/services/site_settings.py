"""Settings every PC using the store shares (role source, audit checkpoint folder, the store's id),
kept as JSON in the store's app_setting table. Changing one needs an admin and is recorded."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.domain.access import User
from app.services import audit, permissions
from app.store.db import Store, app_setting

STORE_ID = "store.id"


def get(store: Store, key: str, default: Any = None) -> Any:
    with store.engine.connect() as conn:
        value = conn.execute(select(app_setting.c.value).where(app_setting.c.key == key)).scalar()
    return default if value is None else json.loads(value)


@permissions.requires("settings.change", target="key")
def put(store: Store, key: str, value: Any, user: User | None = None, *, shown: Any = None) -> None:
    """Set `key` to `value` (JSON-able). The audit event shows `shown` instead of the value when
    given (a value with nothing secret in it, but too long or not meant for the trail)."""
    assert user is not None
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    now = datetime.now()
    with store.begin() as conn:
        old = conn.execute(select(app_setting.c.value).where(app_setting.c.key == key)).scalar()
        if old == text:
            return
        if old is None:
            conn.execute(app_setting.insert().values(key=key, value=text, updated_by=user.name, updated_at=now))
        else:
            conn.execute(update(app_setting).where(app_setting.c.key == key)
                         .values(value=text, updated_by=user.name, updated_at=now))
        audit.record(store, "settings.change", key, {
            "from": json.loads(old) if old is not None and shown is None else None,
            "to": value if shown is None else shown}, user, conn)


@permissions.requires("settings.change", target="what")
def note_local_change(store: Store, what: str, values: dict[str, Any], user: User | None = None) -> None:
    """Record a change of a setting this PC keeps itself (the data source in QSettings)."""
    audit.record(store, "settings.change", what, {"to": values, "kept": "on this PC"}, user)


def store_id(store: Store) -> str:
    """The store's own id (made by migration 0002), which names its checkpoints."""
    value = get(store, STORE_ID)
    if not value:   # a store whose id row was deleted: give it a new one rather than fail
        value = str(uuid.uuid4())
        with store.begin() as conn:
            conn.execute(app_setting.insert().values(key=STORE_ID, value=json.dumps(value), updated_by="routing-ml",
                                                     updated_at=datetime.now()))
    return value
