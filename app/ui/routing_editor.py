"""The routing editor: a table of operations edited in place, with undo/redo (QUndoStack), an
operation palette, remove and reorder. Times are validated on entry: a non-number or a negative
value is refused with a message, never stored."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QFrame, QHBoxLayout,
                               QLineEdit, QPushButton, QStyledItemDelegate, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from app.domain.routing import Operation
from app.domain.schema import INSIDE, OUTSIDE
from app.services.catalog import PaletteOperation
from app.ui.numbers import NumberError, parse_decimal
from app.ui.widgets import Banner, ElidedLabel, fit_to_contents
from app.ui.wording import short_word, word
from app.ui.look import (EDITED_TEXT, MUTED_TEXT, TIME_SOURCE_COLOURS, WARNING_BACKGROUND, WARNING_TEXT,
                         fmt_minutes)

TIME_FIELDS = ("SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME")
COLUMNS = ["PROC_SEQ", "JOB_CD", "JOB_NM", "RES_CD", "INSIDE_FLAG", "SETUP_TIME", "RUN_TIME", "RANGE",
           "SAMPLE_COUNT", "TIME_SOURCE", "WAIT_TIME", "MOVE_TIME", "WARNING", "WHY"]
EDITABLE = {"RES_CD", "INSIDE_FLAG", *TIME_FIELDS}
RIGHT = {"PROC_SEQ", "SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME", "RANGE", "SAMPLE_COUNT"}
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)
ROW_HEIGHT = 24


def parse_time(text: Any) -> float | None:
    """A time typed by a user: '12', '12.5', '12,5', ' 3 '. None when it is not a number or ambiguous."""
    try:
        return parse_decimal(text, QLocale().decimalPoint())
    except NumberError:
        return None


def signature(operations: list[Operation]) -> tuple:
    """What an engineer can change in a routing: two routings with the same signature are the same."""
    return tuple((o.JOB_CD, o.JOB_NM, o.RES_CD, o.INSIDE_FLAG, round(float(o.SETUP_TIME), 4),
                  round(float(o.RUN_TIME), 4), round(float(o.WAIT_TIME), 4), round(float(o.MOVE_TIME), 4))
                 for o in operations)


# ---- undo commands ---------------------------------------------------------------------------
class SetFieldCommand(QUndoCommand):
    def __init__(self, model: "OperationsModel", row: int, field: str, old: Any, new: Any, text: str):
        super().__init__(text)
        self.model, self.row, self.field, self.old, self.new = model, row, field, old, new

    def redo(self) -> None:
        self.model._set_field(self.row, self.field, self.new, edited=True)

    def undo(self) -> None:
        self.model._set_field(self.row, self.field, self.old, edited=None)


class InsertCommand(QUndoCommand):
    def __init__(self, model: "OperationsModel", row: int, op: Operation, text: str):
        super().__init__(text)
        self.model, self.row, self.op = model, row, op

    def redo(self) -> None:
        self.model._insert(self.row, copy.deepcopy(self.op))

    def undo(self) -> None:
        self.model._remove(self.row)


class RemoveCommand(QUndoCommand):
    def __init__(self, model: "OperationsModel", row: int, text: str):
        super().__init__(text)
        self.model, self.row = model, row
        self.op = copy.deepcopy(model.operations[row])

    def redo(self) -> None:
        self.model._remove(self.row)

    def undo(self) -> None:
        self.model._insert(self.row, copy.deepcopy(self.op))


class ReplaceAllCommand(QUndoCommand):
    """The whole routing replaced (started again from another candidate, or reloaded): undoable too."""

    def __init__(self, model: "OperationsModel", operations: list[Operation], base: "RoutingBase | None",
                 text: str):
        super().__init__(text)
        self.model = model
        self.old_ops, self.old_base = [copy.deepcopy(o) for o in model.operations], model.base
        self.new_ops, self.new_base = [copy.deepcopy(o) for o in operations], base or model.base

    def redo(self) -> None:
        self.model._replace(self.new_ops, self.new_base)

    def undo(self) -> None:
        self.model._replace(self.old_ops, self.old_base)


class MoveCommand(QUndoCommand):
    def __init__(self, model: "OperationsModel", row: int, to: int, text: str):
        super().__init__(text)
        self.model, self.row, self.to = model, row, to

    def redo(self) -> None:
        self.model._move(self.row, self.to)

    def undo(self) -> None:
        self.model._move(self.to, self.row)


# ---- the table model -------------------------------------------------------------------------
@dataclass(frozen=True)
class RoutingBase:
    """What an engineer's routing started from: its label ("candidate 2") and that routing as it was."""

    label: str
    operations: tuple


class OperationsModel(QAbstractTableModel):
    """One routing being edited. Every change goes through its QUndoStack.

    A frozen model (a candidate as the model proposed it) never changes: an edit asks `fork` for the
    engineer's own routing (a copy of this one) and is applied there; `fork` returns None to refuse."""

    invalid_input = Signal(str)
    operations_changed = Signal()

    def __init__(self, operations: list[Operation], parent=None, frozen: bool = False,
                 base: RoutingBase | None = None):
        super().__init__(parent)
        self.operations = [copy.deepcopy(o) for o in operations]
        self.edited: set[tuple[int, str]] = set()  # (id of op, field) the engineer changed
        self.stack = QUndoStack(self)
        self.frozen = frozen
        self.base = base
        self.fork: Callable[[OperationsModel], OperationsModel | None] | None = None
        self._renumber()

    def _target(self) -> OperationsModel | None:
        """The model an edit goes to: this one, or for a frozen one the engineer's copy of it."""
        if not self.frozen:
            return self
        return self.fork(self) if self.fork is not None else None

    # -- primitives used by the commands (no undo of their own) --
    def _renumber(self) -> None:
        for i, op in enumerate(self.operations):
            op.PROC_SEQ = 10 * (i + 1)
            op.ROUT_ORDER = "F" if i == 0 else "L" if i == len(self.operations) - 1 else "I"

    def _set_field(self, row: int, field: str, value: Any, edited: bool | None) -> None:
        op = self.operations[row]
        setattr(op, field, value)
        key = (id(op), field)
        if edited:
            self.edited.add(key)
        elif edited is None:
            self.edited.discard(key)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.operations_changed.emit()

    def _insert(self, row: int, op: Operation) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.operations.insert(row, op)
        self.endInsertRows()
        self._renumber()
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))
        self.operations_changed.emit()

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        self.operations.pop(row)
        self.endRemoveRows()
        self._renumber()
        if self.operations:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))
        self.operations_changed.emit()

    def _replace(self, operations: list[Operation], base: RoutingBase | None) -> None:
        self.beginResetModel()
        self.operations = [copy.deepcopy(o) for o in operations]
        self.edited.clear()
        self.base = base
        self._renumber()
        self.endResetModel()
        self.operations_changed.emit()

    def _move(self, row: int, to: int) -> None:
        dest = to + 1 if to > row else to
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), dest)
        op = self.operations.pop(row)
        self.operations.insert(to, op)
        self.endMoveRows()
        self._renumber()
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))
        self.operations_changed.emit()

    # -- user actions (undoable; on a frozen model they go to the engineer's copy) --
    def add_operation(self, row: int, op: Operation) -> OperationsModel | None:
        target = self._target()
        if target is not None:
            target.stack.push(InsertCommand(target, row, op, self.tr("Add %1").replace("%1", op.JOB_CD)))
        return target

    def remove_operation(self, row: int) -> OperationsModel | None:
        if not 0 <= row < len(self.operations):
            return None
        target = self._target()
        if target is not None:
            op = target.operations[row]
            target.stack.push(RemoveCommand(target, row, self.tr("Remove %1").replace("%1", op.JOB_CD)))
        return target

    def move_operation(self, row: int, delta: int) -> OperationsModel | None:
        to = row + delta
        if not (0 <= row < len(self.operations) and 0 <= to < len(self.operations)):
            return None
        target = self._target()
        if target is not None:
            op = target.operations[row]
            target.stack.push(MoveCommand(target, row, to, self.tr("Move %1").replace("%1", op.JOB_CD)))
        return target

    def replace_all(self, operations: list[Operation], base: RoutingBase | None, text: str) -> None:
        """Put another routing in place of this one, as one undo step."""
        self.stack.push(ReplaceAllCommand(self, operations, base, text))

    def signature(self) -> tuple:
        return signature(self.operations)

    def current_operations(self) -> list[Operation]:
        return [copy.deepcopy(o) for o in self.operations]

    # -- Qt model --
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.operations)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            labels = {"RANGE": self.tr("RUN P10–P90"), "SAMPLE_COUNT": self.tr("Based on"),
                      "TIME_SOURCE": self.tr("Time source"), "WARNING": self.tr("Warning"), "WHY": self.tr("Why")}
            return labels.get(name, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {
                "PROC_SEQ": self.tr("Sequence number (10, 20, 30 …)"),
                "JOB_CD": self.tr("Process code"),
                "RES_CD": self.tr("Resource / work centre (editable)"),
                "INSIDE_FLAG": self.tr("사내 = in-house, 외주 = outsourced (editable)"),
                "SETUP_TIME": self.tr("Setup time per lot, minutes (editable)"),
                "RUN_TIME": self.tr("Run time per piece, minutes (editable)"),
                "WAIT_TIME": self.tr("Wait time, minutes (editable)"),
                "MOVE_TIME": self.tr("Move time, minutes (editable)"),
                "RANGE": self.tr("10th to 90th percentile of the run time samples, minutes per piece"),
                "SAMPLE_COUNT": self.tr("How many work-order results the times come from, or for standard times "
                                        "how many routings"),
                "TIME_SOURCE": self.tr("Where the times come from: the item's own actuals, similar items' "
                                       "actuals, or standard routing times"),
                "WHY": self.tr("Why the model proposes the operation: what decides it on this plant (learned from "
                               "its routings) and how many such items have it"),
            }
            return tips.get(name)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT if name in RIGHT else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if COLUMNS[index.column()] in EDITABLE:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def samples_text(self, op: Operation) -> str:
        """What the times rest on, in the unit of their source: work results, or routings' standard times."""
        if not op.SAMPLE_COUNT:
            return ""
        if op.TIME_SOURCE == "standard":
            return self.tr("%1 routings").replace("%1", f"{op.SAMPLE_COUNT:,}")
        return self.tr("%1 results").replace("%1", f"{op.SAMPLE_COUNT:,}")

    def time_source_label(self, source: str) -> str:
        return {"item_actuals": self.tr("item actuals"), "similar_actuals": self.tr("similar items' actuals"),
                "standard": self.tr("standard times")}.get(source, source)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        op = self.operations[index.row()]
        name = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if name in TIME_FIELDS:
                v = getattr(op, name)
                return f"{v:g}" if role == Qt.ItemDataRole.EditRole else fmt_minutes(v)
            if name == "RANGE":
                if op.RUN_TIME_P90 > 0:
                    return f"{fmt_minutes(op.RUN_TIME_P10)} – {fmt_minutes(op.RUN_TIME_P90)}"
                return ""
            if name == "SAMPLE_COUNT":
                return self.samples_text(op)
            if name == "TIME_SOURCE":
                return self.time_source_label(op.TIME_SOURCE)
            if name == "WARNING":
                return ("⚠ " + short_word(op.WARNING)) if op.WARNING else ""
            if name == "WHY":
                return word(op.REASON) if op.REASON else ""
            return str(getattr(op, name))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if name in RIGHT:
                return ALIGN_RIGHT
            if name == "INSIDE_FLAG":
                return ALIGN_CENTER
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if name == "TIME_SOURCE":
                c = TIME_SOURCE_COLOURS.get(op.TIME_SOURCE)
                return QBrush(c) if c else None
            if name == "WARNING" and op.WARNING:
                return QBrush(WARNING_BACKGROUND)
            if name == "INSIDE_FLAG" and op.INSIDE_FLAG == OUTSIDE:
                return QBrush(TIME_SOURCE_COLOURS["standard"])
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (id(op), name) in self.edited:
                return QBrush(EDITED_TEXT)
            if name == "WARNING":
                return QBrush(WARNING_TEXT)
            if name in ("RANGE", "SAMPLE_COUNT", "WHY"):
                return QBrush(MUTED_TEXT)
            return None
        if role == Qt.ItemDataRole.FontRole and (id(op), name) in self.edited:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            if name == "WARNING" and op.WARNING:
                return word(op.WARNING)
            if name in ("WHY", "JOB_CD") and op.REASON:
                return f"{op.JOB_CD} {op.JOB_NM}: {word(op.REASON)}"
            if name in TIME_FIELDS and (id(op), name) in self.edited:
                return self.tr("changed by you")
            if name == "SETUP_TIME" and op.SETUP_TIME_P90 > 0:
                return self.tr("setup P10–P90: %1 – %2 min").replace("%1", fmt_minutes(op.SETUP_TIME_P10)) \
                    .replace("%2", fmt_minutes(op.SETUP_TIME_P90))
            if name == "JOB_NM":
                return op.JOB_NM
        return None

    def validate(self, row: int, name: str, value: Any) -> tuple[bool, Any]:
        """(True, the value to store) or (False, None) after saying why on `invalid_input`."""
        op = self.operations[row]
        if name in TIME_FIELDS:
            try:
                v = parse_decimal(value, QLocale().decimalPoint())
            except NumberError as exc:
                template = (self.tr("%1 of %2 (PROC_SEQ %3): “%4” could mean a thousands separator or a decimal "
                                    "comma; type it without the separator (1500) or with a decimal point (1.5). "
                                    "The value was not changed.") if exc.reason == "ambiguous" else
                            self.tr("%1 of %2 (PROC_SEQ %3): “%4” is not a number; the value was not changed."))
                self.invalid_input.emit(template.replace("%1", name).replace("%2", op.JOB_CD)
                                        .replace("%3", str(op.PROC_SEQ)).replace("%4", str(value)))
                return False, None
            if v < 0:
                self.invalid_input.emit(self.tr("%1 of %2 (PROC_SEQ %3): a time cannot be negative (%4); the value "
                                                "was not changed.").replace("%1", name).replace("%2", op.JOB_CD)
                                        .replace("%3", str(op.PROC_SEQ)).replace("%4", str(value)))
                return False, None
            return True, round(v, 4)
        if name == "INSIDE_FLAG":
            new = str(value).strip()
            if new not in (INSIDE, OUTSIDE):
                self.invalid_input.emit(self.tr("INSIDE_FLAG must be 사내 (in-house) or 외주 (outsourced), not “%1”.")
                                        .replace("%1", new))
                return False, None
            return True, new
        if name == "RES_CD":
            new = str(value).strip().upper()
            if not new and op.INSIDE_FLAG == INSIDE:
                self.invalid_input.emit(self.tr("RES_CD of %1 cannot be empty for an in-house operation.")
                                        .replace("%1", op.JOB_CD))
                return False, None
            return True, new
        return False, None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, name = index.row(), COLUMNS[index.column()]
        ok, new = self.validate(row, name, value)
        if not ok:
            return False
        if new == getattr(self.operations[row], name):
            return True
        target = self._target()
        if target is None:
            return False
        op = target.operations[row]
        old = getattr(op, name)
        if new == old:
            return True
        target.stack.push(SetFieldCommand(target, row, name, old, new,
                                          self.tr("%1 of %2: %3 → %4").replace("%1", name).replace("%2", op.JOB_CD)
                                          .replace("%3", str(old)).replace("%4", str(new))))
        return True


def popup_fits_items(box: QComboBox) -> None:
    """The drop-down list as wide as its longest entry, even when the box itself is narrow."""
    view = box.view()
    widest = view.sizeHintForColumn(0) if box.count() else 0
    view.setMinimumWidth(widest + view.verticalScrollBar().sizeHint().width() + 8)


class OperationDelegate(QStyledItemDelegate):
    """Plain text editors for times (so a bad entry reaches validation and gets its message),
    a combo for INSIDE_FLAG and an editable combo of known resources for RES_CD."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.resources: list[str] = []

    def createEditor(self, parent, option, index):
        name = COLUMNS[index.column()]
        if name == "INSIDE_FLAG":
            box = QComboBox(parent)
            box.addItems([INSIDE, OUTSIDE])
            return box
        if name == "RES_CD":
            box = QComboBox(parent)
            box.setEditable(True)
            box.addItems(self.resources)
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            comp = box.completer()
            if comp is not None:
                comp.setFilterMode(Qt.MatchFlag.MatchContains)
                comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            popup_fits_items(box)
            return box
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor, index):
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        else:
            editor.setText(str(value))
            editor.selectAll()

    def setModelData(self, editor, model, index):
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)


# ---- the widget ------------------------------------------------------------------------------
class RoutingEditor(QWidget):
    """Shows one OperationsModel at a time (each routing keeps its own undo history). Edits to a
    frozen one (a candidate) go to the engineer's own routing, which the tab then shows."""

    operations_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model: OperationsModel | None = None
        self.palette: list[PaletteOperation] = []
        self.undo_group = QUndoGroup(self)

        # the menu's actions name the step ("Undo RUN_TIME of C10-1: 2 → 2.5"); the buttons stay short
        self.undo_action = self.undo_group.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, self.tr("Redo"))
        redo_keys = [QKeySequence("Ctrl+Y")]
        redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
        self.redo_action.setShortcuts(redo_keys)
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
        self.undo_button = QToolButton()
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setText(self.tr("↶ Undo"))
        self.undo_button.clicked.connect(self.undo_action.trigger)
        self.redo_button = QToolButton()
        self.redo_button.setObjectName("redoButton")
        self.redo_button.setText(self.tr("↷ Redo"))
        self.redo_button.clicked.connect(self.redo_action.trigger)
        self.undo_group.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_group.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_group.undoTextChanged.connect(
            lambda t: self.undo_button.setToolTip(self.tr("Undo: %1 (Ctrl+Z)").replace("%1", t) if t else ""))
        self.undo_group.redoTextChanged.connect(
            lambda t: self.redo_button.setToolTip(self.tr("Redo: %1 (Ctrl+Y)").replace("%1", t) if t else ""))
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)

        self.palette_box = QComboBox()
        self.palette_box.setObjectName("paletteBox")
        self.palette_box.setEditable(True)
        self.palette_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.palette_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.palette_box.setMinimumContentsLength(15)   # room for its hint
        self.palette_box.lineEdit().setPlaceholderText(self.tr("Operation to add…"))
        self.palette_box.setToolTip(self.tr("The operation to add: type part of its code or name to filter"))
        completer = QCompleter(self.palette_box.model(), self.palette_box)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.palette_box.setCompleter(completer)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setToolTip(self.tr("Insert the chosen operation after the selected row, with its typical "
                                           "resource and times"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.up_button = QToolButton()
        self.up_button.setText("▲")
        self.up_button.setToolTip(self.tr("Move the selected operation up"))
        self.down_button = QToolButton()
        self.down_button.setText("▼")
        self.down_button.setToolTip(self.tr("Move the selected operation down"))

        bar = QHBoxLayout()
        bar.setSpacing(4)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        sep = QFrame()
        sep.setFrameShape(QFrame.Shape.VLine)
        sep.setObjectName("separator")
        bar.addWidget(sep)
        bar.addWidget(self.palette_box, 2)
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        bar.addWidget(self.up_button)
        bar.addWidget(self.down_button)
        self.bar = bar

        self.message = Banner("error")
        self.message.setObjectName("editorMessage")

        self.table = QTableView()
        self.table.setObjectName("routingTable")
        self.delegate = OperationDelegate(self.table)
        self.table.setItemDelegate(self.delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked |
                                   QAbstractItemView.EditTrigger.EditKeyPressed |
                                   QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # a long reason is shown in full below the table (the selected operation's) and in its tooltip
        self.table.setProperty("preview_columns", [COLUMNS.index("WHY")])

        # why the model proposes the selected operation, in full (the table's last column has all of
        # them); the tab puts it where it has room
        self.why_label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.why_label.setObjectName("whyLabel")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(bar)
        lay.addWidget(self.message)
        lay.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.add_from_palette)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.set_model(None)

    def add_to_bar(self, widget: QWidget, stretch_before: bool = False) -> None:
        """A control of the tab's own (Save, status) at the end of the editor's toolbar."""
        if stretch_before:
            self.bar.addStretch(1)
        self.bar.addWidget(widget)

    # ---- content -------------------------------------------------------------------------
    def set_palette(self, palette: list[PaletteOperation], resources: list[str]) -> None:
        self.palette = palette
        self.palette_box.clear()
        for p in palette:
            self.palette_box.addItem(f"{p.JOB_CD} · {p.JOB_NM} · {p.RES_CD} · {p.INSIDE_FLAG} · "
                                     f"{fmt_minutes(p.SETUP_TIME)} / {fmt_minutes(p.RUN_TIME)} min", p.JOB_CD)
        self.palette_box.setCurrentIndex(-1)
        popup_fits_items(self.palette_box)
        self.delegate.resources = resources

    def set_model(self, model: OperationsModel | None) -> None:
        """Show `model`; the selected row and column stay where they were when the new one has them."""
        position = self.table.currentIndex()
        if self.model is not None:
            try:
                self.model.invalid_input.disconnect(self._invalid)
                self.model.operations_changed.disconnect(self.operations_changed)
            except (RuntimeError, TypeError):
                pass
        self.model = model
        self.message.hide()
        self.table.setModel(model)
        if self.table.selectionModel() is not None:
            self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_why(cur.row()))
        if model is not None:
            if model.stack not in self.undo_group.stacks():
                self.undo_group.addStack(model.stack)
            self.undo_group.setActiveStack(model.stack)
            model.invalid_input.connect(self._invalid)
            model.operations_changed.connect(self.operations_changed)
            self._size_columns()
            if position.isValid() and position.row() < model.rowCount():
                self.table.setCurrentIndex(model.index(position.row(), position.column()))
        else:
            self.undo_group.setActiveStack(None)
        self._show_why(self.table.currentIndex().row())
        for w in (self.add_button, self.remove_button, self.up_button, self.down_button, self.palette_box):
            w.setEnabled(model is not None)
        self.operations_changed.emit()

    def _show_why(self, row: int) -> None:
        """The reason the model gave for the operation in `row` (none for the engineer's own additions)."""
        ops = self.model.operations if self.model is not None else []
        op = ops[row] if 0 <= row < len(ops) else (ops[0] if ops else None)
        if op is None or not op.REASON:
            self.why_label.setText("")
            return
        self.why_label.setText(self.tr("Why %1 %2: %3").replace("%1", op.JOB_CD).replace("%2", op.JOB_NM)
                               .replace("%3", word(op.REASON)))

    def forget_stacks(self) -> None:
        for s in list(self.undo_group.stacks()):
            self.undo_group.removeStack(s)

    def _size_columns(self) -> None:
        """Each column as wide as its text (a time column wide enough to type in), the last one
        filling the rest of the view."""
        least = {"SETUP_TIME": 76, "RUN_TIME": 70, "WAIT_TIME": 70, "MOVE_TIME": 70, "RES_CD": 78}
        fit_to_contents(self.table, max_width=600)
        h = self.table.horizontalHeader()
        for i, c in enumerate(COLUMNS[:-1]):
            if h.sectionSize(i) < least.get(c, 0):
                h.resizeSection(i, least[c])

    def _invalid(self, message: str) -> None:
        self.message.show_message(message)

    # ---- actions -------------------------------------------------------------------------
    def selected_row(self) -> int:
        idx = self.table.currentIndex()
        return idx.row() if idx.isValid() else -1

    def add_from_palette(self) -> None:
        if self.model is None:
            return
        i = self.palette_box.currentIndex()
        text = self.palette_box.currentText().strip()
        if i < 0 or self.palette_box.itemText(i) != text:
            code = text.split("·")[0].strip().upper()
            i = next((k for k, p in enumerate(self.palette) if p.JOB_CD.upper() == code), -1)
        if i < 0:
            self.message.show_message(self.tr("Choose an operation from the list first."))
            return
        p = self.palette[i]
        # the plant's usual standard times for it: how many routings they come from is SAMPLE_COUNT
        op = Operation(PROC_SEQ=0, JOB_CD=p.JOB_CD, JOB_NM=p.JOB_NM, RES_CD=p.RES_CD, INSIDE_FLAG=p.INSIDE_FLAG,
                       SETUP_TIME=round(p.SETUP_TIME, 3), RUN_TIME=round(p.RUN_TIME, 3), TIME_SOURCE="standard",
                       SAMPLE_COUNT=p.uses)
        row = self.selected_row()
        at = row + 1 if row >= 0 else self.model.rowCount()
        if self.model.add_operation(at, op) is not None:
            self.table.selectRow(at)
            self.message.hide()

    def remove_selected(self) -> None:
        row = self.selected_row()
        if self.model is not None and row >= 0:
            self.model.remove_operation(row)

    def move_selected(self, delta: int) -> None:
        row = self.selected_row()
        if self.model is not None and self.model.move_operation(row, delta) is not None:
            self.table.selectRow(row + delta)
