"""Who may sign: the Ed25519 keys this PC trusts for audit checkpoints, role grants and the role
source, pinned outside the store.

Anyone who can write the store (every PC that saves routings can) could add their own key to a list
kept in the store, and then sign whatever they like. So the trusted keys are pinned where users
cannot write: on Windows the value `AUDIT_SIGNERS` under `HKLM\\Software\\RoutingML` (IT sets it, by
GPO or `reg add`; HKCU is not read for it), elsewhere `AUDIT_SIGNERS` in `/etc/routing-ml/settings.ini`,
and on any system the file `trusted-signers.txt` in the program folder (beside RoutingML.exe; the
repository root from source). Each holds public keys (base64, as `routing-ml audit key` prints them);
`#` starts a comment. `ROUTING_ML_MACHINE_SETTINGS` does not apply: an environment variable is
anyone's to set.

With no key pinned, the store's own list of signers is used (a store on one PC, or a site that has not
pinned yet): it stops a role or checkpoint made up in a database tool, not someone who also adds their
own key to that list. Verify and `roles list` say which of the two is in force.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.access import User
from app.domain.routing import RoutingError
from app.services import audit, credentials, site_settings
from app.store.db import Store

SIGNERS = "audit.signers"                   # app_setting: {fingerprint: {public_key, user, added_at}}
PINS_VALUE = "AUDIT_SIGNERS"                # HKLM\Software\RoutingML value / settings.ini key
PINS_FILE = "trusted-signers.txt"           # in the program folder
log = logging.getLogger(__name__)


class SigningError(RoutingError):
    """This user cannot sign here (no key in the keyring, or a key this PC does not trust)."""


def fingerprint(public_raw: bytes) -> str:
    digest = hashlib.sha256(public_raw).hexdigest()[:20]
    return ":".join(digest[i:i + 4] for i in range(0, 20, 4))


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_raw(key) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_text(key) -> str:
    return base64.b64encode(public_raw(key)).decode("ascii")


# ---- the pins ----------------------------------------------------------------------------------
def program_folder() -> Path:
    """The folder the program runs from (RoutingML.exe's; the repository root from source)."""
    from app import bundle
    return Path(sys.executable).resolve().parent if bundle.frozen() else bundle.bundle_dir()


@dataclass(frozen=True)
class Pins:
    keys: dict[str, bytes] = field(default_factory=dict)   # fingerprint -> raw public key
    origin: str = ""                                       # where they were read
    problems: tuple[str, ...] = ()                         # entries that are not keys, naming the place

    @property
    def pinned(self) -> bool:
        return bool(self.keys)


def parse_keys(text: str, place: str) -> tuple[dict[str, bytes], list[str]]:
    """Public keys (base64 of 32 bytes) from `text`, separated by spaces, commas, semicolons or lines."""
    keys, problems = {}, []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for word in (w for w in re.split(r"[\s,;]+", line) if w):
            try:
                raw = base64.b64decode(word, validate=True)
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                problems.append(f"{place}: {word[:20]!r} is not a public key (base64 of 32 bytes, as "
                                f"`routing-ml audit key` prints it); ignored")
                continue
            keys[fingerprint(raw)] = raw
    return keys, problems


def load_pins() -> Pins:
    """The keys pinned on this PC (see the module's docstring), read now."""
    from app import machine_settings
    keys: dict[str, bytes] = {}
    origins: list[str] = []
    problems: list[str] = []
    text, place, trouble = machine_settings.trusted_value(PINS_VALUE)
    problems.extend(trouble)
    if text.strip():
        found, bad = parse_keys(text, place)
        keys.update(found)
        problems.extend(bad)
        if found:
            origins.append(place)
    path = program_folder() / PINS_FILE
    if path.is_file():
        try:
            found, bad = parse_keys(path.read_text(encoding="utf-8-sig"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            found, bad = {}, [f"{path} cannot be read: {getattr(exc, 'strerror', None) or exc}"]
        keys.update(found)
        problems.extend(bad)
        if found:
            origins.append(str(path))
    for p in problems:
        log.warning("trusted signers: %s", p)
    return Pins(keys, " + ".join(origins), tuple(problems))


@dataclass(frozen=True)
class Trust:
    """The keys whose signatures count for this store on this PC."""

    keys: dict[str, bytes]
    pinned: bool
    origin: str          # "HKLM\\Software\\RoutingML" … or "the store's list of signers"

    def trusts(self, fp: str) -> bool:
        return fp in self.keys

    def describe(self) -> str:
        if self.pinned:
            return f"signer keys pinned in {self.origin}"
        return ("signer keys from the store's own list (none pinned on this PC: someone who can write the store "
                "could add their own; see docs/deploy.md)")


def store_signers(store: Store) -> dict[str, dict]:
    return dict(site_settings.get(store, SIGNERS, {}) or {})


def trust(store: Store) -> Trust:
    pins = load_pins()
    if pins.pinned:
        return Trust(dict(pins.keys), True, pins.origin)
    keys = {}
    listed = store_signers(store)
    if listed:
        with store.engine.connect() as conn:
            recorded = _recorded_signers(conn)
    for fp, entry in listed.items():
        try:
            raw = base64.b64decode(entry.get("public_key", ""), validate=True)
        except (binascii.Error, ValueError, AttributeError):
            continue
        # a key written into the list with a database tool, not added by the program (which records
        # it in the trail), does not count
        if len(raw) == 32 and fingerprint(raw) == fp and fp in recorded:
            keys[fp] = raw
    return Trust(keys, False, "the store's list of signers")


def _recorded_signers(conn) -> set[str]:
    """Fingerprints whose addition to the store's list of signers is in the trail, on an intact row."""
    from sqlalchemy import select

    from app.store.db import audit_event
    c = audit_event.c
    found = set()
    for seq, detail in conn.execute(select(c.seq, c.detail).where(c.action == "settings.change", c.target == SIGNERS,
                                                                  c.outcome == "ok")):
        try:
            added = (json.loads(detail).get("to") or {}).get("added")
        except (ValueError, AttributeError):
            continue
        if added and added not in found and audit.chained(conn, int(seq)) is not None:
            found.add(added)
    return found


# ---- this user's key ---------------------------------------------------------------------------
def own_key(store: Store, user: User, create: bool, register_it: bool = True):
    """This OS user's signing key for the store, from the keyring; made if asked, and then added to
    the store's list of signers (which counts only where no key is pinned) unless `register_it` is False."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    name = credentials.signing_key_name(site_settings.store_id(store))
    stored = credentials.get_secret(name)
    if stored:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored))
    if not create:
        return None
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    credentials.set_secret(name, base64.b64encode(raw).decode("ascii"))
    if register_it:
        register(store, key, user)
    return key


def register(store: Store, key, user: User) -> None:
    """Add `key` to the store's list of signers, recorded in the trail (a key listed without its
    record does not count: see trust())."""
    public = public_raw(key)
    fp = fingerprint(public)
    signers = store_signers(store)
    if fp in signers:
        with store.engine.connect() as conn:
            if fp in _recorded_signers(conn):
                return
        audit.record(store, "settings.change", SIGNERS, {"from": None, "to": {"added": fp}, "again": True}, user)
        return
    signers[fp] = {"public_key": base64.b64encode(public).decode("ascii"), "user": user.name,
                   "added_at": audit.utc_now().isoformat(timespec="seconds")}
    site_settings.put(store, SIGNERS, signers, user=user, shown={"added": fp})


def signing_key(store: Store, user: User, what: str):
    """The key `user` signs `what` with, made if need be; SigningError when this PC would not trust
    it (keys are pinned and this one is not among them), saying what IT has to add."""
    key = own_key(store, user, create=True)
    t = trust(store)
    fp = fingerprint(public_raw(key))
    if t.trusts(fp):
        return key
    if not t.pinned:   # listed without its record (the list was edited): add it again, recorded
        register(store, key, user)
        return key
    raise SigningError(f"{user.name} cannot {what}: their signing key {fp} is not among the signer keys "
                       f"pinned in {t.origin}; ask IT to add {public_text(key)} "
                       f"(`routing-ml audit key` prints it; see docs/deploy.md)")


def sign(key, payload: dict) -> dict[str, str]:
    """{"signature", "public_key"} (base64) over the canonical JSON of `payload`."""
    return {"signature": base64.b64encode(key.sign(canonical(payload))).decode("ascii"),
            "public_key": public_text(key)}


def check(t: Trust, payload: dict, signature: str | None, public_key: str | None) -> str:
    """'' when `signature` is a valid signature of `payload` by a key `t` trusts; else why not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    if not signature or not public_key:
        return "it is not signed"
    try:
        raw = base64.b64decode(public_key, validate=True)
        fp = fingerprint(raw)
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature, validate=True), canonical(payload))
    except InvalidSignature:
        return "its signature does not match it (changed after it was signed)"
    except (binascii.Error, ValueError, TypeError):
        return "its signature is damaged"
    if not t.trusts(fp):
        return f"it is signed by key {fp}, which is not a trusted signer ({t.describe()})"
    return ""
