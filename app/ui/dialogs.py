"""Settings ▸ Data source (SQLite, Access, a CSV/Excel folder, SQL Server with Windows authentication
or SQL login) and the import of a source. A SQL login's password goes to the OS keyring, never to a
file; Test connection checks the three ERP views and their columns as an import does."""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.schema import DEFAULT_VIEW_NAMES, ITEMS, RESULTS, ROUTINGS
from app.services.connections import (SourceError, installed_drivers, keep_sql_password, parse_server,
                                      sqlserver_spec)
from app.ui.sql_server_fields import SqlServerFields
from app.ui.widgets import Banner, JobBar
from app.ui.workers import TaskRunner

log = logging.getLogger("app.ui.dialogs")
KINDS = ("sqlite", "access", "folder", "sqlserver")


def source_spec(kind: str, path: str = "", server: str = "", database: str = "", auth: str = "windows",
                user: str = "", driver: str = "", trust_server_certificate: bool = False) -> str:
    """The source string app.sources.open_source understands. It never holds a password: a SQL
    login's password is looked up in the OS keyring by app.sources when it connects. An empty
    `driver` means the newest SQL Server ODBC driver installed."""
    if kind != "sqlserver":
        return path.strip()
    return sqlserver_spec(server, database, user if auth == "sql" else None, driver or None,
                          trust_server_certificate)


class DataSourceDialog(QDialog):
    """Edit the data source; Test connection checks its ERP views; in import mode, Import copies it
    into the store."""

    import_requested = Signal(str, dict)   # source spec, view names

    def __init__(self, runner: TaskRunner, parent=None, import_mode: bool = False, can_import: bool = True):
        super().__init__(parent)
        self.runner = runner
        self.import_mode = import_mode
        self.setWindowTitle(self.tr("Import a source") if import_mode else self.tr("Data source"))
        self.setMinimumWidth(640)

        self.kind_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        self.kind_buttons = {}
        for i, (kind, label) in enumerate((("sqlite", self.tr("SQLite file")), ("access", self.tr("Access file")),
                                           ("folder", self.tr("CSV / Excel folder")),
                                           ("sqlserver", self.tr("SQL Server")))):
            b = QRadioButton(label)
            b.setObjectName(f"kind_{kind}")
            self.kind_group.addButton(b, i)
            self.kind_buttons[kind] = b
            kinds.addWidget(b)
        kinds.addStretch(1)

        # file page
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("sourcePath")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        file_page = QWidget()
        fl = QFormLayout(file_page)
        pr = QHBoxLayout()
        pr.addWidget(self.path_edit, 1)
        pr.addWidget(browse)
        self.path_label = QLabel(self.tr("File"))
        fl.addRow(self.path_label, pr)

        # server page
        self.installed = installed_drivers()
        server = self.server_fields = SqlServerFields(self.installed, name="source", database="KsmErp",
                                                      server_hint=r"ERPSQL01\KSM  ·  erp.plant.local,1433")
        self.server_edit, self.database_edit, self.user_edit = server.server, server.database, server.user
        self.password_edit, self.driver_box, self.driver_hint = server.password, server.driver, server.driver_hint
        self.trust_box, self.auth_windows, self.auth_sql = server.trust, server.auth_windows, server.auth_sql
        server_page = QWidget()
        QVBoxLayout(server_page).addWidget(server)

        self.pages = QStackedWidget()
        self.pages.addWidget(file_page)
        self.pages.addWidget(server_page)

        views = QGroupBox(self.tr("View names"))
        vl = QFormLayout(views)
        self.view_edits = {}
        for kind in (ITEMS, ROUTINGS, RESULTS):
            e = QLineEdit()
            e.setPlaceholderText(DEFAULT_VIEW_NAMES[kind])
            self.view_edits[kind] = e
            vl.addRow({ITEMS: self.tr("Item master"), ROUTINGS: self.tr("Routings"),
                       RESULTS: self.tr("Work results")}[kind], e)

        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.tables = QListWidget()
        self.tables.setObjectName("tableList")
        self.tables.setMaximumHeight(110)
        self.tables.hide()
        self.message = Banner("error")
        self.job = JobBar(cancellable=False)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveSource")
        self.import_button = None
        if import_mode:
            self.import_button = buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.ActionRole)
            self.import_button.setObjectName("primary")
            self.import_button.setEnabled(can_import)
            self.import_button.clicked.connect(self._import)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._save_clicked)

        lay = QVBoxLayout(self)
        lay.addLayout(kinds)
        lay.addWidget(self.pages)
        lay.addWidget(views)
        tr = QHBoxLayout()
        tr.addWidget(self.test_button)
        tr.addStretch(1)
        lay.addLayout(tr)
        lay.addWidget(self.test_result)
        lay.addWidget(self.job)
        lay.addWidget(self.tables)
        lay.addWidget(self.message)
        lay.addStretch(1)
        lay.addWidget(buttons)
        self.kind_group.idToggled.connect(lambda _i, on: on and self._kind_changed())
        self.load()

    # ---- state ---------------------------------------------------------------------------
    def kind(self) -> str:
        return KINDS[max(0, self.kind_group.checkedId())]

    def _kind_changed(self) -> None:
        kind = self.kind()
        self.pages.setCurrentIndex(1 if kind == "sqlserver" else 0)
        # Only the shown page counts for the size, so a file source gets no empty server-sized gap.
        # The shown page never gets less than its size hint, so a long test result below cannot
        # squeeze its rows into each other: the dialog grows instead.
        for i in range(self.pages.count()):
            shown = i == self.pages.currentIndex()
            self.pages.widget(i).setSizePolicy(
                QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored,
                QSizePolicy.Policy.Minimum if shown else QSizePolicy.Policy.Ignored)
        self.pages.adjustSize()
        self.adjustSize()
        self.path_label.setText(self.tr("Folder") if kind == "folder" else self.tr("File"))
        self.tables.clear()
        self.tables.hide()
        self.test_result.clear()

    def _set_result(self, text: str) -> None:
        """Show a test result; the dialog grows to fit it (Qt does not count a wrapped label's height
        in the dialog's minimum, and would squeeze the rows above it instead)."""
        self.test_result.setText(text)
        self.layout().activate()
        lay = self.layout()
        needed = lay.heightForWidth(self.width()) if lay.hasHeightForWidth() else lay.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _browse(self) -> None:
        if self.kind() == "folder":
            path = QFileDialog.getExistingDirectory(self, self.tr("Choose the folder with the three views"),
                                                    self.path_edit.text())
        else:
            filt = (self.tr("SQLite files (*.sqlite *.db *.sqlite3);;All files (*)") if self.kind() == "sqlite"
                    else self.tr("Access files (*.accdb *.mdb);;All files (*)"))
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the source file"), self.path_edit.text(),
                                                  filt)
        if path:
            self.path_edit.setText(path)

    def load(self) -> None:
        from app import machine_settings
        machine = machine_settings.current()   # IT's defaults (SERVER, DATABASE) until the user saves
        s = QSettings()
        s.beginGroup("source")
        kind = str(s.value("kind", "sqlserver" if machine.server else "sqlite"))
        self.kind_buttons.get(kind, self.kind_buttons["sqlite"]).setChecked(True)
        self.path_edit.setText(str(s.value("path", "")))
        self.server_edit.setText(str(s.value("server", machine.server)))
        self.database_edit.setText(str(s.value("database", machine.database or "KsmErp")))
        # A driver saved on another PC, or since uninstalled, falls back to the newest installed.
        self.driver_box.setCurrentIndex(max(0, self.driver_box.findData(str(s.value("driver", "")))))
        self.trust_box.setChecked(str(s.value("trust_server_certificate", "false")).lower() == "true")
        (self.auth_sql if s.value("auth", "windows") == "sql" else self.auth_windows).setChecked(True)
        self.user_edit.setText(str(s.value("user", "")))
        for kind_, e in self.view_edits.items():
            e.setText(str(s.value(f"views/{kind_}", "")))
        s.endGroup()
        self._kind_changed()

    def values(self) -> dict:
        return {"kind": self.kind(), "path": self.path_edit.text().strip(), "server": self.server_edit.text().strip(),
                "database": self.database_edit.text().strip(), "driver": self.driver_box.currentData() or "",
                "auth": "sql" if self.auth_sql.isChecked() else "windows", "user": self.user_edit.text().strip(),
                "trust_server_certificate": self.trust_box.isChecked()}

    def view_names(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.view_edits.items() if e.text().strip()}

    def spec(self) -> str:
        v = self.values()
        return source_spec(v["kind"], v["path"], v["server"], v["database"], v["auth"], v["user"], v["driver"],
                           v["trust_server_certificate"])

    def _missing_input(self) -> str | None:
        """What the user still has to enter before connecting, or None."""
        v = self.values()
        if v["kind"] == "sqlserver":
            if not v["server"]:
                return self.tr("Enter the server name.")
            try:
                parse_server(v["server"])
            except SourceError:   # e.g. a port that is not a number
                return self.tr("%1 is not a server name: write SERVER, SERVER\\INSTANCE or SERVER,PORT (the port "
                               "a number from 1 to 65535; an IPv6 address in brackets, [ADDRESS],PORT).").replace(
                    "%1", v["server"])
            if not v["database"]:
                return self.tr("Enter the database name.")
            if v["auth"] == "sql" and not v["user"]:
                return self.tr("Enter the SQL login's user name.")
            return None
        if not v["path"]:
            return self.tr("Choose the source folder.") if v["kind"] == "folder" else self.tr("Choose the source file.")
        return None

    def _keep_typed_password(self) -> bool:
        """A password typed for a SQL login goes to the keyring before any connection is made."""
        v = self.values()
        pw = self.password_edit.text()
        if v["kind"] != "sqlserver" or v["auth"] != "sql" or not pw:
            return True
        try:
            keep_sql_password(v["server"], v["user"], pw)
        except SourceError as exc:  # no keyring on this PC, or Windows refused it: said in plain words
            self.message.show_message(str(exc))
            return False
        self.password_edit.clear()
        self.password_edit.setPlaceholderText(self.tr("saved in the OS keyring; type to replace it"))
        return True

    def save(self) -> bool:
        """Settings to QSettings; a SQL login's password to the OS keyring (never to a file)."""
        problem = self._missing_input()
        if problem:
            self.message.show_message(problem)
            return False
        if not self._keep_typed_password():
            return False
        s = QSettings()
        s.beginGroup("source")
        for k, val in self.values().items():
            s.setValue(k, val)
        for kind_, e in self.view_edits.items():
            s.setValue(f"views/{kind_}", e.text().strip())
        s.endGroup()
        s.sync()
        self.message.hide()
        return True

    def _save_clicked(self) -> None:
        if self.save():
            self.accept()

    # ---- test and import -----------------------------------------------------------------
    def test_connection(self):
        """Connect and check the three views and their columns as an import would (on a worker)."""
        self.tables.clear()
        self.tables.hide()
        self.message.hide()
        problem = self._missing_input()
        if problem:
            self._set_result("✖ " + problem)
            return None
        if not self._keep_typed_password():
            self.test_result.clear()
            return None
        spec, names = self.spec(), self.view_names()
        self._set_result(self.tr("connecting…"))
        self.test_button.setEnabled(False)

        def work(_progress):
            from app.services.importing import check_source
            return check_source(spec, names)

        def ok(check) -> None:
            views = ", ".join(check.views[k] for k in (ITEMS, ROUTINGS, RESULTS))
            text = "✔ " + self.tr("Connected to %1. The three ERP views are there with their required "
                                  "columns (%2); an import can read them.").replace("%1", check.source).replace(
                "%2", views)
            for warning in check.warnings:
                text += "\n⚠ " + warning
            self.tables.addItems([("✔ " if t in check.views.values() else "    ") + t for t in check.tables])
            self.tables.show()
            self._set_result(text)

        def fail(message: str) -> None:
            self._set_result("✖ " + message)

        return self.runner.start(work, "test connection", on_result=ok, on_error=fail,
                                 on_done=lambda: self.test_button.setEnabled(True))

    def _import(self) -> None:
        if not self.save():
            return
        self.import_requested.emit(self.spec(), self.view_names())
        self.accept()


def ask_to_import_fewer_rows(parent: QWidget, shrunk) -> bool:
    """The window's --allow-shrink: a source with far fewer rows than the store's copy is imported
    only when the user says Yes to a question naming each such view with its new and old counts.
    No (the default, and Esc) keeps the store as it is."""
    return QMessageBox.StandardButton(fewer_rows_question(parent, shrunk).exec()) == QMessageBox.StandardButton.Yes


def fewer_rows_question(parent: QWidget | None, shrunk) -> QMessageBox:
    translate = QCoreApplication.translate
    locale = QLocale()
    box = QMessageBox(parent)
    box.setObjectName("importFewerRowsQuestion")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(translate("ShrinkQuestion", "Import fewer rows?"))
    line = translate("ShrinkQuestion", "%1: %2 rows in the source, %3 in the store now")
    lines = [line.replace("%1", v.view).replace("%2", locale.toString(v.rows)).replace("%3", locale.toString(v.previous))
             for v in shrunk]
    box.setText(translate("ShrinkQuestion", "The source has less than half the rows the store holds now:")
                + "\n\n" + "\n".join(lines))
    box.setInformativeText(translate("ShrinkQuestion", "Import it anyway, replacing the store's rows? Say Yes for "
                                     "another plant or a smaller extract; No if a file may be cut off or a view "
                                     "filtered by mistake (the store stays as it is)."))
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    label = box.findChild(QLabel, "qt_msgbox_label")   # one line per view, not wrapped in two
    if label is not None:
        width = max(label.fontMetrics().horizontalAdvance(text) for text in lines)
        label.setMinimumWidth(min(width + 8, 720))
    return box
