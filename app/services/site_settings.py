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


def as_text(value: Any) -> str:
    """A setting's value as the store keeps it (and as its signature covers it)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def signed(store: Store, key: str) -> tuple[str, str | None, str | None] | None:
    """(value text, signature, signer key) of a setting as stored, or None when it is not set."""
    with store.engine.connect() as conn:
        row = conn.execute(select(app_setting.c.value, app_setting.c.signature, app_setting.c.signer_key)
                           .where(app_setting.c.key == key)).first()
    return (row.value, row.signature, row.signer_key) if row is not None else None


@permissions.requires("settings.change", target="key")
def put(store: Store, key: str, value: Any, user: User | None = None, *, shown: Any = None,
        signature: dict[str, str] | None = None) -> None:
    """Set `key` to `value` (JSON-able). The audit event shows `shown` instead of the value when
    given (a value with nothing secret in it, but too long or not meant for the trail). `signature`
    ({"signature", "public_key"} over as_text(value), app.services.trust) is kept with it."""
    assert user is not None
    text = as_text(value)
    sig, signer = (signature or {}).get("signature"), (signature or {}).get("public_key")
    now = datetime.now()
    with store.begin() as conn:
        old = conn.execute(select(app_setting.c.value, app_setting.c.signature).where(app_setting.c.key == key)).first()
        if old is not None and old.value == text and (signature is None or old.signature == sig):
            return
        if old is None:
            conn.execute(app_setting.insert().values(key=key, value=text, updated_by=user.name, updated_at=now,
                                                     signature=sig, signer_key=signer))
        else:
            conn.execute(update(app_setting).where(app_setting.c.key == key)
                         .values(value=text, updated_by=user.name, updated_at=now, signature=sig, signer_key=signer))
        old_value = old.value if old is not None else None
        detail = {"from": json.loads(old_value) if old_value is not None and shown is None else None,
                  "to": value if shown is None else shown}
        if old_value == text:
            detail["signed"] = True   # the same value, now signed
        audit.record(store, "settings.change", key, detail, user, conn)


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
