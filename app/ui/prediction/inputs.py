"""What to predict: the item master, pasted item codes (a batch), or a new item described in a form;
with the options of the search and the Predict button."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QTabWidget,
                               QVBoxLayout, QWidget)

from app.domain.routing import RoutingError
from app.ml.model import PredictOptions
from app.services import prediction
from app.ui.context import AppContext
from app.ui.item_browser import ItemBrowser
from app.ui.numbers import NumberError, parse_decimal
from app.ui.prediction.models import BatchModel
from app.ui.widgets import JobBar, ShareBarDelegate, fit_to_contents, read_only_table, repaint_tab_widget_only_when_moved

# the attributes a new item is described by: (column, kind) — kind "cat" offers the model's known values
FORM_FIELDS = [
    ("PART_TYPE", "cat"), ("ITEM_MATERIAL", "cat"), ("OUTDIAMETER", "num"), ("INDIAMETER", "num"),
    ("OUTTHICKNESS", "num"), ("ITEM_SPEC", "text"), ("ADDITIONAL_SPEC", "text"), ("RAW_MATL_KIND", "cat"),
    ("SealTypeGrup", "cat"), ("IN_SEALTYPE_CD", "cat"), ("IN_SEALSIZE", "num"), ("ITEM_ACCT", "cat"),
    ("ITEM_TYPE", "cat"), ("STANDARD_YN", "cat"), ("ROTATE_CLOCKWISE", "cat"),
]
NUMERIC_FIELDS = {c for c, kind in FORM_FIELDS if kind == "num"}
PAGE_ITEMS, PAGE_CODES, PAGE_NEW = 0, 1, 2


class FormError(RoutingError):
    """A value in the new-item form that is not a number (or could mean two numbers)."""


class InputPanel(QWidget):
    predict_requested = Signal()
    input_changed = Signal()        # the engineer changed what to predict: an old message may be stale
    batch_row_opened = Signal(int)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("inputPanel")
        self.ctx = ctx
        self.browser = ItemBrowser(ctx.runner)
        self.browser.item_activated.connect(lambda _code: self.predict_requested.emit())
        self.browser.selection_changed.connect(lambda _code: self.input_changed.emit())

        # pasted codes
        self.codes_edit = QPlainTextEdit()
        self.codes_edit.setObjectName("codesEdit")
        self.codes_edit.setPlaceholderText(self.tr("Paste or type item codes: one per line, or separated by "
                                                   "commas, tabs or spaces (Ctrl+Enter predicts)"))
        self.codes_edit.setMaximumHeight(110)
        self.codes_count = QLabel()
        self.codes_count.setObjectName("muted")
        self.codes_edit.textChanged.connect(self._count_codes)
        self.codes_edit.textChanged.connect(self.input_changed)
        self.batch_model = BatchModel(self)
        self.batch_table = read_only_table("batchTable")
        self.batch_table.setModel(self.batch_model)
        self.batch_table.setItemDelegateForColumn(2, ShareBarDelegate(self.batch_table))
        fit_to_contents(self.batch_table)
        self.batch_table.doubleClicked.connect(lambda idx: self.batch_row_opened.emit(idx.row()))
        self.batch_summary = QLabel()
        self.batch_summary.setObjectName("muted")
        self.batch_summary.setWordWrap(True)
        codes_page = QWidget()
        cl = QVBoxLayout(codes_page)
        cl.setContentsMargins(6, 6, 6, 6)
        cl.addWidget(self.codes_edit)
        cl.addWidget(self.codes_count)
        cl.addWidget(self.batch_table, 1)
        cl.addWidget(self.batch_summary)

        # a new item described by its attributes
        form_page = QWidget()
        form_outer = QVBoxLayout(form_page)
        form_outer.setContentsMargins(6, 6, 6, 6)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_code = QLineEdit()
        self.form_code.setObjectName("form_ITEM_CD")
        self.form_code.setPlaceholderText(self.tr("needed to save"))
        self.form_code.setToolTip(self.tr("The code the routing is saved under: a code no item has yet"))
        self.form_code.textChanged.connect(lambda _t: self.input_changed.emit())
        form.addRow("ITEM_CD", self.form_code)
        self.form_fields: dict[str, QWidget] = {}
        decimal = QLocale().decimalPoint()
        for col, kind in FORM_FIELDS:
            if kind == "cat":
                w = QComboBox()
                w.setEditable(True)
                w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                w.currentTextChanged.connect(lambda _t: self.input_changed.emit())
                field: QWidget = w
            else:
                w = QLineEdit()
                w.textChanged.connect(lambda _t: self.input_changed.emit())
                field = w
                if kind == "num":
                    w.setAlignment(Qt.AlignmentFlag.AlignRight)
                    w.setPlaceholderText(self.tr("e.g. %1").replace("%1", f"12{decimal}5"))
                    w.textChanged.connect(lambda _t, e=w: self._check_number(e))
                    # the unit stays in view whatever is typed
                    field = QWidget()
                    row = QHBoxLayout(field)
                    row.setContentsMargins(0, 0, 0, 0)
                    row.addWidget(w, 1)
                    unit = QLabel("mm")
                    unit.setObjectName("muted")
                    row.addWidget(unit)
            w.setObjectName(f"form_{col}")
            self.form_fields[col] = w
            form.addRow(col, field)
        self.fill_form_button = QPushButton(self.tr("Copy attributes of the selected item"))
        self.fill_form_button.setToolTip(self.tr("Start from an existing item picked in the item master"))
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

        self.tabs = repaint_tab_widget_only_when_moved(QTabWidget())
        self.tabs.setObjectName("inputTabs")
        self.tabs.addTab(self.browser, self.tr("Item master"))
        self.tabs.addTab(codes_page, self.tr("Item codes"))
        self.tabs.addTab(scroll, self.tr("New item"))
        self.tabs.currentChanged.connect(lambda _i: self.input_changed.emit())

        # options
        self.top_k = QSpinBox()
        self.top_k.setRange(1, 200)
        self.top_k.setValue(PredictOptions.top_k)   # the command line's defaults, so both propose the same
        self.top_k.setObjectName("topK")
        self.top_k.setToolTip(self.tr("How many similar items to look at (top-k)"))
        self.n_candidates = QSpinBox()
        self.n_candidates.setRange(1, 20)
        self.n_candidates.setValue(PredictOptions.candidates)
        self.n_candidates.setObjectName("nCandidates")
        self.n_candidates.setToolTip(self.tr("How many distinct candidate routings to propose"))
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setObjectName("threshold")
        self.threshold.setToolTip(self.tr("Similar items below this cosine similarity are ignored"))
        self.version_box = QComboBox()
        self.version_box.setObjectName("modelVersion")
        self.version_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.version_box.setMinimumContentsLength(12)
        opts = QGroupBox(self.tr("Options"))
        og = QGridLayout(opts)
        og.setHorizontalSpacing(6)
        og.setVerticalSpacing(4)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        og.addWidget(QLabel(self.tr("Similar items")), 0, 0, right)
        og.addWidget(self.top_k, 0, 1)
        og.addWidget(QLabel(self.tr("Candidates")), 0, 2, right)
        og.addWidget(self.n_candidates, 0, 3)
        og.addWidget(QLabel(self.tr("Threshold")), 1, 0, right)
        og.addWidget(self.threshold, 1, 1)
        og.addWidget(QLabel(self.tr("Model")), 2, 0, right)
        og.addWidget(self.version_box, 2, 1, 1, 3)
        og.setColumnStretch(1, 1)
        og.setColumnStretch(3, 1)

        self.predict_button = QPushButton(self.tr("Predict"))
        self.predict_button.setObjectName("primary")
        self.predict_button.clicked.connect(self.predict_requested)
        self.job = JobBar()
        pb = QHBoxLayout()
        pb.addWidget(self.job, 1)
        pb.addWidget(self.predict_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(opts)
        lay.addLayout(pb)
        for seq in (Qt.Key.Key_Return, Qt.Key.Key_Enter, "Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.predict_requested)

    # ---- options -------------------------------------------------------------------------
    def options(self) -> PredictOptions:
        return PredictOptions(top_k=self.top_k.value(), candidates=self.n_candidates.value(),
                              threshold=self.threshold.value())

    def version(self) -> str | None:
        return self.version_box.currentData()

    def fill_versions(self) -> None:
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

    def set_levels(self, levels: dict[str, list]) -> None:
        """The model's known values of each categorical attribute, offered in the form's drop-downs."""
        for col, w in self.form_fields.items():
            if isinstance(w, QComboBox):
                keep = w.currentText()
                w.blockSignals(True)
                w.clear()
                w.addItems([""] + [str(v) for v in levels.get(col, [])])
                w.setCurrentText(keep)
                w.blockSignals(False)

    def set_busy(self, busy: bool) -> None:
        ready = self.ctx.model is not None and not busy
        self.predict_button.setEnabled(ready)
        if self.ctx.model is None:
            self.predict_button.setToolTip(self.ctx.model_error or self.tr("Waiting for the model to load…"))
        else:
            self.predict_button.setToolTip(self.tr("Predict the selected item, the pasted codes or the described "
                                                   "item (Enter)"))

    # ---- codes ---------------------------------------------------------------------------
    def codes(self) -> list[str]:
        return prediction.parse_codes(self.codes_edit.toPlainText())

    def _count_codes(self) -> None:
        n = len(self.codes())
        self.codes_count.setText(self.tr("%1 item codes").replace("%1", f"{n:,}") if n else "")

    # ---- the new-item form ---------------------------------------------------------------
    def form_item_code(self) -> str:
        return self.form_code.text().strip().upper()

    def _number(self, col: str, text: str) -> float:
        try:
            return parse_decimal(text, QLocale().decimalPoint())
        except NumberError as exc:
            if exc.reason == "ambiguous":
                raise FormError(self.tr("%1: “%2” could mean a thousands separator or a decimal comma; type it "
                                        "without the separator (1500) or with a decimal point (1.5).")
                                .replace("%1", col).replace("%2", text)) from None
            raise FormError(self.tr("%1: “%2” is not a number.").replace("%1", col).replace("%2", text)) from None

    def _check_number(self, edit: QLineEdit) -> None:
        """A field holding something that is not one clear number turns red and says why."""
        col = edit.objectName().removeprefix("form_")
        text = edit.text().strip()
        problem = ""
        if text:
            try:
                self._number(col, text)
            except FormError as exc:
                problem = str(exc)
        edit.setProperty("invalid", bool(problem))
        edit.setToolTip(problem)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    def form_attributes(self) -> dict[str, Any]:
        """The attributes typed in the form; numbers as floats. Raises FormError naming the field."""
        out: dict[str, Any] = {}
        for col, w in self.form_fields.items():
            v = (w.currentText() if isinstance(w, QComboBox) else w.text()).strip()
            if v:
                out[col] = self._number(col, v) if col in NUMERIC_FIELDS else v
        return out

    def fill_form(self, details: dict | None) -> None:
        if not details:
            return
        for col, w in self.form_fields.items():
            v = details.get(col)
            text = "" if v is None else (QLocale().toString(float(v), "g", 10) if isinstance(v, float) else str(v))
            if isinstance(w, QComboBox):
                w.setCurrentText(text)
            else:
                w.setText(text)
                w.setCursorPosition(0)   # the start of a long specification in view
        self.form_code.clear()   # a copy is a new item: it needs its own code
        self.tabs.setCurrentIndex(PAGE_NEW)

    def clear_form(self) -> None:
        self.form_code.clear()
        for w in self.form_fields.values():
            w.setCurrentText("") if isinstance(w, QComboBox) else w.clear()

    # ---- settings ------------------------------------------------------------------------
    def restore(self, s: QSettings) -> None:
        self.top_k.setValue(int(s.value("top_k", PredictOptions.top_k)))
        self.n_candidates.setValue(int(s.value("candidates", PredictOptions.candidates)))
        self.threshold.setValue(float(s.value("threshold", PredictOptions.threshold)))
        self.browser.search.setText(str(s.value("search", "")))
        self.browser.only_without.setChecked(s.value("only_without_routing", "false") in (True, "true"))
        self.codes_edit.setPlainText(str(s.value("codes", "")))
        self.tabs.setCurrentIndex(int(s.value("input_tab", 0)))
        code = str(s.value("form/ITEM_CD", ""))
        self.form_code.setText("" if code.upper() == "NEW-ITEM" else code)   # the old placeholder is no code
        for col, w in self.form_fields.items():
            v = str(s.value(f"form/{col}", ""))
            w.setCurrentText(v) if isinstance(w, QComboBox) else w.setText(v)

    def save(self, s: QSettings) -> None:
        s.setValue("top_k", self.top_k.value())
        s.setValue("candidates", self.n_candidates.value())
        s.setValue("threshold", self.threshold.value())
        s.setValue("search", self.browser.search.text())
        s.setValue("only_without_routing", self.browser.only_without.isChecked())
        s.setValue("codes", self.codes_edit.toPlainText()[:200_000])
        s.setValue("input_tab", self.tabs.currentIndex())
        s.setValue("form/ITEM_CD", self.form_code.text())
        for col, w in self.form_fields.items():
            s.setValue(f"form/{col}", w.currentText() if isinstance(w, QComboBox) else w.text())
