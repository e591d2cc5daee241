"""What to export: the routing in the editor, the last batch prediction, or saved routings by filter."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDateEdit, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton)

from app.services.export.selection import SavedFilter

EDITOR, BATCH, SAVED = "editor", "batch", "saved"


@dataclass
class SelectionChoice:
    """What the engineer picked; the tab turns it into a Selection (saved ones on a worker)."""

    kind: str
    saved: SavedFilter | None = None


class SelectionPanel(QGroupBox):
    preview_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(self.tr("What to export"), parent)
        self.editor_radio = QRadioButton(self.tr("The routing in the editor"))
        self.batch_radio = QRadioButton(self.tr("The last batch prediction"))
        self.saved_radio = QRadioButton(self.tr("Saved routings"))
        self.group = QButtonGroup(self)
        for i, b in enumerate((self.editor_radio, self.batch_radio, self.saved_radio)):
            self.group.addButton(b, i)
        self.editor_info = QLabel()
        self.editor_info.setObjectName("muted")
        self.editor_info.setWordWrap(True)
        self.batch_info = QLabel()
        self.batch_info.setObjectName("muted")
        self.batch_info.setWordWrap(True)

        self.status = QComboBox()
        self.status.setObjectName("savedStatus")
        for key, text in (("", self.tr("any status")), ("submitted", self.tr("submitted")),
                          ("draft", self.tr("draft")), ("approved", self.tr("approved"))):
            self.status.addItem(text, key)
        self.approved_only = QCheckBox(self.tr("Approved only"))
        self.approved_only.toggled.connect(lambda on: self.status.setEnabled(not on))
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setDate(QDate.currentDate().addMonths(-1))
        self.use_since = QCheckBox(self.tr("Saved since"))
        self.saved_by = QLineEdit()
        self.saved_by.setPlaceholderText(self.tr("anyone"))
        self.saved_by.setMaximumWidth(120)
        for w in (self.status, self.approved_only, self.since, self.use_since, self.saved_by):
            w.setEnabled(False)
        self.saved_radio.toggled.connect(self._saved_toggled)

        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.setObjectName("primary")
        self.preview_button.setToolTip(self.tr("Build every row through the profile and mark each bad cell"))
        self.preview_button.clicked.connect(self.preview_requested)

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.editor_radio, 0, 0)
        grid.addWidget(self.editor_info, 0, 1, 1, 3)
        grid.addWidget(self.batch_radio, 1, 0)
        grid.addWidget(self.batch_info, 1, 1, 1, 3)
        grid.addWidget(self.saved_radio, 2, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.approved_only)
        filters.addStretch(1)
        grid.addLayout(filters, 2, 1, 1, 3)
        when = QHBoxLayout()
        when.addWidget(self.use_since)
        when.addWidget(self.since)
        when.addWidget(QLabel(self.tr("by")))
        when.addWidget(self.saved_by)
        when.addStretch(1)
        grid.addLayout(when, 3, 1, 1, 3)
        grid.addWidget(self.preview_button, 0, 4, 4, 1)
        grid.setColumnStretch(3, 1)
        self.set_editor(None)
        self.set_batch(None)
        self.saved_radio.setChecked(True)

    def _saved_toggled(self, on: bool) -> None:
        for w in (self.approved_only, self.since, self.use_since, self.saved_by):
            w.setEnabled(on)
        self.status.setEnabled(on and not self.approved_only.isChecked())

    def set_editor(self, text: str | None) -> None:
        """`text` names the routing in the editor, or None when there is none."""
        self.editor_radio.setEnabled(text is not None)
        self.editor_info.setText(text or self.tr("open a routing on the Prediction tab first"))
        if text is None and self.editor_radio.isChecked():
            self.saved_radio.setChecked(True)

    def set_batch(self, text: str | None) -> None:
        self.batch_radio.setEnabled(text is not None)
        self.batch_info.setText(text or self.tr("predict a list of items on the Prediction tab first"))
        if text is None and self.batch_radio.isChecked():
            self.saved_radio.setChecked(True)

    def choose(self, kind: str) -> None:
        {EDITOR: self.editor_radio, BATCH: self.batch_radio, SAVED: self.saved_radio}[kind].setChecked(True)

    def choice(self) -> SelectionChoice:
        if self.editor_radio.isChecked():
            return SelectionChoice(EDITOR)
        if self.batch_radio.isChecked():
            return SelectionChoice(BATCH)
        status = self.status.currentData()
        since = datetime.combine(self.since.date().toPython(), time()) if self.use_since.isChecked() else None
        return SelectionChoice(SAVED, SavedFilter((status,) if status else (), since, None,
                                                  self.saved_by.text().strip() or None,
                                                  self.approved_only.isChecked()))
