"""Settings ▸ Roles and audit (admins): where roles come from (the store's role table, or directory
groups), the users and roles of the table, and the folder for the audit trail's signed checkpoints.
Every read and write goes through the services on a worker; a bind password goes to the OS keyring."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QRadioButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from app.domain.access import ROLES
from app.services import audit_seal, roles, site_settings
from app.services.directory import DirectoryConfig
from app.ui.context import AppContext
from app.ui.widgets import Banner


def _fit(table: QTableWidget) -> None:
    """The first column takes the room; the others are as wide as their contents; no row numbers."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in range(1, table.columnCount()):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setVisible(False)


class RolesDialog(QDialog):
    saved = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Roles and audit"))
        self.setMinimumSize(1040, 600)
        self.role_names = {"engineer": self.tr("engineer"), "approver": self.tr("approver"), "admin": self.tr("admin")}

        # where roles come from
        self.use_table = QRadioButton(self.tr("A role table in the store, managed here"))
        self.use_table.setObjectName("rolesFromStore")
        self.use_directory = QRadioButton(self.tr("Active Directory / LDAP groups"))
        self.use_directory.setObjectName("rolesFromDirectory")
        kinds = QButtonGroup(self)
        kinds.addButton(self.use_table)
        kinds.addButton(self.use_directory)
        self.use_table.setChecked(True)
        self.default_role = QComboBox()
        self.default_role.addItem(self.tr("no role"), "")
        for r in ROLES:
            self.default_role.addItem(self.role_names[r], r)
        source_box = QGroupBox(self.tr("Where roles come from"))
        sl = QFormLayout(source_box)
        sl.addRow(self.use_table)
        sl.addRow(self.use_directory)
        sl.addRow(self.tr("Users not named get"), self.default_role)

        # the directory
        self.server = QLineEdit()
        self.server.setObjectName("ldapServer")
        self.server.setPlaceholderText("ldaps://dc01.ksm.local")
        self.base_dn = QLineEdit()
        self.base_dn.setPlaceholderText("DC=ksm,DC=local")
        self.bind = QComboBox()
        self.bind.addItem(self.tr("Kerberos (the signed-in Windows account, no password)"), "kerberos")
        self.bind.addItem(self.tr("Service account over LDAPS"), "simple")
        self.bind_user = QLineEdit()
        self.bind_user.setPlaceholderText("CN=routing-svc,OU=Service,DC=ksm,DC=local")
        self.bind_password = QLineEdit()
        self.bind_password.setObjectName("ldapPassword")
        self.bind_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.bind_password.setPlaceholderText(self.tr("kept in the Windows Credential Manager / OS keyring"))
        self.user_attribute = QLineEdit("sAMAccountName")
        self.domain = QLineEdit()
        self.domain.setObjectName("ldapDomain")
        self.domain.setPlaceholderText(self.tr("from the base DN, e.g. KSM"))
        self.domain.setToolTip(self.tr("Only accounts of this Windows domain (DOMAIN\\user) get a role from the "
                                       "directory: a PC's local account or another domain's with the same user "
                                       "name gets none."))
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(self.tr("the system's certificates"))
        self.cache_hours = QDoubleSpinBox()
        self.cache_hours.setRange(1, 24 * 90)
        self.cache_hours.setDecimals(0)
        self.cache_hours.setValue(72)
        self.cache_hours.setSuffix(self.tr(" h"))
        self.groups = QTableWidget(0, 2)
        self.groups.setObjectName("groupRoles")
        self.groups.setHorizontalHeaderLabels([self.tr("Group (CN or DN)"), self.tr("Role")])
        _fit(self.groups)
        self.groups.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.groups.setColumnWidth(1, 130)   # the role lists are widgets, which ResizeToContents ignores
        self.groups.setMinimumHeight(120)
        add_group = QPushButton(self.tr("Add group"))
        add_group.clicked.connect(lambda: self._add_group("", "engineer"))
        self.directory_box = QGroupBox(self.tr("Directory"))
        dl = QFormLayout(self.directory_box)
        dl.addRow(self.tr("Server"), self.server)
        dl.addRow(self.tr("Base DN"), self.base_dn)
        dl.addRow(self.tr("Bind"), self.bind)
        dl.addRow(self.tr("Service account"), self.bind_user)
        dl.addRow(self.tr("Password"), self.bind_password)
        dl.addRow(self.tr("User name attribute"), self.user_attribute)
        dl.addRow(self.tr("Windows domain"), self.domain)
        dl.addRow(self.tr("CA certificate (PEM)"), self.ca_file)
        dl.addRow(self.tr("Keep a role offline for"), self.cache_hours)
        dl.addRow(self.groups)
        dl.addRow(add_group)

        # the role table
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("userRoles")
        self.table.setHorizontalHeaderLabels([self.tr("User"), self.tr("Role"), self.tr("Given by")])
        _fit(self.table)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.new_user = QLineEdit()
        self.new_user.setObjectName("roleUser")
        self.new_user.setPlaceholderText("KSM\\kim")
        self.new_role = QComboBox()
        for r in ROLES:
            self.new_role.addItem(self.role_names[r], r)
        self.set_button = QPushButton(self.tr("Set role"))
        self.set_button.setObjectName("setRole")
        self.set_button.clicked.connect(self.set_role)
        self.table_box = QGroupBox(self.tr("Users and roles"))
        tl = QVBoxLayout(self.table_box)
        tl.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(self.new_user, 1)
        row.addWidget(self.new_role)
        row.addWidget(self.set_button)
        tl.addLayout(row)

        # audit checkpoints
        self.checkpoint_dir = QLineEdit()
        self.checkpoint_dir.setObjectName("checkpointFolder")
        self.checkpoint_dir.setPlaceholderText(str(audit_seal.default_checkpoint_dir()))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        audit_box = QGroupBox(self.tr("Audit checkpoints"))
        al = QHBoxLayout(audit_box)
        al.addWidget(self.checkpoint_dir, 1)
        al.addWidget(browse)
        audit_box.setToolTip(self.tr("Signed checkpoints of the audit trail are written here (choose a share "
                                     "engineers cannot change); Verify reads them to notice deleted events."))

        self.message = Banner("error")
        self.warning = Banner("warning")
        self.warning.setObjectName("rolesWarning")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveRoles")
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(source_box)
        left.addWidget(self.table_box, 1)
        left.addWidget(audit_box)
        columns.addLayout(left, 1)
        columns.addWidget(self.directory_box, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(columns)
        lay.addWidget(self.warning)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.use_directory.toggled.connect(self._kind_changed)
        for edit in (self.server,):
            edit.textChanged.connect(self._show_warnings)
        self.bind.currentIndexChanged.connect(self._show_warnings)
        self._kind_changed()
        self.load()

    # ---- state ---------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        directory = self.use_directory.isChecked()
        self.directory_box.setEnabled(directory)
        self.table_box.setEnabled(not directory)
        self._show_warnings()

    def _show_warnings(self) -> None:
        """What the directory settings allow but is not safe (Kerberos over ldap://), before saving."""
        source = self.source()
        warnings = source.directory.warnings() if source.directory is not None else []
        if warnings and any(w.startswith("a Kerberos bind over ldap://") for w in warnings):
            self.warning.show_message(self.tr("A Kerberos bind over ldap:// is neither signed nor sealed: someone on "
                                              "the network could change the groups the directory answers. Use "
                                              "ldaps://."))
        else:
            self.warning.hide()

    def _add_group(self, group: str, role: str) -> None:
        r = self.groups.rowCount()
        self.groups.insertRow(r)
        self.groups.setItem(r, 0, QTableWidgetItem(group))
        box = QComboBox()
        for key in ROLES:
            box.addItem(self.role_names[key], key)
        box.setCurrentIndex(max(0, box.findData(role)))
        self.groups.setCellWidget(r, 1, box)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for audit checkpoints"),
                                                  self.checkpoint_dir.text())
        if folder:
            self.checkpoint_dir.setText(folder)

    def source(self) -> roles.RoleSource:
        """The role source as the dialog shows it."""
        directory = None
        if self.use_directory.isChecked():
            mapping = {}
            for r in range(self.groups.rowCount()):
                item, box = self.groups.item(r, 0), self.groups.cellWidget(r, 1)
                if item is not None and item.text().strip():
                    mapping[item.text().strip()] = box.currentData()
            directory = DirectoryConfig(self.server.text().strip(), self.base_dn.text().strip(), mapping,
                                        self.bind.currentData(), self.bind_user.text().strip(),
                                        self.user_attribute.text().strip() or "sAMAccountName",
                                        self.ca_file.text().strip(), domain=self.domain.text().strip().upper())
        return roles.RoleSource("directory" if directory else "store", self.default_role.currentData(),
                                self.cache_hours.value(), directory)

    def load(self):
        store, user = self.ctx.store, self.ctx.user

        def work(p):
            return (roles.role_source(store), roles.list_roles(store, user=user),
                    site_settings.get(store, audit_seal.CHECKPOINT_DIR, ""))
        return self.ctx.runner.start(work, "roles", on_result=self._loaded, on_error=self.message.show_message)

    def _loaded(self, result) -> None:
        source, assignments, folder = result
        (self.use_directory if source.kind == "directory" else self.use_table).setChecked(True)
        self.default_role.setCurrentIndex(max(0, self.default_role.findData(source.default_role)))
        self.cache_hours.setValue(source.cache_hours)
        d = source.directory
        if d is not None:
            self.server.setText(d.server)
            self.base_dn.setText(d.base_dn)
            self.bind.setCurrentIndex(max(0, self.bind.findData(d.bind)))
            self.bind_user.setText(d.bind_user)
            self.user_attribute.setText(d.user_attribute)
            self.ca_file.setText(d.ca_file)
            self.domain.setText(d.domain)
            self.groups.setRowCount(0)
            for group, role in d.groups.items():
                self._add_group(group, role)
        else:   # no directory chosen yet: start from the one IT deployed (LDAP_URL, app.machine_settings)
            from app import machine_settings
            self.server.setText(machine_settings.current().ldap_url)
        self.table.setRowCount(0)
        for a in (a for a in assignments if a.source == "store"):
            r = self.table.rowCount()
            self.table.insertRow(r)
            for c, text in enumerate((a.user_name, self.role_names.get(a.role, a.role), a.granted_by)):
                item = QTableWidgetItem(("⚠ " + text) if a.problem and c == 0 else text)
                if a.problem:   # a row written behind the program's back, or signed by a key not trusted here
                    item.setToolTip(self.tr("This row does not count: %1").replace("%1", a.problem))
                self.table.setItem(r, c, item)
        self.checkpoint_dir.setText(folder or "")
        self._kind_changed()

    def set_role(self):
        name = self.new_user.text().strip()
        if not name:
            self.message.show_message(self.tr("Enter the user as Windows names them, e.g. KSM\\kim."))
            return None
        store, user, role = self.ctx.store, self.ctx.user, self.new_role.currentData()
        return self.ctx.runner.start(lambda p: roles.set_role(store, name, role, user=user), "set role",
                                     on_result=lambda _r: (self.new_user.clear(), self.message.hide(), self.load()),
                                     on_error=self.message.show_message)

    def save(self):
        source = self.source()
        problems = source.problems()
        if problems:
            self.message.show_message("; ".join(problems))
            return None
        store, user = self.ctx.store, self.ctx.user
        password = self.bind_password.text() or None
        folder = self.checkpoint_dir.text().strip()

        def work(p):
            roles.set_role_source(store, source, user=user, bind_password=password)
            site_settings.put(store, audit_seal.CHECKPOINT_DIR, folder, user=user)
            return True

        def done(_r) -> None:
            self.bind_password.clear()
            self.message.hide()
            self.saved.emit()
            self.accept()
        return self.ctx.runner.start(work, "save roles", on_result=done, on_error=self.message.show_message)
