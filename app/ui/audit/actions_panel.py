"""The Audit tab's actions: export the filtered events (CSV with BOM or Excel, with a signed
checkpoint beside the file) and Verify the chain, each on a worker with progress and Cancel;
the result says where the trail is broken, with a button to show that row."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import audit, audit_seal
from app.services.audit import AuditFilter
from app.ui.context import AppContext
from app.ui.widgets import Banner, JobBar


class AuditActionsPanel(QWidget):
    sig_show_seq = Signal(int)           # show this row (the first broken one)
    export_finished = Signal(object)     # audit.AuditExport
    verify_finished = Signal(object)     # audit_seal.VerifyResult
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("auditExport")
        self.export_button.setToolTip(self.tr("Write the events shown to a CSV or Excel file, with a signed "
                                              "checkpoint of the trail beside it"))
        self.verify_button = QPushButton(self.tr("Verify"))
        self.verify_button.setObjectName("primary")
        self.verify_button.setToolTip(self.tr("Check every event of the trail against its hash chain and the "
                                              "signed checkpoints"))
        self.job = JobBar()
        self.result_ok = Banner("info")
        self.result_ok.setObjectName("auditVerifyOk")
        self.result_bad = Banner("error")
        self.result_bad.setObjectName("auditVerifyBroken")
        self.show_row_button = self.result_bad.add_button(self.tr("Show the row"), self._show_row)
        self.error = Banner("error")
        self._bad_seq: int | None = None
        self.export_button.clicked.connect(self.choose_export)
        self.verify_button.clicked.connect(self.verify)

        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.job, 2)
        top.addWidget(self.export_button)
        top.addWidget(self.verify_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        for banner in (self.result_ok, self.result_bad, self.error):
            lay.addWidget(banner)

    def show_count(self, n: int) -> None:
        if n < 0:
            self.count_label.setText("")
        else:
            self.count_label.setText(self.tr("1 event matches") if n == 1 else
                                     self.tr("%1 events match").replace("%1", f"{n:,}"))

    def set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.verify_button.setEnabled(not busy)

    # ---- export --------------------------------------------------------------------------
    def choose_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export the audit events"), "audit.csv",
                                                   self.tr("CSV, UTF-8 (*.csv);;Excel (*.xlsx)"))
        if path:
            if not Path(path).suffix:
                path += ".xlsx" if "xlsx" in chosen else ".csv"
            self.export(path, self.current_filter())

    def current_filter(self) -> AuditFilter:   # the tab replaces this with its filter panel's
        return AuditFilter()

    def export(self, path: str, flt: AuditFilter):
        store, user = self.ctx.store, self.ctx.user
        self.error.hide()
        self.set_busy(True)

        def done(result) -> None:
            text = (self.tr("1 event written to %2.") if result.rows == 1 else self.tr("%1 events written to %2.")) \
                .replace("%1", f"{result.rows:,}").replace("%2", str(result.path))
            if result.checkpoints:
                text += " " + self.tr("Checkpoint: %1").replace("%1", result.checkpoints[-1].name)
            if result.checkpoint_error:
                text += " " + self.tr("No checkpoint: %1").replace("%1", result.checkpoint_error)
            self.result_bad.hide()
            self.result_ok.show_message("✔ " + text)
            self.export_finished.emit(result)

        task = self.ctx.runner.start(lambda p: audit.export(store, path, flt, user=user, progress=p), "audit export",
                                     long=True, on_result=done, on_error=self._failed,
                                     on_done=lambda: self.set_busy(False))
        self.job.attach(task, self.tr("exporting…"))
        return task

    # ---- verify --------------------------------------------------------------------------
    def verify(self):
        store, user = self.ctx.store, self.ctx.user
        self.error.hide()
        self.result_ok.hide()
        self.result_bad.hide()
        self.set_busy(True)
        task = self.ctx.runner.start(lambda p: audit_seal.verify(store, user=user, progress=p), "audit verify",
                                     long=True, on_result=self._verified, on_error=self._failed,
                                     on_done=lambda: self.set_busy(False))
        self.job.attach(task, self.tr("verifying…"))
        return task

    def _verified(self, result) -> None:
        if result.intact:
            text = self.tr("The audit trail is intact: %1 events, seq 1–%2.").replace("%1", f"{result.rows:,}") \
                .replace("%2", f"{result.last_seq:,}")
            if result.checkpoints:
                newest = max(result.checkpoints, key=lambda c: c.seq)
                text += " " + self.tr("The newest checkpoint (seq %1, signed by %2) matches.").replace(
                    "%1", f"{newest.seq:,}").replace("%2", newest.by)
            else:
                text += " " + self.tr("No checkpoint was found, so deleting the newest events would not be noticed.")
            if result.checkpoint_error:
                text += " " + self.tr("No new checkpoint was written: %1.").replace("%1", result.checkpoint_error)
            if result.sealed_legacy_rows:
                text += " " + self.tr("%1 events from before the chain were sealed when the store was upgraded.") \
                    .replace("%1", f"{result.sealed_legacy_rows:,}")
            if not result.signers_pinned:
                text += " " + self.tr("No signer key is pinned on this PC, so the checkpoints' signers come from the "
                                      "store's own list (see docs/deploy.md).")
            self.result_ok.show_message("✔ " + text)
        else:
            first = result.first_problem
            self._bad_seq = first.seq if first is not None else None
            more = (" " + self.tr("(%1 more problems after it)").replace("%1", f"{result.problem_count - 1:,}")
                    if result.problem_count > 1 else "")
            self.result_bad.show_message("✖ " + self.tr("The audit trail is broken: %1").replace(
                "%1", self.problem_words(first)) + more)
            self.show_row_button.setVisible(self._bad_seq is not None)
        self.verify_finished.emit(result)

    def problem_words(self, problem) -> str:
        """The first problem in the window's language (the service's English for the rare kinds)."""
        seq = f"{problem.seq:,}" if problem.seq is not None else ""
        end = f"{problem.seq_end:,}" if problem.seq_end is not None else seq
        if problem.kind == "altered":
            return self.tr("row seq %1 (%2) does not match its hash: it was edited, inserted or moved.") \
                .replace("%1", seq).replace("%2", problem.row)
        if problem.kind == "missing" and end == seq:
            return self.tr("seq %1 is missing (deleted); the next row is %2.").replace("%1", seq) \
                .replace("%2", problem.row)
        if problem.kind == "missing":
            return self.tr("seq %1–%2 are missing (deleted); the next row is %3.").replace("%1", seq) \
                .replace("%2", end).replace("%3", problem.row)
        if problem.kind == "truncated":
            return self.tr("the newest rows seq %1–%2 were deleted.").replace("%1", seq).replace("%2", end) + \
                (" " + self.tr("Found by the checkpoint %1.").replace("%1", problem.row) if problem.row else "")
        if problem.kind == "cut":
            return self.tr("the trail was cut at seq %1: the rows seq %1–%2 that a signed checkpoint covered were "
                           "deleted, and seq %1 (%3) was written after that checkpoint.") \
                .replace("%1", seq).replace("%2", end).replace("%3", problem.row)
        if problem.kind == "rewritten":
            return self.tr("row seq %1 is not the row a signed checkpoint names: the trail up to it was rewritten.") \
                .replace("%1", seq)
        return problem.message

    def _show_row(self) -> None:
        if self._bad_seq is not None:
            self.sig_show_seq.emit(self._bad_seq)

    def _failed(self, message: str) -> None:
        self.error.show_message(message)
        self.failed.emit(message)
