"""Table models of the Training tab: the model registry, an evaluation's metrics, top-1 per part type."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QFont, QFontMetrics

from app.ml.evaluate import CEILING
from app.ml.evaluate import METHODS as EVAL_METHODS
from app.ml.evaluate import METRICS as EVAL_METRICS
from app.ml.evaluate import format_metric
from app.ml.features import GROUPS, WEIGHT_PRESETS
from app.ui.look import MODEL_ROW_BACKGROUND, MUTED_TEXT, SAVED_BACKGROUND, fmt_share
from app.ui.widgets import Column, RowsTableModel
from app.ui.wording import Labels

# the evaluation's methods (app.ml.evaluate), the plant's ceiling last where known, and its metrics;
# the table shows the MdAPEs, their shares within ±25 % are in the cell's tooltip (and the plot)
METHODS = (*EVAL_METHODS, CEILING)
METRICS = tuple(m for m in EVAL_METRICS if not m.endswith("_within_25"))


def fmt_metric(key: str, v: Any) -> str:
    return format_metric(key, v, share=fmt_share)


def wrap_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` on as many lines as it needs to stay within `width` pixels, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def version_weights(row: dict[str, Any]) -> dict[str, float]:
    """The feature weights a registry row was trained with ({} when the registry does not say)."""
    params = row.get("params") or {}
    weights = params.get("weights") if isinstance(params, dict) else None
    return {g: float(w) for g, w in (weights or {}).items()}


def _model_metrics(row: dict[str, Any]) -> dict[str, float]:
    return ((row.get("metrics") or {}).get("methods") or {}).get("model") or {}


class RegistryModel(RowsTableModel[dict]):
    """One row per model version, newest first; the active one bold on green."""

    def __init__(self, labels: Labels, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.labels = labels
        active = lambda m: bool(m.get("active"))  # noqa: E731
        active_bg = lambda m: SAVED_BACKGROUND if m.get("active") else None  # noqa: E731

        def metric(key: str):
            return lambda m: fmt_metric(key, _model_metrics(m).get(key)) if _model_metrics(m) else "–"

        not_evaluated = lambda m: None if _model_metrics(m) else MUTED_TEXT  # noqa: E731
        not_evaluated_tip = lambda m: None if _model_metrics(m) else self.tr("not evaluated yet")  # noqa: E731
        self.set_columns([
            Column("version", self.tr("Version"), self._version_text, bold=active, background=active_bg,
                   tip=lambda m: self.tr("the active version: predictions use it") if m.get("active") else None),
            Column("created_at", self.tr("Trained"), self._trained_at, background=active_bg),
            Column("created_by", self.tr("By"), lambda m: m.get("created_by") or "", background=active_bg),
            Column("weights", self.tr("Weights"), self.weights_text, tip=self.weights_tip, background=active_bg,
                   header_tip=self.tr("The feature weights this version was trained with")),
            Column("items", self.tr("Items"), self._items, align="right", background=active_bg,
                   header_tip=self.tr("Routed items in the version's similarity index")),
            Column("top1", self.tr("Top-1"), metric("top1_exact"), align="right", foreground=not_evaluated,
                   tip=not_evaluated_tip, background=active_bg),
            Column("top3", self.tr("Top-3"), metric("top3_hit"), align="right", foreground=not_evaluated,
                   tip=not_evaluated_tip, background=active_bg),
            Column("run25", self.tr("Run ±25 %"), metric("run_within_25"), align="right",
                   foreground=not_evaluated, tip=not_evaluated_tip, background=active_bg),
        ])

    def _version_text(self, m: dict) -> str:
        return ("● " if m.get("active") else "") + m["version"]

    @staticmethod
    def _trained_at(m: dict) -> str:
        at = m.get("created_at")
        return f"{at:%Y-%m-%d %H:%M}" if isinstance(at, datetime) else str(at or "")

    @staticmethod
    def _items(m: dict) -> str:
        n = (m.get("summary") or {}).get("indexed_items")
        return f"{n:,}" if isinstance(n, int) else ""

    def weights_text(self, m: dict) -> str:
        weights = version_weights(m)
        if not weights:
            return "–"
        for key, preset in WEIGHT_PRESETS.items():
            if all(abs(weights.get(g, 0.0) - preset.get(g, 0.0)) < 1e-6 for g in GROUPS):
                return self.labels.presets.get(key, key)
        base = WEIGHT_PRESETS["balanced"]
        changed = [f"{self.labels.groups.get(g, g).lower()} {weights.get(g, 0.0):g}" for g in GROUPS
                   if abs(weights.get(g, 0.0) - base.get(g, 0.0)) >= 1e-6]
        return self.tr("custom: %1").replace("%1", ", ".join(changed))

    def weights_tip(self, m: dict) -> str | None:
        weights = version_weights(m)
        if not weights:
            return self.tr("This version's registry entry does not say which weights it was trained with.")
        return "\n".join(f"{self.labels.groups.get(g, g)}: {weights.get(g, 0.0):g}" for g in GROUPS)


class MetricsModel(RowsTableModel[str]):
    """Metrics (rows) × methods (columns) of one evaluation: the model first, highlighted, then
    the three baselines and, where known, the plant's ceiling, so the eye compares along a row."""

    def __init__(self, labels: Labels, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.labels = labels
        self.methods: dict[str, dict[str, float]] = {}
        self.header_width = 72     # a method's name wraps onto lines of about this many pixels
        self.set_metrics({})

    def set_metrics(self, methods: dict[str, dict[str, float]], gap_to_ceiling: float | None = None) -> None:
        """`methods` as an evaluation gives them; the ceiling's header tip tells `gap_to_ceiling`."""
        self.methods = {m: methods[m] for m in METHODS if m in methods}
        columns = [Column("metric", self.tr("Metric"), lambda key: self.labels.metrics.get(key, key),
                          tip=lambda key: key)]
        for method in self.methods:
            is_model = method == "model"
            name = self.labels.methods.get(method, method)
            tip = name
            if method == CEILING:
                tip = self.tr("The plant's rule routings scored against the routings engineers wrote: what no "
                              "method can pass (known for a demo plant).")
                if gap_to_ceiling is not None:
                    tip += " " + self.tr("Top-1 %1 points above the model.").replace("%1", f"{gap_to_ceiling * 100:.1f}")
            header = self.labels.method_headers.get(method, name)
            columns.append(Column(method, wrap_words(header, QFontMetrics(QFont()), self.header_width),
                                  self._getter(method), align="right", header_tip=tip, swatch=method_colour(method),
                                  tip=self._tip(method),
                                  bold=(lambda _k, b=is_model: b),
                                  background=(lambda _k, b=is_model: MODEL_ROW_BACKGROUND if b else None)))
        self.beginResetModel()
        self.columns = columns
        self.rows = list(METRICS) if self.methods else []
        self.endResetModel()

    def _getter(self, method: str):
        return lambda key: fmt_metric(key, self.methods[method].get(key))

    def _tip(self, method: str):
        def tip(key: str) -> str | None:
            if not key.endswith("_mdape"):
                return self.labels.metric_tips.get(key)
            share = key.replace("_mdape", "_within_25")
            return self.tr("%1: %2 of the predictions").replace("%1", self.labels.metrics.get(share, share)) \
                .replace("%2", fmt_metric(share, self.methods[method].get(share)))
        return tip

    def value(self, method: str, metric: str) -> str:
        return fmt_metric(metric, self.methods.get(method, {}).get(metric))


class PartTypeModel(RowsTableModel[tuple]):
    """Top-1 exact per PART_TYPE of the held-out items, most items first."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.set_columns([
            Column("PART_TYPE", "PART_TYPE", lambda r: r[0]),
            Column("items", self.tr("Held-out items"), lambda r: f"{r[1]:,}", align="right"),
            Column("top1_exact", self.tr("Top-1 exact"), lambda r: fmt_share(r[2]), align="right"),
        ])

    def set_per_type(self, per_type: dict[str, dict[str, float]]) -> None:
        self.set_rows(sorted(((t or "—", int(v.get("items", 0)), float(v.get("top1_exact", 0.0)))
                              for t, v in per_type.items()), key=lambda r: -r[1]))


def method_colour(method: str) -> QColor:
    return QColor({"model": "#2f6db5", "knn_vote": "#9db4d3", "nearest_item": "#e0a458",
                   "part_type_mode": "#b9b9b9", CEILING: "#5c9e6e"}[method])
