"""`routing-ml export` and `routing-ml profiles` as an engineer runs them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.export import profiles

ROOT = Path(__file__).resolve().parents[2]


def run(store, *args, user="lee", role="admin"):
    env = {"ROUTING_ML_USER": user, "ROUTING_ML_ROLE": role, "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app", "--store", store.url, *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=300)


@pytest.fixture
def store(trained_store):
    """The trained demo store whose ERP profile knows lee's employee number."""
    from exportkit import ADMIN
    stored = profiles.load_profile(trained_store, "ERP")
    stored.profile.lookups["EMPLOYEE_NO"].values["lee"] = "133111"
    profiles.save_profile(trained_store, stored.profile, stored.revision, ADMIN)
    return trained_store


def new_items(store, n):
    routed = set(store.routed_item_codes().to_list())
    return [c for c in store.item_codes() if c not in routed][:n]


def test_export_of_predicted_items_prints_what_went_where_as_json(store, tmp_path):
    codes = new_items(store, 5)
    done = run(store, "export", "--profile", "ERP", "--format", "csv", "--out", str(tmp_path / "out"),
               "--items", *codes, "NOPE-1", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["written"]["P_BOP_PROC_MASTER"] == 5 and out["written"]["P_BOP_PROC_DETAIL"] > 5
    assert out["files"] == [str(tmp_path / "out" / f"{t}.csv") for t in
                            ("P_BOP_PROC_MASTER", "P_BOP_PROC_DETAIL", "P_BOP_PROC_CHILD", "P_BOP_PROC_RES")]
    assert out["skipped"] == [{"ITEM_CD": "NOPE-1", "reason": f"item NOPE-1 is not in the item master of store "
                                                              f"{store.describe()}"}]


def test_export_into_a_database_with_a_dry_run_first(store, tmp_path):
    codes_file = tmp_path / "codes.csv"
    codes_file.write_text("품목코드\n" + "\n".join(new_items(store, 3)) + "\n", encoding="cp949")
    target = tmp_path / "staging.sqlite"
    dry = run(store, "export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
              "--create-tables", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run, nothing written — would write 3 routing(s) through profile ERP" in dry.stdout
    assert "first rows of P_BOP_PROC_DETAIL" in dry.stdout and not target.exists()
    done = run(store, "export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
               "--create-tables")
    assert done.returncode == 0, done.stderr
    assert "exported 3 routing(s) through profile ERP to SQLite file" in done.stdout
    engine = sa.create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        assert conn.execute(sa.text('SELECT COUNT(*) FROM "P_BOP_PROC_MASTER"')).scalar() == 3
    engine.dispose()
    again = run(store, "export", "--format", "db", "--out", str(target), "--items-file", str(codes_file))
    assert again.returncode == 2
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in P_BOP_PROC_MASTER" in lines[0] and "choose Replace" in lines[0]
    replaced = run(store, "export", "--format", "db", "--out", str(target), "--items-file", str(codes_file),
                   "--replace", "--json")
    assert replaced.returncode == 0 and len(json.loads(replaced.stdout)["replaced"]) == 3


def test_a_refused_export_is_one_line_naming_routing_table_column_and_reason(store, tmp_path):
    done = run(store, "export", "--format", "xlsx", "--out", str(tmp_path / "x.xlsx"), "--items",
               *new_items(store, 2), user="kim")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("routing-ml: export refused: all 2 routings are invalid — routing ")
    assert "P_BOP_PROC_MASTER.ROU_DEV_USER_ID: 'kim' is not in lookup EMPLOYEE_NO" in lines[0]
    assert "more problems" in lines[0] and not (tmp_path / "x.xlsx").exists()


def test_export_of_saved_routings_by_status(store, tmp_path):
    from app.domain.routing import Operation
    from app.services.routings import save_routing
    from exportkit import USER
    save_routing(store, "SR-0000001", [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2)], "submitted", user=USER)
    save_routing(store, "SR-0000002", [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2)], "draft", user=USER)
    done = run(store, "export", "--format", "csv", "--out", str(tmp_path / "o"), "--saved", "--status", "submitted",
               "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"]["P_BOP_PROC_MASTER"] == 1
    none = run(store, "export", "--format", "csv", "--out", str(tmp_path / "o"), "--saved", "--approved-only")
    assert none.returncode == 2
    assert none.stderr.strip() == "routing-ml: nothing to export: saved routings (approved) holds no routing"


def test_profiles_list_show_export_and_import(store, tmp_path):
    listed = run(store, "profiles", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("ERP ")
    assert "P_BOP_PROC_DETAIL 93" in listed.stdout
    shown = run(store, "profiles", "show", "ERP")
    assert json.loads(shown.stdout)["lookups"][2]["values"] == {"lee": "133111"}
    path = tmp_path / "site.json"
    assert run(store, "profiles", "export", "ERP", str(path)).returncode == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["name"] = "SITE-B"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    imported = run(store, "profiles", "import", str(path))
    assert imported.returncode == 0 and "imported profile SITE-B" in imported.stdout
    refused = run(store, "profiles", "import", str(path), role="engineer")
    assert refused.returncode == 2 and "needs the admin role" in refused.stderr
    missing = run(store, "export", "--profile", "NOPE", "--format", "csv", "--out", str(tmp_path), "--items", "X")
    assert missing.returncode == 2 and "no mapping profile 'NOPE'" in missing.stderr
