"""The store's schema is created and upgraded in place by Alembic, on SQLite and PostgreSQL."""
from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app.store import migrate
from app.store.db import Store, StoreError, metadata

DATA = Path(__file__).resolve().parent.parent / "data"
FIRST_STORE = DATA / "store-v0.sqlite"   # made by Routing ML 9c6ba4f, before migrations existed
SCHEMA_0001_STORE = DATA / "store-v1.sqlite"   # made by Routing ML 868c961 (schema 0001): Korean names, no chain


def _schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    # SQLite's text index of the trail (migration 0006) is an FTS5 table with its own shadow tables,
    # which no Table describes; PostgreSQL's (0009) a GIN index with pg_trgm's operator class, made
    # only where the extension could be
    return [d for d in differences if not (d[0] == "remove_table" and d[1].name.startswith("audit_text"))
            and not (d[0] == "remove_index" and d[1].name == "ix_audit_event_text_trgm")]


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return migrate.current_revision(conn)
    finally:
        engine.dispose()


def test_a_new_sqlite_store_gets_every_table_the_program_uses(tmp_path):
    store = Store(str(tmp_path / "new.sqlite"))
    store.dispose()
    assert _revision(store.url) == migrate.head_revision()
    assert _schema_differences(store.url) == []


def test_a_new_postgresql_store_gets_every_table_the_program_uses(pg_url):
    store = Store(pg_url)
    store.dispose()
    assert _revision(pg_url) == migrate.head_revision()
    assert _schema_differences(pg_url) == []


def test_a_store_made_before_migrations_is_upgraded_and_keeps_every_saved_routing(tmp_path):
    from app.services.routings import list_saved, load_saved
    path = tmp_path / "store.sqlite"
    shutil.copy(FIRST_STORE, path)
    store = Store(str(path))
    try:
        assert _revision(store.url) == migrate.head_revision()
        assert _schema_differences(store.url) == []
        saved = {s.ITEM_CD: s for s in list_saved(store)}
        assert set(saved) == {"SR-0000001", "GL-0000042"}
        first = load_saved(store, "SR-0000001")
        assert (first.revision, first.status, first.note) == (2, "submitted", "첫 저장")
        assert [(o.PROC_SEQ, o.JOB_CD, o.JOB_NM, o.SETUP_TIME, o.RUN_TIME) for o in first.operations] == [
            (10, "A01-2", "CNC 황삭", 30.0, 12.5), (20, "H10-1", "열처리", 0.0, 0.0)]
        other = saved["GL-0000042"]
        assert (other.model_version, other.candidate_rank, other.operations[-1].RUN_TIME) == \
            ("20261102-080500", 2, 1.25)
        last = store.last_import()
        assert last["source"] == "folder C:/erp/plant" and "경고" in last["warnings"]
        # 0002: mapping profiles (the shipped ERP one is put in on first use) and the export record
        from app.services.export.profiles import list_profiles
        from app.services.export.service import recent_exports
        assert [p.profile.name for p in list_profiles(store)] == ["ERP"]
        assert recent_exports(store) == []
    finally:
        store.dispose()
    # opening it again changes nothing
    again = Store(str(path))
    again.dispose()
    assert _revision(again.url) == migrate.head_revision()


@pytest.mark.parametrize("made_by, legacy", [
    (FIRST_STORE, [("kim.engineer", "routing.draft", "SR-0000001"), ("kim.engineer", "routing.submitted", "SR-0000001"),
                   ("kim.engineer", "routing.draft", "GL-0000042")]),
    (SCHEMA_0001_STORE, [("KSM\\김철수", "routing.draft", "SR-0000007"), ("KSM\\김철수", "routing.submitted", "SR-0000007"),
                         ("KSM\\김철수", "data.import", "folder C:/erp/공장")]),
])
def test_an_older_stores_audit_rows_stay_readable_and_are_sealed_into_the_chain(made_by, legacy, tmp_path, admin):
    """Rows from before the chain become seq 1..N (times moved from local time to UTC), then an
    `audit.chain_started` row; Verify says they are intact and how many were sealed at the upgrade."""
    from datetime import datetime

    from app.services import audit, audit_seal
    from app.services.audit import AuditFilter
    path = tmp_path / "store.sqlite"
    shutil.copy(made_by, path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        local_times = [datetime.fromisoformat(t) for t in conn.execute(text("SELECT at FROM audit_event ORDER BY id")).scalars()]
    engine.dispose()
    store = Store(str(path))
    try:
        events = list(reversed(audit.query(store, AuditFilter(), user=admin)))
        assert [(e.user_name, e.action, e.target) for e in events[:3]] == legacy
        assert [e.seq for e in events] == [1, 2, 3, 4] and events[3].action == "audit.chain_started"
        assert [e.at for e in events[:3]] == [audit.to_utc(t) for t in local_times]
        assert all(e.role == "" and e.outcome == "ok" for e in events[:3])
        if made_by == SCHEMA_0001_STORE:
            assert events[2].detail["warnings"] == ["경고: 열 없음"]
        audit.record(store, "routing.approve", "SR-0000007", {"comment": "확인"}, admin)
        result = audit_seal.verify(store, user=admin)
        assert result.intact, result.summary()
        assert result.sealed_legacy_rows == 3 and result.rows == 5
    finally:
        store.dispose()


def test_a_store_newer_than_the_program_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(str(path)).dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"written by a newer Routing ML .*store schema 9999.*update Routing ML"):
        Store(str(path))
    assert path.read_bytes() == before


def test_the_command_line_refuses_a_newer_store_in_one_line(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(str(path)).dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    done = subprocess.run([sys.executable, "-m", "app", "--store", str(path), "models"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer Routing ML" in lines[0] and str(path) in lines[0]


def test_a_file_of_someone_elses_tables_is_not_turned_into_a_store(tmp_path):
    path = tmp_path / "plant.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE BI_ITEM_INFO_VIEW (ITEM_CD TEXT)"))
    engine.dispose()
    with pytest.raises(StoreError, match="is not a Routing ML store .*BI_ITEM_INFO_VIEW"):
        Store(str(path))
    engine = create_engine(f"sqlite:///{path}")
    assert inspect(engine).get_table_names() == ["BI_ITEM_INFO_VIEW"]
    engine.dispose()


FAILING_MIGRATION = '''
import sqlalchemy as sa
from alembic import op
revision = "zz_fail"
down_revision = "{head}"
branch_labels = None
depends_on = None
def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("saved_routing", sa.Column("extra", sa.Integer))
    raise RuntimeError("disk full in the middle of the upgrade")
def downgrade():
    pass
'''


def _with_failing_migration(tmp_path, monkeypatch) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "zz_fail.py").write_text(
        FAILING_MIGRATION.format(head=migrate.head_revision()), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)


def _upgrade_that_fails(url: str, tmp_path, monkeypatch) -> None:
    Store(url).dispose()    # at today's head, with a saved routing
    from app.domain.routing import Operation
    from app.services.routings import save_routing
    store = Store(url)
    save_routing(store, "SR-1", [Operation(10, "A01-2", RES_CD="CNC-01", RUN_TIME=2.0)])
    store.dispose()
    head = migrate.head_revision()
    _with_failing_migration(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        Store(url)
    monkeypatch.undo()
    assert _revision(url) == head
    engine = create_engine(url)
    try:
        assert "half_done" not in inspect(engine).get_table_names()
        assert "extra" not in {c["name"] for c in inspect(engine).get_columns("saved_routing")}
    finally:
        engine.dispose()
    store = Store(url)
    from app.services.routings import load_saved
    assert load_saved(store, "SR-1").operations[0].RUN_TIME == 2.0
    store.dispose()


def test_an_upgrade_that_fails_half_way_leaves_a_sqlite_store_as_it_was(tmp_path, monkeypatch):
    _upgrade_that_fails(f"sqlite:///{tmp_path / 'store.sqlite'}", tmp_path, monkeypatch)


def test_an_upgrade_that_fails_half_way_leaves_a_postgresql_store_as_it_was(pg_url, tmp_path, monkeypatch):
    _upgrade_that_fails(pg_url, tmp_path, monkeypatch)


def _open_store(url: str) -> str:
    Store(url).dispose()
    return "ok"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_several_pcs_opening_a_new_store_at_once_all_succeed(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(_open_store, [url] * 4) == ["ok"] * 4
    assert _revision(url) == migrate.head_revision()
    assert _schema_differences(url) == []


def test_a_store_of_the_first_schema_gets_the_export_tables_in_place(tmp_path):
    """A store at 0001 (made by the release before mapping profiles) upgrades to 0002 and keeps its rows."""
    from app.services.routings import list_saved
    path = tmp_path / "store.sqlite"
    shutil.copy(FIRST_STORE, path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
    engine.dispose()
    assert _revision(f"sqlite:///{path}") == "0001"
    store = Store(str(path))
    try:
        assert _revision(store.url) == migrate.head_revision()
        assert _schema_differences(store.url) == []
        assert {"mapping_profile", "export_run"} <= set(inspect(store.engine).get_table_names())
        assert {s.ITEM_CD for s in list_saved(store)} == {"SR-0000001", "GL-0000042"}
    finally:
        store.dispose()


def test_a_postgresql_login_that_may_not_create_pg_trgm_gets_a_store_without_the_text_index_and_a_warning(
        pg_url, caplog, admin):
    """pg_trgm needs the right to create objects in the database: a login without it still gets its
    store, a warning with the two statements a database administrator can run, and a text search
    that reads the rows."""
    import uuid

    from sqlalchemy.engine import make_url

    from app.services import audit
    from app.services.audit import AuditFilter
    role = f"rml_no_ext_{uuid.uuid4().hex[:8]}"
    server = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(text(f'GRANT CREATE ON SCHEMA public TO "{role}"'))   # its tables, not extensions
        url = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
        with caplog.at_level("WARNING"):
            store = Store(url)
        try:
            assert _revision(pg_url) == migrate.head_revision()
            warned = [r for r in caplog.records if getattr(r, "user_notice", None)]
            assert len(warned) == 1 and "permission denied" in warned[0].getMessage()
            assert "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX" in warned[0].getMessage()
            audit.record(store, "predict", "SR-0000042", {}, admin)
            assert [e.target for e in audit.query(store, AuditFilter(text="0042"), user=admin)] == ["SR-0000042"]
        finally:
            store.dispose()
        with server.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_audit_event_text_trgm'")
                                ).scalar() == 0
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        server.dispose()
