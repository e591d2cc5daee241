"""The preview: every target table's rows as they would be written, each bad cell marked with its
reason, and the list of problems per routing (clicking one shows its cell)."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from app.services.export.rows import ERROR, ExportPlan
from app.ui.export.models import PreviewData, PreviewModel, ProblemsModel
from app.ui.export.wording import skipped_text
from app.ui.widgets import fit_columns, read_only_table, repaint_tab_widget_only_when_moved

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
        self.tables = repaint_tab_widget_only_when_moved(QTabWidget())
        self.tables.setObjectName("previewTables")
        self.models: dict[str, PreviewModel] = {}
        self.views: dict[str, QTableView] = {}       # made when their tab is first shown
        self.pages: dict[str, QWidget] = {}
        self._widths: dict[str, list[int]] = {}
        self._label_width = 0
        self.tables.currentChanged.connect(lambda i: self.view(self._name_at(i)))
        self.problems_model = ProblemsModel(self)
        self.problems_view = read_only_table("problemsTable")
        self.problems_view.setModel(self.problems_model)
        fit_columns(self.problems_view, [140, 170, 40, 150, 300], stretch_last=False)
        self.problems_view.clicked.connect(lambda idx: self.show_problem(idx.row()))
        self.problems_view.setMinimumHeight(100)   # a header and at least two problems
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
        self._label_width = self.fontMetrics().horizontalAdvance(f"{len(items) * 10:,}  {widest}") + 16
        for t in plan.tables:
            model = PreviewModel(self)
            model.set_table(t, data.marks[t.name], data.invalid, items)
            self.models[t.name] = model
            self._widths[t.name] = [_width(c) for c in t.table.columns]
            # an empty page per table; its view is made when the tab is first shown (a view of a
            # 93-column table costs the GUI thread 10-20 ms to make)
            page = QWidget()
            page.setObjectName(f"previewPage_{t.name}")
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.pages[t.name] = page
            errors = data.marks[t.name].errors
            self.tables.addTab(page, f"{t.name} ({t.frame.height:,})" + (f" ⚠{errors:,}" if errors else ""))
        names = [t.name for t in plan.tables]
        if current in names:
            self.tables.setCurrentIndex(names.index(current))
        self.view(self._name_at(self.tables.currentIndex()))
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
        self.problems_model.set_problems(data.problems, data.reasons)
        self._fit_problem_columns()
        total = data.errors + data.warnings
        self.problems_label.setText(
            self.tr("Problems: %1 errors, %2 warnings").replace("%1", f"{data.errors:,}")
            .replace("%2", f"{data.warnings:,}") + (self.tr(" (the first %1 listed)").replace("%1", f"{SHOWN_PROBLEMS:,}")
                                                    if total > SHOWN_PROBLEMS else ""))
        first_error = next((i for i, p in enumerate(data.problems) if p.severity == ERROR), None)
        if first_error is not None:
            self.show_problem(first_error)

    def _fit_problem_columns(self, rows: int = 100) -> None:
        """Each column of the problems list as wide as its text in the first `rows` problems, measured
        from the texts themselves (Qt's resizeColumnsToContents asks the model for every role of every
        cell: 70 ms of the GUI thread for a large preview)."""
        model, header = self.problems_model, self.problems_view.horizontalHeader()
        fm = self.problems_view.fontMetrics()
        for c in range(model.columnCount()):
            texts = model.shown_texts(c, rows)
            need = max((fm.horizontalAdvance(t) for t in texts), default=0) + 16   # the delegate's margins
            header.resizeSection(c, max(need, header.sectionSizeHint(c) + 6))

    def _name_at(self, index: int) -> str:
        return self.tables.tabText(index).split(" ")[0] if 0 <= index < self.tables.count() else ""

    def view(self, name: str) -> QTableView | None:
        """The view of table `name` (made now if its tab was not shown yet); None for no such table."""
        if name in self.views:
            return self.views[name]
        if name not in self.models:
            return None
        view = QTableView()
        view.setObjectName(f"preview_{name}")
        view.setModel(self.models[name])
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = view.verticalHeader()
        rows.setDefaultSectionSize(22)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # fixed heights and width: Qt need not ask 160,000 row labels for their size
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setFixedWidth(self._label_width)
        view.setWordWrap(False)
        # by pixel: show_table scrolls to a column's position (per item, the bar counts columns)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        fit_columns(view, self._widths[name], stretch_last=False)
        self.pages[name].layout().addWidget(view)
        self.views[name] = view
        return view

    def _drop_tables(self) -> None:
        """Remove the previous preview's views and models (they hold the previous plan's rows)."""
        views, models, pages = list(self.views.values()), list(self.models.values()), list(self.pages.values())
        self.models.clear()
        self.views.clear()
        self.pages.clear()
        self.tables.clear()
        for w in views:
            w.setModel(None)
            w.deleteLater()
        for m in models:
            m.deleteLater()
        for p in pages:
            p.deleteLater()

    def show_table(self, name: str, column: str | None = None) -> None:
        """Bring table `name` to the front, scrolled so `column` is the first one in sight."""
        if name in self.pages:
            self.tables.setCurrentWidget(self.pages[name])
            view = self.view(name)
            idx = self.models[name].find_cell(0, column) if column else QModelIndex()
            if idx.isValid():
                def scroll(view=view, col=idx.column()):
                    view.horizontalScrollBar().setValue(view.horizontalHeader().sectionPosition(col))
                scroll()
                QTimer.singleShot(0, scroll)     # a view just made has its scroll range once laid out

    def show_problem(self, row: int) -> None:
        if not 0 <= row < len(self.problems_model.rows):
            return
        p = self.problems_model.rows[row]
        self.problems_view.selectRow(row)
        if p.table in self.pages and p.row >= 0:
            self.tables.setCurrentWidget(self.pages[p.table])
            view = self.view(p.table)
            idx = self.models[p.table].find_cell(p.row, p.column)
            if idx.isValid():
                view.setCurrentIndex(idx)
                view.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.problem_chosen.emit(p.table, p.row, p.column)

    def clear(self, message: str) -> None:
        self.plan = None
        self._drop_tables()
        self.problems_model.set_rows([])
        self.problems_label.setText("")
        self.summary.setText(message)
