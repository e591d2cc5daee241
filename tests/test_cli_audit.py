"""The command line's audit, roles and approval commands run as the OS user, checked and recorded."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from app.cli import main, parse_time
from app.domain.routing import Operation
from app.services import audit, identity, roles, routings
from app.services.audit import AuditFilter


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_path(empty_store) -> str:
    return str(empty_store.path)


def _me() -> str:
    return identity.os_account()[0]


def test_the_first_user_lists_roles_and_the_trail(empty_store, store_path, capsys, admin):
    rc, out, err = _run(capsys, "roles", "list", "--store", store_path)
    assert rc == 0, err
    assert "role source: store" in out and _me() in out and "admin" in out
    rc, out, _ = _run(capsys, "audit", "list", "--since", "today", "--json", "--store", store_path)
    events = json.loads(out)
    assert [e["action"] for e in events][:2] == ["session.sign_in", "session.sign_in"]
    assert events[0]["user"] == _me() and events[0]["machine"] == identity.machine_name()
    assert events[0]["target"] == "cli" and events[0]["at_utc"].endswith("Z")


def test_an_engineer_is_refused_on_one_line_and_the_refusal_is_recorded(empty_store, store_path, capsys, admin):
    me = identity.sign_in(empty_store)            # the first user: admin
    roles.set_role(empty_store, admin.name, "admin", user=me)
    roles.set_role(empty_store, me.name, "engineer", user=admin)
    rc, _, err = _run(capsys, "audit", "verify", "--store", store_path)
    assert rc == 2
    (line,) = err.strip().splitlines()
    assert f"{me.name} (engineer) may not verify the audit trail: it needs the admin role" in line
    denied = audit.query(empty_store, AuditFilter(outcome="denied"), user=admin)
    assert [(e.user_name, e.action) for e in denied] == [(me.name, "audit.verify")]
    rc, _, err = _run(capsys, "roles", "set", me.name, "admin", "--store", store_path)
    assert rc == 2 and "may not change a user's role" in err


def test_verify_exits_3_and_names_the_row_after_an_edit(empty_store, store_path, capsys, engineer):
    for i in range(5):
        audit.record(empty_store, "predict", f"SR-{i}", {}, engineer)
    rc, out, _ = _run(capsys, "audit", "verify", "--store", store_path)
    assert rc == 0 and "intact" in out
    engine = create_engine(empty_store.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET user_name = 'KSM\\nobody' WHERE seq = 3"))
    engine.dispose()
    rc, out, _ = _run(capsys, "audit", "verify", "--store", store_path)
    assert rc == 3
    assert "BROKEN: row seq 3" in out and "KSM\\nobody" in out


def test_export_and_verify_against_its_checkpoint(empty_store, store_path, capsys, tmp_path, engineer):
    audit.record(empty_store, "predict", "SR-1", {}, engineer)
    out_file = tmp_path / "trail.csv"
    rc, out, err = _run(capsys, "audit", "export", "--out", str(out_file), "--user", engineer.name,
                        "--store", store_path)
    assert rc == 0, err
    assert "1 event written" in out and out_file.exists()
    checkpoint = out_file.with_name("trail.csv.checkpoint.json")
    assert checkpoint.exists()
    rc, out, _ = _run(capsys, "audit", "verify", "--checkpoint", str(checkpoint), "--store", store_path)
    assert rc == 0 and checkpoint.name in out


def test_a_checkpoint_that_is_not_there_is_bad_input_not_a_broken_trail(empty_store, store_path, capsys, tmp_path,
                                                                         engineer):
    audit.record(empty_store, "predict", "SR-1", {}, engineer)
    rc, _, err = _run(capsys, "audit", "verify", "--checkpoint", str(tmp_path / "nope.json"), "--store", store_path)
    assert rc == 2
    assert "nope.json does not exist" in err and "BROKEN" not in err
    other = tmp_path / "trail.csv"
    other.write_text("seq,at\n", encoding="utf-8")
    rc, _, err = _run(capsys, "audit", "verify", "--checkpoint", str(other), "--store", store_path)
    assert rc == 2 and "trail.csv is not a Routing ML audit checkpoint" in err
    rc, out, _ = _run(capsys, "audit", "verify", "--store", store_path)   # the trail itself is intact
    assert rc == 0 and "intact" in out


def test_approve_and_reject_from_the_command_line(empty_store, store_path, capsys, engineer):
    identity.sign_in(empty_store)   # the OS user: first, so admin (who may approve)
    for item in ("SR-1", "SR-2"):
        routings.save_routing(empty_store, item, [Operation(10, "A01-2", RES_CD="CNC-01")], "submitted",
                              user=engineer)
    rc, out, err = _run(capsys, "routings", "approve", "SR-1", "--comment", "좋습니다", "--store", store_path)
    assert rc == 0, err
    assert "SR-1 approved (revision 2)" in out
    rc, _, err = _run(capsys, "routings", "reject", "SR-2", "--store", store_path)
    assert rc == 2 and "comment is required" in err
    rc, out, _ = _run(capsys, "routings", "reject", "SR-2", "--comment", "공정 누락", "--store", store_path)
    assert rc == 0 and "rejected" in out
    rc, out, _ = _run(capsys, "routings", "list", "--store", store_path)
    assert "공정 누락" in out and "approved" in out


def test_times_on_the_command_line():
    now = datetime(2026, 12, 1, 15, 30)
    assert parse_time("today", now) == audit.to_utc(datetime(2026, 12, 1))
    assert parse_time("7d", now) == audit.to_utc(datetime(2026, 11, 24, 15, 30))
    assert parse_time("2026-12-01 08:00", now) == audit.to_utc(datetime(2026, 12, 1, 8))
    from app.domain.routing import RoutingError
    with pytest.raises(RoutingError, match="'last week'"):
        parse_time("last week", now)


def test_an_engineer_who_trains_on_the_command_line_is_refused_and_it_is_recorded(trained_store, capsys, admin):
    from app.services import models
    me = identity.sign_in(trained_store)   # made the store's first admin when the fixture built it
    roles.set_role(trained_store, admin.name, "admin", user=me)
    roles.set_role(trained_store, me.name, "engineer", user=admin)
    before = models.list_models(trained_store)
    rc, _, err = _run(capsys, "train", "--store", str(trained_store.path))
    assert rc == 2
    (line,) = err.strip().splitlines()
    assert f"{me.name} (engineer) may not train a model: it needs the admin role" in line
    assert models.list_models(trained_store) == before
    (denial,) = audit.query(trained_store, AuditFilter(outcome="denied"), user=admin)
    assert (denial.user_name, denial.action, denial.host) == (me.name, "model.train", identity.machine_name())


def test_audit_key_prints_the_users_key_for_it_to_pin(empty_store, store_path, capsys, tmp_path, monkeypatch):
    from app.services import trust
    monkeypatch.setattr(trust, "program_folder", lambda: tmp_path)
    rc, out, err = _run(capsys, "audit", "key", "--store", store_path)
    assert rc == 0 and "no key is pinned on this PC" in err and "AUDIT_SIGNERS" in err
    key_text = out.split()[0]
    assert f"# {_me()} on {identity.machine_name()}" in out
    (tmp_path / trust.PINS_FILE).write_text(key_text + "  # the admin\n", encoding="utf-8")
    rc, out2, err = _run(capsys, "audit", "key", "--store", store_path)
    assert out2.split()[0] == key_text and "pinned in" in err      # the same key, now pinned
    assert trust.load_pins().pinned and len(trust.load_pins().keys) == 1
