"""The one question the Prediction tab asks before unsaved work would be replaced."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def ask_save_changes(parent: QWidget, item_cd: str, detail: str) -> str:
    """"Save changes to ITEM?" with Save / Discard / Cancel; returns SAVE, DISCARD or CANCEL.
    Closing the box (Esc) is Cancel: nothing is lost by accident."""
    box = QMessageBox(parent)
    box.setObjectName("saveChangesQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("SaveQuestion", "Unsaved routing"))
    box.setText(QCoreApplication.translate("SaveQuestion", "Save changes to %1?").replace("%1", item_cd))
    box.setInformativeText(detail)
    box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                           | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: SAVE,
            QMessageBox.StandardButton.Discard: DISCARD}.get(QMessageBox.StandardButton(answer), CANCEL)
