"""The model registry: train, list, activate, roll back, load (cached)."""
from __future__ import annotations

import json
import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select, update

from app.domain.schema import ITEMS, RESULTS, ROUTINGS
from app.ml.features import EncoderParams
from app.ml.model import RoutingModel
from app.ml.registry import ModelError, read_model, write_model
from app.services import audit, permissions
from app.services.identity import User
from app.services.progress import Progress
from app.store.db import Store, StoreError, model_version

TRAIN_ROUTING_COLUMNS = ["ITEM_CD", "ROUT_NO", "PROC_SEQ", "INSRT_DT", "JOB_CD", "JOB_NM", "RES_CD",
                         "INSIDE_FLAG", "BP_CD", "ROUT_ORDER", "SETUP_TIME", "RUN_TIME", "RUN_TIME_QTY",
                         "WAIT_TIME", "MOVE_TIME"]
TRAIN_RESULT_COLUMNS = ["ITEM_CD", "ROUT_NO", "PROC_SEQ", "JOB_CD", "REPORT_DT", "MACH_WORKED_HOURS",
                        "SETUP_HOURS", "ORDER_QTY"]


class NoModelError(ModelError):
    pass


def load_training_data(store: Store, progress: Progress | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    p = progress or Progress()
    p.report(0.0, "reading items")
    items = store.read_view(ITEMS)
    p.report(0.3, "reading routings")
    routings = store.read_view(ROUTINGS, TRAIN_ROUTING_COLUMNS)
    p.report(0.6, "reading work results")
    results = store.read_view(RESULTS, TRAIN_RESULT_COLUMNS)
    p.report(1.0, "data read")
    return items, routings, results


def _import_id(store: Store) -> Any:
    last = store.last_import()
    return (last or {}).get("id")


def new_version(store: Store) -> str:
    base = datetime.now().strftime("%Y%m%d-%H%M%S")
    existing = {m["version"] for m in list_models(store)}
    version, n = base, 1
    while version in existing or (store.models_dir / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


@permissions.requires("model.train")
def train(store: Store, params: EncoderParams | None = None, progress: Progress | None = None,
          user: User | None = None, activate: bool = True) -> str:
    """Train a new model version from the store; activate it unless told not to.

    Cancel or a crash leaves the registry and the active model as they were. The start and the
    end (done, failed or cancelled) are recorded in the audit trail.
    """
    assert user is not None
    if store.read_only:   # say so before minutes of training, not after
        raise StoreError(store.read_only_message())
    weights = (params.weights if params is not None else None) or {}
    audit.record(store, "model.train_start", "", {"weights": weights, "activate": activate}, user)
    try:
        return _train(store, params, progress or Progress(), user, activate)
    except BaseException as exc:
        from app.services.progress import Cancelled
        audit.record(store, "model.train", "", {"cancelled": True} if isinstance(exc, Cancelled)
                     else {"error": str(exc) or type(exc).__name__}, user, outcome="failed")
        raise


def _train(store: Store, params: EncoderParams | None, p: Progress, user: User, activate: bool) -> str:
    p.report(0.0, "reading items")
    import_before = _import_id(store)
    if store.view_counts()[ITEMS] == 0 or store.routed_item_codes().len() == 0:
        raise ModelError(f"store {store.describe()} holds no items or no routings; import a source first")
    version = new_version(store)
    # The items, the routings and the work results are read when training needs them and let go
    # after, so they are never in memory together (see RoutingModel.train); an import that replaced
    # the views meanwhile is caught below. The work results' codes are read as categories: fewer strings.
    model = RoutingModel.train(
        version, lambda: store.read_view(ITEMS), lambda: store.scan_view(ROUTINGS, TRAIN_ROUTING_COLUMNS),
        lambda: store.read_view(RESULTS, TRAIN_RESULT_COLUMNS, categorical=("ITEM_CD", "ROUT_NO", "JOB_CD")),
        params, p.sub(0.05, 0.9))
    if _import_id(store) != import_before:
        raise ModelError(f"the views of store {store.describe()} were imported again while the model was trained; "
                         f"train again")
    p.report(0.92, "writing model files")
    arrays, docs, texts = model.to_files()
    folder = write_model(store.models_dir, version, arrays, docs, texts)
    p.check()
    try:
        with store.begin() as conn:
            conn.execute(model_version.insert().values(
                version=version, created_at=datetime.now(), created_by=user.name, path=folder.name,
                params=json.dumps(model.encoder.params.to_json()), summary=json.dumps(model.info),
                active=False))
            if not store.is_sqlite:   # a server store keeps the files too, for every PC
                from app.store import blobs
                p.report(0.95, "copying the model into the store")
                blobs.put_folder(conn, "model", version, folder)
            audit.record(store, "model.train", version, {"info": model.info}, user, conn)
            if activate:
                _activate(conn, version)
                audit.record(store, "model.activate", version, {}, user, conn)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _cache_put(store, version, model)
    p.report(1.0, f"model {version} trained")
    return version


@dataclass(frozen=True)
class ModelChange:
    """The active model changed since this program last predicted (another PC activated one)."""

    previous: str
    current: str
    by: str          # who activated it, as the audit trail names them ("" if unknown)
    at: datetime | None

    @property
    def message(self) -> str:
        who = f" by {self.by}" if self.by else ""
        when = f" at {self.at:%Y-%m-%d %H:%M}" if self.at else ""
        return f"model {self.current} was activated{who}{when}; predictions now use it instead of {self.previous}"


def active_model_change(store: Store) -> ModelChange | None:
    """A notice the window shows once when the store's active model is no longer the one this
    program used for its last prediction (activated, trained or rolled back on another PC);
    None the first time and while it stays the same. Call it after a prediction (on a worker)."""
    current = active_version(store)
    previous = getattr(store, "_last_active_model", None)
    store._last_active_model = current
    if previous is None or current is None or previous == current:
        return None
    from sqlalchemy import select

    from app.store.db import audit_event
    with store.engine.connect() as conn:
        row = conn.execute(select(audit_event.c.user_name, audit_event.c.at)
                           .where(audit_event.c.action.in_(("model.activate", "model.rollback")),
                                  audit_event.c.target == current)
                           .order_by(audit_event.c.seq.desc()).limit(1)).first()
    at = audit.to_local(row.at) if row is not None else None
    return ModelChange(previous, current, row.user_name if row is not None else "", at)


def list_models(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(model_version.select().order_by(model_version.c.created_at.desc(),
                                                            model_version.c.version.desc())).mappings().all()
    out = []
    for r in rows:
        d = dict(r)
        for k in ("params", "metrics", "summary"):
            d[k] = json.loads(d[k]) if d.get(k) else None
        out.append(d)
    return out


def active_version(store: Store) -> str | None:
    """One small query (every prediction asks it, so another PC's activation is seen at once)."""
    return store.read_scalar(_ACTIVE_VERSION)


# built once: building the statement was half of the query's CPU time (0.2-0.3 ms of every prediction)
_ACTIVE_VERSION = (select(model_version.c.version).where(model_version.c.active.is_(True))
                   .order_by(model_version.c.activated_at.desc()).limit(1))


def _activate(conn, version: str) -> None:
    conn.execute(update(model_version).values(active=False))
    conn.execute(update(model_version).where(model_version.c.version == version)
                 .values(active=True, activated_at=datetime.now()))


@permissions.requires("model.activate", target="version")
def activate(store: Store, version: str, user: User | None = None) -> None:
    assert user is not None
    known = {m["version"]: m for m in list_models(store)}
    if version not in known:
        raise NoModelError(f"model version {version} does not exist (known: {', '.join(known) or 'none'})")
    load(store, version)  # refuse to activate a damaged model
    with store.begin() as conn:
        _activate(conn, version)
        audit.record(store, "model.activate", version, {}, user, conn)


def activation_history(store: Store) -> list[str]:
    """The versions that were active, oldest first, as a stack: activating (or training) pushes a
    version, a rollback pops the one it left. The last entry is the active version."""
    stack: list[str] = []
    for ev in audit.events_of(store, ("model.activate", "model.rollback")):
        if ev["action"] == "model.rollback" and stack:
            stack.pop()
        if not stack or stack[-1] != ev["target"]:
            stack.append(ev["target"])
    return stack


def rollback_target(store: Store, rows: list[dict[str, Any]] | None = None) -> str | None:
    """The version a rollback would activate: the one active before the current version became
    active, going further back on each rollback (never back and forth between two)."""
    rows = list_models(store) if rows is None else rows
    known = {m["version"] for m in rows}
    active = next((m["version"] for m in rows if m["active"]), None)
    stack = [v for v in activation_history(store) if v in known]
    if active is not None and (not stack or stack[-1] != active):
        stack.append(active)  # activated outside the audit trail (an older store): start from here
    while stack and stack[-1] == active:
        stack.pop()
    return stack[-1] if stack else None


@permissions.requires("model.rollback")
def rollback(store: Store, user: User | None = None) -> str:
    """Activate the version that was active before the current one; repeated, it goes further back."""
    assert user is not None
    rows = list_models(store)
    target = rollback_target(store, rows)
    if target is None:
        raise NoModelError("there is no earlier active model version to roll back to")
    current = next((m["version"] for m in rows if m["active"]), None)
    load(store, target)  # refuse to activate a damaged model
    with store.begin() as conn:
        _activate(conn, target)
        audit.record(store, "model.rollback", target, {"from": current}, user, conn)
    return target


def save_metrics(store: Store, version: str, metrics: dict[str, Any]) -> None:
    with store.begin() as conn:
        conn.execute(update(model_version).where(model_version.c.version == version)
                     .values(metrics=json.dumps(metrics)))


_cache: dict[tuple[str, str], RoutingModel] = {}
_cache_lock = threading.Lock()


def _cache_put(store: Store, version: str, model: RoutingModel) -> None:
    with _cache_lock:
        # keep the newest two: a shared PC should not hold every version in memory
        key = (str(store.models_dir), version)
        _cache[key] = model
        while len(_cache) > 2:
            _cache.pop(next(iter(_cache)))


def load(store: Store, version: str | None = None) -> RoutingModel:
    """The given version, else the active one; verified against its manifest on first load."""
    if version is None:
        version = active_version(store)
        if version is None:
            raise NoModelError(f"no active model in store {store.describe()}; run 'routing-ml train' first")
    key = (str(store.models_dir), version)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    row = next((m for m in list_models(store) if m["version"] == version), None)
    if row is None:
        raise NoModelError(f"model version {version} does not exist in store {store.describe()}")
    # the registry keeps the folder name only, so a store moved with its models folder still works
    folder = store.ensure_model_folder(version, store.models_dir / Path(row["path"]).name)
    try:
        arrays, docs, texts = read_model(folder)
    except ModelError as exc:
        if store.is_sqlite:
            raise
        # only this PC's copy of a server store's model: copy it again (the store's is checked on the way)
        logging.getLogger(__name__).warning("%s; copying model %s again from store %s", exc, version, store.describe())
        shutil.rmtree(folder, ignore_errors=True)
        folder = store.ensure_model_folder(version, folder)
        arrays, docs, texts = read_model(folder)
    try:
        model = RoutingModel.from_files(version, arrays, docs, texts)
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelError(f"model {version} in {folder} is incomplete: {exc}") from None
    _cache_put(store, version, model)
    return model
