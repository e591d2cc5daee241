"""The Audit tab, for admins: the filter on top, the events (paged from the store) with the
selected event's details beside them, and Export and Verify below."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.services import audit
from app.services.audit import AuditFilter
from app.ui.audit.actions_panel import AuditActionsPanel
from app.ui.audit.detail_panel import AuditDetailPanel
from app.ui.audit.filter_panel import AuditFilterPanel
from app.ui.audit.models import AuditEventsModel
from app.ui.context import AppContext
from app.ui.widgets import Banner, fit_columns, fit_to_contents, read_only_table


class AuditTab(QWidget):
    sig_page_loaded = Signal()     # a page of events arrived (tests and screenshots wait on it)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filters = AuditFilterPanel()
        self.model = AuditEventsModel(ctx.runner, self)
        self.table = read_only_table("auditEvents")
        self.table.setModel(self.model)
        fit_columns(self.table, [150, 140, 70, 100, 150, 130, 70, 260, 60])
        # the details column previews what the detail pane beside it shows in full
        self.table.setProperty("preview_columns", [self.model.column_index("detail")])
        self.model.rowsInserted.connect(lambda _p, first, _l: first == 0 and self._fit_columns())
        self.detail = AuditDetailPanel()
        self.actions = AuditActionsPanel(ctx)
        self.actions.current_filter = self.filters.current
        self.error = Banner("error")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([1100, 380])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.filters)
        lay.addWidget(self.error)
        lay.addWidget(split, 1)
        lay.addWidget(self.actions)

        self.filters.sig_filter_changed.connect(self._filter_changed)
        self.model.total_changed.connect(self.actions.show_count)
        self.model.failed.connect(self.error.show_message)
        self.model.loading_changed.connect(self._loading_changed)
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.detail.show_event(self.model.event_at(cur.row())))
        self.actions.sig_show_seq.connect(self.show_seq)
        self.actions.export_finished.connect(lambda _r: self.reload())
        self.actions.verify_finished.connect(lambda _r: self.reload())
        ctx.store_changed.connect(self._store_changed)
        self._loaded_once = False
        self._select_first = False
        self._reselect: int | None = None

    def _fit_columns(self) -> None:
        """The first page's text in full (the details column stays a preview)."""
        detail = self.model.column_index("detail")
        width = self.table.horizontalHeader().sectionSize(detail)
        fit_to_contents(self.table, max_width=320)
        self.table.horizontalHeader().resizeSection(detail, width)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._loaded_once:   # the store is read when the tab is first looked at, not at start-up
            self._loaded_once = True
            QTimer.singleShot(0, self.reload)

    def _store_changed(self) -> None:
        if self._loaded_once:   # not read before the tab is first looked at (showEvent)
            self.reload()

    def reload(self) -> None:
        """Read the filter's events (and the lists of users and actions) again."""
        if not self.ctx.store_open:
            return   # read when the store is open (store_changed)
        self._loaded_once = True
        self.error.hide()
        current = self.model.event_at(self.table.currentIndex().row())
        self._reselect = current.seq if current is not None else None   # keep it selected if still shown
        self.model.set_source(self.ctx.store, self.ctx.user)
        self.model.set_filter(self.filters.current())
        store, user = self.ctx.store, self.ctx.user
        self.ctx.runner.start(lambda p: audit.filter_choices(store, user=user), "audit choices",
                              on_result=self.filters.set_choices)

    def _filter_changed(self, flt: AuditFilter) -> None:
        if self._loaded_once:
            self.error.hide()
            self.model.set_source(self.ctx.store, self.ctx.user)
            self.model.set_filter(flt)
            self.detail.show_event(None)

    def show_seq(self, seq: int) -> None:
        """Show the whole trail from row `seq` down, that row selected."""
        self.filters.clear_quietly()
        self._select_first = True
        self.model.set_filter(AuditFilter(), below_seq=seq + 1)

    def _loading_changed(self, loading: bool) -> None:
        if loading:
            return
        if self._select_first and self.model.rows:
            self._select_first = False
            self.table.selectRow(0)
        elif self._reselect is not None:
            row = next((i for i, e in enumerate(self.model.rows) if e.seq == self._reselect), None)
            self._reselect = None
            if row is not None:
                self.table.selectRow(row)
            else:
                self.detail.show_event(None)
        self.sig_page_loaded.emit()
