"""The audit trail as a table: pages of events fetched from the store on a worker as the view
scrolls (newest first), so a million events cost no more than the rows on screen."""
from __future__ import annotations

import json

import shiboken6
from PySide6.QtCore import QCoreApplication, QModelIndex, Signal
from PySide6.QtGui import QColor

from app.domain.access import AuditEvent, User
from app.services import audit
from app.services.audit import AuditFilter
from app.services.stores import Store
from app.ui.widgets import Column, RowsTableModel
from app.ui.workers import TaskRunner

PAGE = 200
DENIED = QColor("#a3231a")
FAILED = QColor("#9a5b00")


def local_time(e: AuditEvent) -> str:
    return audit.to_local(e.at).strftime("%Y-%m-%d %H:%M:%S")


def role_names(_obj=None) -> dict[str, str]:
    """The roles in the window's language, worded as the status bar words them."""
    return {"engineer": QCoreApplication.translate("MainWindow", "engineer"),
            "approver": QCoreApplication.translate("MainWindow", "approver"),
            "admin": QCoreApplication.translate("MainWindow", "admin")}


def detail_text(e: AuditEvent) -> str:
    return json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else ""


class AuditEventsModel(RowsTableModel[AuditEvent]):
    """Events matching a filter, newest first, a page at a time. A new filter drops stale pages."""

    loading_changed = Signal(bool)
    total_changed = Signal(int)       # events matching the filter (counted separately, may come later)
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None):
        super().__init__(parent=parent)
        self.runner = runner
        self.store: Store | None = None
        self.user: User | None = None
        self.filter = AuditFilter()
        self.total = -1
        self._below: int | None = None     # the first page starts below this seq (None: the newest)
        self._generation = 0
        self._loading = False
        self._exhausted = False
        self.set_columns(self._columns())

    def _columns(self) -> list[Column[AuditEvent]]:
        outcome = {"ok": self.tr("ok"), "denied": self.tr("denied"), "failed": self.tr("failed")}
        colour = {"denied": DENIED, "failed": FAILED}
        role = role_names(self)
        return [
            Column("at", self.tr("Time"), local_time, header_tip=self.tr("Local time of this PC")),
            Column("user", self.tr("User"), lambda e: e.user_name),
            Column("role", self.tr("Role"), lambda e: role.get(e.role, e.role)),
            Column("host", self.tr("Machine"), lambda e: e.host),
            Column("action", self.tr("Action"), lambda e: e.action),
            Column("target", self.tr("Target"), lambda e: e.target, tip=lambda e: e.target or None),
            Column("outcome", self.tr("Outcome"), lambda e: outcome.get(e.outcome, e.outcome), align="center",
                   foreground=lambda e: colour.get(e.outcome), bold=lambda e: e.outcome != "ok"),
            Column("detail", self.tr("Details"), detail_text, tip=lambda e: detail_text(e) or None),
            Column("seq", self.tr("Seq"), lambda e: f"{e.seq:,}", align="right",
                   header_tip=self.tr("Sequence number in the chain")),
        ]

    # ---- query ---------------------------------------------------------------------------
    def set_source(self, store: Store, user: User) -> None:
        self.store, self.user = store, user

    def set_filter(self, flt: AuditFilter, below_seq: int | None = None) -> None:
        """Show `flt`'s events; with `below_seq`, start just below that seq (to show a given row first)."""
        self.filter, self._below = flt, below_seq
        self.refresh_query()

    def refresh_query(self) -> None:
        self._generation += 1
        self.set_rows([])
        self.total, self._exhausted, self._loading = -1, False, False
        if self.store is None or self.user is None:
            return
        store, user, flt, gen = self.store, self.user, self.filter, self._generation
        self.runner.start(lambda p: audit.count(store, flt, user=user), "audit count",
                          on_result=lambda n, g=gen: self._counted(g, n),
                          on_error=lambda msg, g=gen: self._failed(g, msg))
        self._fetch(self._below)

    def _fetch(self, below: int | None) -> None:
        store, user, flt, gen = self.store, self.user, self.filter, self._generation
        self._set_loading(True)
        self.runner.start(lambda p: audit.query(store, flt, below, PAGE, user=user), "audit page",
                          on_result=lambda page, g=gen, b=below: self._arrived(g, b, page),
                          on_error=lambda msg, g=gen: self._failed(g, msg))

    def _counted(self, gen: int, n: int) -> None:
        if shiboken6.isValid(self) and gen == self._generation:
            self.total = n
            self.total_changed.emit(n)

    def _failed(self, gen: int, message: str) -> None:
        if shiboken6.isValid(self) and gen == self._generation:
            self._set_loading(False)
            self._exhausted = True
            self.failed.emit(message)

    def _arrived(self, gen: int, below: int | None, page: list[AuditEvent]) -> None:
        if not shiboken6.isValid(self) or gen != self._generation:
            return   # a newer filter replaced this one
        if self.rows and (below is None or self.rows[-1].seq != below):
            return
        if page:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
        self._exhausted = len(page) < PAGE
        self._set_loading(False)

    def _set_loading(self, value: bool) -> None:
        self._loading = value
        self.loading_changed.emit(value)

    @property
    def loading(self) -> bool:
        return self._loading

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt's name
        return not parent.isValid() and self.store is not None and not self._loading and not self._exhausted \
            and bool(self.rows)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._fetch(self.rows[-1].seq)

    def event_at(self, row: int) -> AuditEvent | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None
