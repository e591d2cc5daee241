"""Writing the demo plant: SQLite tables named as the ERP views, CSV with a BOM, atomic files."""
from __future__ import annotations

import re
import sqlite3

import polars as pl
import pytest

from app.demo import RULE_ROUTINGS, generate, write, write_csv, write_sqlite
from app.domain.schema import ITEM_COLUMNS, RESULT_COLUMNS, ROUTING_COLUMNS
from app.services.progress import Cancelled, Progress

VIEWS = {"BI_ITEM_INFO_VIEW": ITEM_COLUMNS, "BI_ROUTING_VIEW": ROUTING_COLUMNS,
         "BI_WORK_ORDER_RESULTS": RESULT_COLUMNS}


@pytest.fixture(scope="module")
def plant():
    return generate(400, seed=3)


def test_sqlite_round_trip(plant, tmp_path):
    path = write_sqlite(plant, tmp_path / "plant.sqlite")
    assert path.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plant.sqlite"]      # no temp file left
    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == set(VIEWS) | {RULE_ROUTINGS}                  # the ceiling beside the views
        rule_rows = con.execute(f"SELECT COUNT(*) FROM {RULE_ROUTINGS}").fetchone()[0]
        assert rule_rows == plant.rule_routings.height > 0
        for name, columns in VIEWS.items():
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            assert cols == columns
        assert con.execute("SELECT COUNT(*) FROM BI_ITEM_INFO_VIEW").fetchone()[0] == plant.items.height
        assert con.execute("SELECT COUNT(*) FROM BI_ROUTING_VIEW").fetchone()[0] == plant.routings.height
        assert con.execute("SELECT COUNT(*) FROM BI_WORK_ORDER_RESULTS").fetchone()[0] == plant.results.height
        dt, seq_type, inside = con.execute(
            "SELECT INSRT_DT, typeof(PROC_SEQ), INSIDE_FLAG FROM BI_ROUTING_VIEW LIMIT 1").fetchone()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", dt)
        assert seq_type == "real"
        assert inside in ("사내", "외주")
        names = {r[0] for r in con.execute("SELECT DISTINCT ITEM_NM FROM BI_ITEM_INFO_VIEW")}
        assert any(n and n.startswith("씰링") for n in names)
        nulls = con.execute("SELECT COUNT(*) FROM BI_ITEM_INFO_VIEW WHERE SealTypeGrup IS NULL").fetchone()[0]
        assert nulls == plant.items["SealTypeGrup"].null_count()
        back = pl.read_database("SELECT * FROM BI_WORK_ORDER_RESULTS", con)
    finally:
        con.close()
    assert back["MACH_WORKED_HOURS"].sum() == pytest.approx(plant.results["MACH_WORKED_HOURS"].sum())
    assert back["REPORT_DT"].to_list()[:5] == plant.results["REPORT_DT"].dt.strftime("%Y-%m-%d %H:%M:%S").to_list()[:5]


def test_sqlite_replaces_an_existing_file_and_cancel_leaves_it_untouched(plant, tmp_path):
    path = tmp_path / "plant.db"
    path.write_bytes(b"old")
    stop = Progress()
    stop.cancel()
    with pytest.raises(Cancelled):
        write_sqlite(plant, path, progress=stop)
    assert path.read_bytes() == b"old"                                   # never half-written
    assert [p.name for p in tmp_path.iterdir()] == ["plant.db"]
    write_sqlite(plant, path)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT COUNT(*) FROM BI_ITEM_INFO_VIEW").fetchone()[0] == plant.items.height
    finally:
        con.close()


def test_csv_round_trip_with_bom(plant, tmp_path):
    folder = write_csv(plant, tmp_path / "csv")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{v}.csv" for v in [*VIEWS, RULE_ROUTINGS])
    for view, columns in [*VIEWS.items(), (RULE_ROUTINGS, ["ITEM_CD", "PROC_SEQ", "JOB_CD", "JOB_NM"])]:
        raw = (folder / f"{view}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw[3:].split(b"\n", 1)[0].decode("utf-8")
        assert header.split(",") == columns
    items = pl.read_csv(folder / "BI_ITEM_INFO_VIEW.csv", infer_schema=False)
    assert items.columns == ITEM_COLUMNS                                 # BOM not glued to ITEM_CD
    assert items.height == plant.items.height
    assert items["ITEM_NM"].to_list() == plant.items["ITEM_NM"].to_list()    # Korean intact
    routings = (folder / "BI_ROUTING_VIEW.csv").read_text(encoding="utf-8-sig")
    assert "사내" in routings and "CNC 황삭" in routings
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", routings)


def test_write_chooses_by_suffix(plant, tmp_path):
    for name in ("a.sqlite", "b.sqlite3", "c.DB"):
        out = write(plant, tmp_path / name)
        assert out.is_file() and out.read_bytes()[:15] == b"SQLite format 3"
    folder = write(plant, tmp_path / "export")
    assert folder.is_dir() and (folder / "BI_ROUTING_VIEW.csv").is_file()
