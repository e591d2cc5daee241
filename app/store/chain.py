"""The audit trail's hash chain: how one row's hash is computed from the row before.

Kept apart from app.services.audit because a migration uses it too (0002 seals the rows written
before the chain existed), and because the format must never change for rows already written:
a different formula would make every old row look altered.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64   # the "previous hash" of row 1


def utc_text(at: datetime) -> str:
    """The form of a (naive, UTC) time that goes into the hash: microseconds always written."""
    return at.isoformat(sep="T", timespec="microseconds")


# default=repr: a value JSON has no form for (a row edited into bytes) gets a text that matches no hash
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr).encode
# the same text as _encode gives for [seq, str, ...] (json quotes each string with this very function
# when ensure_ascii is off), built without the encoder's per-call set-up: Verify does it a million times
_quote = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring


def chain_hash(prev: str, seq: int, at: datetime, user_name: str | None, role: str | None, host: str | None,
               action: str, target: str | None, detail: str | None, outcome: str) -> str:
    """SHA-256 (hex) over the previous row's hash and every field of this row, in a fixed order.
    `detail` is the JSON text exactly as stored."""
    return chain_hash_text(prev, seq, utc_text(at), user_name, role, host, action, target, detail, outcome)


def chain_hash_text(prev: str, seq: int, at_text: str, user_name: str | None, role: str | None, host: str | None,
                    action: str, target: str | None, detail: str | None, outcome: str) -> str:
    """chain_hash with the time already written as utc_text writes it (Verify reads it so from SQLite)."""
    body = chain_body(at_text, user_name, role, host, action, target, detail, outcome) if type(seq) is int else None
    if body is not None:
        text = "".join((prev, "[", str(seq), ",", body, "]"))
    else:   # anything unusual (a row edited into another type) takes the encoder's own way
        text = prev + _encode([seq, at_text, user_name or "", role or "", host or "", action, target or "",
                               detail or "", outcome])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_body(at_text: str, user_name: str | None, role: str | None, host: str | None, action: str,
               target: str | None, detail: str | None, outcome: str) -> str | None:
    """The part of the hashed text that is this row's own fields (everything after "[seq,"
    and before the closing "]"), or None when a field is not text (then only chain_hash_text's
    general way writes it). PostgreSQL's recording hashes prev + "[" + seq + "," + body + "]"
    itself (app.services.audit), so this is the one place the fields are written."""
    if all(type(v) is str for v in (at_text, action, outcome)) and all(
            v is None or type(v) is str for v in (user_name, role, host, target, detail)):
        return "".join((_quote(at_text), ",", _quote(user_name or ""), ",", _quote(role or ""), ",",
                        _quote(host or ""), ",", _quote(action), ",", _quote(target or ""), ",",
                        _quote(detail or ""), ",", _quote(outcome)))
    return None
