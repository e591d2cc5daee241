"""The audit trail: who did what, when (UTC), from which machine, and with what outcome.

Append-only and tamper-evident: each row has a sequence number and the SHA-256 of the previous
row's hash and its own fields (app.store.chain), so an edited, inserted, moved or deleted row
breaks the chain at that row; signed checkpoints (app.services.audit_seal) pin the newest row,
so deleting the newest rows is noticed too. Appending locks the one-row table `audit_head`
(SQLite: the write transaction's lock), so two PCs appending at once never fork the chain.

Recording is a few statements inside the caller's transaction (`conn`), so the event and the
change it describes are written together or not at all.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, bindparam, column, func, or_, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Connection

from app.domain.access import OUTCOMES, AuditEvent, User
from app.domain.routing import RoutingError
from app.services import permissions
from app.services.progress import Progress
from app.store.chain import GENESIS, chain_hash
from app.store.db import BUSY_TIMEOUT_MS, Store, StoreLocked, audit_event, audit_head

EXPORT_COLUMNS = ["seq", "at_utc", "at_local", "user", "role", "machine", "action", "target", "outcome", "detail",
                  "hash"]
XLSX_MAX_ROWS = 1_048_575   # Excel's sheet limit, less the header
# never into the trail, whatever a caller puts into `detail`
SECRET_WORDS = ("password", "passwd", "secret", "private_key", "token")
# How long an event that may go to the log instead waits for another program's write lock: saves
# and other appends hold it for milliseconds; an import's or a database tool's can last minutes.
LOCKED_WAIT_MS = 1500


def events(n: int) -> str:
    """'1 event', '2 events', '1,000,000 events'."""
    return f"{n:,} event" if n == 1 else f"{n:,} events"


def utc_now() -> datetime:
    """Now, as the trail keeps time: UTC without a time zone attached."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(at: datetime) -> datetime:
    """A UTC time of the trail in this PC's time zone (naive), for showing."""
    return at.replace(tzinfo=timezone.utc).astimezone().replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """A naive local time (typed by a user) as the trail's UTC."""
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _scrub(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {k: ("***" if any(w in str(k).lower() for w in SECRET_WORDS) else _scrub(v)) for k, v in detail.items()}
    if isinstance(detail, (list, tuple)):
        return [_scrub(v) for v in detail]
    return detail


def record(store: Store, action: str, target: str = "", detail: dict[str, Any] | None = None,
           user: User | None = None, conn: Connection | None = None, outcome: str = "ok", *,
           log_if_locked: bool = False) -> int:
    """Append one event; returns its sequence number. Pass `conn` (from `store.begin()`) to make it
    part of the caller's transaction. Keys of `detail` that name a secret are written as ***.

    `log_if_locked` is for events of actions that change nothing (a prediction, a sign-in): when
    another program holds the store's write lock for longer than a short wait, the action goes on
    and the event goes to the log, with a warning that carries `user_notice`, and 0 is returned;
    the trail then lacks it, as it lacks the events of a read-only store."""
    if user is None:
        from app.services.identity import signed_in_user
        user = signed_in_user(store)
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {outcome!r} is not one of {OUTCOMES}")
    values = dict(at=utc_now(), user_name=user.name, role=user.role, host=user.host, action=action,
                  target=str(target or ""), outcome=outcome,
                  detail=json.dumps(_scrub(detail or {}), ensure_ascii=False, default=str, sort_keys=True))
    if store.read_only and conn is None:
        # A store the user may not write holds no trail of theirs: reading (predict) goes on, and
        # every change fails on its own write with the read-only error; the event goes to the log.
        logging.getLogger(__name__).warning("store %s is read-only; not recorded: %s", store.describe(), values)
        return 0
    if conn is not None:
        return _append(conn, values)
    if not log_if_locked:
        return _append_alone(store, values)
    try:
        return _append_alone(store, values, LOCKED_WAIT_MS)
    except StoreLocked:
        notice = (f"store {store.describe()} is locked by another program, so the audit trail could not take "
                  f"this command's events now; they went to the log instead")
        logging.getLogger(__name__).warning("%s: not recorded: %s", notice, values, extra={"user_notice": notice})
        return 0


def _append_alone(store: Store, values: dict[str, Any], wait_ms: int | None = None) -> int:
    """_append in a transaction of its own, waiting at most `wait_ms` for the chain's lock (None: as
    long as it takes); raises StoreLocked after that wait."""
    if store.engine.dialect.name == "postgresql":
        seq = _append_alone_postgresql(store, values, wait_ms)
        if seq:
            return seq
    if wait_ms is None:
        with store.begin() as c:
            return _append(c, values)
    return _append_waiting_briefly(store, values)


def _append_alone_postgresql(store: Store, values: dict[str, Any], wait_ms: int | None) -> int:
    """The event in a transaction of its own on PostgreSQL, sent in one round trip as one statement
    in autocommit (its own transaction; a lock wait of at most `wait_ms` set inside it, see
    _PG_APPEND_WAITING_SQL), so the chain's head is locked only while the server runs that statement
    and commits, never while this PC waits for a reply or for a CPU. With 20 PCs predicting, the head
    was held across three round trips and the PCs queued on it; psycopg's pipeline of BEGIN, SET
    LOCAL, the statement and COMMIT took a third more CPU than the one statement. 0 when the head is
    missing or behind the newest row (the caller then takes lock_chain's general way). Raises
    StoreLocked after `wait_ms`."""
    import psycopg

    params = _pg_append_params(values)
    if params is None:
        return 0
    sql = _PG_APPEND_AT_HEAD_SQL
    if wait_ms is not None:
        sql, params = _PG_APPEND_WAITING_SQL, dict(params, lock_timeout=f"{int(wait_ms)}ms")
    with store.engine.connect() as c:
        # autocommit: psycopg adds no BEGIN of its own (one more round trip); the statement is the transaction
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        raw = c.connection.driver_connection
        try:
            row = raw.execute(sql, params).fetchone()
        except psycopg.Error as exc:
            if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE and not raw.broken:
                raw.rollback()   # the statement failed: the server skipped the COMMIT
            if isinstance(exc, psycopg.errors.LockNotAvailable):
                raise StoreLocked(store.locked_message()) from None
            if raw.broken:
                c.invalidate()
            store.word_database_error(exc)
            raise DBAPIError.instance(sql, params, exc, psycopg.Error,
                                      connection_invalidated=c.invalidated) from exc
    return int(row[0]) if row is not None else 0


def _append_waiting_briefly(store: Store, values: dict[str, Any]) -> int:
    """_append in its own transaction, waiting at most LOCKED_WAIT_MS for the chain's lock (SQLite:
    the write lock; PostgreSQL and SQL Server: the head row, which a save holds while it commits)."""
    with store.engine.connect() as c:
        raw = c.connection.driver_connection if store.is_sqlite else None
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout={LOCKED_WAIT_MS}")
        try:
            c = c.execution_options(store_write_lock=True)
            with c.begin():
                if c.dialect.name == "postgresql":
                    c.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCKED_WAIT_MS}ms'")
                elif c.dialect.name == "mssql":
                    c.exec_driver_sql(f"SET LOCK_TIMEOUT {LOCKED_WAIT_MS}")
                return _append(c, values)
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            elif c.dialect.name == "mssql" and not c.closed:
                c.exec_driver_sql("SET LOCK_TIMEOUT -1")


# Built once: a statement object reused keeps its compiled form and cache key (recording stays cheap).
# The head row is locked (PostgreSQL: FOR UPDATE; SQL Server, which drops FOR UPDATE: UPDLOCK,
# HOLDLOCK; SQLite: the write transaction) and the newest seq read in the same round trip.
_HEAD = (select(audit_head.c.seq, audit_head.c.hash, select(func.max(audit_event.c.seq)).scalar_subquery())
         .where(audit_head.c.id == 1).with_for_update()
         .with_hint(audit_head, "WITH (UPDLOCK, HOLDLOCK)", dialect_name="mssql"))
_LAST = select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
_INSERT = audit_event.insert()
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("new_seq"),
                                                                    hash=bindparam("new_hash"))


def lock_chain(conn: Connection) -> tuple[int, str]:
    """Lock the chain's head for the rest of the transaction; returns the (seq, hash) to continue from.

    That is the head's, unless rows beyond it exist (inserted behind the program's back): then the
    newest row's, so appending never fails on a taken seq; Verify names those rows. Newest rows
    deleted behind its back leave a gap in seq after the next append, which Verify names too."""
    head = conn.execute(_HEAD).first()
    if head is None:   # the head row was deleted: continue from the newest row
        last = conn.execute(_LAST).first()
        seq, digest = (int(last[0]), last[1]) if last is not None else (0, GENESIS)
        conn.execute(audit_head.insert().values(id=1, seq=seq, hash=digest))
        return seq, digest
    seq, digest, newest = head
    # (a seq edited into text, which SQLite keeps and ranks above every number, is Verify's to name)
    if isinstance(newest, int) and newest > seq:
        last = conn.execute(_LAST).first()
        return int(last[0]), last[1]
    return int(seq), digest


_SQLITE_HEAD = "SELECT seq, hash, (SELECT max(seq) FROM audit_event) FROM audit_head WHERE id = 1"
_SQLITE_INSERT = ("INSERT INTO audit_event (seq, at, user_name, role, host, action, target, detail, outcome, hash) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SQLITE_MOVE_HEAD = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"


_PG_APPEND = text(
    "WITH appended AS (INSERT INTO audit_event (seq, at, user_name, role, host, action, target, detail, outcome, hash) "
    "VALUES (:seq, :at, :user_name, :role, :host, :action, :target, :detail, :outcome, :hash)) "
    "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1")


# PostgreSQL: the event appended at the head and the head moved in one statement, the new row's hash
# computed by the server (SHA-256 of the head's hash, "[", the new seq, ",", the row's fields as
# app.store.chain.chain_body writes them, "]": the text chain_hash hashes). Locking the head is the
# UPDATE's own row lock, taken when the server reaches it, and a PC that waited for it continues
# from the head as the holder left it (READ COMMITTED re-reads the updated row). Nothing is written
# when the head row is missing or rows beyond it exist (lock_chain's cases).
_PG_APPEND_AT_HEAD_SQL = (
    "WITH head AS (UPDATE audit_head SET seq = seq + 1, hash = encode(sha256(convert_to("
    "hash || '[' || CAST(seq + 1 AS text) || ',' || CAST(%(body)s AS text) || ']', 'UTF8')), 'hex') "
    "WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM audit_event WHERE audit_event.seq > audit_head.seq) "
    "RETURNING seq, hash) "
    "INSERT INTO audit_event (seq, at, user_name, role, host, action, target, detail, outcome, hash) "
    "SELECT seq, %(at)s, %(user_name)s, %(role)s, %(host)s, %(action)s, %(target)s, %(detail)s, %(outcome)s, hash "
    "FROM head RETURNING seq")
_PG_APPEND_AT_HEAD = text(re.sub(r"%\((\w+)\)s", r":\1", _PG_APPEND_AT_HEAD_SQL))   # the same, for SQLAlchemy
# The same, waiting at most %(lock_timeout)s for the head: the timeout is set for the statement's own
# transaction (set_config's is_local) by `wait`, which the head's WHERE reads, so it is set before the
# server reaches the head row and waits for its lock; the transaction's end resets it.
_PG_APPEND_WAITING_SQL = _PG_APPEND_AT_HEAD_SQL.replace(
    "WITH head AS (", "WITH wait AS MATERIALIZED (SELECT set_config('lock_timeout', %(lock_timeout)s, true) AS v), "
    "head AS (", 1).replace(
    "WHERE id = 1 AND ", "WHERE id = 1 AND (SELECT v FROM wait) IS NOT NULL AND ", 1)


def _pg_append_params(values: dict[str, Any]) -> dict[str, Any] | None:
    from app.store.chain import chain_body, utc_text
    body = chain_body(utc_text(values["at"]), values["user_name"], values["role"], values["host"], values["action"],
                      values["target"], values["detail"], values["outcome"])
    return None if body is None else dict(values, body=body)


def _append(conn: Connection, values: dict[str, Any]) -> int:
    if conn.dialect.name == "sqlite":
        seq = _append_sqlite(conn.connection.driver_connection, values)
        if seq:
            return seq
    if conn.dialect.name == "postgresql":   # one statement, one round trip (see _PG_APPEND_AT_HEAD_SQL)
        params = _pg_append_params(values)
        row = conn.execute(_PG_APPEND_AT_HEAD, params).first() if params is not None else None
        if row is not None:
            return int(row[0])
    prev_seq, prev_hash = lock_chain(conn)
    seq = prev_seq + 1
    digest = chain_hash(prev_hash, seq, values["at"], values["user_name"], values["role"], values["host"],
                        values["action"], values["target"], values["detail"], values["outcome"])
    if conn.dialect.name == "postgresql":   # one round trip for both: they are most of what recording costs
        conn.execute(_PG_APPEND, dict(values, seq=seq, hash=digest))
        return seq
    conn.execute(_INSERT, dict(values, seq=seq, hash=digest))
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": digest})
    return seq


def _append_sqlite(raw, values: dict[str, Any]) -> int:
    """_append's usual case on SQLite through the driver itself, inside the caller's transaction (its
    write lock is the chain's lock): a third of the time of going through SQLAlchemy's statement layer,
    which is most of what recording costs. 0 when the head is missing or behind the newest row (then
    lock_chain's general way)."""
    cur = raw.cursor()
    head = cur.execute(_SQLITE_HEAD).fetchone()
    if head is None or (head[2] is not None and (not isinstance(head[2], int) or head[2] > head[0])):
        return 0
    seq = int(head[0]) + 1
    at = values["at"]
    digest = chain_hash(head[1], seq, at, values["user_name"], values["role"], values["host"], values["action"],
                        values["target"], values["detail"], values["outcome"])
    # the time as SQLAlchemy's SQLite DateTime writes it (and Verify reads it back)
    cur.execute(_SQLITE_INSERT, (seq, at.isoformat(sep=" ", timespec="microseconds"), values["user_name"],
                                 values["role"], values["host"], values["action"], values["target"], values["detail"],
                                 values["outcome"], digest))
    cur.execute(_SQLITE_MOVE_HEAD, (seq, digest))
    return seq


def chained(conn: Connection, seq: int) -> dict[str, Any] | None:
    """The event `seq` when its hash holds and the row after it (if any) chains from it; else None.

    A quick check of one event that a role or a signer key rests on (Verify checks them all): a row
    edited in a database tool fails it; forging past it takes appending rows, which show in the trail,
    or recomputing the chain after it, which a signed checkpoint exposes."""
    from app.store.chain import chain_hash
    c = audit_event.c
    rows = {int(r.seq): r for r in conn.execute(
        select(c.seq, c.at, c.user_name, c.role, c.host, c.action, c.target, c.detail, c.outcome, c.hash)
        .where(c.seq.between(seq - 1, seq + 1)))}
    event = rows.get(seq)
    if event is None:
        return None
    prev = rows[seq - 1].hash if seq > 1 and seq - 1 in rows else GENESIS
    if seq > 1 and seq - 1 not in rows:
        return None

    def digest(r, before: str) -> str:
        return chain_hash(before, int(r.seq), r.at, r.user_name, r.role, r.host, r.action, r.target, r.detail,
                          r.outcome)
    if digest(event, prev) != event.hash:
        return None
    after = rows.get(seq + 1)
    if after is not None and digest(after, event.hash) != after.hash:
        return None
    return dict(event._mapping)


def newest_chained(conn: Connection, action: str, target: str | None = None, match: Any = None,
                   newest_decides: bool = True) -> dict[str, Any] | None:
    """The newest event of `action` (for `target`, compared as Windows compares accounts) if
    `match(detail)` accepts it and it is chained (see `chained`); None otherwise. With
    `newest_decides` False, the newest event `match` accepts, however old."""
    c = audit_event.c
    q = select(c.seq, c.target, c.detail).where(c.action == action, c.outcome == "ok").order_by(c.seq.desc())
    for seq, tgt, detail in conn.execute(q):
        if target is not None and (tgt or "").strip().casefold() != target.strip().casefold():
            continue
        try:
            parsed = json.loads(detail) if detail else {}
        except ValueError:
            continue
        if match is None or match(parsed):
            return chained(conn, int(seq))
        if newest_decides:
            return None   # the newest one for the target decides, not an older one
    return None


# ---- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditFilter:
    """Which events to show. Times are UTC (naive); `until` is exclusive. `action` is an exact
    action, or a family ending in "." ("model." = every model action). `text` is searched in the
    target, the details and the machine name (case-insensitive)."""

    since: datetime | None = None
    until: datetime | None = None
    user: str = ""
    action: str = ""
    outcome: str = ""
    text: str = ""

    def describe(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items() if v}


def _conditions(flt: AuditFilter, dialect: str) -> list:
    c = audit_event.c
    where = []
    # The seq bounds say nothing new (every row of the period lies between them), but they let the
    # database walk only that stretch of the seq index, newest first, instead of the whole trail.
    if flt.since is not None:
        where.append(c.at >= flt.since)
        # "+ 0": the bound comes from the (at, seq) index alone, not from walking the seq index
        where.append(c.seq >= select(func.min(c.seq + 0)).where(c.at >= flt.since).scalar_subquery())
    if flt.until is not None:
        where.append(c.at < flt.until)
        where.append(c.seq <= select(func.max(c.seq + 0)).where(c.at < flt.until).scalar_subquery())
    if flt.user:
        where.append(c.user_name == flt.user)
    if flt.action:
        where.append(c.action.startswith(flt.action, autoescape=True) if flt.action.endswith(".")
                     else c.action == flt.action)
    if flt.outcome:
        where.append(c.outcome == flt.outcome)
    if flt.text:
        pattern = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # SQLite's LIKE already ignores ASCII case (and ILIKE would call lower() on every row there)
        like = (lambda col: col.like(pattern, escape="\\")) if dialect == "sqlite" else \
            (lambda col: col.ilike(pattern, escape="\\"))
        where.append(or_(like(c.target), like(c.detail), like(c.host)))
    return where


def _event(row) -> AuditEvent:
    try:
        detail = json.loads(row.detail) if row.detail else {}
    except ValueError:   # an edited row may hold anything; show it as text, Verify names it
        detail = {"text": row.detail}
    if not isinstance(detail, dict):
        detail = {"value": detail}
    return AuditEvent(int(row.seq), row.at, row.user_name or "", row.role or "", row.host or "", row.action,
                      row.target or "", detail, row.outcome, row.hash, int(row.id))


_COLUMNS = [audit_event.c.id, audit_event.c.seq, audit_event.c.at, audit_event.c.user_name, audit_event.c.role,
            audit_event.c.host, audit_event.c.action, audit_event.c.target, audit_event.c.detail,
            audit_event.c.outcome, audit_event.c.hash]


@permissions.requires("audit.read")
def query(store: Store, flt: AuditFilter = AuditFilter(), before_seq: int | None = None, limit: int = 200,
          user: User | None = None) -> list[AuditEvent]:
    """The newest `limit` events matching `flt` whose seq is below `before_seq` (the next page starts
    below the last seq of this one)."""
    if flt.text and len(flt.text) >= 3 and store.is_sqlite and _has_text_index(store):
        return _query_with_text_index(store, flt, before_seq, limit)
    where = _conditions(flt, store.engine.dialect.name)
    if before_seq is not None:
        where.append(audit_event.c.seq < before_seq)
    stmt = select(*_COLUMNS).where(*where).order_by(audit_event.c.seq.desc()).limit(limit)
    with store.engine.connect() as conn:
        return [_event(r) for r in conn.execute(stmt)]


# ---- the text index (SQLite, migration 0006) ----------------------------------------------------
TEXT_CANDIDATES = 5_000       # a text the index finds in more rows than this is searched by reading rows
TEXT_INDEX_CATCH_UP = 50_000  # events a search adds to the index at most, before it searches
_text_index: dict[str, bool] = {}


def _has_text_index(store: Store) -> bool:
    """Whether the store has the text index and this PC's SQLite can read it (FTS5, trigram)."""
    known = _text_index.get(store.url)
    if known is None:
        with store.engine.connect() as conn:
            try:
                conn.exec_driver_sql("SELECT rowid FROM audit_text WHERE audit_text MATCH '\"abc\"' LIMIT 0").all()
                known = True
            except DBAPIError:   # no such table (another database, or no FTS5 when it was made), no FTS5 here
                known = False
        _text_index[store.url] = known
    return known


def _indexed_up_to(store: Store) -> int:
    """The newest audit_event.id the text index holds, after adding what is missing (at most
    TEXT_INDEX_CATCH_UP events, and only when the store's write lock comes at once)."""
    with store.engine.connect() as conn:
        indexed = conn.exec_driver_sql("SELECT coalesce(max(indexed_id), 0) FROM audit_text_mark").scalar() or 0
        newest = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM audit_event").scalar() or 0
    if newest <= indexed or store.read_only:
        return indexed
    upto = min(newest, indexed + TEXT_INDEX_CATCH_UP)
    try:
        with store.engine.connect() as c:
            raw = c.connection.driver_connection
            raw.execute("PRAGMA busy_timeout=200")
            try:
                with c.execution_options(store_write_lock=True).begin():
                    now = c.exec_driver_sql("SELECT coalesce(max(indexed_id), 0) FROM audit_text_mark").scalar() or 0
                    if now < upto:
                        c.exec_driver_sql("INSERT INTO audit_text(rowid, target, detail, host) SELECT id, target, "
                                          "detail, host FROM audit_event WHERE id > ? AND id <= ?", (now, upto))
                        c.exec_driver_sql("INSERT OR REPLACE INTO audit_text_mark (id, indexed_id) VALUES (1, ?)",
                                          (upto,))
                    return max(now, upto)
            finally:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except (DBAPIError, StoreLocked):   # busy: search the rest by reading it
        return indexed


def update_text_index(store: Store) -> int:
    """Bring SQLite's text index fully up to date (searches do it a little at a time); returns how
    many events it holds. 0 when the store has none."""
    if not (store.is_sqlite and _has_text_index(store)):
        return 0
    before = -1
    while True:
        covered = _indexed_up_to(store)
        with store.engine.connect() as conn:
            if covered >= (conn.execute(select(func.max(audit_event.c.id))).scalar() or 0) or covered == before:
                return covered   # done, or the write lock did not come: the next search goes on
        before = covered


def _trigram_match(text: str) -> str:
    """An FTS5 query for the rows holding every trigram of `text` (each quoted)."""
    grams = dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2))
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


def _query_with_text_index(store: Store, flt: AuditFilter, before_seq: int | None, limit: int) -> list[AuditEvent]:
    """query() with a text on SQLite. When the index names fewer than TEXT_CANDIDATES rows holding
    every trigram of the text (a rare text), only those rows are read, plus any the index does not
    hold yet; a commoner text is searched by reading the newest rows, which fills a page soon. Every
    hit is checked by the same LIKE as without the index."""
    covered = _indexed_up_to(store)
    where = _conditions(flt, "sqlite")
    if before_seq is not None:
        where.append(audit_event.c.seq < before_seq)
    c = audit_event.c
    match = _trigram_match(flt.text)
    with store.engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT count(*) FROM (SELECT rowid FROM audit_text WHERE audit_text MATCH ? "
                                     "LIMIT ?)", (match, TEXT_CANDIDATES)).scalar()
        if found >= TEXT_CANDIDATES:   # common: the scan from the newest row finds a page quickly
            return [_event(r) for r in conn.execute(select(*_COLUMNS).where(*where).order_by(c.seq.desc())
                                                    .limit(limit))]
        candidates = text("SELECT rowid FROM audit_text WHERE audit_text MATCH :fts_match") \
            .bindparams(fts_match=match).columns(column("rowid", Integer))
        rows = [_event(r) for r in conn.execute(select(*_COLUMNS).where(*where, c.id <= covered, c.id.in_(candidates))
                                                .order_by(c.seq.desc()).limit(limit))]
        if covered < (conn.execute(select(func.max(c.id))).scalar() or 0):   # not indexed yet: read them
            rows += [_event(r) for r in conn.execute(select(*_COLUMNS).where(*where, c.id > covered)
                                                     .order_by(c.seq.desc()).limit(limit))]
    unique = {e.seq: e for e in rows}
    return sorted(unique.values(), key=lambda e: e.seq, reverse=True)[:limit]


@permissions.requires("audit.read")
def count(store: Store, flt: AuditFilter = AuditFilter(), user: User | None = None) -> int:
    where = _conditions(flt, store.engine.dialect.name)
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_event).where(*where)).scalar())


@permissions.requires("audit.read")
def event(store: Store, seq: int, user: User | None = None) -> AuditEvent | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(*_COLUMNS).where(audit_event.c.seq == seq).order_by(audit_event.c.id)
                           .limit(1)).first()
    return _event(row) if row is not None else None


@dataclass(frozen=True)
class FilterChoices:
    users: list[str]
    actions: list[str]


@permissions.requires("audit.read")
def filter_choices(store: Store, user: User | None = None) -> FilterChoices:
    """The users and actions that occur in the trail, for the filter's lists."""
    with store.engine.connect() as conn:
        users = sorted(u for u in conn.execute(select(audit_event.c.user_name).distinct()).scalars() if u)
        actions = sorted(a for a in conn.execute(select(audit_event.c.action).distinct()).scalars() if a)
    return FilterChoices(users, actions)


def events_of(store: Store, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every event with one of these actions that was done (outcome ok: not a refusal), oldest first.
    For services that reason over the history (the model rollback stack); not permission-checked."""
    with store.engine.connect() as conn:
        rows = conn.execute(audit_event.select().where(audit_event.c.action.in_(actions),
                                                       audit_event.c.outcome == "ok")
                            .order_by(audit_event.c.seq)).mappings().all()
    return [dict(r) for r in rows]


def _iter_matching(store: Store, flt: AuditFilter, batch: int = 5000) -> Iterator[AuditEvent]:
    """Every matching event, newest first, a page at a time (keeps memory flat for a million rows)."""
    before = None
    while True:
        where = _conditions(flt, store.engine.dialect.name)
        if before is not None:
            where.append(audit_event.c.seq < before)
        stmt = select(*_COLUMNS).where(*where).order_by(audit_event.c.seq.desc()).limit(batch)
        with store.engine.connect() as conn:
            rows = [_event(r) for r in conn.execute(stmt)]
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].seq


# ---- export ------------------------------------------------------------------------------------
@dataclass
class AuditExport:
    path: Path
    rows: int
    checkpoints: list[Path] = field(default_factory=list)
    checkpoint_error: str = ""


def _cells(e: AuditEvent) -> list[Any]:
    return [e.seq, e.at.isoformat(sep=" ", timespec="seconds") + "Z",
            to_local(e.at).isoformat(sep=" ", timespec="seconds"), e.user_name, e.role, e.host, e.action, e.target,
            e.outcome, json.dumps(e.detail, ensure_ascii=False, sort_keys=True), e.hash]


def _csv_safe(value: Any) -> Any:
    # a cell starting with = + - @ is a formula to Excel: a user name or target must not run as one
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@permissions.requires("audit.export")
def export(store: Store, path: str | Path, flt: AuditFilter = AuditFilter(), user: User | None = None,
           progress: Progress | None = None) -> AuditExport:
    """Write the matching events, newest first, to a .csv (UTF-8 with BOM) or .xlsx file, and a signed
    checkpoint of the chain beside it (and into the checkpoint folder). The file appears whole or
    not at all."""
    from app.services import audit_seal
    assert user is not None
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise RoutingError(f"audit export {path}: choose a .csv or .xlsx file name")
    p = progress or Progress()
    total = count(store, flt, user=user)
    if kind == ".xlsx" and total > XLSX_MAX_ROWS:
        raise RoutingError(f"audit export {path}: {total:,} events do not fit an Excel sheet "
                           f"({XLSX_MAX_ROWS:,} rows); narrow the filter or export to .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    rows = 0
    try:
        if kind == ".csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(EXPORT_COLUMNS)
                for e in _iter_matching(store, flt):
                    w.writerow([_csv_safe(v) for v in _cells(e)])
                    rows += 1
                    if rows % 5000 == 0:
                        p.report(rows / max(total, 1), f"{rows:,} of {total:,} events written")
        else:
            import xlsxwriter
            book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                                  "strings_to_urls": False})
            sheet = book.add_worksheet("audit")
            bold = book.add_format({"bold": True})
            sheet.write_row(0, 0, EXPORT_COLUMNS, bold)
            for width, col in zip((8, 21, 19, 18, 10, 14, 20, 18, 9, 60, 66), range(len(EXPORT_COLUMNS))):
                sheet.set_column(col, col, width)
            for e in _iter_matching(store, flt):
                rows += 1
                for col, value in enumerate(_cells(e)):
                    if isinstance(value, int):
                        sheet.write_number(rows, col, value)
                    else:
                        sheet.write_string(rows, col, value)
                if rows % 5000 == 0:
                    p.report(rows / max(total, 1), f"{rows:,} of {total:,} events written")
            book.close()
        try:
            os.replace(tmp, path)
        except OSError as exc:   # on Windows: the old file is open in Excel
            raise RoutingError(f"audit export {path}: the file cannot be replaced ({exc.strerror or exc}); "
                               f"close it where it is open and export again") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    result = AuditExport(path, rows)
    try:
        result.checkpoints = audit_seal.write_checkpoint(store, user=user, beside=path)
    except RoutingError as exc:   # the export is done; say why it has no checkpoint
        result.checkpoint_error = str(exc)
    record(store, "audit.export", path.name, {"rows": rows, "format": kind[1:], "filter": flt.describe(),
                                              "checkpoint": [c.name for c in result.checkpoints]
                                              or result.checkpoint_error}, user)
    p.report(1.0, f"{events(rows)} exported")
    return result
