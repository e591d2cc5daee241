"""One version's evaluation against the baselines: the metrics table (whose column headers carry the
colours of the methods, so they are the plot's legend too), a bar plot of the main metrics, and
top-1 per part type. The plot is made for the first evaluation shown (pyqtgraph is not loaded at
the window's start: app/ui/time_chart.py)."""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.ui.look import fmt_share
from app.ui.time_chart import blank_plot, pyqtgraph, still_plot
from app.ui.training.models import METHODS, MetricsModel, PartTypeModel, method_colour, wrap_words
from app.ui.widgets import column_content_width, fit_to_contents, read_only_table
from app.ui.wording import Labels

if TYPE_CHECKING:
    import pyqtgraph as pg

PLOT_METRICS = ("top1_exact", "top3_hit", "jaccard", "run_within_25", "setup_within_25")
PLOT_MINIMUM_HEIGHT = 120


class EvaluationPanel(QWidget):
    def __init__(self, labels: Labels, parent=None):
        super().__init__(parent)
        self.setObjectName("evaluationPanel")
        self.labels = labels
        self.version: str | None = None
        self.methods: dict[str, dict[str, float]] = {}
        self.title = QLabel()
        self.title.setObjectName("evalTitle")
        self.title.setWordWrap(True)
        self.metrics_model = MetricsModel(labels, self)
        self.metrics_table = read_only_table("metricsTable")
        self.metrics_table.setModel(self.metrics_model)
        fit_to_contents(self.metrics_table, max_width=260, fill=False)
        self.metrics_table.verticalHeader().setDefaultSectionSize(21)

        self.part_model = PartTypeModel(self)
        self.part_table = read_only_table("partTypeTable")
        self.part_table.setModel(self.part_model)
        self._fit_part_table()

        self.plot: pg.PlotWidget | None = None     # made for the first evaluation shown
        self.blank = blank_plot("evaluationPlotBlank", PLOT_MINIMUM_HEIGHT)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.blank)
        lower.addWidget(self.part_table)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 1)
        lower.setChildrenCollapsible(False)
        lower.setSizes([600, 280])
        self.splitter = lower
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.metrics_table, 3)
        lay.addWidget(lower, 2)
        self.show_version(None)

    def show_version(self, row: dict | None) -> None:
        """A registry row's evaluation (or its absence)."""
        self.version = row["version"] if row else None
        metrics = (row or {}).get("metrics") or {}
        self.methods = metrics.get("methods") or {}
        self.metrics_model.set_metrics(self.methods, metrics.get("gap_to_ceiling"))
        fit_to_contents(self.metrics_table, max_width=260, fill=False)
        # every metric in view: the table is exactly as tall as its header and rows
        height = (self.metrics_table.horizontalHeader().sizeHint().height()
                  + max(1, self.metrics_model.rowCount()) * 21 + 2 * self.metrics_table.frameWidth())
        bar = self.metrics_table.horizontalScrollBar()
        full = height + (bar.sizeHint().height() if bar.isVisible() else 0)
        # every metric where there is room; on a low window it scrolls rather than push the window taller
        self.metrics_table.setMaximumHeight(full)
        self.metrics_table.setMinimumHeight(min(full, 4 * 21 + 30))
        self.part_model.set_per_type(metrics.get("per_part_type") or {})
        self._fit_part_table()
        self._plot()
        if row is None:
            self.title.setText(self.tr("No model version selected."))
        elif metrics:
            beats = metrics.get("model_beats_baselines")
            text = self.tr("Version %1: %2 held-out routed items (holdout %3, seed %4), trained on %5.") \
                .replace("%1", row["version"]).replace("%2", f"{metrics.get('evaluated_items', 0):,}") \
                .replace("%3", fmt_share(metrics.get("holdout"), 0)).replace("%4", str(metrics.get("seed"))) \
                .replace("%5", f"{metrics.get('train_items', 0):,}")
            text += " " + (self.tr("Ahead of all three baselines on every sequence metric.") if beats else
                           self.tr("NOT ahead of every baseline on every sequence metric."))
            self.title.setText(text)
        else:
            self.title.setText(self.tr("Version %1 has not been evaluated yet: press Evaluate.")
                               .replace("%1", row["version"]))

    def _fit_part_table(self) -> None:
        """Its three columns in full, beside the plot: the splitter may not squeeze it narrower."""
        fit_to_contents(self.part_table, max_width=220)
        bar = self.part_table.verticalScrollBar().sizeHint().width()
        need = sum(min(column_content_width(self.part_table, i), 220) for i in range(self.part_model.columnCount()))
        self.part_table.setMinimumWidth(need + bar + 4)

    def _make_plot(self) -> pg.PlotWidget:
        self.plot = still_plot("evaluationPlot")
        self.plot.setMinimumHeight(PLOT_MINIMUM_HEIGHT)
        self.plot.setToolTip(self.tr("The methods' colours are those of the table's column headers above."))
        self.plot.getAxis("left").setTicks([[(v, f"{int(v * 100)} %") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        self.plot.setYRange(0, 1.05, padding=0)
        self.splitter.replaceWidget(self.splitter.indexOf(self.blank), self.plot)
        self.blank.deleteLater()
        self.blank = None
        return self.plot

    def _plot(self) -> None:
        present = [m for m in METHODS if m in self.methods]
        if self.plot is None and not present:
            return
        if self.plot is None:
            self._make_plot()
        self.plot.clear()
        if not present:
            self.plot.getAxis("bottom").setTicks([[]])
            return
        import numpy as np
        pg = pyqtgraph()
        width = 0.8 / len(present)
        for k, method in enumerate(present):
            vals = [self.methods[method].get(key) for key in PLOT_METRICS]
            vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in vals]
            x = np.arange(len(PLOT_METRICS)) - 0.4 + width * (k + 0.5)
            self.plot.addItem(pg.BarGraphItem(x=x, height=vals, width=width * 0.92, brush=method_colour(method),
                                              pen=pg.mkPen(None)))
        self.plot.setXRange(-0.55, len(PLOT_METRICS) - 0.45, padding=0)
        self.plot.setYRange(0, 1.05, padding=0)
        self._ticks()

    def tick_labels(self) -> list[str]:
        """The bottom axis' labels, each broken into lines that fit its share of the plot's width."""
        axis = self.plot.getAxis("bottom")
        share = max(40, int(axis.width() or self.plot.width()) // len(PLOT_METRICS) - 8)
        fm = QFontMetrics(axis.style.get("tickFont") or self.plot.font())
        return [wrap_words(self.labels.plot_metrics[k], fm, share) for k in PLOT_METRICS]

    def _ticks(self) -> None:
        labels = self.tick_labels()
        axis = self.plot.getAxis("bottom")
        axis.setTicks([[(i, t) for i, t in enumerate(labels)]])
        lines = max(t.count("\n") + 1 for t in labels)
        fm = QFontMetrics(axis.style.get("tickFont") or self.plot.font())
        axis.setHeight(fm.height() * lines + 16)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.methods and self.plot is not None:
            self._ticks()
