"""The Training tab assembled from its panels: data and quality, weights and training (with the log),
the model registry, and the per-version detail panels (evaluation first; `add_panel` adds more)."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ml.features import GROUPS, WEIGHT_PRESETS
from app.ui.context import AppContext
from app.ui.look import fmt_share
from app.ui.training.data_panel import DataPanel
from app.ui.training.evaluation_panel import EvaluationPanel
from app.ui.training.learned_panel import LearnedPanel
from app.ui.training.registry_panel import RegistryPanel
from app.ui.training.train_panel import TrainPanel
from app.ui.wording import Labels


class TrainingTab(QWidget):
    training_finished = Signal(str)     # version
    training_cancelled = Signal()
    training_failed = Signal(str)
    evaluation_finished = Signal(str)   # version, after its figures are shown
    quality_ready = Signal(dict)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.labels = Labels()
        self._show_next: str | None = None   # a version to select when the registry list next arrives

        self.data = DataPanel(ctx)
        self.trainer = TrainPanel(ctx, self.labels)
        self.registry = RegistryPanel(ctx, self.labels)
        self.evaluation = EvaluationPanel(self.labels)
        self.details = QTabWidget()
        self.details.setObjectName("versionDetails")
        self.details.addTab(self.evaluation, self.tr("Evaluation against the baselines"))
        self.learned = LearnedPanel()
        self.details.addTab(self.learned, self.tr("What it learned"))

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.data)
        left.addWidget(self.trainer)
        left.setChildrenCollapsible(False)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.registry)
        right.addWidget(self.details)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.left_splitter, self.right_splitter = left, right
        for sp, sizes in ((left, [1, 1]), (right, [2, 5]), (self.splitter, [2, 3])):
            for i, stretch in enumerate(sizes):
                sp.setStretchFactor(i, stretch)
        left.setSizes([400, 400])
        right.setSizes([160, 640])
        self.splitter.setSizes([500, 750])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)

        self.data.quality_ready.connect(self.quality_ready)
        self.trainer.training_finished.connect(self._trained)
        self.trainer.training_cancelled.connect(self.training_cancelled)
        self.trainer.training_failed.connect(self.training_failed)
        self.registry.version_selected.connect(lambda v: self.evaluation.show_version(self.registry.row(v)))
        self.registry.version_selected.connect(lambda v: self.learned.show_version(self.registry.row(v)))
        self.registry.evaluate_requested.connect(self.evaluate)
        self.registry.message.connect(self.log)
        self._restore()
        self.apply_role()
        ctx.models_changed.connect(self._models_changed)
        ctx.store_changed.connect(self.store_changed)
        ctx.busy_changed.connect(lambda _b: self.apply_role())

    # ---- for the window and other panels ------------------------------------------------
    def add_panel(self, widget: QWidget, title: str) -> None:
        """Another view of the selected model version, as a tab beside its evaluation."""
        self.details.addTab(widget, title)

    def log(self, text: str) -> None:
        self.trainer.log(text)

    def show_error(self, message: str) -> None:
        self.trainer.error.show_message(message)

    def attach_job(self, task, message: str) -> None:
        self.trainer.job.attach(task, message)

    def store_changed(self) -> None:
        self.data.store_changed()

    def apply_role(self) -> None:
        busy = self.trainer.task is not None or self.ctx.first_start_running
        self.trainer.apply_role(busy)
        self.registry.apply_role(busy)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self.data.requested and not self.ctx.first_start_running:
            self.data.run_quality()

    # ---- training and evaluation ---------------------------------------------------------
    def train(self):
        task = self.trainer.train()
        self.apply_role()
        return task

    def _trained(self, version: str) -> None:
        self._show_next = version
        self.ctx.refresh_requested.emit(True)
        self.training_finished.emit(version)
        if self.trainer.evaluate_after.isChecked():
            self.evaluate(version)

    def evaluate(self, version: str):
        from app.services import evaluation  # pulls in scikit-learn: load it only when evaluating

        store, user = self.ctx.store, self.ctx.user
        self.log(self.tr("Evaluating model %1…").replace("%1", version))
        task = self.ctx.runner.start(lambda p: evaluation.evaluate(store, version=version, progress=p, user=user),
                                     "evaluation", long=True,
                                     on_result=lambda r, v=version: self._evaluated(v, r),
                                     on_error=lambda m: self.log(self.tr("Evaluation failed: %1").replace("%1", m)),
                                     on_cancelled=lambda: self.log(self.tr("Evaluation cancelled.")))
        self.trainer.job.attach(task, self.tr("evaluating %1…").replace("%1", version))
        self.registry.set_evaluating(True)
        task.signals.done.connect(lambda: self.registry.set_evaluating(False))
        return task

    def _evaluated(self, version: str, result: dict) -> None:
        m = result.get("methods", {}).get("model", {})
        self.log(self.tr("Model %1: top-1 exact %2, top-3 hit %3 on %4 held-out items.").replace("%1", version)
                 .replace("%2", fmt_share(m.get("top1_exact"))).replace("%3", fmt_share(m.get("top3_hit")))
                 .replace("%4", f"{result.get('evaluated_items', 0):,}"))
        # show the figures now, from the result itself (the registry list is read again after)
        self.registry.set_metrics(version, result)
        self._show_next = version
        self.registry.select_version(version)
        self.ctx.refresh_requested.emit(False)
        self.evaluation_finished.emit(version)

    # ---- registry ------------------------------------------------------------------------
    def _models_changed(self) -> None:
        show = self._show_next if any(m["version"] == self._show_next for m in self.ctx.models) else None
        if show:
            self._show_next = None
        self.registry.set_models(self.ctx.models, show=show)
        self.apply_role()

    def select_version(self, version: str) -> None:
        self.registry.select_version(version)

    # ---- settings ------------------------------------------------------------------------
    def _restore(self) -> None:
        s = QSettings()
        s.beginGroup("training")
        preset = str(s.value("preset", "balanced"))
        weights = {g: float(s.value(f"weight/{g}", WEIGHT_PRESETS["balanced"].get(g, 1.0))) for g in GROUPS}
        self.trainer.evaluate_after.setChecked(s.value("evaluate_after", "true") in (True, "true"))
        for name, sp in (("splitter", self.splitter), ("left", self.left_splitter), ("right", self.right_splitter)):
            state = s.value(name)
            if state is not None:
                sp.restoreState(state)
        s.endGroup()
        self.trainer.set_weights(weights)
        self.trainer.set_preset(preset)

    def save_settings(self) -> None:
        s = QSettings()
        s.beginGroup("training")
        s.setValue("preset", self.trainer.preset())
        for g, w in self.trainer.weights().items():
            s.setValue(f"weight/{g}", w)
        s.setValue("evaluate_after", self.trainer.evaluate_after.isChecked())
        for name, sp in (("splitter", self.splitter), ("left", self.left_splitter), ("right", self.right_splitter)):
            s.setValue(name, sp.saveState())
        s.endGroup()
