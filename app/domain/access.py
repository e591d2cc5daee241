"""Who may do what, and what they did: users, roles, permission refusals and audit events.
No project imports except the common error type."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.routing import RoutingError

# Each role can do everything the roles before it can.
ROLES = ("engineer", "approver", "admin")
NO_ROLE = ""
OUTCOMES = ("ok", "denied", "failed")


def role_rank(role: str | None) -> int:
    """0 for no role, then 1, 2, 3 in the order of ROLES."""
    return ROLES.index(role) + 1 if role in ROLES else 0


@dataclass(frozen=True)
class User:
    """A signed-in person as the services see them. Only app.services.identity.sign_in makes one
    from the operating system; tests and scripts build one directly.

    `name` is the account as the OS names it (`KSM\\kim` on a Windows domain), `login` the part a
    directory knows (`kim`); `role_source` says where the role came from ("store", "directory",
    "cache") and `role_expires` when a cached role stops counting."""

    name: str
    role: str
    host: str
    login: str = ""
    role_source: str = "store"
    role_expires: datetime | None = None
    role_note: str = ""
    checked_at: float | None = None     # time.monotonic() when the role was read from its source; None:
                                        # made by the caller (a test, a script), taken as it is

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def directory_login(self) -> str:
        return self.login or self.name

    def can(self, needed_role: str) -> bool:
        return role_rank(self.role) >= role_rank(needed_role)


class PermissionDenied(RoutingError):
    """The user's role does not allow the action; the message names the action and the role it needs.
    The refusal is already recorded in the audit trail when this is raised by a service."""

    def __init__(self, action: str, needed_role: str, user: User, what: str = ""):
        have = user.role or "no role"
        super().__init__(f"{user.name} ({have}) may not {what or action}: it needs the {needed_role} role "
                         f"(action {action})")
        self.action, self.needed_role, self.user, self.what = action, needed_role, user, what


class SelfApprovalRefused(PermissionDenied):
    """The approver submitted the routing themselves: someone else must approve it (four eyes)."""

    def __init__(self, user: User, item_cd: str, revision: int):
        RoutingError.__init__(self, f"{user.name} may not approve the routing of {item_cd} (revision {revision}): "
                                    f"they submitted it themselves; another approver or admin must approve it")
        self.action, self.needed_role, self.user, self.what = "routing.approve", "approver", user, \
            "approve a routing they submitted"
        self.item_cd, self.revision = item_cd, revision


def same_account(a: str | None, b: str | None) -> bool:
    """Whether two account names (`DOMAIN\\user`) are the same account: Windows ignores case, but
    never the domain (KSM\\kim and PC-07\\kim are two people)."""
    return bool(a) and bool(b) and a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit trail. `at` is UTC (naive); `seq` numbers the chain from 1; `hash` is the
    SHA-256 of the previous row's hash and this row's fields (app.services.audit)."""

    seq: int
    at: datetime
    user_name: str
    role: str
    host: str
    action: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)
    outcome: str = "ok"
    hash: str = ""
    id: int = 0
