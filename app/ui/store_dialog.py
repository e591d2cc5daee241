"""Settings ▸ Store: where this PC's program keeps its own store — a SQLite file, a PostgreSQL
database or a SQL Server database (Windows authentication or a SQL login whose password goes to the
OS keyring; ODBC driver; encryption). Test connection says what is there without changing it; Save
keeps the address as this PC's choice for the user (the window's setting `store/url`), used from
the next start, or at once with "Save and open". `--store` and ROUTING_ML_STORE still come first;
without a choice here, the machine's STORE (set by IT) or the default file is used."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QSizePolicy,
                               QStackedWidget, QVBoxLayout, QWidget)

from app.services import stores
from app.services.connections import SourceError, keep_sql_password, store_drivers
from app.ui.sql_server_fields import SqlServerFields
from app.ui.widgets import Banner
from app.ui.workers import TaskRunner

KINDS = ("sqlite", "postgresql", "mssql")
SETTING = "store/url"          # the window's own choice of store (QSettings)
SSL_MODES = ("", "disable", "prefer", "require", "verify-full")


def chosen_store() -> str:
    """The store saved in Settings ▸ Store ("" when none)."""
    return str(QSettings().value(SETTING, "", type=str) or "")


class StoreDialog(QDialog):
    open_requested = Signal(str)     # Save and open: the store URL to open now

    def __init__(self, runner: TaskRunner, parent=None, current: str = ""):
        super().__init__(parent)
        self.setObjectName("storeDialog")
        self.runner = runner
        self.setWindowTitle(self.tr("Store"))
        self.setMinimumWidth(680)
        intro = QLabel(self.tr("Where Routing ML keeps its saved routings, models, mapping profiles and audit "
                               "trail. A shared server lets every engineer see the same routings."))
        intro.setWordWrap(True)

        self.kind_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        self.kind_buttons = {}
        for i, (kind, label) in enumerate((("sqlite", self.tr("SQLite file")), ("postgresql", self.tr("PostgreSQL")),
                                           ("mssql", self.tr("SQL Server")))):
            b = QRadioButton(label)
            b.setObjectName(f"store_{kind}")
            self.kind_group.addButton(b, i)
            self.kind_buttons[kind] = b
            kinds.addWidget(b)
        kinds.addStretch(1)

        # SQLite
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("storePath")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        sqlite_page = QWidget()
        fl = QFormLayout(sqlite_page)
        fl.addRow(self.tr("File"), row)
        hint = QLabel(self.tr("A file on this PC (made at first use). On a network share only one PC should use "
                              "it at a time; for a team, use a server."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        fl.addRow("", hint)

        # PostgreSQL
        self.pg_server = QLineEdit()
        self.pg_server.setObjectName("pgServer")
        self.pg_server.setPlaceholderText("pg01.plant.local:5432")
        self.pg_database = QLineEdit("routing_ml")
        self.pg_database.setObjectName("pgDatabase")
        self.pg_user = QLineEdit()
        self.pg_user.setObjectName("pgUser")
        self.pg_user.setPlaceholderText(self.tr("this PC's user name when empty"))
        self.pg_ssl = QComboBox()
        self.pg_ssl.setObjectName("pgSsl")
        for mode, label in zip(SSL_MODES, (self.tr("the driver's default"), self.tr("off (disable)"),
                                           self.tr("when the server offers it (prefer)"),
                                           self.tr("always (require)"),
                                           self.tr("always, and check the server (verify-full)"))):
            self.pg_ssl.addItem(label, mode)
        pg_page = QWidget()
        pl = QFormLayout(pg_page)
        pl.addRow(self.tr("Server"), self.pg_server)
        pl.addRow(self.tr("Database"), self.pg_database)
        pl.addRow(self.tr("User"), self.pg_user)
        pl.addRow(self.tr("Encryption"), self.pg_ssl)
        pg_hint = QLabel(self.tr("A password, if the server asks for one, is read from pgpass.conf or PGPASSWORD "
                                 "(ask IT); it is never kept in a setting."))
        pg_hint.setObjectName("muted")
        pg_hint.setWordWrap(True)
        pl.addRow("", pg_hint)

        # SQL Server
        ms = self.ms_fields = SqlServerFields(store_drivers(), name="ms", database="routing_ml", encrypt=True,
                                              server_hint=r"DBSQL01\KSM  ·  db.plant.local,1433")
        self.ms_server, self.ms_database, self.ms_user, self.ms_password = ms.server, ms.database, ms.user, ms.password
        self.ms_driver, self.ms_driver_hint, self.ms_encrypt, self.ms_trust = (ms.driver, ms.driver_hint, ms.encrypt,
                                                                               ms.trust)
        self.auth_windows, self.auth_sql = ms.auth_windows, ms.auth_sql
        ms_page = QWidget()
        QVBoxLayout(ms_page).addWidget(ms)

        self.pages = QStackedWidget()
        for page in (sqlite_page, pg_page, ms_page):
            self.pages.addWidget(page)

        self.address = QLineEdit()
        self.address.setObjectName("storeAddress")
        self.address.setReadOnly(True)
        self.address.setToolTip(self.tr("The same address works with --store and ROUTING_ML_STORE"))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testStore")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setObjectName("storeTestResult")
        self.result.setWordWrap(True)
        self.message = Banner("error")
        self.where = QLabel()
        self.where.setObjectName("muted")
        self.where.setWordWrap(True)

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Keep this store for the next start"))
        self.open_button = QPushButton(self.tr("Save and open"))
        self.open_button.setObjectName("primary")
        self.open_button.setToolTip(self.tr("Keep this store and open it now"))
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(close)
        self.save_button.clicked.connect(self.save)
        self.open_button.clicked.connect(self._save_and_open)

        form = QFormLayout()
        form.addRow(self.tr("Address"), self.address)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(kinds)
        lay.addWidget(self.pages)
        lay.addLayout(form)
        lay.addLayout(test_row)
        lay.addWidget(self.result)
        lay.addWidget(self.message)
        lay.addWidget(self.where)
        lay.addStretch(1)
        lay.addLayout(buttons)

        self.kind_group.idToggled.connect(lambda _i, on: on and self._kind_changed())
        for edit in (self.path_edit, self.pg_server, self.pg_database, self.pg_user):
            edit.textChanged.connect(self._changed)
        self.pg_ssl.currentIndexChanged.connect(self._changed)
        ms.changed.connect(self._changed)
        self.load(chosen_store() or current)

    # ---- fields ------------------------------------------------------------------------------
    def kind(self) -> str:
        return KINDS[max(0, self.kind_group.checkedId())]

    def _kind_changed(self) -> None:
        self.pages.setCurrentIndex(KINDS.index(self.kind()))
        for i in range(self.pages.count()):   # only the shown page counts for the dialog's size
            shown = i == self.pages.currentIndex()
            self.pages.widget(i).setSizePolicy(QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored,
                                               QSizePolicy.Policy.Minimum if shown else QSizePolicy.Policy.Ignored)
        self.pages.adjustSize()
        self._changed()
        self._grow()

    def _grow(self) -> None:
        """The dialog as tall as its rows need (a page with more rows, a long test result): Qt would
        squeeze the rows into each other instead."""
        lay = self.layout()
        lay.activate()
        needed = lay.heightForWidth(self.width()) if lay.hasHeightForWidth() else lay.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_result(self, text: str) -> None:
        self.result.setText(text)
        self._grow()

    def _changed(self) -> None:
        self.address.setText(self.url())
        self.result.clear()
        self.message.hide()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Choose the store file"), self.path_edit.text(),
                                              self.tr("Routing ML store (*.sqlite *.db);;All files (*)"),
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.path_edit.setText(path)

    def url(self) -> str:
        kind = self.kind()
        if kind == "sqlite":
            return stores.store_address("sqlite", path=self.path_edit.text())
        if kind == "postgresql":
            if not self.pg_server.text().strip() or not self.pg_database.text().strip():
                return ""
            return stores.store_address("postgresql", server=self.pg_server.text(), database=self.pg_database.text(),
                                        user=self.pg_user.text(), ssl_mode=self.pg_ssl.currentData())
        if not self.ms_server.text().strip() or not self.ms_database.text().strip():
            return ""
        try:
            return stores.store_address("mssql", server=self.ms_server.text(), database=self.ms_database.text(),
                                        user=self.ms_user.text() if self.auth_sql.isChecked() else "",
                                        driver=self.ms_driver.currentData(), encrypt=self.ms_encrypt.currentData(),
                                        trust_server_certificate=self.ms_trust.isChecked())
        except (SourceError, ValueError):
            return ""

    def load(self, url: str) -> None:
        """Fill the fields from a store address (the saved choice, or the store in use)."""
        from sqlalchemy.engine import make_url
        kind, parsed = "sqlite", None
        try:
            parsed = stores.store_url(url or None)
            kind = {"postgresql": "postgresql", "mssql": "mssql"}.get(parsed.get_backend_name(), "sqlite")
        except Exception:  # noqa: BLE001 - an unreadable address: start from a file
            pass
        self.kind_buttons[kind].setChecked(True)
        if parsed is not None and kind == "sqlite":
            self.path_edit.setText(parsed.database or "")
        elif parsed is not None and kind == "postgresql":
            self.pg_server.setText(f"{parsed.host or ''}{':' + str(parsed.port) if parsed.port else ''}")
            self.pg_database.setText(parsed.database or "")
            self.pg_user.setText(parsed.username or "")
            self.pg_ssl.setCurrentIndex(max(0, self.pg_ssl.findData(str(parsed.query.get("sslmode", "")))))
        elif kind == "mssql":
            from app.sources.sqlserver import parse_sqlserver_spec
            try:
                target = parse_sqlserver_spec(str(url or make_url(str(parsed))))
            except Exception:  # noqa: BLE001
                target = None
            if target is not None:
                self.ms_server.setText(target.server)
                self.ms_database.setText(target.database)
                (self.auth_sql if target.user else self.auth_windows).setChecked(True)
                self.ms_user.setText(target.user or "")
                self.ms_driver.setCurrentIndex(max(0, self.ms_driver.findData(target.driver or "")))
                options = {k.lower(): v for k, v in target.options.items()}
                self.ms_encrypt.setCurrentIndex(max(0, self.ms_encrypt.findData(options.get("encrypt", "").lower())))
                self.ms_trust.setChecked(options.get("trustservercertificate", "").lower() == "yes")
        self._kind_changed()
        self._show_where()

    def _show_where(self) -> None:
        from app import machine_settings
        machine = machine_settings.current().store
        text = self.tr("Saved for you on this PC and used from the next start (Save and open: at once). "
                       "--store and ROUTING_ML_STORE still come first.")
        if machine:
            text += " " + self.tr("Without a choice here, the store IT set for this PC is used: %1.").replace(
                "%1", stores.describe_url(machine))
        self.where.setText(text)

    def _missing(self) -> str | None:
        kind = self.kind()
        if kind == "sqlite" and not self.path_edit.text().strip():
            return self.tr("Choose the store file.")
        if kind == "postgresql" and not self.pg_server.text().strip():
            return self.tr("Enter the server name.")
        if kind == "mssql" and not self.ms_server.text().strip():
            return self.tr("Enter the server name.")
        if kind != "sqlite" and not (self.pg_database if kind == "postgresql" else self.ms_database).text().strip():
            return self.tr("Enter the database name.")
        if kind == "mssql" and self.auth_sql.isChecked() and not self.ms_user.text().strip():
            return self.tr("Enter the SQL login's user name.")
        if not self.url():
            return self.tr("The server name cannot be read; write it as SERVER, SERVER\\INSTANCE or SERVER,PORT.")
        return None

    def _keep_password(self) -> bool:
        """A SQL login's typed password goes to the OS keyring before any connection is made."""
        pw = self.ms_password.text()
        if self.kind() != "mssql" or not self.auth_sql.isChecked() or not pw:
            return True
        try:
            keep_sql_password(self.ms_server.text().strip(), self.ms_user.text().strip(), pw)
        except SourceError as exc:
            self.message.show_message(str(exc))
            return False
        self.ms_password.clear()
        self.ms_password.setPlaceholderText(self.tr("saved in the OS keyring; type to replace it"))
        return True

    # ---- test, save --------------------------------------------------------------------------
    def test_connection(self):
        """Connect on a worker and say what is there; nothing is created or changed."""
        problem = self._missing()
        if problem:
            self._set_result("✖ " + problem)
            return None
        if not self._keep_password():
            return None
        url = self.url()
        self._set_result(self.tr("connecting…"))
        self.test_button.setEnabled(False)

        def ok(check: stores.StoreCheck) -> None:
            if check.state == "store":
                text = "✔ " + self.tr("Connected to %1: a Routing ML store (schema %2) with %3 saved routings and %4 "
                                     "models.").replace("%1", check.description).replace("%2", check.revision or "–") \
                    .replace("%3", f"{check.saved_routings:,}").replace("%4", f"{check.models:,}")
            elif check.state == "empty":
                text = "✔ " + self.tr("Connected to %1: the database is empty; the store's tables are made when it "
                                     "is first opened (this needs the right to create tables).").replace(
                    "%1", check.description)
            elif check.state == "new file":
                text = "✔ " + self.tr("%1 does not exist yet; it is made when the store is first opened.").replace(
                    "%1", check.description)
            else:
                text = "✖ " + self.tr("%1 holds other tables (%2): it is not a Routing ML store; choose another "
                                     "database.").replace("%1", check.description).replace(
                    "%2", ", ".join(check.tables[:6]))
            self._set_result(text)

        return self.runner.start(lambda p: stores.check_connection(url), "test store",
                                 on_result=ok, on_error=lambda m: self._set_result("✖ " + m),
                                 on_done=lambda: self.test_button.setEnabled(True))

    def save(self) -> bool:
        """The address as this PC's choice for the user (no password in it); True when saved."""
        problem = self._missing()
        if problem:
            self.message.show_message(problem)
            return False
        if not self._keep_password():
            return False
        s = QSettings()
        s.setValue(SETTING, self.url())
        s.remove("store/last")   # the choice made here wins over the file opened last
        s.sync()
        self.message.hide()
        self.result.setText("✔ " + self.tr("Saved: Routing ML opens %1 from the next start.").replace(
            "%1", stores.describe_url(self.url())))
        return True

    def _save_and_open(self) -> None:
        if self.save():
            self.open_requested.emit(self.url())
            self.accept()
