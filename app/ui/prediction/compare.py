"""Compare (after a refused save): the routing as someone else saved it beside the engineer's own,
operation by operation (rows matched by PROC_SEQ), the cells that differ marked. Nothing is saved
here: Reload theirs takes their revision into the editor (Undo brings one's own edits back), Keep
mine closes the comparison."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.domain.routing import Operation
from app.ui.look import EDITED_BACKGROUND, MUTED_TEXT, fmt_minutes
from app.ui.widgets import Column, RowsTableModel, fit_to_contents, read_only_table

FIELDS = ("JOB_CD", "JOB_NM", "RES_CD", "INSIDE_FLAG", "SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME")
TIMES = {"SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME"}


@dataclass
class Side:
    """One row of one side: the operation at a PROC_SEQ (None: this side has no such operation) and
    the fields in which it differs from the other side's."""

    seq: int
    op: Operation | None
    differs: frozenset[str]


def pair_rows(theirs: list[Operation], mine: list[Operation]) -> tuple[list[Side], list[Side]]:
    """Both routings on the same rows (every PROC_SEQ of either, in order)."""
    a = {o.PROC_SEQ: o for o in theirs}
    b = {o.PROC_SEQ: o for o in mine}
    left, right = [], []
    for seq in sorted(set(a) | set(b)):
        x, y = a.get(seq), b.get(seq)
        if x is None or y is None:
            differs = frozenset(FIELDS)
        else:
            differs = frozenset(f for f in FIELDS if _value(x, f) != _value(y, f))
        left.append(Side(seq, x, differs))
        right.append(Side(seq, y, differs))
    return left, right


def _value(op: Operation, field: str):
    v = getattr(op, field)
    return round(float(v), 4) if field in TIMES else (v or "")


class SideModel(RowsTableModel[Side]):
    def __init__(self, parent=None):
        super().__init__(parent=parent)
        # short headers: both routings side by side fit a 1280-pixel screen (the full names in the tooltips)
        headers = {"JOB_CD": "JOB", "JOB_NM": "JOB_NM", "RES_CD": "RES", "INSIDE_FLAG": "IN/OUT",
                   "SETUP_TIME": "SETUP", "RUN_TIME": "RUN", "WAIT_TIME": "WAIT", "MOVE_TIME": "MOVE"}
        columns = [Column("PROC_SEQ", "SEQ", lambda s: str(s.seq), align="right", header_tip="PROC_SEQ",
                          foreground=lambda s: MUTED_TEXT if s.op is None else None)]
        for f in FIELDS:
            columns.append(Column(f, headers.get(f, f), self._text(f), align="right" if f in TIMES else "left",
                                  header_tip=f,
                                  background=lambda s, f=f: EDITED_BACKGROUND if f in s.differs else None,
                                  tip=lambda s: self.tr("not in this routing") if s.op is None else None))
        self.set_columns(columns)

    @staticmethod
    def _text(field: str):
        def text(s: Side) -> str:
            if s.op is None:
                return "—"
            v = getattr(s.op, field)
            return fmt_minutes(v) if field in TIMES else str(v or "")
        return text


class CompareDialog(QDialog):
    reload_requested = Signal()

    def __init__(self, item_cd: str, theirs_title: str, theirs: list[Operation], mine: list[Operation], parent=None):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle(self.tr("Compare the routings of %1").replace("%1", item_cd))
        self.setMinimumSize(1200, 440)
        left, right = pair_rows(theirs, mine)
        self.differences = sum(1 for s in left if s.differs)
        self.theirs_model, self.mine_model = SideModel(self), SideModel(self)
        self.theirs_model.set_rows(left)
        self.mine_model.set_rows(right)
        self.theirs_table = read_only_table("theirsTable")
        self.mine_table = read_only_table("mineTable")
        grid = QGridLayout()
        self.titles = []
        for col, (title, table, model) in enumerate(((theirs_title, self.theirs_table, self.theirs_model),
                                                     (self.tr("Yours, not saved"), self.mine_table,
                                                      self.mine_model))):
            label = QLabel("<b>" + title + "</b>")
            label.setWordWrap(True)
            self.titles.append(label)
            table.setModel(model)
            fit_to_contents(table, 130, min_width=30)
            grid.addWidget(label, 0, col)
            grid.addWidget(table, 1, col)
        # one scroll for both sides, so a row stays beside its partner
        self.theirs_table.verticalScrollBar().valueChanged.connect(self.mine_table.verticalScrollBar().setValue)
        self.mine_table.verticalScrollBar().valueChanged.connect(self.theirs_table.verticalScrollBar().setValue)
        self.summary = QLabel(
            self.tr("%1 operations differ (marked); nothing has been saved. Reload theirs to continue from their "
                    "revision (Undo brings your edits back), or keep yours and change it.")
            .replace("%1", str(self.differences)) if self.differences else
            self.tr("The operations are the same; only the status or who saved differs."))
        self.summary.setWordWrap(True)
        self.reload_button = QPushButton(self.tr("Reload theirs"))
        self.reload_button.setObjectName("primary")
        self.reload_button.clicked.connect(self._reload)
        keep = QPushButton(self.tr("Keep mine"))
        keep.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(keep)
        lay = QVBoxLayout(self)
        lay.addLayout(grid, 1)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)

    def _reload(self) -> None:
        self.reload_requested.emit()
        self.accept()
