"""Who is using the program and from which machine.

The account is the one the operating system runs the process as, never an environment variable
(USERNAME, USER, LOGNAME can be set by anyone): on Windows the process token's account as
`DOMAIN\\user` (GetUserNameExW with NameSamCompatible), elsewhere the effective user id's name.
The role comes from the role source (app.services.roles). `sign_in` records the sign-in.
"""
from __future__ import annotations

import socket
import sys
import threading

from app.domain.access import ROLES, User  # noqa: F401 - User and ROLES are imported from here by callers

NAME_SAM_COMPATIBLE = 2   # EXTENDED_NAME_FORMAT: DOMAIN\user (a local account: PCNAME\user)
ERROR_MORE_DATA = 234


class IdentityError(RuntimeError):
    """The operating system would not say who runs the process."""


def os_account() -> tuple[str, str]:
    """(account, login): `KSM\\kim`, `kim` on Windows; `kim`, `kim` elsewhere."""
    if sys.platform == "win32":
        account = _windows_account()
        return account, account.rsplit("\\", 1)[-1]
    import os
    import pwd
    try:
        name = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:   # a uid without a passwd entry (some containers): still not from the environment
        name = f"uid-{os.geteuid()}"
    return name, name


def _windows_account() -> str:
    import ctypes
    from ctypes import wintypes
    fn = ctypes.WinDLL("secur32", use_last_error=True).GetUserNameExW
    fn.argtypes = [ctypes.c_int, wintypes.LPWSTR, ctypes.POINTER(wintypes.ULONG)]
    fn.restype = wintypes.BOOLEAN
    size = wintypes.ULONG(256)
    for _ in range(2):
        buffer = ctypes.create_unicode_buffer(size.value)
        if fn(NAME_SAM_COMPATIBLE, buffer, ctypes.byref(size)):
            return buffer.value
        if ctypes.get_last_error() != ERROR_MORE_DATA:
            break   # size now holds the length needed, including the terminating null
    raise IdentityError(f"Windows did not name the signed-in account (GetUserNameExW error "
                        f"{ctypes.get_last_error()})")


def machine_name() -> str:
    return socket.gethostname()


def sign_in(store, via: str = "window") -> User:
    """The OS user with their role from the store's role source; records the sign-in."""
    from app.services import audit, roles
    account, login = os_account()
    user = roles.resolve(store, account, login, machine_name())
    if user.is_admin and roles.sign_unsigned(store, user):
        user = roles.resolve(store, account, login, machine_name())
    audit.record(store, "session.sign_in", via, {"role_source": user.role_source,
                                                 **({"role_expires": user.role_expires.isoformat()}
                                                    if user.role_expires else {}),
                                                 **({"note": user.role_note} if user.role_note else {})}, user,
                 log_if_locked=True)
    return user


_signed_in: dict[str, User] = {}
_signed_in_lock = threading.Lock()


def signed_in_user(store) -> User:
    """The user a service acts for when its caller passed none: this process's OS user, signed in
    once per store."""
    with _signed_in_lock:
        user = _signed_in.get(store.url)
    if user is None:
        user = sign_in(store, via="service")
        with _signed_in_lock:
            _signed_in[store.url] = user
    return user
