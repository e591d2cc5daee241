"""`routing-ml export` and `routing-ml profiles` as an engineer runs them (as the OS user, whose
role the store gives)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.cli import main
from app.services import identity, roles
from app.services.export import profiles


class Run:
    def __init__(self, capsys, store):
        self.capsys, self.store = capsys, store

    def __call__(self, *args):
        code = main(["--store", str(self.store.path) if self.store.path else self.store.url, *args])
        out, err = self.capsys.readouterr()
        return type("Done", (), {"returncode": code, "stdout": out, "stderr": err})()


@pytest.fixture
def store(trained_store, admin, engineer):
    """The trained demo store whose ERP profile knows the OS user's and kim's employee numbers."""
    me = identity.signed_in_user(trained_store)
    stored = profiles.load_profile(trained_store, "ERP")
    stored.profile.lookups["EMPLOYEE_NO"].values.update({me.name: "133111", engineer.name: "120077"})
    roles.set_role(trained_store, admin.name, "admin", user=me)
    profiles.save_profile(trained_store, stored.profile, stored.revision, admin)
    return trained_store


@pytest.fixture
def run(capsys, store):
    return Run(capsys, store)


def new_items(store, n):
    routed = set(store.routed_item_codes().to_list())
    return [c for c in store.item_codes() if c not in routed][:n]


def test_export_of_predicted_items_prints_what_went_where_as_json(run, store, tmp_path):
    codes = new_items(store, 5)
    done = run("export", "--profile", "ERP", "--format", "csv", "--out", str(tmp_path / "out"),
               "--items", *codes, "NOPE-1", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["written"]["P_BOP_PROC_MASTER"] == 5 and out["written"]["P_BOP_PROC_DETAIL"] > 5
    assert out["files"] == [str(tmp_path / "out" / f"{t}.csv") for t in
                            ("P_BOP_PROC_MASTER", "P_BOP_PROC_DETAIL", "P_BOP_PROC_CHILD", "P_BOP_PROC_RES")]
    assert out["skipped"] == [{"ITEM_CD": "NOPE-1", "reason": f"item NOPE-1 is not in the item master of store "
                                                              f"{store.describe()}"}]


def test_export_into_a_database_with_a_dry_run_first(run, store, tmp_path):
    codes_file = tmp_path / "codes.csv"
    codes_file.write_text("품목코드\n" + "\n".join(new_items(store, 3)) + "\n", encoding="cp949")
    target = tmp_path / "staging.sqlite"
    dry = run("export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
              "--create-tables", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run, nothing written — would write 3 routing(s) through profile ERP" in dry.stdout
    assert "first rows of P_BOP_PROC_DETAIL" in dry.stdout and not target.exists()
    done = run("export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
               "--create-tables")
    assert done.returncode == 0, done.stderr
    assert "exported 3 routing(s) through profile ERP to SQLite file" in done.stdout
    engine = sa.create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        assert conn.execute(sa.text('SELECT COUNT(*) FROM "P_BOP_PROC_MASTER"')).scalar() == 3
    engine.dispose()
    again = run("export", "--format", "db", "--out", str(target), "--items-file", str(codes_file))
    assert again.returncode == 2
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in P_BOP_PROC_MASTER" in lines[0] and "choose Replace" in lines[0]
    replaced = run("export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
                   "--replace", "--json")
    assert replaced.returncode == 0 and len(json.loads(replaced.stdout)["replaced"]) == 3


def test_a_refused_export_is_one_line_naming_routing_table_column_and_reason(run, store, tmp_path, admin):
    me = identity.signed_in_user(store).name
    stored = profiles.load_profile(store, "ERP")
    del stored.profile.lookups["EMPLOYEE_NO"].values[me]
    profiles.save_profile(store, stored.profile, stored.revision, admin)
    done = run("export", "--format", "xlsx", "--out", str(tmp_path / "x.xlsx"), "--items", *new_items(store, 2))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("routing-ml: export refused: all 2 routings are invalid — routing ")
    assert f"P_BOP_PROC_MASTER.ROU_DEV_USER_ID in row 1: '{me}' is not in lookup EMPLOYEE_NO" in lines[0]
    assert "more problems" in lines[0] and not (tmp_path / "x.xlsx").exists()


def test_export_of_saved_routings_by_status(run, store, tmp_path, engineer):
    from app.domain.routing import Operation
    from app.services.routings import save_routing
    save_routing(store, "SR-0000001", [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2)], "submitted",
                 user=engineer)
    save_routing(store, "SR-0000002", [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2)], "draft", user=engineer)
    done = run("export", "--format", "csv", "--out", str(tmp_path / "o"), "--saved", "--status", "submitted",
               "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"]["P_BOP_PROC_MASTER"] == 1
    none = run("export", "--format", "csv", "--out", str(tmp_path / "o"), "--saved", "--approved-only")
    assert none.returncode == 2
    assert none.stderr.strip() == "routing-ml: nothing to export: saved routings (approved) holds no routing"


def test_profiles_list_show_export_and_import(run, store, tmp_path, admin):
    listed = run("profiles", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("ERP ")
    assert "P_BOP_PROC_DETAIL 93" in listed.stdout
    shown = run("profiles", "show", "ERP")
    me = identity.signed_in_user(store).name
    assert json.loads(shown.stdout)["lookups"][2]["values"] == {me: "133111", "KSM\\kim": "120077"}
    path = tmp_path / "site.json"
    assert run("profiles", "export", "ERP", str(path)).returncode == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["name"] = "SITE-B"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    imported = run("profiles", "import", str(path))
    assert imported.returncode == 0 and "imported profile SITE-B" in imported.stdout
    roles.set_role(store, me, "engineer", user=admin)
    refused = run("profiles", "import", str(path), "--replace")
    assert refused.returncode == 2
    assert f"{me} (engineer) may not edit mapping profiles: it needs the admin role" in refused.stderr
    missing = run("export", "--profile", "NOPE", "--format", "csv", "--out", str(tmp_path), "--items", "X")
    assert missing.returncode == 2 and "no mapping profile 'NOPE'" in missing.stderr
