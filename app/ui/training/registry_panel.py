"""The model registry: every trained version with its weights and scores; activate, roll back, evaluate."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout

from app.services import models, permissions
from app.ui.context import AppContext
from app.ui.training.models import RegistryModel
from app.ui.widgets import Banner, fit_to_contents, read_only_table
from app.ui.wording import Labels


class RegistryPanel(QGroupBox):
    version_selected = Signal(str)          # a row was selected (or re-shown after a refresh)
    evaluate_requested = Signal(str)
    message = Signal(str)                   # a line for the log

    def __init__(self, ctx: AppContext, labels: Labels, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Model versions"))
        self.ctx = ctx
        self.model = RegistryModel(labels, self)
        self.table = read_only_table("registryTable")
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._selected(cur.row()))
        self.activate_button = QPushButton(self.tr("Activate"))
        self.activate_button.clicked.connect(self.activate_selected)
        self.rollback_button = QPushButton(self.tr("Roll back"))
        self.rollback_button.clicked.connect(self.rollback)
        self.evaluate_button = QPushButton(self.tr("Evaluate"))
        self.evaluate_button.setToolTip(self.tr("Hold out 20 % of the routed items and score this version and the "
                                                "baselines on them"))
        self.evaluate_button.clicked.connect(self._evaluate_selected)
        self.error = Banner("error")
        self.error.setObjectName("registryMessage")
        self._busy = False
        self._evaluating = False

        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.activate_button)
        buttons.addWidget(self.rollback_button)
        buttons.addStretch(1)
        buttons.addWidget(self.evaluate_button)
        lay.addLayout(buttons)
        lay.addWidget(self.error)

    # ---- rows ----------------------------------------------------------------------------
    def set_models(self, rows: list[dict], show: str | None = None) -> None:
        """New registry rows; keeps the selected version (or selects `show`, else the active one)."""
        keep = show or self.selected_version()
        self.model.set_rows(rows)
        fit_to_contents(self.table, max_width=320)
        versions = [m["version"] for m in rows]
        target = keep if keep in versions else self.ctx.active_version
        if target in versions:
            self.select_version(target)
        elif versions:
            self.table.selectRow(0)
        self.apply_role(self._busy)

    def selected_version(self) -> str | None:
        idx = self.table.currentIndex()
        if idx.isValid() and idx.row() < len(self.model.rows):
            return self.model.rows[idx.row()]["version"]
        return None

    def select_version(self, version: str) -> None:
        versions = [m["version"] for m in self.model.rows]
        if version in versions:
            row = versions.index(version)
            if self.table.currentIndex().row() == row:
                self._selected(row)   # the same row again, with new figures
            else:
                self.table.selectRow(row)

    def set_metrics(self, version: str, metrics: dict) -> None:
        """A version's evaluation arrived: its row shows the figures before the registry is read again."""
        for i, m in enumerate(self.model.rows):
            if m["version"] == version:
                self.model.rows[i] = dict(m, metrics=metrics)
        self.model.refresh()

    def row(self, version: str) -> dict | None:
        return next((m for m in self.model.rows if m["version"] == version), None)

    def _selected(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.version_selected.emit(self.model.rows[row]["version"])

    # ---- actions -------------------------------------------------------------------------
    def apply_role(self, busy: bool) -> None:
        """Each action as the permission matrix says (the services check it again and record a refusal)."""
        self._busy = busy
        user = self.ctx.user
        why = self.tr("Only an admin can do this; you are signed in as %1 (%2).").replace("%1", user.name) \
            .replace("%2", user.role)
        target = self.ctx.rollback_target
        may_activate = permissions.allowed(user, "model.activate")
        may_rollback = permissions.allowed(user, "model.rollback")
        may_evaluate = permissions.allowed(user, "model.evaluate")
        self.activate_button.setEnabled(may_activate and not busy)
        self.activate_button.setToolTip(self.tr("Make the selected version the one predictions use")
                                        if may_activate else why)
        self.rollback_button.setEnabled(may_rollback and not busy and target is not None)
        if not may_rollback:
            self.rollback_button.setToolTip(why)
        elif target is None:
            self.rollback_button.setToolTip(self.tr("No earlier active version to go back to"))
        else:
            self.rollback_button.setToolTip(self.tr("Go back to version %1, which was active before %2")
                                            .replace("%1", target).replace("%2", self.ctx.active_version or "–"))
        self.evaluate_button.setEnabled(may_evaluate and not self._evaluating)
        self.evaluate_button.setToolTip(self.tr("Hold out 20 % of the routed items and score this version and the "
                                                "baselines on them") if may_evaluate else why)

    def set_evaluating(self, evaluating: bool) -> None:
        self._evaluating = evaluating
        self.apply_role(self._busy)

    def activate_selected(self):
        version = self.selected_version()
        if version is None:
            return None
        store, user = self.ctx.store, self.ctx.user
        return self._call(lambda p: models.activate(store, version, user) or version,
                          self.tr("Model %1 is now active."))

    def rollback(self):
        store, user = self.ctx.store, self.ctx.user
        return self._call(lambda p: models.rollback(store, user), self.tr("Rolled back to model %1."))

    def _call(self, fn, message: str):
        """Activate / roll back on a worker: activating verifies (loads) the model files first."""
        if not self.ctx.user.is_admin:
            return None
        self.error.hide()
        self.activate_button.setEnabled(False)
        self.rollback_button.setEnabled(False)

        def done(version: str) -> None:
            self.ctx.own_models.add(version)
            self.message.emit(message.replace("%1", version))
            self.ctx.refresh_requested.emit(True)

        return self.ctx.runner.start(fn, "registry", on_result=done, on_error=self.error.show_message,
                                     on_done=lambda: self.apply_role(self._busy))

    def _evaluate_selected(self) -> None:
        version = self.selected_version()
        if version:
            self.evaluate_requested.emit(version)
