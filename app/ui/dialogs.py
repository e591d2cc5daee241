"""Settings ▸ Data source (SQLite, Access, SQL Server with Windows authentication or SQL login) and the
import of a source. A SQL login's password goes to the OS keyring, never to a file."""
from __future__ import annotations

import logging
from urllib.parse import quote_plus

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.schema import DEFAULT_VIEW_NAMES, ITEMS, RESULTS, ROUTINGS
from app.ui.widgets import Banner, JobBar
from app.ui.workers import TaskRunner

log = logging.getLogger("app.ui.dialogs")
KEYRING_SERVICE = "routing-ml"
KINDS = ("sqlite", "access", "sqlserver")
ODBC_DRIVERS = ["ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server", "SQL Server"]


def keyring_key(server: str, user: str) -> str:
    return f"{server}/{user}"


def source_spec(kind: str, path: str = "", server: str = "", database: str = "", auth: str = "windows",
                user: str = "", driver: str = ODBC_DRIVERS[0]) -> str:
    """The source string app.sources.open_source understands. It never holds a password: a SQL
    login's password is looked up in the OS keyring by app.sources when it connects."""
    if kind in ("sqlite", "access"):
        return path.strip()
    drv = quote_plus(driver)
    if auth == "windows":
        return f"mssql+pyodbc://{server}/{database}?driver={drv}&trusted_connection=yes"
    return f"mssql+pyodbc://{quote_plus(user)}@{server}/{database}?driver={drv}"


def _list_tables(source) -> list[str]:
    for name in ("tables", "list_tables", "table_names", "views"):
        fn = getattr(source, name, None)
        if callable(fn):
            return sorted(str(t) for t in fn())
        if isinstance(fn, (list, tuple)):
            return sorted(str(t) for t in fn)
    return []


class DataSourceDialog(QDialog):
    """Edit the data source; Test connection lists its tables; in import mode, Import copies it into the store."""

    import_requested = Signal(str, dict)   # source spec, view names

    def __init__(self, runner: TaskRunner, parent=None, import_mode: bool = False, can_import: bool = True):
        super().__init__(parent)
        self.runner = runner
        self.import_mode = import_mode
        self.setWindowTitle(self.tr("Import a source") if import_mode else self.tr("Data source"))
        self.setMinimumWidth(620)

        self.kind_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        self.kind_buttons = {}
        for i, (kind, label) in enumerate((("sqlite", self.tr("SQLite file")), ("access", self.tr("Access file")),
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
        fl.addRow(self.tr("File"), pr)

        # server page
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("server")
        self.server_edit.setPlaceholderText(r"ERPSQL01\KSM")
        self.database_edit = QLineEdit("KsmErp")
        self.database_edit.setObjectName("database")
        self.driver_box = QComboBox()
        self.driver_box.setEditable(True)
        self.driver_box.addItems(ODBC_DRIVERS)
        self.auth_windows = QRadioButton(self.tr("Windows authentication (Trusted_Connection)"))
        self.auth_windows.setObjectName("authWindows")
        self.auth_sql = QRadioButton(self.tr("SQL login"))
        self.auth_sql.setObjectName("authSql")
        self.auth_windows.setChecked(True)
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("sqlUser")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("sqlPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("kept in the Windows Credential Manager / OS keyring"))
        server_page = QWidget()
        sl = QFormLayout(server_page)
        sl.addRow(self.tr("Server"), self.server_edit)
        sl.addRow(self.tr("Database"), self.database_edit)
        sl.addRow(self.tr("ODBC driver"), self.driver_box)
        auth = QVBoxLayout()
        auth.addWidget(self.auth_windows)
        auth.addWidget(self.auth_sql)
        sl.addRow(self.tr("Sign-in"), auth)
        sl.addRow(self.tr("User"), self.user_edit)
        sl.addRow(self.tr("Password"), self.password_edit)
        self.auth_sql.toggled.connect(self._auth_changed)

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
        self.tables.setMaximumHeight(120)
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
        tr.addWidget(self.test_result, 1)
        lay.addLayout(tr)
        lay.addWidget(self.job)
        lay.addWidget(self.tables)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.kind_group.idToggled.connect(lambda _i, on: on and self._kind_changed())
        self.load()

    # ---- state ---------------------------------------------------------------------------
    def kind(self) -> str:
        return KINDS[max(0, self.kind_group.checkedId())]

    def _kind_changed(self) -> None:
        self.pages.setCurrentIndex(1 if self.kind() == "sqlserver" else 0)
        self.tables.clear()
        self.test_result.clear()

    def _auth_changed(self) -> None:
        sql = self.auth_sql.isChecked()
        self.user_edit.setEnabled(sql)
        self.password_edit.setEnabled(sql)

    def _browse(self) -> None:
        filt = (self.tr("SQLite files (*.sqlite *.db *.sqlite3);;All files (*)") if self.kind() == "sqlite"
                else self.tr("Access files (*.accdb *.mdb);;All files (*)"))
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the source file"), self.path_edit.text(), filt)
        if path:
            self.path_edit.setText(path)

    def load(self) -> None:
        s = QSettings()
        s.beginGroup("source")
        kind = str(s.value("kind", "sqlite"))
        self.kind_buttons.get(kind, self.kind_buttons["sqlite"]).setChecked(True)
        self.path_edit.setText(str(s.value("path", "")))
        self.server_edit.setText(str(s.value("server", "")))
        self.database_edit.setText(str(s.value("database", "KsmErp")))
        self.driver_box.setCurrentText(str(s.value("driver", ODBC_DRIVERS[0])))
        (self.auth_sql if s.value("auth", "windows") == "sql" else self.auth_windows).setChecked(True)
        self.user_edit.setText(str(s.value("user", "")))
        for kind_, e in self.view_edits.items():
            e.setText(str(s.value(f"views/{kind_}", "")))
        s.endGroup()
        self._kind_changed()
        self._auth_changed()

    def values(self) -> dict:
        return {"kind": self.kind(), "path": self.path_edit.text().strip(), "server": self.server_edit.text().strip(),
                "database": self.database_edit.text().strip(), "driver": self.driver_box.currentText().strip(),
                "auth": "sql" if self.auth_sql.isChecked() else "windows", "user": self.user_edit.text().strip()}

    def view_names(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.view_edits.items() if e.text().strip()}

    def spec(self) -> str:
        v = self.values()
        return source_spec(v["kind"], v["path"], v["server"], v["database"], v["auth"], v["user"], v["driver"])

    def _keep_typed_password(self) -> bool:
        """A password typed for a SQL login goes to the keyring before any connection is made."""
        v = self.values()
        pw = self.password_edit.text()
        if v["kind"] != "sqlserver" or v["auth"] != "sql" or not pw:
            return True
        try:
            import keyring
            keyring.set_password(KEYRING_SERVICE, keyring_key(v["server"], v["user"]), pw)
        except Exception as exc:  # noqa: BLE001 - no keyring backend on this PC
            self.message.show_message(self.tr("The password could not be stored in the OS keyring (%1); "
                                              "it was not saved anywhere else.").replace("%1", str(exc)))
            return False
        return True

    def save(self) -> bool:
        """Settings to QSettings; a SQL login's password to the OS keyring (never to a file)."""
        v = self.values()
        if v["kind"] == "sqlserver" and not v["server"]:
            self.message.show_message(self.tr("Enter the server name."))
            return False
        if v["kind"] != "sqlserver" and not v["path"]:
            self.message.show_message(self.tr("Choose the source file."))
            return False
        if v["kind"] == "sqlserver" and v["auth"] == "sql":
            if not v["user"]:
                self.message.show_message(self.tr("Enter the SQL login's user name."))
                return False
            if not self._keep_typed_password():
                return False
        s = QSettings()
        s.beginGroup("source")
        for k, val in v.items():
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
        spec = self.spec()
        if not self._keep_typed_password():
            return None
        if not spec:
            self.test_result.setText(self.tr("Choose a file or enter a server first."))
            return None
        self.tables.clear()
        self.test_result.setText(self.tr("connecting…"))
        self.test_button.setEnabled(False)

        def work(p):
            from app.sources import open_source
            with open_source(spec) as source:
                return getattr(source, "describe", lambda: spec)(), _list_tables(source)

        def ok(result):
            described, tables = result
            self.test_result.setText("✔ " + self.tr("Connected to %1: %2 tables or views.")
                                     .replace("%1", str(described)).replace("%2", str(len(tables))))
            self.tables.addItems(tables)

        def fail(message: str):
            self.test_result.setText("✖ " + message)

        return self.runner.start(work, "test connection", on_result=ok, on_error=fail,
                                 on_done=lambda: self.test_button.setEnabled(True))

    def _import(self) -> None:
        if not self.save():
            return
        self.import_requested.emit(self.spec(), self.view_names())
        self.accept()
