"""Small widgets used across the window: message banners, a progress line with Cancel, a bar delegate."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, TypeVar

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QSizePolicy, QStackedWidget, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
                               QTableView, QTabWidget, QToolButton, QWidget)

from app.ui.workers import Task

T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a RowsTableModel: its header and how a row shows in it.

    `text` gives the display text; the optional callables give a row's tooltip, sort/bar value
    (UserRole), text and background colours and bold font. `align` is "left", "right" or "center"."""

    key: str
    header: str
    text: Callable[[T], str]
    align: str = "left"
    header_tip: str | None = None
    tip: Callable[[T], str | None] | None = None
    value: Callable[[T], float | None] | None = None
    foreground: Callable[[T], QColor | None] | None = None
    background: Callable[[T], QColor | None] | None = None
    bold: Callable[[T], bool] | None = None
    swatch: QColor | None = None        # a colour square before the header (a chart's legend)


def swatch_icon(colour: QColor, size: int = 10) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(colour)
    return QIcon(pixmap)


_ALIGN = {"left": int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
          "right": int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
          "center": int(Qt.AlignmentFlag.AlignCenter)}


class RowsTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a list of rows of one type, described by a list of Columns."""

    def __init__(self, columns: list[Column[T]] | None = None, parent=None):
        super().__init__(parent)
        self.columns: list[Column[T]] = list(columns or [])
        self.rows: list[T] = []

    def set_columns(self, columns: list[Column[T]]) -> None:
        self.beginResetModel()
        self.columns = list(columns)
        self.endResetModel()

    def set_rows(self, rows: Iterable[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def refresh(self) -> None:
        """The rows changed in place: repaint them."""
        if self.rows and self.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        c = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.header_tip
        if role == Qt.ItemDataRole.TextAlignmentRole and c.align != "left":
            return _ALIGN[c.align]
        if role == Qt.ItemDataRole.DecorationRole and c.swatch is not None:
            return swatch_icon(c.swatch)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row, c = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN[c.align]
        if role == Qt.ItemDataRole.ToolTipRole and c.tip is not None:
            return c.tip(row)
        if role == Qt.ItemDataRole.UserRole and c.value is not None:
            return c.value(row)
        if role == Qt.ItemDataRole.ForegroundRole and c.foreground is not None:
            colour = c.foreground(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.BackgroundRole and c.background is not None:
            colour = c.background(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole and c.bold is not None and c.bold(row):
            f = QFont()
            f.setBold(True)
            return f
        return None


class Banner(QFrame):
    """A coloured message line with optional buttons; hidden until there is something to say."""

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setProperty("kind", kind)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long message must not make the window's minimum taller: the minimum is one line, and the
        # layout gives the label the height its text needs at the width it has
        self.label.setMinimumSize(120, self.label.fontMetrics().height())
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

    def set_kind(self, kind: str) -> None:
        """error, warning or info: the colour (the style sheet's [kind=…])."""
        self.kind = kind
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)

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
        self.message = ProgressMessage()   # whole in its tooltip
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setVisible(cancellable)
        self.cancel.clicked.connect(self.cancel_task)
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
        # QProgressBar.setValue repaints at once, inside the call (it cost 25-60 ms of GUI thread on a
        # busy PC); with updates off it only marks the bar, and turning them on schedules one paint
        # the event loop does with the window's others
        self.bar.setUpdatesEnabled(False)
        self.bar.setValue(int(round(fraction * 1000)))
        self.bar.setUpdatesEnabled(True)
        if message:
            self.message.setText(message)

    def value(self) -> float:
        return self.bar.value() / 1000

    def cancel_task(self) -> None:
        """As a click on Cancel: ask the running task to stop."""
        if self.task is not None:
            self.task.cancel()
            self.cancel.setEnabled(False)
            self.message.setText(self.tr("cancelling…"))
        self.cancel_clicked.emit()

    def _done(self, task: Task) -> None:
        if task is self.task:
            self.task = None
            self.setVisible(False)


class ProgressMessage(QWidget):
    """A task's progress message, one line in the muted colour, elided at the right, whole in its tooltip.

    A new message only repaints this widget. A QLabel's setText asks every layout up to the window to
    lay out again, and the main QTabWidget then repaints all of its page: during an export of 10,000
    routings each message repainted every table in view, 40-60 ms of the GUI thread's CPU each."""

    COLOUR = QColor("#5f6b7a")          # as QLabel#muted in the style sheet

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - as QLabel's
        if text != self._full:
            self._full = text
            self.setToolTip(text)
            self.update()

    def text(self) -> str:
        return self._full

    def sizeHint(self):  # noqa: N802 - fixed, whatever the text: a new text never re-lays out the window
        return QSize(200, self.fontMetrics().height() + 6)

    def minimumSizeHint(self):  # noqa: N802
        return QSize(40, self.fontMetrics().height() + 6)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.COLOUR)
        rect = self.contentsRect().adjusted(2, 0, -2, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, rect.width()))


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


class _FillLastColumn(QObject):
    """Keeps a table's last column at least as wide as its text, and wider to fill the view."""

    def __init__(self, table: QTableView, content_width: int):
        super().__init__(table)
        self.table = table
        self.content_width = content_width
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def apply(self) -> None:
        h = self.table.horizontalHeader()
        last = h.count() - 1
        if last < 0:
            return
        others = sum(h.sectionSize(i) for i in range(last) if not h.isSectionHidden(i))
        h.resizeSection(last, max(self.content_width, self.table.viewport().width() - others))


def cell_text_width(index, base: QFont) -> int:
    """Pixels a cell's text needs in the table's font (bold where the model says so); 0 when empty."""
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not text:
        return 0
    font = QFont(base)
    role_font = index.data(Qt.ItemDataRole.FontRole)
    if isinstance(role_font, QFont):
        font.setBold(role_font.bold())   # the models only ever embolden
    return QFontMetrics(font).horizontalAdvance(str(text))


def column_content_width(table: QTableView, column: int, max_rows: int = 500) -> int:
    """Pixels the column needs so neither its header nor any of its (first `max_rows`) rows is cut."""
    need = table.horizontalHeader().sectionSizeHint(column)
    model = table.model()
    if model is None:
        return need + 4
    base = table.font()
    metrics: dict[bool, QFontMetrics] = {}   # one per weight: a page of rows is measured on the GUI thread
    # the model's own data(), not index.data(): a Python model is then called from Python, not
    # through Qt (half the time, and less while a worker holds the GIL)
    data, display, font_role = model.data, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole
    for row in range(min(model.rowCount(), max_rows)):
        index = model.index(row, column)
        text = data(index, display)
        if not text:
            continue
        role_font = data(index, font_role)
        bold = role_font.bold() if isinstance(role_font, QFont) else base.bold()   # the models only embolden
        fm = metrics.get(bold)
        if fm is None:
            font = QFont(base)
            font.setBold(bold)
            fm = metrics[bold] = QFontMetrics(font)
        # the item delegate pads the text by its focus-frame margin on both sides
        need = max(need, fm.horizontalAdvance(str(text)) + 12)
    return need + 4


def fit_to_contents(table: QTableView, max_width: int = 400, min_width: int = 36, fill: bool = True,
                    max_rows: int = 500) -> None:
    """Every column as wide as its header and text of its first `max_rows` rows (at most `max_width`;
    wider text shows in full in its tooltip); with `fill`, the last column also fills the rest of the view."""
    h = table.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    h.setStretchLastSection(False)
    for i in range(h.count()):
        h.resizeSection(i, min(max(column_content_width(table, i, max_rows), min_width), max_width))
    if not fill:
        return
    filler = table.findChild(_FillLastColumn)
    last = h.count() - 1
    width = min(max(column_content_width(table, last, max_rows), min_width), max_width) if last >= 0 else 0
    if filler is None:
        filler = _FillLastColumn(table, width)
    filler.content_width = width
    filler.apply()


def fit_columns(table, widths: list[int], stretch_last: bool = True) -> None:
    """Each column at least its preset width and never narrower than its header text."""
    h = table.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, w in enumerate(widths):
        if i < h.count():
            h.resizeSection(i, max(w, h.sectionSizeHint(i) + 6))
    h.setStretchLastSection(stretch_last)


class ElidedLabel(QLabel):
    """A one-line label for long text such as file paths: shows what fits, with "…" in the middle,
    and the whole text as its tooltip. Its minimum width is small, so it never widens a panel."""

    def __init__(self, text: str = "", parent=None, mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle):
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setMinimumWidth(40)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self):  # noqa: N802
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self._full) + 8)
        return hint

    def minimumSizeHint(self):  # noqa: N802
        hint = super().minimumSizeHint()
        hint.setWidth(40)
        return hint

    def _elide(self) -> None:
        width = max(10, self.contentsRect().width())
        super().setText(self.fontMetrics().elidedText(self._full, self._mode, width))


def shown_text(text: str) -> str:
    """A label's text as the user reads it: Qt's mnemonic marks removed, '&&' shown as '&'."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def tab_titles(tabs) -> list[str]:
    """The titles of a QTabWidget's tabs as the user reads them ('Mapping & Export', not 'Mapping && Export')."""
    return [shown_text(tabs.tabText(i)) for i in range(tabs.count())]


class _LayoutWithoutRepaint(QObject):
    """QTabWidget lays itself out again at every layout request and then repaints all of itself
    (QTabWidget::setUpLayout calls update()): a label's new text or a widget shown deep inside a
    page repainted every table on the page, 50-60 ms of the GUI thread with a prediction shown.
    The tab widget still lays itself out; it repaints only when its tab bar or page moved."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.LayoutRequest or obj.testAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled):
            return False
        bar, pages = obj.tabBar(), obj.findChild(QStackedWidget)
        before = (bar.geometry(), pages.geometry() if pages is not None else None)
        obj.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, True)   # what setUpdatesEnabled does, no repaint
        try:
            obj.event(event)
        finally:
            obj.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, False)
        if (bar.geometry(), pages.geometry() if pages is not None else None) != before:
            obj.update()
        return True


def repaint_tab_widget_only_when_moved(tabs: QTabWidget) -> QTabWidget:
    """`tabs`, laid out again at a layout request without repainting all its page (see above)."""
    tabs.installEventFilter(_LayoutWithoutRepaint(tabs))
    return tabs


def settle_layouts(rounds: int = 4) -> None:
    """Lay the window out now, as often as laying out asks again (a routing's table sized, then the
    chart beside it, then the splitter around both), before anything is painted: left to the event
    loop, each round came after a paint, and the routing's table was painted three times (15 ms each)."""
    from PySide6.QtCore import QCoreApplication
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
