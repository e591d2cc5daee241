"""The Mapping & Export tab: assembles the profile, selection, preview, target and result panels and
runs their store work on worker threads."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QSplitter, QVBoxLayout, QWidget

from app.domain.routing import Operation, PredictionBatch
from app.services import permissions
from app.services.export import profiles, selection, service
from app.services.export.profile import MappingProfile
from app.ui.context import AppContext
from app.ui.export.models import prepare_preview
from app.ui.export.preview_panel import SHOWN_PROBLEMS, PreviewPanel
from app.ui.export.profile_panel import ProfilePanel
from app.ui.export.result_panel import ResultPanel
from app.ui.export.selection_panel import BATCH, EDITOR, SelectionPanel
from app.ui.export.target_panel import TargetPanel
from app.ui.export.wording import error_text, selection_text
from app.ui.widgets import Banner


class ExportTab(QWidget):
    profiles_loaded = Signal()
    preview_shown = Signal(object)        # ExportPlan
    sig_exported = Signal(object)         # ExportResult
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.batch: PredictionBatch | None = None
        self.chosen: dict[str, int] = {}
        self.editor_selection: selection.Selection | None = None
        self.editor_source = None            # callable giving the Prediction tab's open routing
        self.last_error = ""

        self.error = Banner("error")
        self.profile_panel = ProfilePanel()
        self.selection_panel = SelectionPanel()
        self.preview_panel = PreviewPanel()
        self.target_panel = TargetPanel()
        self.result_panel = ResultPanel()
        self.result_panel.setMinimumHeight(60)     # the result's head line and two tables, at 1280×720 too

        # Left: the profile, and below it where to export and what the export did. Right: what to
        # export and its preview, which gets the whole height (at 1280×720 it shows a dozen rows).
        profile_box = QGroupBox(self.tr("Mapping profile"))
        ll = QVBoxLayout(profile_box)
        ll.setContentsMargins(6, 4, 6, 6)
        ll.addWidget(self.profile_panel)
        lower = QWidget()
        lw = QVBoxLayout(lower)
        lw.setContentsMargins(0, 0, 0, 0)
        lw.addWidget(self.target_panel)
        lw.addWidget(self.result_panel, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setObjectName("exportLeft")
        left.addWidget(profile_box)
        left.addWidget(lower)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        left.setSizes([560, 260])
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.selection_panel)
        preview_box = QGroupBox(self.tr("Preview"))
        pl = QVBoxLayout(preview_box)
        pl.setContentsMargins(6, 4, 6, 6)
        pl.addWidget(self.preview_panel)
        rl.addWidget(preview_box, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([720, 860])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.error)
        lay.addWidget(split, 1)

        self.profile_panel.save_requested.connect(self.save_profile)
        self.profile_panel.import_requested.connect(self.import_profile)
        self.profile_panel.export_requested.connect(self.export_profile)
        self.selection_panel.preview_requested.connect(self.preview)
        self.target_panel.export_requested.connect(self.export)
        self.ctx.store_changed.connect(self.load_profiles)
        self.ctx.user_changed.connect(self.apply_role)
        self.apply_role()
        self.load_profiles()

    # ---- what other parts of the window give this tab ------------------------------------------------
    def set_batch(self, batch: PredictionBatch | None, chosen: dict[str, int] | None = None) -> None:
        """The last batch prediction (each item's chosen candidate rank in `chosen`; the top one otherwise)."""
        self.batch, self.chosen = batch, dict(chosen or {})
        if batch is None:
            self.selection_panel.set_batch(None)
            return
        n = sum(1 for p in batch.predictions if p.candidates)
        self.selection_panel.set_batch(self.tr("%1 items with a candidate (model %2)").replace("%1", f"{n:,}")
                                       .replace("%2", batch.model_version))
        self.selection_panel.choose(BATCH)

    def choose_candidate(self, item_cd: str, rank: int) -> None:
        """The engineer switched `item_cd` to candidate `rank`: a batch export takes that one."""
        self.chosen[item_cd] = rank

    def set_editor_source(self, source) -> None:
        """`source()` gives the routing open in the editor as a Selection (or None), read at preview."""
        self.editor_source = source
        self.refresh_editor()

    def refresh_editor(self) -> None:
        current = self.editor_source() if self.editor_source else None
        self.editor_selection = current
        if current is None or not current.routings:
            self.selection_panel.set_editor(None)
            return
        r = current.routings[0]
        self.selection_panel.set_editor(self.tr("%1, %2 operations").replace("%1", r.ITEM_CD)
                                        .replace("%2", str(len(r.operations))))

    def set_editor_routing(self, item_cd: str | None, operations: list[Operation] | None = None,
                           rout_no: str | None = None, model_version: str | None = None,
                           candidate_rank: int | None = None, reference_item: str | None = None) -> None:
        """The routing open in the Prediction tab's editor, as it is now (None: no routing open)."""
        if not item_cd or operations is None:
            self.editor_selection = None
            self.selection_panel.set_editor(None)
            return
        self.editor_selection = selection.from_editor(item_cd, operations, rout_no, model_version=model_version,
                                                      candidate_rank=candidate_rank, reference_item=reference_item,
                                                      user=self.ctx.user)
        self.selection_panel.set_editor(self.tr("%1, %2 operations").replace("%1", item_cd)
                                        .replace("%2", str(len(operations))))

    def apply_role(self) -> None:
        """Profile editing for admins, export for engineers and above; the others are told why."""
        user = self.ctx.user
        self.profile_panel.set_editable(permissions.allowed(user, "profile.edit"),
                                        self.tr("Only an admin can change mapping profiles; you are %1 (%2).")
                                        .replace("%1", user.name).replace("%2", user.role or "–"))
        can_export = permissions.allowed(user, "export.routings")
        self.target_panel.export_button.setEnabled(can_export)
        self.target_panel.export_button.setToolTip("" if can_export else self.tr(
            "Only an engineer or higher can export routings; you are %1 (%2).").replace("%1", user.name)
            .replace("%2", user.role or "–"))

    # ---- profiles (store work on workers) --------------------------------------------------------------
    def load_profiles(self, select: str | None = None) -> None:
        store = self.ctx.store
        if not self.ctx.store_open:
            return   # read when the store is open (store_changed)
        self.ctx.runner.start(lambda p: profiles.list_profiles(store), "load profiles",
                              on_result=lambda rows: self._profiles_loaded(rows, select), on_error=self._failed)

    def _profiles_loaded(self, rows, select: str | None) -> None:
        self.profile_panel.set_profiles(rows, select)
        self.profiles_loaded.emit()

    def save_profile(self, profile: MappingProfile) -> None:
        store, user = self.ctx.store, self.ctx.user
        revision = self.profile_panel.stored.revision if self.profile_panel.stored else None
        self.ctx.runner.start(lambda p: profiles.save_profile(store, profile, revision, user), "save profile",
                              on_result=self._profile_saved, on_error=self._failed)

    def _profile_saved(self, stored) -> None:
        self.error.hide()
        self.profile_panel.mark_saved(stored)

    def import_profile(self, path: str) -> None:
        store, user = self.ctx.store, self.ctx.user
        self.ctx.runner.start(lambda p: profiles.import_profile(store, path, user), "import profile",
                              on_result=lambda s: self.load_profiles(s.profile.name), on_error=self._failed)

    def export_profile(self, name: str, path: str) -> None:
        store = self.ctx.store
        self.ctx.runner.start(lambda p: profiles.export_profile(store, name, path), "export profile",
                              on_error=self._failed)

    # ---- preview and export ------------------------------------------------------------------------------
    def _selection_fn(self):
        """A function making the chosen Selection on a worker (saved routings are read from the store)."""
        choice = self.selection_panel.choice()
        store, user = self.ctx.store, self.ctx.user
        if choice.kind == EDITOR:
            if self.editor_source:           # the editor as it is now, edits included
                self.refresh_editor()
            chosen = self.editor_selection
            return lambda: chosen or selection.Selection([], [], self.tr("the editor"))
        if choice.kind == BATCH:
            batch, ranks = self.batch, dict(self.chosen)
            return lambda: selection.from_batch(batch, ranks, user=user) if batch else selection.Selection([], [])
        return lambda: selection.from_saved(store, choice.saved)

    def preview(self):
        profile = self.profile_panel.current_profile()
        if profile is None:
            return None
        store, user, make = self.ctx.store, self.ctx.user, self._selection_fn()
        self.error.hide()
        self.selection_panel.preview_button.setEnabled(False)
        return self.ctx.runner.start(lambda p: prepare_preview(service.preview(store, profile, make(), user, p),
                                                               SHOWN_PROBLEMS), "export preview",
                                     on_result=self._preview_ready, on_exception=self._raised,
                                     on_done=lambda: self.selection_panel.preview_button.setEnabled(True))

    def _preview_ready(self, data) -> None:
        plan = data.plan
        if not plan.routings:
            self.preview_panel.clear(self.tr("Nothing to export: %1 holds no routing.").replace(
                "%1", selection_text(plan.selection)))
        else:
            self.preview_panel.show_plan(data)
        self.preview_shown.emit(plan)

    def export(self):
        profile = self.profile_panel.current_profile()
        if profile is None:
            return None
        try:
            target = self.target_panel.target()
        except service.ExportError as exc:
            self._failed(error_text(exc))
            return None
        options = self.target_panel.options()
        store, user, make = self.ctx.store, self.ctx.user, self._selection_fn()
        self.error.hide()
        self.target_panel.export_button.setEnabled(False)
        self.target_panel.save_settings()
        task = self.ctx.runner.start(lambda p: service.export(store, profile, make(), target, options, user, p),
                                     "export", long=True, on_result=self._exported, on_exception=self._export_raised,
                                     on_done=self.apply_role)
        self.target_panel.job.attach(task, self.tr("exporting…"))
        return task

    def _exported(self, result) -> None:
        self.result_panel.show_result(result)
        self.sig_exported.emit(result)

    def _export_raised(self, exc: BaseException) -> None:
        message = error_text(exc)
        self.result_panel.show_failure(message)
        self._failed(message)

    def _raised(self, exc: BaseException) -> None:
        self._failed(error_text(exc))

    def _failed(self, message: str) -> None:
        """The one place this tab turns a worker's error into what the engineer reads."""
        self.last_error = message
        self.error.show_message(message)
        self.failed.emit(message)

    def save_settings(self) -> None:
        self.target_panel.save_settings()
