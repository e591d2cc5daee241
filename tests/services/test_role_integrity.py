"""Roles that cannot be made up in the store: a role row, the role source or a signer key written with a
database tool does not count; signer keys pinned outside the store (IT) are the only ones that count
where they are set; a role is read again during a session before privileged actions; two first users
at once make one admin."""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import create_engine, text

from app.domain.access import NO_ROLE, PermissionDenied, User
from app.domain.routing import RoutingError
from app.services import audit, audit_seal, roles, site_settings, trust
from app.services.audit import AuditFilter


def _sql(store, *statements, **params):
    """Change the store behind the program's back, as someone with a database tool would."""
    engine = create_engine(store.url)
    with engine.begin() as conn:
        for s in statements:
            conn.execute(text(s), params)
    engine.dispose()


@pytest.fixture
def lee(empty_store) -> User:
    """The store's first user, so its admin."""
    user = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    assert user.role == "admin"
    return user


@pytest.fixture
def pins(tmp_path, monkeypatch):
    """The program folder's trusted-signers.txt, as IT would write it; returns a function pinning keys."""
    monkeypatch.setattr(trust, "program_folder", lambda: tmp_path / "program")
    (tmp_path / "program").mkdir()

    def pin(*keys) -> None:
        lines = [f"{trust.public_text(k)}  # pinned by IT" for k in keys]
        (tmp_path / "program" / trust.PINS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pin


def test_a_role_row_written_with_a_database_tool_does_not_count(empty_store, lee, admin):
    roles.set_role(empty_store, "KSM\\kim", "approver", user=lee)
    _sql(empty_store, "INSERT INTO user_role (user_name, role, granted_by, granted_at) "
                      "VALUES ('KSM\\mallory', 'admin', 'KSM\\lee', '2026-12-01 08:00:00')")
    mallory = roles.resolve(empty_store, "KSM\\mallory", "mallory", "PC-66")
    assert mallory.role == "engineer"    # the default, as if the row were not there
    assert "the role table's row giving KSM\\mallory the role admin does not count" in mallory.role_note
    assert "audit trail does not show it given" in mallory.role_note
    _sql(empty_store, "UPDATE user_role SET role = 'admin' WHERE user_name = 'KSM\\kim'")   # a signed row edited
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02")
    assert kim.role == "engineer" and "changed after it was signed" in kim.role_note
    with pytest.raises(PermissionDenied):
        roles.list_roles(empty_store, user=kim)
    listed = {r.user_name: r.problem for r in roles.list_roles(empty_store, user=lee)}
    assert listed["KSM\\lee"] == "" and listed["KSM\\mallory"] and listed["KSM\\kim"]


def test_emptying_the_role_table_makes_nobody_the_first_admin(empty_store, lee):
    _sql(empty_store, "DELETE FROM user_role")
    assert roles.resolve(empty_store, "KSM\\mallory", "mallory", "PC-66").role == "engineer"


def test_a_role_source_changed_with_a_database_tool_does_not_count(empty_store, lee):
    roles.set_role_source(empty_store, roles.RoleSource("store", "approver", 72), user=lee)
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02").role == "approver"
    _sql(empty_store, "UPDATE app_setting SET value = :v WHERE key = 'roles.source'",
         v='{"cache_hours": 72.0, "default_role": "admin", "directory": null, "kind": "store"}')
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02")
    assert kim.role == "engineer"        # the default source, not the forged one (nor the old one)
    assert "the role source saved in the store does not count" in kim.role_note
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "admin"   # signed rows still count


def test_a_signer_key_added_to_the_store_with_a_database_tool_does_not_count(empty_store, lee, admin):
    import json
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    audit_seal.write_checkpoint(empty_store, user=admin)      # the list of signers exists, with park's key
    mine = Ed25519PrivateKey.generate()
    fp = trust.fingerprint(trust.public_raw(mine))
    signers = trust.store_signers(empty_store)
    signers[fp] = {"public_key": trust.public_text(mine), "user": "KSM\\mallory", "added_at": "2026-12-01T08:00:00"}
    _sql(empty_store, "UPDATE app_setting SET value = :v WHERE key = 'audit.signers'", v=json.dumps(signers))
    assert not trust.trust(empty_store).trusts(fp) and len(trust.trust(empty_store).keys) == 1
    # ... so a role row signed with it is as good as unsigned
    at = datetime(2026, 12, 1, 8)
    signed = trust.sign(mine, roles.grant_payload(site_settings.store_id(empty_store), "KSM\\mallory", "admin",
                                                  "KSM\\lee", at))
    _sql(empty_store, "INSERT INTO user_role VALUES ('KSM\\mallory', 'admin', 'KSM\\lee', :at, :s, :k)",
         at=at, s=signed["signature"], k=signed["public_key"])
    mallory = roles.resolve(empty_store, "KSM\\mallory", "mallory", "PC-66")
    assert mallory.role == "engineer" and f"key {fp}, which is not a trusted signer" in mallory.role_note


def test_pinned_keys_are_the_only_signers_that_count(empty_store, lee, admin, pins, os_keyring, tmp_path):
    roles.set_role(empty_store, admin.name, "admin", user=lee)            # park, an admin by lee's signature
    lee_key = trust.own_key(empty_store, lee, create=False)
    park_keyring = dict(os_keyring.entries)
    pins(lee_key)                                                         # IT pins lee's key only
    assert trust.trust(empty_store).pinned
    assert roles.resolve(empty_store, admin.name, "park.admin", "PC-ADMIN").role == "admin"   # lee signed it
    roles.set_role(empty_store, "KSM\\kim", "approver", user=lee)
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02").role == "approver"
    # park's own key (made now, in park's keyring) is not pinned: park may not give roles or sign checkpoints
    os_keyring.entries.clear()
    with pytest.raises(RoutingError, match=r"KSM\\park.admin cannot give roles: their signing key .* is not among "
                                           r"the signer keys pinned in .*trusted-signers.txt; ask IT to add"):
        roles.set_role(empty_store, "KSM\\kim", "admin", user=admin)
    with pytest.raises(audit_seal.CheckpointError, match="not among the signer keys pinned"):
        audit_seal.write_checkpoint(empty_store, user=admin, folder=tmp_path / "cp")
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02").role == "approver"
    os_keyring.entries.update(park_keyring)
    # a row that only the trail vouches for (the first admin's, say) does not count where keys are pinned
    _sql(empty_store, "UPDATE user_role SET signature = NULL, signer_key = NULL WHERE user_name = 'KSM\\lee'")
    again = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    assert again.role == "engineer" and "not signed, and signer keys are pinned" in again.role_note


def test_verify_with_pinned_keys_reports_a_checkpoint_signed_by_another_key(empty_store, lee, admin, pins,
                                                                           os_keyring, tmp_path):
    (theirs,) = audit_seal.write_checkpoint(empty_store, user=admin, folder=tmp_path / "cp")   # before pinning
    os_keyring.entries.clear()
    lee_key = trust.own_key(empty_store, lee, create=True)
    pins(lee_key)
    result = audit_seal.verify(empty_store, tmp_path / "cp", user=lee, write_checkpoint_if_intact=False)
    assert not result.intact and "not a signer of this store (signer keys pinned in" in result.summary()
    assert result.signers_pinned and not any("no signer key is pinned" in w for w in result.warnings)
    assert theirs.exists()


def test_without_pins_verify_says_the_signers_come_from_the_store(empty_store, lee):
    result = audit_seal.verify(empty_store, user=lee)
    assert result.intact and not result.signers_pinned
    assert any("no signer key is pinned on this PC" in w for w in result.warnings)


def test_a_role_taken_away_stops_counting_within_the_recheck_time(empty_store, lee, admin, monkeypatch):
    roles.set_role(empty_store, admin.name, "admin", user=lee)
    session = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")      # lee's window, signed in
    roles.set_role(empty_store, "KSM\\lee", "engineer", user=admin)      # park takes lee's admin role away
    assert roles.list_roles(empty_store, user=session)                   # within RECHECK_SECONDS: still admin
    monkeypatch.setattr(roles, "RECHECK_SECONDS", 0)
    with pytest.raises(PermissionDenied, match=r"KSM\\lee \(engineer\) may not list users and roles"):
        roles.list_roles(empty_store, user=session)
    trail = audit.query(empty_store, AuditFilter(user="KSM\\lee"), user=admin)
    assert [(e.action, e.outcome) for e in trail][:2] == [("roles.read", "denied"), ("role.rechecked", "ok")]
    assert trail[1].detail["from"] == "admin" and trail[1].detail["to"] == "engineer"
    # engineers' actions are not re-read (predicting stays fast): the session user keeps them


def _first_user(url: str, name: str, queue) -> None:
    from app.services import roles as r
    from app.store.db import Store
    store = Store(url)
    queue.put((name, r.resolve(store, name, name.split("\\")[-1], "PC").role))
    store.dispose()


def test_two_first_users_at_once_make_one_admin(tmp_path, admin):
    from app.store.db import Store
    url = str(tmp_path / "new.sqlite")
    Store(url).dispose()                       # made (migrated) once, empty
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_first_user, args=(url, f"KSM\\user{i}", queue)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    got = dict(queue.get(timeout=5) for _ in procs)
    assert sorted(got.values()) == ["admin", "engineer", "engineer", "engineer"], got
    store = Store(url)
    grants = audit.query(store, AuditFilter(action="role.set"), user=admin)
    assert [(g.target, g.detail["to"]) for g in grants] == [(k, "admin") for k, v in got.items() if v == "admin"]
    assert audit_seal.verify(store, user=admin, write_checkpoint_if_intact=False).intact
    store.dispose()


def test_no_role_for_a_user_the_table_does_not_name_when_the_default_is_none(empty_store, lee):
    roles.set_role_source(empty_store, roles.RoleSource("store", NO_ROLE, 72), user=lee)
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02").role == NO_ROLE


def test_where_keys_are_pinned_the_first_admin_is_the_first_user_whose_key_is_pinned(empty_store, pins, os_keyring):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    pins(Ed25519PrivateKey.generate())                     # IT pinned someone else's key
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07")
    assert kim.role == "engineer" and "yours is not among them: run `routing-ml audit key`" in kim.role_note
    lee_key = trust.own_key(empty_store, User("KSM\\lee", "", "PC-01"), create=True, register_it=False)
    pins(lee_key)                                          # lee ran `audit key`, IT pinned it
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "admin"
    os_keyring.entries.clear()                             # kim's PC: kim has no pinned key
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07").role == "engineer"
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "admin"   # the signed row counts
