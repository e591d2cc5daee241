"""What the export tests share: a user, the ERP profile with an employee number, the real sample's
routing, small plants and selections."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl

from app.domain.routing import Operation
from app.services.export.profile import MappingProfile, default_profile
from app.services.export.rows import PlantData, _empty_items
from app.services.export.selection import ExportRouting, Selection
from app.domain.access import User

DATA = Path(__file__).resolve().parent.parent / "data"
# The four ERP routing tables as the plant's ERP holds them (sheets copied from the real excerpt
# shared/data/erp/FKSM-routing-tables-sample.xlsx, published with the earlier system's source).
SAMPLE = DATA / "erp" / "FKSM-routing-tables-sample.xlsx"
TABLES = ["P_BOP_PROC_MASTER", "P_BOP_PROC_DETAIL", "P_BOP_PROC_CHILD", "P_BOP_PROC_RES"]
USER = User("lee", "engineer", "PC-ENG-07")
ADMIN = User("park", "admin", "PC-ADM-01")


def sample_rows(table: str) -> list[dict]:
    """The real rows of one table, with the ERP's text 'NULL' read as empty."""
    ws = openpyxl.load_workbook(SAMPLE, read_only=True)[table]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    return [{h: (None if v == "NULL" else v) for h, v in zip(head, r)} for r in rows[1:]]


def sample_header(table: str) -> list[str]:
    ws = openpyxl.load_workbook(SAMPLE, read_only=True)[table]
    return list(next(ws.iter_rows(values_only=True)))


def erp_profile(**employees: str) -> MappingProfile:
    """The shipped ERP profile with employee numbers for the users (lee: 133111 unless told)."""
    p = default_profile()
    p.lookups["EMPLOYEE_NO"].values.update(employees or {"lee": "133111", "park": "120045"})
    return p


def sample_routing() -> ExportRouting:
    """Item H16805-GS's routing as the real sample's detail rows hold it (times in minutes)."""
    ops = [Operation(10, "F61-1", "포장", "ASY-WC1A", "사내", 0, 38, WAIT_TIME=200, MOVE_TIME=200),
           Operation(20, "F40-1", "리크 테스트", "ASY-WC1A", "사내", 0, 16, WAIT_TIME=200, MOVE_TIME=200),
           Operation(30, "Q30-1", "최종검사", "INS-WC2", "사내", 0, 15, WAIT_TIME=300, MOVE_TIME=300),
           Operation(40, "F20-3", "마킹", "ASY-WC1A", "사내", 0, 4, WAIT_TIME=200, MOVE_TIME=200)]
    return ExportRouting("H16805-GS", ops, "B#1L00C", "saved", "submitted", 3, designed_by="lee")


def plant(items: dict[str, str] | None = None, resources=("ASY-WC1A", "INS-WC2", "CNC-01", "CNC-02", "OSP-COAT"),
          alternatives: dict[str, list[str]] | None = None) -> PlantData:
    """A plant holding `items` (ITEM_CD → ITEM_NM) and the given resources."""
    empty = _empty_items()
    items = items or {"H16805-GS": "ASY_B#1 (~4\")", "SR-1": "씰 링 외경 80"}
    frame = pl.DataFrame({"ITEM_CD": list(items), "ITEM_NM": list(items.values())})
    frame = frame.select([pl.col(c) if c in frame.columns else pl.lit(None).cast(empty.schema[c]).alias(c)
                          for c in empty.columns])
    return PlantData(frame, list(resources), alternatives if alternatives is not None else {"A01-2": ["CNC-01", "CNC-02"]})


def routing(code: str = "SR-1", ops: list[Operation] | None = None, rout_no: str | None = None) -> ExportRouting:
    ops = ops if ops is not None else [
        Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, 12.5, WAIT_TIME=5, MOVE_TIME=10),
        Operation(20, "H20-1", "코팅", "OSP-COAT", "외주", 0, 0, BP_CD="V10234"),
        Operation(30, "Q30-1", "최종검사", "INS-WC2", "사내", 5, 4)]
    return ExportRouting(code, ops, rout_no, "editor", designed_by="lee")


def selection(*routings: ExportRouting) -> Selection:
    return Selection(list(routings), [], "test selection")
