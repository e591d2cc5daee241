"""A task's progress bar and message: a new message repaints the message alone; it does not make the
window lay out again (the main tab widget then repaints every table on its page)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.ui.widgets import JobBar


class _LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_new_progress_message_does_not_lay_out_the_window_again(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.addWidget(QLabel("rows of the preview"))
    job = JobBar()
    lay.addWidget(job)
    tabs.addTab(page, "Mapping & Export")
    tabs.resize(900, 300)
    tabs.show()
    job.setVisible(True)
    qtbot.wait(50)
    seen = _LayoutRequests()
    tabs.installEventFilter(seen)
    for message in ("reading the plant's items and resources", "checked every cell",
                    "1 of 4 files written", "P_BOP_PROC_DETAIL: 79,899 rows written, a long message"):
        job.set_progress(0.5, message)
        qtbot.wait(20)
    assert seen.count == 0
    assert job.message.text() == job.message.toolTip() == "P_BOP_PROC_DETAIL: 79,899 rows written, a long message"
    assert job.bar.value() == 500
