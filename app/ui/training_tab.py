"""The Training tab: the data and its quality, feature weights, training with progress and Cancel,
the model registry (activate, roll back) and each version's evaluation against the baselines."""
from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSlider, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from app.ml.features import GROUPS, WEIGHT_PRESETS, EncoderParams
from app.services import models, quality
from app.ui.context import AppContext
from app.ui.look import MUTED_TEXT, SAVED_BACKGROUND, fmt_share
from app.ui.time_chart import still_plot
from app.ui.widgets import Banner, JobBar, RowsTableModel, fit_columns, read_only_table
from app.ui.wording import Labels

ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
METHODS = ("model", "knn_vote", "nearest_item", "part_type_mode")
METRICS = ("top1_exact", "top3_hit", "levenshtein", "jaccard", "run_mdape", "run_within_25", "setup_mdape",
           "setup_within_25")
PLOT_METRICS = ("top1_exact", "top3_hit", "jaccard", "run_within_25", "setup_within_25")
METHOD_COLOURS = {"model": "#2f6db5", "knn_vote": "#9db4d3", "nearest_item": "#e0a458", "part_type_mode": "#b9b9b9"}


def _fmt_metric(key: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if key == "levenshtein" or key == "jaccard":
        return f"{v:.3f}"
    return fmt_share(v)


class RegistryModel(RowsTableModel):
    COLUMNS = ["version", "created_at", "created_by", "items", "top1", "top3", "run25", "active"]
    rows: list[dict[str, Any]]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        name = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"version": self.tr("Version"), "created_at": self.tr("Trained"), "created_by": self.tr("By"),
                    "items": self.tr("Items"), "top1": self.tr("Top-1"), "top3": self.tr("Top-3"),
                    "run25": self.tr("Run ±25 %"), "active": self.tr("Active")}[name]
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("items", "top1", "top3", "run25"):
            return ALIGN_RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self.rows[index.row()]
        name = self.COLUMNS[index.column()]
        met = ((m.get("metrics") or {}).get("methods") or {}).get("model") or {}
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "version":
                return m["version"]
            if name == "created_at":
                at = m.get("created_at")
                return f"{at:%Y-%m-%d %H:%M}" if isinstance(at, datetime) else str(at or "")
            if name == "created_by":
                return m.get("created_by") or ""
            if name == "items":
                n = (m.get("summary") or {}).get("indexed_items")
                return f"{n:,}" if isinstance(n, int) else ""
            if name in ("top1", "top3", "run25"):
                key = {"top1": "top1_exact", "top3": "top3_hit", "run25": "run_within_25"}[name]
                return _fmt_metric(key, met.get(key)) if met else "–"
            if name == "active":
                return self.tr("● active") if m.get("active") else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("items", "top1", "top3", "run25"):
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.BackgroundRole and m.get("active"):
            return QBrush(SAVED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and m.get("active"):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ForegroundRole and name in ("top1", "top3", "run25") and not met:
            return QBrush(MUTED_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole and name in ("top1", "top3", "run25") and not met:
            return self.tr("not evaluated yet")
        return None


class MetricsModel(QAbstractTableModel):
    """Methods (rows) × metrics (columns) of one evaluation."""

    def __init__(self, labels: Labels, parent=None):
        super().__init__(parent)
        self.labels = labels
        self.methods: dict[str, dict[str, float]] = {}

    def set_metrics(self, methods: dict[str, dict[str, float]]) -> None:
        self.beginResetModel()
        self.methods = {m: methods[m] for m in METHODS if m in methods}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.methods)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(METRICS) + 1

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("Method") if section == 0 else self.labels.metrics[METRICS[section - 1]]
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return METRICS[section - 1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        method = list(self.methods)[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return self.labels.methods.get(method, method)
            key = METRICS[index.column() - 1]
            return _fmt_metric(key, self.methods[method].get(key))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.FontRole and method == "model":
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.BackgroundRole and method == "model":
            return QBrush(QColor("#e8f0fb"))
        return None


class PartTypeModel(RowsTableModel):
    COLUMNS = ["PART_TYPE", "items", "top1_exact"]
    rows: list[tuple[str, int, float]]

    def set_per_type(self, per_type: dict[str, dict[str, float]]) -> None:
        self.set_rows(sorted(((t or "—", int(v.get("items", 0)), float(v.get("top1_exact", 0.0)))
                              for t, v in per_type.items()), key=lambda r: -r[1]))

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ["PART_TYPE", self.tr("Held-out items"), self.tr("Top-1 exact")][section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0:
            return ALIGN_RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t, n, top1 = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return [t, f"{n:,}", fmt_share(top1)][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return ALIGN_RIGHT
        return None


class TrainingTab(QWidget):
    training_finished = Signal(str)     # version
    training_cancelled = Signal()
    training_failed = Signal(str)
    evaluation_finished = Signal(str)
    quality_ready = Signal(dict)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.labels = Labels()
        self.train_task = None
        self.report: dict | None = None
        self._quality_requested = False
        self._build()
        self._restore()
        self.apply_role()
        ctx.models_changed.connect(self._models_changed)
        ctx.store_changed.connect(self._store_changed)
        ctx.busy_changed.connect(lambda _b: self.apply_role())

    # ---- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        # data and its quality
        self.source_label = QLabel()
        self.source_label.setObjectName("sourceSummary")
        self.source_label.setWordWrap(True)
        self.quality_button = QPushButton(self.tr("Check data quality"))
        self.quality_button.clicked.connect(self.run_quality)
        self.quality_view = QTextBrowser()
        self.quality_view.setObjectName("qualityReport")
        self.quality_view.setOpenLinks(False)
        self.quality_job = JobBar()
        data_box = QGroupBox(self.tr("Data and its quality"))
        dl = QVBoxLayout(data_box)
        top = QHBoxLayout()
        top.addWidget(self.source_label, 1)
        top.addWidget(self.quality_button, 0, Qt.AlignmentFlag.AlignTop)
        dl.addLayout(top)
        dl.addWidget(self.quality_job)
        dl.addWidget(self.quality_view, 1)

        # weights and training
        self.preset_box = QComboBox()
        self.preset_box.setObjectName("presetBox")
        for key in WEIGHT_PRESETS:
            self.preset_box.addItem(self.labels.presets.get(key, key), key)
        self.preset_box.addItem(self.tr("custom"), "custom")
        self.preset_box.currentIndexChanged.connect(self._preset_chosen)
        self.weight_spins: dict[str, QDoubleSpinBox] = {}
        self.weight_sliders: dict[str, QSlider] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.addWidget(QLabel(self.tr("Preset")), 0, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.preset_box, 0, 1, 1, 2)
        for r, g in enumerate(GROUPS, start=1):
            label = QLabel(self.labels.groups.get(g, g))
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
            self.weight_spins[g] = spin
            self.weight_sliders[g] = slider
            grid.addWidget(label, r, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(slider, r, 1)
            grid.addWidget(spin, r, 2)
        grid.setColumnStretch(1, 1)
        self.train_button = QPushButton(self.tr("Train new model"))
        self.train_button.setObjectName("primary")
        self.train_button.clicked.connect(self.train)
        self.evaluate_after = QCheckBox(self.tr("Evaluate after training"))
        self.evaluate_after.setChecked(True)
        self.train_job = JobBar()
        self.train_job.setObjectName("trainJob")
        self.train_error = Banner("error")
        self.log = QPlainTextEdit()
        self.log.setObjectName("trainLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        train_box = QGroupBox(self.tr("Feature weights and training"))
        tl = QVBoxLayout(train_box)
        tl.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.evaluate_after)
        row.addStretch(1)
        row.addWidget(self.train_button)
        tl.addLayout(row)
        tl.addWidget(self.train_job)
        tl.addWidget(self.train_error)
        tl.addWidget(QLabel(self.tr("Log")))
        tl.addWidget(self.log, 1)

        # registry
        self.registry_model = RegistryModel(self)
        self.registry_table = read_only_table("registryTable")
        self.registry_table.setModel(self.registry_model)
        fit_columns(self.registry_table, [150, 140, 90, 70, 64, 64, 80, 70])
        self.registry_table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show_version(cur.row()))
        self.activate_button = QPushButton(self.tr("Activate"))
        self.activate_button.clicked.connect(self.activate_selected)
        self.rollback_button = QPushButton(self.tr("Roll back"))
        self.rollback_button.clicked.connect(self.rollback)
        self.evaluate_button = QPushButton(self.tr("Evaluate"))
        self.evaluate_button.setToolTip(self.tr("Hold out 20 % of the routed items and score this version and the "
                                                "baselines on them"))
        self.evaluate_button.clicked.connect(self.evaluate_selected)
        self.registry_message = Banner("error")
        reg_box = QGroupBox(self.tr("Model versions"))
        rl = QVBoxLayout(reg_box)
        rl.addWidget(self.registry_table, 1)
        rb = QHBoxLayout()
        rb.addWidget(self.activate_button)
        rb.addWidget(self.rollback_button)
        rb.addStretch(1)
        rb.addWidget(self.evaluate_button)
        rl.addLayout(rb)
        rl.addWidget(self.registry_message)

        # evaluation
        self.eval_title = QLabel()
        self.eval_title.setObjectName("muted")
        self.eval_title.setWordWrap(True)
        self.metrics_model = MetricsModel(self.labels, self)
        self.metrics_table = read_only_table("metricsTable")
        self.metrics_table.setModel(self.metrics_model)
        fit_columns(self.metrics_table, [200] + [72] * len(METRICS), stretch_last=False)
        self.metrics_table.setMaximumHeight(24 * 5 + 30)
        self.part_model = PartTypeModel(self)
        self.part_table = read_only_table("partTypeTable")
        self.part_table.setModel(self.part_model)
        fit_columns(self.part_table, [112, 86, 80])
        # the three columns without a horizontal scroll bar (header length + frame + vertical bar)
        self.part_table.setMinimumWidth(self.part_table.horizontalHeader().length() + 24)
        self.plot = still_plot("evaluationPlot")
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("left").setTicks([[(v, f"{int(v * 100)} %") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        self.plot_legend = self.plot.addLegend(offset=(-8, 6), labelTextSize="8pt", colCount=2)
        eval_box = QGroupBox(self.tr("Evaluation against the baselines"))
        evl = QVBoxLayout(eval_box)
        evl.addWidget(self.eval_title)
        evl.addWidget(self.metrics_table)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.plot)
        lower.addWidget(self.part_table)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 1)
        lower.setChildrenCollapsible(False)
        evl.addWidget(lower, 1)
        self.eval_splitter = lower
        lower.setSizes([640, 300])

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(data_box)
        left.addWidget(train_box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setChildrenCollapsible(False)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(reg_box)
        right.addWidget(eval_box)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.left_splitter, self.right_splitter = left, right
        left.setSizes([540, 380])
        self.splitter.setSizes([440, 1160])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.splitter)

    def _restore(self) -> None:
        s = QSettings()
        s.beginGroup("training")
        preset = str(s.value("preset", "balanced"))
        weights = {g: float(s.value(f"weight/{g}", WEIGHT_PRESETS["balanced"].get(g, 1.0))) for g in GROUPS}
        self.evaluate_after.setChecked(s.value("evaluate_after", "true") in (True, "true"))
        for name, sp in (("splitter", self.splitter), ("left", self.left_splitter), ("right", self.right_splitter)):
            state = s.value(name)
            if state is not None:
                sp.restoreState(state)
        s.endGroup()
        self.set_weights(weights)
        i = self.preset_box.findData(preset)
        if preset != "custom" and i >= 0:
            self.preset_box.setCurrentIndex(i)
        else:
            self._weights_edited()

    def save_settings(self) -> None:
        s = QSettings()
        s.beginGroup("training")
        s.setValue("preset", self.preset_box.currentData())
        for g, w in self.weights().items():
            s.setValue(f"weight/{g}", w)
        s.setValue("evaluate_after", self.evaluate_after.isChecked())
        for name, sp in (("splitter", self.splitter), ("left", self.left_splitter), ("right", self.right_splitter)):
            s.setValue(name, sp.saveState())
        s.endGroup()

    # ---- permissions ---------------------------------------------------------------------
    def apply_role(self) -> None:
        user = self.ctx.user
        busy = self.train_task is not None or self.ctx.first_start_running
        why = self.tr("Only an admin can do this; you are signed in as %1 (%2).").replace("%1", user.name) \
            .replace("%2", user.role)
        for button, tip in ((self.train_button, self.tr("Train a new model version with these weights")),
                            (self.activate_button, self.tr("Make the selected version the one predictions use")),
                            (self.rollback_button, self.tr("Go back to the version that was active before"))):
            button.setEnabled(user.is_admin and not busy)
            button.setToolTip(tip if user.is_admin else why)
        for spin in self.weight_spins.values():
            spin.setEnabled(user.is_admin)
        for slider in self.weight_sliders.values():
            slider.setEnabled(user.is_admin)
        self.preset_box.setEnabled(user.is_admin)

    # ---- weights -------------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        return {g: round(s.value(), 2) for g, s in self.weight_spins.items()}

    def set_weights(self, weights: dict[str, float]) -> None:
        for g, s in self.weight_spins.items():
            s.blockSignals(True)
            s.setValue(float(weights.get(g, 0.0)))
            self.weight_sliders[g].setValue(int(round(s.value() * 10)))
            s.blockSignals(False)

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

    # ---- data quality --------------------------------------------------------------------
    def _store_changed(self) -> None:
        self.report = None
        self.quality_view.clear()
        self._quality_requested = False
        self._show_source()
        if self.isVisible():
            self.run_quality()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._quality_requested and not self.ctx.first_start_running:
            self.run_quality()

    def _show_source(self) -> None:
        store = self.ctx.store
        self.source_label.setText(self.tr("Store: %1").replace("%1", html.escape(store.describe())))

    def run_quality(self):
        self._quality_requested = True
        self._show_source()
        store = self.ctx.store
        self.quality_button.setEnabled(False)
        task = self.ctx.runner.start(lambda p: quality.quality_report(store, p), "quality report", long=True,
                                     on_result=self._quality_arrived, on_error=self._quality_failed,
                                     on_done=lambda: self.quality_button.setEnabled(True))
        self.quality_job.attach(task, self.tr("checking the data…"))
        return task

    def _quality_failed(self, message: str) -> None:
        self.quality_view.setHtml(f"<p style='color:#b3261e'>{html.escape(message)}</p>")

    def _quality_arrived(self, report: dict) -> None:
        self.report = report
        self.quality_view.setHtml(self.quality_html(report))
        last = report.get("last_import")
        counts = report.get("row_counts", {})
        rows = [(self.tr("Store"), html.escape(self.ctx.store.describe()))]
        if last:
            rows.append((self.tr("Last import"), html.escape(f"{last['source']}  ({str(last['at'])[:16]})")))
        for k, v in counts.items():
            rows.append((html.escape(k), f"<b>{v:,}</b> " + html.escape(self.tr("rows"))))
        self.source_label.setText("<table cellspacing=0 cellpadding=1>" + "".join(
            f"<tr><td style='color:#5f6b7a;padding-right:10px;white-space:nowrap'>{a}</td>"
            f"<td style='white-space:nowrap'>{b}</td></tr>" for a, b in rows)
            + "</table>")
        self.quality_ready.emit(report)

    def quality_html(self, r: dict) -> str:
        esc = html.escape
        out = ["<style>td{padding:1px 8px 1px 0;} .n{text-align:right;} h4{margin:8px 0 2px 0;}"
               " .warn{color:#b3261e;} .muted{color:#6b7280;}</style>"]
        warnings = r.get("import_warnings") or []
        title = self.tr("Import warnings (renamed or missing columns)")
        out.append(f"<h4>{esc(title)}</h4>")
        if warnings:
            out.append("<ul>" + "".join(f"<li class='warn'>{esc(w)}</li>" for w in warnings) + "</ul>")
        else:
            none_text = self.tr("none — every expected column was found")
            out.append(f"<p class='muted'>{esc(none_text)}</p>")
        findings_title = self.tr("Findings")
        out.append(f"<h4>{esc(findings_title)}</h4><table>")
        findings = [
            (self.tr("Items without routing"), r.get("items_without_routing", 0)),
            (self.tr("Duplicate item codes"), r.get("duplicate_item_codes", 0)),
            (self.tr("Items with several routing variants"), r.get("items_with_several_routing_variants", 0)),
            (self.tr("Operations in current routings"), r.get("current_routing_operations", 0)),
            (self.tr("Work results reported twice"), r.get("duplicate_work_results", 0)),
            (self.tr("Work results with zero or missing hours"), r.get("zero_or_missing_hours_work_results", 0)),
            (self.tr("Outlier work results (dropped)"), r.get("outlier_work_results", 0)),
        ]
        for label, n in findings:
            out.append(f"<tr><td>{esc(label)}</td><td class='n'><b>{n:,}</b></td></tr>")
        out.append("</table>")
        ex = r.get("items_without_routing_examples") or []
        if ex:
            eg = self.tr("e.g. %1").replace("%1", ", ".join(ex[:6]))
            out.append(f"<p class='muted'>{esc(eg)}</p>")
        missing_title = self.tr("Missing values per column")
        no_missing = self.tr("no missing values")
        out.append(f"<h4>{esc(missing_title)}</h4>")
        for view, rates in (r.get("missing_rates") or {}).items():
            worst = sorted(((c, v) for c, v in rates.items() if v > 0), key=lambda kv: -kv[1])
            out.append(f"<p><b>{esc(view)}</b> ")
            if not worst:
                out.append(f"<span class='muted'>{esc(no_missing)}</span></p>")
                continue
            out.append("</p><table>")
            for c, v in worst[:14]:
                cls = " class='warn'" if v >= 0.5 else ""
                bar = "█" * max(1, int(round(v * 20)))
                out.append(f"<tr><td>{esc(c)}</td><td class='n'{cls}>{v:.1%}</td>"
                           f"<td style='color:#9db4d3'>{bar}</td></tr>")
            if len(worst) > 14:
                more = self.tr("… and %1 more columns").replace("%1", str(len(worst) - 14))
                out.append(f"<tr><td class='muted' colspan=3>{esc(more)}</td></tr>")
            out.append("</table>")
        return "".join(out)

    # ---- training ------------------------------------------------------------------------
    def _log(self, text: str) -> None:
        self.log.appendPlainText(f"{datetime.now():%H:%M:%S}  {text}")

    def train(self):
        if not self.ctx.user.is_admin or self.train_task is not None:
            return None
        store, user = self.ctx.store, self.ctx.user
        weights = self.weights()
        before = self.ctx.active_version
        self.train_error.hide()
        self._log(self.tr("Training started with weights %1").replace(
            "%1", ", ".join(f"{g}={w:g}" for g, w in weights.items())))
        last = {"msg": ""}

        def progress(fraction: float, message: str) -> None:
            if message and message != last["msg"]:
                last["msg"] = message
                self._log(f"{fraction:5.1%}  {message}")

        task = self.ctx.runner.start(
            lambda p: models.train(store, EncoderParams(weights=weights), p, user=user), "training", long=True,
            on_progress=progress, on_result=self._trained, on_error=self._train_failed,
            on_cancelled=lambda b=before: self._train_cancelled(b), on_done=self._train_done)
        self.train_task = task
        self.train_job.attach(task, self.tr("training…"))
        self.ctx.busy_changed.emit(True)
        self.apply_role()
        return task

    def cancel_training(self) -> None:
        if self.train_task is not None:
            self.train_job._cancel()

    def _trained(self, version: str) -> None:
        self.train_job.set_progress(1.0, self.tr("model %1 trained").replace("%1", version))
        self._log(self.tr("Model %1 trained and activated.").replace("%1", version))
        self.ctx.refresh_requested.emit(True)
        self.training_finished.emit(version)
        if self.evaluate_after.isChecked():
            self.evaluate(version)

    def _train_failed(self, message: str) -> None:
        self._log(self.tr("Training failed: %1").replace("%1", message))
        self.train_error.show_message(message)
        self.training_failed.emit(message)

    def _train_cancelled(self, before: str | None) -> None:
        self._log(self.tr("Training cancelled; the active model is unchanged (%1).")
                  .replace("%1", before or self.tr("none")))
        self.training_cancelled.emit()

    def _train_done(self) -> None:
        self.train_task = None
        self.ctx.busy_changed.emit(False)
        self.apply_role()

    # ---- registry ------------------------------------------------------------------------
    def _models_changed(self) -> None:
        keep = self.selected_version()
        self.registry_model.set_rows(self.ctx.models)
        rows = [m["version"] for m in self.ctx.models]
        target = keep if keep in rows else self.ctx.active_version
        if target in rows:
            self.registry_table.selectRow(rows.index(target))
            self._show_version(rows.index(target))
        elif rows:
            self.registry_table.selectRow(0)
        self.rollback_button.setEnabled(self.ctx.user.is_admin and any(
            not m["active"] and m.get("activated_at") for m in self.ctx.models))
        self.apply_role()

    def selected_version(self) -> str | None:
        idx = self.registry_table.currentIndex()
        if idx.isValid() and idx.row() < len(self.registry_model.rows):
            return self.registry_model.rows[idx.row()]["version"]
        return None

    def select_version(self, version: str) -> None:
        rows = [m["version"] for m in self.registry_model.rows]
        if version in rows:
            self.registry_table.selectRow(rows.index(version))

    def activate_selected(self):
        version = self.selected_version()
        if version is None:
            return None
        store, user = self.ctx.store, self.ctx.user
        return self._registry_call(lambda p: models.activate(store, version, user) or version,
                                   self.tr("Model %1 is now active."))

    def rollback(self):
        store, user = self.ctx.store, self.ctx.user
        return self._registry_call(lambda p: models.rollback(store, user), self.tr("Rolled back to model %1."))

    def _registry_call(self, fn, message: str):
        """Activate / roll back on a worker: activating verifies (loads) the model files first."""
        if not self.ctx.user.is_admin:
            return None
        self.registry_message.hide()
        self.activate_button.setEnabled(False)
        self.rollback_button.setEnabled(False)

        def done(version: str) -> None:
            self._log(message.replace("%1", version))
            self.ctx.refresh_requested.emit(True)

        return self.ctx.runner.start(fn, "registry", on_result=done,
                                     on_error=self.registry_message.show_message, on_done=self.apply_role)

    def evaluate_selected(self):
        version = self.selected_version()
        return self.evaluate(version) if version else None

    def evaluate(self, version: str):
        from app.services import evaluation  # pulls in scikit-learn: load it only when evaluating

        store = self.ctx.store
        self._log(self.tr("Evaluating model %1…").replace("%1", version))
        task = self.ctx.runner.start(lambda p: evaluation.evaluate(store, version=version, progress=p),
                                     "evaluation", long=True,
                                     on_result=lambda r, v=version: self._evaluated(v, r),
                                     on_error=lambda m: self._log(self.tr("Evaluation failed: %1").replace("%1", m)),
                                     on_cancelled=lambda: self._log(self.tr("Evaluation cancelled.")))
        self.train_job.attach(task, self.tr("evaluating %1…").replace("%1", version))
        self.evaluate_button.setEnabled(False)
        task.signals.done.connect(lambda: self.evaluate_button.setEnabled(True))
        return task

    def _evaluated(self, version: str, result: dict) -> None:
        m = result.get("methods", {}).get("model", {})
        self._log(self.tr("Model %1: top-1 exact %2, top-3 hit %3 on %4 held-out items.").replace("%1", version)
                  .replace("%2", fmt_share(m.get("top1_exact"))).replace("%3", fmt_share(m.get("top3_hit")))
                  .replace("%4", f"{result.get('evaluated_items', 0):,}"))
        self.ctx.refresh_requested.emit(False)
        self.evaluation_finished.emit(version)

    def _show_version(self, row: int) -> None:
        if not 0 <= row < len(self.registry_model.rows):
            return
        m = self.registry_model.rows[row]
        metrics = m.get("metrics") or {}
        methods = metrics.get("methods") or {}
        self.metrics_model.set_metrics(methods)
        self.part_model.set_per_type(metrics.get("per_part_type") or {})
        self._plot(methods)
        if metrics:
            beats = metrics.get("model_beats_baselines")
            text = self.tr("Version %1: %2 held-out routed items (holdout %3, seed %4), trained on %5.") \
                .replace("%1", m["version"]).replace("%2", f"{metrics.get('evaluated_items', 0):,}") \
                .replace("%3", fmt_share(metrics.get("holdout"), 0)).replace("%4", str(metrics.get("seed"))) \
                .replace("%5", f"{metrics.get('train_items', 0):,}")
            text += " " + (self.tr("Ahead of all three baselines on every sequence metric.") if beats else
                           self.tr("NOT ahead of every baseline on every sequence metric."))
        else:
            text = self.tr("Version %1 has not been evaluated yet: press Evaluate.").replace("%1", m["version"])
        self.eval_title.setText(text)

    def _plot(self, methods: dict[str, dict[str, float]]) -> None:
        self.plot.clear()
        self.plot_legend.clear()
        present = [m for m in METHODS if m in methods]
        if not present:
            self.plot.getAxis("bottom").setTicks([[]])
            return
        width = 0.8 / len(present)
        for k, method in enumerate(present):
            vals = [methods[method].get(key) for key in PLOT_METRICS]
            vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in vals]
            x = np.arange(len(PLOT_METRICS)) - 0.4 + width * (k + 0.5)
            bars = pg.BarGraphItem(x=x, height=vals, width=width * 0.92, brush=QColor(METHOD_COLOURS[method]),
                                   pen=pg.mkPen(None))
            self.plot.addItem(bars)
            self.plot_legend.addItem(bars, self.labels.methods[method])
        self.plot.getAxis("bottom").setTicks([[(i, self.labels.plot_metrics[k]) for i, k in enumerate(PLOT_METRICS)]])
        self.plot.setXRange(-0.55, len(PLOT_METRICS) - 0.45, padding=0)
        self.plot.setYRange(0, 1.3, padding=0)
