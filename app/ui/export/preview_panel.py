"""The preview: every target table's rows as they would be written, each bad cell marked with its
reason, and the list of problems per routing (clicking one shows its cell)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from app.services.export.rows import ERROR, ExportPlan
from app.ui.export.models import BAD, PreviewData, PreviewModel, ProblemsModel
from app.ui.export.wording import skipped_text
from app.ui.widgets import fit_columns, read_only_table

SHOWN_PROBLEMS = 2000


def _width(col) -> int:
    if col.type == "datetime":
        return 150
    if col.type == "text" and col.length and col.length > 20:
        return 110
    return 64


class PreviewPanel(QWidget):
    problem_chosen = Signal(str, int, str)     # table, row, column

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plan: ExportPlan | None = None
        self.summary = QLabel(self.tr("Press Preview to see the rows as they would be written."))
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        self.tables = QTabWidget()
        self.tables.setObjectName("previewTables")
        self.models: dict[str, PreviewModel] = {}
        self.views: dict[str, QTableView] = {}
        self.problems_model = ProblemsModel(self)
        self.problems_view = read_only_table("problemsTable")
        self.problems_view.setModel(self.problems_model)
        fit_columns(self.problems_view, [140, 170, 40, 150, 300], stretch_last=False)
        self.problems_view.clicked.connect(lambda idx: self.show_problem(idx.row()))
        self.problems_view.setMinimumHeight(100)   # a header and at least three problems
        self.problems_label = QLabel()
        self.problems_label.setObjectName("muted")
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.problems_label)
        bl.addWidget(self.problems_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tables)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 150])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)

    def show_plan(self, data: PreviewData) -> None:
        """Show a preview prepared by prepare_preview (on the worker that built the plan)."""
        plan = data.plan
        self.plan = plan
        items = [r.ITEM_CD for r in plan.routings]
        current = self.tables.tabText(self.tables.currentIndex()).split(" ")[0] if self.tables.count() else ""
        self._drop_tables()
        widest = max(items[:2000], key=len, default="")
        label_width = self.fontMetrics().horizontalAdvance(f"{len(items) * 10:,}  {widest}") + 16
        for t in plan.tables:
            model = PreviewModel(self)
            model.set_table(t, data.marks[t.name], data.invalid, items)
            view = QTableView()
            view.setObjectName(f"preview_{t.name}")
            view.setModel(model)
            view.setAlternatingRowColors(True)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            rows = view.verticalHeader()
            rows.setDefaultSectionSize(22)
            rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            # fixed heights and width: Qt need not ask 160,000 row labels for their size
            rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            rows.setFixedWidth(label_width)
            view.setWordWrap(False)
            fit_columns(view, [_width(c) for c in t.table.columns], stretch_last=False)
            errors = int((data.marks[t.name].grid == BAD).sum())
            label = f"{t.name} ({t.frame.height:,})" + (f" ⚠{errors:,}" if errors else "")
            self.tables.addTab(view, label)
            self.models[t.name] = model
            self.views[t.name] = view
        names = [t.name for t in plan.tables]
        if current in names:
            self.tables.setCurrentIndex(names.index(current))
        n, bad = len(plan.routings), int(data.invalid.sum())
        text = self.tr("%1 routings: %2 valid, %3 invalid.").replace("%1", f"{n:,}") \
            .replace("%2", f"{n - bad:,}").replace("%3", f"{bad:,}")
        if data.warnings:
            text += " " + self.tr("%1 warnings (yellow cells).").replace("%1", f"{data.warnings:,}")
        if bad:
            text += " " + self.tr("Red cells cannot be exported; hover one for the reason.")
        tip = ""
        if plan.skipped:
            # the codes only, so the summary keeps to two lines; why each gave no routing is in the tooltip
            codes = ", ".join(s.ITEM_CD for s in plan.skipped[:5]) + (", …" if len(plan.skipped) > 5 else "")
            text += " " + self.tr("%1 item(s) gave no routing: %2").replace("%1", str(len(plan.skipped))).replace(
                "%2", codes)
            tip = "\n".join(f"{s.ITEM_CD}: {skipped_text(s)}" for s in plan.skipped[:30])
        self.summary.setText(text)
        self.summary.setToolTip(tip)
        self.summary.setProperty("state", "bad" if bad else "ok")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.problems_model.set_rows(data.problems)
        self.problems_view.resizeColumnsToContents()
        total = data.errors + data.warnings
        self.problems_label.setText(
            self.tr("Problems: %1 errors, %2 warnings").replace("%1", f"{data.errors:,}")
            .replace("%2", f"{data.warnings:,}") + (self.tr(" (the first %1 listed)").replace("%1", f"{SHOWN_PROBLEMS:,}")
                                                    if total > SHOWN_PROBLEMS else ""))
        first_error = next((i for i, p in enumerate(data.problems) if p.severity == ERROR), None)
        if first_error is not None:
            self.show_problem(first_error)

    def _drop_tables(self) -> None:
        """Remove the previous preview's views and models (they hold the previous plan's rows)."""
        views, models = list(self.views.values()), list(self.models.values())
        self.tables.clear()
        for w in views:
            w.setModel(None)
            w.deleteLater()
        for m in models:
            m.deleteLater()
        self.models.clear()
        self.views.clear()

    def show_table(self, name: str, column: str | None = None) -> None:
        """Bring table `name` to the front, scrolled so `column` is the first one in sight."""
        if name in self.views:
            self.tables.setCurrentWidget(self.views[name])
            if column:
                idx = self.models[name].find_cell(0, column)
                if idx.isValid():
                    view = self.views[name]
                    view.horizontalScrollBar().setValue(view.horizontalHeader().sectionPosition(idx.column()))

    def show_problem(self, row: int) -> None:
        if not 0 <= row < len(self.problems_model.rows):
            return
        p = self.problems_model.rows[row]
        self.problems_view.selectRow(row)
        if p.table in self.views and p.row >= 0:
            self.tables.setCurrentWidget(self.views[p.table])
            idx = self.models[p.table].find_cell(p.row, p.column)
            if idx.isValid():
                self.views[p.table].setCurrentIndex(idx)
                self.views[p.table].scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.problem_chosen.emit(p.table, p.row, p.column)

    def clear(self, message: str) -> None:
        self.plan = None
        self._drop_tables()
        self.problems_model.set_rows([])
        self.problems_label.setText("")
        self.summary.setText(message)
