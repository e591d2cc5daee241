"""Browsing the whole item master: paged table model (canFetchMore / fetchMore) whose queries run
off the GUI thread, with search and an "only items without routing" filter."""
from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from app.services import catalog
from app.services.stores import Store
from app.ui.look import MUTED_TEXT, fmt_number
from app.ui.widgets import fit_columns, fit_to_contents
from app.ui.workers import TaskRunner

PAGE = 200
NUMERIC_COLUMNS = {"OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS"}


class ItemTableModel(QAbstractTableModel):
    """The item master, one page at a time. A new search drops stale pages by generation number."""

    loading_changed = Signal(bool)
    total_changed = Signal(int)
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.runner = runner
        self.store: Store | None = None
        self.columns = catalog.BROWSE_COLUMNS + ["HAS_ROUTING"]
        self.rows: list[tuple] = []
        self.total = -1
        self.search = ""
        self.only_without_routing = False
        self._generation = 0
        self._loading = False

    # ---- query ---------------------------------------------------------------------------
    def set_store(self, store: Store | None) -> None:
        self.store = store
        self.refresh()

    def set_query(self, search: str, only_without_routing: bool) -> None:
        self.search, self.only_without_routing = search.strip(), only_without_routing
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows, self.total = [], -1
        self.endResetModel()
        self._loading = False
        if self.store is not None:
            self._fetch(0, count=True)

    def _fetch(self, offset: int, count: bool) -> None:
        store, search, only = self.store, self.search, self.only_without_routing
        gen = self._generation
        self._set_loading(True)
        self.runner.start(lambda p: catalog.search_items(store, search, offset, PAGE, only, count=count),
                          "item search", on_result=lambda page, g=gen, o=offset: self._arrived(g, o, page),
                          on_error=lambda msg, g=gen: self._failed(g, msg))

    def _failed(self, gen: int, message: str) -> None:
        if shiboken6.isValid(self) and gen == self._generation:
            self._set_loading(False)
            self.failed.emit(message)

    def _arrived(self, gen: int, offset: int, page: catalog.ItemPage) -> None:
        if not shiboken6.isValid(self):
            return  # the browser was closed while the search ran
        if gen != self._generation or offset != len(self.rows):
            return  # a newer search replaced this one
        if page.total >= 0:
            self.total = page.total
            self.total_changed.emit(self.total)
        new = page.rows.rows()
        if new:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(new) - 1)
            self.rows.extend(new)
            self.endInsertRows()
        if len(new) < PAGE and self.total < 0:
            self.total = len(self.rows)
        self._set_loading(False)

    def _set_loading(self, value: bool) -> None:
        self._loading = value
        self.loading_changed.emit(value)

    @property
    def loading(self) -> bool:
        return self._loading

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        if parent.isValid() or self.store is None or self._loading:
            return False
        return self.total < 0 or len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent) and self.rows:
            self._fetch(len(self.rows), count=False)

    # ---- model ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"ITEM_CD": "ITEM_CD", "ITEM_NM": "ITEM_NM", "PART_TYPE": "PART_TYPE",
                    "ITEM_MATERIAL": self.tr("Material"), "ITEM_SPEC": "ITEM_SPEC",
                    "OUTDIAMETER": self.tr("OD mm"), "INDIAMETER": self.tr("ID mm"),
                    "OUTTHICKNESS": self.tr("T mm"), "HAS_ROUTING": self.tr("Routing")}[name]
        if role == Qt.ItemDataRole.ToolTipRole:
            return name
        if role == Qt.ItemDataRole.TextAlignmentRole and name in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        name = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if name in NUMERIC_COLUMNS:
                return fmt_number(value, 1)
            if name == "HAS_ROUTING":
                return self.tr("yes") if value == "Y" else self.tr("none")
            return "" if value is None else str(value).replace("\n", " ")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if name in NUMERIC_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if name == "HAS_ROUTING":
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and name == "HAS_ROUTING" and value == "Y":
            return QBrush(MUTED_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole and name in ("ITEM_NM", "ITEM_SPEC") and value:
            return str(value)
        return None

    def item_code(self, row: int) -> str | None:
        return self.rows[row][0] if 0 <= row < len(self.rows) else None


class ItemBrowser(QWidget):
    """Search box, filter, count, and the paged table. Emits `item_activated(code)` on double-click."""

    item_activated = Signal(str)
    selection_changed = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.model = ItemTableModel(runner, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search code, name, spec or part type…"))
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("itemSearch")
        self.only_without = QCheckBox(self.tr("Only items without routing"))
        self.only_without.setToolTip(self.tr("New items that still need a routing"))
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        self.table = QTableView()
        self.table.setObjectName("itemTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        widths = {"ITEM_CD": 100, "ITEM_NM": 118, "PART_TYPE": 80, "ITEM_MATERIAL": 60, "ITEM_SPEC": 150,
                  "OUTDIAMETER": 60, "INDIAMETER": 60, "OUTTHICKNESS": 56, "HAS_ROUTING": 58}
        fit_columns(self.table, [widths.get(c, 80) for c in self.model.columns], stretch_last=False)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.only_without)
        row2.addStretch(1)
        row2.addWidget(self.count_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addLayout(row2)
        lay.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._apply_query)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.only_without.toggled.connect(lambda _v: self._apply_query())
        self.model.total_changed.connect(self._show_count)
        # columns as wide as the first rows' text, so no specification is cut (wider ones scroll); the
        # rows a screen shows and some more, as measuring a whole page stalls the window for ~50 ms
        self.model.rowsInserted.connect(lambda _p, first, _l: first == 0 and fit_to_contents(self.table, 520,
                                                                                          max_rows=80))
        self.model.loading_changed.connect(self._show_loading)
        self.model.failed.connect(lambda msg: self.count_label.setText(self.tr("Search failed: %1").replace("%1", msg)))
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def set_store(self, store: Store | None) -> None:
        self.model.search = self.search.text().strip()
        self.model.only_without_routing = self.only_without.isChecked()
        self.model.set_store(store)

    def _apply_query(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.search.text(), self.only_without.isChecked())

    def _show_count(self, total: int) -> None:
        self.count_label.setText(self.tr("%1 items").replace("%1", f"{total:,}"))

    def _show_loading(self, loading: bool) -> None:
        if loading and self.model.total < 0:
            self.count_label.setText(self.tr("searching…"))

    def _activated(self, index: QModelIndex) -> None:
        code = self.model.item_code(index.row())
        if code:
            self.item_activated.emit(code)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        code = self.model.item_code(current.row())
        if code:
            self.selection_changed.emit(code)

    def current_code(self) -> str | None:
        idx = self.table.currentIndex()
        return self.model.item_code(idx.row()) if idx.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
