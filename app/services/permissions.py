"""What each role may do, checked in the services: the window and the command line only hide,
disable and explain. A refusal is recorded in the audit trail, then raised as PermissionDenied
naming the action and the role it needs.

A service that changes or reveals something is decorated with `@requires(ACTION)`; its `store`
and `user` arguments say where to record and who asks. tests/services/test_permissions.py runs
every decorated service with every role.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from app.domain.access import ROLES, PermissionDenied, User, role_rank
from app.services import audit

# action: (the role it needs, what it is in words, for "kim (engineer) may not <words>")
ACTIONS: dict[str, tuple[str, str]] = {
    "predict": ("engineer", "predict routings"),
    "routing.save": ("engineer", "save a routing"),
    "routing.approve": ("approver", "approve a routing"),
    "routing.reject": ("approver", "reject a routing"),
    "export.routings": ("engineer", "export routings to the ERP"),   # their own; the export service checks whose
    "profile.edit": ("admin", "edit mapping profiles"),
    "data.import": ("admin", "import a data source"),
    "model.train": ("admin", "train a model"),
    "model.evaluate": ("admin", "evaluate models"),
    "model.activate": ("admin", "activate a model version"),
    "model.rollback": ("admin", "roll back the model"),
    "settings.change": ("admin", "change the program's shared settings"),
    "roles.read": ("admin", "list users and roles"),
    "roles.set": ("admin", "change a user's role"),
    "audit.read": ("admin", "read the audit trail"),
    "audit.export": ("admin", "export the audit trail"),
    "audit.verify": ("admin", "verify the audit trail"),
    "audit.checkpoint": ("admin", "sign an audit checkpoint"),
}

F = TypeVar("F", bound=Callable[..., Any])


def needed_role(action: str) -> str:
    return ACTIONS[action][0]


def allowed(user: User, action: str) -> bool:
    """Whether `user` may do `action` (for the window to disable what they may not)."""
    return user.can(ACTIONS[action][0])


def why_not(user: User, action: str) -> str:
    """The sentence the window shows beside a disabled action ('' when allowed)."""
    if allowed(user, action):
        return ""
    needed, what = ACTIONS[action]
    return (f"Only {'an' if needed[0] in 'aeiou' else 'a'} {needed} or higher can {what}; you are "
            f"{user.name} ({user.role or 'no role'}).")


def check(store, user: User, action: str, target: str = "") -> User:
    """Raise PermissionDenied (after recording the refusal) unless `user` may do `action`; returns
    the user to act as. For an action beyond an engineer's, a signed-in user's role is read again
    from its source when it is older than roles.RECHECK_SECONDS (or a cached role's time is up), so
    a role taken away during a session stops counting there too."""
    needed, what = ACTIONS[action]
    if role_rank(needed) > role_rank("engineer") and user.checked_at is not None:
        from app.services import roles
        user = roles.recheck(store, user)
    if user.can(needed):
        return user
    audit.record(store, action, target, {"needed_role": needed}, user, outcome="denied")
    raise PermissionDenied(action, needed, user, what)


def requires(action: str, target: str | None = None) -> Callable[[F], F]:
    """Decorate a service `fn(store, ..., user=...)`: the call is checked before any work.
    `target` names the argument recorded as the refusal's target (e.g. "item_cd")."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")

    def decorate(fn: F) -> F:
        sig = inspect.signature(fn)
        if "store" not in sig.parameters or "user" not in sig.parameters:
            raise TypeError(f"{fn.__qualname__} needs `store` and `user` parameters to be checked")

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            store, user = bound.arguments["store"], bound.arguments.get("user")
            if user is None:
                from app.services.identity import signed_in_user
                user = signed_in_user(store)
                bound.arguments["user"] = user
            bound.arguments["user"] = check(store, user, action,
                                            str(bound.arguments.get(target, "")) if target else "")
            return checked.__wrapped__(*bound.args, **bound.kwargs)

        checked.required_action = action  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]
    return decorate


assert all(role in ROLES for role, _ in ACTIONS.values())
