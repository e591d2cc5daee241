"""The Audit tab's detail pane: every field of the selected event, its details laid out, its hash."""
from __future__ import annotations

import html
import json

from PySide6.QtWidgets import QGroupBox, QTextBrowser, QVBoxLayout

from app.domain.access import AuditEvent
from app.ui.audit.models import local_time, role_names


class AuditDetailPanel(QGroupBox):
    def __init__(self, parent=None):
        super().__init__(self.tr("Event"), parent)
        self.view = QTextBrowser()
        self.view.setObjectName("auditDetail")
        self.view.setOpenLinks(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.view)
        self.show_event(None)

    def show_event(self, e: AuditEvent | None) -> None:
        if e is None:
            hint = self.tr("Select an event to see it here.")
            self.view.setHtml(f"<p style='color:#666'>{html.escape(hint)}</p>")
            return
        outcome = {"ok": self.tr("ok"), "denied": self.tr("denied"), "failed": self.tr("failed")}.get(e.outcome,
                                                                                                  e.outcome)
        rows = [(self.tr("Time"), f"{local_time(e)}  ({e.at:%Y-%m-%d %H:%M:%S} UTC)"),
                (self.tr("User"), e.user_name),
                (self.tr("Role"), role_names(self).get(e.role, e.role) or self.tr("no role")),
                (self.tr("Machine"), e.host), (self.tr("Action"), e.action), (self.tr("Target"), e.target),
                (self.tr("Outcome"), outcome), (self.tr("Seq"), f"{e.seq:,}")]
        body = "".join(f"<tr><td style='color:#555;padding-right:12px'>{html.escape(k)}</td>"
                       f"<td><b>{html.escape(str(v))}</b></td></tr>" for k, v in rows)
        detail = json.dumps(e.detail, ensure_ascii=False, indent=2, sort_keys=True) if e.detail else "{}"
        details, digest = self.tr("Details"), self.tr("Hash")
        self.view.setHtml(f"<table>{body}</table><p style='color:#555;margin-top:8px'>{html.escape(details)}"
                          f"</p><pre>{html.escape(detail)}</pre><p style='color:#888'>{html.escape(digest)}: "
                          f"<code>{e.hash}</code></p>")

    def text(self) -> str:
        return self.view.toPlainText()
