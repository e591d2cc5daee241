"""Feature weights per attribute group (with presets), Train with progress and Cancel, and the log
of everything the tab did (imports, training, evaluations)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QPlainTextEdit, QPushButton, QSlider, QVBoxLayout)

from app.ml.features import GROUPS, WEIGHT_PRESETS, EncoderParams
from app.services import models
from app.ui.context import AppContext
from app.ui.widgets import Banner, JobBar
from app.ui.wording import Labels


class TrainPanel(QGroupBox):
    training_finished = Signal(str)     # version
    training_cancelled = Signal()
    training_failed = Signal(str)

    def __init__(self, ctx: AppContext, labels: Labels, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Feature weights and training"))
        self.ctx = ctx
        self.labels = labels
        self.task = None

        self.preset_box = QComboBox()
        self.preset_box.setObjectName("presetBox")
        for key in WEIGHT_PRESETS:
            self.preset_box.addItem(labels.presets.get(key, key), key)
        self.preset_box.addItem(self.tr("custom"), "custom")
        self.preset_box.currentIndexChanged.connect(self._preset_chosen)
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.sliders: dict[str, QSlider] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        grid.addWidget(QLabel(self.tr("Preset")), 0, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.preset_box, 0, 1, 1, 2)
        half = (len(GROUPS) + 1) // 2   # two columns of weights: the panel stays low on a laptop screen
        for k, g in enumerate(GROUPS):
            r, c = 1 + k % half, 3 * (k // half)
            label = QLabel(labels.groups.get(g, g))
            label.setToolTip(", ".join(c for part in GROUPS[g] for c in part))
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, 50)
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 5.0)
            spin.setSingleStep(0.1)
            spin.setDecimals(1)
            spin.setObjectName(f"weight_{g}")
            slider.valueChanged.connect(lambda v, s=spin: s.setValue(v / 10) if abs(s.value() * 10 - v) > 0.5 else None)
            spin.valueChanged.connect(lambda v, sl=slider: sl.setValue(int(round(v * 10))))
            spin.valueChanged.connect(self._weights_edited)
            self.spins[g] = spin
            self.sliders[g] = slider
            grid.addWidget(label, r, c, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(slider, r, c + 1)
            grid.addWidget(spin, r, c + 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        grid.setColumnMinimumWidth(3, 90)

        self.train_button = QPushButton(self.tr("Train new model"))
        self.train_button.setObjectName("primary")
        self.train_button.clicked.connect(self.train)
        self.evaluate_after = QCheckBox(self.tr("Evaluate after training"))
        self.evaluate_after.setChecked(True)
        self.job = JobBar()
        self.job.setObjectName("trainJob")
        self.error = Banner("error")
        self.error.setObjectName("trainError")
        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("trainLog")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setMinimumHeight(48)
        self.log_view.setPlaceholderText(self.tr("Log: imports, training and evaluations appear here"))

        row = QHBoxLayout()
        row.addWidget(self.evaluate_after)
        row.addStretch(1)
        row.addWidget(self.train_button)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(row)
        lay.addWidget(self.job)
        lay.addWidget(self.error)
        lay.addWidget(self.log_view, 1)

    # ---- the log -------------------------------------------------------------------------
    def log(self, text: str) -> None:
        """Add a time-stamped line and show it: the newest line is always in view."""
        self.log_view.appendPlainText(f"{datetime.now():%H:%M:%S}  {text}")
        bar = self.log_view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def log_text(self) -> str:
        return self.log_view.toPlainText()

    def restore_log(self, text: str) -> None:
        """The log of a window this one replaces (a language change keeps what was logged)."""
        if text:
            self.log_view.setPlainText(text)
            bar = self.log_view.verticalScrollBar()
            bar.setValue(bar.maximum())

    # ---- weights -------------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        return {g: round(s.value(), 2) for g, s in self.spins.items()}

    def set_weights(self, weights: dict[str, float]) -> None:
        for g, s in self.spins.items():
            s.blockSignals(True)
            s.setValue(float(weights.get(g, 0.0)))
            self.sliders[g].setValue(int(round(s.value() * 10)))
            s.blockSignals(False)

    def preset(self) -> str:
        return self.preset_box.currentData()

    def set_preset(self, preset: str) -> None:
        i = self.preset_box.findData(preset)
        if preset != "custom" and i >= 0:
            self.preset_box.setCurrentIndex(i)
        else:
            self._weights_edited()

    def _preset_chosen(self) -> None:
        key = self.preset_box.currentData()
        if key in WEIGHT_PRESETS:
            self.set_weights(WEIGHT_PRESETS[key])

    def _weights_edited(self) -> None:
        current = self.weights()
        match = next((k for k, w in WEIGHT_PRESETS.items()
                      if all(abs(current[g] - w.get(g, 0.0)) < 1e-6 for g in GROUPS)), "custom")
        self.preset_box.blockSignals(True)
        self.preset_box.setCurrentIndex(self.preset_box.findData(match))
        self.preset_box.blockSignals(False)

    def apply_role(self, busy: bool) -> None:
        user = self.ctx.user
        self.train_button.setEnabled(user.is_admin and not busy and self.task is None)
        self.train_button.setToolTip(self.tr("Train a new model version with these weights") if user.is_admin
                                     else self.tr("Only an admin can do this; you are signed in as %1 (%2).")
                                     .replace("%1", user.name).replace("%2", user.role))
        for w in (*self.spins.values(), *self.sliders.values(), self.preset_box):
            w.setEnabled(user.is_admin)

    # ---- training ------------------------------------------------------------------------
    def train(self):
        if not self.ctx.user.is_admin or self.task is not None:
            return None
        store, user = self.ctx.store, self.ctx.user
        weights = self.weights()
        before = self.ctx.active_version
        self.error.hide()
        self.log(self.tr("Training started with weights %1").replace(
            "%1", ", ".join(f"{self.labels.groups.get(g, g).lower()} {w:g}" for g, w in weights.items())))
        last = {"msg": ""}

        def progress(fraction: float, message: str) -> None:
            if message and message != last["msg"]:
                last["msg"] = message
                self.log(f"{fraction:5.1%}  {message}")

        task = self.ctx.runner.start(
            lambda p: models.train(store, EncoderParams(weights=weights), p, user=user), "training", long=True,
            on_progress=progress, on_result=self._trained, on_error=self._failed,
            on_cancelled=lambda b=before: self._cancelled(b), on_done=self._done)
        self.task = task
        self.job.attach(task, self.tr("training…"))
        self.ctx.busy_changed.emit(True)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.job.cancel_task()

    def _trained(self, version: str) -> None:
        self.ctx.own_models.add(version)
        self.job.set_progress(1.0, self.tr("model %1 trained").replace("%1", version))
        self.log(self.tr("Model %1 trained and activated.").replace("%1", version))
        self.training_finished.emit(version)

    def _failed(self, message: str) -> None:
        self.log(self.tr("Training failed: %1").replace("%1", message))
        self.error.show_message(message)
        self.training_failed.emit(message)

    def _cancelled(self, before: str | None) -> None:
        self.log(self.tr("Training cancelled; the active model is unchanged (%1).")
                 .replace("%1", before or self.tr("none")))
        self.training_cancelled.emit()

    def _done(self) -> None:
        self.task = None
        self.ctx.busy_changed.emit(False)
