"""The store on SQL Server, checked without one (none runs on these machines): the ODBC connection
strings the program builds for each driver and login, the schema the migrations create there, and
the SQL the mssql dialect compiles for every statement the program sends to its store."""
from __future__ import annotations

import os
import re
import sys

import pytest
from odbc_fakes import FakePyodbc
from sqlalchemy import event
from sqlalchemy.dialects.mssql import pyodbc as mssql_pyodbc
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import TextClause

from app.store import migrate
from app.store.db import Store, StoreError, metadata
from app.store.server import choose_store_driver, mssql_connection_string, mssql_engine, store_drivers

WINDOWS_DRIVERS = ["SQL Server", "ODBC Driver 17 for SQL Server", "ODBC Driver 18 for SQL Server",
                   "Microsoft Access Driver (*.mdb, *.accdb)"]


def _keywords(connection_string: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in connection_string.rstrip(";").split(";"))


# ---- connection strings -------------------------------------------------------------------------
def test_windows_login_on_driver_18_trusting_the_plants_certificate():
    cs = mssql_connection_string(r"mssql://ERPSQL01\KSM/routing_ml?TrustServerCertificate=yes",
                                 "ODBC Driver 18 for SQL Server")
    assert _keywords(cs) == {"DRIVER": "{ODBC Driver 18 for SQL Server}", "SERVER": r"ERPSQL01\KSM",
                             "DATABASE": "routing_ml", "Trusted_Connection": "yes", "APP": "Routing ML",
                             "TrustServerCertificate": "yes"}
    assert "UID" not in cs and "PWD" not in cs


def test_driver_17_with_encryption_asked_for_and_a_port():
    spec = "mssql://pg-sql.ksm.local:1450/routing_ml?driver=ODBC+Driver+17+for+SQL+Server&Encrypt=yes"
    cs = mssql_connection_string(spec, "ODBC Driver 17 for SQL Server")
    kw = _keywords(cs)
    assert kw["DRIVER"] == "{ODBC Driver 17 for SQL Server}"
    assert kw["SERVER"] == "pg-sql.ksm.local,1450" and kw["Encrypt"] == "yes"
    assert kw["Trusted_Connection"] == "yes"


def test_a_sql_login_takes_its_password_from_the_keyring_and_braces_it(monkeypatch):
    # connect is a stand-in, so SQLAlchemy gets one for pyodbc too: runs without unixODBC's libodbc
    monkeypatch.setitem(sys.modules, "pyodbc", FakePyodbc(WINDOWS_DRIVERS))
    seen: list[str] = []
    engine, described = mssql_engine("mssql://routing_app@ERPSQL01/routing_ml",
                                     installed_drivers=lambda: WINDOWS_DRIVERS,
                                     password=lambda server, user: "p;w}d=1",
                                     connect=lambda cs: seen.append(cs))
    with pytest.raises(Exception):   # the stand-in connect returns nothing to talk to
        engine.connect()
    kw = seen[0]
    assert "UID=routing_app;" in kw and "PWD={p;w}}d=1};" in kw and "Trusted_Connection" not in kw
    assert "DRIVER={ODBC Driver 18 for SQL Server};" in kw   # the newest installed
    assert described == "SQL Server ERPSQL01, database routing_ml (SQL login routing_app) via ODBC Driver 18 for SQL Server"


def test_freetds_gets_server_and_port_apart_tds_74_and_its_own_encryption_words():
    cs = mssql_connection_string("mssql+pyodbc://erpsql01.ksm.local:1433/routing_ml?Encrypt=yes"
                                 "&TrustServerCertificate=yes", "FreeTDS")
    assert _keywords(cs) == {"DRIVER": "{FreeTDS}", "SERVER": "erpsql01.ksm.local", "DATABASE": "routing_ml",
                             "Trusted_Connection": "yes", "Port": "1433", "Encryption": "require",
                             "TDS_Version": "7.4", "ClientCharset": "UTF-8"}
    named = _keywords(mssql_connection_string(r"mssql://ERPSQL01\KSM/routing_ml?Encrypt=no", "FreeTDS"))
    assert named["SERVER"] == r"ERPSQL01\KSM" and "Port" not in named and named["Encryption"] == "request"


@pytest.mark.parametrize("installed, chosen", [
    (WINDOWS_DRIVERS, "ODBC Driver 18 for SQL Server"),
    (["SQL Server", "ODBC Driver 17 for SQL Server"], "ODBC Driver 17 for SQL Server"),
    (["FreeTDS", "MDBTools"], "FreeTDS"),
    (["SQL Server"], "SQL Server"),
])
def test_the_best_installed_driver_is_chosen(installed, chosen):
    assert choose_store_driver(installed) == chosen
    assert store_drivers(installed)[0] == chosen


def test_no_driver_and_a_missing_named_driver_say_what_to_install():
    with pytest.raises(StoreError, match="No SQL Server ODBC driver is installed.*tdsodbc"):
        _store_with_drivers([])
    with pytest.raises(StoreError, match='"ODBC Driver 18 for SQL Server" is not installed.*ODBC Driver 17'):
        _store_with_drivers(["ODBC Driver 17 for SQL Server"],
                            "mssql://ERPSQL01/routing_ml?driver=ODBC+Driver+18+for+SQL+Server")


def test_a_password_in_the_store_address_is_refused():
    with pytest.raises(StoreError, match="must not contain a password"):
        Store("mssql+pyodbc://sa:secret@ERPSQL01/routing_ml")


def _store_with_drivers(installed, spec="mssql://ERPSQL01/routing_ml"):
    import app.store.server as server
    original = server.mssql_engine

    def fake(spec_, **_):
        return original(spec_, installed_drivers=lambda: installed, connect=lambda cs: None)
    try:
        server.mssql_engine = fake
        return Store(spec)
    finally:
        server.mssql_engine = original


def test_the_freetds_driver_on_this_machine_accepts_the_connection_string():
    """unixODBC loads FreeTDS and it parses every keyword; only the (absent) server is missing."""
    try:
        import pyodbc
    except ImportError:   # no libodbc.so.2
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("the ODBC driver manager is not installed (Debian packages unixodbc tdsodbc)")
    if "FreeTDS" not in pyodbc.drivers():
        if os.environ.get("CI") == "true":
            pytest.fail("FreeTDS ODBC driver missing: .ci/run must install tdsodbc")
        pytest.skip("FreeTDS ODBC driver not installed (Debian package tdsodbc)")
    cs = mssql_connection_string("mssql://127.0.0.1:9/routing_ml?Encrypt=yes", "FreeTDS")
    with pytest.raises(pyodbc.Error) as caught:
        pyodbc.connect(cs + "UID=nobody;PWD=x;", timeout=3)
    state = caught.value.args[0]
    assert state in ("08001", "08S01", "HYT00"), caught.value   # cannot connect, not IM0xx (driver/keyword)


# ---- the schema on SQL Server -----------------------------------------------------------------------
def _final_columns(script: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Replay the migration script: each table's columns with their last type, and every ALTER
    COLUMN SQL Server would refuse because an index still uses the column."""
    tables: dict[str, dict[str, str]] = {}
    indexes: dict[str, tuple[str, list[str]]] = {}
    refused = []
    for stmt in (s.strip() for s in script.split("\nGO")):
        body = "\n".join(line for line in stmt.splitlines() if not line.startswith("--")).strip().rstrip(";")
        if m := re.match(r"CREATE TABLE (\w+) \((.*)\)$", body, re.S):
            cols = {}
            for line in re.split(r",\s*\n", m.group(2)):
                line = line.strip()
                if c := re.match(r"\[?(\w+)\]? ((?:N?VARCHAR|NCHAR|VARCHAR)\([^)]*\)|\w+(?:\(\d+\))?)", line):
                    if c.group(1) not in ("PRIMARY", "CONSTRAINT", "UNIQUE", "FOREIGN"):
                        cols[c.group(1)] = c.group(2)
            tables[m.group(1)] = cols
        elif m := re.match(r"ALTER TABLE (\w+) ADD \[?(\w+)\]? (\S+)", body):
            tables[m.group(1)][m.group(2)] = m.group(3)
        elif m := re.match(r"ALTER TABLE (\w+) ALTER COLUMN \[?(\w+)\]? (\S+)", body):
            table, col = m.group(1), m.group(2)
            users = [name for name, (t, cols) in indexes.items() if t == table and col in cols]
            if users:
                refused.append(f"{table}.{col} (index {', '.join(users)})")
            tables[table][col] = m.group(3)
        elif m := re.match(r"CREATE (?:UNIQUE )?INDEX \[?(\w+)\]? ON (\w+) \((.*)\)", body):
            indexes[m.group(1)] = (m.group(2), [c.strip(" []") for c in m.group(3).split(",")])
        elif m := re.match(r"DROP INDEX \[?(\w+)\]? ON (\w+)", body):
            indexes.pop(m.group(1))
    return tables, refused


def test_the_migrations_make_on_sql_server_exactly_the_programs_tables_with_unicode_text():
    script = migrate.offline_sql("mssql")
    tables, refused = _final_columns(script)
    assert refused == []   # SQL Server: "ALTER TABLE ALTER COLUMN failed because one or more objects access this column"
    dialect = mssql_pyodbc.dialect(deprecate_large_types=True)
    for table in metadata.sorted_tables:
        expected = _final_columns(str(CreateTable(table).compile(dialect=dialect)) + "\nGO")[0][table.name]
        assert tables[table.name] == expected, table.name
    # Korean (user names, operation names, folders, notes) needs N-types: no VARCHAR holds people's text
    for table, cols in tables.items():
        for col, type_ in cols.items():
            if type_.startswith(("VARCHAR", "TEXT", "NTEXT")):
                assert col in {"version_num", "status", "model_version", "version", "action", "outcome", "hash",
                               "role", "key", "format", "kind", "sha256", "signature", "signer_key"}, f"{table}.{col} is {type_}"
    assert "NTEXT" not in script and " TEXT" not in script.split("0004")[-1]


# ---- every statement the program sends to its store, compiled for SQL Server --------------------
@pytest.fixture
def recorded(tmp_path, demo_plant_file, admin, approver, engineer):
    """Every SQL statement a day's work sends to a store: import, train, evaluate, predict, browse,
    save / conflict / approve / reject, export, roles, audit list / export / verify / checkpoint."""
    statements: list[ClauseElement | str] = []

    def keep(conn, clause, multiparams, params, execution_options):
        statements.append(clause)

    event.listen(Engine, "before_execute", keep)
    try:
        _a_days_work(tmp_path, demo_plant_file, admin, approver, engineer)
    finally:
        event.remove(Engine, "before_execute", keep)
    return statements


def _a_days_work(tmp_path, plant_file, admin, approver, engineer):
    from app.ml.model import PredictOptions
    from app.services import audit, audit_seal, catalog, models, roles, routings
    from app.services.audit import AuditFilter
    from app.services.export import selection
    from app.services.export.profiles import list_profiles, load_profile
    from app.services.export.service import ExportTarget, export, recent_exports
    from app.services.importing import import_source
    from app.services.prediction import predict_items
    from app.services.routings import ConflictError

    store = Store(str(tmp_path / "store.sqlite"))
    try:
        import_source(store, str(plant_file), user=admin)
        first = models.train(store, user=admin)
        models.train(store, user=admin)
        models.save_metrics(store, first, {"top1": 0.5})
        models.activate(store, first, user=admin)
        models.rollback(store, user=admin)
        catalog.search_items(store, "SUS", only_without_routing=True)
        code = store.item_codes()[0]
        batch = predict_items(store, [code, "NO-SUCH"], PredictOptions(top_k=5), user=engineer)
        ops = batch.predictions[0].candidates[0].operations
        saved = routings.save_routing(store, code, ops, "submitted", user=engineer)
        with pytest.raises(ConflictError):
            routings.save_routing(store, code, ops[:1], "draft", expected_revision=None, user=engineer)
        routings.approve(store, code, "확인", user=approver)
        routings.save_routing(store, code, ops[:1], "submitted", expected_revision=saved.revision + 1, user=engineer)
        routings.reject(store, code, "시간 확인", user=approver)
        routings.list_saved(store)
        routings.check_new_item_code(store, "NEW-0001", None)
        chosen = selection.from_saved(store, selection.SavedFilter())
        profile = load_profile(store, list_profiles(store)[0].profile.name).profile
        profile.lookups["EMPLOYEE_NO"].values.update({"KSM\\kim": "133111", "KSM\\park.admin": "120045",
                                                      "KSM\\choi.lead": "120046"})
        export(store, profile, chosen, ExportTarget("csv", str(tmp_path / "erp")), user=admin)
        recent_exports(store)
        roles.set_role(store, "KSM\\김철수", "approver", user=admin)
        roles.list_roles(store, user=admin)
        audit.query(store, AuditFilter(text="확인", action="routing."), limit=50, user=admin)
        audit.count(store, AuditFilter(outcome="ok"), user=admin)
        audit.filter_choices(store, user=admin)
        audit.export(store, tmp_path / "audit.csv", AuditFilter(), user=admin)
        audit_seal.verify(store, user=admin)
        store.last_import()
    finally:
        store.dispose()


def test_every_statement_the_program_sends_its_store_compiles_for_sql_server(recorded):
    dialect = mssql_pyodbc.dialect(deprecate_large_types=True)
    compiled = []
    for stmt in recorded:
        if isinstance(stmt, str) or isinstance(stmt, TextClause):
            continue   # checked below
        compiled.append(str(stmt.compile(dialect=dialect)))   # CompileError: SQL Server cannot run it
    assert len(compiled) > 100
    for sql in compiled:
        upper = sql.upper()
        assert not re.search(r"\bLIMIT\b|\bRETURNING\b|\bFOR UPDATE\b|\bILIKE\b|\|\|", upper), sql
        if "OFFSET" in upper:
            assert "ORDER BY" in upper, sql   # SQL Server pages only an ordered query
    # row locks become table hints, and Boolean columns BIT comparisons
    assert any("WITH (UPDLOCK" in s for s in compiled)   # the audit chain's head is locked by the appender
    textual = {str(s) if isinstance(s, str) else s.text for s in recorded if isinstance(s, (str, TextClause))}
    # textual SQL is SQLite's own (issued only on SQLite) or portable
    for sql in textual:
        assert re.match(r"(PRAGMA|BEGIN|SELECT 1\b|SELECT seq, hash)", sql.strip(), re.I), sql


def test_the_migration_lock_on_sql_server_is_an_application_lock_of_the_transaction():
    seen = []

    class Conn:
        class dialect:
            name = "mssql"

        def execute(self, clause):
            seen.append(clause.text)

    migrate._lock_for_migration(Conn())
    assert seen and "sp_getapplock" in seen[0] and "@LockOwner = 'Transaction'" in seen[0]


def test_the_script_is_t_sql_batches_in_one_transaction():
    """What a database administrator may run by hand (docs/deploy.md): GO-separated batches."""
    script = migrate.offline_sql("mssql")
    assert script.lstrip().startswith("BEGIN TRANSACTION") and script.rstrip().endswith("GO")
    assert script.rstrip()[:-2].rstrip().endswith("COMMIT;")


def test_the_administrators_script_makes_a_store_the_program_opens_as_it_is(pg_url, capsys):
    """`routing-ml store-schema --server postgresql`, run by hand on an empty database, gives the
    program a store it neither migrates nor refuses."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from app.cli import main
    assert main(["store-schema", "--server", "postgresql"]) == 0
    script = capsys.readouterr().out
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(script)
            assert migrate.current_revision(conn) == migrate.head_revision()
            # beyond the tables: the audit trail's trigram index for text search (migration 0009)
            assert [(d[0], d[1].name) for d in compare_metadata(MigrationContext.configure(conn), metadata)] == \
                [("remove_index", "ix_audit_event_text_trgm")]
    finally:
        engine.dispose()
    store = Store(pg_url)
    store.dispose()
