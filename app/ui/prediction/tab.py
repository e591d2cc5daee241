"""The Prediction tab assembled: the inputs on the left; on the right the item, its candidate routings
and similar items, the time chart, and the routing editor with Save.

The model's candidates never change: the first edit of one starts the engineer's own routing (a row
of its own, "Edited · not saved", then "Saved · rev N"), and the candidate stays as proposed. Before
anything would replace unsaved work (another prediction, another store, closing, a language change)
the tab asks "Save changes to ITEM?"."""
from __future__ import annotations

import sys
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from app.domain.access import same_account
from app.domain.routing import Prediction, PredictionBatch, RoutingError
from app.services import catalog, drafts, models, permissions, prediction, routings, stores
from app.services.routings import ConflictError, SavedRouting
from app.ui.context import AppContext
from app.ui.look import fmt_chance
from app.ui.numbers import NumberError, parse_decimal
from app.ui.prediction.inputs import PAGE_CODES, PAGE_ITEMS, FormError, InputPanel
from app.ui.prediction.models import CandidateListModel, RoutingEntry, SimilarItemsModel
from app.ui.prediction.questions import CANCEL, SAVE, ask_save_changes
from app.ui.routing_editor import ROW_HEIGHT, OperationsModel, RoutingBase, RoutingEditor, signature
from app.ui.time_chart import TimeChart
from app.ui.widgets import (Banner, ElidedLabel, JobBar, ShareBarDelegate, fit_to_contents, read_only_table,
                        repaint_tab_widget_only_when_moved, settle_layouts)
from app.ui.wording import word

def _model_change(store):
    """app.services.models.active_model_change where the services offer it: who activated which
    model since this program's last prediction (None: no change, or it cannot tell)."""
    fn = getattr(models, "active_model_change", None)
    if fn is None:
        return None
    try:
        return fn(store)
    except Exception:  # noqa: BLE001 - a notice is not worth failing a prediction for
        return None


# candidates within this share of the best score are "nearly tied" and the tab says what separates them
TIE_SHARE = 0.10
CANDIDATE_ROW_HEIGHT = 22
NEW_ITEM = "NEW-ITEM"   # what a new item without a code of its own is called until it is saved


class PredictionTab(QWidget):
    prediction_shown = Signal(str)      # ITEM_CD
    batch_finished = Signal(int)        # rows
    saved = Signal(object)              # SavedRouting (saved, approved or rejected)
    save_failed = Signal(str)           # the save was refused or failed; the tab said why
    reloaded = Signal(object)           # SavedRouting read again after a conflict
    draft_opened = Signal(object)       # a Draft kept on this PC, shown as the engineer's routing
    compare_opened = Signal(object)     # the CompareDialog after a refused save
    # the active model changed since this window's last prediction (by someone else): previous,
    # current, who activated it ("" unknown), when (datetime or None)
    model_change_noticed = Signal(str, str, str, object)
    prediction_failed = Signal(str)
    batch_ready = Signal(object)         # PredictionBatch of the last batch (for the Mapping & Export tab)
    candidate_chosen = Signal(str, int)  # ITEM_CD, rank of the candidate the engineer switched to

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.item_cd: str | None = None
        self.is_new_item = False
        self.prediction: Prediction | None = None
        self.prediction_version: str | None = None
        self.opened_revision: int | None = None
        self.current_entry: RoutingEntry | None = None
        self._busy = False
        self._showing = 0   # counts results shown: a routing left to show belongs to the newest only
        self._chart_later = False   # the routing being shown has its chart drawn in the next turn
        self._save_task = None   # the save running on a worker
        self._last_model_used: str | None = None   # the active model version of the last prediction
        self._warnings: list[str] = []
        self._build()
        self._restore()
        ctx.model_changed.connect(self._model_changed)
        ctx.models_changed.connect(self.inputs.fill_versions)
        ctx.store_changed.connect(self._store_changed)
        self._model_changed()

    # ---- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.inputs = InputPanel(self.ctx)
        self.inputs.predict_requested.connect(self.predict)
        self.inputs.input_changed.connect(self._input_changed)
        self.inputs.batch_row_opened.connect(self.open_batch_row)
        self.inputs.fill_form_button.clicked.connect(self.fill_form_from_selection)

        self.title = ElidedLabel(self.tr("Pick an item in the item master and press Predict (or Enter)."),
                                 mode=Qt.TextElideMode.ElideRight)
        self.title.setObjectName("itemTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("itemDetails")
        self.subtitle.setWordWrap(True)
        self.warnings = Banner("warning")
        self.warnings.setObjectName("predictionWarnings")
        # the notes stay one click away (the routing's own are in its Warning column): a button in the header
        self.notes_button = QToolButton()
        self.notes_button.setObjectName("notesButton")
        self.notes_button.setCheckable(True)
        self.notes_button.toggled.connect(self._notes_toggled)
        self.notes_button.hide()
        self.error = Banner("error")
        self.error.setObjectName("predictionError")
        self.first_start = Banner("info")
        self.first_start.setObjectName("firstStart")
        self.first_job = JobBar(cancellable=False)

        # the routings to choose from, and the similar items behind them
        self.candidate_model = CandidateListModel(self)
        self.candidate_table = read_only_table("candidateTable")
        self.candidate_table.verticalHeader().setDefaultSectionSize(CANDIDATE_ROW_HEIGHT)
        self.candidate_table.setModel(self.candidate_model)
        self.candidate_table.setItemDelegateForColumn(1, ShareBarDelegate(self.candidate_table, "#d6ecd2"))
        fit_to_contents(self.candidate_table)
        self.candidate_table.selectionModel().currentRowChanged.connect(lambda cur, _p: self.select_entry(cur.row()))
        self.tie_note = QLabel()
        self.tie_note.setObjectName("tieNote")
        self.tie_note.hide()
        candidates_page = QWidget()
        cl = QVBoxLayout(candidates_page)
        cl.setContentsMargins(4, 4, 4, 4)
        cl.setSpacing(3)
        cl.addWidget(self.candidate_table, 1)
        self.similar_model = SimilarItemsModel(self)
        self.similar_table = read_only_table("similarTable")
        self.similar_table.setModel(self.similar_model)
        self.similar_table.setItemDelegateForColumn(3, ShareBarDelegate(self.similar_table))
        fit_to_contents(self.similar_table)
        self.result_tabs = repaint_tab_widget_only_when_moved(QTabWidget())
        self.result_tabs.setObjectName("resultTabs")
        self.result_tabs.addTab(candidates_page, self.tr("Candidate routings"))
        self.result_tabs.addTab(self.similar_table, self.tr("Similar items"))
        self.result_tabs.setCornerWidget(self.tie_note, Qt.Corner.TopRightCorner)
        self.result_tabs.setToolTip(self.tr("Click a routing to see and edit it below"))

        self.chart = TimeChart()
        chart_box = QGroupBox(self.tr("Time per operation"))
        QVBoxLayout(chart_box).addWidget(self.chart)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.result_tabs)
        upper.addWidget(chart_box)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        upper.setChildrenCollapsible(False)
        self.upper_splitter = upper

        # the routing being looked at or edited
        self.editor = RoutingEditor()
        self.editor.operations_changed.connect(self._operations_changed)
        self.status_box = QComboBox()
        self.status_box.setObjectName("saveStatus")
        self.status_box.addItem(self.tr("draft"), "draft")
        self.status_box.addItem(self.tr("submitted"), "submitted")
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip(self.tr("Save this routing for the item (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self.save)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setWordWrap(True)
        self.dirty_label = QLabel()
        self.dirty_label.setObjectName("dirtyLabel")
        self.new_code_edit = QLineEdit()
        self.new_code_edit.setObjectName("newItemCode")
        self.new_code_edit.setPlaceholderText(self.tr("new item's code"))
        self.new_code_edit.setToolTip(self.tr("The new item's ITEM_CD, needed to save: a code that no item and no "
                                              "saved routing has yet"))
        fm = self.new_code_edit.fontMetrics()
        self.new_code_edit.setMinimumWidth(max(fm.horizontalAdvance("NEW-ITEM-00000"),
                                               fm.horizontalAdvance(self.new_code_edit.placeholderText())) + 14)
        self.new_code_edit.hide()   # shown for a new item only (hidden before any layout counts it)
        self.conflict = Banner("error")
        self.conflict.setObjectName("conflictBanner")
        self.reload_button = self.conflict.add_button(self.tr("Reload saved routing"), self.reload_saved)
        self.compare_button = self.conflict.add_button(self.tr("Compare…"), self.compare)
        self.compare_button.setToolTip(self.tr("Their routing beside yours, the differences marked; nothing is saved"))
        self._conflict: ConflictError | None = None   # the last refused save, for Compare
        # the store could not be reached when saving: the edit is kept as a draft on this PC
        self.connection = Banner("error")
        self.connection.setObjectName("saveConnectionBanner")
        self.retry_button = self.connection.add_button(self.tr("Retry"), self.save)
        # an approver's review of a submitted routing (the service checks the role again)
        self.approve_button = QPushButton(self.tr("Approve…"))
        self.approve_button.setObjectName("approveRouting")
        self.approve_button.clicked.connect(lambda: self.review("approved"))
        self.reject_button = QPushButton(self.tr("Reject…"))
        self.reject_button.setObjectName("rejectRouting")
        self.reject_button.clicked.connect(lambda: self.review("rejected"))
        for b in (self.approve_button, self.reject_button):
            b.hide()   # shown while a submitted routing is open
        self.editor.add_to_bar(self.new_code_edit, stretch_before=True)
        self.status_box.setToolTip(self.tr("Status the routing is saved with"))
        self.editor.add_to_bar(self.status_box)
        self.editor.add_to_bar(self.save_button)
        state_row = QHBoxLayout()
        # beside the saved state, the reason for the selected operation (elided; in full in its tooltip)
        state_row.addWidget(self.editor.why_label, 1)
        state_row.addWidget(self.saved_label, 1)
        state_row.addWidget(self.dirty_label)
        state_row.addWidget(self.approve_button)
        state_row.addWidget(self.reject_button)
        edit_box = QFrame()
        edit_box.setObjectName("routingBox")
        el = QVBoxLayout(edit_box)
        el.setContentsMargins(6, 6, 6, 4)
        el.setSpacing(3)
        el.addWidget(self.editor, 1)
        el.addWidget(self.conflict)
        el.addWidget(self.connection)
        el.addLayout(state_row)
        self.edit_box = edit_box

        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(upper)
        right_split.addWidget(edit_box)
        right_split.setStretchFactor(0, 2)
        right_split.setStretchFactor(1, 3)
        right_split.setChildrenCollapsible(False)
        self.right_splitter = right_split
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        rl.setSpacing(3)
        rl.addWidget(self.first_start)
        rl.addWidget(self.first_job)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(self.title)
        header.addWidget(self.subtitle, 1)
        header.addWidget(self.notes_button, 0, Qt.AlignmentFlag.AlignTop)
        rl.addLayout(header)
        rl.addWidget(self.error)
        rl.addWidget(self.warnings)
        rl.addWidget(right_split, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.inputs)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)
        self._sized = False       # the splitters have their first sizes
        self._restored = False    # … from the settings of the last session
        self.edit_box.setMinimumHeight(self.routing_box_height(4))
        right_split.installEventFilter(self)
        self._set_result_enabled(False)

    def _size_panels(self) -> None:
        """First sizes of the splitters for this window: the inputs about a third of the width, the
        routing ten operations' height where the window has room for it."""
        width = self.width()
        left = max(330, min(460, width * 3 // 10))
        self.splitter.setSizes([left, width - left - self.splitter.handleWidth()])
        height = self.right_splitter.height()
        top = max(self.upper_splitter.minimumSizeHint().height(), height - self.routing_box_height(10))
        top = min(top, height * 45 // 100)
        self.right_splitter.setSizes([top, height - top - self.right_splitter.handleWidth()])
        right = self.upper_splitter.width()
        self.upper_splitter.setSizes([right * 65 // 100, right * 35 // 100])

    def _keep_routing_rows(self) -> None:
        """When the right side gets lower (a smaller window, a message above), the candidates give up
        room before the routing drops below ten operations."""
        top, bottom = self.right_splitter.sizes()
        need = self.routing_box_height(10)
        spare = top - self.upper_splitter.minimumSizeHint().height()
        if bottom < need and spare > 0:
            move = min(need - bottom, spare)
            self.right_splitter.setSizes([top - move, bottom + move])

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.right_splitter and event.type() == QEvent.Type.Resize and self._sized:
            QTimer.singleShot(0, self._keep_routing_rows)
        return False

    def routing_box_height(self, rows: int) -> int:
        """Height of the routing box with its table showing `rows` operations (and a scroll bar)."""
        table = self.editor.table
        # before a routing is shown the header has no sections to measure
        header = max(table.horizontalHeader().sizeHint().height(), table.fontMetrics().height() + 12)
        body = header + rows * ROW_HEIGHT + 2 * table.frameWidth() + table.horizontalScrollBar().sizeHint().height()
        body += 6   # rounding in the layouts on the way down
        return self.edit_box.sizeHint().height() - table.sizeHint().height() + body

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sized:
            QTimer.singleShot(0, self._first_sizes)   # once the window has its final size

    def _first_sizes(self) -> None:
        self._sized = True
        if not self._restored:
            self._size_panels()

    # ---- settings ------------------------------------------------------------------------
    _SPLITTERS = ("splitter", "upper", "right")

    def _splitters(self):
        return zip(self._SPLITTERS, (self.splitter, self.upper_splitter, self.right_splitter))

    def _restore(self) -> None:
        s = QSettings()
        s.beginGroup("prediction")
        self.inputs.restore(s)
        self.chart.lot.setValue(int(s.value("lot_size", 1)))
        for name, sp in self._splitters():
            state = s.value(f"layout2/{name}")   # layout2: the panels of this layout, not the older one's
            if state is not None:
                sp.restoreState(state)
                self._restored = True
        s.endGroup()

    def save_settings(self) -> None:
        s = QSettings()
        s.beginGroup("prediction")
        self.inputs.save(s)
        s.setValue("lot_size", self.chart.lot.value())
        for name, sp in self._splitters():
            s.setValue(f"layout2/{name}", sp.saveState())
        s.endGroup()

    # ---- shortcuts to the inputs (the window, tests and the screenshot tool use them) ----
    @property
    def browser(self):
        return self.inputs.browser

    @property
    def predict_button(self) -> QPushButton:
        return self.inputs.predict_button

    @property
    def batch_model(self):
        return self.inputs.batch_model

    # ---- model / store changes -----------------------------------------------------------
    def reload_items(self) -> None:
        """The store's item master changed (import, first start): browse it again."""
        self.inputs.browser.set_store(self.ctx.store if self.ctx.store_open else None)

    def _store_changed(self) -> None:
        self.reload_items()
        self.clear()
        self.inputs.batch_model.set_batch([], PredictionBatch("", [], []))

    def _model_changed(self) -> None:
        model = self.ctx.model
        self.inputs.fill_versions()
        self.editor.set_palette(self.ctx.palette or [], self.ctx.resources or [])
        if model is not None:
            self.inputs.set_levels(model.encoder.levels)
            # pyqtgraph was imported with the model (on the worker): make the plot now, on a turn of
            # its own, not with the first prediction
            QTimer.singleShot(0, self._prepare_chart)
            if self.error.text() and self.error.text() == self.ctx.model_error:
                self.error.hide()
        self._update_predict_enabled()

    def _prepare_chart(self) -> None:
        if shiboken6.isValid(self) and "pyqtgraph" in sys.modules:   # never its import on the GUI thread
            self.chart.prepare()

    def _update_predict_enabled(self) -> None:
        self.inputs.set_busy(self._busy)

    def _input_changed(self) -> None:
        """A message about the input (no item selected, no codes, a bad number) is stale once it changes."""
        if self.error.text() and self.error.property("about_input"):
            self.error.hide()

    def _show_error(self, message: str, about_input: bool = False) -> None:
        self.error.setProperty("about_input", about_input)
        self.error.show_message(message)

    # ---- unsaved work --------------------------------------------------------------------
    @property
    def entries(self) -> list[RoutingEntry]:
        """The routings listed: the engineer's own first (when there is one), then the candidates."""
        return self.candidate_model.rows

    def mine(self) -> RoutingEntry | None:
        """The engineer's own routing for the item shown, if there is one."""
        return next((e for e in self.entries if e.kind == "mine"), None)

    def has_unsaved_changes(self) -> bool:
        mine = self.mine()
        return mine is not None and mine.dirty()

    def _item_name(self) -> str:
        return self.item_cd if self.item_cd and not self.is_new_item else (
            self.new_code_edit.text().strip().upper() or self.tr("the new item"))

    def confirm_unsaved(self, detail: str | None = None) -> bool:
        """True when the routing shown may be replaced: nothing unsaved, or the engineer saved it or
        chose Discard. Cancel (or a failed save) keeps everything as it is and returns False."""
        if self._save_task is not None:   # a save is on its way: its answer decides
            self.ctx.runner.wait_for(self._save_task)
        if not self.has_unsaved_changes():
            return True
        self.editor.table.setFocus()   # an open cell editor commits its value first
        answer = ask_save_changes(self, self._item_name(), detail or self.tr(
            "Your edited routing has changes that are not saved. Save them before going on?"))
        if answer == CANCEL:
            return False
        if answer == SAVE:
            return self.save_and_wait() is not None
        return True

    # ---- predicting ----------------------------------------------------------------------
    def predict(self) -> None:
        page = self.inputs.tabs.currentIndex()
        if page == PAGE_ITEMS:
            code = self.inputs.browser.current_code()
            if code:
                self.predict_code(code)
            else:
                self._show_error(self.tr("Select an item in the item master first."), about_input=True)
        elif page == PAGE_CODES:
            codes = self.inputs.codes()
            if codes:
                self.predict_codes(codes)
            else:
                self._show_error(self.tr("Paste or type at least one item code."), about_input=True)
        else:
            self.predict_form()

    def _start(self, fn, on_result, message: str, long: bool = False):
        if self.ctx.model is None:
            self._show_error(self.ctx.model_error or self.tr("The model is still loading; try again in a moment."))
            return None
        self.error.hide()
        self._busy = True
        self._update_predict_enabled()
        store, pinned = self.ctx.store, self.inputs.version() is not None

        def work(p):
            result = fn(p)
            # after predicting (on the worker): did another PC activate a model since the last prediction?
            return result, (None if pinned else _model_change(store))

        def arrived(pair) -> None:
            result, change = pair
            on_result(result)
            if not pinned:
                self._note_model(next((r.model_version for r in result if isinstance(r, PredictionBatch)), None),
                                 change)

        task = self.ctx.runner.start(work, "prediction", long=long, on_result=arrived,
                                     on_error=self._failed, on_done=self._job_done)
        self.inputs.job.attach(task, message)
        return task

    def _note_model(self, used: str | None, change) -> None:
        """Tell the window when the active model is not the one this window's last prediction used
        (someone activated, trained or rolled back a version elsewhere)."""
        previous, self._last_model_used = self._last_model_used, used or self._last_model_used
        if change is not None:
            before, now, by, at = change.previous, change.current, change.by, change.at
        elif previous and used and used != previous:
            before, now, by, at = previous, used, "", None
        else:
            return
        if now in self.ctx.own_models:
            return   # this window trained or activated it: no news
        self.model_change_noticed.emit(before, now, by or "", at)

    def _job_done(self) -> None:
        self._busy = False
        self._update_predict_enabled()

    def _failed(self, message: str) -> None:
        self._show_error(message)
        self.prediction_failed.emit(message)

    def predict_code(self, code: str):
        if not self.confirm_unsaved():
            return None
        store, opts, version, user = self.ctx.store, self.inputs.options(), self.inputs.version(), self.ctx.user

        def work(p):
            batch = prediction.predict_items(store, [code], opts, version, p, user=user)
            return code, batch, routings.load_saved(store, code), catalog.item_details(store, code)

        return self._start(work, self._single_arrived, self.tr("predicting %1…").replace("%1", code))

    def _single_arrived(self, result) -> None:
        code, batch, saved, details = result
        if not batch.predictions:
            msg = "; ".join(e["message"] for e in batch.errors) or self.tr("no prediction for %1").replace("%1", code)
            self._failed(msg)
            return
        self.show_prediction(batch.predictions[0], batch.model_version, saved, details)

    def predict_codes(self, codes: list[str]):
        if len(codes) == 1 and not self.confirm_unsaved():   # one code opens at once in the editor
            return None
        store, opts, version, user = self.ctx.store, self.inputs.options(), self.inputs.version(), self.ctx.user

        def work(p):
            return codes, prediction.predict_items(store, codes, opts, version, p, user=user)

        return self._start(work, self._batch_arrived,
                           self.tr("predicting %1 items…").replace("%1", f"{len(codes):,}"), long=True)

    def _batch_arrived(self, result) -> None:
        codes, batch = result
        model = self.inputs.batch_model
        model.set_batch(codes, batch)
        fit_to_contents(self.inputs.batch_table, max_width=1000)
        ok = sum(1 for r in model.rows if r.status == "ok")
        unknown = sum(1 for r in model.rows if r.status == "unknown")
        self.inputs.batch_summary.setText(
            self.tr("%1 items: %2 with a candidate, %3 unknown — double-click a row to open it")
            .replace("%1", f"{len(codes):,}").replace("%2", f"{ok:,}").replace("%3", f"{unknown:,}"))
        self.batch_finished.emit(len(model.rows))
        self.batch_ready.emit(batch)
        if len(codes) == 1 and ok:
            self._open_batch_row(0)

    def open_batch_row(self, row: int) -> None:
        rows = self.inputs.batch_model.rows
        if 0 <= row < len(rows) and rows[row].prediction is not None and not self.confirm_unsaved():
            return
        self._open_batch_row(row)

    def _open_batch_row(self, row: int) -> None:
        rows = self.inputs.batch_model.rows
        if not 0 <= row < len(rows):
            return
        r = rows[row]
        if r.prediction is None:
            self._show_error(r.message)
            return
        store, code, version = self.ctx.store, r.code, self.inputs.batch_model.model_version
        pred = r.prediction
        self.ctx.runner.start(lambda p: (routings.load_saved(store, code), catalog.item_details(store, code)),
                              "open batch row",
                              on_result=lambda res: self.show_prediction(pred, version, res[0], res[1]),
                              on_error=self._failed)

    def predict_form(self):
        try:
            attrs = self.inputs.form_attributes()
        except FormError as exc:
            self._show_error(str(exc), about_input=True)
            return None
        if not attrs.get("PART_TYPE"):
            self._show_error(self.tr("Describe the new item first (at least its PART_TYPE)."), about_input=True)
            return None
        if not self.confirm_unsaved():
            return None
        code = self.inputs.form_item_code()
        if code in routings.PLACEHOLDER_CODES:
            code = ""
        shown = code or NEW_ITEM   # the services and the audit trail see no translated text
        store, opts, version, user = self.ctx.store, self.inputs.options(), self.inputs.version(), self.ctx.user

        def work(p):
            batch = prediction.predict_attributes(store, attrs, opts, version, code=shown, user=user)
            # a routing saved earlier under the code typed is this new item's: open it; no code, no routing
            return batch, (routings.load_saved(store, code) if code else None), dict(attrs, ITEM_CD=shown), code

        def arrived(r) -> None:
            batch, saved, details, typed = r
            self.show_prediction(batch.predictions[0], batch.model_version, saved, details, new_item=True)
            self.new_code_edit.setText(typed)

        return self._start(work, arrived, self.tr("predicting %1…").replace("%1", code or self.tr("New item")))

    def fill_form_from_selection(self) -> None:
        code = self.inputs.browser.current_code()
        if not code:
            self._show_error(self.tr("Select an item in the item master first."), about_input=True)
            return
        store = self.ctx.store
        self.ctx.runner.start(lambda p: catalog.item_details(store, code), "item details",
                              on_result=self.inputs.fill_form, on_error=self._failed)

    # ---- showing a result ----------------------------------------------------------------
    def clear(self) -> None:
        """Show nothing (unsaved work included: ask with confirm_unsaved first)."""
        self.item_cd = None
        self.is_new_item = False
        self.prediction = None
        self.opened_revision = None
        self.similar_model.set_rows([])
        self.editor.set_model(None)
        self.editor.forget_stacks()
        self.current_entry = None
        self.candidate_model.set_rows([])
        self.chart.set_operations([])
        self.saved_label.clear()
        self.dirty_label.clear()
        self.tie_note.hide()
        self.conflict.hide()
        self.connection.hide()
        self._show_warnings([], open_them=False)
        self.new_code_edit.clear()
        self._set_result_enabled(False)

    def _set_result_enabled(self, on: bool) -> None:
        self.save_button.setEnabled(on)
        self.status_box.setEnabled(on)
        self.new_code_edit.setVisible(on and self.is_new_item)

    def show_prediction(self, pred: Prediction, model_version: str, saved: SavedRouting | None,
                        details: dict | None, new_item: bool = False) -> None:
        self.clear()
        self.item_cd = pred.ITEM_CD
        self.is_new_item = new_item
        self.prediction = pred
        self.prediction_version = model_version
        self.opened_revision = saved.revision if saved else None
        self.error.hide()
        if not self.ctx.first_start_running:
            self.first_start.hide()   # its hint ("pick an item and press Predict") was followed
        self._show_header(pred, details or {}, model_version, new_item)
        self._show_warnings([word(w) for w in pred.warnings], open_them=not pred.candidates)
        self.similar_model.set_rows(pred.similar_items)
        fit_to_contents(self.similar_table, max_width=1400)
        self.candidate_model.similarity = {s.ITEM_CD: s.similarity for s in pred.similar_items}
        differences = prediction.candidate_differences(pred.candidates)
        entries = []
        if saved is not None:
            entries.append(self._mine_entry(saved.operations, saved,
                                            RoutingBase(self.tr("revision %1").replace("%1", str(saved.revision)),
                                                        tuple(saved.operations))))
        for c in pred.candidates:
            model = OperationsModel(c.operations, self, frozen=True)
            model.fork = self._fork
            entries.append(RoutingEntry("candidate", model, candidate=c, difference=differences.get(c.rank)))
        self.candidate_model.set_rows(entries)
        fit_to_contents(self.candidate_table)

        self._show_tie(pred)
        self._show_saved_label(saved, just_saved=False)
        settle_layouts()
        # The first routing (its table sized to its text, the chart) once the window has painted the
        # rest and the event loop has turned: all of it in one go held the GUI thread 90-150 ms (its
        # Python, then one paint of the whole result); a timer, not a posted call, as Qt runs the
        # posted events, the paint among them, before it looks at timers or input again.
        self._showing += 1
        QTimer.singleShot(1, lambda n=self._showing: self._show_first_routing(n, pred))

    def _show_first_routing(self, n: int, pred: Prediction) -> None:
        if not shiboken6.isValid(self) or n != self._showing or self.prediction is not pred:
            return   # another result (or none) is shown by now
        entries = self.entries
        self._set_result_enabled(bool(entries))
        if entries and self.current_entry is None:   # unless a click chose one meanwhile
            # its chart in a turn of its own as well: pyqtgraph lays its plot out as it first paints
            # it, and the window's layouts follow, painting the routing's table again
            self._chart_later = True
            try:
                self.select_candidate(0)
            finally:
                self._chart_later = False
            self._keep_routing_rows()
        settle_layouts()
        QTimer.singleShot(1, lambda: self._show_chart(n, pred))

    def _show_chart(self, n: int, pred: Prediction) -> None:
        if not shiboken6.isValid(self) or n != self._showing or self.prediction is not pred:
            return
        model = self.editor.model
        self.chart.set_operations(model.operations if model is not None else [])
        settle_layouts()
        self.prediction_shown.emit(pred.ITEM_CD)

    def _show_header(self, pred: Prediction, d: dict, model_version: str, new_item: bool) -> None:
        name = str(d.get("ITEM_NM") or "").replace("\n", " ")
        if new_item:
            name = name or self.tr("described in the form")
        code = self.tr("New item") if new_item and pred.ITEM_CD == NEW_ITEM else pred.ITEM_CD
        self.title.setText(code + (f"  ·  {name}" if name else ""))
        parts = [str(d[c]) for c in ("PART_TYPE", "ITEM_MATERIAL") if d.get(c)]
        dims = []
        for c, label in (("OUTDIAMETER", "OD"), ("INDIAMETER", "ID"), ("OUTTHICKNESS", "T")):
            v = d.get(c)
            if isinstance(v, str):
                try:
                    v = parse_decimal(v)
                except NumberError:
                    v = None
            if isinstance(v, (int, float)):
                dims.append(f"{label} {v:g}")
        if dims:
            parts.append(" × ".join(dims) + " mm")
        if d.get("ITEM_SPEC"):
            parts.append(str(d["ITEM_SPEC"]).replace("\n", " "))
        self.subtitle.setText("  ·  ".join(parts + [self.tr("model %1").replace("%1", model_version)]))

    def _show_warnings(self, warnings: list[str], open_them: bool) -> None:
        """The prediction's notes: behind a "⚠ N notes" button, open at once when there is no routing to
        show (then they say why)."""
        self._warnings = warnings
        if not warnings:
            self.notes_button.hide()
            self.warnings.hide()
            return
        self.notes_button.setText(self.tr("⚠ %1 notes").replace("%1", str(len(warnings))) if len(warnings) > 1
                                  else self.tr("⚠ 1 note"))
        self.notes_button.setToolTip("\n".join(warnings))
        self.notes_button.show()
        self.warnings.label.setText("⚠ " + "\n⚠ ".join(warnings))
        self.notes_button.setChecked(open_them)
        self.warnings.setVisible(open_them)

    def _notes_toggled(self, on: bool) -> None:
        self.warnings.setVisible(on and bool(self._warnings))

    def _show_tie(self, pred: Prediction) -> None:
        """Say why candidates with almost the same score are separate, and where to see the difference."""
        cands = pred.candidates
        if len(cands) < 2 or cands[0].score <= 0:
            self.tie_note.hide()
            return
        top = max(c.score for c in cands)
        tied = [c for c in cands if c.score >= top * (1 - TIE_SHARE)]
        if len(tied) < 2:
            self.tie_note.hide()
            return
        ranks = ", ".join(str(c.rank) for c in sorted(tied, key=lambda c: c.rank))
        self.tie_note.setText(self.tr("%1 nearly tied: see “Differs by”").replace("%1", ranks))
        self.tie_note.setToolTip(
            self.tr("Candidates %1 score %2 to %3: the similar items are split between routings that differ in a "
                    "few operations. “Differs by” shows those operations, “Supported by” the items behind each "
                    "(with their similarity in its tooltip).")
            .replace("%1", ranks).replace("%2", fmt_chance(min(c.score for c in tied)))
            .replace("%3", fmt_chance(top)))
        self.tie_note.show()

    def _mine_entry(self, operations, saved: SavedRouting | None, base: RoutingBase) -> RoutingEntry:
        model = OperationsModel(operations, self, base=base)
        model.stack.indexChanged.connect(lambda _i: self._dirty_changed())
        return RoutingEntry("mine", model, saved=saved)

    def select_entry(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        e = self.entries[row]
        if e is self.current_entry and self.editor.model is e.model:
            return
        self.current_entry = e
        self.editor.set_model(e.model)
        if e.rank is not None and self.item_cd:
            self.candidate_chosen.emit(self.item_cd, e.rank)
        if e.kind == "mine" and e.saved is not None:
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(e.saved.status)))
        self._operations_changed()
        self._dirty_changed()

    def current_routing(self):
        """The routing open in the editor as it is now, as an export Selection (None: nothing open)."""
        from app.services.export.selection import from_editor
        e = self.current_entry
        if e is None or not self.item_cd:
            return None
        support = e.candidate.support_items if e.candidate else []
        return from_editor(self.item_cd, e.model.current_operations(), e.saved.ROUT_NO if e.saved else None,
                           model_version=self.prediction_version, candidate_rank=e.rank,
                           reference_item=support[0] if support else None, user=self.ctx.user)

    def select_candidate(self, row: int) -> None:
        """Select a row as a click would (tests and keyboard)."""
        self.candidate_table.selectRow(row)
        self.select_entry(row)

    def _operations_changed(self) -> None:
        model = self.editor.model
        if not self._chart_later:
            self.chart.set_operations(model.operations if model is not None else [])
        self.candidate_model.refresh()

    def _dirty_changed(self) -> None:
        if not shiboken6.isValid(self):
            return  # the window is being torn down
        dirty = self.has_unsaved_changes()
        self.dirty_label.setText(self.tr("unsaved changes") if dirty else "")
        self.candidate_model.refresh()
        fit_to_contents(self.candidate_table)   # "Saved · rev 12 · submitted" is longer than "Candidate 1"

    # ---- the engineer's own routing ------------------------------------------------------
    def _fork(self, source: OperationsModel) -> OperationsModel | None:
        """An edit reached a candidate: it goes to the engineer's routing, started (again) from that
        candidate. Unsaved changes of the engineer's routing are not replaced without asking."""
        entry = next((e for e in self.entries if e.model is source), None)
        if entry is None or entry.candidate is None:
            return None
        rank = entry.candidate.rank
        base = RoutingBase(self.tr("from candidate %1").replace("%1", str(rank)), tuple(entry.model.operations))
        mine = self.mine()
        if mine is None:
            mine = self._mine_entry(entry.model.operations, None, base)
            self._insert_mine(mine)
        elif mine.model.signature() == signature(entry.model.operations):
            pass   # the engineer's routing is this candidate already
        else:
            if mine.dirty():
                answer = ask_save_changes(self, self._item_name(), self.tr(
                    "You are starting a new routing from candidate %1, but your edited routing has changes that "
                    "are not saved. Save them first?").replace("%1", str(rank)))
                if answer == CANCEL or (answer == SAVE and self.wait(self.save_entry(mine)) is None):
                    return None
            mine.model.replace_all(entry.model.operations, base,
                                   self.tr("Start from candidate %1").replace("%1", str(rank)))
        self._show_mine_later(mine)
        return mine.model

    def _insert_mine(self, mine: RoutingEntry) -> None:
        """The engineer's routing goes first in the list, above the candidates."""
        self.candidate_model.beginInsertRows(QModelIndex(), 0, 0)
        self.candidate_model.rows.insert(0, mine)
        self.candidate_model.endInsertRows()
        fit_to_contents(self.candidate_table)

    def _show_mine_later(self, mine: RoutingEntry) -> None:
        """Select the engineer's routing; while a cell editor is still committing, on the next turn."""
        def show() -> None:
            if shiboken6.isValid(self) and mine in self.entries:
                self.select_candidate(self.entries.index(mine))
        if self.editor.table.state() == QAbstractItemView.State.EditingState:
            QTimer.singleShot(0, show)
        else:
            show()

    def _show_saved_label(self, saved: SavedRouting | None, just_saved: bool) -> None:
        self._show_review(saved)
        if saved is None:
            self.saved_label.setText(self.tr("Not saved yet for this item."))
            return
        status = {"draft": self.tr("draft"), "submitted": self.tr("submitted"), "approved": self.tr("approved"),
                  "rejected": self.tr("rejected")}.get(saved.status, saved.status)
        text = (self.tr("Saved revision %1 by %2 at %3 (%4)") if just_saved else
                self.tr("Last saved: revision %1 by %2 at %3 (%4)"))
        text = text.replace("%1", str(saved.revision)).replace("%2", saved.updated_by) \
            .replace("%3", f"{saved.updated_at:%Y-%m-%d %H:%M:%S}").replace("%4", status)
        if saved.status in ("approved", "rejected") and saved.reviewed_by:
            review = self.tr("%1 by %2").replace("%1", status).replace("%2", saved.reviewed_by)
            text += "; " + review + (f": “{saved.review_comment}”" if saved.review_comment else "")
        self.saved_label.setText(("✖ " if saved.status == "rejected" else "✔ ") + text)

    # ---- review (approvers) --------------------------------------------------------------
    def _show_review(self, saved: SavedRouting | None) -> None:
        submitted = saved is not None and saved.status == "submitted"
        may = permissions.allowed(self.ctx.user, "routing.approve")
        why = self.tr("Only an approver or an admin can approve or reject a routing; you are %1 (%2).") \
            .replace("%1", self.ctx.user.name).replace("%2", self.ctx.user.role or self.tr("no role"))
        own = submitted and same_account(saved.updated_by, self.ctx.user.name)
        for b, tip in ((self.approve_button, self.tr("Approve the submitted revision, with a comment if you like")),
                       (self.reject_button, self.tr("Send the submitted revision back, saying why"))):
            b.setVisible(submitted)
            b.setEnabled(may)
            b.setToolTip(tip if may else why)
        if may and own:   # four eyes: the service refuses (and records) it too
            self.approve_button.setEnabled(False)
            self.approve_button.setToolTip(self.tr("You submitted this revision yourself; another approver or admin "
                                                   "must approve it."))

    def review(self, status: str, comment: str | None = None):
        """Approve or reject the item's submitted routing (on a worker); asks for the comment unless
        given. Returns the task (None when nothing was started); `saved` follows a review."""
        from PySide6.QtWidgets import QInputDialog
        mine = self.mine()
        if self.item_cd is None or mine is None or mine.saved is None:
            return None
        if comment is None:
            title = self.tr("Approve the routing of %1") if status == "approved" else \
                self.tr("Reject the routing of %1")
            prompt = self.tr("Comment (optional):") if status == "approved" else self.tr("Why is it rejected?")
            comment, ok = QInputDialog.getMultiLineText(self, title.replace("%1", self.item_cd), prompt)
            if not ok:
                return None
        review = routings.approve if status == "approved" else routings.reject
        store, code, user, text = self.ctx.store, self.item_cd, self.ctx.user, comment

        def reviewed(saved: SavedRouting) -> None:
            if self.item_cd == code and self.mine() is mine:
                self.opened_revision = saved.revision
                mine.saved = saved
                self._show_saved_label(saved, just_saved=False)
            self.saved.emit(saved)

        def refused(message: str) -> None:   # not submitted any more, no comment, refused: say why
            self.editor.message.show_message(self.tr("Not reviewed: %1").replace("%1", message))

        for b in (self.approve_button, self.reject_button):
            b.setEnabled(False)
        return self.ctx.runner.start(lambda p: review(store, code, text, user=user), "review routing",
                                     on_result=reviewed, on_error=refused,
                                     on_done=lambda: self._show_review(mine.saved) if self.mine() is mine else None)

    def wait(self, task_or_result):
        """What a save or review came to, waiting for its task if need be (the window keeps painting):
        the SavedRouting, or None when it was refused or failed (the tab said why)."""
        from app.ui.workers import Task
        if not isinstance(task_or_result, Task):
            return task_or_result
        ok = self.ctx.runner.wait_for(task_or_result)
        return task_or_result.result if ok else None

    # ---- saving --------------------------------------------------------------------------
    def save(self):
        """Save the routing shown as the item's routing (a candidate unchanged, too), on a worker.
        Returns the task; the SavedRouting itself when nothing changed since its saved revision
        (nothing is saved again); None when nothing could be started. `saved` follows a save."""
        if self.item_cd is None or self.current_entry is None:
            return None
        self.editor.table.setFocus()  # ends an open cell editor so its value is committed first
        entry = self.current_entry
        if entry.kind == "candidate":   # saving a candidate as it is: it becomes the engineer's routing
            if self._fork(entry.model) is None:
                return None
            entry = self.mine()
        return self.save_entry(entry)

    @property
    def saving(self) -> bool:
        return self._save_task is not None

    def save_and_wait(self) -> SavedRouting | None:
        """Save as `save` does and wait for the answer (for a question that must know: Save before
        closing, before another item); the window keeps painting meanwhile."""
        return self.wait(self.save())

    def save_entry(self, entry: RoutingEntry):
        """Start saving the engineer's routing; see `save` for what it returns."""
        if self._save_task is not None:   # one save at a time: the second click waits for the first
            return self._save_task
        self.conflict.hide()
        self.connection.hide()
        status = self.status_box.currentData()
        # an unchanged routing is not saved again: neither to the same status, nor back to a draft
        # after its review (a click on Save must not withdraw an approval)
        if entry.saved is not None and not entry.dirty() and (
                entry.saved.status == status or (entry.saved.status in routings.REVIEWED and status == "draft")):
            self.saved_label.setText("✔ " + self.tr("No changes since revision %1: nothing to save.")
                                     .replace("%1", str(entry.saved.revision)))
            return entry.saved
        store, user, item_cd, is_new = self.ctx.store, self.ctx.user, self.item_cd, self.is_new_item
        typed, revision, version = self.new_code_edit.text(), self.opened_revision, self.prediction_version
        operations = entry.model.current_operations()
        base = entry.model.base
        rank = next((e.rank for e in self.entries if e.kind == "candidate" and base is not None
                     and tuple(e.model.operations) == base.operations), None)
        undo_index = entry.model.stack.index()
        offline_for, store_text = self.ctx.offline_for, self.ctx.store_text()

        def draft(code: str, reason: str, for_store: str, expected: int | None) -> drafts.Draft:
            return drafts.Draft(for_store, code, operations, status, expected, version, rank, is_new, user.name,
                                reason, store_text=stores.describe_url(for_store))

        def work(_p) -> SavedRouting:
            code = item_cd
            try:
                if is_new:
                    code = routings.check_new_item_code(store, typed, revision)
                saved = routings.save_routing(store, code, operations, status=status, expected_revision=revision,
                                              model_version=version, candidate_rank=rank, user=user)
            except Exception as exc:
                if stores.is_connection_lost(exc):   # kept on this PC, offered again (also after a restart)
                    drafts.keep(draft(typed.strip().upper() if is_new else item_cd, drafts.FAILED, store.url,
                                      revision))
                raise
            drafts.forget(store.url, saved.ITEM_CD)   # a draft kept when an earlier save failed is saved now
            if offline_for:   # on this PC's store while the shared one is away: kept for it too
                drafts.keep(draft(saved.ITEM_CD, drafts.OFFLINE, offline_for, None))
            return saved

        self.save_button.setEnabled(False)
        self.saved_label.setText(self.tr("Saving…"))
        task = self.ctx.runner.start(work, "save routing",
                                     on_result=lambda saved: self._saved(entry, item_cd, saved, undo_index),
                                     on_exception=lambda exc: self._not_saved(entry, item_cd, exc),
                                     on_done=self._save_done)
        self._save_task = task
        return task

    def _save_done(self) -> None:
        self._save_task = None
        self.save_button.setEnabled(self.current_entry is not None)

    def _shows(self, entry: RoutingEntry, item_cd: str | None) -> bool:
        """The routing a save or reload was started for is still the one shown."""
        return self.item_cd == item_cd and entry in self.entries

    def _saved(self, entry: RoutingEntry, item_cd: str | None, saved: SavedRouting, undo_index: int) -> None:
        entry.saved = saved
        if not self._shows(entry, item_cd):
            self.saved.emit(saved)
            return
        self.opened_revision = saved.revision
        if entry.model.stack.index() == undo_index:   # no edit since Save was pressed
            entry.model.stack.setClean()
        if self.is_new_item and saved.ITEM_CD != self.item_cd:
            self.item_cd = saved.ITEM_CD
            self.title.setText(f"{saved.ITEM_CD}  ·  " + self.tr("described in the form"))
            self.new_code_edit.setText(saved.ITEM_CD)
        self._dirty_changed()
        self._show_saved_label(saved, just_saved=True)
        self.saved.emit(saved)

    def _not_saved(self, entry: RoutingEntry, item_cd: str | None, exc: BaseException) -> None:
        shown = self._shows(entry, item_cd)
        if shown:
            self._show_saved_label(entry.saved, just_saved=False)
        if stores.is_connection_lost(exc):
            self.connection.show_message(
                self.tr("Not saved: %1. Your edits are kept on this PC as a draft (also after a restart); Retry "
                        "saves them when the store answers again.").replace("%1", stores.connection_message(
                            exc, self.ctx.store_text())))
        elif isinstance(exc, ConflictError):
            self._conflict = exc
            self.conflict.show_message(
                self.tr("Not saved: %1 changed the routing of %2 at %3 (now revision %4) after you opened it. "
                        "Reload to see their version; your edits stay in your routing, and Undo brings them back "
                        "after a reload.")
                .replace("%1", exc.by).replace("%2", exc.item_cd).replace("%3", f"{exc.at:%Y-%m-%d %H:%M:%S}")
                .replace("%4", str(exc.revision)))
        elif isinstance(exc, RoutingError):   # validation, or the new item's code
            self.editor.message.show_message(self.tr("Not saved: %1").replace("%1", str(exc)))
            if shown and self.is_new_item:
                self.new_code_edit.setFocus()
        else:   # a database error: say it, keep the edits
            self.editor.message.show_message(self.tr("Not saved: %1").replace("%1", f"{type(exc).__name__}: {exc}"))
        self.save_failed.emit(str(exc))

    def compare(self):
        """After a refused save: their revision beside the engineer's routing (theirs as the refusal
        carried it, or read on a worker)."""
        exc, mine = self._conflict, self.mine()
        if exc is None or mine is None or self.item_cd is None:
            return None
        ours = list(mine.model.current_operations())
        title = self.tr("Theirs: revision %1, saved by %2 at %3").replace("%1", str(exc.revision)) \
            .replace("%2", exc.by).replace("%3", f"{exc.at:%Y-%m-%d %H:%M:%S}")

        def show(theirs) -> None:
            from app.ui.prediction.compare import CompareDialog
            if theirs is None:
                self.conflict.show_message(self.tr("The routing of %1 is no longer in the store.").replace(
                    "%1", exc.item_cd))
                return
            dlg = CompareDialog(exc.item_cd, title, list(theirs.operations), ours, self)
            dlg.reload_requested.connect(self.reload_saved)
            dlg.open()
            self.compare_opened.emit(dlg)

        theirs = getattr(exc, "theirs", None)
        if theirs is not None:
            show(theirs)
            return None
        store, code = self.ctx.store, exc.item_cd
        return self.ctx.runner.start(lambda p: routings.load_saved(store, code), "compare routing",
                                     on_result=show, on_error=self.conflict.show_message)

    def reload_saved(self):
        """After a conflict: the stored revision replaces the engineer's routing, as one undo step
        (read on a worker). Returns the task."""
        if self.item_cd is None:
            return None
        store, code = self.ctx.store, self.item_cd

        def arrived(saved: SavedRouting | None) -> None:
            if self.item_cd != code:
                return   # another item was opened meanwhile
            self.conflict.hide()
            if saved is None:
                self.opened_revision = None
                return
            self.opened_revision = saved.revision
            base = RoutingBase(self.tr("revision %1").replace("%1", str(saved.revision)), tuple(saved.operations))
            mine = self.mine()
            if mine is None:
                mine = self._mine_entry(saved.operations, saved, base)
                self._insert_mine(mine)
            else:
                mine.saved = saved
                mine.model.replace_all(saved.operations, base,
                                       self.tr("Reload revision %1").replace("%1", str(saved.revision)))
            self.select_candidate(self.entries.index(mine))
            self._dirty_changed()
            self._show_saved_label(saved, just_saved=False)
            self.reloaded.emit(saved)

        self.reload_button.setEnabled(False)
        return self.ctx.runner.start(lambda p: routings.load_saved(store, code), "reload routing",
                                     on_result=arrived, on_error=self.conflict.show_message,
                                     on_done=lambda: self.reload_button.setEnabled(True))

    # ---- drafts kept on this PC ----------------------------------------------------------
    def open_draft(self, draft) -> None:
        """Predict the draft's item and show the draft as the engineer's routing, not saved yet: Save
        sends it to the store (refused with the other person's name if the routing changed since the
        draft's revision), Undo goes back to the routing the store has."""
        def shown(code: str) -> None:
            self.prediction_shown.disconnect(shown)
            if code == draft.item_cd:
                self._apply_draft(draft)
        self.prediction_shown.connect(shown)
        if self.predict_code(draft.item_cd) is None:
            self.prediction_shown.disconnect(shown)

    def _apply_draft(self, draft) -> None:
        label = self.tr("draft kept %1").replace("%1", f"{draft.kept_at:%Y-%m-%d %H:%M}")
        mine = self.mine()
        if mine is None:
            mine = self._mine_entry(draft.operations, None, None)   # no base: it is unsaved until saved
            self._insert_mine(mine)
        else:
            mine.model.replace_all(draft.operations, mine.model.base, label)
        # the revision the draft started from: a routing someone saved since is not written over
        self.opened_revision = draft.expected_revision
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(draft.status)))
        self.select_candidate(self.entries.index(mine))
        self._dirty_changed()
        self.saved_label.setText(self.tr("Draft of %1 kept on this PC at %2: not in the store yet; Save sends it.")
                                 .replace("%1", draft.item_cd).replace("%2", f"{draft.kept_at:%Y-%m-%d %H:%M}"))
        self.draft_opened.emit(draft)

    # ---- a window in another language takes over ----------------------------------------
    def handover(self) -> dict[str, Any]:
        """What a new window (after a language change) needs to show the same item again."""
        return {"item_cd": self.item_cd if self.item_cd and not self.is_new_item else None,
                "new_item": self.is_new_item}

    def take_over(self, state: dict[str, Any]) -> None:
        code = state.get("item_cd")
        if not code and not state.get("new_item"):
            return

        def when_ready() -> None:
            if self.ctx.model is None:
                return
            self.ctx.model_changed.disconnect(when_ready)
            if code:
                self.predict_code(code)
            else:
                self.predict_form()
        self.ctx.model_changed.connect(when_ready)

