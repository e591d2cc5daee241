"""The data the models learn from: row counts of the store's views, the last import, and the
data-quality report (missing values, duplicates, zero-hour and outlier work results)."""
from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout

from app.services import quality
from app.ui.context import AppContext
from app.ui.widgets import ElidedLabel, JobBar
from app.ui.wording import source_text


class DataPanel(QGroupBox):
    quality_ready = Signal(dict)
    quality_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Data and its quality"))
        self.ctx = ctx
        self.report: dict | None = None
        self.requested = False

        self.store_value = ElidedLabel()
        self.store_value.setObjectName("storeValue")
        self.import_value = ElidedLabel()
        self.import_value.setObjectName("lastImport")
        self.imported_at = QLabel()
        self.imported_at.setObjectName("importedAt")
        self.count_labels: list[tuple[QLabel, QLabel]] = []
        self.summary = QGridLayout()
        self.summary.setHorizontalSpacing(10)
        self.summary.setVerticalSpacing(1)
        self.summary.setColumnStretch(1, 1)
        for r, (name, value) in enumerate(((self.tr("Store"), self.store_value),
                                           (self.tr("Last import"), self.import_value),
                                           (self.tr("Imported at"), self.imported_at))):
            key = QLabel(name)
            key.setObjectName("muted")
            self.summary.addWidget(key, r, 0)
            self.summary.addWidget(value, r, 1)

        self.quality_button = QPushButton(self.tr("Check data quality"))
        self.quality_button.setToolTip(self.tr("Read the store's copy of the three views again and report what a "
                                               "trainer should know"))
        self.quality_button.clicked.connect(self.run_quality)
        self.checked_label = QLabel()
        self.checked_label.setObjectName("muted")
        self.view = QTextBrowser()
        self.view.setObjectName("qualityReport")
        self.view.setMinimumHeight(50)
        self.view.setOpenLinks(False)
        self.job = JobBar()

        buttons = QHBoxLayout()
        buttons.addWidget(self.quality_button)
        buttons.addWidget(self.checked_label)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(self.summary)
        lay.addLayout(buttons)
        lay.addWidget(self.job)
        lay.addWidget(self.view, 1)
        self.show_store()

    # ---- the summary ---------------------------------------------------------------------
    def show_store(self) -> None:
        self.store_value.setText(self.ctx.store_text())

    def _show_counts(self, counts: dict[str, int]) -> None:
        for key, value in self.count_labels:
            self.summary.removeWidget(key)
            self.summary.removeWidget(value)
            key.deleteLater()
            value.deleteLater()
        self.count_labels = []
        for r, (view, n) in enumerate(counts.items(), start=3):
            key = QLabel(view)
            key.setObjectName("muted")
            value = QLabel(self.tr("%1 rows").replace("%1", f"<b>{n:,}</b>"))
            value.setTextFormat(Qt.TextFormat.RichText)
            self.summary.addWidget(key, r, 0)
            self.summary.addWidget(value, r, 1)
            self.count_labels.append((key, value))

    # ---- the report ----------------------------------------------------------------------
    def store_changed(self) -> None:
        self.report = None
        self.view.clear()
        self.checked_label.clear()
        self.requested = False
        self.show_store()
        if self.isVisible():
            self.run_quality()

    def run_quality(self):
        if not self.ctx.store_open:
            return None   # checked when the store is open (store_changed)
        self.requested = True
        self.show_store()
        store = self.ctx.store
        self.quality_button.setEnabled(False)
        self.checked_label.setText(self.tr("checking…"))
        task = self.ctx.runner.start(lambda p: quality.quality_report(store, p), "quality report", long=True,
                                     on_result=self._arrived, on_error=self._failed,
                                     on_done=lambda: self.quality_button.setEnabled(True))
        self.job.attach(task, self.tr("checking the data…"))
        return task

    def _failed(self, message: str) -> None:
        self.checked_label.setText(self.tr("check failed"))
        self.view.setHtml(f"<p style='color:#b3261e'>{html.escape(message)}</p>")
        self.quality_failed.emit(message)

    def _arrived(self, report: dict) -> None:
        self.report = report
        self.view.setHtml(self.quality_html(report))
        last = report.get("last_import")
        if last:
            self.import_value.setText(source_text(last["source"]))
            self.imported_at.setText(str(last["at"])[:16])
        else:
            self.import_value.setText(self.tr("none yet"))
            self.imported_at.clear()
        self._show_counts(report.get("row_counts", {}))
        self.checked_label.setText(self.tr("checked at %1").replace("%1", f"{datetime.now():%H:%M:%S}"))
        self.quality_ready.emit(report)

    def quality_html(self, r: dict) -> str:
        esc = html.escape
        out = ["<style>td{padding:1px 8px 1px 0;} .n{text-align:right;} h4{margin:8px 0 2px 0;}"
               " .warn{color:#b3261e;} .muted{color:#6b7280;}</style>"]
        warnings = r.get("import_warnings") or []
        title = self.tr("Import warnings (columns, rows left out, impossible hours)")
        out.append(f"<h4>{esc(title)}</h4>")
        if warnings:
            out.append("<ul>" + "".join(f"<li class='warn'>{esc(w)}</li>" for w in warnings) + "</ul>")
        else:
            none_text = self.tr("none — every expected column was found")
            out.append(f"<p class='muted'>{esc(none_text)}</p>")
        findings_title = self.tr("Findings")
        out.append(f"<h4>{esc(findings_title)}</h4><table>")
        findings = [
            (self.tr("Items without routing"), r.get("items_without_routing", 0)),
            (self.tr("Duplicate item codes"), r.get("duplicate_item_codes", 0)),
            (self.tr("Items with several routing variants"), r.get("items_with_several_routing_variants", 0)),
            (self.tr("Operations in current routings"), r.get("current_routing_operations", 0)),
            (self.tr("Work results reported twice"), r.get("duplicate_work_results", 0)),
            (self.tr("Work results with zero or missing hours"), r.get("zero_or_missing_hours_work_results", 0)),
            (self.tr("Outlier work results (dropped)"), r.get("outlier_work_results", 0)),
            (self.tr("Work results with impossible hours (dropped)"), r.get("impossible_hours_work_results", 0)),
        ]
        for label, n in findings:
            out.append(f"<tr><td>{esc(label)}</td><td class='n'><b>{n:,}</b></td></tr>")
        out.append("</table>")
        ex = r.get("items_without_routing_examples") or []
        if ex:
            eg = self.tr("e.g. %1").replace("%1", ", ".join(ex[:6]))
            out.append(f"<p class='muted'>{esc(eg)}</p>")
        worst = r.get("impossible_hours_by_item") or []
        if worst:
            most = self.tr("Impossible hours, most in: %1").replace(
                "%1", ", ".join(f"{w['ITEM_CD']} ({w['work_results']:,})" for w in worst[:6]))
            out.append(f"<p class='warn'>{esc(most)}</p>")
        missing_title = self.tr("Missing values per column")
        no_missing = self.tr("no missing values")
        out.append(f"<h4>{esc(missing_title)}</h4>")
        for view, rates in (r.get("missing_rates") or {}).items():
            worst = sorted(((c, v) for c, v in rates.items() if v > 0), key=lambda kv: -kv[1])
            out.append(f"<p><b>{esc(view)}</b> ")
            if not worst:
                out.append(f"<span class='muted'>{esc(no_missing)}</span></p>")
                continue
            out.append("</p><table>")
            for c, v in worst[:14]:
                cls = " class='warn'" if v >= 0.5 else ""
                bar = "█" * max(1, int(round(v * 20)))
                out.append(f"<tr><td>{esc(c)}</td><td class='n'{cls}>{v:.1%}</td>"
                           f"<td style='color:#9db4d3'>{bar}</td></tr>")
            if len(worst) > 14:
                more = self.tr("… and %1 more columns").replace("%1", str(len(worst) - 14))
                out.append(f"<tr><td class='muted' colspan=3>{esc(more)}</td></tr>")
            out.append("</table>")
        return "".join(out)
