"""The Prediction tab: choose or describe an item (or paste many), see similar items and candidate
routings, edit one and save it."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QDoubleValidator, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QScrollArea, QSpinBox, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget)

from app.domain.routing import Candidate, Prediction, PredictionBatch, SimilarItem
from app.ml.model import PredictOptions
from app.services import catalog, prediction, routings
from app.services.routings import ConflictError, SavedRouting
from app.ui.context import AppContext
from app.ui.item_browser import ItemBrowser
from app.ui.look import (MUTED_TEXT, SAVED_BACKGROUND, TIME_SOURCE_COLOURS, WARNING_BACKGROUND, WARNING_TEXT,
                         fmt_minutes)
from app.ui.routing_editor import OperationsModel, RoutingEditor
from app.ui.time_chart import TimeChart
from app.ui.widgets import Banner, JobBar, RowsTableModel, ShareBarDelegate, fit_columns, read_only_table
from app.ui.wording import group_label, word

ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

# the attributes a new item is described by: (column, kind) — kind "cat" offers the model's known values
FORM_FIELDS = [
    ("PART_TYPE", "cat"), ("ITEM_MATERIAL", "cat"), ("OUTDIAMETER", "num"), ("INDIAMETER", "num"),
    ("OUTTHICKNESS", "num"), ("ITEM_SPEC", "text"), ("ADDITIONAL_SPEC", "text"), ("RAW_MATL_KIND", "cat"),
    ("SealTypeGrup", "cat"), ("IN_SEALTYPE_CD", "cat"), ("IN_SEALSIZE", "num"), ("ITEM_ACCT", "cat"),
    ("ITEM_TYPE", "cat"), ("STANDARD_YN", "cat"), ("ROTATE_CLOCKWISE", "cat"),
]


@dataclass
class RoutingEntry:
    """One routing the engineer can switch to: the saved one or a candidate, with its own edits."""

    kind: str                               # "saved" | "candidate"
    model: OperationsModel
    rank: int | None = None
    score: float | None = None
    support_items: list[str] = field(default_factory=list)
    outsourced: int = 0
    saved: SavedRouting | None = None


def total_per_piece(ops) -> float:
    return float(sum(o.SETUP_TIME + o.RUN_TIME for o in ops))


# ---- table models ----------------------------------------------------------------------------
class SimilarItemsModel(RowsTableModel):
    COLUMNS = ["ITEM_CD", "ITEM_NM", "PART_TYPE", "SIMILARITY", "WHY"]
    rows: list[SimilarItem]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"SIMILARITY": self.tr("Similarity"), "WHY": self.tr("What makes it similar")}.get(name, name)
        if role == Qt.ItemDataRole.TextAlignmentRole and name == "SIMILARITY":
            return ALIGN_RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        name = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "SIMILARITY":
                return f"{s.similarity:.3f}"
            if name == "WHY":
                return "; ".join(word(m) for m in s.matching)
            return str(getattr(s, name) or "").replace("\n", " ")
        if role == Qt.ItemDataRole.UserRole and name == "SIMILARITY":
            return float(s.similarity)
        if role == Qt.ItemDataRole.TextAlignmentRole and name == "SIMILARITY":
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            shares = ", ".join(f"{group_label(k)} {v:.0%}"
                               for k, v in sorted(s.explanation.items(), key=lambda kv: -kv[1]))
            text = "\n".join(word(m) for m in s.matching)
            if shares:
                text += ("\n" if text else "") + self.tr("Share of the similarity: %1").replace("%1", shares)
            return text or None
        return None


class CandidateListModel(QAbstractTableModel):
    COLUMNS = ["NAME", "SCORE", "OPS", "OUTSOURCED", "TOTAL", "SUPPORT"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[RoutingEntry] = []

    def set_entries(self, entries: list[RoutingEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def refresh(self) -> None:
        if self.entries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.entries) - 1, len(self.COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"NAME": self.tr("Routing"), "SCORE": self.tr("Score"), "OPS": self.tr("Ops"),
                    "OUTSOURCED": self.tr("Outsourced"), "TOTAL": self.tr("Setup+run min/pc"),
                    "SUPPORT": self.tr("Supported by")}[name]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {"SCORE": self.tr("Share of the similar items' weight that supports this routing"),
                    "OUTSOURCED": self.tr("Outsourced operations"),
                    "TOTAL": self.tr("Sum of setup and per-piece run times"),
                    "SUPPORT": self.tr("Similar items whose current routing is this one")}.get(name)
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("SCORE", "OPS", "OUTSOURCED", "TOTAL"):
            return ALIGN_RIGHT
        return None

    def entry_name(self, e: RoutingEntry) -> str:
        dirty = "" if e.model.stack.isClean() else " *"
        if e.kind == "saved" and e.saved is not None:
            status = self.tr("draft") if e.saved.status == "draft" else self.tr("submitted")
            return self.tr("Saved · rev %1 · %2").replace("%1", str(e.saved.revision)).replace("%2", status) + dirty
        return self.tr("Candidate %1").replace("%1", str(e.rank)) + dirty

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.entries[index.row()]
        name = self.COLUMNS[index.column()]
        ops = e.model.operations
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "NAME":
                return self.entry_name(e)
            if name == "SCORE":
                return f"{e.score:.3f}" if e.score is not None else ""
            if name == "OPS":
                return str(len(ops))
            if name == "OUTSOURCED":
                return str(sum(1 for o in ops if o.INSIDE_FLAG == "외주"))
            if name == "TOTAL":
                return fmt_minutes(total_per_piece(ops))
            if name == "SUPPORT":
                if e.kind == "saved" and e.saved is not None:
                    return self.tr("by %1 at %2").replace("%1", e.saved.updated_by) \
                        .replace("%2", f"{e.saved.updated_at:%Y-%m-%d %H:%M}")
                more = f" +{len(e.support_items) - 3}" if len(e.support_items) > 3 else ""
                return ", ".join(e.support_items[:3]) + more
        if role == Qt.ItemDataRole.UserRole and name == "SCORE" and e.score is not None:
            return float(e.score)
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("SCORE", "OPS", "OUTSOURCED", "TOTAL"):
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.BackgroundRole and e.kind == "saved":
            return QBrush(SAVED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and name == "NAME":
            f = QFont()
            f.setBold(e.kind == "saved")
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            if name == "SUPPORT" and e.support_items:
                return ", ".join(e.support_items)
            return " → ".join(o.JOB_CD for o in ops)
        return None


class BatchModel(RowsTableModel):
    COLUMNS = ["ITEM_CD", "STATUS", "SCORE", "OPS", "TOTAL", "ROUTING"]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.model_version = ""

    def set_batch(self, codes: list[str], batch: PredictionBatch) -> None:
        by_code = {p.ITEM_CD: p for p in batch.predictions}
        errors = {e["ITEM_CD"]: e["message"] for e in batch.errors}
        rows = []
        for code in codes:
            p = by_code.get(code)
            if p is None:
                rows.append({"code": code, "status": "unknown", "message": errors.get(code, ""), "prediction": None})
                continue
            best: Candidate | None = p.candidates[0] if p.candidates else None
            rows.append({
                "code": code, "status": "ok" if best else "none", "prediction": p,
                "score": best.score if best else None, "ops": len(best.operations) if best else 0,
                "total": total_per_piece(best.operations) if best else None,
                "routing": " → ".join(o.JOB_CD for o in best.operations) if best else "",
                "message": "; ".join(word(w) for w in p.warnings)})
        self.model_version = batch.model_version
        self.set_rows(rows)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"ITEM_CD": "ITEM_CD", "STATUS": self.tr("Status"), "SCORE": self.tr("Score"),
                    "OPS": self.tr("Ops"), "TOTAL": self.tr("min/pc"), "ROUTING": self.tr("Best candidate")}[name]
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("SCORE", "OPS", "TOTAL"):
            return ALIGN_RIGHT
        return None

    def status_text(self, status: str) -> str:
        return {"ok": self.tr("ok"), "none": self.tr("no candidate"), "unknown": self.tr("unknown item")}[status]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        name = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "ITEM_CD":
                return r["code"]
            if name == "STATUS":
                return self.status_text(r["status"])
            if r["status"] == "unknown":
                return r["message"] if name == "ROUTING" else ""
            if name == "SCORE":
                return f"{r['score']:.3f}" if r.get("score") is not None else ""
            if name == "OPS":
                return str(r["ops"]) if r["ops"] else ""
            if name == "TOTAL":
                return fmt_minutes(r["total"]) if r.get("total") is not None else ""
            if name == "ROUTING":
                return r["routing"] or r["message"]
        if role == Qt.ItemDataRole.UserRole and name == "SCORE" and r.get("score") is not None:
            return float(r["score"])
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("SCORE", "OPS", "TOTAL"):
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            if r["status"] == "unknown":
                return QBrush(WARNING_TEXT)
            if name == "ROUTING" and not r["routing"]:
                return QBrush(MUTED_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole and name == "STATUS":
            if r["status"] == "unknown":
                return QBrush(WARNING_BACKGROUND)
            if r["status"] == "none":
                return QBrush(TIME_SOURCE_COLOURS["standard"])
        if role == Qt.ItemDataRole.ToolTipRole and r.get("message"):
            return r["message"]
        return None


def _widths(table: QTableView, widths: list[int], stretch_last: bool = True) -> None:
    fit_columns(table, widths, stretch_last)


# ---- the tab ---------------------------------------------------------------------------------
class PredictionTab(QWidget):
    prediction_shown = Signal(str)      # ITEM_CD
    batch_finished = Signal(int)        # rows
    saved = Signal(object)              # SavedRouting
    prediction_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.item_cd: str | None = None
        self.prediction: Prediction | None = None
        self.prediction_version: str | None = None
        self.opened_revision: int | None = None
        self.entries: list[RoutingEntry] = []
        self.current_entry: RoutingEntry | None = None
        self._busy = False
        self._build()
        self._restore()
        ctx.model_changed.connect(self._model_changed)
        ctx.models_changed.connect(self._fill_versions)
        ctx.store_changed.connect(self._store_changed)
        self._model_changed()

    # ---- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        # left: what to predict
        self.browser = ItemBrowser(self.ctx.runner)
        self.browser.item_activated.connect(self.predict_code)

        self.codes_edit = QPlainTextEdit()
        self.codes_edit.setObjectName("codesEdit")
        self.codes_edit.setPlaceholderText(self.tr("Paste or type item codes: one per line, or separated by "
                                                   "commas, tabs or spaces (Ctrl+Enter predicts)"))
        self.codes_edit.setMaximumHeight(110)
        self.codes_count = QLabel()
        self.codes_count.setObjectName("muted")
        self.codes_edit.textChanged.connect(self._count_codes)
        self.batch_model = BatchModel(self)
        self.batch_table = read_only_table("batchTable")
        self.batch_table.setModel(self.batch_model)
        self.batch_table.setItemDelegateForColumn(2, ShareBarDelegate(self.batch_table))
        _widths(self.batch_table, [118, 92, 56, 38, 62, 200])
        self.batch_table.doubleClicked.connect(lambda idx: self.open_batch_row(idx.row()))
        self.batch_summary = QLabel()
        self.batch_summary.setObjectName("muted")
        codes_page = QWidget()
        cl = QVBoxLayout(codes_page)
        cl.setContentsMargins(6, 6, 6, 6)
        cl.addWidget(self.codes_edit)
        cl.addWidget(self.codes_count)
        cl.addWidget(self.batch_table, 1)
        cl.addWidget(self.batch_summary)

        form_page = QWidget()
        form_outer = QVBoxLayout(form_page)
        form_outer.setContentsMargins(6, 6, 6, 6)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_code = QLineEdit("NEW-ITEM")
        self.form_code.setObjectName("form_ITEM_CD")
        self.form_code.setToolTip(self.tr("The code the routing is saved under"))
        form.addRow("ITEM_CD", self.form_code)
        self.form_fields: dict[str, QWidget] = {}
        for col, kind in FORM_FIELDS:
            if kind == "cat":
                w = QComboBox()
                w.setEditable(True)
                w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            else:
                w = QLineEdit()
                if kind == "num":
                    v = QDoubleValidator(0.0, 1e7, 3, w)
                    v.setNotation(QDoubleValidator.Notation.StandardNotation)
                    w.setValidator(v)
                    w.setPlaceholderText("mm")
                    w.setAlignment(Qt.AlignmentFlag.AlignRight)
            w.setObjectName(f"form_{col}")
            self.form_fields[col] = w
            form.addRow(col, w)
        self.fill_form_button = QPushButton(self.tr("Copy attributes of the selected item"))
        self.fill_form_button.setToolTip(self.tr("Start from an existing item picked in the item master"))
        self.fill_form_button.clicked.connect(self.fill_form_from_selection)
        self.clear_form_button = QPushButton(self.tr("Clear"))
        self.clear_form_button.clicked.connect(self.clear_form)
        fb = QHBoxLayout()
        fb.addWidget(self.fill_form_button)
        fb.addWidget(self.clear_form_button)
        fb.addStretch(1)
        form_outer.addLayout(form)
        form_outer.addLayout(fb)
        form_outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.input_tabs = QTabWidget()
        self.input_tabs.setObjectName("inputTabs")
        self.input_tabs.addTab(self.browser, self.tr("Item master"))
        self.input_tabs.addTab(codes_page, self.tr("Item codes"))
        self.input_tabs.addTab(scroll, self.tr("New item"))

        self.top_k = QSpinBox()
        self.top_k.setRange(1, 200)
        self.top_k.setValue(10)
        self.top_k.setObjectName("topK")
        self.n_candidates = QSpinBox()
        self.n_candidates.setRange(1, 20)
        self.n_candidates.setValue(5)
        self.n_candidates.setObjectName("nCandidates")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setObjectName("threshold")
        self.version_box = QComboBox()
        self.version_box.setObjectName("modelVersion")
        self.version_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.version_box.setMinimumContentsLength(16)
        opts = QGroupBox(self.tr("Options"))
        og = QFormLayout(opts)
        og.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        row = QHBoxLayout()
        row.addWidget(self.top_k)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("Candidates")))
        row.addWidget(self.n_candidates)
        row.addSpacing(12)
        row.addWidget(QLabel(self.tr("Threshold")))
        row.addWidget(self.threshold)
        row.addStretch(1)
        og.addRow(self.tr("Similar items"), row)
        og.addRow(self.tr("Model"), self.version_box)
        self.top_k.setToolTip(self.tr("How many similar items to look at (top-k)"))
        self.n_candidates.setToolTip(self.tr("How many distinct candidate routings to propose"))
        self.threshold.setToolTip(self.tr("Similar items below this cosine similarity are ignored"))

        self.predict_button = QPushButton(self.tr("Predict"))
        self.predict_button.setObjectName("primary")
        self.predict_button.setToolTip(self.tr("Predict the selected item, the pasted codes or the described item "
                                               "(Enter)"))
        self.predict_button.clicked.connect(self.predict)
        self.job = JobBar()
        pb = QHBoxLayout()
        pb.addWidget(self.job, 1)
        pb.addWidget(self.predict_button)

        left = QWidget()
        left.setObjectName("inputPanel")
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 6, 0)
        ll.addWidget(self.input_tabs, 1)
        ll.addWidget(opts)
        ll.addLayout(pb)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), left)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.predict)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), left)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.predict)

        # right: the result
        self.title = QLabel(self.tr("Pick an item in the item master and press Predict (or Enter)."))
        self.title.setObjectName("itemTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        self.warnings = Banner("warning")
        self.warnings.setObjectName("predictionWarnings")
        self.error = Banner("error")
        self.error.setObjectName("predictionError")
        self.first_start = Banner("info")
        self.first_start.setObjectName("firstStart")
        self.first_job = JobBar(cancellable=False)

        self.similar_model = SimilarItemsModel(parent=self)
        self.similar_table = read_only_table("similarTable")
        self.similar_table.setModel(self.similar_model)
        self.similar_table.setItemDelegateForColumn(3, ShareBarDelegate(self.similar_table))
        _widths(self.similar_table, [118, 140, 86, 70, 260])
        self.candidate_model = CandidateListModel(self)
        self.candidate_table = read_only_table("candidateTable")
        self.candidate_table.setModel(self.candidate_model)
        self.candidate_table.setItemDelegateForColumn(1, ShareBarDelegate(self.candidate_table, "#d6ecd2"))
        _widths(self.candidate_table, [150, 56, 40, 40, 104, 150])
        self.candidate_table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.select_entry(cur.row()))

        sim_box = QGroupBox(self.tr("Similar items"))
        QVBoxLayout(sim_box).addWidget(self.similar_table)
        cand_box = QGroupBox(self.tr("Candidate routings — click to switch"))
        QVBoxLayout(cand_box).addWidget(self.candidate_table)
        lists = QSplitter(Qt.Orientation.Vertical)
        lists.addWidget(sim_box)
        lists.addWidget(cand_box)
        lists.setStretchFactor(0, 1)
        lists.setStretchFactor(1, 1)
        # all five candidates (the default) visible without scrolling
        self.candidate_table.setMinimumHeight(6 * 24 + 8)
        lists.setChildrenCollapsible(False)
        self.lists_splitter = lists

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
        self.conflict = Banner("error")
        self.conflict.setObjectName("conflictBanner")
        self.reload_button = self.conflict.add_button(self.tr("Reload saved routing"), self.reload_saved)
        save_row = QHBoxLayout()
        save_row.addWidget(self.saved_label, 1)
        save_row.addWidget(self.dirty_label)
        save_row.addWidget(QLabel(self.tr("Status")))
        save_row.addWidget(self.status_box)
        save_row.addWidget(self.save_button)

        self.chart = TimeChart()
        edit_box = QGroupBox(self.tr("Routing"))
        el = QVBoxLayout(edit_box)
        el.addWidget(self.editor, 1)
        el.addWidget(self.conflict)
        el.addLayout(save_row)
        chart_box = QGroupBox(self.tr("Time per operation"))
        QVBoxLayout(chart_box).addWidget(self.chart)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(lists)
        upper.addWidget(chart_box)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        upper.setChildrenCollapsible(False)
        self.upper_splitter = upper

        right_split = QSplitter(Qt.Orientation.Vertical)
        right_split.addWidget(upper)
        right_split.addWidget(edit_box)
        right_split.setStretchFactor(0, 5)
        right_split.setStretchFactor(1, 4)
        right_split.setChildrenCollapsible(False)
        self.right_splitter = right_split
        lists.setSizes([260, 220])
        upper.setSizes([700, 450])
        right_split.setSizes([540, 400])
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        rl.addWidget(self.first_start)
        rl.addWidget(self.first_job)
        rl.addWidget(self.title)
        rl.addWidget(self.subtitle)
        rl.addWidget(self.error)
        rl.addWidget(self.warnings)
        rl.addWidget(right_split, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 1180])
        self.splitter.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)
        self._set_result_enabled(False)

    # ---- settings ------------------------------------------------------------------------
    def _restore(self) -> None:
        s = QSettings()
        s.beginGroup("prediction")
        self.top_k.setValue(int(s.value("top_k", 10)))
        self.n_candidates.setValue(int(s.value("candidates", 5)))
        self.threshold.setValue(float(s.value("threshold", 0.0)))
        self.browser.search.setText(str(s.value("search", "")))
        self.browser.only_without.setChecked(s.value("only_without_routing", "false") in (True, "true"))
        self.codes_edit.setPlainText(str(s.value("codes", "")))
        self.input_tabs.setCurrentIndex(int(s.value("input_tab", 0)))
        self.chart.lot.setValue(int(s.value("lot_size", 1)))
        self.form_code.setText(str(s.value("form/ITEM_CD", "NEW-ITEM")))
        for col, w in self.form_fields.items():
            v = str(s.value(f"form/{col}", ""))
            w.setCurrentText(v) if isinstance(w, QComboBox) else w.setText(v)
        for name, sp in (("splitter", self.splitter), ("upper", self.upper_splitter),
                         ("lists", self.lists_splitter), ("right", self.right_splitter)):
            state = s.value(name)
            if state is not None:
                sp.restoreState(state)
        s.endGroup()

    def save_settings(self) -> None:
        s = QSettings()
        s.beginGroup("prediction")
        s.setValue("top_k", self.top_k.value())
        s.setValue("candidates", self.n_candidates.value())
        s.setValue("threshold", self.threshold.value())
        s.setValue("search", self.browser.search.text())
        s.setValue("only_without_routing", self.browser.only_without.isChecked())
        s.setValue("codes", self.codes_edit.toPlainText()[:200_000])
        s.setValue("input_tab", self.input_tabs.currentIndex())
        s.setValue("lot_size", self.chart.lot.value())
        s.setValue("form/ITEM_CD", self.form_code.text())
        for col, w in self.form_fields.items():
            s.setValue(f"form/{col}", w.currentText() if isinstance(w, QComboBox) else w.text())
        for name, sp in (("splitter", self.splitter), ("upper", self.upper_splitter),
                         ("lists", self.lists_splitter), ("right", self.right_splitter)):
            s.setValue(name, sp.saveState())
        s.endGroup()

    # ---- model / store changes -----------------------------------------------------------
    def _store_changed(self) -> None:
        self.browser.set_store(self.ctx.store)
        self._clear_result()
        self.batch_model.set_batch([], PredictionBatch("", [], []))

    def _model_changed(self) -> None:
        model = self.ctx.model
        self._fill_versions()
        palette = getattr(self.ctx, "palette", None) or []
        resources = getattr(self.ctx, "resources", None) or []
        self.editor.set_palette(palette, resources)
        if model is not None:
            levels = model.encoder.levels
            for col, w in self.form_fields.items():
                if isinstance(w, QComboBox):
                    keep = w.currentText()
                    w.clear()
                    w.addItems([""] + [str(v) for v in levels.get(col, [])])
                    w.setCurrentText(keep)
        self._update_predict_enabled()

    def _fill_versions(self) -> None:
        keep = self.version_box.currentData()
        self.version_box.blockSignals(True)
        self.version_box.clear()
        active = self.ctx.active_version
        self.version_box.addItem(self.tr("active model (%1)").replace("%1", active or self.tr("none")), None)
        for m in self.ctx.models:
            self.version_box.addItem(f"{m['version']}  ·  {m.get('created_by') or ''}", m["version"])
        i = self.version_box.findData(keep)
        self.version_box.setCurrentIndex(i if i >= 0 else 0)
        self.version_box.blockSignals(False)

    def _update_predict_enabled(self) -> None:
        ready = self.ctx.model is not None and not self._busy
        self.predict_button.setEnabled(ready)
        if self.ctx.model is None:
            self.predict_button.setToolTip(self.ctx.model_error or self.tr("Waiting for the model to load…"))
        else:
            self.predict_button.setToolTip(self.tr("Predict the selected item, the pasted codes or the described "
                                                   "item (Enter)"))

    def _count_codes(self) -> None:
        n = len(prediction.parse_codes(self.codes_edit.toPlainText()))
        self.codes_count.setText(self.tr("%1 item codes").replace("%1", f"{n:,}") if n else "")

    # ---- predicting ----------------------------------------------------------------------
    def options(self) -> PredictOptions:
        return PredictOptions(top_k=self.top_k.value(), candidates=self.n_candidates.value(),
                              threshold=self.threshold.value())

    def version(self) -> str | None:
        return self.version_box.currentData()

    def predict(self) -> None:
        page = self.input_tabs.currentIndex()
        if page == 0:
            code = self.browser.current_code()
            if code:
                self.predict_code(code)
            else:
                self.error.show_message(self.tr("Select an item in the item master first."))
        elif page == 1:
            codes = prediction.parse_codes(self.codes_edit.toPlainText())
            if codes:
                self.predict_codes(codes)
            else:
                self.error.show_message(self.tr("Paste or type at least one item code."))
        else:
            self.predict_form()

    def _start(self, fn, on_result, message: str, long: bool = False):
        if self.ctx.model is None:
            self.error.show_message(self.ctx.model_error or self.tr("The model is still loading; try again in a "
                                                                    "moment."))
            return None
        self.error.hide()
        self._busy = True
        self._update_predict_enabled()
        task = self.ctx.runner.start(fn, "prediction", long=long, on_result=on_result,
                                     on_error=self._failed, on_done=self._job_done)
        self.job.attach(task, message)
        return task

    def _job_done(self) -> None:
        self._busy = False
        self._update_predict_enabled()

    def _failed(self, message: str) -> None:
        self.error.show_message(message)
        self.prediction_failed.emit(message)

    def predict_code(self, code: str):
        store, opts, version, user = self.ctx.store, self.options(), self.version(), self.ctx.user

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
        store, opts, version, user = self.ctx.store, self.options(), self.version(), self.ctx.user

        def work(p):
            return codes, prediction.predict_items(store, codes, opts, version, p, user=user)

        return self._start(work, self._batch_arrived,
                           self.tr("predicting %1 items…").replace("%1", f"{len(codes):,}"), long=True)

    def _batch_arrived(self, result) -> None:
        codes, batch = result
        self.batch_model.set_batch(codes, batch)
        ok = sum(1 for r in self.batch_model.rows if r["status"] == "ok")
        unknown = sum(1 for r in self.batch_model.rows if r["status"] == "unknown")
        self.batch_summary.setText(self.tr("%1 items: %2 with a candidate, %3 unknown — double-click a row to "
                                           "open it").replace("%1", f"{len(codes):,}").replace("%2", f"{ok:,}")
                                   .replace("%3", f"{unknown:,}"))
        self.batch_finished.emit(len(self.batch_model.rows))
        if len(codes) == 1 and ok:
            self.open_batch_row(0)

    def open_batch_row(self, row: int) -> None:
        if not 0 <= row < len(self.batch_model.rows):
            return
        r = self.batch_model.rows[row]
        if r["prediction"] is None:
            self.error.show_message(r["message"])
            return
        store, code, version = self.ctx.store, r["code"], self.batch_model.model_version
        pred = r["prediction"]
        self.ctx.runner.start(lambda p: (routings.load_saved(store, code), catalog.item_details(store, code)),
                              "open batch row",
                              on_result=lambda res: self.show_prediction(pred, version, res[0], res[1]),
                              on_error=self._failed)

    def form_attributes(self) -> dict[str, Any]:
        out = {}
        for col, w in self.form_fields.items():
            v = (w.currentText() if isinstance(w, QComboBox) else w.text()).strip()
            if v:
                out[col] = v.replace(",", ".") if dict(FORM_FIELDS)[col] == "num" else v
        return out

    def predict_form(self):
        attrs = self.form_attributes()
        if not attrs:
            self.error.show_message(self.tr("Describe the new item first (at least its PART_TYPE)."))
            return None
        code = self.form_code.text().strip().upper() or "NEW-ITEM"
        store, opts, version, user = self.ctx.store, self.options(), self.version(), self.ctx.user

        def work(p):
            batch = prediction.predict_attributes(store, attrs, opts, version, code=code, user=user)
            return batch, routings.load_saved(store, code), dict(attrs, ITEM_CD=code)

        return self._start(work, lambda r: self.show_prediction(r[0].predictions[0], r[0].model_version, r[1], r[2]),
                           self.tr("predicting %1…").replace("%1", code))

    def fill_form_from_selection(self) -> None:
        code = self.browser.current_code()
        if not code:
            self.error.show_message(self.tr("Select an item in the item master first."))
            return
        store = self.ctx.store
        self.ctx.runner.start(lambda p: catalog.item_details(store, code), "item details",
                              on_result=self._fill_form, on_error=self._failed)

    def _fill_form(self, details: dict | None) -> None:
        if not details:
            return
        for col, w in self.form_fields.items():
            v = details.get(col)
            text = "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
            w.setCurrentText(text) if isinstance(w, QComboBox) else w.setText(text)
        self.form_code.setText("NEW-ITEM")
        self.input_tabs.setCurrentIndex(2)

    def clear_form(self) -> None:
        for w in self.form_fields.values():
            w.setCurrentText("") if isinstance(w, QComboBox) else w.clear()

    # ---- showing a result ----------------------------------------------------------------
    def _clear_result(self) -> None:
        self.item_cd = None
        self.prediction = None
        self.similar_model.set_rows([])
        self.editor.set_model(None)
        self.editor.forget_stacks()
        self.entries = []
        self.candidate_model.set_entries([])
        self.chart.set_operations([])
        self.saved_label.clear()
        self.dirty_label.clear()
        self.conflict.hide()
        self.warnings.hide()
        self._set_result_enabled(False)

    def _set_result_enabled(self, on: bool) -> None:
        self.save_button.setEnabled(on)
        self.status_box.setEnabled(on)

    def show_prediction(self, pred: Prediction, model_version: str, saved: SavedRouting | None,
                        details: dict | None) -> None:
        self._clear_result()
        self.item_cd = pred.ITEM_CD
        self.prediction = pred
        self.prediction_version = model_version
        self.opened_revision = saved.revision if saved else None
        d = details or {}
        name = str(d.get("ITEM_NM") or "").replace("\n", " ")
        self.title.setText(f"<b>{pred.ITEM_CD}</b>" + (f"  ·  {name}" if name else ""))
        parts = [str(d[c]) for c in ("PART_TYPE", "ITEM_MATERIAL") if d.get(c)]
        dims = [f"{label} {d[c]:g}" for c, label in (("OUTDIAMETER", "OD"), ("INDIAMETER", "ID"),
                                                       ("OUTTHICKNESS", "T")) if isinstance(d.get(c), (int, float))]
        if d.get("ITEM_SPEC"):
            parts.append(str(d["ITEM_SPEC"]).replace("\n", " "))
        self.subtitle.setText("  ·  ".join(parts + ([" × ".join(dims) + " mm"] if dims else []) +
                                           [self.tr("model %1").replace("%1", model_version)]))
        if pred.warnings:
            self.warnings.show_message("⚠ " + "\n⚠ ".join(word(w) for w in pred.warnings))
        self.similar_model.set_rows(pred.similar_items)
        entries = []
        if saved is not None:
            entries.append(RoutingEntry("saved", OperationsModel(saved.operations, self), saved=saved))
        for c in pred.candidates:
            entries.append(RoutingEntry("candidate", OperationsModel(c.operations, self), c.rank, c.score,
                                        c.support_items, c.outsourced_count))
        for e in entries:
            e.model.stack.cleanChanged.connect(lambda _c: self._dirty_changed())
        self.entries = entries
        self.candidate_model.set_entries(entries)
        self._show_saved_label(saved, just_saved=False)
        self._set_result_enabled(bool(entries))
        if entries:
            self.candidate_table.selectRow(0)
            self.select_entry(0)
        else:
            self.chart.set_operations([])
        self.prediction_shown.emit(pred.ITEM_CD)

    def select_entry(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        e = self.entries[row]
        if e is self.current_entry and self.editor.model is e.model:
            return
        self.current_entry = e
        self.editor.set_model(e.model)
        if e.kind == "saved" and e.saved is not None:
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(e.saved.status)))
        self._operations_changed()
        self._dirty_changed()

    def select_candidate(self, row: int) -> None:
        """Select an entry as a click would (tests and keyboard)."""
        self.candidate_table.selectRow(row)
        self.select_entry(row)

    def _operations_changed(self) -> None:
        model = self.editor.model
        self.chart.set_operations(model.operations if model is not None else [])
        self.candidate_model.refresh()

    def _dirty_changed(self) -> None:
        model = self.editor.model
        if not shiboken6.isValid(self) or (model is not None and not shiboken6.isValid(model.stack)):
            return  # the window is being torn down
        dirty = model is not None and not model.stack.isClean()
        self.dirty_label.setText(self.tr("unsaved changes") if dirty else "")
        self.candidate_model.refresh()

    def _show_saved_label(self, saved: SavedRouting | None, just_saved: bool) -> None:
        if saved is None:
            self.saved_label.setText(self.tr("Not saved yet for this item."))
            return
        status = self.tr("draft") if saved.status == "draft" else self.tr("submitted")
        text = (self.tr("Saved revision %1 by %2 at %3 (%4)") if just_saved else
                self.tr("Last saved: revision %1 by %2 at %3 (%4)"))
        self.saved_label.setText("✔ " + text.replace("%1", str(saved.revision)).replace("%2", saved.updated_by)
                                 .replace("%3", f"{saved.updated_at:%Y-%m-%d %H:%M:%S}").replace("%4", status))

    # ---- saving --------------------------------------------------------------------------
    def save(self) -> SavedRouting | None:
        e = self.current_entry
        if self.item_cd is None or e is None or self.editor.model is None:
            return None
        self.editor.table.setFocus()  # ends an open cell editor so its value is committed first
        self.conflict.hide()
        status = self.status_box.currentData()
        try:
            saved = routings.save_routing(self.ctx.store, self.item_cd, e.model.current_operations(), status=status,
                                          expected_revision=self.opened_revision,
                                          model_version=self.prediction_version,
                                          candidate_rank=e.rank if e.kind == "candidate" else None,
                                          user=self.ctx.user)
        except ConflictError as exc:
            self.conflict.show_message(
                self.tr("Not saved: %1 changed the routing of %2 at %3 (now revision %4) after you opened it. "
                        "Reload to see their version; your edits stay in this candidate until you reload.")
                .replace("%1", exc.by).replace("%2", exc.item_cd).replace("%3", f"{exc.at:%Y-%m-%d %H:%M:%S}")
                .replace("%4", str(exc.revision)))
            return None
        except Exception as exc:  # noqa: BLE001 - RoutingError (validation) or a database error
            self.editor.message.show_message(self.tr("Not saved: %1").replace("%1", str(exc)))
            return None
        self.opened_revision = saved.revision
        e.model.stack.setClean()
        self._update_saved_entry(saved)
        self._show_saved_label(saved, just_saved=True)
        self.saved.emit(saved)
        return saved

    def _update_saved_entry(self, saved: SavedRouting) -> None:
        existing = next((x for x in self.entries if x.kind == "saved"), None)
        if existing is not None and existing is not self.current_entry:
            existing.saved = saved
            existing.model.beginResetModel()
            existing.model.operations = [copy.deepcopy(o) for o in saved.operations]
            existing.model._renumber()
            existing.model.endResetModel()
            existing.model.stack.clear()
        elif existing is not None:
            existing.saved = saved
        else:
            entry = RoutingEntry("saved", OperationsModel(saved.operations, self), saved=saved)
            entry.model.stack.cleanChanged.connect(lambda _c: self._dirty_changed())
            self.candidate_model.beginResetModel()
            self.entries.insert(0, entry)
            self.candidate_model.endResetModel()
            row = self.entries.index(self.current_entry) if self.current_entry in self.entries else 0
            self.candidate_table.blockSignals(True)
            self.candidate_table.selectionModel().blockSignals(True)
            self.candidate_table.selectRow(row)
            self.candidate_table.selectionModel().blockSignals(False)
            self.candidate_table.blockSignals(False)
        self.candidate_model.refresh()

    def reload_saved(self) -> None:
        if self.item_cd is None:
            return
        saved = routings.load_saved(self.ctx.store, self.item_cd)
        self.conflict.hide()
        if saved is None:
            self.opened_revision = None
            return
        self.opened_revision = saved.revision
        existing = next((x for x in self.entries if x.kind == "saved"), None)
        entry = RoutingEntry("saved", OperationsModel(saved.operations, self), saved=saved)
        entry.model.stack.cleanChanged.connect(lambda _c: self._dirty_changed())
        self.candidate_model.beginResetModel()
        if existing is not None:
            self.entries[self.entries.index(existing)] = entry
        else:
            self.entries.insert(0, entry)
        self.candidate_model.endResetModel()
        self.current_entry = None
        self.select_candidate(0)
        self._show_saved_label(saved, just_saved=False)
