"""The fields of a SQL Server connection — server, database, sign-in (Windows authentication or a SQL
login whose password goes to the OS keyring), ODBC driver and encryption — as one form, so that
Settings ▸ Data source (the ERP's views) and Settings ▸ Store (the program's own store) ask the same
questions in the same words and order."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QRadioButton, QSizePolicy, QVBoxLayout, QWidget)

ENCRYPT = ("", "yes", "strict", "no")


class SqlServerFields(QWidget):
    """`drivers`: the SQL Server ODBC drivers installed, newest first. `encrypt`: offer the
    connection's Encrypt setting (the store does; the ERP source keeps the driver's default).
    `name`: prefix of the widgets' object names, so the two dialogs' fields stay distinguishable."""

    changed = Signal()

    def __init__(self, drivers: list[str], *, name: str, server_hint: str, database: str,
                 encrypt: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.server = QLineEdit()
        self.server.setObjectName(f"{name}Server")
        self.server.setPlaceholderText(server_hint)
        self.database = QLineEdit(database)
        self.database.setObjectName(f"{name}Database")

        self.auth_windows = QRadioButton(self.tr("Windows authentication"))
        self.auth_windows.setObjectName(f"{name}AuthWindows")
        self.auth_sql = QRadioButton(self.tr("SQL login"))
        self.auth_sql.setObjectName(f"{name}AuthSql")
        group = QButtonGroup(self)
        group.addButton(self.auth_windows)
        group.addButton(self.auth_sql)
        self.auth_windows.setChecked(True)
        auth_row = QWidget()   # one row with its own size hint, so the two choices never overlap
        auth_row.setObjectName("signIn")
        al = QHBoxLayout(auth_row)
        al.setContentsMargins(0, 0, 0, 0)
        al.addWidget(self.auth_windows)
        al.addWidget(self.auth_sql)
        al.addStretch(1)
        auth_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.user = QLineEdit()
        self.user.setObjectName(f"{name}User")
        self.password = QLineEdit()
        self.password.setObjectName(f"{name}Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("kept in the Windows Credential Manager / OS keyring"))

        self.driver = QComboBox()
        self.driver.setObjectName(f"{name}Driver")
        if drivers:
            self.driver.addItem(self.tr("Newest installed (%1)").replace("%1", drivers[0]), "")
            for driver in drivers:
                self.driver.addItem(driver, driver)
        else:
            self.driver.addItem(self.tr("No SQL Server ODBC driver is installed"), "")
            self.driver.setEnabled(False)
        self.driver_hint = QLabel(self.tr("Install “Microsoft ODBC Driver 18 for SQL Server” (ask IT)."))
        self.driver_hint.setObjectName("muted")
        self.driver_hint.setVisible(not drivers)

        self.encrypt: QComboBox | None = None
        if encrypt:
            self.encrypt = QComboBox()
            self.encrypt.setObjectName(f"{name}Encrypt")
            for value, label in zip(ENCRYPT, (self.tr("the driver's default (Driver 18: yes)"), self.tr("yes"),
                                              self.tr("strict (TDS 8)"), self.tr("no"))):
                self.encrypt.addItem(label, value)
        self.trust = QCheckBox(self.tr("Trust server certificate"))
        self.trust.setObjectName(f"{name}Trust")
        self.trust.setToolTip(self.tr("For a plant server with its own (self-signed) certificate, which this PC "
                                      "does not know: the connection stays encrypted, but the server is not "
                                      "checked (TrustServerCertificate=yes)."))

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Server"), self.server)
        form.addRow(self.tr("Database"), self.database)
        form.addRow(self.tr("Sign-in"), auth_row)
        form.addRow(self.tr("User"), self.user)
        form.addRow(self.tr("Password"), self.password)
        drv = QVBoxLayout()
        drv.setContentsMargins(0, 0, 0, 0)
        drv.addWidget(self.driver)
        drv.addWidget(self.driver_hint)
        form.addRow(self.tr("ODBC driver"), drv)
        enc = QHBoxLayout()
        if self.encrypt is not None:
            enc.addWidget(self.encrypt, 1)
        enc.addWidget(self.trust)
        if self.encrypt is None:
            enc.addStretch(1)
        form.addRow(self.tr("Encryption"), enc)

        self.auth_sql.toggled.connect(self._auth_changed)
        self._auth_changed()
        for edit in (self.server, self.database, self.user):
            edit.textChanged.connect(self.changed)
        self.driver.currentIndexChanged.connect(self.changed)
        if self.encrypt is not None:
            self.encrypt.currentIndexChanged.connect(self.changed)
        self.trust.toggled.connect(self.changed)
        self.auth_sql.toggled.connect(self.changed)

    def sql_login(self) -> bool:
        return self.auth_sql.isChecked()

    def _auth_changed(self) -> None:
        """User and password only count for a SQL login."""
        sql = self.auth_sql.isChecked()
        self.user.setEnabled(sql)
        self.password.setEnabled(sql)
