"""Secrets in the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service), never in a
settings file, a log, the store or the audit trail: the directory's bind password and the admin's
audit signing key. (SQL logins' passwords: app.sources.sqlserver, same keyring service.)"""
from __future__ import annotations

from app.domain.routing import RoutingError

SERVICE = "routing-ml"


class CredentialError(RoutingError):
    """The OS keyring cannot be used here; the message says what is missing."""


def ldap_key(server: str, bind_user: str) -> str:
    return f"ldap:{bind_user}@{server}"


def signing_key_name(store_id: str) -> str:
    return f"audit-signing-key:{store_id}"


def _why(exc: Exception) -> str:
    text = str(exc).split(". ")[0].strip().rstrip(".")
    return text or type(exc).__name__


def get_secret(key: str) -> str | None:
    import keyring
    import keyring.errors
    try:
        return keyring.get_password(SERVICE, key)
    except keyring.errors.KeyringError as exc:
        raise CredentialError(f"the OS keyring cannot be read on this PC ({_why(exc)})") from None


def set_secret(key: str, value: str) -> None:
    import keyring
    import keyring.errors
    try:
        keyring.set_password(SERVICE, key, value)
    except keyring.errors.KeyringError as exc:
        raise CredentialError(f"the OS keyring cannot keep {key!r} on this PC ({_why(exc)}); it was not "
                              f"saved anywhere else") from None
