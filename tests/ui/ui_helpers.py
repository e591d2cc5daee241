"""Steps several window tests share."""
from __future__ import annotations

LONG = 60_000  # ms: generous, a busy 2-core CI machine is slow


def predict_first_new_item(qtbot, window) -> str:
    """As a user: tick "only items without routing", pick the first row, press Enter; returns ITEM_CD."""
    from PySide6.QtCore import Qt

    tab = window.prediction
    tab.input_tabs.setCurrentIndex(0)
    tab.browser.only_without.setChecked(True)
    qtbot.waitUntil(lambda: tab.browser.model.rowCount() > 0 and not tab.browser.model.loading, timeout=LONG)
    tab.browser.table.setFocus()
    tab.browser.select_row(0)
    code = tab.browser.current_code()
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        qtbot.keyClick(tab.browser.table, Qt.Key.Key_Return)
    return code
