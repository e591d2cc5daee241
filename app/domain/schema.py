"""Column lists of the plant ERP's three read-only views, with their exact spelling.

Everything that crosses the boundary to the ERP keeps these names. The `REQUIRED_*` sets are the
columns the program cannot work without; `OLD_NAMES` are names older systems used for a column,
so a check at connect time can say exactly what to rename instead of silently reading zeros.
"""
from __future__ import annotations

from dataclasses import dataclass

ITEMS = "items"
ROUTINGS = "routings"
RESULTS = "results"
VIEW_KINDS = (ITEMS, ROUTINGS, RESULTS)

DEFAULT_VIEW_NAMES = {
    ITEMS: "BI_ITEM_INFO_VIEW",
    ROUTINGS: "BI_ROUTING_VIEW",
    RESULTS: "BI_WORK_ORDER_RESULTS",
}

ITEM_COLUMNS = [
    "ITEM_CD", "ITEM_NM", "PartNm", "PART_TYPE", "ITEM_SUFFIX", "ITEM_SPEC", "ADDITIONAL_SPEC",
    "ITEM_MATERIAL", "MATERIAL_DESC", "ITEM_ACCT", "ITEM_TYPE", "ITEM_UNIT",
    "ITEM_GRP1", "ITEM_GRP1NM", "STANDARD_YN", "GROUP1", "GROUP2", "GROUP3",
    "DRAW_NO", "DRAW_REV", "DRAW_SHEET_NO",
    "OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS", "OUTDIAMETER_UNIT",
    "ROTATE_CLOCKWISE", "ROTATE_CTRCLOCKWISE",
    "SealTypeGrup", "IN_SEALTYPE_CD", "IN_SEALSIZE", "IN_SEALSIZE_UOM",
    "MID_SEALTYPE_CD", "MID_SEALSIZE", "MID_SEALSIZE_UOM",
    "OUT_SEALTYPE_CD", "OUT_SEALSIZE", "OUT_SEALSIZE_UOM",
    "RAW_MATL_KIND", "RAW_MATL_KINDNM",
]
ITEM_NUMERIC = [
    "OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS", "IN_SEALSIZE", "MID_SEALSIZE", "OUT_SEALSIZE",
    "ROTATE_CLOCKWISE", "ROTATE_CTRCLOCKWISE",
]

ROUTING_COLUMNS = [
    "ITEM_CD", "ROUT_NO", "PROC_SEQ", "INSRT_DT",
    "JOB_CD", "JOB_NM", "RES_CD", "RES_DIS", "INSIDE_FLAG", "BP_CD", "ROUT_ORDER",
    "MILESTONE_FLG", "INSP_FLG", "BATCH_OPER",
    "TIME_UNIT", "SETUP_TIME", "RUN_TIME", "RUN_TIME_QTY", "RUN_TIME_UNIT",
    "WAIT_TIME", "MOVE_TIME", "QUEUE_TIME", "MFG_LT", "ACT_SETUP_TIME", "ACT_RUN_TIME",
    "VALID_FROM_DT", "VALID_TO_DT",
    "REMARK", "ROUT_DOC", "NC_PROGRAM",
]
ROUTING_NUMERIC = [
    "PROC_SEQ", "SETUP_TIME", "RUN_TIME", "RUN_TIME_QTY", "WAIT_TIME", "MOVE_TIME", "QUEUE_TIME",
    "MFG_LT", "ACT_SETUP_TIME", "ACT_RUN_TIME",
]

RESULT_COLUMNS = [
    "ITEM_CD", "ROUT_NO", "PROC_SEQ", "JOB_CD", "CD_NM", "RES_CD", "RES_DIS", "REPORT_DT",
    "MACH_WORKED_HOURS", "SETUP_HOURS", "ORDER_QTY", "BAD_QTY",
]
RESULT_NUMERIC = ["PROC_SEQ", "MACH_WORKED_HOURS", "SETUP_HOURS", "ORDER_QTY", "BAD_QTY"]

COLUMNS = {ITEMS: ITEM_COLUMNS, ROUTINGS: ROUTING_COLUMNS, RESULTS: RESULT_COLUMNS}
NUMERIC = {ITEMS: ITEM_NUMERIC, ROUTINGS: ROUTING_NUMERIC, RESULTS: RESULT_NUMERIC}

# Columns without which the program cannot do its job; the rest are read when present.
REQUIRED = {
    ITEMS: ["ITEM_CD", "PART_TYPE"],
    ROUTINGS: ["ITEM_CD", "ROUT_NO", "PROC_SEQ", "INSRT_DT", "JOB_CD", "RES_CD", "INSIDE_FLAG",
               "SETUP_TIME", "RUN_TIME", "RUN_TIME_QTY"],
    RESULTS: ["ITEM_CD", "JOB_CD", "RES_CD", "MACH_WORKED_HOURS", "SETUP_HOURS", "ORDER_QTY"],
}

# Names older systems gave these columns (DOMAIN.md §2.3). Reading them as if they were the new
# column is what made the earlier system export zeros, so they are reported, never used silently.
OLD_NAMES = {
    RESULTS: {
        "MACH_WORKED_HOURS": ["ACT_RUN_TIME"],
        "SETUP_HOURS": ["ACT_SETUP_TIME"],
        "JOB_CD": ["OPERATION_CD"],
        "RES_CD": ["WORK_CENTER"],
    },
    ROUTINGS: {"JOB_CD": ["OPERATION_CD"], "RES_CD": ["WORK_CENTER"]},
    ITEMS: {},
}

INSIDE = "사내"      # in-house
OUTSIDE = "외주"     # outsourced


@dataclass(frozen=True)
class ColumnProblem:
    """One column a view lacks, with the old name found in its place if any."""

    view: str
    column: str
    required: bool
    old_name_found: str | None = None

    def message(self) -> str:
        kind = "required column" if self.required else "column"
        text = f"{self.view}: {kind} {self.column} is missing"
        if self.old_name_found:
            text += (f" (found the old name {self.old_name_found}; rename it to {self.column} in the "
                     f"view — old-name columns are not read, because they made the earlier system "
                     f"export zero times)")
        return text


def check_columns(kind: str, view_name: str, present: list[str]) -> list[ColumnProblem]:
    """Compare a view's columns with the expected ones; exact, case-sensitive names."""
    have = set(present)
    problems = []
    required = set(REQUIRED[kind])
    for col in COLUMNS[kind]:
        if col in have:
            continue
        old = next((o for o in OLD_NAMES[kind].get(col, []) if o in have), None)
        problems.append(ColumnProblem(view_name, col, col in required, old))
    return problems
