"""Steps several window tests share."""
from __future__ import annotations

import shutil
from pathlib import Path

LONG = 60_000  # ms: generous, a busy 2-core CI machine is slow


def copy_store_file(source: Path, dest: Path) -> str:
    """A copy of the SQLite store `source` at `dest`, with the model files and imported views kept
    beside it; returns its URL."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(str(source) + suffix).exists():
            shutil.copy2(str(source) + suffix, str(dest) + suffix)
    for suffix in ("-models", "-data"):
        if source.with_name(source.stem + suffix).exists():
            shutil.copytree(source.with_name(source.stem + suffix), dest.with_name(dest.stem + suffix))
    return f"sqlite:///{dest}"


def predict_first_new_item(qtbot, window, row: int = 0) -> str:
    """As a user: tick "only items without routing", pick a row, press Enter; returns ITEM_CD."""
    from PySide6.QtCore import Qt

    tab = window.prediction
    tab.inputs.tabs.setCurrentIndex(0)
    tab.browser.only_without.setChecked(True)
    qtbot.waitUntil(lambda: tab.browser.model.rowCount() > row and not tab.browser.model.loading, timeout=LONG)
    tab.browser.table.setFocus()
    tab.browser.select_row(row)
    code = tab.browser.current_code()
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        qtbot.keyClick(tab.browser.table, Qt.Key.Key_Return)
    return code


def predict_item_with_candidates(qtbot, window, at_least: int = 2) -> str:
    """An item without routing whose prediction has several candidates (tries the first rows)."""
    for row in range(40):
        code = predict_first_new_item(qtbot, window, row)
        if len(window.prediction.entries) >= at_least:
            return code
    raise AssertionError(f"no item among the first 40 new items has {at_least} candidates")


class Questions:
    """Answers the next "Save changes to …?" questions with the given buttons, as a user would
    click them, and keeps what each question said."""

    def __init__(self, qtbot, *answers, name: str = "saveChangesQuestion"):
        from PySide6.QtCore import QTimer
        self.qtbot, self.answers, self.asked, self.name = qtbot, list(answers), [], name
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def _look(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == self.name), None)
        if box is None or not self.answers:
            return
        self.asked.append(box.text() + "\n" + box.informativeText())
        box.button(self.answers.pop(0)).click()

    def stop(self) -> None:
        self.timer.stop()
