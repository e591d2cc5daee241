"""A layout request inside a tab's page (a label's new text, a widget shown) lays the page out again
but repaints only what changed: QTabWidget alone repainted all of its page, every table in it."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QTableWidget, QTabWidget, QVBoxLayout, QWidget

from app.ui.widgets import repaint_tab_widget_only_when_moved


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _page_with_a_table(qtbot, quiet: bool):
    tabs = QTabWidget()
    if quiet:
        repaint_tab_widget_only_when_moved(tabs)
    qtbot.addWidget(tabs)
    page = QWidget()
    lay = QVBoxLayout(page)
    note = QLabel("short")
    table = QTableWidget(30, 6)
    lay.addWidget(note)
    lay.addWidget(table, 1)
    tabs.addTab(page, "Prediction")
    tabs.resize(700, 500)
    tabs.show()
    qtbot.waitExposed(tabs)
    qtbot.wait(50)
    return tabs, note, table


def _paints_of(qtbot, table, change) -> int:
    seen = _Paints()
    table.viewport().installEventFilter(seen)
    change()
    qtbot.wait(80)
    return seen.count


def test_a_new_label_text_does_not_repaint_the_table_beside_it(qtbot):
    tabs, note, table = _page_with_a_table(qtbot, quiet=True)
    assert _paints_of(qtbot, table, lambda: note.setText("a longer text than before, on one line")) == 0
    assert note.width() >= note.fontMetrics().horizontalAdvance(note.text())   # the label shows it all


def test_what_moved_is_repainted(qtbot):
    tabs, note, table = _page_with_a_table(qtbot, quiet=True)
    top = table.y()
    assert _paints_of(qtbot, table, lambda: note.setText("two lines\nof text")) > 0
    assert table.y() > top


def test_a_plain_tab_widget_repaints_the_table(qtbot):
    """What the helper is for: without it the same change repaints the table."""
    tabs, note, table = _page_with_a_table(qtbot, quiet=False)
    assert _paints_of(qtbot, table, lambda: note.setText("a longer text than before, on one line")) > 0


def test_the_tab_bar_still_follows_its_tabs(qtbot):
    tabs, note, table = _page_with_a_table(qtbot, quiet=True)
    before = tabs.tabBar().width()
    tabs.addTab(QWidget(), "Mapping && Export")
    tabs.setTabText(0, "예측 — a much longer tab title")
    qtbot.waitUntil(lambda: tabs.tabBar().width() > before + 100, timeout=2000)
    assert tabs.tabBar().tabRect(1).right() <= tabs.tabBar().width()
