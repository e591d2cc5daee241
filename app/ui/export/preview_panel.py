"""The preview: every target table's rows as they would be written, each bad cell marked with its
reason, and the list of problems per routing (clicking one shows its cell)."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QTabBar, QTableView,
                               QVBoxLayout, QWidget)

from app.services.export.rows import ERROR, ExportPlan
from app.ui.export.models import PreviewData, PreviewModel, ProblemsModel
from app.ui.export.wording import skipped_text
from app.ui.widgets import fit_columns, read_only_table

SHOWN_PROBLEMS = 2000


def _width(col) -> int:
    if col.type == "datetime":
        return 150
    if col.type == "text" and col.length and col.length > 20:
        return 110
    return 64


def _set_model(view: QTableView, model) -> None:
    """Give `view` another model, deleting the selection model Qt made for the one before (setModel
    leaves it to its caller)."""
    old = view.selectionModel()
    view.setModel(model)
    if old is not None:
        old.deleteLater()


class PreviewPanel(QWidget):
    problem_chosen = Signal(str, int, str)     # table, row, column

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plan: ExportPlan | None = None
        self.summary = QLabel(self.tr("Press Preview to see the rows as they would be written."))
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        # One view for every target table, under a bar of their tabs: choosing a table gives the view
        # that table's model. The view is made with the panel; a view made when a preview arrived
        # cost the GUI thread 20-35 ms (polished with the style sheet, laid out), inside the tick that
        # also painted the preview.
        self.tables = QTabBar()
        self.tables.setObjectName("previewTables")
        self.tables.setExpanding(False)
        self.tables.setElideMode(Qt.TextElideMode.ElideNone)
        self.table_view = self._make_view()
        self.models: dict[str, PreviewModel] = {}
        self._widths: dict[str, list[int]] = {}      # each table's column widths, kept while another is shown
        self._shown = ""                              # the table the view shows
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
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        tl.addWidget(self.tables)
        tl.addWidget(self.table_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
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
        current = self._shown
        self._drop_tables()
        widest = max(items[:2000], key=len, default="")
        # fixed: Qt need not ask 160,000 row labels for their width
        self.table_view.verticalHeader().setFixedWidth(
            self.fontMetrics().horizontalAdvance(f"{len(items) * 10:,}  {widest}") + 16)
        names = [t.name for t in plan.tables]
        for t in plan.tables:
            model = PreviewModel(self)
            model.set_table(t, data.marks[t.name], data.invalid, items)
            self.models[t.name] = model
            self._widths[t.name] = [_width(c) for c in t.table.columns]
        self.tables.blockSignals(True)          # the view is given its table once, below
        for t in plan.tables:
            errors = data.marks[t.name].errors
            i = self.tables.addTab(f"{t.name} ({t.frame.height:,})" + (f" ⚠{errors:,}" if errors else ""))
            self.tables.setTabData(i, t.name)
        self.tables.setCurrentIndex(names.index(current) if current in names else 0)
        self.tables.blockSignals(False)
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
        return (self.tables.tabData(index) or "") if 0 <= index < self.tables.count() else ""

    def _make_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("previewTable")
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = view.verticalHeader()
        rows.setDefaultSectionSize(22)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.setWordWrap(False)
        # by pixel: show_table scrolls to a column's position (per item, the bar counts columns)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.horizontalHeader().setStretchLastSection(False)
        return view

    def view(self, name: str) -> QTableView | None:
        """The view, showing table `name` (its tab brought to the front); None for no such table."""
        if name not in self.models:
            return None
        view, header = self.table_view, self.table_view.horizontalHeader()
        if self._shown != name:
            if self._shown in self.models and view.model() is self.models[self._shown]:
                self._widths[self._shown] = [header.sectionSize(i) for i in range(header.count())]
            index = next(i for i in range(self.tables.count()) if self._name_at(i) == name)
            if self.tables.currentIndex() != index:
                self.tables.blockSignals(True)
                self.tables.setCurrentIndex(index)
                self.tables.blockSignals(False)
            _set_model(view, self.models[name])
            for i, w in enumerate(self._widths[name]):
                if i < header.count():
                    header.resizeSection(i, max(w, header.sectionSizeHint(i) + 6))
            view.scrollToTop()
            view.horizontalScrollBar().setValue(0)
            self._shown = name
        return view

    def _drop_tables(self) -> None:
        """Remove the previous preview's models (they hold the previous plan's rows) and tabs."""
        _set_model(self.table_view, None)
        self._shown = ""
        models = list(self.models.values())
        self.models.clear()
        self._widths.clear()
        self.tables.blockSignals(True)
        while self.tables.count():
            self.tables.removeTab(self.tables.count() - 1)
        self.tables.blockSignals(False)
        for m in models:
            m.deleteLater()

    def show_table(self, name: str, column: str | None = None) -> None:
        """Bring table `name` to the front, scrolled so `column` is the first one in sight."""
        view = self.view(name)
        if view is None:
            return
        idx = self.models[name].find_cell(0, column) if column else QModelIndex()
        if idx.isValid():
            def scroll(view=view, col=idx.column()):
                view.horizontalScrollBar().setValue(view.horizontalHeader().sectionPosition(col))
            scroll()
            QTimer.singleShot(0, scroll)     # before the view is laid out, its scroll range is not known yet

    def show_problem(self, row: int) -> None:
        if not 0 <= row < len(self.problems_model.rows):
            return
        p = self.problems_model.rows[row]
        self.problems_view.selectRow(row)
        view = self.view(p.table) if p.row >= 0 else None
        if view is not None:
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
