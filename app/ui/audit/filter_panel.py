"""The Audit tab's filter: period (today, 7 days, 30 days, all, or from–to), user, action, outcome
and free text. Emits `sig_filter_changed(AuditFilter)` (text after a short pause in typing)."""
from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.services.audit import AuditFilter, to_utc
from app.services.audit import FilterChoices

PERIODS = ("today", "7d", "30d", "all", "custom")


class AuditFilterPanel(QWidget):
    sig_filter_changed = Signal(object)    # AuditFilter

    def __init__(self, parent=None):
        super().__init__(parent)
        self.period = QComboBox()
        self.period.setObjectName("auditPeriod")
        for key, label in zip(PERIODS, (self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"),
                                        self.tr("All time"), self.tr("From – to"))):
            self.period.addItem(label, key)
        now = QDateTime.currentDateTime()
        self.since = QDateTimeEdit(now.addDays(-1))
        self.until = QDateTimeEdit(now.addSecs(3600))
        for edit, name in ((self.since, "auditSince"), (self.until, "auditUntil")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.dateTimeChanged.connect(self._changed)
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.setEditable(True)
        self.user.setMinimumWidth(150)
        self.user.lineEdit().setPlaceholderText(self.tr("any user"))
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.setEditable(True)
        self.action.setMinimumWidth(150)
        self.action.lineEdit().setPlaceholderText(self.tr("any action"))
        self.action.setToolTip(self.tr("An action, or a family ending in “.” (model. = every model action)"))
        self.outcome = QComboBox()
        self.outcome.setObjectName("auditOutcome")
        for key, label in (("", self.tr("any outcome")), ("ok", self.tr("ok")), ("denied", self.tr("denied")),
                           ("failed", self.tr("failed"))):
            self.outcome.addItem(label, key)
        self.text = QLineEdit()
        self.text.setObjectName("auditText")
        self.text.setPlaceholderText(self.tr("Search…"))   # short: the filter row must fit 1280 pixels
        self.text.setToolTip(self.tr("Search target, details or machine…"))
        self.text.setClearButtonEnabled(True)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(350)
        self._typing.timeout.connect(self._changed)

        self.period.currentIndexChanged.connect(self._period_changed)
        self.user.currentTextChanged.connect(lambda _t: self._typing.start())
        self.action.currentTextChanged.connect(lambda _t: self._typing.start())
        self.outcome.currentIndexChanged.connect(self._changed)
        self.text.textChanged.connect(lambda _t: self._typing.start())

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for label, widget in ((self.tr("Period"), self.period), (None, self.since), (self.tr("–"), self.until),
                              (self.tr("User"), self.user), (self.tr("Action"), self.action),
                              (self.tr("Outcome"), self.outcome)):
            if label:
                lay.addWidget(QLabel(label))
            lay.addWidget(widget)
        lay.addWidget(self.text, 1)
        self._period_changed()

    def set_choices(self, choices: FilterChoices) -> None:
        """The users and actions found in the trail, offered in the lists (typing any name still works)."""
        for box, values in ((self.user, choices.users), (self.action, choices.actions)):
            current = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItem("")
            box.addItems(values)
            box.setEditText(current)
            box.blockSignals(False)

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        self.since.setEnabled(custom)
        self.until.setEnabled(custom)
        self._changed()

    def _changed(self) -> None:
        self.sig_filter_changed.emit(self.current())

    def current(self) -> AuditFilter:
        """The filter as the panel shows it; times as the trail keeps them (UTC)."""
        key = self.period.currentData()
        now = datetime.now()
        since = until = None
        if key == "today":
            since = to_utc(now.replace(hour=0, minute=0, second=0, microsecond=0))
        elif key in ("7d", "30d"):
            since = to_utc(now - timedelta(days=7 if key == "7d" else 30))
        elif key == "custom":
            since = to_utc(self.since.dateTime().toPython())
            until = to_utc(self.until.dateTime().toPython())
        return AuditFilter(since=since, until=until, user=self.user.currentText().strip(),
                           action=self.action.currentText().strip(), outcome=self.outcome.currentData() or "",
                           text=self.text.text().strip())

    def set_period(self, key: str) -> None:
        self.period.setCurrentIndex(PERIODS.index(key))

    def clear_quietly(self) -> None:
        """Every event of all time, without emitting a change (the caller sets the model itself)."""
        self.blockSignals(True)
        self.set_period("all")
        self.user.setEditText("")
        self.action.setEditText("")
        self.outcome.setCurrentIndex(0)
        self.text.clear()
        self._typing.stop()
        self.blockSignals(False)
