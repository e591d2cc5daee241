"""Faults on a shared (PostgreSQL) store: a process killed with kill -9 in the middle of a save, an
import or a training leaves nothing half-written and nothing locked; the server dropping every
connection in the middle of an export fails cleanly and a retry writes each row once; a store of
the first schema version is upgraded on PostgreSQL keeping its data."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.domain.access import User
from app.domain.routing import Operation
from app.services import models, routings
from app.services.importing import import_source
from app.store.db import Store, audit_event, import_run, model_version, saved_routing, store_file

ROOT = Path(__file__).resolve().parents[2]
ADMIN = User("KSM\\park.admin", "admin", "PC-ADMIN", "park.admin")

# Runs one action in a child process and stops it, holding its open transaction, at the moment
# named by HOLD: the test then kills it with SIGKILL.
CHILD = textwrap.dedent('''
    import sys, time
    from app.domain.access import User
    from app.domain.routing import Operation
    from app.store.db import Store
    url, action, item = sys.argv[1], sys.argv[2], sys.argv[3]
    user = User("KSM\\\\kim", "admin", "PC-07", "kim")
    store = Store(url)

    def hold(*args, **kwargs):
        print("HOLDING", flush=True)
        time.sleep(300)

    if action == "save":
        from app.services import audit, routings
        real = audit.record
        def record(store_, action_, *a, **k):
            n = real(store_, action_, *a, **k)
            if action_ == "routing.save":
                hold()
            return n
        audit.record = record
        saved = routings.load_saved(store, item)
        routings.save_routing(store, item, saved.operations[:1], expected_revision=saved.revision, user=user)
    else:
        from app.store import blobs
        real_put = blobs.put_folder
        def put(conn, kind, owner, folder):
            real_put(conn, kind, owner, folder)
            hold()
        blobs.put_folder = put
        if action == "import":
            from app.services.importing import import_source
            import_source(store, sys.argv[4], user=user, allow_shrink=True)
        else:
            from app.services import models
            models.train(store, user=user)
''')


def _kill_while_holding(url: str, action: str, item: str = "", *extra: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url, action, item, *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "HOLDING", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    _until_the_server_has_buried_it(url)


def _until_the_server_has_buried_it(url: str) -> None:
    """The server ends a dead client's transaction (and its locks) when it sees the socket close."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as c:
            for _ in range(300):
                if not c.execute(sa.text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND pid <> pg_backend_pid() AND state <> 'idle'")).scalar():
                    return
                time.sleep(0.1)
    finally:
        engine.dispose()


def _counts(store: Store) -> dict:
    with store.engine.connect() as conn:
        return {
            "routing revisions": conn.execute(select(func.sum(saved_routing.c.revision))).scalar(),
            "audit events": conn.execute(select(func.count()).select_from(audit_event)).scalar(),
            "imports": conn.execute(select(func.count()).select_from(import_run)).scalar(),
            "models": conn.execute(select(func.count()).select_from(model_version)).scalar(),
            "files": sorted(conn.execute(select(store_file.c.kind, store_file.c.owner, store_file.c.name,
                                                store_file.c.sha256)).all()),
        }


@pytest.fixture
def shared(pg_url, demo_plant_file):
    store = Store(pg_url)
    import_source(store, str(demo_plant_file), user=ADMIN)
    models.train(store, user=ADMIN)
    routings.save_routing(store, "SR-0000001", [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, 12.5),
                                                Operation(20, "H10-1", "열처리", "HT-01", "외주", 0, 0)], user=ADMIN)
    yield store
    store.dispose()


@pytest.mark.parametrize("action", ["save", "import", "train"])
def test_a_process_killed_mid_write_leaves_the_shared_store_as_it_was_and_unlocked(action, shared, demo_plant_file):
    before = _counts(shared)
    _kill_while_holding(shared.url, action, "SR-0000001", str(demo_plant_file))
    after = _counts(shared)
    if action == "train":   # the trail says a training started (recorded before it), and no more
        with shared.engine.connect() as conn:
            newest = conn.execute(select(audit_event.c.action).order_by(audit_event.c.seq.desc()).limit(1)).scalar()
        assert newest == "model.train_start"
        after["audit events"] -= 1
    assert after == before
    # nothing stays locked: the same action by someone else goes through at once
    lee = User("KSM\\lee", "admin", "PC-08", "lee")
    if action == "save":
        saved = routings.load_saved(shared, "SR-0000001")
        again = routings.save_routing(shared, "SR-0000001", saved.operations[:1], expected_revision=saved.revision,
                                      user=lee)
        assert again.revision == saved.revision + 1
    elif action == "import":
        assert import_source(shared, str(demo_plant_file), user=lee).counts["items"] > 0
    else:
        version = models.train(shared, user=lee)
        assert models.active_version(shared) == version


def test_the_server_dropping_every_connection_between_predictions_costs_the_next_ones_nothing(shared, monkeypatch):
    """A restart of the server cuts every session of this PC's pool: the next prediction still works
    (the active model's read is its connection's ping and runs again on a new connection; the audit
    event's connection is pinged on checkout), and so does any other read. A prediction pings one
    connection, not two: each round trip waits for a CPU on a loaded PC."""
    from sqlalchemy.pool import NullPool

    from app.services.prediction import predict_items
    lee = User("KSM\\lee", "engineer", "PC-08", "lee")
    admin = sa.create_engine(shared.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def restart_the_server() -> None:
        with admin.connect() as c:
            assert c.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE pid <> pg_backend_pid() AND datname = current_database()")).scalar()
        time.sleep(0.2)

    code = shared.item_codes()[5]
    first = predict_items(shared, [code], user=lee).to_json()
    restart_the_server()
    assert predict_items(shared, [code], user=lee).to_json() == first
    predict_items(shared, [code], user=lee)
    pings = []
    do_ping = shared.engine.dialect.do_ping
    monkeypatch.setattr(shared.engine.dialect, "do_ping", lambda c: pings.append(c) or do_ping(c))
    assert predict_items(shared, [code], user=lee).to_json() == first
    assert len(pings) == 1
    restart_the_server()
    assert models.list_models(shared)[0]["active"] and models.active_version(shared)
    assert len(pings) == 2
    admin.dispose()


def test_the_server_dropping_every_connection_mid_export_fails_cleanly_and_a_retry_writes_each_row_once(
        shared, pg_database_factory, tmp_path):
    from app.services.export import selection as sel
    from app.services.export.profile import default_profile
    from app.services.export.service import ExportError, ExportTarget, export, recent_exports
    from app.services.prediction import predict_items
    from app.services.progress import Progress

    target = pg_database_factory()
    lee = User("KSM\\lee", "engineer", "PC-08", "lee")
    profile = default_profile()
    profile.lookups["EMPLOYEE_NO"].values["KSM\\lee"] = "133111"
    routed = set(shared.routed_item_codes().to_list())
    codes = [c for c in shared.item_codes() if c not in routed][:20]
    chosen = sel.from_batch(predict_items(shared, codes, user=lee), user=lee)
    admin = sa.create_engine(target.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    restarted = []

    def restart_the_server(fraction, message):   # what a restart does to every session: cut it
        if "rows written" in message and not restarted:
            with admin.connect() as c:
                restarted.append(c.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND datname IN (:store, :target)"), {"store": shared.engine.url.database,
                                                          "target": sa.engine.make_url(target).database}).all())
    with pytest.raises(ExportError, match="connection was lost.*nothing of this export was written"):
        export(shared, profile, chosen, ExportTarget("db", target, create_tables=True), user=lee,
               progress=Progress(restart_the_server))
    assert restarted and restarted[0]
    tables = [t.name for t in profile.tables]
    with admin.connect() as c:
        present = set(sa.inspect(c).get_table_names())
        assert all(c.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar() == 0 for t in tables if t in present)
    assert recent_exports(shared) == []

    done = export(shared, profile, chosen, ExportTarget("db", target, create_tables=True), user=lee)   # the retry
    with admin.connect() as c:
        written = {t: c.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in tables}
    assert written == done.written and sum(written.values()) > len(codes)   # each row once
    assert [r["routings"] for r in recent_exports(shared)] == [len(chosen.routings)]
    admin.dispose()


def test_a_postgresql_store_of_the_first_schema_is_upgraded_keeping_its_routings_and_imports(pg_url):
    """The first release's tables (revision 0001) with its rows, upgraded in place at the next start."""
    from alembic import command

    from app.services import audit_seal
    from app.store import migrate
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), migrate.FIRST_REVISION)
        conn.execute(sa.text(
            'INSERT INTO saved_routing ("ITEM_CD", "ROUT_NO", status, revision, operations, note, created_by, '
            'created_at, updated_by, updated_at) VALUES (:i, :r, :s, 2, :o, :n, :u, :t, :u, :t)'),
            {"i": "SR-0000007", "r": "ML-001", "s": "submitted", "n": "첫 저장", "u": "KSM\\김철수",
             "t": datetime(2026, 11, 2, 8, 5), "o": json.dumps([{"PROC_SEQ": 10, "JOB_CD": "A01-2",
                                                                "JOB_NM": "CNC 황삭", "RES_CD": "CNC-01",
                                                                "INSIDE_FLAG": "사내", "SETUP_TIME": 30,
                                                                "RUN_TIME": 12.5}], ensure_ascii=False)})
        conn.execute(sa.text("INSERT INTO import_run (source, started_at, finished_at, user_name, counts, warnings) "
                             "VALUES ('folder C:/erp/공장', :t, :t, :u, '{}', '[\"경고\"]')"),
                     {"t": datetime(2026, 11, 1, 9, 0), "u": "KSM\\김철수"})
        conn.execute(sa.text("INSERT INTO audit_event (at, user_name, host, action, target, detail) "
                             "VALUES (:t, :u, 'PC-07', 'routing.submitted', 'SR-0000007', '{}')"),
                     {"t": datetime(2026, 11, 2, 8, 5), "u": "KSM\\김철수"})
    engine.dispose()
    store = Store(pg_url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        saved = routings.load_saved(store, "SR-0000007")
        assert (saved.revision, saved.status, saved.note, saved.updated_by) == (2, "submitted", "첫 저장", "KSM\\김철수")
        assert saved.operations[0].JOB_NM == "CNC 황삭"
        assert store.last_import()["source"] == "folder C:/erp/공장"
        result = audit_seal.verify(store, user=ADMIN)
        assert result.intact and result.sealed_legacy_rows == 1
        # and it works as a store: a save on top of the old row
        again = routings.save_routing(store, "SR-0000007", saved.operations, "draft", expected_revision=2, user=ADMIN)
        assert again.revision == 3
    finally:
        store.dispose()
