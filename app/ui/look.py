"""Fonts, style sheet, colours and number formats shared by every part of the window."""
from __future__ import annotations

import math

from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication

from app.bundle import resources_dir

# Korean must render on every PC: Malgun Gothic ships with Windows, Noto Sans CJK KR on Linux.
FONT_FAMILIES = ["Segoe UI", "Noto Sans", "DejaVu Sans", "Malgun Gothic", "Noto Sans CJK KR",
                 "Apple SD Gothic Neo", "sans-serif"]

# colour hints: where a time came from, warnings, and state banners
TIME_SOURCE_COLOURS = {
    "item_actuals": QColor("#d8f0dc"),      # the item's own shop-floor actuals
    "similar_actuals": QColor("#e3f1fb"),   # actuals of similar items
    "standard": QColor("#fdf0d5"),          # standard times from routings only
}
WARNING_TEXT = QColor("#b3261e")
WARNING_BACKGROUND = QColor("#fde7e4")
EDITED_TEXT = QColor("#1a4fa0")
MUTED_TEXT = QColor("#6b7280")
SAVED_BACKGROUND = QColor("#eef6ee")
EDITED_BACKGROUND = QColor("#fff4d6")      # the engineer's routing with unsaved changes
MODEL_ROW_BACKGROUND = QColor("#e8f0fb")   # the model's row among the baselines
ACCENT = "#1f6feb"


def app_icon() -> QIcon:
    path = resources_dir() / "icons" / "routing-ml.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(9.5)
    app.setFont(font)
    qss = resources_dir() / "style" / "routing_ml.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    app.setWindowIcon(app_icon())


def fmt_minutes(value: float | None, decimals: int | None = None) -> str:
    """Minutes with decimals that suit their size: 0.412, 3.25, 35.0, 1,250."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    if v == 0:
        return "0"
    if decimals is None:
        a = abs(v)
        decimals = 3 if a < 1 else 2 if a < 10 else 1 if a < 1000 else 0
    return f"{v:,.{decimals}f}"


def fmt_share(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{decimals}f} %"


def fmt_chance(value: float) -> str:
    """A candidate's score, a chance: whole percent, never a bare 0 % or 100 %."""
    if value < 0.005:
        return "<1 %"
    if value >= 0.995:
        return ">99 %"
    return f"{value * 100:.0f} %"


def fmt_number(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    if v == int(v) and decimals <= 1 and abs(v) >= 100:
        return f"{int(v):,}"
    return f"{v:,.{decimals}f}"
