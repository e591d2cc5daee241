"""Exports to CSV and XLSX read back equal, Korean intact; a file that cannot be replaced stops the
export before anything is written; each export is recorded."""
from __future__ import annotations

import csv
import io
import os
from datetime import datetime

import fastexcel
import openpyxl
import polars as pl
import pytest
from exportkit import ADMIN, TABLES, USER, erp_profile, plant, routing, selection

from app.domain.routing import Operation
from app.services import audit
from app.services.audit import AuditFilter
from app.services.export import selection as sel
from app.services.export.files import FileTargetError
from app.services.export.rows import build_plan
from app.services.export.service import ExportError, ExportOptions, ExportTarget, export, recent_exports
from app.services.export.xlsx import column_letter, write_workbook
from app.services.prediction import predict_items


@pytest.fixture
def batch(trained_store):
    """A batch prediction of 50 items without a routing."""
    routed = set(trained_store.routed_item_codes().to_list())
    new = [c for c in trained_store.item_codes() if c not in routed][:50]
    return predict_items(trained_store, new + ["NOT-AN-ITEM"], user=USER)


def korean_selection():
    ops = [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, 12.5),
           Operation(20, "H20-1", "외주 코팅 (TiN) \"특급\", 쉼표", "OSP-COAT", "외주", 0, 0, BP_CD="V10234"),
           Operation(30, "Q30-1", "최종검사", "INS-WC2", "사내", 5, 4)]
    return selection(routing("SR-1", ops), routing("GL-2"))


def expected(p=None):
    return build_plan(erp_profile(), korean_selection(), plant({"SR-1": "씰 링, 외경 80 \"특\"", "GL-2": "글랜드 <A&B>"}),
                      USER, now=datetime(2026, 12, 1, 9, 30))


def test_csv_files_read_back_equal_with_korean_intact(trained_store, tmp_path, monkeypatch):
    plan = expected()
    import app.services.export.service as service
    monkeypatch.setattr(service, "load_plant_data", lambda store, codes: plant(
        {"SR-1": "씰 링, 외경 80 \"특\"", "GL-2": "글랜드 <A&B>"}))
    result = export(trained_store, erp_profile(), korean_selection(), ExportTarget("csv", str(tmp_path / "out")),
                    user=USER)
    assert [os.path.basename(f) for f in result.files] == [f"{t}.csv" for t in TABLES]
    for table, path in zip(TABLES, result.files):
        raw = open(path, "rb").read()
        assert raw.startswith(b"\xef\xbb\xbf")                       # Excel opens UTF-8 with a BOM right
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        ours = next(t for t in plan.tables if t.name == table).frame
        header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert header == [c for c in ours.columns if c != "_r"]
        assert len(rows) == ours.height
        for got, want in zip(rows, ours.iter_rows(named=True)):
            for col, value in want.items():
                if col in ("_r", "INSRT_DT", "UPDT_DT", "IN_DT", "UP_DT", "VALID_FROM_DT", "REV_DT"):
                    continue
                if col == "ID":
                    continue
                assert got[col] == _as_csv(value), (table, col, got[col], value)
    master = list(csv.DictReader(io.StringIO(open(result.files[0], encoding="utf-8-sig").read())))
    assert [m["DESCRIPTION"] for m in master] == ["씰 링, 외경 80 \"특\"", "글랜드 <A&B>"]
    assert [m["ID"] for m in master] == ["1", "2"]
    detail = list(csv.DictReader(io.StringIO(open(result.files[1], encoding="utf-8-sig").read())))
    assert [d["RUN_TIME"] for d in detail[:3]] == ["12.5", "0", "4"]
    assert detail[0]["VALID_TO_DT"] == "2999-12-31 00:00:00"


def _as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def test_xlsx_reads_back_equal_in_two_readers_with_korean_dates_and_text_codes(trained_store, tmp_path, monkeypatch):
    import app.services.export.service as service
    monkeypatch.setattr(service, "load_plant_data", lambda store, codes: plant(
        {"SR-1": "씰 링, 외경 80 \"특\"", "GL-2": "글랜드 <A&B>"}))
    p = erp_profile()
    p.lookups["WC_CD"].values["CNC-01"] = "000151"          # a code with leading zeros stays text
    result = export(trained_store, p, korean_selection(), ExportTarget("xlsx", str(tmp_path / "erp.xlsx")), user=USER)
    assert result.files == [str(tmp_path / "erp.xlsx")]
    wb = openpyxl.load_workbook(result.files[0], read_only=True)
    assert wb.sheetnames == TABLES
    rows = list(wb["P_BOP_PROC_DETAIL"].iter_rows(values_only=True))
    head, first = rows[0], dict(zip(rows[0], rows[1]))
    assert len(head) == 93 and len(rows) == 7
    assert first["WC_CD"] == "000151" and first["RUN_TIME"] == 12.5 and first["PROC_SEQ"] == 10
    assert first["VALID_TO_DT"] == datetime(2999, 12, 31) and first["TIME_UNIT"] == "M" and first["MOVE_QTY"] is None
    master = dict(zip(*list(wb["P_BOP_PROC_MASTER"].iter_rows(values_only=True))[:2]))
    assert master["DESCRIPTION"] == "씰 링, 외경 80 \"특\"" and master["ID"] == 1
    reader = fastexcel.read_excel(result.files[0])
    frame = reader.load_sheet("P_BOP_PROC_MASTER").to_polars()
    assert frame["DESCRIPTION"].to_list() == ["씰 링, 외경 80 \"특\"", "글랜드 <A&B>"]
    assert reader.load_sheet("P_BOP_PROC_CHILD").to_polars().height == 0


def test_the_xlsx_writer_keeps_every_kind_of_value(tmp_path):
    frame = pl.DataFrame({"text": ["가나다", "a&b<c>", None, "  spaced ", "tab\there"],
                          "int": [1, -2, None, 10**12, 0], "float": [0.1, 1e-7, None, 12345.678, -3.5],
                          "when": [datetime(2001, 1, 1), datetime(2026, 12, 1, 9, 30, 15), None,
                                   datetime(2999, 12, 31), datetime(1999, 2, 28, 23, 59, 59)]})
    path = tmp_path / "kinds.xlsx"
    write_workbook(path, [("S", frame), ("Empty", frame.head(0))])
    rows = list(openpyxl.load_workbook(path, read_only=True)["S"].iter_rows(values_only=True))
    assert rows[0] == ("text", "int", "float", "when")
    for got, want in zip(rows[1:], frame.iter_rows()):
        got = tuple(got) + (None,) * (4 - len(got))     # openpyxl gives an empty row as ()
        assert got[:3] == want[:3]
        assert got[3] == want[3] or abs((got[3] - want[3]).total_seconds()) < 0.001, (got, want)
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA" and column_letter(92) == "CO"


def test_the_xlsx_writer_keeps_line_breaks_and_text_that_looks_like_an_excel_escape(tmp_path):
    texts = ["cr\ronly", "a\r\nb", "_x000D_ is text here", "x_x0041_y", "  lead and trail  "]
    path = tmp_path / "text.xlsx"
    write_workbook(path, [("S", pl.DataFrame({"t": texts}))])
    # calamine (fastexcel) reads the file as Excel does: the underscore escape undone, the CR kept
    assert fastexcel.read_excel(path).load_sheet("S").to_polars()["t"].to_list() == texts


def _control_selection():
    ops = [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, 12.5),
           Operation(20, "Q30-1", "최종검사", "INS-WC2", "사내", 5, 4)]
    bad, good = routing("SR-1", ops), routing("GL-2", ops)
    bad.note = "도면 참조\x07 (벨 문자)"            # pasted from an old system: BEL, illegal in XML
    return selection(bad, good)


def test_xlsx_refuses_a_control_character_naming_the_routing_table_and_column(trained_store, tmp_path, monkeypatch):
    import app.services.export.service as service
    monkeypatch.setattr(service, "load_plant_data", lambda store, codes: plant({"SR-1": "씰 링", "GL-2": "글랜드"}))
    book = tmp_path / "erp.xlsx"
    with pytest.raises(ExportError) as refused:
        export(trained_store, erp_profile(), _control_selection(), ExportTarget("xlsx", str(book)), user=USER)
    assert ("1 of 2 routings are invalid — routing SR-1/ML-001, P_BOP_PROC_MASTER.REV_NOTE in row 1: holds the control "
            "character U+0007, which an XLSX file cannot hold") in str(refused.value)
    assert refused.value.code == "some_invalid" and refused.value.problems[0].code == "xlsx_control_character"
    assert not book.exists()
    # the engineer exports the valid one; the result says which was left out and why
    result = export(trained_store, erp_profile(), _control_selection(), ExportTarget("xlsx", str(book)),
                    ExportOptions(skip_invalid=True), user=USER)
    assert result.written["P_BOP_PROC_MASTER"] == 1
    assert [(s.ITEM_CD, s.ROUT_NO) for s in result.skipped] == [("SR-1", "ML-001")]
    assert "P_BOP_PROC_MASTER.REV_NOTE in row 1: holds the control character U+0007" in result.skipped[0].reason
    assert fastexcel.read_excel(book).load_sheet("P_BOP_PROC_MASTER").to_polars()["ITEM_CD"].to_list() == ["GL-2"]
    # a CSV file holds the character: the same routing goes there as it is
    done = export(trained_store, erp_profile(), _control_selection(), ExportTarget("csv", str(tmp_path / "csv")),
                  user=USER)
    master = list(csv.DictReader(open(done.files[0], encoding="utf-8-sig", newline="")))
    assert master[0]["REV_NOTE"] == "도면 참조\x07 (벨 문자)"


def test_xlsx_refuses_text_longer_than_a_spreadsheet_cell_and_writes_the_longest_it_holds(
        trained_store, tmp_path, monkeypatch):
    import app.services.export.service as service
    from app.services.export.xlsx import EXCEL_CELL_CHARS
    monkeypatch.setattr(service, "load_plant_data", lambda store, codes: plant({"SR-1": "씰 링"}))
    profile = erp_profile()
    next(c for c in profile.tables[0].columns if c.name == "REV_NOTE").length = None   # a memo column
    r = routing("SR-1")
    r.note = "가" * (EXCEL_CELL_CHARS + 1)
    with pytest.raises(ExportError, match=r"the routing is invalid — routing SR-1/ML-001, P_BOP_PROC_MASTER.REV_NOTE in row 1: "
                                          r"holds 32768 characters; a spreadsheet cell holds at most 32,767"):
        export(trained_store, profile, selection(r), ExportTarget("xlsx", str(tmp_path / "e.xlsx")), user=USER)
    r.note = "가" * EXCEL_CELL_CHARS
    export(trained_store, profile, selection(r), ExportTarget("xlsx", str(tmp_path / "e.xlsx")), user=USER)
    master = fastexcel.read_excel(tmp_path / "e.xlsx").load_sheet("P_BOP_PROC_MASTER").to_polars()
    assert master["REV_NOTE"].to_list() == ["가" * EXCEL_CELL_CHARS]


def test_the_xlsx_writer_refuses_what_a_sheet_cannot_hold_before_writing(tmp_path):
    from app.services.export.xlsx import EXCEL_ROWS, XlsxLimitError
    path = tmp_path / "long.xlsx"
    with pytest.raises(XlsxLimitError, match=r"sheet P_BOP_PROC_DETAIL would have 1,048,576 rows below its header; "
                                             r"a sheet holds 1,048,575"):
        write_workbook(path, [("P_BOP_PROC_DETAIL", pl.DataFrame({"PROC_SEQ": pl.int_range(0, EXCEL_ROWS, eager=True)}))])
    with pytest.raises(XlsxLimitError, match=r"sheet S, row 3 \(cell B3\), column note holds the control character "
                                             r"U\+001B"):
        write_workbook(path, [("S", pl.DataFrame({"n": [1, 2], "note": ["fine", "esc \x1b[0m"]}))])
    assert not path.exists()


def test_a_file_that_cannot_be_replaced_stops_the_export_before_anything_is_written(trained_store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "P_BOP_PROC_MASTER.csv").write_text("old master", encoding="utf-8")
    (out / "P_BOP_PROC_RES.csv").mkdir()          # stands for a file Excel holds open on Windows
    plan_sel = sel.from_editor("SR-0000001", [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2)], user=USER)
    with pytest.raises(FileTargetError, match=r"P_BOP_PROC_RES.csv cannot be replaced"):
        export(trained_store, erp_profile(), plan_sel, ExportTarget("csv", str(out)),
               ExportOptions(skip_invalid=True), user=USER)
    assert (out / "P_BOP_PROC_MASTER.csv").read_text(encoding="utf-8") == "old master"
    assert sorted(os.listdir(out)) == ["P_BOP_PROC_MASTER.csv", "P_BOP_PROC_RES.csv"]


def test_fifty_predicted_items_go_to_csv_and_xlsx_and_the_export_is_recorded(trained_store, batch, tmp_path):
    selection_ = sel.from_batch(batch, user=USER)
    assert len(selection_.routings) == 50
    assert [s.ITEM_CD for s in selection_.skipped] == ["NOT-AN-ITEM"]
    csv_result = export(trained_store, erp_profile(), selection_, ExportTarget("csv", str(tmp_path / "csv")),
                        user=USER)
    xlsx_result = export(trained_store, erp_profile(), selection_, ExportTarget("xlsx", str(tmp_path / "e.xlsx")),
                         user=USER)
    ops = sum(len(r.operations) for r in selection_.routings)
    for result in (csv_result, xlsx_result):
        assert result.routings == 50
        assert result.written["P_BOP_PROC_MASTER"] == 50 and result.written["P_BOP_PROC_DETAIL"] == ops
        assert [s.ITEM_CD for s in result.skipped] == ["NOT-AN-ITEM"]
    detail = pl.read_csv(tmp_path / "csv" / "P_BOP_PROC_DETAIL.csv", infer_schema=False)
    times = detail.select(pl.col("RUN_TIME").cast(pl.Float64), pl.col("SETUP_TIME").cast(pl.Float64))
    assert times.null_count().row(0) == (0, 0)
    by_item = detail.group_by("ITEM_CD").agg((pl.col("RUN_TIME").cast(pl.Float64) + pl.col("SETUP_TIME")
                                              .cast(pl.Float64)).sum().alias("t"))
    assert by_item.height == 50 and by_item["t"].min() > 0         # no routing leaves with all-zero times
    runs = recent_exports(trained_store)
    assert [(r["format"], r["routings"], r["user_name"]) for r in runs] == [("xlsx", 50, "lee"), ("csv", 50, "lee")]
    assert runs[1]["row_counts"]["P_BOP_PROC_DETAIL"] == ops and runs[1]["skipped"][0]["ITEM_CD"] == "NOT-AN-ITEM"
    event = audit.query(trained_store, AuditFilter(action="export"), user=ADMIN)[0]
    assert (event.user_name, event.host, event.outcome) == ("lee", "PC-ENG-07", "ok")
    assert event.detail["rows"]["P_BOP_PROC_MASTER"] == 50 and event.detail["format"] == "xlsx"


def test_an_empty_selection_is_refused_with_the_reasons_of_the_items_left_out(trained_store, tmp_path):
    from app.domain.routing import PredictionBatch
    empty = sel.from_batch(PredictionBatch("v1", [], [{"ITEM_CD": "XX-1", "message": "item XX-1 is not in the item "
                                                                                      "master"}]), user=USER)
    with pytest.raises(ExportError, match=r"nothing to export: a batch prediction of 1 item\(s\) \(model v1\) holds "
                                          r"no routing \(XX-1: item XX-1 is not in the item master\)"):
        export(trained_store, erp_profile(), empty, ExportTarget("csv", str(tmp_path / "o")), user=USER)
    assert not (tmp_path / "o").exists()
    assert recent_exports(trained_store) == []
