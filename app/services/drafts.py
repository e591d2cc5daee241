"""Local drafts: routings an engineer saved that have not reached their store yet.

A draft is kept on this PC (a JSON file under the per-user data folder, `drafts/`) when a save to
the store failed because the connection was lost, or when the engineer saved on a local store
while the shared server could not be reached. It names the store it belongs to (never a password)
and the revision the engineer started from, so an upload later is refused with ConflictError,
not written over, if someone else saved that routing meanwhile. One draft per store and item: a
newer one replaces the older.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app import folders
from app.domain.access import User
from app.domain.routing import Operation, RoutingError
from app.services import routings
from app.services.routings import SavedRouting

log = logging.getLogger(__name__)
OFFLINE, FAILED = "offline", "failed"   # why a draft was kept


@dataclass
class Draft:
    store: str                      # the store it belongs to: its URL without a password
    item_cd: str
    operations: list[Operation]
    status: str = "draft"
    expected_revision: int | None = None   # the store's revision the edit started from
    model_version: str | None = None
    candidate_rank: int | None = None
    new_item: bool = False          # a new item's own code: checked again before the upload
    user: str = ""
    reason: str = FAILED            # OFFLINE | FAILED
    kept_at: datetime = field(default_factory=datetime.now)
    store_text: str = ""            # how the store is named on screen (server/database, or a file)

    @property
    def key(self) -> str:
        return draft_key(self.store, self.item_cd)


class DraftError(RoutingError):
    """A draft file cannot be written or read; the message names it."""


def store_key(url: str) -> str:
    """A store's URL as drafts name it: no password, and one spelling for one store."""
    try:
        return make_url(url).render_as_string(hide_password=True) if "://" in url else url
    except Exception:  # noqa: BLE001 - not a URL: a path as given
        return url


def draft_key(store: str, item_cd: str) -> str:
    return hashlib.sha256(f"{store_key(store)}\n{item_cd.strip().upper()}".encode()).hexdigest()[:20]


def drafts_dir() -> Path:
    return folders.data_dir() / "drafts"


def _to_json(draft: Draft) -> dict:
    data = asdict(draft)
    data["store"] = store_key(draft.store)
    data["operations"] = json.loads(routings._operations_to_json(draft.operations))
    data["item_cd"] = draft.item_cd.strip().upper()
    data["kept_at"] = draft.kept_at.isoformat()
    return data


def _from_json(data: dict) -> Draft:
    data = dict(data)
    data["operations"] = routings._operations_from_json(json.dumps(data["operations"]))
    data["kept_at"] = datetime.fromisoformat(data["kept_at"])
    return Draft(**{k: v for k, v in data.items() if k in Draft.__dataclass_fields__})


def keep(draft: Draft) -> Path:
    """Write the draft (replacing an older one of the same store and item) in one step: a crash
    leaves the old file or the new one, never half of either."""
    folder = drafts_dir()
    path = folder / f"{draft.key}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".draft-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_to_json(draft), f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise DraftError(f"the draft of {draft.item_cd} could not be kept in {folder}: {exc.strerror or exc}") from None
    log.info("draft of %s for %s kept (%s)", draft.item_cd, store_key(draft.store), draft.reason)
    return path


def pending(store: str | None = None) -> list[Draft]:
    """The drafts kept on this PC (for `store` only, when given), oldest first. A damaged file is
    skipped with a warning in the log, never a reason to lose the others."""
    folder = drafts_dir()
    if not folder.is_dir():
        return []
    wanted = store_key(store) if store is not None else None
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            draft = _from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("draft %s cannot be read (%s); it is left in place", path, exc)
            continue
        if wanted is None or draft.store == wanted:
            out.append(draft)
    return sorted(out, key=lambda d: d.kept_at)


def discard(draft: Draft) -> None:
    forget(draft.store, draft.item_cd)


def forget(store: str, item_cd: str) -> None:
    """Drop the draft of `item_cd` for `store`, if one is kept (it was saved since)."""
    (drafts_dir() / f"{draft_key(store, item_cd)}.json").unlink(missing_ok=True)


def upload(store, draft: Draft, user: User | None = None) -> SavedRouting:
    """Save the draft to `store` as the engineer would have (their user, the revision they started
    from) and forget it. ConflictError (someone saved that routing meanwhile) or any other refusal
    leaves the draft kept."""
    code = draft.item_cd
    if draft.new_item:
        code = routings.check_new_item_code(store, code, draft.expected_revision)
    saved = routings.save_routing(store, code, draft.operations, status=draft.status,
                                  expected_revision=draft.expected_revision, model_version=draft.model_version,
                                  candidate_rank=draft.candidate_rank, user=user)
    discard(draft)
    return saved
