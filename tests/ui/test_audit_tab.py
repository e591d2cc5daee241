"""The Audit tab: an admin sees what each user did today with machine and outcome, filters, exports,
and Verify says the trail is intact, or names the row someone edited or deleted; others have no tab."""
from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from sqlalchemy import create_engine, text

from app.domain.access import User
from app.services import audit
from app.services.audit import AuditFilter
from app.store.db import Store
from app.ui.audit.models import AuditEventsModel
from app.ui.workers import TaskRunner
from ui_helpers import LONG

KIM = User("KSM\\kim", "engineer", "PC-ENG-07")
CHOI = User("KSM\\choi", "approver", "PC-LEAD")


def _day_of_work(url: str) -> None:
    store = Store(url)
    for i in range(3):
        audit.record(store, "predict", f"SR-000000{i}", {"model_version": "v1"}, KIM)
    audit.record(store, "routing.save", "SR-0000001", {"status": "submitted", "revision": 1}, KIM)
    audit.record(store, "model.train", "", {"needed_role": "admin"}, KIM, outcome="denied")
    audit.record(store, "routing.approve", "SR-0000001", {"comment": "치수 확인"}, CHOI)
    store.dispose()


def _open_audit(qtbot, w):
    assert w.audit is not None
    w.tabs.setCurrentWidget(w.audit)
    qtbot.waitUntil(lambda: w.audit.model.rowCount() > 0 and not w.audit.model.loading, timeout=LONG)
    return w.audit


def test_the_paged_model_is_a_sound_qt_model(qtbot, qtmodeltester, store_url):
    _day_of_work(store_url)
    store = Store(store_url)
    model = AuditEventsModel(TaskRunner())
    model.set_source(store, User("lee", "admin", "PC-LEE"))
    with qtbot.waitSignal(model.loading_changed, check_params_cb=lambda v: v is False, timeout=LONG):
        model.set_filter(AuditFilter())
    assert model.rowCount() > 6
    qtmodeltester.check(model)
    store.dispose()


def test_an_engineer_has_no_audit_tab(qtbot, make_window, store_url):
    w = make_window(store_url, user=KIM)
    assert w.audit is None
    assert "Audit" not in [w.tabs.tabText(i) for i in range(w.tabs.count())]


def test_an_admin_sees_today_filters_exports_and_verifies(qtbot, make_window, store_url, tmp_path):
    _day_of_work(store_url)
    w = make_window(store_url)
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())][-1] == "Audit"
    tab = _open_audit(qtbot, w)
    m = tab.model
    cols = [c.key for c in m.columns]
    shown = [(m.data(m.index(r, cols.index("user"))), m.data(m.index(r, cols.index("host"))),
              m.data(m.index(r, cols.index("action"))), m.data(m.index(r, cols.index("outcome"))))
             for r in range(m.rowCount())]
    assert ("KSM\\choi", "PC-LEAD", "routing.approve", "ok") in shown
    assert ("KSM\\kim", "PC-ENG-07", "model.train", "denied") in shown
    qtbot.waitUntil(lambda: "events match" in tab.actions.count_label.text(), timeout=LONG)

    # only kim's refusals
    tab.filters.user.setEditText("KSM\\kim")
    tab.filters.outcome.setCurrentIndex(tab.filters.outcome.findData("denied"))
    qtbot.waitUntil(lambda: not m.loading and m.rowCount() == 1 and m.rows[0].action == "model.train", timeout=LONG)
    qtbot.waitUntil(lambda: tab.actions.count_label.text() == "1 event matches", timeout=LONG)
    tab.table.selectRow(0)
    assert "needed_role" in tab.detail.text() and "PC-ENG-07" in tab.detail.text()

    out = tmp_path / "today.csv"
    with qtbot.waitSignal(tab.actions.export_finished, timeout=LONG):
        tab.actions.export(str(out), tab.filters.current())
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["user"], r["action"], r["outcome"]) for r in rows] == [("KSM\\kim", "model.train", "denied")]
    assert out.with_name("today.csv.checkpoint.json").exists()
    assert "1 event written to" in tab.actions.result_ok.text()
    # the result is shown with the buttons usable again, not a moment later
    assert tab.actions.verify_button.isEnabled() and tab.actions.export_button.isEnabled()

    with qtbot.waitSignal(tab.actions.verify_finished, timeout=LONG) as blocker:
        qtbot.mouseClick(tab.actions.verify_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].intact
    assert "intact" in tab.actions.result_ok.text() and not tab.actions.result_bad.isVisible()


def _tamper_and_verify(qtbot, make_window, store_url, action: str, sql: str):
    """Change the row of `action` behind the program's back, then press Verify; returns (tab, seq)."""
    _day_of_work(store_url)
    engine = create_engine(store_url)
    with engine.begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_event WHERE action = :a"), {"a": action}).scalar()
        conn.execute(text(sql), {"s": seq})
    engine.dispose()
    tab = _open_audit(qtbot, make_window(store_url))
    with qtbot.waitSignal(tab.actions.verify_finished, timeout=LONG):
        qtbot.mouseClick(tab.actions.verify_button, Qt.MouseButton.LeftButton)
    return tab, seq


def test_verify_names_the_row_someone_edited_and_shows_it(qtbot, make_window, store_url):
    tab, seq = _tamper_and_verify(qtbot, make_window, store_url, "routing.approve",
                                  "UPDATE audit_event SET user_name = 'KSM\\lee' WHERE seq = :s")
    message = tab.actions.result_bad.text()
    assert "broken" in message and f"row seq {seq}" in message
    qtbot.mouseClick(tab.actions.show_row_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.currentIndex().row() == 0 and tab.model.rows[0].seq == seq, timeout=LONG)
    assert "routing.approve" in tab.detail.text()


def test_verify_names_a_deleted_row(qtbot, make_window, store_url):
    tab, seq = _tamper_and_verify(qtbot, make_window, store_url, "routing.save",
                                  "DELETE FROM audit_event WHERE seq = :s")
    assert f"seq {seq} is missing (deleted)" in tab.actions.result_bad.text()


def test_verify_names_where_the_newest_rows_were_cut_after_the_head_was_set_back(qtbot, make_window, store_url):
    from app.services import audit_seal
    _day_of_work(store_url)
    store = Store(store_url)
    (cp,) = audit_seal.write_checkpoint(store, user=User("lee", "admin", "PC-LEE"))
    head = audit_seal.read_checkpoint(cp).seq
    engine = create_engine(store_url)
    with engine.begin() as conn:   # the last three rows go, and the head is set back to hide it
        conn.execute(text(f"DELETE FROM audit_event WHERE seq > {head - 3}"))
        conn.execute(text(f"UPDATE audit_head SET seq = {head - 3}, "
                          f"hash = (SELECT hash FROM audit_event WHERE seq = {head - 3})"))
    engine.dispose()
    audit.record(store, "predict", "SR-0000009", {}, KIM)   # the next event takes seq head - 2
    store.dispose()
    tab = _open_audit(qtbot, make_window(store_url))
    with qtbot.waitSignal(tab.actions.verify_finished, timeout=LONG):
        qtbot.mouseClick(tab.actions.verify_button, Qt.MouseButton.LeftButton)
    message = tab.actions.result_bad.text()
    assert f"cut at seq {head - 2}" in message and f"seq {head - 2}–{head}" in message and "SR-0000009" in message


def test_the_os_user_signs_in_when_the_window_opens(qtbot, make_window, store_url):
    w = make_window(store_url, user=None)
    qtbot.waitUntil(lambda: w.ctx.user.role_source != "signing-in", timeout=LONG)
    from app.services import identity
    assert w.ctx.user.name == identity.os_account()[0]
    assert w.ctx.user.name in w.user_label.text()
    store = Store(store_url)
    signed = audit.query(store, AuditFilter(action="session.sign_in"), user=User("x", "admin", "h"))
    assert signed and signed[0].target == "window" and signed[0].user_name == w.ctx.user.name
    store.dispose()


def test_an_admin_gives_a_role_in_settings_and_an_engineer_cannot_open_them(qtbot, make_window, store_url):
    from app.services import roles
    w = make_window(store_url)
    dlg = w.roles_dialog()
    qtbot.waitUntil(lambda: dlg.table.rowCount() >= 1 and not w.runner.running(), timeout=LONG)
    dlg.new_user.setText("KSM\\kim")
    dlg.new_role.setCurrentIndex(dlg.new_role.findData("approver"))
    dlg.set_role()
    qtbot.waitUntil(lambda: any(dlg.table.item(r, 0).text() == "KSM\\kim" for r in range(dlg.table.rowCount())),
                    timeout=LONG)
    store = Store(store_url)
    assert roles.resolve(store, "KSM\\kim", "kim", "PC-ENG-07").role == "approver"
    store.dispose()
    dlg.close()
    e = make_window(store_url, user=KIM)
    for action in (e.roles_action, e.source_action, e.import_action):
        assert not action.isEnabled() and "Only an admin" in action.toolTip()
    assert e.roles_dialog() is None


def test_the_status_bar_says_until_when_a_cached_role_counts(qtbot, make_window, store_url):
    from datetime import datetime, timedelta
    until = datetime.utcnow() + timedelta(hours=5)
    w = make_window(store_url, user=User("KSM\\park", "approver", "PC-QA-02", "park", "cache", until,
                                         "the directory ldaps://dc01 cannot be reached"))
    local = audit.to_local(until).strftime("%Y-%m-%d %H:%M")
    assert f"approver, cached until {local}" in w.user_label.text()
    assert "cannot be reached" in w.user_label.toolTip()
    assert w.audit is None   # an approver has no Audit tab


def test_roles_and_outcomes_are_worded_in_korean(qtbot, qapp, store_url):
    from app.ui.main import configure_application
    _day_of_work(store_url)
    store = Store(store_url)
    configure_application(qapp, "ko")
    try:
        model = AuditEventsModel(TaskRunner())
        model.set_source(store, User("lee", "admin", "PC-LEE"))
        with qtbot.waitSignal(model.loading_changed, check_params_cb=lambda v: v is False, timeout=LONG):
            model.set_filter(AuditFilter(user="KSM\\kim", outcome="denied"))
        cols = [c.key for c in model.columns]
        row = [model.data(model.index(0, cols.index(k))) for k in ("role", "outcome")]
        assert row == ["엔지니어", "거부됨"]
        assert model.headerData(cols.index("host"), Qt.Orientation.Horizontal) == "PC"
    finally:
        configure_application(qapp, "en")
        store.dispose()


def test_an_approver_approves_in_the_window_and_an_engineer_may_not(qtbot, make_window, store_url):
    from ui_helpers import predict_first_new_item
    eng = make_window(store_url, user=KIM)
    code = predict_first_new_item(qtbot, eng)
    tab = eng.prediction
    tab.status_box.setCurrentIndex(tab.status_box.findData("submitted"))
    assert tab.save_and_wait() is not None
    assert tab.approve_button.isVisible() and not tab.approve_button.isEnabled()
    assert "Only an approver or an admin" in tab.approve_button.toolTip()

    lead = make_window(store_url, user=CHOI)
    with qtbot.waitSignal(lead.prediction.prediction_shown, timeout=LONG):
        lead.prediction.predict_code(code)
    assert lead.prediction.approve_button.isVisible() and lead.prediction.approve_button.isEnabled()
    own = make_window(store_url, user=User("KSM\\kim", "approver", "PC-ENG-07"))   # kim, made approver since
    with qtbot.waitSignal(own.prediction.prediction_shown, timeout=LONG):
        own.prediction.predict_code(code)
    assert own.prediction.approve_button.isVisible() and not own.prediction.approve_button.isEnabled()
    assert "You submitted this revision yourself" in own.prediction.approve_button.toolTip()
    assert own.prediction.reject_button.isEnabled()
    assert lead.prediction.wait(lead.prediction.review("rejected", "")) is None   # a rejection needs a reason
    assert "comment is required" in lead.prediction.editor.message.text()
    saved = lead.prediction.wait(lead.prediction.review("approved", "치수 확인"))
    assert saved.status == "approved" and saved.reviewed_by == CHOI.name
    label = lead.prediction.saved_label.text()
    assert "approved by KSM\\choi" in label and "치수 확인" in label
    assert not lead.prediction.approve_button.isVisible()
    store = Store(store_url)
    (e,) = audit.query(store, AuditFilter(action="routing.approve"), user=User("x", "admin", "h"))
    assert (e.user_name, e.target, e.host) == (CHOI.name, code, "PC-LEAD")
    store.dispose()


def test_an_admin_whose_role_is_taken_away_is_refused_and_the_window_follows(qtbot, make_window, store_url,
                                                                           monkeypatch):
    from app.services import identity, roles
    store = Store(store_url)
    me = identity.sign_in(store)                          # the OS user: the demo store's first user, so admin
    assert me.is_admin
    park = User("KSM\\park", "admin", "PC-ADMIN")
    roles.set_role(store, park.name, "admin", user=me)
    w = make_window(store_url, user=me)
    assert w.training.trainer.train_button.isEnabled()
    roles.set_role(store, me.name, "engineer", user=park)   # while my window is open
    monkeypatch.setattr(roles, "RECHECK_SECONDS", 0)
    w.training.train()
    qtbot.waitUntil(lambda: w.ctx.user.role == "engineer", timeout=LONG)
    assert not w.training.trainer.train_button.isEnabled() and w.audit is None
    assert "engineer" in w.user_label.text()
    denied = audit.query(store, AuditFilter(outcome="denied"), user=park)
    assert [(e.user_name, e.action, e.role) for e in denied][:1] == [(me.name, "model.train", "engineer")]
    store.dispose()


def test_a_user_without_a_role_is_told_why_in_the_window(qtbot, make_window, store_url, monkeypatch):
    from app.services import identity, roles
    store = Store(store_url)
    me = identity.sign_in(store)
    roles.set_role_source(store, roles.RoleSource("store", "", 72), user=me)   # others: no role
    roles.set_role(store, "KSM\\park", "admin", user=me)
    account = identity.os_account()[0]
    monkeypatch.setattr(identity, "os_account", lambda: ("OTHER\\" + account, account))   # another account
    store.dispose()
    w = make_window(store_url, user=None, wait_model=False)
    qtbot.waitUntil(lambda: w.ctx.user.role_source != "signing-in", timeout=LONG)
    assert w.ctx.user.role == ""
    assert "You have no role in Routing ML" in w.prediction.error.text() and "ask an admin" in w.prediction.error.text()
