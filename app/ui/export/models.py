"""Table models of the Mapping & Export tab: one generic model over a list of rows described by a
column spec, and the few models built on it (profile columns, key → value pairs, the preview of a
target table with its marked cells, the problems)."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import polars as pl
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.export.files import as_written
from app.services.export.profile import TYPES, ColumnMap, ProfileError, parse_transform_text, transform_text
from app.services.export.rows import ERROR, WARNING, ExportPlan, Problem, TablePlan
from app.ui.export.wording import problem_reason, problem_text
from app.ui.look import MUTED_TEXT, WARNING_BACKGROUND, WARNING_TEXT

T = TypeVar("T")
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ERROR_BACKGROUND = WARNING_BACKGROUND
WARN_BACKGROUND = QColor("#fff4d6")
Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate     # pyside6-lupdate finds translate("context", "text") calls


@dataclass
class Col(Generic[T]):
    """One column: its header, how to show a row's value, and (if editable) how to set it."""

    header: str
    get: Callable[[T], Any]
    set: Callable[[T, Any], None] | None = None
    align: int | None = None
    check: bool = False          # shown as a check box


class SpecModel(QAbstractTableModel, Generic[T]):
    """A table model over `rows` described by a list of Col; editable columns when `editable`."""

    def __init__(self, columns: list[Col[T]], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[T] = []
        self.editable = False
        self.edit_error: Callable[[str], None] | None = None   # told why an edit was refused

    def set_rows(self, rows: list[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        col = self.columns[index.column()]
        if self.editable and col.set is not None:
            base |= Qt.ItemFlag.ItemIsUserCheckable if col.check else Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        row = self.rows[index.row()]
        if col.check:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if col.get(row) else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            value = col.get(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align is not None:
            return col.align
        return None

    def setData(self, index: Index, value: Any, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.editable:
            return False
        col = self.columns[index.column()]
        if col.set is None:
            return False
        if col.check and role == Qt.ItemDataRole.CheckStateRole:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role != Qt.ItemDataRole.EditRole:
            return False
        try:
            col.set(self.rows[index.row()], value)
        except (ValueError, ProfileError) as exc:
            if self.edit_error:
                self.edit_error(str(exc))
            return False
        self.dataChanged.emit(index, index)
        return True


# ---- profile columns ----------------------------------------------------------------------------
def _set_type(c: ColumnMap, v: Any) -> None:
    v = str(v).strip()
    if v not in TYPES:
        raise ValueError(translate("ExportModels", "type must be one of %1").replace("%1", ", ".join(TYPES)))
    c.type = v


def _set_length(c: ColumnMap, v: Any) -> None:
    text = str(v).strip()
    if not text:
        c.length = None
        return
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(translate("ExportModels", "length must be a whole number above zero"))
    c.length = int(text)


def _set_default(c: ColumnMap, v: Any) -> None:
    text = str(v)
    c.default = None if text == "" else int(text) if text.lstrip("-").isdigit() and c.type in ("int", "number") \
        else text


def _set_transform(c: ColumnMap, v: Any) -> None:
    c.transform = parse_transform_text(str(v))


def _set_source(c: ColumnMap, v: Any) -> None:
    c.source = str(v).strip()


class ColumnsModel(SpecModel[ColumnMap]):
    """The target columns of one table of a profile, in the target's order."""

    def __init__(self, parent=None):
        super().__init__([
            Col(translate("ExportModels", "Column"), lambda c: c.name),
            Col(translate("ExportModels", "Type"), lambda c: c.type, _set_type),
            Col(translate("ExportModels", "Length"), lambda c: c.length, _set_length, ALIGN_RIGHT),
            Col(translate("ExportModels", "Required"), lambda c: c.required,
                lambda c, v: setattr(c, "required", bool(v)), check=True),
            Col(translate("ExportModels", "Source"), lambda c: c.source, _set_source),
            Col(translate("ExportModels", "Default"), lambda c: c.default, _set_default),
            Col(translate("ExportModels", "Transform"), lambda c: transform_text(c.transform), _set_transform),
            Col(translate("ExportModels", "Unit"), lambda c: c.unit),
        ], parent)

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            c = self.rows[index.row()]
            if not c.source and c.default is None:
                return QBrush(MUTED_TEXT)       # always empty: the ERP's own default applies
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            c = self.rows[index.row()]
            return c.note or None
        return super().data(index, role)


class PairsModel(SpecModel[list]):
    """Key → value pairs (a profile's settings, a lookup table); rows are [key, value] lists."""

    def __init__(self, key_header: str, value_header: str, parent=None):
        super().__init__([Col(key_header, lambda r: r[0], lambda r, v: r.__setitem__(0, str(v).strip())),
                          Col(value_header, lambda r: r[1], lambda r, v: r.__setitem__(1, str(v).strip()))],
                         parent)

    def set_pairs(self, pairs: dict[str, str]) -> None:
        self.set_rows([[k, v] for k, v in pairs.items()])

    def pairs(self) -> dict[str, str]:
        return {k: v for k, v in self.rows if k}

    def add_row(self, key: str = "", value: str = "") -> int:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append([key, value])
        self.endInsertRows()
        return len(self.rows) - 1

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()


# ---- preview --------------------------------------------------------------------------------------
NONE, WARN, BAD = 0, 1, 2


@dataclass
class TableMarks:
    """The marked cells of one target table, made on a worker: a grid of 0 / 1 (warning) / 2 (error)
    per row and column, and the problems sorted by row for the reason and value of one cell (no
    Python object per marked cell: a preview of 10,000 routings can mark half a million)."""

    grid: np.ndarray
    rows: np.ndarray
    problems: pl.DataFrame
    errors: int = 0                      # cells marked as errors (counted on the worker)
    _cache: dict[int, dict[str, tuple[str, str, str]]] = field(default_factory=dict)

    def level(self, row: int, col: int) -> int:
        return int(self.grid[row, col]) if self.grid.size else NONE

    def cell(self, row: int, column: str) -> tuple[str, str, str] | None:
        """(severity, reason in the window's language, value) of a marked cell."""
        found = self._cache.get(row)
        if found is None:
            lo, hi = np.searchsorted(self.rows, [row, row + 1])
            found = {c: (s, problem_reason(code, json.loads(params) if params else {}, v, why), v)
                     for c, s, why, v, code, params in
                     self.problems.slice(int(lo), int(hi - lo))
                     .select("column", "severity", "reason", "value", "code", "params").iter_rows()}
            if len(self._cache) > 500:
                self._cache.clear()
            self._cache[row] = found
        return found.get(column)


@dataclass
class PreviewData:
    """What the preview shows, prepared off the GUI thread."""

    plan: ExportPlan
    marks: dict[str, TableMarks]
    invalid: np.ndarray                  # per routing: True when it cannot be exported
    problems: list[Problem]              # the first SHOWN_PROBLEMS, errors first per routing
    errors: int
    warnings: int
    reasons: list[str] = field(default_factory=list)   # each of `problems` worded in the window's language


def prepare_preview(plan: ExportPlan, shown_problems: int) -> PreviewData:
    """Marks, counts and the first problems of `plan` (run on the worker that built it)."""
    marks = {}
    for t in plan.tables:
        names = {c: i for i, c in enumerate(t.columns)}
        f = (plan.problems.filter((pl.col("table") == t.name) & (pl.col("row") >= 0))
             .sort("row", maintain_order=True))
        grid = np.zeros((t.frame.height, len(t.columns)), dtype=np.int8)
        if f.height:
            rows = f["row"].to_numpy()
            cols = f["column"].replace_strict(names, default=0, return_dtype=pl.Int64).to_numpy()
            level = np.where(f["severity"].to_numpy() == ERROR, BAD, WARN).astype(np.int8)
            np.maximum.at(grid, (rows, cols), level)
        marks[t.name] = TableMarks(grid, f["row"].to_numpy(),
                                   f.select("row", "column", "severity", "reason", "value", "code", "params"),
                                   int((grid == BAD).sum()))
    invalid = np.zeros(len(plan.routings), dtype=bool)
    bad = list(plan.invalid)
    if bad:
        invalid[bad] = True
    problems = plan.problem_list(limit=shown_problems)
    # worded here, on the worker (translate is thread-safe): the list's model then only looks them up
    return PreviewData(plan, marks, invalid, problems, plan.count(ERROR), plan.count(WARNING),
                       [problem_text(p) for p in problems])


class PreviewModel(QAbstractTableModel):
    """The rows of one target table as they would be written; bad cells red, warnings yellow, the
    reason in the tooltip. Rows are read from the polars frame as they are shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = pl.DataFrame()
        self.columns: list[str] = []
        self.items: list[str] = []
        self.marks: TableMarks | None = None
        self.invalid = np.zeros(0, dtype=bool)
        self.routing_of = np.zeros(0, dtype=np.int64)
        self._cache: tuple[int, tuple] | None = None

    def set_table(self, plan: TablePlan, marks: TableMarks, invalid: np.ndarray, items: list[str]) -> None:
        self.beginResetModel()
        self.frame = plan.frame
        self.columns = plan.columns
        self.routing_of = plan.frame["_r"].to_numpy()
        self.marks = marks
        self.invalid = invalid
        self.items = items
        self._cache = None
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.frame.height

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        # which routing a row belongs to stays in sight however far the table scrolls right
        return f"{section + 1}  {self.items[int(self.routing_of[section])]}"

    def _row(self, r: int) -> tuple:
        if self._cache is None or self._cache[0] != r:
            self._cache = (r, self.frame.row(r))
        return self._cache[1]

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        level = self.marks.level(r, c) if self.marks is not None else NONE
        if role == Qt.ItemDataRole.DisplayRole:
            shown = as_written(self._row(r)[c + 1])    # column 0 of the frame is the routing
            if not shown and level == BAD:
                mark = self.marks.cell(r, self.columns[c])
                return mark[2] if mark else ""   # the value the column refused shows where it would go
            return shown
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(ERROR_BACKGROUND) if level == BAD else QBrush(WARN_BACKGROUND) if level == WARN else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if level == BAD:
                return QBrush(WARNING_TEXT)
            return QBrush(MUTED_TEXT) if self.invalid[int(self.routing_of[r])] else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if level != NONE:
                mark = self.marks.cell(r, self.columns[c])
                if mark:
                    return f"{self.columns[c]}: {mark[1]}"
            return as_written(self._row(r)[c + 1]) or None
        return None

    def find_cell(self, row: int, column: str) -> QModelIndex:
        if column in self.columns and 0 <= row < self.frame.height:
            return self.index(row, self.columns.index(column))
        return QModelIndex()


class ProblemsModel(SpecModel[Problem]):
    """The problems of a preview: routing, table, row, column and the reason in the window's language."""

    REASON = 4
    reasons: list[str] | None = None

    def set_problems(self, problems: list[Problem], reasons: list[str] | None = None) -> None:
        """The problems and, when already worded (prepare_preview), their reasons."""
        self.reasons = reasons if reasons is not None and len(reasons) == len(problems) else None
        self.set_rows(problems)

    def set_rows(self, rows: list[Problem]) -> None:
        if self.reasons is not None and len(self.reasons) != len(rows):
            self.reasons = None
        super().set_rows(rows)

    def shown_texts(self, column: int, rows: int) -> set[str]:
        """The texts `column` shows in the first `rows` rows, as data() shows them, read from the rows
        themselves (through index() and data(), 500 calls into Qt and back: 10-20 ms of the GUI thread)."""
        if column == self.REASON and self.reasons is not None:
            return set(self.reasons[:rows])
        get = self.columns[column].get
        return {"" if v is None else str(v) for v in map(get, self.rows[:rows])}

    def __init__(self, parent=None):
        super().__init__([
            Col(translate("ExportModels", "Routing"), lambda p: f"{p.ITEM_CD}/{p.ROUT_NO}" if p.ROUT_NO else p.ITEM_CD),
            Col(translate("ExportModels", "Table"), lambda p: p.table),
            Col(translate("ExportModels", "Row"), lambda p: p.row + 1 if p.row >= 0 else "", align=ALIGN_RIGHT),
            Col(translate("ExportModels", "Column"), lambda p: p.column),
            Col(translate("ExportModels", "Reason"), problem_text),
        ], parent)

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(WARNING_TEXT) if self.rows[index.row()].severity == ERROR else QBrush(QColor("#7a5200"))
        if index.isValid() and index.column() == self.REASON and self.reasons is not None and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.reasons[index.row()]
        return super().data(index, role)
