"""Our own XLSX writer (app/services/export/xlsx.py) against a real spreadsheet program: LibreOffice
Calc opens an exported workbook of 50 predicted items headlessly, and every cell of every sheet reads
as we wrote it — Korean text, numbers, dates, codes with leading zeros, text with quotes, commas,
line breaks, tabs, `&<>` and Excel's own escape pattern `_x000D_`.

Calc converts the workbook twice: to one CSV per sheet (each cell as Calc shows it; compared with
the CSV files our independent CSV writer makes of the same export) and to an XLSX of Calc's own
(read with openpyxl: numbers are numbers, dates are dates, codes are text to Calc).

Runs in CI (.ci/run installs libreoffice-calc-nogui: about 70 s of the CI run; the conversions take
a few seconds); skipped elsewhere when LibreOffice is missing. By hand:
`apt-get install -y --no-install-recommends libreoffice-calc-nogui`, then
`scripts/test tests/services/test_export_libreoffice.py`.
"""
from __future__ import annotations

import csv
import io
import math
import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from exportkit import TABLES, USER, erp_profile

from app.services.export import selection as sel
from app.services.export.service import ExportTarget, export
from app.services.export.xlsx import write_workbook
from app.services.prediction import predict_items

EDGE_NOTE = '줄 하나\n줄 둘, "인용" & <태그>\t탭  _x000D_ 끝 '


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice is missing: .ci/run must install the Debian package libreoffice-calc-nogui")
    pytest.skip("needs LibreOffice Calc (Debian package libreoffice-calc-nogui)")


def calc_convert(book: Path, out: Path, to: str) -> list[Path]:
    """Let LibreOffice Calc convert `book` headlessly (`to`: csv, one file per sheet, or xlsx)."""
    exe = soffice()
    out.mkdir(parents=True, exist_ok=True)
    # token 12 = -1: every sheet to its own BOOK-SHEET.csv; UTF-8 (76), as shown (token 9)
    spec = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1" if to == "csv" \
        else "xlsx:Calc MS Excel 2007 XML"
    before = set(out.iterdir())
    done = subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation={(out / 'lo-profile').as_uri()}",
                           "--convert-to", spec, "--outdir", str(out), str(book)],
                          capture_output=True, text=True, timeout=300)
    made = sorted(p for p in set(out.iterdir()) - before if p.is_file())
    assert done.returncode == 0 and made, f"LibreOffice did not convert {book}: {done.stdout} {done.stderr}"
    return made


def calc_sheets_as_csv(book: Path, out: Path) -> dict[str, list[list[str]]]:
    sheets = {}
    for path in calc_convert(book, out, "csv"):
        sheet = path.stem.removeprefix(book.stem + "-")
        sheets[sheet] = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return sheets


def same_cell(calc: str, ours: str) -> bool:
    if calc == ours:
        return True
    try:       # Calc shows 15 significant digits (0.0166666666666667 for 1/60)
        a, b = float(calc), float(ours)
    except ValueError:
        return False
    return math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-15)


@pytest.fixture
def fifty(trained_store):
    routed = set(trained_store.routed_item_codes().to_list())
    new = [c for c in trained_store.item_codes() if c not in routed][:50]
    chosen = sel.from_batch(predict_items(trained_store, new, user=USER), user=USER)
    assert len(chosen.routings) == 50
    chosen.routings[0].note = EDGE_NOTE              # REV_NOTE: the text a spreadsheet finds hardest
    return chosen


def test_libreoffice_reads_every_cell_of_an_exported_workbook_as_written(trained_store, fifty, tmp_path):
    profile = erp_profile()
    resources = sorted({o.RES_CD for r in fifty.routings for o in r.operations if o.RES_CD})
    # work-centre codes with leading zeros, as the ERP has them: they must stay text
    profile.lookups["WC_CD"].values = {res: f"{i + 1:06d}" for i, res in enumerate(resources)}
    book = tmp_path / "erp.xlsx"
    xlsx = export(trained_store, profile, fifty, ExportTarget("xlsx", str(book)), user=USER)
    ours = export(trained_store, profile, fifty, ExportTarget("csv", str(tmp_path / "csv")), user=USER)
    assert xlsx.written == ours.written and xlsx.written["P_BOP_PROC_MASTER"] == 50

    calc = calc_sheets_as_csv(book, tmp_path / "calc-csv")
    assert sorted(calc) == sorted(TABLES)
    ours_book = openpyxl.load_workbook(book, read_only=True)
    cells = 0
    for table in TABLES:
        want = list(csv.reader(io.StringIO((tmp_path / "csv" / f"{table}.csv").read_text(encoding="utf-8-sig"),
                                           newline="")))
        got = calc[table]
        # stamped with each export's own time, which differs between the two exports: those cells are
        # compared with the workbook Calc read (never with a clock, which a busy machine slows)
        stamped = {c.name for t in profile.tables if t.name == table for c in t.columns
                   if any(s.startswith("export.") for s in c.sources)}
        sheet = [list(row) for row in ours_book[table].iter_rows(values_only=True)] if stamped else []
        assert got[0] == want[0], f"{table}: Calc reads another header"
        assert len(got) == len(want) == xlsx.written[table] + 1, table
        for r, (g, w) in enumerate(zip(got[1:], want[1:]), start=2):
            assert len(g) == len(w), (table, r)
            for k, (column, calc_value, our_value) in enumerate(zip(want[0], g, w)):
                if column in stamped:
                    in_book = sheet[r - 1][k]
                    in_book = in_book if isinstance(in_book, datetime) else datetime.fromisoformat(in_book)
                    datetime.strptime(our_value, "%Y-%m-%d %H:%M:%S")      # the CSV export stamps one too
                    assert calc_value == in_book.strftime("%Y-%m-%d %H:%M:%S"), (table, r, column, calc_value, in_book)
                    cells += 1
                    continue
                assert same_cell(calc_value, our_value), (f"{table} row {r} {column}: Calc reads {calc_value!r}, "
                                                          f"we wrote {our_value!r}")
                cells += 1
    assert cells > 50 * (28 + 93)                    # every column of every row was compared

    master = dict(zip(calc["P_BOP_PROC_MASTER"][0], calc["P_BOP_PROC_MASTER"][1]))
    assert master["REV_NOTE"] == EDGE_NOTE
    assert any("가" <= ch <= "힣" for ch in master["DESCRIPTION"])        # Korean item names
    detail = [dict(zip(calc["P_BOP_PROC_DETAIL"][0], row)) for row in calc["P_BOP_PROC_DETAIL"][1:]]
    assert all(d["WC_CD"].startswith("00") and len(d["WC_CD"]) == 6 for d in detail if d["INSIDE_FLG"] == "Y")
    assert {d["VALID_TO_DT"] for d in detail} == {"2999-12-31 00:00:00"}

    # the kind of each cell as Calc understood it, from a workbook Calc wrote itself
    (resaved,) = calc_convert(book, tmp_path / "calc-xlsx", "xlsx")
    wb = openpyxl.load_workbook(resaved, read_only=True)
    rows = list(wb["P_BOP_PROC_DETAIL"].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1]))
    assert isinstance(first["WC_CD"], str) and first["WC_CD"].startswith("00")
    assert isinstance(first["PROC_SEQ"], int) and isinstance(first["RUN_TIME"], (int, float))
    assert first["VALID_FROM_DT"] == datetime(2001, 1, 1) and isinstance(first["INSRT_DT"], datetime)
    assert first["MOVE_QTY"] is None                                       # empty stays empty, not 0 or ''
    note = dict(zip(*list(wb["P_BOP_PROC_MASTER"].iter_rows(values_only=True))[:2]))["REV_NOTE"]
    assert note.replace("_x005F_", "_") == EDGE_NOTE   # openpyxl leaves Excel's escaped underscore as it is


def test_libreoffice_opens_a_sheet_of_the_most_rows_a_spreadsheet_holds(tmp_path):
    """1,048,575 rows below the header (Excel's and Calc's limit): every row arrives."""
    n = 1_048_575
    frame = pl.DataFrame({"ITEM_CD": pl.int_range(0, n, eager=True).cast(pl.Utf8).str.zfill(7),
                          "RUN_TIME": pl.int_range(0, n, eager=True) * 0.5})
    book = tmp_path / "long.xlsx"
    write_workbook(book, [("P_BOP_PROC_DETAIL", frame)])
    rows = calc_sheets_as_csv(book, tmp_path / "calc")["P_BOP_PROC_DETAIL"]
    assert len(rows) == n + 1
    assert rows[1] == ["0000000", "0"] and rows[-1] == [f"{n - 1:07d}", "524287"]
    assert rows[-2] == [f"{n - 2:07d}", "524286.5"]


def test_libreoffice_shows_every_time_at_the_second_it_was_written(tmp_path):
    """Each second of an hour (the export stamps INSRT_DT and UPDT_DT with its own time): a date serial
    rounded just below its second (to 8 decimals, 0.4 ms short) made Calc show the second before."""
    times = [datetime(2026, 12, 1, 2, 0, 0) + timedelta(seconds=s) for s in range(3600)]
    book = tmp_path / "times.xlsx"
    write_workbook(book, [("P_BOP_PROC_MASTER", pl.DataFrame({"INSRT_DT": times}))])
    rows = calc_sheets_as_csv(book, tmp_path / "calc")["P_BOP_PROC_MASTER"]
    assert [row[0] for row in rows[1:]] == [t.strftime("%Y-%m-%d %H:%M:%S") for t in times]
