"""Signed checkpoints of the audit chain, and Verify.

The chain (app.services.audit) shows an edited, inserted, moved or deleted row, but not the newest
rows deleted, nor a chain recomputed from the start by someone with write access to the store. A
checkpoint pins the chain's newest (seq, hash) in a small JSON file, signed, written into a folder
an admin chooses (a share engineers cannot change) and beside every export of the trail.

Signatures are Ed25519 (the `cryptography` package), not an HMAC: an HMAC key would have to be
shared by every PC that verifies, and anyone holding it could forge checkpoints; with Ed25519 each
admin's private key stays in their own OS keyring, the public key travels inside the checkpoint, and
anyone may verify. Which keys count is app.services.trust's answer: the keys IT pinned outside the
store, or (none pinned) the store's own list of signers. A checkpoint signed by any other key is
reported.

Verify reads the chain once, in seq order, and names the first broken row; rows written before
the chain existed were sealed by migration 0002, so they are proven unchanged since that upgrade.
"""
from __future__ import annotations

import base64
import bisect
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.domain.access import User
from app.domain.routing import RoutingError
from app.services import audit, credentials, permissions, site_settings, trust
from app.services.progress import Progress
from app.store.chain import GENESIS, _quote, chain_hash_text, utc_text
from app.folders import data_dir
from app.store.db import Store, audit_event, audit_head

CHECKPOINT_FORMAT = "routing-ml-audit-checkpoint/1"
CHECKPOINT_DIR = "audit.checkpoint_dir"      # app_setting: the folder (may be a \\server\share path)
SIGNERS = trust.SIGNERS                      # app_setting: {fingerprint: {public_key, user, added_at}}
MAX_PROBLEMS = 100


class CheckpointError(RoutingError):
    """A checkpoint file cannot be read or its signature does not hold; the message names the file."""


def default_checkpoint_dir() -> Path:
    return data_dir() / "audit-checkpoints"


def checkpoint_dir(store: Store) -> Path:
    """The folder an admin chose (Settings), else the admin's own data folder."""
    chosen = site_settings.get(store, CHECKPOINT_DIR)
    return Path(chosen) if chosen else default_checkpoint_dir()


fingerprint = trust.fingerprint
_canonical = trust.canonical
_public_raw = trust.public_raw


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    store_id: str
    seq: int
    hash: str
    at: datetime
    by: str
    host: str
    fingerprint: str
    at_precise: bool = True     # `at` has microseconds (older checkpoints: whole seconds)

    def describe(self) -> str:
        return (f"checkpoint {self.path.name} (seq {self.seq:,}, signed {audit.to_local(self.at):%Y-%m-%d %H:%M} "
                f"by {self.by} on {self.host})")


def _head(store: Store) -> tuple[int, str]:
    with store.engine.connect() as conn:
        row = conn.execute(select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc())
                           .limit(1)).first()
    return (int(row[0]), row[1]) if row else (0, GENESIS)


@permissions.requires("audit.checkpoint")
def write_checkpoint(store: Store, user: User | None = None, folder: Path | None = None,
                     beside: Path | None = None) -> list[Path]:
    """Sign the chain's newest row and write the checkpoint into `folder` (default: the chosen
    checkpoint folder) and, for an export, beside that file as `<file>.checkpoint.json`."""
    assert user is not None
    try:
        key = trust.signing_key(store, user, "sign an audit checkpoint")
    except trust.SigningError as exc:
        raise CheckpointError(str(exc)) from None
    seq, digest = _head(store)
    store_id = site_settings.store_id(store)
    at = audit.utc_now()
    payload = {"format": CHECKPOINT_FORMAT, "store_id": store_id, "store": store.describe(), "seq": seq,
               "hash": digest, "at": at.isoformat(timespec="microseconds"), "by": user.name, "host": user.host,
               "public_key": base64.b64encode(_public_raw(key)).decode("ascii")}
    doc = dict(payload, signature=base64.b64encode(key.sign(_canonical(payload))).decode("ascii"))
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    targets = [(folder or checkpoint_dir(store)) / f"routing-ml-audit-{store_id[:8]}-{seq:010d}-{at:%Y%m%dT%H%M%SZ}.json"]
    if beside is not None:
        targets.append(beside.with_name(beside.name + ".checkpoint.json"))
    written = []
    for target in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
        except OSError as exc:
            raise CheckpointError(f"audit checkpoint {target} could not be written: {exc.strerror or exc}") from None
        written.append(target)
    audit.record(store, "audit.checkpoint", str(seq), {"hash": digest, "files": [str(p) for p in written],
                                                       "key": fingerprint(_public_raw(key))}, user)
    return written


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint whose signature holds; CheckpointError (naming the file) otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckpointError(f"checkpoint {path} cannot be read: {exc.strerror or exc}") from None
    except ValueError:
        raise CheckpointError(f"checkpoint {path} is not a checkpoint file (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"checkpoint {path} is not a Routing ML audit checkpoint")
    try:
        signature = base64.b64decode(doc.pop("signature"))
        public = base64.b64decode(doc["public_key"])
        Ed25519PublicKey.from_public_bytes(public).verify(signature, _canonical(doc))
        return Checkpoint(path, doc["store_id"], int(doc["seq"]), doc["hash"], datetime.fromisoformat(doc["at"]),
                          doc.get("by", "?"), doc.get("host", "?"), fingerprint(public), "." in str(doc["at"]))
    except InvalidSignature:
        raise CheckpointError(f"checkpoint {path} was changed after it was signed (its signature does not "
                              f"match)") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint {path} is incomplete or damaged ({exc})") from None


def _check_named_checkpoint(where: Path) -> None:
    """CheckpointError unless `where` (named by the user) is a folder or a file that is at least
    meant to be a checkpoint: a wrong path or another kind of file is a mistake to correct, while a
    checkpoint whose signature fails is a finding of Verify."""
    if not where.exists():
        raise CheckpointError(f"checkpoint {where} does not exist; name a checkpoint file or the folder "
                              f"that holds them")
    if where.is_file():
        try:
            doc = json.loads(where.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            doc = None
        if not isinstance(doc, dict) or doc.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"{where} is not a Routing ML audit checkpoint (those are the .json files "
                                  f"the checkpoint folder holds, or <export>.checkpoint.json beside an export)")


def checkpoint_files(where: Path) -> list[Path]:
    if where.is_file():
        return [where]
    if not where.is_dir():
        raise CheckpointError(f"checkpoint {where} does not exist")
    return sorted(list(where.glob("routing-ml-audit-*.json")) + list(where.glob("*.checkpoint.json")))


# ---- verify ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One break in the trail. `seq` is the row it concerns (for deleted rows, the first missing)."""

    kind: str        # altered | missing | duplicate | truncated | cut | rewritten | head | checkpoint
    seq: int | None
    message: str     # in English, naming the row (the command line prints it; the window words its own)
    id: int | None = None
    seq_end: int | None = None   # missing, truncated, cut: the last seq gone
    row: str = ""                # the row concerned: "time UTC, user, action target"


@dataclass
class VerifyResult:
    rows: int = 0
    last_seq: int = 0
    problems: list[Problem] = field(default_factory=list)   # the first MAX_PROBLEMS, in seq order
    problem_count: int = 0
    checkpoints: list[Checkpoint] = field(default_factory=list)   # the valid ones of this store, checked
    warnings: list[str] = field(default_factory=list)
    sealed_legacy_rows: int = 0
    checkpoint_written: list[Path] = field(default_factory=list)
    checkpoint_error: str = ""     # why no new checkpoint was written after an intact verify
    signers_pinned: bool = False   # the checkpoints' signers are pinned on this PC (else the store's list)

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems, key=lambda p: (p.seq if p.seq is not None else 0)) if self.problems else None

    def summary(self) -> str:
        """One sentence: intact with what was checked, or the first broken row."""
        if self.intact:
            against = (f"; the newest checkpoint ({max(self.checkpoints, key=lambda c: c.seq).describe()}) matches"
                       if self.checkpoints else "; no checkpoint was found, so deleting the newest rows would not "
                       "be noticed")
            return f"audit trail intact: {audit.events(self.rows)}, seq 1–{self.last_seq:,}{against}"
        first = self.first_problem
        assert first is not None
        more = f" ({self.problem_count - 1:,} more problems after it)" if self.problem_count > 1 else ""
        return f"audit trail BROKEN: {first.message}{more}"


def _row_words(at_text: str, user_name: str | None, action: str, target: str | None) -> str:
    return f"{at_text[:19].replace('T', ' ')} UTC, {user_name or '?'}, {action}{' ' + target if target else ''}"


BATCH = 20_000   # rows fetched and checked at a time (a module constant, so tests can make it small)
_SELECT = "SELECT id, seq, at, user_name, role, host, action, target, detail, outcome, hash FROM audit_event"


def _at_text(at) -> str:
    """A row's time as the hash writes it. SQLite stores the text SQLAlchemy wrote (always with
    microseconds); its one space becomes the T. A time written another way behind the program's back
    then does not match its hash, as it should not; nor does a row edited into a number."""
    if isinstance(at, str):
        return at.replace(" ", "T", 1)
    if isinstance(at, datetime):
        return utc_text(at)
    return str(at)


# The time as the hash writes it, made by the database: SQLite's stored text with its space as a T
# (as _at_text: a stored text has no other space unless it was edited, and then it fails either way);
# PostgreSQL's timestamp written out as datetime.isoformat writes it (digits as they are stored).
_AT_SQL = {"sqlite": "replace(at, ' ', 'T')", "postgresql": """to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US')"""}


def _chain_batches(conn):
    """Every row in chain order (seq, then id), BATCH rows at a time, as tuples of the driver's own
    values, the time as text (_AT_SQL) where the database writes it: SQLAlchemy's row objects and type
    processing cost as much as the hashing. PostgreSQL's rows come through a server-side cursor, so
    memory stays flat."""
    dialect = conn.dialect.name
    if dialect not in _AT_SQL:   # SQL Server: through SQLAlchemy, streamed
        c = audit_event.c
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
            select(c.id, c.seq, c.at, c.user_name, c.role, c.host, c.action, c.target, c.detail, c.outcome, c.hash)
            .order_by(c.seq, c.id))
        for part in result.partitions():
            yield [(r[0], r[1], _at_text(r[2]), *r[3:]) for r in part]
        return
    raw = conn.connection.driver_connection
    cursor = raw.cursor() if dialect == "sqlite" else raw.cursor(name="audit_verify")
    try:
        cursor.execute(f"SELECT id, seq, {_AT_SQL[dialect]}, user_name, role, host, action, target, detail, outcome, "
                       f"hash FROM audit_event ORDER BY seq, id")
        while rows := cursor.fetchmany(BATCH):
            yield rows
    finally:
        cursor.close()


class _Quoted(dict):
    """Each text of the few a column holds (users, roles, machines, actions, outcomes), JSON-quoted
    once (None as ""). A value of another type raises TypeError, as _quote does."""

    def __missing__(self, value):
        quoted = self[value] = _quote(value or "")
        return quoted


class _Scan:
    """Verify's walk along the chain, a batch at a time. A batch whose seqs run on from the last one
    without a gap and whose every hash, recomputed from the row's content and the previous row's
    hash, matches is done in a few list operations; any other batch is walked row by row, which
    names each problem (`_row`)."""

    def __init__(self, result: VerifyResult, checkpoints: list[Checkpoint], legacy_seqs: set[int]):
        self.result = result
        self.by_seq: dict[int, list[Checkpoint]] = {}
        for cp in checkpoints:
            self.by_seq.setdefault(cp.seq, []).append(cp)
        self.cp_seqs = sorted(self.by_seq)
        # A row of seq <= a checkpoint's seq written after that checkpoint was signed cannot be one it
        # covered: the rows from there on were deleted (the head rewound) and new ones appended in their
        # place. The first such row names exactly where the trail was cut.
        self.pending = sorted(checkpoints, key=lambda c: c.at)
        self.after_text = [utc_text(c.at if c.at_precise else c.at.replace(microsecond=999_999)) for c in self.pending]
        self.first_after: dict[Path, tuple[int, str, str]] = {}   # checkpoint -> (seq, time, row) written after it
        self.legacy_seqs = legacy_seqs   # rows of action audit.chain_started (their details are read)
        self.prev_hash, self.expected, self.last_seq, self.last_hash = GENESIS, 1, 0, GENESIS
        self.quoted = _Quoted()

    def batch(self, rows: list) -> None:
        if not self._quick(rows):
            for row in rows:
                self._row(row)

    def _quick(self, rows: list) -> bool:
        """True when the whole batch is intact and done; False (nothing changed) for the row-by-row walk."""
        first, n = rows[0][1], len(rows)
        if first != self.expected or type(first) is not int or [r[1] for r in rows] != list(range(first, first + n)):
            return False
        last = first + n - 1
        if any(first <= s <= last for s in self.legacy_seqs):
            return False
        sha, q, c, prev = hashlib.sha256, _quote, self.quoted, self.prev_hash
        digests = [r[10] for r in rows]
        try:   # the same text as chain_hash_text makes, a batch in one expression
            computed = b"".join([
                sha(f"{p}[{seq},{q(at)},{c[u]},{c[role]},{c[h]},{c[a]},{q(t or '')},{q(d or '')},{c[o]}]"
                    .encode()).digest()
                for p, (_, seq, at, u, role, h, a, t, d, o, _) in zip([prev, *digests], rows)])
            # every stored hash is 64 characters and together they are the hashes just computed
            if computed.hex() != "".join(digests) or set(map(len, digests)) != {64}:
                return False
        except TypeError:   # a value of another type than text: the row-by-row walk says which row
            return False
        ats = [r[2] for r in rows]
        if self.pending and max(ats) > self.after_text[0]:
            for at, row in zip(ats, rows):
                self._passed_checkpoints(at, row)
        lo = bisect.bisect_left(self.cp_seqs, first)
        for seq in self.cp_seqs[lo:bisect.bisect_right(self.cp_seqs, last)]:
            row = rows[seq - first]
            self._against_checkpoints(row[0], seq, row[10])
        self.result.rows += n
        self.prev_hash, self.expected, self.last_seq, self.last_hash = digests[-1], last + 1, last, digests[-1]
        return True

    def _passed_checkpoints(self, at_text: str, row) -> None:
        while self.pending and at_text > self.after_text[0]:
            self.first_after[self.pending.pop(0).path] = (row[1], at_text,
                                                          _row_words(at_text, row[3], row[6], row[7]))
            self.after_text.pop(0)

    def _against_checkpoints(self, rid, seq: int, digest: str) -> None:
        for cp in self.by_seq.get(seq, ()):
            if cp.hash != digest and not _cut_before(self.result, cp, self.first_after.get(cp.path)):
                _add(self.result, Problem("rewritten", seq, f"row seq {seq:,} is not the row {cp.describe()} "
                                          f"signed: the trail up to it was rewritten", rid))

    def _row(self, row) -> None:
        result = self.result
        rid, seq, at_text, user_name, role, host, action, target, detail, outcome, digest = row
        at_text = _at_text(at_text)   # text already, unless the row was edited into another type
        result.rows += 1
        if self.pending:
            self._passed_checkpoints(at_text, row)
        expected = self.expected
        words = _row_words(at_text, user_name, action, target)
        if not isinstance(seq, int):
            _add(result, Problem("duplicate", None, f"row id {rid} has seq {seq!r}, which is not a number ({words}): "
                                 f"it was edited or inserted", rid))
            return
        if seq < expected:
            _add(result, Problem("duplicate", seq, f"row id {rid} repeats seq {seq} ({words}): it was inserted", rid))
            return
        if seq > expected:
            gap = f"seq {expected:,}" if seq == expected + 1 else f"seq {expected:,}–{seq - 1:,}"
            _add(result, Problem("missing", expected, f"{gap} {'is' if seq == expected + 1 else 'are'} missing "
                                 f"(deleted): the next row is seq {seq:,} ({words})", rid, seq - 1, words))
        elif chain_hash_text(self.prev_hash, seq, at_text, user_name, role, host, action, target, detail,
                             outcome) != digest:
            _add(result, Problem("altered", seq, f"row seq {seq:,} ({words}) does not match its hash: it was "
                                 f"edited, inserted or moved", rid, row=words))
        if action == "audit.chain_started" and detail:
            try:
                result.sealed_legacy_rows = int(json.loads(detail).get("sealed_rows", 0))
            except (ValueError, AttributeError, TypeError):
                pass
        self._against_checkpoints(rid, seq, digest)
        self.prev_hash, self.expected, self.last_seq, self.last_hash = digest, seq + 1, seq, digest


@permissions.requires("audit.verify")
def verify(store: Store, checkpoints: Path | None = None, user: User | None = None,
           progress: Progress | None = None, write_checkpoint_if_intact: bool = True) -> VerifyResult:
    """Check every row of the chain and the checkpoints (a file or folder; default the checkpoint
    folder). When the trail is intact and this admin has a signing key (or can make one), a new
    checkpoint is written. Recorded as `audit.verify`."""
    assert user is not None
    p = progress or Progress()
    result = VerifyResult()
    store_id = site_settings.store_id(store)
    where = checkpoints or checkpoint_dir(store)
    trusted = trust.trust(store)
    result.signers_pinned = trusted.pinned
    known_keys = set(trusted.keys)
    keyring_error = ""
    try:
        own = trust.own_key(store, user, create=False)
    except credentials.CredentialError as exc:
        own, keyring_error = None, str(exc)
    if own is not None and not trusted.pinned:
        known_keys.add(fingerprint(_public_raw(own)))
    if not trusted.pinned:
        result.warnings.append("no signer key is pinned on this PC, so the checkpoints' signers come from the "
                               "store's own list: someone who can write the store and the checkpoint folder "
                               "could add a key of their own and forge the trail (pin the admins' keys: "
                               "docs/deploy.md)")
    if checkpoints is not None:
        _check_named_checkpoint(checkpoints)   # a mistyped name is bad input (exit 2), not a broken trail
    if checkpoints is not None or where.exists():
        try:
            files = checkpoint_files(where)
        except CheckpointError as exc:
            files = []
            _add(result, Problem("checkpoint", None, str(exc)))
        for path in files:
            try:
                cp = read_checkpoint(path)
            except CheckpointError as exc:
                _add(result, Problem("checkpoint", None, str(exc)))
                continue
            if cp.store_id != store_id:
                result.warnings.append(f"{path.name} belongs to another store; ignored")
                continue
            if cp.fingerprint not in known_keys:
                _add(result, Problem("checkpoint", cp.seq, f"{cp.describe()} is signed by key {cp.fingerprint}, "
                                                           f"which is not a signer of this store "
                                                           f"({trusted.describe()})"))
                continue
            result.checkpoints.append(cp)

    with store.engine.connect() as conn:
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
        total = int(head.seq) if head is not None else 0
        legacy = set(conn.execute(select(audit_event.c.seq).where(audit_event.c.action == "audit.chain_started"))
                     .scalars())
        scan = _Scan(result, result.checkpoints, legacy)
        for rows in _chain_batches(conn):
            scan.batch(rows)
            p.report(result.rows / max(total, result.rows), f"{result.rows:,} events checked")
    last_seq, last_hash, first_after = scan.last_seq, scan.last_hash, scan.first_after
    result.last_seq = last_seq
    for cp in result.checkpoints:
        if cp.seq > last_seq and not _cut_before(result, cp, first_after.get(cp.path)):
            gone = f"seq {last_seq + 1:,}" if cp.seq == last_seq + 1 else f"seq {last_seq + 1:,}–{cp.seq:,}"
            _add(result, Problem("truncated", last_seq + 1, f"the newest rows {gone} were deleted: {cp.describe()} "
                                 f"names seq {cp.seq:,}, the trail ends at seq {last_seq:,}", seq_end=cp.seq,
                                 row=cp.path.name))
    if head is not None and (head.seq != last_seq or head.hash != last_hash) and not any(
            pr.kind in ("truncated", "cut") for pr in result.problems):
        if head.seq > last_seq:
            _add(result, Problem("truncated", last_seq + 1, f"the newest rows seq {last_seq + 1:,}–{head.seq:,} were "
                                 f"deleted: the chain's head names seq {head.seq:,}, the trail ends at seq {last_seq:,}",
                                 seq_end=head.seq))
        else:
            _add(result, Problem("head", head.seq, f"the chain's head (seq {head.seq:,}) does not match the newest "
                                 f"row (seq {last_seq:,})"))
    result.problems.sort(key=lambda pr: (pr.seq if pr.seq is not None else 0))
    if result.intact and write_checkpoint_if_intact and keyring_error:
        result.checkpoint_error = keyring_error
    elif result.intact and write_checkpoint_if_intact:
        try:
            result.checkpoint_written = write_checkpoint(store, user=user)
        except RoutingError as exc:
            result.checkpoint_error = str(exc)
    if result.checkpoint_error:
        result.warnings.append(f"no new checkpoint was written: {result.checkpoint_error}")
    first = result.first_problem
    audit.record(store, "audit.verify", "", {
        "intact": result.intact, "rows": result.rows, "problems": result.problem_count,
        **({"first_problem": {"kind": first.kind, "seq": first.seq}} if first else {}),
        "checkpoints": len(result.checkpoints)}, user)
    p.report(1.0, "verified")
    return result


def _cut_before(result: VerifyResult, cp: Checkpoint, first_after: tuple[int, str, str] | None) -> bool:
    """Report where the trail was cut when a row the checkpoint covers (seq <= cp.seq) was written
    after it was signed; False when none was (then the caller reports what it found)."""
    if first_after is None or first_after[0] > cp.seq:
        return False
    seq, at_text, row = first_after
    if any(pr.kind == "cut" and pr.seq == seq for pr in result.problems):
        return True   # several checkpoints past the cut name the same place once
    _add(result, Problem("cut", seq, f"the trail was cut at seq {seq:,}: {cp.describe()} covers seq 1–{cp.seq:,}, "
                         f"but seq {seq:,} ({row}) was written after it was signed, so the rows seq {seq:,}–"
                         f"{cp.seq:,} it covered were deleted and new ones appended in their place",
                         seq_end=cp.seq, row=row))
    return True


def _add(result: VerifyResult, problem: Problem) -> None:
    result.problem_count += 1
    if len(result.problems) < MAX_PROBLEMS:
        result.problems.append(problem)
