"""Saved routings: drafts and submissions an engineer keeps in the program's store, and their approval.

Every save bumps `revision`; a save names the revision it started from, and if someone else
saved in between the save is refused with ConflictError instead of overwriting their work.
Workflow: draft → submitted → approved or rejected (by an approver, with a comment); saving again
makes it a draft or a submission once more.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.domain.access import SelfApprovalRefused, User, same_account
from app.domain.routing import Note, Operation, RoutingError
from app.services import audit, permissions
from app.store.db import Store, saved_routing

STATUSES = ("draft", "submitted")          # what a save may set
REVIEWED = ("approved", "rejected")        # what a review sets
EDITABLE_FIELDS = ("SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME")


class ConflictError(RoutingError):
    """Someone else saved (or reviewed) this routing since it was opened: nothing was written.

    `by` and `at` name that person and when; `revision` is the stored revision and `theirs` the
    routing as they left it (for the window's reload / compare)."""

    def __init__(self, item_cd: str, by: str, at: datetime, revision: int, theirs: SavedRouting | None = None):
        super().__init__(f"routing of {item_cd} was changed by {by} at {at:%Y-%m-%d %H:%M:%S} "
                         f"(revision {revision}); reload it before saving")
        self.item_cd, self.by, self.at, self.revision, self.theirs = item_cd, by, at, revision, theirs


def _conflict(item_cd: str, row) -> ConflictError:
    reviewed = row["reviewed_at"] is not None and row["reviewed_at"] >= row["updated_at"]
    return ConflictError(item_cd, (row["reviewed_by"] if reviewed else row["updated_by"]) or "?",
                         row["reviewed_at"] if reviewed else row["updated_at"], row["revision"], _row_to_saved(row))


def _newest_row(conn, item_cd: str):
    return conn.execute(select(saved_routing).where(saved_routing.c.ITEM_CD == item_cd)
                        .order_by(saved_routing.c.id.desc()).limit(1)).mappings().first()


def _lock_routing(conn, item_cd: str) -> None:
    """Two PCs saving or reviewing one item take turns, so the second sees the first's revision."""
    Store.lock_in_transaction(conn, f"routing_ml.saved_routing.{item_cd}")


@dataclass
class SavedRouting:
    id: int
    ITEM_CD: str
    ROUT_NO: str
    status: str
    revision: int
    operations: list[Operation]
    model_version: str | None
    candidate_rank: int | None
    note: str
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    review_comment: str = ""


def validate_operations(item_cd: str, operations: list[Operation]) -> None:
    """A routing a plant engineer could hand to the ERP: at least one operation, codes and sane times."""
    if not operations:
        raise RoutingError(f"routing of {item_cd} has no operations")
    seqs = [o.PROC_SEQ for o in operations]
    if len(set(seqs)) != len(seqs):
        raise RoutingError(f"routing of {item_cd}: PROC_SEQ values repeat ({seqs})")
    for o in operations:
        if not o.JOB_CD:
            raise RoutingError(f"routing of {item_cd}, PROC_SEQ {o.PROC_SEQ}: JOB_CD is empty")
        if not o.RES_CD and o.INSIDE_FLAG == "사내":
            raise RoutingError(f"routing of {item_cd}, PROC_SEQ {o.PROC_SEQ} ({o.JOB_CD}): RES_CD is empty")
        for f in EDITABLE_FIELDS:
            v = getattr(o, f)
            if v is None or not isinstance(v, (int, float)) or math.isnan(v) or v < 0:
                raise RoutingError(f"routing of {item_cd}, PROC_SEQ {o.PROC_SEQ} ({o.JOB_CD}): "
                                   f"{f} must be a number ≥ 0, not {v!r}")


def _operations_to_json(operations: list[Operation]) -> str:
    """The operations as JSON; a warning keeps its key and values (WARNING_NOTE) beside its English
    text, so a reopened routing shows it in the window's language."""
    rows = []
    for o in operations:
        row = asdict(o)
        for f in ("WARNING", "REASON"):
            if isinstance(getattr(o, f), Note):
                row[f"{f}_NOTE"] = getattr(o, f).to_json()
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False)


def _operations_from_json(text: str) -> list[Operation]:
    ops = []
    for row in json.loads(text):
        notes = {f: row.pop(f"{f}_NOTE", None) for f in ("WARNING", "REASON")}
        op = Operation(**row)
        for f, note in notes.items():
            if note:
                try:
                    setattr(op, f, Note.from_json(note))
                except (KeyError, TypeError, IndexError):
                    pass   # a note this version does not know: its English text stays
        ops.append(op)
    return ops


def _row_to_saved(row, operations: Sequence[Operation] | None = None) -> SavedRouting:
    """The routing of a saved_routing row; its operations read from the row's JSON unless given."""
    ops = _operations_from_json(row["operations"]) if operations is None else operations
    return SavedRouting(row["id"], row["ITEM_CD"], row["ROUT_NO"], row["status"], row["revision"], ops,
                        row["model_version"], row["candidate_rank"], row["note"] or "", row["created_by"] or "",
                        row["created_at"], row["updated_by"] or "", row["updated_at"], row["reviewed_by"] or "",
                        row["reviewed_at"], row["review_comment"] or "")


def load_saved(store: Store, item_cd: str) -> SavedRouting | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(saved_routing).where(saved_routing.c.ITEM_CD == item_cd.upper())
                           .order_by(saved_routing.c.id.desc()).limit(1)).mappings().first()
    return _row_to_saved(row) if row else None


def list_saved(store: Store, limit: int = 500) -> list[SavedRouting]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(saved_routing).order_by(saved_routing.c.updated_at.desc())
                            .limit(limit)).mappings().all()
    return [_row_to_saved(r) for r in rows]


@permissions.requires("routing.save", target="item_cd")
def save_routing(store: Store, item_cd: str, operations: list[Operation], status: str = "draft",
                 expected_revision: int | None = None, model_version: str | None = None,
                 candidate_rank: int | None = None, note: str = "", rout_no: str = "ML-001",
                 user: User | None = None) -> SavedRouting:
    """Save (create or update) the item's routing.

    `expected_revision` is the revision the editor loaded (None when it started from a candidate
    and nothing was saved yet). If the stored revision differs, ConflictError — never a silent
    overwrite. Saving the same operations and status as the stored revision writes nothing and
    returns that revision: a routing gets a new revision only when it changed.
    """
    assert user is not None
    item_cd = item_cd.strip().upper()
    if status not in STATUSES:
        raise RoutingError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    validate_operations(item_cd, operations)
    payload = _operations_to_json(operations)
    now = datetime.now()
    with store.begin() as conn:
        _lock_routing(conn, item_cd)
        row = _newest_row(conn, item_cd)
        if row is not None and row["revision"] != expected_revision:
            raise _conflict(item_cd, row)
        if row is None and expected_revision is not None:
            raise RoutingError(f"routing of {item_cd} (revision {expected_revision}) no longer exists")
        if row is not None and row["status"] == status and row["operations"] == payload:
            return _row_to_saved(row)   # nothing changed: no new revision, nothing to record
        if row is None:
            conn.execute(saved_routing.insert().values(
                ITEM_CD=item_cd, ROUT_NO=rout_no, status=status, revision=1, operations=payload,
                model_version=model_version, candidate_rank=candidate_rank, note=note,
                created_by=user.name, created_at=now, updated_by=user.name, updated_at=now))
            revision = 1
        else:
            revision = row["revision"] + 1
            # the WHERE on revision makes the check-and-write one atomic step on a shared server too
            done = conn.execute(update(saved_routing)
                                .where(saved_routing.c.id == row["id"], saved_routing.c.revision == row["revision"])
                                .values(status=status, revision=revision, operations=payload,
                                        model_version=model_version or row["model_version"],
                                        candidate_rank=candidate_rank if candidate_rank is not None
                                        else row["candidate_rank"], note=note or row["note"],
                                        updated_by=user.name, updated_at=now, reviewed_by=None,
                                        reviewed_at=None, review_comment=None))
            if done.rowcount != 1:   # changed between our read and write (a store without the lock)
                raise _conflict(item_cd, _newest_row(conn, item_cd) or row)
        audit.record(store, "routing.save", item_cd, {"status": status, "revision": revision,
                                                      "operations": len(operations)}, user, conn)
    saved = load_saved(store, item_cd)
    assert saved is not None
    return saved


@permissions.requires("routing.approve", target="item_cd")
def approve(store: Store, item_cd: str, comment: str = "", user: User | None = None) -> SavedRouting:
    """Approve the item's submitted routing; the comment is optional."""
    return _review(store, item_cd, "approved", comment, user)


@permissions.requires("routing.reject", target="item_cd")
def reject(store: Store, item_cd: str, comment: str = "", user: User | None = None) -> SavedRouting:
    """Reject the item's submitted routing, saying why (the comment is required)."""
    if not comment.strip():
        raise RoutingError(f"say why the routing of {item_cd.strip().upper()} is rejected (a comment is required)")
    return _review(store, item_cd, "rejected", comment, user)


def _review(store: Store, item_cd: str, status: str, comment: str, user: User | None) -> SavedRouting:
    assert user is not None and status in REVIEWED
    item_cd = item_cd.strip().upper()
    verb = {"approved": "approve", "rejected": "reject"}[status]
    now = datetime.now()
    refusal = None
    with store.begin() as conn:
        _lock_routing(conn, item_cd)
        row = _newest_row(conn, item_cd)
        if row is None:
            raise RoutingError(f"there is no saved routing of {item_cd} to {verb}")
        if row["status"] != "submitted":
            raise RoutingError(f"the routing of {item_cd} is {row['status']} (revision {row['revision']}); only a "
                               f"submitted routing can be {status}")
        if status == "approved" and same_account(row["updated_by"], user.name):
            # four eyes: whoever submitted a revision does not approve it, whatever their role
            refusal = SelfApprovalRefused(user, item_cd, row["revision"])
            audit.record(store, "routing.approve", item_cd, {"revision": row["revision"], "reason": "self-approval",
                                                             "submitted_by": row["updated_by"]}, user, conn,
                         outcome="denied")
        else:
            revision = row["revision"] + 1
            done = conn.execute(update(saved_routing)
                                .where(saved_routing.c.id == row["id"], saved_routing.c.revision == row["revision"])
                                .values(status=status, revision=revision, reviewed_by=user.name, reviewed_at=now,
                                        review_comment=comment.strip() or None))
            if done.rowcount != 1:
                raise _conflict(item_cd, _newest_row(conn, item_cd) or row)
            audit.record(store, f"routing.{verb}", item_cd, {"revision": revision, "comment": comment.strip(),
                                                             "saved_by": row["updated_by"]}, user, conn)
    if refusal is not None:
        raise refusal
    saved = load_saved(store, item_cd)
    assert saved is not None
    return saved


# what a new item's code field may still hold when nobody typed a real code
PLACEHOLDER_CODES = {"", "NEW-ITEM", "NEW ITEM", "NEW", "ITEM_CD"}


def check_new_item_code(store: Store, item_cd: str, expected_revision: int | None) -> str:
    """The code a new item's routing may be saved under, upper-cased: a real code that no item in
    the item master has and under which no other routing is saved (the one that was opened, at
    `expected_revision`, is this one). Raises RoutingError saying what to do otherwise."""
    from app.domain.schema import ITEMS

    code = (item_cd or "").strip().upper()
    if code in PLACEHOLDER_CODES:
        raise RoutingError("the new item needs its own item code (ITEM_CD) before its routing can be saved")
    if not re.fullmatch(r"[A-Z0-9가-힣][A-Z0-9가-힣_\-./ ]{0,39}", code):
        raise RoutingError(f"{item_cd!r} is not an item code: use letters, digits, '-', '_', '.' or '/' "
                           f"(at most 40 characters)")
    if store.read_view(ITEMS, where_items=[code]).height:
        raise RoutingError(f"item {code} is already in the item master; give the new item its own code, or "
                           f"pick {code} in the item master to work on its routing")
    saved = load_saved(store, code)
    if saved is not None and saved.revision != expected_revision:
        raise RoutingError(f"a routing is already saved under {code} (revision {saved.revision} by "
                           f"{saved.updated_by}); give the new item another code")
    return code


def operations_from_json(data: list[dict[str, Any]]) -> list[Operation]:
    return [Operation(**d) for d in data]


def find_saved(store: Store, statuses: tuple[str, ...] = (), since: datetime | None = None,
               until: datetime | None = None, saved_by: str | None = None) -> list[SavedRouting]:
    """The newest saved routing of each item and ROUT_NO with one of `statuses` (all when empty),
    last saved between `since` and `until`, by `saved_by`; ordered by ITEM_CD."""
    return [_row_to_saved(r) for r in find_saved_rows(store, statuses, since, until, saved_by)]


def find_saved_rows(store: Store, statuses: tuple[str, ...] = (), since: datetime | None = None,
                    until: datetime | None = None, saved_by: str | None = None) -> list:
    """find_saved's routings as the store's rows (mappings; `operations` still its JSON text)."""
    q = select(saved_routing)
    if statuses:
        q = q.where(saved_routing.c.status.in_(statuses))
    if since:
        q = q.where(saved_routing.c.updated_at >= since)
    if until:
        q = q.where(saved_routing.c.updated_at <= until)
    if saved_by:
        q = q.where(saved_routing.c.updated_by == saved_by)
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(saved_routing.c.ITEM_CD, saved_routing.c.id)).mappings().all()
    newest = {(r["ITEM_CD"], r["ROUT_NO"]): r for r in rows}
    return list(newest.values())
