"""Small ERP views written as CSV, Excel and SQLite, and the real Access sample files.

The two Access samples ship in tests/data/access, so a fresh clone on any machine runs them.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from app.domain.schema import (COLUMNS, DEFAULT_VIEW_NAMES, ITEMS, NUMERIC, RESULTS, ROUTINGS,
                               VIEW_KINDS)
from app.sources.access import access_driver

ACCESS_DIR = Path(__file__).resolve().parents[1] / "data" / "access"
NWIND = ACCESS_DIR / "nwind.mdb"
ASSETS = ACCESS_DIR / "ASampleDatabase.accdb"
DATES = ("INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT")

# Cells as a CSV holds them: codes with leading zeros, Korean text, stray spaces, lower case.
ROWS: dict[str, list[dict[str, str]]] = {
    ITEMS: [
        {"ITEM_CD": " ab-00123 ", "ITEM_NM": "씰 링", "PartNm": "SEAL RING", "PART_TYPE": "RING",
         "ITEM_SPEC": " 외경 120, 내경 80 ", "DRAW_NO": "00123", "OUTDIAMETER": "120.5",
         "INDIAMETER": "80", "ROTATE_CLOCKWISE": "1", "STANDARD_YN": "Y"},
        {"ITEM_CD": "AB-00124", "ITEM_NM": "슬리브", "PART_TYPE": "SLEEVE", "DRAW_NO": "0007",
         "OUTDIAMETER": " 95 ", "INDIAMETER": "", "ITEM_MATERIAL": "SUS316"},
    ],
    ROUTINGS: [
        {"ITEM_CD": "ab-00123", "ROUT_NO": "B#1L00C", "PROC_SEQ": "10",
         "INSRT_DT": "2023-01-05 08:30:00", "JOB_CD": "A01-2", "JOB_NM": "CNC 황삭",
         "RES_CD": "CNC-01", "INSIDE_FLAG": "사내", "ROUT_ORDER": "F", "TIME_UNIT": "M",
         "SETUP_TIME": "30", "RUN_TIME": "12.5", "RUN_TIME_QTY": "1",
         "VALID_FROM_DT": "2001-01-01", "VALID_TO_DT": "2999-12-31",
         "REMARK": "첫 줄\n둘째 줄, 쉼표"},
        {"ITEM_CD": "ab-00123", "ROUT_NO": "B#1L00C", "PROC_SEQ": "20",
         "INSRT_DT": "2023-01-05", "JOB_CD": "H10-1", "JOB_NM": "열처리",
         "RES_CD": "OUT-HT", "INSIDE_FLAG": "외주", "BP_CD": "V0012", "ROUT_ORDER": "L",
         "TIME_UNIT": "M", "SETUP_TIME": "0", "RUN_TIME": "0", "RUN_TIME_QTY": "1",
         "MFG_LT": "3", "VALID_FROM_DT": "2001/01/01", "VALID_TO_DT": "2999-12-31"},
    ],
    RESULTS: [
        {"ITEM_CD": "AB-00123", "ROUT_NO": "B#1L00C", "PROC_SEQ": "10", "JOB_CD": "A01-2",
         "CD_NM": "CNC 황삭", "RES_CD": "CNC-01", "RES_DIS": "CNC 1호기",
         "REPORT_DT": "2023-02-01 17:05:00", "MACH_WORKED_HOURS": "4.5", "SETUP_HOURS": "0.5",
         "ORDER_QTY": "20", "BAD_QTY": "0"},
        {"ITEM_CD": "ab-00124", "JOB_CD": "F40-1", "RES_CD": "ASY-WC1A",
         "REPORT_DT": "2023-02-02", "MACH_WORKED_HOURS": "1", "SETUP_HOURS": "",
         "ORDER_QTY": "5"},
    ],
}


def view_table(kind: str, rename: dict[str, str] | None = None,
               drop: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The view as column → cells (every schema column, "" where a row has no value)."""
    rename = rename or {}
    return {rename.get(col, col): [row.get(col, "") for row in ROWS[kind]]
            for col in COLUMNS[kind] if col not in drop}


def expected_frame(kind: str) -> pl.DataFrame:
    """What read_views must make of ROWS[kind], worked out independently of the code."""
    data = {}
    for col in COLUMNS[kind]:
        cells = [row.get(col, "").strip() for row in ROWS[kind]]
        if col in NUMERIC[kind]:
            data[col] = pl.Series(col, [float(c) if c else None for c in cells], dtype=pl.Float64)
        elif col in DATES:
            data[col] = pl.Series(col, [_date(c) for c in cells], dtype=pl.Datetime("us"))
        else:
            values = [c or None for c in cells]
            if col == "ITEM_CD":
                values = [v.upper() if v else v for v in values]
            data[col] = pl.Series(col, values, dtype=pl.String)
    return pl.DataFrame(data)


def _date(cell: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(cell.replace("/", "-")) if cell else None


def write_csv(path: Path, table: dict[str, list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(table))
        writer.writerows(zip(*table.values()))
    return path


def write_csv_folder(folder: Path, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for kind in VIEW_KINDS:
        write_csv(folder / f"{DEFAULT_VIEW_NAMES[kind]}.csv", view_table(kind), encoding)
    return folder


def write_xlsx_folder(folder: Path) -> Path:
    """Cells typed the way Excel keeps them: numbers as numbers, dates as dates, codes as text."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in VIEW_KINDS:
        table = view_table(kind)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(list(table))
        for cells in zip(*table.values()):
            sheet.append([_excel_cell(kind, col, cell) for col, cell in zip(table, cells)])
        workbook.save(folder / f"{DEFAULT_VIEW_NAMES[kind]}.xlsx")
    return folder


def _excel_cell(kind: str, col: str, cell: str) -> object:
    if not cell.strip():
        return None
    if col in NUMERIC[kind]:
        number = float(cell)
        return int(number) if number.is_integer() else number
    if col in DATES:
        return _date(cell.strip())
    return cell


def write_sqlite(path: Path, typed: bool = True) -> Path:
    """The views as SQLite tables; `typed` declares numeric columns REAL and stores numbers."""
    with sqlite3.connect(path) as conn:
        for kind in VIEW_KINDS:
            table = view_table(kind)
            declared = [f'"{col}" {"REAL" if typed and col in NUMERIC[kind] else "TEXT"}'
                        for col in table]
            conn.execute(f'CREATE TABLE "{DEFAULT_VIEW_NAMES[kind]}" ({", ".join(declared)})')
            rows = [[_sqlite_cell(kind, col, cell, typed) for col, cell in zip(table, cells)]
                    for cells in zip(*table.values())]
            conn.executemany(f'INSERT INTO "{DEFAULT_VIEW_NAMES[kind]}" VALUES '
                             f'({", ".join("?" for _ in table)})', rows)
    return path


def _sqlite_cell(kind: str, col: str, cell: str, typed: bool) -> object:
    if typed and col in NUMERIC[kind]:
        return float(cell) if cell.strip() else None
    return cell if cell else None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def require(available: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine (`what` says which package to
    install), but fail under CI, which installs everything the tests need (.ci/run)."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is not installed; CI must run every test (see .ci/run)")
    pytest.skip(f"{what} is not installed")


# What to install when the ODBC layer is missing, named the way the platform's installer does.
ODBC_MANAGER = ("the ODBC driver manager libodbc (Debian package unixodbc)" if sys.platform != "win32"
                else "the ODBC driver manager odbc32.dll")
ACCESS_DRIVER_PACKAGE = ("Debian package odbc-mdbtools" if sys.platform != "win32"
                         else "Microsoft Access Database Engine 2016 Redistributable, 64-bit")


@pytest.fixture(scope="session")
def pyodbc_module() -> Any:
    """pyodbc, which loads the ODBC driver manager (libodbc.so.2 from unixodbc on Linux)."""
    try:
        import pyodbc
    except ImportError:
        require(False, ODBC_MANAGER)
    return pyodbc


@pytest.fixture(scope="session")
def access_odbc(pyodbc_module: Any) -> None:
    """The platform's Access ODBC driver must be usable through pyodbc."""
    require(access_driver() in pyodbc_module.drivers(),
            f"the ODBC driver {access_driver()!r} for Access files ({ACCESS_DRIVER_PACKAGE})")


@pytest.fixture
def nwind(tmp_path: Path, access_odbc: None) -> Path:
    # A private copy, so no test can change the shipped sample.
    return Path(shutil.copy(NWIND, tmp_path / "nwind.mdb"))


@pytest.fixture
def assets(tmp_path: Path, access_odbc: None) -> Path:
    return Path(shutil.copy(ASSETS, tmp_path / "ASampleDatabase.accdb"))
