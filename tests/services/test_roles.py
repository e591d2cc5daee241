"""Who the user is and which role they have: the OS account (not the environment), the first admin of
a new store, the role table that admins manage, and routings approved or rejected by approvers."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.domain.access import PermissionDenied, User
from app.domain.routing import Operation, RoutingError
from app.services import audit, identity, roles, routings
from app.services.audit import AuditFilter


def _actions(store, admin, **flt):
    return [(e.user_name, e.action, e.target, e.outcome) for e in audit.query(store, AuditFilter(**flt), user=admin)]


def test_the_user_is_the_os_account_whatever_the_environment_says(empty_store, monkeypatch):
    for var in ("USER", "USERNAME", "LOGNAME", "ROUTING_ML_USER"):
        monkeypatch.setenv(var, "boss")
    monkeypatch.setenv("ROUTING_ML_ROLE", "admin")
    account, login = identity.os_account()
    assert account != "boss" and login != "boss"
    if sys.platform == "win32":   # DOMAIN\user of the process token, as whoami says it (in lower case)
        assert account.lower() == subprocess.run(["whoami"], capture_output=True, text=True,
                                                 check=True).stdout.strip().lower()
        assert login == account.rsplit("\\", 1)[-1]
    else:
        import pwd
        assert account == login == pwd.getpwuid(os.geteuid()).pw_name
    user = identity.sign_in(empty_store, via="cli")
    assert user.name == account and user.host == identity.machine_name()


def test_the_first_user_of_a_new_store_is_its_admin_and_the_next_an_engineer(empty_store, admin):
    first = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    second = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02")
    assert (first.role, second.role) == ("admin", "engineer")
    assert roles.resolve(empty_store, "ksm\\LEE", "LEE", "PC-03").role == "admin"   # Windows ignores case
    (grant,) = [e for e in audit.query(empty_store, AuditFilter(action="role.set"), user=admin)]
    assert (grant.user_name, grant.target, grant.detail["to"]) == ("KSM\\lee", "KSM\\lee", "admin")


def test_the_domain_is_part_of_the_name(empty_store):
    lee = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    roles.set_role(empty_store, "KSM\\alice", "approver", user=lee)
    assert roles.resolve(empty_store, "KSM\\alice", "alice", "PC-02").role == "approver"
    assert roles.resolve(empty_store, "OTHER\\alice", "alice", "PC-02").role == "engineer"   # the default role
    assert roles.resolve(empty_store, "PC-02\\alice", "alice", "PC-02").role == "engineer"
    assert roles.resolve(empty_store, "OTHER\\lee", "lee", "PC-01").role == "engineer"       # not the admin


def test_sign_in_is_recorded_with_role_and_machine(empty_store, admin):
    user = identity.sign_in(empty_store, via="window")
    (e,) = audit.query(empty_store, AuditFilter(action="session.sign_in"), user=admin)
    assert (e.user_name, e.role, e.host, e.target) == (user.name, "admin", user.host, "window")


def test_an_admin_sets_roles_and_the_change_is_recorded(empty_store):
    lee = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    kim = roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02")
    roles.set_role(empty_store, "KSM\\kim", "approver", user=lee)
    assert roles.resolve(empty_store, "KSM\\kim", "kim", "PC-02").role == "approver"
    listed = {(r.user_name, r.role) for r in roles.list_roles(empty_store, user=lee)}
    assert listed == {("KSM\\lee", "admin"), ("KSM\\kim", "approver")}
    change = audit.query(empty_store, AuditFilter(action="role.set", user="KSM\\lee"), user=lee)[0]
    assert (change.target, change.detail["from"], change.detail["to"]) == ("KSM\\kim", None, "approver")
    assert change.detail["key"]   # the signing key's fingerprint
    with pytest.raises(PermissionDenied, match=r"KSM\\kim \(engineer\) may not change a user's role: it needs the "
                                               r"admin role"):
        roles.set_role(empty_store, "KSM\\kim", "admin", user=kim)
    assert ("KSM\\kim", "roles.set", "KSM\\kim", "denied") in _actions(empty_store, lee, outcome="denied")


def test_the_last_admin_cannot_demote_themselves(empty_store):
    lee = roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01")
    with pytest.raises(RoutingError, match="last admin"):
        roles.set_role(empty_store, "KSM\\lee", "engineer", user=lee)
    roles.set_role(empty_store, "KSM\\park", "admin", user=lee)
    roles.set_role(empty_store, "KSM\\lee", "engineer", user=lee)
    assert roles.resolve(empty_store, "KSM\\lee", "lee", "PC-01").role == "engineer"


def test_an_unknown_role_is_refused(empty_store, admin):
    with pytest.raises(RoutingError, match="'boss' is not one of engineer, approver, admin"):
        roles.set_role(empty_store, "KSM\\kim", "boss", user=admin)


def _submit(store, engineer, item="SR-0000001"):
    return routings.save_routing(store, item, [Operation(10, "A01-2", JOB_NM="CNC 황삭", RES_CD="CNC-01",
                                                         SETUP_TIME=30, RUN_TIME=2.5)],
                                 status="submitted", user=engineer)


def test_an_approver_approves_a_submitted_routing(empty_store, engineer, approver, admin):
    _submit(empty_store, engineer)
    done = routings.approve(empty_store, "sr-0000001", "치수 확인함", user=approver)
    assert (done.status, done.revision, done.reviewed_by, done.review_comment) == \
        ("approved", 2, approver.name, "치수 확인함")
    (e,) = audit.query(empty_store, AuditFilter(action="routing.approve"), user=admin)
    assert (e.user_name, e.target, e.detail["comment"], e.detail["saved_by"]) == \
        (approver.name, "SR-0000001", "치수 확인함", engineer.name)


def test_a_rejection_needs_a_comment_and_saving_again_reopens_it(empty_store, engineer, approver):
    saved = _submit(empty_store, engineer)
    with pytest.raises(RoutingError, match="comment is required"):
        routings.reject(empty_store, "SR-0000001", "  ", user=approver)
    rejected = routings.reject(empty_store, "SR-0000001", "열처리 빠짐", user=approver)
    assert (rejected.status, rejected.review_comment) == ("rejected", "열처리 빠짐")
    # the engineer fixes it: an editor still on the old revision is told someone changed it
    with pytest.raises(routings.ConflictError, match=approver.name.replace("\\", "\\\\")):
        routings.save_routing(empty_store, "SR-0000001", saved.operations, "submitted",
                              expected_revision=saved.revision, user=engineer)
    again = routings.save_routing(empty_store, "SR-0000001", saved.operations, "submitted",
                                  expected_revision=rejected.revision, user=engineer)
    assert (again.status, again.reviewed_by, again.review_comment) == ("submitted", "", "")


def test_only_a_submitted_routing_is_reviewed(empty_store, engineer, approver):
    routings.save_routing(empty_store, "SR-0000002", [Operation(10, "A01-2", RES_CD="CNC-01")], user=engineer)
    with pytest.raises(RoutingError, match="SR-0000002 is draft .*only a submitted routing can be approved"):
        routings.approve(empty_store, "SR-0000002", user=approver)
    with pytest.raises(RoutingError, match="no saved routing of SR-9"):
        routings.approve(empty_store, "SR-9", user=approver)


def test_an_engineer_cannot_approve_and_the_refusal_is_recorded(empty_store, engineer, admin):
    _submit(empty_store, engineer)
    with pytest.raises(PermissionDenied, match=r"may not approve a routing: it needs the approver role"):
        routings.approve(empty_store, "SR-0000001", user=engineer)
    assert (engineer.name, "routing.approve", "SR-0000001", "denied") in _actions(empty_store, admin)
    assert routings.load_saved(empty_store, "SR-0000001").status == "submitted"


def test_nobody_approves_what_they_submitted_and_the_refusal_is_recorded(empty_store, admin, approver):
    from app.domain.access import SelfApprovalRefused
    _submit(empty_store, admin)                    # an admin's own request ...
    with pytest.raises(SelfApprovalRefused, match=r"ksm\\PARK.ADMIN may not approve the routing of SR-0000001 "
                                                  r"\(revision 1\): they submitted it themselves"):
        routings.approve(empty_store, "SR-0000001", "ok", user=User("ksm\\PARK.ADMIN", "admin", "PC-ADMIN-2"))
    assert routings.load_saved(empty_store, "SR-0000001").status == "submitted"
    (refusal,) = audit.query(empty_store, AuditFilter(outcome="denied"), user=admin)
    assert (refusal.action, refusal.target, refusal.detail["reason"]) == ("routing.approve", "SR-0000001",
                                                                          "self-approval")
    # ... is approved by someone else; rejecting one's own (withdrawing it) stays possible
    assert routings.approve(empty_store, "SR-0000001", "", user=approver).status == "approved"
    _submit(empty_store, approver, "SR-0000002")
    assert routings.reject(empty_store, "SR-0000002", "다시 볼게요", user=approver).status == "rejected"


def test_a_user_without_a_role_may_do_nothing(empty_store, admin):
    nobody = User("KSM\\temp", "", "PC-09")
    with pytest.raises(PermissionDenied, match=r"KSM\\temp \(no role\) may not save a routing"):
        routings.save_routing(empty_store, "SR-1", [Operation(10, "A01-2", RES_CD="CNC-01")], user=nobody)
