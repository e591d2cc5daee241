"""Roles: where they come from, the first admin of a new store, and working while the directory is away.

The role source is a shared setting of the store (Settings ▸ Roles, admins only):
- "store": a role table in the store that admins manage (`roles set USER ROLE`). The first user
  to sign in to a store whose table is empty becomes its admin; everyone else not in the table
  gets `default_role` (engineer unless an admin changes it).
- "directory": Active Directory / LDAP groups mapped to roles (app.services.directory). The role
  found is cached in the store for `cache_hours`, and used (status bar: "cached until …") while
  the directory cannot be reached; after that the user has no role until it answers again.
Account names compare without regard to case, as Windows does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from app.domain.access import NO_ROLE, ROLES, User
from app.domain.routing import RoutingError
from app.services import audit, credentials, permissions, site_settings
from app.services.directory import DirectoryConfig, DirectoryError, DirectoryUnavailable
from app.store.db import Store, role_cache, user_role

ROLE_SOURCE = "roles.source"
KINDS = ("store", "directory")


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


def role_source(store: Store) -> RoleSource:
    return RoleSource.from_json(site_settings.get(store, ROLE_SOURCE))


@permissions.requires("settings.change")
def set_role_source(store: Store, source: RoleSource, user: User | None = None,
                    bind_password: str | None = None) -> None:
    """Save the role source for every PC of this store; a bind password goes to this PC's keyring only."""
    problems = source.problems()
    if problems:
        raise RoutingError("role source: " + "; ".join(problems))
    if bind_password and source.directory is not None:
        credentials.set_secret(credentials.ldap_key(source.directory.server, source.directory.bind_user),
                               bind_password)
    site_settings.put(store, ROLE_SOURCE, source.to_json(), user=user)


def _utc_now() -> datetime:
    return audit.utc_now()


# ---- resolving a user's role -------------------------------------------------------------------
def resolve(store: Store, account: str, login: str, host: str) -> User:
    """The role `account` has now, from the store's role source (never raises for a directory
    that is away: the cached role, or no role, with a note saying why)."""
    source = role_source(store)
    if source.kind == "directory" and source.directory is not None:
        return _from_directory(store, source, account, login, host)
    return User(account, _from_table(store, source, account, host), host, login, "store")


def _from_table(store: Store, source: RoleSource, account: str, host: str) -> str:
    mine = select(user_role.c.role).where(func.lower(user_role.c.user_name) == account.lower())
    with store.engine.connect() as conn:   # reading needs no write lock (another program may hold it)
        row = conn.execute(mine).first()
        if row is not None:
            return row.role
        if conn.execute(select(func.count()).select_from(user_role)).scalar():
            return source.default_role
    with store.begin() as conn:
        row = conn.execute(mine).first()
        if row is not None:
            return row.role
        audit.lock_chain(conn)   # two first users at once: the second waits and finds the first
        if conn.execute(select(func.count()).select_from(user_role)).scalar():
            return source.default_role
        conn.execute(user_role.insert().values(user_name=account, role="admin", granted_by="routing-ml",
                                               granted_at=datetime.now()))
        audit.record(store, "role.set", account, {"from": None, "to": "admin",
                                                  "reason": "first user of a store without roles"},
                     User(account, "admin", host), conn)
    return "admin"


def _from_directory(store: Store, source: RoleSource, account: str, login: str, host: str) -> User:
    from app.services import directory
    cfg = source.directory
    assert cfg is not None
    now = _utc_now()
    if not cfg.serves(account):
        return User(account, NO_ROLE, host, login, "none", None,
                    f"{account} is not an account of the domain {cfg.domain_name() or '?'} whose directory gives "
                    f"the roles (a local account of a PC, or another domain); no role")
    try:
        password = credentials.get_secret(credentials.ldap_key(cfg.server, cfg.bind_user)) \
            if cfg.bind == "simple" else None
        answer = directory.lookup(cfg, login, password)
    except DirectoryUnavailable as exc:
        with store.engine.connect() as conn:
            cached = conn.execute(select(role_cache).where(func.lower(role_cache.c.user_name) == account.lower())).first()
        if cached is not None and cached.expires_at > now:
            return User(account, cached.role, host, login, "cache", cached.expires_at,
                        f"{exc}; using the role cached at {cached.resolved_at:%Y-%m-%d %H:%M} UTC")
        return User(account, NO_ROLE, host, login, "none", None,
                    f"{exc}, and no cached role is valid; no role until it answers")
    except (DirectoryError, credentials.CredentialError) as exc:
        return User(account, NO_ROLE, host, login, "none", None, str(exc))
    if answer.user_dn is None:
        role, note = NO_ROLE, f"{login} is not in the directory under {cfg.base_dn}"
    elif answer.role == NO_ROLE:
        role, note = source.default_role, "in no group that has a Routing ML role"
    else:
        role, note = answer.role, ""
    expires = now + timedelta(hours=source.cache_hours)
    with store.begin() as conn:
        old = conn.execute(select(role_cache.c.role).where(func.lower(role_cache.c.user_name) == account.lower())).first()
        conn.execute(delete(role_cache).where(func.lower(role_cache.c.user_name) == account.lower()))
        conn.execute(role_cache.insert().values(user_name=account, role=role, groups=json.dumps(list(answer.groups),
                                                                                                ensure_ascii=False),
                                                resolved_at=now, expires_at=expires))
        if old is None or old.role != role:
            audit.record(store, "role.changed", account, {"from": old.role if old else None, "to": role,
                                                          "source": "directory", "groups": list(answer.groups)},
                         User(account, role, host, login, "directory"), conn)
    return User(account, role, host, login, "directory", expires, note)


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


@permissions.requires("roles.read")
def list_roles(store: Store, user: User | None = None) -> list[RoleAssignment]:
    """Everyone with a role: the role table, and the roles last read from the directory."""
    with store.engine.connect() as conn:
        table = conn.execute(select(user_role).order_by(user_role.c.user_name)).all()
        cached = conn.execute(select(role_cache).order_by(role_cache.c.user_name)).all()
    out = [RoleAssignment(r.user_name, r.role, "store", r.granted_by or "", r.granted_at) for r in table]
    out += [RoleAssignment(r.user_name, r.role, "directory", "", r.resolved_at, r.expires_at,
                           json.loads(r.groups) if r.groups else []) for r in cached]
    return out


@permissions.requires("roles.set", target="name")
def set_role(store: Store, name: str, role: str, user: User | None = None) -> RoleAssignment:
    """Give `name` (an account as the OS names it, e.g. KSM\\kim) `role` in the store's role table."""
    assert user is not None
    name = name.strip()
    if role not in ROLES:
        raise RoutingError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not name:
        raise RoutingError("name the user whose role to set")
    if role_source(store).kind == "directory":
        raise RoutingError("roles come from the directory's groups in this store; change the user's group "
                           "membership, or switch the role source to the store's table (Settings ▸ Roles)")
    now = datetime.now()
    with store.begin() as conn:
        audit.lock_chain(conn)   # the last-admin check and the change are one step on a shared server
        old = conn.execute(select(user_role).where(func.lower(user_role.c.user_name) == name.lower())).first()
        if old is not None and old.role == "admin" and role != "admin":
            admins = conn.execute(select(func.count()).select_from(user_role).where(user_role.c.role == "admin")).scalar()
            if admins <= 1:
                raise RoutingError(f"{old.user_name} is the store's last admin; make someone else admin first")
        if old is None:
            conn.execute(user_role.insert().values(user_name=name, role=role, granted_by=user.name, granted_at=now))
        else:
            name = old.user_name
            conn.execute(update(user_role).where(user_role.c.user_name == old.user_name)
                         .values(role=role, granted_by=user.name, granted_at=now))
        audit.record(store, "role.set", name, {"from": old.role if old else None, "to": role}, user, conn)
    return RoleAssignment(name, role, "store", user.name, now)
