"""Roles: where they come from, the first admin of a new store, working while the directory is
away, and why a role written into the store with a database tool does not count.

The role source is a shared setting of the store (Settings ▸ Roles, admins only):
- "store": a role table in the store that admins manage (`roles set USER ROLE`). The first user
  to sign in to a store that never had roles becomes its admin; everyone else not in the table
  gets `default_role` (engineer unless an admin changes it).
- "directory": Active Directory / LDAP groups mapped to roles (app.services.directory), for the
  accounts of the directory's own domain. The role found is cached in the store for `cache_hours`,
  and used (status bar: "cached until …") while the directory cannot be reached; after that the
  user has no role until it answers again.

Integrity (every PC that saves routings can write the store, so the store alone proves nothing):
- A role row, and the role source, count when signed (Ed25519) by a key this PC trusts
  (app.services.trust: the keys IT pinned, or with none pinned the store's recorded signers).
  Where no key is pinned, an unsigned row also counts while the trail's newest grant for that user
  (or the `roles.sealed` event of the upgrade) says the same and its row is intact; an admin's
  sign-in signs such rows.
- A cached directory role counts only while the trail event that recorded it matches it, and never
  beyond `cache_hours` after it was read, whatever its row says.
- A role is read again from its source on every privileged action once RECHECK_SECONDS have passed
  since it was last read (app.services.permissions), so a role taken away, or a cached role that
  expired, stops counting during a session too.
Account names compare without regard to case, as Windows does, but never without their domain.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from app.domain.access import NO_ROLE, ROLES, User, same_account
from app.domain.routing import RoutingError
from app.services import audit, credentials, permissions, site_settings, trust
from app.services.directory import DirectoryConfig, DirectoryError, DirectoryUnavailable
from app.store.db import Store, audit_event, role_cache, user_role

ROLE_SOURCE = "roles.source"
KINDS = ("store", "directory")
GRANT_FORMAT = "routing-ml-role/1"
SOURCE_FORMAT = "routing-ml-role-source/1"
RECHECK_SECONDS = 300          # how long a role read from its source is used before privileged actions read it again
CLOCK_SKEW = timedelta(minutes=5)
log = logging.getLogger(__name__)


@dataclass
class RoleSource:
    kind: str = "store"
    default_role: str = "engineer"      # for users the table or the mapped groups do not name; "" = none
    cache_hours: float = 72.0
    directory: DirectoryConfig | None = None

    def to_json(self) -> dict:
        return {"kind": self.kind, "default_role": self.default_role, "cache_hours": self.cache_hours,
                "directory": self.directory.to_json() if self.directory else None}

    @classmethod
    def from_json(cls, data: dict | None) -> RoleSource:
        if not data:
            return cls()
        d = data.get("directory")
        return cls(data.get("kind", "store"), data.get("default_role", "engineer"),
                   float(data.get("cache_hours", 72.0)), DirectoryConfig.from_json(d) if d else None)

    def problems(self) -> list[str]:
        out = []
        if self.kind not in KINDS:
            out.append(f"role source {self.kind!r} is neither store nor directory")
        if self.default_role not in (NO_ROLE, *ROLES):
            out.append(f"default role {self.default_role!r} is not one of {', '.join(ROLES)} (or none)")
        if not 0 < self.cache_hours <= 24 * 90:
            out.append("keep cached roles between 1 hour and 90 days")
        if self.kind == "directory":
            out.extend(self.directory.problems() if self.directory else ["enter the directory's settings"])
        return out


# ---- integrity: what a role rests on ----------------------------------------------------------
def grant_payload(store_id: str, user_name: str, role: str, granted_by: str | None, granted_at: datetime) -> dict:
    """What an admin's signature of a role row covers (the name as Windows compares it)."""
    return {"format": GRANT_FORMAT, "store_id": store_id, "user": user_name.strip().casefold(), "role": role,
            "granted_by": (granted_by or "").strip().casefold(),
            "granted_at": granted_at.replace(microsecond=0).isoformat()}


def source_payload(store_id: str, text: str) -> dict:
    return {"format": SOURCE_FORMAT, "store_id": store_id, "value": text}


class _Checks:
    """The trusted keys, the store's id and the upgrade's seal, read once per resolution."""

    def __init__(self, store: Store):
        self.trust = trust.trust(store)
        self.store_id = site_settings.store_id(store)
        self._sealed: tuple[int, dict] | None | bool = False

    def sealed(self, conn) -> tuple[int, dict] | None:
        """(seq, detail) of the upgrade's roles.sealed event, when its row is intact."""
        if self._sealed is False:
            event = audit.newest_chained(conn, "roles.sealed")
            self._sealed = (int(event["seq"]), json.loads(event["detail"])) if event else None
        return self._sealed  # type: ignore[return-value]


def _newest_event(conn, action: str, target: str) -> tuple[int, dict] | None:
    """(seq, detail) of the newest successful `action` event for `target`, intact or not."""
    c = audit_event.c
    for seq, tgt, detail in conn.execute(select(c.seq, c.target, c.detail)
                                         .where(c.action == action, c.outcome == "ok").order_by(c.seq.desc())):
        if same_account(tgt, target):
            try:
                return int(seq), json.loads(detail) if detail else {}
            except ValueError:
                return int(seq), {}
    return None


def _trail_vouches_for_grant(checks: _Checks, conn, user_name: str, role: str) -> bool:
    """The trail's newest word on `user_name` gives `role`, on an intact row: the newest role.set
    for them, or, when none is newer, the upgrade's seal of the table."""
    grant = _newest_event(conn, "role.set", user_name)
    sealed = checks.sealed(conn)
    if grant is not None and (sealed is None or grant[0] > sealed[0]):
        return grant[1].get("to") == role and audit.chained(conn, grant[0]) is not None
    if sealed is None:
        return False
    return any(same_account(u, user_name) and r == role for u, r in sealed[1].get("rows", []))


def _grant_problem(checks: _Checks, conn, row) -> str:
    """'' when a role row counts; else why not, in words."""
    why = ""
    if row.signature:
        why = trust.check(checks.trust, grant_payload(checks.store_id, row.user_name, row.role, row.granted_by,
                                                      row.granted_at), row.signature, row.signer_key)
        if not why:
            return ""
        if checks.trust.pinned or not why.startswith("it is signed by key"):
            return why                    # changed after signing, or a key IT did not pin
    elif checks.trust.pinned:
        return f"it is not signed, and signer keys are pinned on this PC ({checks.trust.origin})"
    if _trail_vouches_for_grant(checks, conn, row.user_name, row.role):
        return ""
    return (why + "; " if why else "it is not signed, and ") + \
        "the audit trail does not show it given (written into the store behind Routing ML's back?)"


def _had_roles(conn) -> bool:
    """Whether the store ever had roles (then nobody becomes admin by being first)."""
    return conn.execute(select(audit_event.c.seq).where(audit_event.c.action.in_(("role.set", "roles.sealed")))
                        .limit(1)).first() is not None or \
        conn.execute(select(func.count()).select_from(user_role)).scalar() > 0


def role_source_checked(store: Store, checks: _Checks | None = None) -> tuple[RoleSource, str]:
    """(the role source that counts, why the stored one does not ('' when it does)). A role source
    that does not count is replaced by the default: the store's role table, engineer for others."""
    got = site_settings.signed(store, ROLE_SOURCE)
    if got is None:
        return RoleSource(), ""
    checks = checks or _Checks(store)
    text, signature, signer = got
    try:
        data = json.loads(text)
        source = RoleSource.from_json(data)
    except (ValueError, TypeError, AttributeError):
        return RoleSource(), "the role source saved in the store is damaged"
    why = ""
    if signature:
        why = trust.check(checks.trust, source_payload(checks.store_id, text), signature, signer)
        if not why:
            return source, ""
        if checks.trust.pinned or not why.startswith("it is signed by key"):
            return RoleSource(), f"the role source saved in the store does not count: {why}"
    elif checks.trust.pinned:
        return RoleSource(), (f"the role source saved in the store does not count: it is not signed, and signer "
                              f"keys are pinned on this PC ({checks.trust.origin})")
    with store.engine.connect() as conn:
        change = _newest_event(conn, "settings.change", ROLE_SOURCE)
        sealed = checks.sealed(conn)
        if change is not None and (sealed is None or change[0] > sealed[0]):
            ok = change[1].get("to") == data and audit.chained(conn, change[0]) is not None
        else:
            ok = sealed is not None and sealed[1].get("role_source") == data
    if ok:
        return source, ""
    return RoleSource(), ("the role source saved in the store does not count: " + (why + "; " if why else "") +
                          "the audit trail does not show it saved (changed behind Routing ML's back?)")


def role_source(store: Store) -> RoleSource:
    """The role source that counts (see role_source_checked)."""
    return role_source_checked(store)[0]


def _signer(store: Store, user: User, what: str):
    """The key `user` signs `what` with; None where no key is pinned and the keyring cannot be used
    (the trail then vouches for it alone)."""
    try:
        return trust.signing_key(store, user, what)
    except credentials.CredentialError as exc:
        if trust.load_pins().pinned:
            raise
        log.warning("%s signs %s without a key: %s", user.name, what, exc)
        return None


@permissions.requires("settings.change")
def set_role_source(store: Store, source: RoleSource, user: User | None = None,
                    bind_password: str | None = None) -> None:
    """Save the role source for every PC of this store, signed by the admin; a bind password goes to
    this PC's keyring only. Refused when the new source would not make this admin an admin (nobody
    could change roles any more): a directory must answer and name them admin; switching to the role
    table makes them its admin if it did not."""
    assert user is not None
    problems = source.problems()
    if problems:
        raise RoutingError("role source: " + "; ".join(problems))
    if source.kind == "directory" and source.directory is not None:
        cfg = source.directory
        password = bind_password or (credentials.get_secret(credentials.ldap_key(cfg.server, cfg.bind_user))
                                     if cfg.bind == "simple" else None)
        role, why = _directory_role_for_switch(source, user, password)
        if role != "admin":
            raise RoutingError(f"roles were not switched to the directory: {why}, so nobody could change roles any "
                               f"more. Map a group {user.name} is in to admin (or check the settings) first")
    if bind_password and source.directory is not None:
        credentials.set_secret(credentials.ldap_key(source.directory.server, source.directory.bind_user),
                               bind_password)
    if source.kind == "store":
        _keep_admin_in_table(store, user)
    key = _signer(store, user, "change where roles come from")
    text = site_settings.as_text(source.to_json())
    signature = trust.sign(key, source_payload(site_settings.store_id(store), text)) if key is not None else None
    site_settings.put(store, ROLE_SOURCE, source.to_json(), user=user, signature=signature)
    forget_rechecks()


def _directory_role_for_switch(source: RoleSource, user: User, password: str | None) -> tuple[str, str]:
    """The role the directory of `source` gives `user` now, and in words why it is not admin."""
    from app.services import directory
    cfg = source.directory
    assert cfg is not None
    if not cfg.serves(user.name):
        return NO_ROLE, f"{user.name} is not an account of the domain {cfg.domain_name() or '?'} it serves"
    try:
        answer = directory.lookup(cfg, user.directory_login, password)
    except DirectoryError as exc:
        return NO_ROLE, f"the directory did not confirm that {user.name} is an admin there ({exc})"
    if answer.user_dn is None:
        return NO_ROLE, f"{user.directory_login} is not in the directory under {cfg.base_dn}"
    role = answer.role if answer.role != NO_ROLE else source.default_role
    return role, f"the directory makes {user.name} {role or 'no role'}, not admin"


def _keep_admin_in_table(store: Store, user: User) -> None:
    """Switching to the role table: the admin switching stays admin (given in the table if need be)."""
    checks = _Checks(store)
    with store.engine.connect() as conn:
        row = conn.execute(select(user_role).where(func.lower(user_role.c.user_name) == user.name.lower())).first()
        if row is not None and row.role == "admin" and not _grant_problem(checks, conn, row):
            return
    _grant(store, user.name, "admin", user, reason="the role source became the role table")


def _utc_now() -> datetime:
    return audit.utc_now()


# ---- resolving a user's role -------------------------------------------------------------------
def resolve(store: Store, account: str, login: str, host: str) -> User:
    """The role `account` has now, from the store's role source (never raises for a directory
    that is away: the cached role, or no role, with a note saying why)."""
    checks = _Checks(store)
    source, source_note = role_source_checked(store, checks)
    if source.kind == "directory" and source.directory is not None:
        user = _from_directory(store, source, account, login, host)
    else:
        user = _from_table(store, source, account, login, host, checks)
    note = "; ".join(n for n in (source_note, user.role_note) if n)
    return User(user.name, user.role, user.host, user.login, user.role_source, user.role_expires, note,
                time.monotonic())


def _from_table(store: Store, source: RoleSource, account: str, login: str, host: str, checks: _Checks) -> User:
    mine = select(user_role).where(func.lower(user_role.c.user_name) == account.lower())
    with store.engine.connect() as conn:   # reading needs no write lock (another program may hold it)
        row = conn.execute(mine).first()
        if row is not None:
            why = _grant_problem(checks, conn, row)
            if not why:
                return User(account, row.role, host, login, "store")
            return User(account, source.default_role, host, login, "store", None,
                        f"the role table's row giving {row.user_name} the role {row.role} does not count: {why}")
        if _had_roles(conn):
            return User(account, source.default_role, host, login, "store")
    # the first user's own key signs their admin row when they have one (an admin who ran `audit key`);
    # where keys are pinned it must be one of them, or the store waits for such a first user
    try:
        key = trust.own_key(store, User(account, "", host, login), create=False)
    except credentials.CredentialError:
        key = None
    if checks.trust.pinned and (key is None or not checks.trust.trusts(trust.fingerprint(trust.public_raw(key)))):
        return User(account, source.default_role, host, login, "store", None,
                    "you would be the first admin of this store, but signer keys are pinned on this PC and yours "
                    "is not among them: run `routing-ml audit key`, have IT pin the key it prints, and sign in "
                    "again")
    now = datetime.now().replace(microsecond=0)
    with store.begin() as conn:
        audit.lock_chain(conn)   # two first users at once: the second waits and finds the first
        row = conn.execute(mine).first()
        if row is not None or _had_roles(conn):
            return User(account, row.role if row is not None else source.default_role, host, login, "store")
        signed = trust.sign(key, grant_payload(checks.store_id, account, "admin", "routing-ml", now)) \
            if key is not None else {"signature": None, "public_key": None}
        conn.execute(user_role.insert().values(user_name=account, role="admin", granted_by="routing-ml",
                                               granted_at=now, signature=signed["signature"],
                                               signer_key=signed["public_key"]))
        audit.record(store, "role.set", account, {"from": None, "to": "admin",
                                                  "reason": "first user of a store without roles"},
                     User(account, "admin", host), conn)
    return User(account, "admin", host, login, "store")


def _from_directory(store: Store, source: RoleSource, account: str, login: str, host: str) -> User:
    from app.services import directory
    cfg = source.directory
    assert cfg is not None
    now = _utc_now().replace(microsecond=0)
    if not cfg.serves(account):
        return User(account, NO_ROLE, host, login, "none", None,
                    f"{account} is not an account of the domain {cfg.domain_name() or '?'} whose directory gives "
                    f"the roles (a local account of a PC, or another domain); no role")
    try:
        password = None
        if cfg.bind == "simple":
            password = credentials.get_secret(credentials.ldap_key(cfg.server, cfg.bind_user))
            if not password:
                raise DirectoryError(no_bind_password(cfg))
        answer = directory.lookup(cfg, login, password)
    except DirectoryUnavailable as exc:
        with store.engine.connect() as conn:
            cached = conn.execute(select(role_cache).where(func.lower(role_cache.c.user_name) == account.lower())).first()
            why = _cache_problem(conn, cached, source, now) if cached is not None else "none was cached"
        if not why:
            return User(account, cached.role, host, login, "cache", cached.expires_at,
                        f"{exc}; using the role cached at {cached.resolved_at:%Y-%m-%d %H:%M} UTC")
        return User(account, NO_ROLE, host, login, "none", None,
                    f"{exc}, and no cached role counts ({why}); no role until it answers")
    except (DirectoryError, credentials.CredentialError) as exc:
        return User(account, NO_ROLE, host, login, "none", None, str(exc))
    if answer.user_dn is None:
        role, note = NO_ROLE, f"{login} is not in the directory under {cfg.base_dn}"
    elif answer.role == NO_ROLE:
        role, note = source.default_role, "in no group that has a Routing ML role"
    else:
        role, note = answer.role, ""
    groups = list(answer.groups)
    life = timedelta(hours=source.cache_hours)
    with store.begin() as conn:
        old = conn.execute(select(role_cache).where(func.lower(role_cache.c.user_name) == account.lower())).first()
        if (old is not None and old.role == role and (json.loads(old.groups) if old.groups else []) == groups
                and old.expires_at - now > life / 2 and not _cache_problem(conn, old, source, now)):
            return User(account, role, host, login, "directory", old.expires_at, note)   # fresh enough
        expires = now + life
        detail = {"from": old.role if old else None, "to": role, "source": "directory", "groups": groups,
                  "expires_at": expires.isoformat(timespec="seconds")}
        by = User(account, role, host, login, "directory")
        seq = audit.record(store, "role.changed" if old is None or old.role != role else "role.cached", account,
                           detail, by, conn)
        conn.execute(delete(role_cache).where(func.lower(role_cache.c.user_name) == account.lower()))
        conn.execute(role_cache.insert().values(user_name=account, role=role,
                                                groups=json.dumps(groups, ensure_ascii=False),
                                                resolved_at=now, expires_at=expires, audit_seq=seq))
    return User(account, role, host, login, "directory", expires, note)


def no_bind_password(cfg: DirectoryConfig) -> str:
    """Why a PC without the service account's password gets no role, and what to do."""
    return (f"this PC has no password for the directory's service account {cfg.bind_user} in the OS keyring of "
            f"this Windows user (Credential Manager, service {credentials.SERVICE}, entry "
            f"{credentials.ldap_key(cfg.server, cfg.bind_user)}), so the directory cannot be asked for your role; "
            f"no role until it is there. It is kept per user and PC: run `routing-ml roles bind-password` here "
            f"(or an admin saves it in Settings ▸ Roles on this PC), or let IT switch the bind to Kerberos")


def _cache_problem(conn, row, source: RoleSource, now: datetime) -> str:
    """'' when a cached directory role counts now; else why not, in words."""
    if row.expires_at <= now:
        return f"the cached role expired at {row.expires_at:%Y-%m-%d %H:%M} UTC"
    if row.resolved_at > now + CLOCK_SKEW:
        return "the cached role claims to be read from the directory in the future"
    if row.expires_at > row.resolved_at + timedelta(hours=source.cache_hours) + timedelta(seconds=1):
        return (f"the cached role's expiry is later than {source.cache_hours:g} hours after it was read, which "
                f"the role source allows")
    if row.audit_seq is None:
        return "the cached role is not recorded in the audit trail (cached before this version)"
    event = audit.chained(conn, int(row.audit_seq))
    try:
        detail = json.loads(event["detail"]) if event is not None else {}
    except ValueError:
        detail = {}
    if (event is None or event["action"] not in ("role.changed", "role.cached") or event["outcome"] != "ok"
            or not same_account(event["target"], row.user_name) or detail.get("to") != row.role
            or detail.get("expires_at") != row.expires_at.isoformat(timespec="seconds")):
        return "the cached role does not match the audit trail event that recorded it (changed in the store?)"
    return ""


# ---- re-checking during a session --------------------------------------------------------------
_recent: dict[tuple[str, str], User] = {}
_recent_lock = threading.Lock()
_listeners: list = []


def on_change(callback) -> None:
    """Call `callback(store, user)` whenever a re-check finds a user's role changed (the window
    shows the new role). Called on the thread that re-checked."""
    _listeners.append(callback)


def remove_listener(callback) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def forget_rechecks() -> None:
    with _recent_lock:
        _recent.clear()


def recheck(store: Store, user: User) -> User:
    """`user` with the role their source gives now: read again when RECHECK_SECONDS have passed since
    it was last read, or a cached role's time is up. A user made by the caller (checked_at None) is
    taken as it is."""
    if user.checked_at is None:
        return user
    key = (store.url, user.name.casefold())
    with _recent_lock:
        hit = _recent.get(key)
    base = hit if hit is not None and hit.checked_at is not None and hit.checked_at >= user.checked_at else user
    assert base.checked_at is not None
    cache_over = base.role_source == "cache" and base.role_expires is not None and base.role_expires <= _utc_now()
    if time.monotonic() - base.checked_at < RECHECK_SECONDS and not cache_over:
        return base
    fresh = resolve(store, user.name, user.login, user.host)
    with _recent_lock:
        _recent[key] = fresh
    if fresh.role != base.role:
        audit.record(store, "role.rechecked", user.name, {"from": base.role, "to": fresh.role,
                                                          "source": fresh.role_source,
                                                          **({"note": fresh.role_note} if fresh.role_note else {})},
                     fresh)
        for callback in list(_listeners):
            try:
                callback(store, fresh)
            except Exception:  # noqa: BLE001 - a listener's trouble must not stop the check
                log.exception("role change listener failed")
    return fresh


# ---- the role table ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RoleAssignment:
    user_name: str
    role: str
    source: str                          # "store" (the role table) or "directory" (cached from it)
    granted_by: str = ""
    granted_at: datetime | None = None
    expires_at: datetime | None = None
    groups: list[str] = field(default_factory=list)
    problem: str = ""                    # why this row does not count ('' when it does)


@permissions.requires("roles.read")
def list_roles(store: Store, user: User | None = None) -> list[RoleAssignment]:
    """Everyone with a role: the role table, and the roles last read from the directory, each with
    why it does not count when it does not."""
    checks = _Checks(store)
    source = role_source(store)
    now = _utc_now()
    with store.engine.connect() as conn:
        table = conn.execute(select(user_role).order_by(user_role.c.user_name)).all()
        cached = conn.execute(select(role_cache).order_by(role_cache.c.user_name)).all()
        out = [RoleAssignment(r.user_name, r.role, "store", r.granted_by or "", r.granted_at,
                              problem=_grant_problem(checks, conn, r)) for r in table]
        out += [RoleAssignment(r.user_name, r.role, "directory", "", r.resolved_at, r.expires_at,
                               json.loads(r.groups) if r.groups else [], _cache_problem(conn, r, source, now))
                for r in cached]
    return out


def _grant(store: Store, name: str, role: str, user: User, reason: str = "") -> RoleAssignment:
    """Give `name` `role` in the role table, signed by `user`, recorded; the last admin is kept."""
    checks = _Checks(store)
    key = _signer(store, user, "give roles")
    now = datetime.now().replace(microsecond=0)
    with store.begin() as conn:
        audit.lock_chain(conn)   # the last-admin check and the change are one step on a shared server
        old = conn.execute(select(user_role).where(func.lower(user_role.c.user_name) == name.lower())).first()
        if old is not None and old.role == "admin" and role != "admin" and not _grant_problem(checks, conn, old):
            others = [r for r in conn.execute(select(user_role).where(user_role.c.role == "admin",
                                                                      func.lower(user_role.c.user_name)
                                                                      != name.lower()))
                      if not _grant_problem(checks, conn, r)]
            if not others:
                raise RoutingError(f"{old.user_name} is the store's last admin; make someone else admin first")
        if old is not None:
            name = old.user_name
        signed = trust.sign(key, grant_payload(checks.store_id, name, role, user.name, now)) if key is not None \
            else {"signature": None, "public_key": None}
        values = dict(role=role, granted_by=user.name, granted_at=now, signature=signed["signature"],
                      signer_key=signed["public_key"])
        if old is None:
            conn.execute(user_role.insert().values(user_name=name, **values))
        else:
            conn.execute(update(user_role).where(user_role.c.user_name == old.user_name).values(**values))
        audit.record(store, "role.set", name, {"from": old.role if old else None, "to": role,
                                               **({"reason": reason} if reason else {}),
                                               **({"key": trust.fingerprint(trust.public_raw(key))} if key else {})},
                     user, conn)
    forget_rechecks()
    return RoleAssignment(name, role, "store", user.name, now)


@permissions.requires("roles.set", target="name")
def set_role(store: Store, name: str, role: str, user: User | None = None) -> RoleAssignment:
    """Give `name` (an account as the OS names it, e.g. KSM\\kim) `role` in the store's role table,
    signed by the admin (giving the same role again signs the row anew, e.g. after keys were pinned)."""
    assert user is not None
    name = name.strip()
    if role not in ROLES:
        raise RoutingError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not name:
        raise RoutingError("name the user whose role to set")
    if role_source(store).kind == "directory":
        raise RoutingError("roles come from the directory's groups in this store; change the user's group "
                           "membership, or switch the role source to the store's table (Settings ▸ Roles)")
    return _grant(store, name, role, user)


def sign_unsigned(store: Store, user: User) -> int:
    """An admin's sign-in signs the role rows and role source that the trail vouches for but no key
    signed yet (rows from before this version, the first admin's row), so that they keep counting
    once IT pins the admins' keys. Only where no key is pinned (with pins, an admin gives them again).
    Returns how many were signed; never raises (a keyring that cannot be used leaves them as they are)."""
    if not user.is_admin or store.read_only:
        return 0
    try:
        checks = _Checks(store)
        if checks.trust.pinned:
            return 0
        with store.engine.connect() as conn:
            rows = [r for r in conn.execute(select(user_role).where(user_role.c.signature.is_(None)))
                    if not _grant_problem(checks, conn, r)]
        got = site_settings.signed(store, ROLE_SOURCE)
        source_unsigned = got is not None and not got[1] and not role_source_checked(store, checks)[1]
        if not rows and not source_unsigned:
            return 0
        key = trust.signing_key(store, user, "sign the role table")
        done = []
        with store.begin() as conn:
            for r in rows:
                signed = trust.sign(key, grant_payload(checks.store_id, r.user_name, r.role, r.granted_by,
                                                       r.granted_at))
                conn.execute(update(user_role).where(user_role.c.user_name == r.user_name,
                                                     user_role.c.role == r.role, user_role.c.signature.is_(None))
                             .values(signature=signed["signature"], signer_key=signed["public_key"],
                                     granted_at=r.granted_at.replace(microsecond=0)))
                done.append(r.user_name)
            audit.record(store, "roles.signed", "", {"rows": done, "role_source": source_unsigned,
                                                     "key": trust.fingerprint(trust.public_raw(key))}, user, conn)
        if source_unsigned:
            text = got[0]
            site_settings.put(store, ROLE_SOURCE, json.loads(text), user=user,
                              signature=trust.sign(key, source_payload(checks.store_id, text)))
        return len(done) + int(source_unsigned)
    except (RoutingError, credentials.CredentialError) as exc:
        log.warning("the role table stays unsigned for now: %s", exc)
        return 0
