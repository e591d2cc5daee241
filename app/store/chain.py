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


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def chain_hash(prev: str, seq: int, at: datetime, user_name: str | None, role: str | None, host: str | None,
               action: str, target: str | None, detail: str | None, outcome: str) -> str:
    """SHA-256 (hex) over the previous row's hash and every field of this row, in a fixed order.
    `detail` is the JSON text exactly as stored."""
    return chain_hash_text(prev, seq, utc_text(at), user_name, role, host, action, target, detail, outcome)


def chain_hash_text(prev: str, seq: int, at_text: str, user_name: str | None, role: str | None, host: str | None,
                    action: str, target: str | None, detail: str | None, outcome: str) -> str:
    """chain_hash with the time already written as utc_text writes it (Verify reads it so from SQLite)."""
    text = prev + _encode([seq, at_text, user_name or "", role or "", host or "", action, target or "", detail or "",
                           outcome])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
