"""Finding text the window cuts off: labels, buttons, tab titles, group titles, table headers and the
cells in view that are narrower or lower than their text needs. The window tests assert there is
none at 1280×720; `routing-ml screenshot` prints what it finds beside the pictures.

A table whose column only previews text shown in full elsewhere (the Audit tab's details) names it
in its "preview_columns" property (column numbers); those cells may end in "…"."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QGroupBox, QLabel, QLineEdit, QRadioButton,
                               QTabBar, QTableView, QWidget)

from app.ui.widgets import ElidedLabel, cell_text_width, shown_text

SLACK = 1   # pixels of rounding a measurement may be off by


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisibleTo(root) and w.width() > 0 and w.height() > 0


def _name(w: QWidget) -> str:
    return w.objectName() or type(w).__name__


def clipped(root: QWidget) -> list[str]:
    """A line per piece of text in `root` (visible widgets only) that does not fit its place."""
    out: list[str] = []
    for w in root.findChildren(QWidget):
        if not _shown(w, root):
            continue
        if isinstance(w, QLabel) and not isinstance(w, ElidedLabel):
            out += _label(w)
        elif isinstance(w, QAbstractButton):
            out += _button(w)
        elif isinstance(w, QComboBox) and not w.isEditable():
            fm = w.fontMetrics()
            if w.currentText() and fm.horizontalAdvance(w.currentText()) + 28 > w.width() + SLACK:
                out.append(f"drop-down {_name(w)} cuts “{w.currentText()}” ({w.width()} px)")
        elif isinstance(w, QLineEdit) and not w.text() and w.placeholderText():
            need = w.fontMetrics().horizontalAdvance(w.placeholderText()) + 10
            if need > w.width() + SLACK:
                out.append(f"field {_name(w)} cuts its hint “{w.placeholderText()}” ({w.width()} < {need} px)")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.tabRect(i).width() + SLACK < w.tabSizeHint(i).width():
                    out.append(f"tab “{shown_text(w.tabText(i))}” is cut ({w.tabRect(i).width()} < {w.tabSizeHint(i).width()} px)")
        elif isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title()) + 24
            if need > w.width() + SLACK:
                out.append(f"group title “{w.title()}” is cut ({w.width()} < {need} px)")
        elif isinstance(w, QTableView) and w.model() is not None:
            out += _table(w)
    return out


def _label(w: QLabel) -> list[str]:
    text = w.text()
    if not text or w.pixmap() is not None and not w.pixmap().isNull():
        return []
    rect = w.contentsRect()
    if w.wordWrap():
        need = w.heightForWidth(w.width())
        if need > w.height() + SLACK:
            return [f"label “{_plain(text)}” is cut at the bottom ({w.height()} < {need} px)"]
        return []
    need = w.sizeHint().width() - (w.width() - rect.width())
    if need > rect.width() + SLACK and w.minimumSizeHint().width() > rect.width() + SLACK:
        return [f"label “{_plain(text)}” is cut ({rect.width()} < {need} px)"]
    if w.sizeHint().height() > w.height() + SLACK:
        return [f"label “{_plain(text)}” is cut at the bottom ({w.height()} < {w.sizeHint().height()} px)"]
    return []


def _button(w: QAbstractButton) -> list[str]:
    if not w.text():
        return []
    need = w.sizeHint().width()
    if isinstance(w, (QCheckBox, QRadioButton)):
        need = w.sizeHint().width()
    if need > w.width() + SLACK:
        return [f"button “{w.text()}” is cut ({w.width()} < {need} px)"]
    return []


def _table(t: QTableView) -> list[str]:
    out: list[str] = []
    model, h = t.model(), t.horizontalHeader()
    if h.isVisible():
        for c in range(h.count()):
            if not h.isSectionHidden(c) and h.sectionSize(c) + SLACK < h.sectionSizeHint(c):
                out.append(f"table {_name(t)}: header “{_plain(str(model.headerData(c, Qt.Orientation.Horizontal)))}” "
                           f"is cut ({h.sectionSize(c)} < {h.sectionSizeHint(c)} px)")
    first = t.rowAt(0)
    if first < 0:
        return out
    last = t.rowAt(t.viewport().height() - 1)
    last = model.rowCount() - 1 if last < 0 else last
    previews = set(t.property("preview_columns") or [])   # a preview of text shown in full beside the table
    for r in range(first, last + 1):
        for c in range(model.columnCount()):
            if h.isSectionHidden(c) or c in previews:
                continue
            index = model.index(r, c)
            width = cell_text_width(index, t.font())
            if width and width + 8 > h.sectionSize(c) + SLACK:
                out.append(f"table {_name(t)}: “{index.data()}” is cut in row {r + 1} "
                           f"({h.sectionSize(c)} < {width + 8} px)")
    return out


def _plain(text: str) -> str:
    import re
    return re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ")[:80]
