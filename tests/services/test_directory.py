"""Roles from directory groups, against a real OpenLDAP server (slapd) the tests start on 127.0.0.1:
nested groups, a user in no group, names with *, ( and \\, filter-injection attempts, LDAPS with the
bind password from the keyring, and the cached role while the directory is away."""
from __future__ import annotations

import os
import sys

import pytest
from sqlalchemy import create_engine, text

import ldap_server
from app.domain.access import NO_ROLE, User
from app.services import audit, credentials, directory, roles
from app.services.audit import AuditFilter
from app.services.directory import DirectoryConfig, DirectoryError

MAPPING = {"routing-engineers": "engineer", f"cn=routing-approvers,ou=groups,{ldap_server.SUFFIX}": "approver",
           "routing-admins": "admin", "R&D (seals)": "approver"}


def need_slapd() -> None:
    """The tests' OpenLDAP server. Windows has none (OpenLDAP's slapd is built for Unix): there, CI
    included, these tests skip and run on Linux, whose CI must have it."""
    if sys.platform == "win32":
        pytest.skip("no OpenLDAP server (slapd) on Windows; the directory tests run on Linux")
    slapd_bin, slapadd = ldap_server.find_slapd()
    if not (slapd_bin and slapadd):
        if os.environ.get("CI") == "true":
            pytest.fail("slapd is missing: .ci/run must install the Debian packages slapd and ldap-utils")
        pytest.skip("slapd is not installed (Debian packages: slapd ldap-utils)")


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    need_slapd()
    server = ldap_server.start(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def config(slapd) -> DirectoryConfig:
    return DirectoryConfig(server=slapd.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING), bind="simple",
                           bind_user=ldap_server.BIND_DN, user_attribute="uid", ca_file=str(slapd.ca_file),
                           timeout_s=3)


def _lookup(config, login):
    return directory.lookup(config, login, ldap_server.BIND_PASSWORD)


@pytest.mark.parametrize("login, role, groups", [
    ("kim", "engineer", {"routing-engineers", "loop-a", "loop-b"}),            # a cycle of groups ends
    ("park", "approver", {"seal-leads", "routing-approvers"}),                # nested once, mapped by DN
    ("lee", "admin", {"it-ops", "platform-team", "routing-admins"}),          # nested twice
    ("o(brien", "approver", {"seal-leads", "routing-approvers"}),
    ("back\\slash", "approver", {"R&D (seals)"}),                             # mapped by a CN with ( )
    ("star*", "engineer", {"routing-engineers"}),                             # not starlight's admin
    ("nogroup", NO_ROLE, set()),
])
def test_roles_come_from_nested_groups(config, login, role, groups):
    answer = _lookup(config, login)
    assert answer.user_dn is not None and answer.role == role
    assert {directory._cn(g) for g in answer.groups} == {g.lower() for g in groups}


@pytest.mark.parametrize("login", ["*", "kim)(uid=*", "*)(|(uid=lee", "lee*", "star\\2a", "x)(objectClass=*",
                                   "\\", "(", "lee\x00"])
def test_a_filter_in_a_user_name_matches_nobody(config, login):
    answer = _lookup(config, login)
    assert (answer.user_dn, answer.role) == (None, NO_ROLE)


def test_group_filters_escape_the_dns_they_carry():
    dn = "uid=o(brien,ou=people,dc=ksm,dc=test"
    assert directory.members_filter([dn]).count("o\\28brien") == 2
    assert directory.in_chain_filter("cn=R&D (seals)\\,x,dc=t") == \
        "(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=cn=R&D \\28seals\\29\\5c,x,dc=t))"


def test_a_simple_bind_over_plain_ldap_is_refused(config, slapd):
    config.server = slapd.ldap_url
    with pytest.raises(DirectoryError, match="simple bind sends the password: use ldaps://"):
        _lookup(config, "kim")


def test_a_wrong_bind_password_is_named(config):
    with pytest.raises(DirectoryError, match="refused the simple bind of uid=routing-svc"):
        directory.lookup(config, "kim", "wrong")


def test_an_untrusted_certificate_is_named_as_such_not_as_unreachable(config, empty_store, tmp_path):
    from app.services.directory import DirectoryUnavailable
    config.ca_file = ""   # the system's CAs do not know the test CA
    with pytest.raises(DirectoryError, match="its certificate is not trusted on this PC .*certificate verify "
                                             "failed.*name its CA's certificate") as caught:
        _lookup(config, "kim")
    assert not isinstance(caught.value, DirectoryUnavailable) and "cannot be reached" not in str(caught.value)


def test_kerberos_over_plain_ldap_is_warned_about(slapd):
    plain = DirectoryConfig(server=slapd.ldap_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING))
    assert "Kerberos bind over ldap:// is neither signed nor sealed" in plain.warnings()[0]
    assert plain.problems() == []                    # allowed (a site may have nothing else), but said
    assert DirectoryConfig(server=slapd.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING)).warnings() == []


# the directory's admin (routing-admins, nested twice), who switches the store to the directory
LEE = User("KSM\\lee", "admin", "PC-01", "lee")


def _use_directory(store, config, admin=None, by=LEE):
    roles.set_role_source(store, roles.RoleSource("directory", "", 24, config), user=by,
                          bind_password=ldap_server.BIND_PASSWORD)


def test_sign_in_reads_the_role_from_the_directory_and_records_changes(empty_store, config, admin, os_keyring):
    _use_directory(empty_store, config, admin)
    key = (credentials.SERVICE, credentials.ldap_key(config.server, config.bind_user))
    assert os_keyring.entries[key] == ldap_server.BIND_PASSWORD
    user = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    assert (user.role, user.role_source) == ("admin", "directory") and user.role_expires is not None
    nobody = roles.resolve(empty_store, "KSM\\nogroup", "nogroup", "PC-02")
    assert nobody.role == NO_ROLE and "no group" in nobody.role_note
    changes = audit.query(empty_store, AuditFilter(action="role.changed"), user=admin)
    assert {(e.target, e.detail["to"]) for e in changes} == {("KSM\\lee", "admin"), ("KSM\\nogroup", "")}
    roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")   # the same role again: no new event
    assert len(audit.query(empty_store, AuditFilter(action="role.changed"), user=admin)) == 2
    listed = {(r.user_name, r.role, r.source) for r in roles.list_roles(empty_store, user=admin)}
    assert ("KSM\\lee", "admin", "directory") in listed


def test_the_same_login_in_another_domain_or_a_local_account_is_not_the_directory_user(empty_store, config, admin):
    _use_directory(empty_store, config, admin)     # base DN dc=ksm,dc=test: the domain KSM
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "admin"
    for account in ("OTHER\\lee", "PC-01\\lee", "KSMX\\lee"):
        stranger = roles.resolve(empty_store, account, "lee", "PC-01")
        assert stranger.role == NO_ROLE, account
        assert f"{account} is not an account of the domain KSM" in stranger.role_note
    assert roles.resolve(empty_store, "ksm.test\\lee", "lee", "PC-01").role == "admin"   # the DNS spelling
    config.domain = "corp"                                                                 # named explicitly
    _use_directory(empty_store, config, by=User("CORP\\lee", "admin", "PC-01", "lee"))
    assert roles.resolve(empty_store, "CORP\\lee", "lee", "PC-01").role == "admin"
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == NO_ROLE


def test_while_the_directory_is_away_the_cached_role_counts_until_it_expires(tmp_path, empty_store, admin):
    need_slapd()
    server = ldap_server.start(tmp_path / "own-slapd")
    try:
        cfg = DirectoryConfig(server=server.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING), bind="simple",
                              bind_user=ldap_server.BIND_DN, user_attribute="uid", ca_file=str(server.ca_file),
                              timeout_s=2)
        _use_directory(empty_store, cfg, admin)
        assert roles.resolve(empty_store, "KSM\\park", "park", "PC-03").role == "approver"
    finally:
        server.stop()
    cached = roles.resolve(empty_store, "KSM\\park", "park", "PC-03")
    assert (cached.role, cached.role_source) == ("approver", "cache")
    assert "cannot be reached" in cached.role_note and cached.role_expires is not None
    engine = create_engine(empty_store.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE role_cache SET expires_at = '2000-01-01 00:00:00.000000'"))
    engine.dispose()
    expired = roles.resolve(empty_store, "KSM\\park", "park", "PC-03")
    assert expired.role == NO_ROLE and "no cached role counts (the cached role expired" in expired.role_note


def test_the_role_table_cannot_be_changed_while_roles_come_from_the_directory(empty_store, config, admin):
    from app.domain.routing import RoutingError
    _use_directory(empty_store, config, admin)
    with pytest.raises(RoutingError, match="roles come from the directory"):
        roles.set_role(empty_store, "KSM\\kim", "admin", user=admin)


def test_a_cached_role_written_with_a_database_tool_does_not_count(tmp_path, empty_store, admin):
    server = ldap_server.start(tmp_path / "own-slapd")
    try:
        cfg = DirectoryConfig(server=server.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING), bind="simple",
                              bind_user=ldap_server.BIND_DN, user_attribute="uid", ca_file=str(server.ca_file),
                              timeout_s=2)
        _use_directory(empty_store, cfg)
        assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07").role == "engineer"
    finally:
        server.stop()
    engine = create_engine(empty_store.url)
    with engine.begin() as conn:   # kim makes himself admin in the cache, for a long time, while it is away
        conn.execute(text("UPDATE role_cache SET role = 'admin', expires_at = '2099-01-01 00:00:00.000000' "
                          "WHERE user_name = 'KSM\\kim'"))
        conn.execute(text("INSERT INTO role_cache (user_name, role, groups, resolved_at, expires_at, audit_seq) "
                          "SELECT 'KSM\\mallory', 'admin', '[]', resolved_at, expires_at, audit_seq FROM role_cache "
                          "WHERE user_name = 'KSM\\kim'"))
    engine.dispose()
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07")
    assert kim.role == NO_ROLE and "later than 24 hours after it was read" in kim.role_note
    mallory = roles.resolve(empty_store, "KSM\\mallory", "mallory", "PC-66")
    assert mallory.role == NO_ROLE and "no cached role counts" in mallory.role_note
    problems = {r.user_name: r.problem for r in roles.list_roles(empty_store, user=admin) if r.source == "directory"}
    assert problems["KSM\\kim"] and problems["KSM\\mallory"]


def test_a_cached_role_stops_counting_during_a_session_when_its_time_is_up(tmp_path, empty_store, admin, monkeypatch):
    from datetime import timedelta

    from app.domain.access import PermissionDenied
    server = ldap_server.start(tmp_path / "own-slapd")
    try:
        cfg = DirectoryConfig(server=server.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING), bind="simple",
                              bind_user=ldap_server.BIND_DN, user_attribute="uid", ca_file=str(server.ca_file),
                              timeout_s=2)
        _use_directory(empty_store, cfg)
        assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role_source == "directory"
    finally:
        server.stop()
    session = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")      # from the cache: the directory is away
    assert (session.role, session.role_source) == ("admin", "cache")
    assert roles.list_roles(empty_store, user=session)
    later = session.role_expires + timedelta(minutes=1)                   # the window stays open past the expiry
    monkeypatch.setattr(roles, "_utc_now", lambda: later)
    monkeypatch.setattr(roles.audit, "utc_now", lambda: later)
    with pytest.raises(PermissionDenied, match=r"KSM\\lee \(no role\) may not list users and roles"):
        roles.list_roles(empty_store, user=session)


def test_switching_to_a_directory_that_would_leave_no_admin_is_refused(empty_store, config, admin):
    from app.domain.routing import RoutingError
    me = roles.resolve(empty_store, "KSM\\park.admin", "park.admin", "PC-ADMIN")     # first user: admin
    with pytest.raises(RoutingError, match=r"not switched to the directory: park.admin is not in the directory"):
        roles.set_role_source(empty_store, roles.RoleSource("directory", "", 24, config), user=me,
                              bind_password=ldap_server.BIND_PASSWORD)
    demoted = dict(config.groups, **{"routing-admins": "engineer"})
    config.groups = demoted
    with pytest.raises(RoutingError, match=r"the directory makes KSM\\lee engineer, not admin"):
        _use_directory(empty_store, config)
    config.server = "ldaps://127.0.0.1:9"                                   # nobody answers there
    config.groups = dict(MAPPING)
    with pytest.raises(RoutingError, match="did not confirm that KSM\\\\lee is an admin there"):
        _use_directory(empty_store, config)
    assert roles.role_source(empty_store).kind == "store"                    # nothing changed
    assert roles.resolve(empty_store, "KSM\\park.admin", "park.admin", "PC-ADMIN").role == "admin"


def test_switching_back_to_the_role_table_keeps_the_admin_who_switches(empty_store, config, admin):
    roles.resolve(empty_store, "KSM\\park.admin", "park.admin", "PC-ADMIN")
    _use_directory(empty_store, config)
    lee = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    assert lee.role == "admin"
    roles.set_role_source(empty_store, roles.RoleSource("store", "engineer", 24), user=lee)
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "admin"
    (grant,) = [e for e in audit.query(empty_store, AuditFilter(action="role.set", user="KSM\\lee"), user=lee)]
    assert grant.detail["reason"] == "the role source became the role table"


def test_a_pc_without_the_bind_password_says_so_and_what_to_do(empty_store, config, os_keyring, capsys,
                                                               monkeypatch):
    import io

    from app.cli import main
    _use_directory(empty_store, config)
    os_keyring.entries.clear()                       # another PC (or another Windows user): its own keyring
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07")
    assert kim.role == NO_ROLE and kim.role_source == "none"
    assert "this PC has no password for the directory's service account" in kim.role_note
    assert "routing-ml roles bind-password" in kim.role_note
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    assert main(["roles", "bind-password", "--store", str(empty_store.path or empty_store.url)]) == 2
    assert "refused the simple bind" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(ldap_server.BIND_PASSWORD + "\n"))
    assert main(["roles", "bind-password", "--store", str(empty_store.path or empty_store.url)]) == 0
    assert ldap_server.BIND_PASSWORD not in capsys.readouterr().out
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-07").role == "engineer"


def test_settings_saved_with_the_default_timeout_work(slapd):
    """The dialog saves timeout_s 5.0 (a float), which ldap3 used to choke on (struct.error)."""
    cfg = DirectoryConfig(server=slapd.ldaps_url, base_dn=ldap_server.SUFFIX, groups=dict(MAPPING), bind="simple",
                          bind_user=ldap_server.BIND_DN, user_attribute="uid", ca_file=str(slapd.ca_file))
    assert cfg.timeout_s == 5.0
    assert _lookup(cfg, "lee").role == "admin"
