"""The audit trail: recorded with user, role, machine and outcome; chained, so that editing, deleting,
inserting or reordering rows in the database, or deleting the newest rows, is found and named."""
from __future__ import annotations

import csv
import json
import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from app.domain.access import PermissionDenied, User
from app.services import audit, audit_seal, site_settings
from app.services.audit import AuditFilter
from app.store.db import Store


def _events(store, admin, n=10, who=None):
    who = who or User("KSM\\kim", "engineer", "PC-ENG-07", "kim")
    for i in range(n):
        audit.record(store, "routing.save", f"SR-{i:07d}", {"status": "draft", "revision": 1, "비고": "저장"}, who)


def _sql(store, *statements):
    """Change the store behind the program's back, as someone with a database tool would."""
    engine = create_engine(store.url)
    with engine.begin() as conn:
        for s in statements:
            conn.execute(text(s))
    engine.dispose()


def test_each_event_names_user_role_machine_and_outcome_in_utc(empty_store, admin, engineer):
    before = audit.utc_now()
    seq = audit.record(empty_store, "predict", "SR-0000001", {"model_version": "20261201-0900"}, engineer)
    (e,) = audit.query(empty_store, AuditFilter(action="predict"), user=admin)
    assert (e.seq, e.user_name, e.role, e.host, e.action, e.target, e.outcome) == \
        (seq, "KSM\\kim", "engineer", "PC-ENG-07", "predict", "SR-0000001", "ok")
    assert e.detail == {"model_version": "20261201-0900"}
    assert before <= e.at <= audit.utc_now()   # UTC, not the PC's local time
    assert len(e.hash) == 64


def test_a_secret_put_into_the_details_is_not_written(empty_store, admin, engineer):
    audit.record(empty_store, "settings.change", "source", {"server": "ERP", "password": "hunter2",
                                                            "nested": {"bind_password": "pw2"}}, engineer)
    (e,) = audit.query(empty_store, AuditFilter(action="settings.change"), user=admin)
    assert e.detail == {"server": "ERP", "password": "***", "nested": {"bind_password": "***"}}


def test_filters_and_pages_come_from_the_database(empty_store, admin, engineer, approver):
    _events(empty_store, admin, 30, engineer)
    audit.record(empty_store, "routing.approve", "SR-0000003", {"comment": "좋음"}, approver)
    audit.record(empty_store, "model.train", "", {}, engineer, outcome="denied")
    assert audit.count(empty_store, AuditFilter(user="KSM\\kim"), user=admin) == 31
    assert audit.count(empty_store, AuditFilter(outcome="denied"), user=admin) == 1
    assert [e.action for e in audit.query(empty_store, AuditFilter(action="routing."), user=admin)][:2] == \
        ["routing.approve", "routing.save"]
    assert [e.target for e in audit.query(empty_store, AuditFilter(text="좋음"), user=admin)] == ["SR-0000003"]
    assert audit.count(empty_store, AuditFilter(text="sr-00000"), user=admin) == 31   # any case
    assert audit.count(empty_store, AuditFilter(text="100%"), user=admin) == 0       # % is a character
    page1 = audit.query(empty_store, AuditFilter(user="KSM\\kim"), limit=20, user=admin)
    page2 = audit.query(empty_store, AuditFilter(user="KSM\\kim"), before_seq=page1[-1].seq, limit=20, user=admin)
    assert len(page1) == 20 and len(page2) == 11
    assert [e.seq for e in page1 + page2] == sorted((e.seq for e in page1 + page2), reverse=True)
    now = audit.utc_now()
    assert audit.count(empty_store, AuditFilter(since=now - timedelta(minutes=5), until=now + timedelta(minutes=1)),
                       user=admin) == audit.count(empty_store, AuditFilter(), user=admin)
    assert audit.count(empty_store, AuditFilter(until=now - timedelta(days=1)), user=admin) == 0


def test_only_an_admin_reads_the_trail_and_a_refusal_is_recorded(empty_store, admin, engineer, approver):
    for who in (engineer, approver):
        with pytest.raises(PermissionDenied, match=r"read the audit trail.*admin role"):
            audit.query(empty_store, AuditFilter(), user=who)
    denied = audit.query(empty_store, AuditFilter(outcome="denied"), user=admin)
    assert [(e.user_name, e.action) for e in denied] == [(approver.name, "audit.read"), (engineer.name, "audit.read")]
    assert denied[0].detail == {"needed_role": "admin"}


def test_verify_says_intact_and_names_the_rows_it_checked(empty_store, admin):
    _events(empty_store, admin, 12)
    result = audit_seal.verify(empty_store, user=admin)
    assert result.intact, result.summary()
    assert result.rows == 13 and result.last_seq == 13       # seq 1 says where the chain started
    assert "intact" in result.summary() and "13 events" in result.summary()
    assert result.checkpoint_written   # an intact verify pins the head with a new checkpoint


@pytest.mark.parametrize("tamper, kind, seq, words", [
    ("UPDATE audit_event SET target = 'SR-9999999' WHERE seq = 6", "altered", 6, "row seq 6"),
    ("UPDATE audit_event SET role = 'admin' WHERE seq = 9", "altered", 9, "row seq 9"),
    ("DELETE FROM audit_event WHERE seq = 4", "missing", 4, "seq 4 is missing"),
    ("DELETE FROM audit_event WHERE seq IN (4, 5, 6)", "missing", 4, "seq 4–6 are missing"),
    ("DELETE FROM audit_event WHERE seq = 1", "missing", 1, "seq 1 is missing"),
])
def test_an_edited_or_deleted_row_is_named(empty_store, admin, tamper, kind, seq, words):
    _events(empty_store, admin, 10)
    _sql(empty_store, tamper)
    result = audit_seal.verify(empty_store, user=admin)
    assert not result.intact
    assert (result.first_problem.kind, result.first_problem.seq) == (kind, seq)
    assert words in result.summary() and "BROKEN" in result.summary()
    assert not result.checkpoint_written   # a broken trail is never pinned


def test_an_inserted_row_is_named(empty_store, admin):
    _events(empty_store, admin, 10)
    # make room at seq 5 and slip a row in, copying a neighbour's hash
    _sql(empty_store, "UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 5",
         "UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1005",
         "INSERT INTO audit_event (seq, at, user_name, role, host, action, target, detail, outcome, hash) "
         "SELECT 5, at, 'KSM\\lee', 'admin', host, 'model.activate', 'v1', '{}', 'ok', hash "
         "FROM audit_event WHERE seq = 4")
    result = audit_seal.verify(empty_store, user=admin)
    assert (result.first_problem.kind, result.first_problem.seq) == ("altered", 5)
    assert "model.activate" in result.first_problem.message


def test_reordered_rows_are_named(empty_store, admin):
    _events(empty_store, admin, 10)
    _sql(empty_store, "UPDATE audit_event SET seq = -7 WHERE seq = 7",
         "UPDATE audit_event SET seq = 7 WHERE seq = 8", "UPDATE audit_event SET seq = 8 WHERE seq = -7")
    result = audit_seal.verify(empty_store, user=admin)
    assert (result.first_problem.kind, result.first_problem.seq) == ("altered", 7)


def test_deleting_the_newest_rows_is_found_by_the_checkpoint(empty_store, admin, tmp_path):
    folder = tmp_path / "share"
    site_settings.put(empty_store, audit_seal.CHECKPOINT_DIR, str(folder), user=admin)
    _events(empty_store, admin, 10)
    (cp,) = audit_seal.write_checkpoint(empty_store, user=admin)
    head = audit_seal.read_checkpoint(cp).seq
    # delete the last three rows and repair the head, so the chain itself looks whole
    _sql(empty_store, f"DELETE FROM audit_event WHERE seq > {head - 3}",
         f"UPDATE audit_head SET seq = {head - 3}, hash = (SELECT hash FROM audit_event WHERE seq = {head - 3})")
    result = audit_seal.verify(empty_store, user=admin)
    assert (result.first_problem.kind, result.first_problem.seq) == ("truncated", head - 2)
    assert f"seq {head - 2}–{head}" in result.summary() and cp.name in result.summary()


@pytest.mark.parametrize("appended", [1, 6])
def test_newest_rows_deleted_with_the_head_rewound_are_named_where_the_trail_was_cut(empty_store, admin, appended):
    """Someone deletes the newest rows and sets the head back, so the program appends new rows in
    their seq (the sign-in of the next command, say): Verify names the first row cut, not the
    checkpoint's seq nor the newest row."""
    _events(empty_store, admin, 10)
    (cp,) = audit_seal.write_checkpoint(empty_store, user=admin)
    head = audit_seal.read_checkpoint(cp).seq
    cut = head - 3
    _sql(empty_store, f"DELETE FROM audit_event WHERE seq >= {cut}",
         f"UPDATE audit_head SET seq = {cut - 1}, hash = (SELECT hash FROM audit_event WHERE seq = {cut - 1})")
    _events(empty_store, admin, appended, who=User("KSM\\lee", "engineer", "PC-ENG-02", "lee"))
    result = audit_seal.verify(empty_store, user=admin)
    assert not result.intact
    assert (result.first_problem.kind, result.first_problem.seq) == ("cut", cut)
    assert f"cut at seq {cut}" in result.summary() and f"seq {cut}–{head}" in result.summary()
    assert "KSM\\lee" in result.summary() and cp.name in result.summary()
    assert result.problem_count == 1


def test_without_a_checkpoint_deleting_the_newest_rows_is_still_found_by_the_head(empty_store, admin):
    _events(empty_store, admin, 5)
    _sql(empty_store, "DELETE FROM audit_event WHERE seq = 6")
    result = audit_seal.verify(empty_store, user=admin)
    assert (result.first_problem.kind, result.first_problem.seq) == ("truncated", 6)


def test_a_chain_recomputed_from_the_start_is_found_by_the_checkpoint(empty_store, admin):
    from app.store.chain import GENESIS, chain_hash
    _events(empty_store, admin, 6)
    audit_seal.write_checkpoint(empty_store, user=admin)
    engine = create_engine(empty_store.url)
    with engine.begin() as conn:   # a careful forger: edits row 3 and recomputes every hash after it
        conn.execute(text("UPDATE audit_event SET target = 'SR-FORGED' WHERE seq = 3"))
        prev = GENESIS
        for r in conn.execute(text("SELECT id, seq, at, user_name, role, host, action, target, detail, outcome "
                                   "FROM audit_event ORDER BY seq")).all():
            from datetime import datetime
            at = r.at if isinstance(r.at, datetime) else datetime.fromisoformat(r.at)   # SQLite: text
            prev = chain_hash(prev, r.seq, at, r.user_name, r.role, r.host, r.action,
                              r.target, r.detail, r.outcome)
            conn.execute(text("UPDATE audit_event SET hash = :h WHERE id = :i"), {"h": prev, "i": r.id})
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    engine.dispose()
    result = audit_seal.verify(empty_store, user=admin)
    assert not result.intact and result.first_problem.kind == "rewritten"
    assert "rewritten" in result.summary()


def _found(result):
    return [(pr.kind, pr.seq, pr.message) for pr in result.problems]


@pytest.mark.parametrize("tamper, kind, seq", [
    (["UPDATE audit_event SET target = 'SR-9999999' WHERE seq = 6"], "altered", 6),
    (["UPDATE audit_event SET detail = '{}' WHERE seq = 5"], "altered", 5),
    (["DELETE FROM audit_event WHERE seq IN (5, 6)"], "missing", 5),
    (["DELETE FROM audit_event WHERE seq = 7"], "missing", 7),
    (["UPDATE audit_event SET hash = upper(hash) WHERE seq = 9"], "altered", 9),
])
def test_verify_names_the_same_rows_wherever_its_batches_of_rows_begin_and_end(empty_store, admin, monkeypatch,
                                                                                tamper, kind, seq):
    """Verify reads and checks the rows a batch at a time; a problem at a batch's edge, or one that only
    shows row by row, is named exactly as when all rows come in one batch."""
    _events(empty_store, admin, 12)
    _sql(empty_store, *tamper)
    whole = audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)
    assert (whole.first_problem.kind, whole.first_problem.seq) == (kind, seq)
    for batch in (1, 2, 3, 5):
        monkeypatch.setattr(audit_seal, "BATCH", batch)
        assert _found(audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)) == _found(whole)


@pytest.mark.parametrize("batch", [4, 10_000])
def test_a_long_intact_trail_checked_in_batches_is_intact(empty_store, admin, monkeypatch, batch):
    _events(empty_store, admin, 30)
    (cp,) = audit_seal.write_checkpoint(empty_store, user=admin)
    _events(empty_store, admin, 5)
    monkeypatch.setattr(audit_seal, "BATCH", batch)
    result = audit_seal.verify(empty_store, user=admin)
    assert result.intact, result.summary()
    assert result.rows == result.last_seq == 38 and cp.name in result.summary()


@pytest.mark.parametrize("store_backend", ["sqlite"])   # SQLite keeps a value of any type in any column
@pytest.mark.parametrize("tamper, kind, seq", [
    ("UPDATE audit_event SET at = 20260101 WHERE seq = 4", "altered", 4),
    ("UPDATE audit_event SET detail = X'00ff' WHERE seq = 3", "altered", 3),
    ("UPDATE audit_event SET seq = 'four' WHERE seq = 4", "duplicate", None),   # and seq 4 missing
    # one character moved from row 5's hash to row 6's (SQLite does not hold a text to its length): the
    # hashes joined up read the same as before
    ("UPDATE audit_event SET hash = (SELECT substr(e.hash, 64, 1) FROM audit_event e WHERE e.seq = 5) || hash "
     "WHERE seq = 6; UPDATE audit_event SET hash = substr(hash, 1, 63) WHERE seq = 5", "altered", 5),
])
def test_a_row_edited_into_another_type_or_length_is_named_not_a_crash(empty_store, admin, monkeypatch, tamper,
                                                                         kind, seq):
    _events(empty_store, admin, 8)
    _sql(empty_store, *tamper.split("; "))
    for batch in (2, 10_000):
        monkeypatch.setattr(audit_seal, "BATCH", batch)
        result = audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)
        assert (result.first_problem.kind, result.first_problem.seq) == (kind, seq), result.summary()
        if seq is None:
            assert "row id 4 has seq 'four', which is not a number" in result.summary()
            assert [(pr.kind, pr.seq) for pr in result.problems[1:]] == [("missing", 4)]
        else:
            assert f"row seq {seq} (" in result.summary()


def test_a_changed_checkpoint_file_is_refused(empty_store, admin):
    _events(empty_store, admin, 3)
    (cp,) = audit_seal.write_checkpoint(empty_store, user=admin)
    doc = json.loads(cp.read_text(encoding="utf-8"))
    doc["seq"] = doc["seq"] - 2
    cp.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(audit_seal.CheckpointError, match="changed after it was signed"):
        audit_seal.read_checkpoint(cp)
    result = audit_seal.verify(empty_store, cp, user=admin)
    assert not result.intact and cp.name in result.summary()


def test_a_checkpoint_signed_by_a_stranger_is_reported(empty_store, admin, os_keyring, tmp_path):
    _events(empty_store, admin, 3)
    (mine,) = audit_seal.write_checkpoint(empty_store, user=admin, folder=tmp_path / "mine")
    # someone with their own key and write access to the store's settings table, but not ours
    os_keyring.entries.clear()
    _sql(empty_store, "DELETE FROM app_setting WHERE key = 'audit.signers'")
    stranger = User("KSM\\mallory", "admin", "PC-X")
    (forged,) = audit_seal.write_checkpoint(empty_store, user=stranger, folder=tmp_path / "forged")
    os_keyring.entries.clear()
    _sql(empty_store, "DELETE FROM app_setting WHERE key = 'audit.signers'")
    result = audit_seal.verify(empty_store, forged, user=admin, write_checkpoint_if_intact=False)
    assert not result.intact and "not a signer of this store" in result.summary()
    assert mine.exists()


def test_export_writes_the_filtered_rows_and_a_checkpoint(empty_store, admin, engineer, approver, tmp_path):
    _events(empty_store, admin, 4, engineer)
    audit.record(empty_store, "routing.approve", "=HYPERLINK(\"x\")", {"comment": "승인"}, approver)
    out = tmp_path / "감사" / "today.csv"
    result = audit.export(empty_store, out, AuditFilter(user=approver.name), user=admin)
    assert result.rows == 1 and result.checkpoints and not result.checkpoint_error
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")   # UTF-8 with BOM, so Excel shows Korean
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["user"], r["machine"], r["action"], r["outcome"]) for r in rows] == \
        [(approver.name, "PC-LEAD", "routing.approve", "ok")]
    assert rows[0]["target"].startswith("'=")          # never a formula in Excel
    assert "승인" in rows[0]["detail"]
    beside = out.with_name("today.csv.checkpoint.json")
    assert beside in result.checkpoints and audit_seal.read_checkpoint(beside).seq >= 6
    (last,) = audit.query(empty_store, AuditFilter(action="audit.export"), user=admin)
    assert last.detail["rows"] == 1 and last.target == "today.csv"


def test_export_to_excel(empty_store, admin, tmp_path):
    import openpyxl
    _events(empty_store, admin, 3)
    out = tmp_path / "trail.xlsx"
    result = audit.export(empty_store, out, user=admin)
    sheet = openpyxl.load_workbook(out, read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("seq", "at_utc", "at_local") and len(values) - 1 == result.rows == 4
    assert values[1][0] == 4 and "저장" in values[1][9]


def test_export_refuses_other_file_types(empty_store, admin, tmp_path):
    from app.domain.routing import RoutingError
    out = tmp_path / "out"
    with pytest.raises(RoutingError, match="choose a .csv or .xlsx"):
        audit.export(empty_store, out / "trail.pdf", user=admin)
    assert not out.exists()


def _append_many(url: str, who: str, n: int) -> int:
    store = Store(url)
    user = User(who, "engineer", f"PC-{who}")
    for i in range(n):
        audit.record(store, "predict", f"{who}-{i}", {"i": i}, user)
    store.dispose()
    return n


def _appending_at_once(url: str, admin) -> None:
    Store(url).dispose()
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        assert pool.starmap(_append_many, [(url, f"u{k}", 60) for k in range(3)]) == [60] * 3
    store = Store(url)
    try:
        result = audit_seal.verify(store, user=admin, write_checkpoint_if_intact=False)
        assert result.intact, result.summary()
        assert result.rows == result.last_seq == 1 + 180
        assert audit.count(store, AuditFilter(action="predict"), user=admin) == 180
    finally:
        store.dispose()


def test_processes_appending_at_once_keep_one_chain_on_sqlite(tmp_path, admin):
    _appending_at_once(f"sqlite:///{tmp_path / 'shared.sqlite'}", admin)


def test_processes_appending_at_once_keep_one_chain_on_postgresql(pg_url, admin):
    _appending_at_once(pg_url, admin)


def test_an_export_over_a_file_that_cannot_be_replaced_says_so_and_leaves_it(empty_store, admin, tmp_path, monkeypatch):
    from app.domain.routing import RoutingError
    out = tmp_path / "trail.csv"
    out.write_text("the old export, open in Excel", encoding="utf-8")

    def locked(src, dst):   # what Windows does while Excel holds the file
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")
    monkeypatch.setattr("app.services.audit.os.replace", locked)
    with pytest.raises(RoutingError, match=r"trail.csv: the file cannot be replaced .*close it"):
        audit.export(empty_store, out, user=admin)
    assert out.read_text(encoding="utf-8") == "the old export, open in Excel"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "store") == ["trail.csv"]   # no .part left behind


@pytest.mark.parametrize("store_backend", ["sqlite"])   # SQLite's own index (FTS5)
def test_text_search_finds_the_same_with_the_text_index_as_by_reading_every_row(empty_store, admin, engineer,
                                                                                 monkeypatch):
    """SQLite's text index (migration 0006) only speeds the search up: old rows it holds, rows not yet
    in it, and a text in every row give what reading every row gives."""
    assert audit._has_text_index(empty_store), "this SQLite has FTS5 with the trigram tokenizer"
    for i in range(60):
        audit.record(empty_store, "predict", f"SR-{i:07d}", {"note": "배치 검사" if i % 20 == 3 else "x"}, engineer)
    audit._indexed_up_to(empty_store)                       # the index holds these ...
    for i in range(60, 90):                                 # ... not these, until the next search
        audit.record(empty_store, "predict", f"SR-{i:07d}", {"note": "배치 검사" if i == 75 else "y"}, engineer)
    monkeypatch.setattr(audit, "TEXT_CANDIDATES", 12)       # a text in more rows than this is read row by row
    monkeypatch.setattr(audit, "TEXT_INDEX_CATCH_UP", 7)    # and some are read because it lags behind
    searches = ["SR-0000004", "배치 검사", "sr-00000", "PC-ENG", "\"quote", "100%", "SR-00000_5"]
    with_index = {t: [e.seq for e in audit.query(empty_store, AuditFilter(text=t), limit=15, user=admin)]
                  for t in searches}
    pages = [e.seq for e in audit.query(empty_store, AuditFilter(text="SR-"), before_seq=50, limit=15, user=admin)]
    monkeypatch.setitem(audit._text_index, empty_store.url, False)
    assert with_index == {t: [e.seq for e in audit.query(empty_store, AuditFilter(text=t), limit=15, user=admin)]
                          for t in searches}
    assert pages == [e.seq for e in audit.query(empty_store, AuditFilter(text="SR-"), before_seq=50, limit=15,
                                                user=admin)]
    assert len(with_index["배치 검사"]) == 4 and len(with_index["SR-0000004"]) == 1


ODD_TEXT = 'SR-"7"\\ 줄\n바꿈\t\x01 \u2028 😀 100% _x_'


def test_every_way_of_recording_chains_any_text_as_verify_recomputes_it(empty_store, admin, engineer):
    """PostgreSQL hashes a recorded row on the server (the head is locked only while it runs): each
    way of recording writes the hash the chain's formula gives in Python, whatever the text holds."""
    from app.store.chain import GENESIS, chain_hash
    from app.store.db import audit_event
    odd_user = User("KSM\\김민수\"", "engineer", "PC-\\한글")
    audit.record(empty_store, "predict", ODD_TEXT, {"note": ODD_TEXT}, odd_user, log_if_locked=True)
    audit.record(empty_store, "routing.save", ODD_TEXT, {"note": ODD_TEXT, "n": 1.5}, engineer)
    with empty_store.begin() as conn:   # inside the action's own transaction, as a save records it
        audit.record(empty_store, "routing.save", "in the save's transaction", {"k": [ODD_TEXT]}, engineer, conn)
    audit.record(empty_store, "predict", "", None, User("KSM\\x", "engineer", ""), log_if_locked=True)
    with empty_store.engine.connect() as conn:
        rows = conn.execute(audit_event.select().order_by(audit_event.c.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 4
    prev = GENESIS
    for r in rows:
        assert r.hash == chain_hash(prev, r.seq, r.at, r.user_name, r.role, r.host, r.action, r.target, r.detail,
                                    r.outcome), f"row seq {r.seq}"
        prev = r.hash
    assert [r.target for r in rows[-4:]] == [ODD_TEXT, ODD_TEXT, "in the save's transaction", ""]
    assert rows[-4].user_name == "KSM\\김민수\"" and json.loads(rows[-4].detail) == {"note": ODD_TEXT}
    result = audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)
    assert result.intact, result.summary()


def _hold_the_head(store):
    """Another program's open transaction holding the chain's head (a save committing slowly, a tool)."""
    engine = create_engine(store.url)
    conn = engine.connect()
    conn.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
    return engine, conn


@pytest.mark.parametrize("store_backend", ["postgresql"])   # SQLite: test_import_store's predict under a write lock
def test_an_event_that_may_go_to_the_log_waits_briefly_for_a_held_head_then_logs(empty_store, admin, engineer,
                                                                                   caplog):
    first = audit.record(empty_store, "session.sign_in", "", {}, engineer)
    engine, holder = _hold_the_head(empty_store)
    try:
        assert audit.record(empty_store, "predict", "SR-0000001", {}, engineer, log_if_locked=True) == 0
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    assert any("not recorded" in r.getMessage() and "SR-0000001" in r.getMessage() for r in caplog.records)
    # the connection that waited is usable again and the chain goes on from where it was
    assert audit.record(empty_store, "predict", "SR-0000002", {}, engineer, log_if_locked=True) == first + 1
    result = audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)
    assert result.intact and result.rows == first + 1, result.summary()


@pytest.mark.parametrize("store_backend", ["postgresql"])
def test_an_event_that_must_be_recorded_waits_for_the_head_and_is_chained_after_the_holders(empty_store, admin,
                                                                                              engineer):
    import threading
    first = audit.record(empty_store, "session.sign_in", "", {}, engineer)
    engine, holder = _hold_the_head(empty_store)
    got = []
    waiting = threading.Thread(target=lambda: got.append(audit.record(empty_store, "routing.save", "SR-1", {},
                                                                      engineer)))
    try:
        waiting.start()
        waiting.join(3.0)   # longer than a prediction's wait: this one does not give up
        assert got == []
        with_holder = audit._pg_append_params(dict(at=audit.utc_now(), user_name="KSM\\tool", role="admin", host="DB",
                                                   action="settings.change", target="", detail="{}", outcome="ok"))
        assert holder.execute(audit._PG_APPEND_AT_HEAD, with_holder).scalar() == first + 1
        holder.commit()
    finally:
        holder.close()
        engine.dispose()
    waiting.join(30)
    assert got == [first + 2]
    result = audit_seal.verify(empty_store, user=admin, write_checkpoint_if_intact=False)
    assert result.intact and result.rows == first + 2, result.summary()


TEXTS_TO_FIND = ["SR-0000004", "배치 검사", "sr-00000", "PC-ENG", "\"quote", "100%", "SR-00000_5", "z\\y", "없는 글"]


def _text_events(store, engineer):
    for i in range(40):
        note = "배치 검사" if i % 13 == 3 else "100% z\\y" if i == 7 else "\"quote\"" if i == 9 else "x"
        audit.record(store, "predict", f"SR-{i:07d}", {"note": note}, engineer)


@pytest.mark.parametrize("store_backend", ["postgresql"])   # PostgreSQL's own index (pg_trgm, migration 0009)
def test_text_search_on_postgresql_can_use_the_trigram_index_and_finds_what_reading_every_row_finds(
        empty_store, admin, engineer):
    """The search the Audit tab sends is one the trigram index answers (ILIKE '%text%' on target, detail
    and machine; a search written another way, e.g. lower(x) LIKE, would read every row of a million
    again), and it finds the same events with the index as without it."""
    from sqlalchemy import select
    from app.store.db import audit_event
    _text_events(empty_store, engineer)
    with empty_store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_audit_event_text_trgm'"
                                    ).scalar() is not None
        stmt = select(audit_event.c.seq).where(*audit._conditions(AuditFilter(text="SR-0000004"), "postgresql"))
        conn.exec_driver_sql("SET enable_seqscan = off")   # 40 rows: the planner would rightly read them all
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + str(stmt.compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True})))))
    assert "ix_audit_event_text_trgm" in plan, plan
    with_index = {t: [e.seq for e in audit.query(empty_store, AuditFilter(text=t), limit=15, user=admin)]
                  for t in TEXTS_TO_FIND}
    pages = [e.seq for e in audit.query(empty_store, AuditFilter(text="SR-"), before_seq=30, limit=15, user=admin)]
    _sql(empty_store, "DROP INDEX ix_audit_event_text_trgm")
    assert with_index == {t: [e.seq for e in audit.query(empty_store, AuditFilter(text=t), limit=15, user=admin)]
                          for t in TEXTS_TO_FIND}
    assert pages == [e.seq for e in audit.query(empty_store, AuditFilter(text="SR-"), before_seq=30, limit=15,
                                                user=admin)]
    assert len(with_index["배치 검사"]) == 3 and len(with_index["SR-0000004"]) == 1 and with_index["없는 글"] == []
    assert len(with_index["100%"]) == 1 and len(with_index["\"quote"]) == 1
    assert len(with_index["sr-00000"]) == 15   # any case
