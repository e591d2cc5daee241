"""Time per operation as stacked bars (setup + run × lot size) with the P10–P90 range as error bars.

pyqtgraph (and NumPy with it) is imported when the first plot is drawn, not when the window starts:
it is the largest import of the window's start (app.ui.main imports it on a background thread once
the window is shown, so the first plot does not wait for it either).
"""
from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.domain.routing import Operation
from app.ui.look import FONT_FAMILIES, fmt_minutes

if TYPE_CHECKING:
    import numpy as np
    import pyqtgraph as pg

SETUP_COLOUR = QColor("#9db4d3")
RUN_COLOUR = QColor("#2f6db5")
RANGE_COLOUR = QColor("#c0392b")
PLOT_MINIMUM_HEIGHT = 90
_configured = False


def pyqtgraph():
    """pyqtgraph, configured once for the window's plots."""
    global _configured
    import pyqtgraph as pg
    if not _configured:
        pg.setConfigOptions(antialias=True, background="w", foreground="#333333")
        _configured = True
    return pg


def load_plotting() -> None:
    """On a worker: import what the first plot needs (pyqtgraph and NumPy), so the GUI thread does
    not when it draws it. Importing makes no Qt object; the plot itself is made on the GUI thread."""
    pyqtgraph()


def blank_plot(object_name: str, minimum_height: int) -> QFrame:
    """Where a plot will be, until it has something to show: as white as the plot, as tall."""
    frame = QFrame()
    frame.setObjectName(object_name)
    frame.setMinimumHeight(minimum_height)
    frame.setAutoFillBackground(True)
    palette = frame.palette()
    palette.setColor(frame.backgroundRole(), QColor("white"))
    frame.setPalette(palette)
    return frame



def operation_times(ops: list[Operation], lot: int) -> dict[str, np.ndarray]:
    """Per operation: setup, run × lot, and the low/high of setup + run × lot from the P10/P90 values."""
    import numpy as np
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


_plot_classes: dict[str, type] = {}


def _plot_without_size_hint() -> type:
    """pyqtgraph's PlotWidget asks for the size of its scene (QGraphicsView's size hint), which is the
    size it was last given: every routing shown changed it, so the window was laid out again after
    the plot had painted, and the routing's table beside it painted again (two to three times, 15 ms
    each, the first prediction's). This one asks for no size, as the blank before it did."""
    if "hintless" not in _plot_classes:
        pg = pyqtgraph()

        class HintlessPlotWidget(pg.PlotWidget):
            def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
                return QSize()

        _plot_classes["hintless"] = HintlessPlotWidget
    return _plot_classes["hintless"]


def still_plot(object_name: str, follow_scene: bool = True) -> pg.PlotWidget:
    """A plot to read, not to explore: no mouse panning, menu or buttons; a horizontal grid; the
    window's fonts on the axes (Korean included). `follow_scene=False`: a plot whose size hint does
    not follow what it draws (see _plot_without_size_hint)."""
    pg = pyqtgraph()
    cls = pg.PlotWidget if follow_scene else _plot_without_size_hint()
    plot = cls(enableMenu=False)   # not made only to be switched off: half the plot's making
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
        self.lot.setPrefix(self.tr("lot "))
        self.lot.setSuffix(self.tr(" pcs"))
        self.lot.setToolTip(self.tr("1 = setup + run for one piece; more = setup + run × lot size"))
        self.total_label = QLabel()
        self.total_label.setObjectName("chartTotal")
        self.total_label.setWordWrap(True)
        self.total_label.setTextFormat(Qt.TextFormat.RichText)
        # two lines high also while it says "No routing shown.": a label changing height between
        # results laid the whole result side out again, and its routing table was painted again
        self.total_label.setMinimumHeight(2 * self.total_label.fontMetrics().lineSpacing() + 4)
        # the legend sits above the plot, never over its bars
        def item(colour: QColor, mark: str, text: str) -> str:
            return (f"<span style='color:{colour.name()}'>{mark}</span>&nbsp;"
                    + html.escape(text).replace(" ", "&nbsp;"))
        self.legend = QLabel("&nbsp;&nbsp; ".join((item(SETUP_COLOUR, "■", self.tr("setup")),
                                                  item(RUN_COLOUR, "■", self.tr("run × lot")),
                                                  item(RANGE_COLOUR, "┬", self.tr("P10–P90")))))
        self.legend.setObjectName("chartLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        first = QHBoxLayout()
        first.addWidget(self.total_label, 1)
        first.addWidget(self.lot, 0, Qt.AlignmentFlag.AlignTop)

        # the plot itself is made for the first routing shown (pyqtgraph is not loaded before)
        self.plot: pg.PlotWidget | None = None
        self.blank = blank_plot("timePlotBlank", PLOT_MINIMUM_HEIGHT)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(first)
        lay.addWidget(self.legend)
        lay.addWidget(self.blank, 1)
        self.lot.valueChanged.connect(lambda _v: self.set_operations(self.ops))
        self.set_operations([])

    def _make_plot(self) -> pg.PlotWidget:
        pg = pyqtgraph()
        import numpy as np
        self.plot = still_plot("timePlot", follow_scene=False)
        self.plot.setLabel("left", self.tr("minutes"))
        self.plot.getAxis("left").enableAutoSIPrefix(False)   # minutes stay minutes, never "(x0.001)"
        self.plot.setMinimumHeight(PLOT_MINIMUM_HEIGHT)
        self.setup_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=SETUP_COLOUR, pen=pg.mkPen(None))
        self.run_bars = pg.BarGraphItem(x=[], y0=[], height=[], width=0.6, brush=RUN_COLOUR, pen=pg.mkPen(None))
        self.range_bars = pg.ErrorBarItem(x=np.array([]), y=np.array([]), top=np.array([]), bottom=np.array([]),
                                          beam=0.25, pen=pg.mkPen(RANGE_COLOUR, width=1.6))
        self.plot.addItem(self.setup_bars)
        self.plot.addItem(self.run_bars)
        self.plot.addItem(self.range_bars)
        return self.plot

    def prepare(self) -> None:
        """Make the plot before the first routing is shown (once pyqtgraph is imported, on a turn of
        its own): making it was 30-50 ms of GUI thread added to the first prediction's. It takes the
        blank's place when it has bars to show."""
        if self.plot is None:
            self._make_plot()

    def _show_plot(self) -> pg.PlotWidget:
        if self.plot is None:
            self._make_plot()
        if self.blank is not None:
            self.layout().replaceWidget(self.blank, self.plot)
            self.blank.deleteLater()
            self.blank = None
        return self.plot

    def set_operations(self, ops: list[Operation]) -> None:
        self.ops = list(ops)
        lot = self.lot.value()
        n = len(self.ops)
        if n == 0:
            self.total_label.setText(self.tr("No routing shown."))
            if self.plot is not None:
                import numpy as np
                self.setup_bars.setOpts(x=[], height=[])
                self.run_bars.setOpts(x=[], y0=[], height=[])
                self.range_bars.setData(x=np.array([]), y=np.array([]), top=np.array([]), bottom=np.array([]))
                self.plot.getAxis("bottom").setTicks([[]])
                self.plot.setXRange(-0.6, 4.6, padding=0)
                self.plot.setYRange(0, 10, padding=0)
            return
        plot = self._show_plot()
        import numpy as np
        x = np.arange(n, dtype=float)
        t = operation_times(self.ops, lot)
        self.setup_bars.setOpts(x=x, height=t["setup"], width=0.6)
        self.run_bars.setOpts(x=x, y0=t["setup"], height=t["run"], width=0.6)
        self.range_bars.setData(x=x, y=t["total"], top=t["hi"] - t["total"], bottom=t["total"] - t["lo"])
        self._ticks()
        plot.setXRange(-0.6, n - 0.4, padding=0)
        top = float(np.max(t["hi"])) if n else 1.0
        plot.setYRange(0, max(top * 1.12, 1e-3), padding=0)
        total, lo, hi = float(t["total"].sum()), float(t["lo"].sum()), float(t["hi"].sum())
        if lot == 1:
            head = self.tr("Total for one piece:")
        else:
            head = self.tr("Total for a lot of %1 pcs:").replace("%1", f"{lot:,}")
        # the total and its range each on a line of their own, never broken inside: no-break spaces,
        # and a word joiner after each dash (a line may otherwise break after a dash)
        nb, dash, unit = "&nbsp;", "–\u2060", html.escape(self.tr("min"))
        self.total_label.setText(
            f"{html.escape(head)} <b>{fmt_minutes(total)}{nb}{unit}</b><br>"
            f"<span style='color:#5f6b7a'>P10{dash}P90{nb}{fmt_minutes(lo)}{nb}{dash}{nb}{fmt_minutes(hi)}{nb}{unit}"
            f"</span>")

    def tick_labels(self) -> list[tuple[int, str]]:
        """The operations' codes under their bars; every k-th one when they would run into each other."""
        if not self.ops or self.plot is None:
            return []
        axis = self.plot.getAxis("bottom")
        width = max(1.0, float(axis.width() or self.plot.width()))
        fm = QFontMetrics(axis.style.get("tickFont") or self.plot.font())
        widest = max(fm.horizontalAdvance(o.JOB_CD) for o in self.ops) + 8
        step = max(1, math.ceil(widest / (width / len(self.ops))))
        return [(i, o.JOB_CD) for i, o in enumerate(self.ops) if i % step == 0]

    def _ticks(self) -> None:
        self.plot.getAxis("bottom").setTicks([self.tick_labels()])

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.ops and self.plot is not None:
            self._ticks()

    def total(self) -> float:
        if not self.ops:
            return 0.0
        return float(operation_times(self.ops, self.lot.value())["total"].sum())
