"""Who is using the program and from which machine. Roles and AD groups arrive with their own issue;
until then the signed-in OS user is an admin of their own local store."""
from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass

ROLES = ("engineer", "approver", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    host: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def current_user() -> User:
    name = os.environ.get("ROUTING_ML_USER") or _os_user()
    role = os.environ.get("ROUTING_ML_ROLE", "admin")
    if role not in ROLES:
        role = "engineer"
    return User(name, role, socket.gethostname())


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a service account without one)
        return "unknown"
