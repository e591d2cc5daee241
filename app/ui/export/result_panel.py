"""What the last export did: where it went, rows per table, files, what was left out and why."""
from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser

from app.services.export.service import ExportResult
from app.ui.export.wording import describe_problem, skipped_text


class ResultPanel(QTextBrowser):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("exportResult")
        self.setMinimumHeight(40)
        self.setOpenLinks(False)
        self.anchorClicked.connect(lambda url: QDesktopServices.openUrl(url))
        self.result: ExportResult | None = None
        self.setPlaceholderText(self.tr("The result of the last export shows here."))

    def show_result(self, r: ExportResult) -> None:
        self.result = r
        esc = html.escape
        if r.dry_run:
            head = self.tr("Dry run — nothing was written. %1 routing(s) would go to %2 through profile %3:")
        else:
            head = self.tr("Exported %1 routing(s) to %2 through profile %3:")
        where = (self.tr("folder %1") if r.format == "csv" else self.tr("file %1") if r.format == "xlsx"
                 else "%1").replace("%1", r.place or r.target)
        head = head.replace("%1", f"{r.routings:,}").replace("%2", where).replace("%3", r.profile)
        rows_word = self.tr("rows")
        parts = [f"<p><b>{esc(head)}</b></p><table cellspacing='0' cellpadding='2'>"]
        for table, rows in r.written.items():
            parts.append(f"<tr><td>{esc(table)}</td><td align='right'>&nbsp;&nbsp;{rows:,}</td>"
                         f"<td>&nbsp;{esc(rows_word)}</td></tr>")
        parts.append("</table>")
        if r.files:
            files_word = self.tr("Files:")
            links = "<br>".join(f"<a href='{QUrl.fromLocalFile(f).toString()}'>{esc(f)}</a>" for f in r.files)
            parts.append(f"<p>{esc(files_word)}<br>{links}</p>")
        if r.replaced:
            text = self.tr("Replaced %1 routing(s) the target had already.").replace("%1", str(len(r.replaced)))
            parts.append(f"<p>{esc(text)}</p>")
        if r.warning_count:
            text = self.tr("%1 warning(s), e.g. %2").replace("%1", f"{r.warning_count:,}") \
                .replace("%2", describe_problem(r.warnings[0]))
            parts.append(f"<p style='color:#7a5200'>{esc(text)}</p>")
        if r.skipped:
            text = self.tr("Left out (%1):").replace("%1", str(len(r.skipped)))
            reasons = "<br>".join(f"{esc(s.ITEM_CD)}{'/' + esc(s.ROUT_NO) if s.ROUT_NO else ''}: {esc(skipped_text(s))}"
                                  for s in r.skipped[:50])
            parts.append(f"<p style='color:#8a1c13'><b>{esc(text)}</b><br>{reasons}</p>")
        self.setHtml("".join(parts))

    def show_failure(self, message: str) -> None:
        self.result = None
        head = self.tr("Not exported:")
        self.setHtml(f"<p style='color:#8a1c13'><b>{html.escape(head)}</b> {html.escape(message)}</p>")
