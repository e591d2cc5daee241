"""Time per operation as stacked bars (setup + run × lot size) with the P10–P90 range as error bars."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.domain.routing import Operation
from app.ui.look import FONT_FAMILIES, fmt_minutes

pg.setConfigOptions(antialias=True, background="w", foreground="#333333")

SETUP_COLOUR = QColor("#9db4d3")
RUN_COLOUR = QColor("#2f6db5")
RANGE_COLOUR = QColor("#c0392b")


def operation_times(ops: list[Operation], lot: int) -> dict[str, np.ndarray]:
    """Per operation: setup, run × lot, and the low/high of setup + run × lot from the P10/P90 values."""
    setup = np.array([o.SETUP_TIME for o in ops], dtype=float)
    run = np.array([o.RUN_TIME * lot for o in ops], dtype=float)
    s_lo = np.array([o.SETUP_TIME_P10 if o.SETUP_TIME_P90 > 0 else o.SETUP_TIME for o in ops], dtype=float)
    s_hi = np.array([o.SETUP_TIME_P90 if o.SETUP_TIME_P90 > 0 else o.SETUP_TIME for o in ops], dtype=float)
    r_lo = np.array([(o.RUN_TIME_P10 if o.RUN_TIME_P90 > 0 else o.RUN_TIME) * lot for o in ops], dtype=float)
    r_hi = np.array([(o.RUN_TIME_P90 if o.RUN_TIME_P90 > 0 else o.RUN_TIME) * lot for o in ops], dtype=float)
    # the range follows the values the engineer edited: never let the bar fall outside its own range
    total = setup + run
    lo = np.minimum(s_lo + r_lo, total)
    hi = np.maximum(s_hi + r_hi, total)
    return {"setup": setup, "run": run, "total": total, "lo": lo, "hi": hi}


def still_plot(object_name: str) -> pg.PlotWidget:
    """A plot to read, not to explore: no mouse panning, menu or buttons; a horizontal grid; the
    window's fonts on the axes (Korean included)."""
    plot = pg.PlotWidget()
    plot.setObjectName(object_name)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.25)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(8.5)
    for ax in ("left", "bottom"):
        plot.getAxis(ax).setTickFont(font)
        plot.getAxis(ax).setTextPen("#333333")
    return plot


class TimeChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.ops: list[Operation] = []
        self.lot = QSpinBox()
        self.lot.setObjectName("lotSize")
        self.lot.setRange(1, 100_000)
        self.lot.setValue(1)
        self.lot.setSuffix(self.tr(" pcs"))
        self.lot.setToolTip(self.tr("1 = setup + run for one piece; more = setup + run × lot size"))
        self.total_label = QLabel()
        self.total_label.setObjectName("chartTotal")
        self.total_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.total_label, 1)
        head.addWidget(QLabel(self.tr("Lot size")))
        head.addWidget(self.lot)

        self.plot = still_plot("timePlot")
        self.plot.setLabel("left", self.tr("minutes"))
        self.plot.getAxis("left").enableAutoSIPrefix(False)   # minutes stay minutes, never "(x0.001)"
        self.legend = self.plot.addLegend(offset=(-10, 8), labelTextSize="8pt")
        self.setup_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=SETUP_COLOUR, pen=pg.mkPen(None),
                                          name=self.tr("setup"))
        self.run_bars = pg.BarGraphItem(x=[], y0=[], height=[], width=0.6, brush=RUN_COLOUR, pen=pg.mkPen(None),
                                        name=self.tr("run × lot"))
        self.range_bars = pg.ErrorBarItem(x=np.array([]), y=np.array([]), top=np.array([]), bottom=np.array([]),
                                          beam=0.25, pen=pg.mkPen(RANGE_COLOUR, width=1.6))
        self.plot.addItem(self.setup_bars)
        self.plot.addItem(self.run_bars)
        self.plot.addItem(self.range_bars)
        self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(RANGE_COLOUR, width=1.6)), self.tr("P10–P90"))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        self.lot.valueChanged.connect(lambda _v: self.set_operations(self.ops))
        self.set_operations([])

    def set_operations(self, ops: list[Operation]) -> None:
        self.ops = list(ops)
        lot = self.lot.value()
        n = len(self.ops)
        x = np.arange(n, dtype=float)
        if n == 0:
            self.setup_bars.setOpts(x=[], height=[])
            self.run_bars.setOpts(x=[], y0=[], height=[])
            self.range_bars.setData(x=np.array([]), y=np.array([]), top=np.array([]), bottom=np.array([]))
            self.total_label.setText(self.tr("No routing shown."))
            self.plot.getAxis("bottom").setTicks([[]])
            self.plot.setXRange(-0.6, 4.6, padding=0)
            self.plot.setYRange(0, 10, padding=0)
            return
        t = operation_times(self.ops, lot)
        self.setup_bars.setOpts(x=x, height=t["setup"], width=0.6)
        self.run_bars.setOpts(x=x, y0=t["setup"], height=t["run"], width=0.6)
        self.range_bars.setData(x=x, y=t["total"], top=t["hi"] - t["total"], bottom=t["total"] - t["lo"])
        self.plot.getAxis("bottom").setTicks([[(i, o.JOB_CD) for i, o in enumerate(self.ops)]])
        self.plot.setXRange(-0.6, n - 0.4, padding=0)
        top = float(np.max(t["hi"])) if n else 1.0
        self.plot.setYRange(0, max(top * 1.12, 1e-3), padding=0)
        total, lo, hi = float(t["total"].sum()), float(t["lo"].sum()), float(t["hi"].sum())
        if lot == 1:
            text = self.tr("Total for one piece: <b>%1 min</b> (P10–P90 %2 – %3 min)")
        else:
            text = self.tr("Total for a lot of %4 pcs: <b>%1 min</b> (P10–P90 %2 – %3 min)")
        self.total_label.setText(text.replace("%1", fmt_minutes(total)).replace("%2", fmt_minutes(lo))
                                 .replace("%3", fmt_minutes(hi)).replace("%4", f"{lot:,}"))
        self.total_label.setTextFormat(Qt.TextFormat.RichText)

    def total(self) -> float:
        if not self.ops:
            return 0.0
        return float(operation_times(self.ops, self.lot.value())["total"].sum())
