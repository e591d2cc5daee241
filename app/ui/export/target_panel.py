"""Where to export: CSV files, an XLSX workbook or a database, with Replace, Dry run and what to do
with invalid routings; the Export button and its progress."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFileDialog, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton)

from app.services.export.service import ExportOptions, ExportTarget
from app.ui.widgets import JobBar


class TargetPanel(QGroupBox):
    export_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(self.tr("Where to"), parent)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        # short names, so the target's field beside them keeps its width; what each writes in the tooltip
        for text, fmt, tip in ((self.tr("CSV files"), "csv", self.tr("CSV files (one per table)")),
                               (self.tr("Excel workbook"), "xlsx", self.tr("Excel workbook (a sheet per table)")),
                               (self.tr("Database tables"), "db", self.tr("Database tables"))):
            self.format.addItem(text, fmt)
            self.format.setItemData(self.format.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.out = QLineEdit()
        self.out.setObjectName("exportTarget")
        self.out.setMinimumWidth(120)
        self.browse = QPushButton(self.tr("Browse…"))
        self.browse.clicked.connect(self._browse)
        self.replace = QCheckBox(self.tr("Replace routings the target has already"))
        self.replace.setToolTip(self.tr("A routing with the same ITEM_CD and ROUT_NO is removed and written anew, "
                                        "in the same transaction"))
        self.create_tables = QCheckBox(self.tr("Make missing tables (staging)"))
        self.dry_run = QCheckBox(self.tr("Dry run: show what would be written, write nothing"))
        self.refuse = QRadioButton(self.tr("export none"))
        self.skip = QRadioButton(self.tr("export only the valid ones"))
        self.refuse.setChecked(True)
        self.invalid_group = QButtonGroup(self)
        self.invalid_group.addButton(self.refuse)
        self.invalid_group.addButton(self.skip)
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.setObjectName("primary")
        self.export_button.clicked.connect(self.export_requested)
        self.job = JobBar(self)

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 6)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.format, 0, 0)
        grid.addWidget(self.out, 0, 1, 1, 2)
        grid.addWidget(self.browse, 0, 3)
        # options on lines of their own: the tab fits a 1280-pixel-wide window in Korean too
        options = QHBoxLayout()
        options.addWidget(self.replace)
        options.addWidget(self.create_tables)
        options.addStretch(1)
        grid.addLayout(options, 1, 0, 1, 4)
        invalid = QHBoxLayout()
        invalid.addWidget(QLabel(self.tr("When some routings are invalid:")))
        invalid.addWidget(self.refuse)
        invalid.addWidget(self.skip)
        invalid.addStretch(1)
        grid.addLayout(invalid, 2, 0, 1, 4)
        grid.addWidget(self.dry_run, 3, 0, 1, 3)
        grid.addWidget(self.export_button, 3, 3)
        grid.addWidget(self.job, 4, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        self._restore()
        self._format_changed()

    def _restore(self) -> None:
        s = QSettings()
        fmt = s.value("export/format", "csv", type=str)
        i = self.format.findData(fmt)
        self.format.setCurrentIndex(max(0, i))
        self.out.setText(s.value(f"export/out/{self.format.currentData()}", "", type=str))

    def save_settings(self) -> None:
        s = QSettings()
        s.setValue("export/format", self.format.currentData())
        s.setValue(f"export/out/{self.format.currentData()}", self.out.text())

    def _format_changed(self, *_args) -> None:
        fmt = self.format.currentData()
        db = fmt == "db"
        self.replace.setEnabled(db)
        self.create_tables.setEnabled(db)
        self.out.setPlaceholderText({
            "csv": self.tr("a folder for the TABLE.csv files"),
            "xlsx": self.tr("an .xlsx file, a sheet per table"),
            "db": self.tr("mssql://SERVER/DB, postgresql://… or .sqlite")}[fmt])
        self.out.setToolTip({
            "csv": self.tr("a folder: P_BOP_PROC_MASTER.csv … are written into it"),
            "xlsx": self.tr("a file, e.g. C:\\ERP\\routings.xlsx"),
            "db": self.tr("mssql://SERVER/KsmErp, postgresql://HOST/DB or a .sqlite file")}[fmt])
        self.out.setText(QSettings().value(f"export/out/{fmt}", "", type=str))

    def _browse(self) -> None:
        fmt = self.format.currentData()
        if fmt == "csv":
            path = QFileDialog.getExistingDirectory(self, self.tr("Folder for the CSV files"), self.out.text())
        elif fmt == "xlsx":
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Excel workbook"), self.out.text(),
                                                  self.tr("Excel workbook (*.xlsx)"))
        else:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("SQLite file"), self.out.text(),
                                                  self.tr("SQLite file (*.sqlite *.db)"),
                                                  options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.out.setText(path)

    def target(self) -> ExportTarget:
        """The target as chosen; ExportError when nothing is said about where."""
        return ExportTarget(self.format.currentData(), self.out.text().strip(),
                            create_tables=self.create_tables.isChecked() and self.format.currentData() == "db")

    def options(self) -> ExportOptions:
        db = self.format.currentData() == "db"
        return ExportOptions(replace=db and self.replace.isChecked(), dry_run=self.dry_run.isChecked(),
                             skip_invalid=self.skip.isChecked())

    def set_target(self, fmt: str, out: str) -> None:
        self.format.setCurrentIndex(self.format.findData(fmt))
        self.out.setText(out)
