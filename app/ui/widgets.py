"""Small widgets used across the window: message banners, a progress line with Cancel, a bar delegate."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QToolButton,
                               QWidget)

from app.ui.workers import Task



class RowsTableModel(QAbstractTableModel):
    """A table model over a list of rows, one column per name in COLUMNS."""

    COLUMNS: list[str] = []

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

class Banner(QFrame):
    """A coloured message line with optional buttons; hidden until there is something to say."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setProperty("kind", kind)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addLayout(self.buttons)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        lay.addWidget(close)
        self.hide()

    def add_button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(slot)
        self.buttons.addWidget(b)
        return b

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class JobBar(QWidget):
    """Progress bar, message and Cancel for one running Task at a time."""

    cancel_clicked = Signal()

    def __init__(self, parent=None, cancellable: bool = True):
        super().__init__(parent)
        self.task: Task | None = None
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setFormat("%p %")
        self.bar.setMaximumHeight(18)
        self.bar.setMinimumWidth(120)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setMinimumWidth(80)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setVisible(cancellable)
        self.cancel.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.bar, 2)
        lay.addWidget(self.message, 3)
        lay.addWidget(self.cancel)
        self.setVisible(False)

    def attach(self, task: Task, message: str = "") -> None:
        self.task = task
        self.bar.setValue(0)
        self.message.setText(message)
        self.cancel.setEnabled(True)
        self.setVisible(True)
        task.signals.progress.connect(self.set_progress)
        task.signals.done.connect(lambda t=task: self._done(t))

    def set_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(round(fraction * 1000)))
        if message:
            self.message.setText(message)
            self.message.setToolTip(message)

    def value(self) -> float:
        return self.bar.value() / 1000

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel.setEnabled(False)
            self.message.setText(self.tr("cancelling…"))
        self.cancel_clicked.emit()

    def _done(self, task: Task) -> None:
        if task is self.task:
            self.task = None
            self.setVisible(False)


class ShareBarDelegate(QStyledItemDelegate):
    """Draws a light bar behind a number in 0..1 (similarity, score) so the eye compares at a glance."""

    def __init__(self, parent=None, colour: str = "#cfe2f7"):
        super().__init__(parent)
        self.colour = QColor(colour)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        value = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(value, (int, float)) and not (option.state & QStyle.StateFlag.State_Selected):
            painter.save()
            r = QRectF(option.rect).adjusted(2, 3, -2, -3)
            r.setWidth(max(0.0, min(1.0, float(value))) * r.width())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colour)
            painter.drawRoundedRect(r, 2, 2)
            painter.restore()
        super().paint(painter, option, index)


def read_only_table(name: str) -> QTableView:
    """A table to read and pick rows from: whole rows, one at a time, no editing, no row numbers."""
    t = QTableView()
    t.setObjectName(name)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(24)
    t.setWordWrap(False)
    t.horizontalHeader().setHighlightSections(False)
    return t


def fit_columns(table, widths: list[int], stretch_last: bool = True) -> None:
    """Each column at least its preset width and never narrower than its header text."""
    from PySide6.QtWidgets import QHeaderView

    h = table.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, w in enumerate(widths):
        if i < h.count():
            h.resizeSection(i, max(w, h.sectionSizeHint(i) + 6))
    h.setStretchLastSection(stretch_last)
