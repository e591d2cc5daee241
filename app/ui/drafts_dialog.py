"""File ▸ Drafts on this PC: routings saved while the shared store could not be reached (or whose
save failed when the connection was lost), kept on this PC until they reach their store. Upload
saves them to the open store as their engineer would have (a routing someone changed meanwhile is
refused with their name and time, and stays a draft); Open shows one in the Prediction tab to look
at and save; Discard forgets it. The drafts are read and uploaded on workers."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from app.services import drafts, stores
from app.services.drafts import Draft
from app.services.routings import ConflictError
from app.ui.context import AppContext
from app.ui.widgets import Banner, Column, RowsTableModel, fit_to_contents, read_only_table


class DraftsModel(RowsTableModel[Draft]):
    def __init__(self, parent=None):
        super().__init__(parent=parent)
        reasons = {drafts.OFFLINE: self.tr("saved on this PC while the store was away"),
                   drafts.FAILED: self.tr("not saved: the connection was lost")}
        self.set_columns([
            Column("ITEM_CD", "ITEM_CD", lambda d: d.item_cd, bold=lambda d: True),
            Column("OPS", self.tr("Ops"), lambda d: str(len(d.operations)), align="right"),
            Column("STATUS", self.tr("Status"), lambda d: {"draft": self.tr("draft"),
                                                           "submitted": self.tr("submitted")}.get(d.status, d.status)),
            Column("KEPT", self.tr("Kept at"), lambda d: f"{d.kept_at:%Y-%m-%d %H:%M}"),
            Column("USER", self.tr("By"), lambda d: d.user),
            Column("WHY", self.tr("Why"), lambda d: reasons.get(d.reason, d.reason)),
            Column("STORE", self.tr("For the store"), lambda d: d.store_text or d.store),
        ])


class DraftsDialog(QDialog):
    open_requested = Signal(object)   # Draft: show it in the Prediction tab
    uploaded = Signal(int)            # how many reached the store

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("draftsDialog")
        self.setWindowTitle(self.tr("Drafts on this PC"))
        self.setMinimumSize(900, 380)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.model = DraftsModel(self)
        self.table = read_only_table("draftsTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.ExtendedSelection)
        self.message = Banner("info")
        self.message.setObjectName("draftsMessage")
        self.upload_button = QPushButton(self.tr("Upload all"))
        self.upload_button.setObjectName("primary")
        self.upload_button.clicked.connect(self.upload_all)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Show the selected draft in the Prediction tab, to compare and save it"))
        self.open_button.clicked.connect(self.open_selected)
        self.discard_button = QPushButton(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Forget the selected drafts on this PC (the store is not changed)"))
        self.discard_button.clicked.connect(self.discard_selected)
        row = QHBoxLayout()
        row.addWidget(self.upload_button)
        row.addWidget(self.open_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        lay.addLayout(row)
        lay.addWidget(buttons)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.reload()

    # ---- the list ----------------------------------------------------------------------------
    def reload(self):
        return self.ctx.runner.start(lambda p: drafts.pending(), "list drafts", on_result=self._listed,
                                     on_error=self.message.show_message)

    def _listed(self, rows: list[Draft]) -> None:
        self.model.set_rows(rows)
        fit_to_contents(self.table, 320)
        here = drafts.store_key(self.ctx.store.url) if self.ctx.store_open else None
        mine = [d for d in rows if d.store == here]
        if not rows:
            self.intro.setText(self.tr("No drafts are kept on this PC: every routing reached its store."))
        else:
            self.intro.setText(self.tr("%1 routings saved on this PC have not reached their store yet; %2 of them "
                                       "belong to the open store %3.").replace("%1", str(len(rows)))
                               .replace("%2", str(len(mine))).replace("%3", self.ctx.store_text()))
        self.upload_button.setEnabled(bool(mine))
        self.upload_button.setToolTip(
            self.tr("Save these routings to the open store %1").replace("%1", self.ctx.store_text()) if mine else
            self.tr("None of the drafts belongs to the open store; open their store first."))
        self.open_button.setEnabled(bool(rows))
        self.discard_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def selected(self) -> list[Draft]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows if 0 <= r < len(self.model.rows)]

    # ---- actions -----------------------------------------------------------------------------
    def upload_all(self):
        """Upload every draft of the open store, one by one, on a worker; say what happened to each."""
        if not self.ctx.store_open:
            return None
        store, user = self.ctx.store, self.ctx.user
        key = drafts.store_key(store.url)

        def work(p):
            done, refused = [], []
            todo = [d for d in drafts.pending() if d.store == key]
            for i, d in enumerate(todo):
                p.report(i / max(1, len(todo)), d.item_cd)
                try:
                    done.append(drafts.upload(store, d, user))
                except ConflictError as exc:
                    refused.append((d, exc))
                except Exception as exc:  # noqa: BLE001 - said per draft; a lost connection stops the rest
                    refused.append((d, exc))
                    if stores.is_connection_lost(exc):
                        break
            return done, refused

        self.upload_button.setEnabled(False)
        self.message.set_kind("info")
        self.message.show_message(self.tr("uploading…"))
        return self.ctx.runner.start(work, "upload drafts", on_result=self._uploaded,
                                     on_error=self._failed, on_done=self.reload)

    def _uploaded(self, result) -> None:
        done, refused = result
        lines = [self.tr("%1 routings saved to %2.").replace("%1", str(len(done)))
                 .replace("%2", self.ctx.store_text())]
        for d, exc in refused:
            if isinstance(exc, ConflictError):
                lines.append(self.tr("%1 not saved: %2 changed it at %3 (revision %4) — Open it to compare; it stays "
                                     "a draft.").replace("%1", d.item_cd).replace("%2", exc.by)
                             .replace("%3", f"{exc.at:%Y-%m-%d %H:%M}").replace("%4", str(exc.revision)))
            else:
                lines.append(self.tr("%1 not saved: %2 (it stays a draft)").replace("%1", d.item_cd)
                             .replace("%2", stores.connection_message(exc, self.ctx.store_text())
                                      if stores.is_connection_lost(exc) else str(exc)))
        self.message.set_kind("warning" if refused else "info")
        self.message.show_message("\n".join(lines))
        self.uploaded.emit(len(done))

    def _failed(self, message: str) -> None:
        self.message.set_kind("error")
        self.message.show_message(message)

    def open_selected(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        d = chosen[0]
        if d.new_item:
            self.message.set_kind("warning")
            self.message.show_message(self.tr("%1 is a new item: Upload saves it; to look at it first, describe the "
                                              "item in the form and type its code.").replace("%1", d.item_cd))
            return
        self.open_requested.emit(d)
        self.accept()

    def discard_selected(self, ask: bool = True):
        chosen = self.selected()
        if not chosen:
            return None
        if ask and QMessageBox.question(
                self, self.tr("Discard drafts"),
                self.tr("Forget %1 drafts on this PC (%2)? Their edits are lost; the store is not changed.")
                .replace("%1", str(len(chosen))).replace("%2", ", ".join(d.item_cd for d in chosen[:5])),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return None

        def work(_p):
            for d in chosen:
                drafts.discard(d)
            return len(chosen)
        return self.ctx.runner.start(work, "discard drafts", on_done=self.reload, on_error=self._failed)

