"""Mapping profiles kept in the program's store: list, read, save (admins), import and export JSON.

The shipped `ERP` profile is put into a store the first time its profiles are read, so a site
edits its own copy; `reset_default` puts the shipped one back.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.routing import RoutingError
from app.services import audit
from app.services.export.profile import (
    DEFAULT_PROFILE,
    MappingProfile,
    ProfileError,
    default_profile,
    parse_profile,
    read_profile_file,
    write_profile_file,
)
from app.domain.access import User
from app.services import permissions
from app.store.db import Store, mapping_profile


class ProfileConflict(RoutingError):
    """Someone else saved the profile since it was opened."""


@dataclass
class StoredProfile:
    profile: MappingProfile
    revision: int
    updated_by: str
    updated_at: datetime


def _ensure_default(store: Store) -> None:
    with store.engine.connect() as conn:
        present = conn.execute(select(mapping_profile.c.name).limit(1)).first()
    if present is None:
        try:
            _insert(store, default_profile(), "routing-ml")
        except IntegrityError:
            pass   # another PC put it in at the same moment


def _insert(store: Store, profile: MappingProfile, by: str, conn=None) -> None:
    now = datetime.now()
    values = dict(name=profile.name, body=profile.dumps(), revision=1, created_by=by, created_at=now,
                  updated_by=by, updated_at=now)
    if conn is not None:
        conn.execute(mapping_profile.insert().values(**values))
        return
    with store.begin() as c:
        c.execute(mapping_profile.insert().values(**values))


def list_profiles(store: Store) -> list[StoredProfile]:
    """Every profile of the store, by name (the shipped `ERP` one is put in on first use)."""
    _ensure_default(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(mapping_profile).order_by(mapping_profile.c.name)).mappings().all()
    return [_stored(r) for r in rows]


def _stored(row) -> StoredProfile:
    try:
        data = json.loads(row["body"])
    except json.JSONDecodeError as exc:
        raise ProfileError(f"profile {row['name']} in the store is damaged: {exc.msg}") from None
    return StoredProfile(parse_profile(data, f"profile {row['name']} in the store"), row["revision"],
                         row["updated_by"] or "", row["updated_at"])


def load_profile(store: Store, name: str) -> StoredProfile:
    """The profile called `name`; ProfileError naming the profiles there are when it does not exist."""
    _ensure_default(store)
    with store.engine.connect() as conn:
        row = conn.execute(select(mapping_profile).where(mapping_profile.c.name == name)).mappings().first()
        if row is None:
            names = conn.execute(select(mapping_profile.c.name).order_by(mapping_profile.c.name)).scalars().all()
    if row is None:
        raise ProfileError(f"there is no mapping profile {name!r} in store {store.describe()} "
                           f"(profiles: {', '.join(names) or 'none'})")
    return _stored(row)


@permissions.requires("profile.edit")
def save_profile(store: Store, profile: MappingProfile, expected_revision: int | None,
                 user: User | None = None) -> StoredProfile:
    """Create (`expected_revision` None) or update a profile; admins only. A profile changed by
    someone else since `expected_revision` is refused with ProfileConflict, never overwritten."""
    assert user is not None   # permissions.requires fills it in
    profile = parse_profile(profile.to_json(), f"profile {profile.name}")   # checked before it is kept
    now = datetime.now()
    with store.begin() as conn:
        row = conn.execute(select(mapping_profile.c.revision, mapping_profile.c.updated_by,
                                  mapping_profile.c.updated_at)
                           .where(mapping_profile.c.name == profile.name)).mappings().first()
        if row is None and expected_revision is not None:
            raise ProfileConflict(f"mapping profile {profile.name} was deleted meanwhile; save it under a name again")
        if row is not None and row["revision"] != expected_revision:
            if expected_revision is None:
                raise ProfileConflict(f"a mapping profile called {profile.name} exists already; choose another name")
            raise ProfileConflict(f"mapping profile {profile.name} was changed by {row['updated_by']} at "
                                  f"{row['updated_at']:%Y-%m-%d %H:%M}; reload it before saving")
        if row is None:
            _insert(store, profile, user.name, conn)
        else:
            done = conn.execute(update(mapping_profile)
                                .where(mapping_profile.c.name == profile.name,
                                       mapping_profile.c.revision == expected_revision)
                                .values(body=profile.dumps(), revision=expected_revision + 1,
                                        updated_by=user.name, updated_at=now))
            if done.rowcount != 1:
                raise ProfileConflict(f"mapping profile {profile.name} was changed by someone else; reload it")
        audit.record(store, "profile.save", profile.name,
                     {"revision": 1 if row is None else expected_revision + 1}, user, conn)
    return load_profile(store, profile.name)


@permissions.requires("profile.edit", target="name")
def delete_profile(store: Store, name: str, user: User | None = None) -> None:
    with store.begin() as conn:
        done = conn.execute(delete(mapping_profile).where(mapping_profile.c.name == name))
        if done.rowcount != 1:
            raise ProfileError(f"there is no mapping profile {name!r} to delete")
        audit.record(store, "profile.delete", name, {}, user, conn)


@permissions.requires("profile.edit", target="path")
def import_profile(store: Store, path: str | Path, user: User | None = None, replace: bool = False) -> StoredProfile:
    """Read a profile JSON file into the store (a profile of the same name is replaced only when asked)."""
    profile = read_profile_file(path)
    current = None
    try:
        current = load_profile(store, profile.name)
    except ProfileError:
        pass
    if current is not None and not replace:
        raise ProfileConflict(f"a mapping profile called {profile.name} exists already in store "
                              f"{store.describe()}; import with replace to overwrite it")
    saved = save_profile(store, profile, current.revision if current else None, user)
    audit.record(store, "profile.import", profile.name, {"file": str(path)}, user)
    return saved


def export_profile(store: Store, name: str, path: str | Path) -> Path:
    """Write the stored profile `name` to a JSON file a site can share."""
    return write_profile_file(load_profile(store, name).profile, path)


@permissions.requires("profile.edit")
def reset_default(store: Store, user: User | None = None) -> StoredProfile:
    """Put the shipped `ERP` profile back as it came with the program."""
    try:
        current = load_profile(store, DEFAULT_PROFILE).revision
    except ProfileError:
        current = None
    return save_profile(store, default_profile(), current, user)
