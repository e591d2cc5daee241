"""What one model version learned from the plant's own history: per operation, the attributes and
specification words that decide whether an item gets it (ranked), how often the learned rule and
the similar items' vote alone were right; per operation, what moves its setup and run times."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.ui.look import MUTED_TEXT, fmt_share
from app.ui.widgets import Column, RowsTableModel, fit_to_contents, read_only_table


@dataclass
class LearnedOperation:
    token: str
    job: str
    name: str
    deciding: list[list]          # [kind, column, value, share], most important first
    items: int
    with_it: int
    accuracy: float
    vote_accuracy: float


@dataclass
class LearnedTime:
    job: str
    name: str
    run: dict | None
    setup: dict | None


def attribute_text(kind: str, column: str, value: str) -> str:
    """An attribute a rule or time model reads, as the engineer knows it."""
    if kind == "similar":
        return QCoreApplication.translate("LearnedPanel", "similar items' routings")
    if kind == "cat":
        return f"{column} = {value}"
    if kind == "word":
        return QCoreApplication.translate("LearnedPanel", "word “%1”").replace("%1", value)
    return column


class LearnedOperationsModel(RowsTableModel[LearnedOperation]):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.set_columns([
            Column("OP", self.tr("Operation"), lambda o: f"{o.token} {o.name}".strip(),
                   tip=lambda o: o.job),
            Column("DECIDED", self.tr("Decided by (ranked)"), self.decided_text, tip=self.decided_tip,
                   header_tip=self.tr("What the learned rule reads to decide whether an item gets the operation, "
                                      "with each one's share of the decision")),
            Column("WITH", self.tr("Items with it"), lambda o: f"{o.with_it:,} / {o.items:,}", align="right",
                   value=lambda o: o.with_it / max(o.items, 1),
                   header_tip=self.tr("Items of the learning sample that have the operation, of those that could")),
            Column("RULE", self.tr("Right, learned"), lambda o: fmt_share(o.accuracy), align="right",
                   value=lambda o: o.accuracy,
                   header_tip=self.tr("How often the learned rule was right, each item predicted without itself")),
            Column("VOTE", self.tr("Right, vote only"), lambda o: fmt_share(o.vote_accuracy), align="right",
                   value=lambda o: o.vote_accuracy, foreground=lambda o: MUTED_TEXT,
                   header_tip=self.tr("How often the similar items' majority alone was right")),
        ])

    def decided_text(self, o: LearnedOperation) -> str:
        shown = [d for d in o.deciding if d[3] >= 0.05][:3] or o.deciding[:1]
        return " · ".join(f"{attribute_text(k, c, v)} {fmt_share(s, 0)}" for k, c, v, s in shown)

    def decided_tip(self, o: LearnedOperation) -> str:
        return "\n".join(f"{fmt_share(s, 0):>6}  {attribute_text(k, c, v)}" for k, c, v, s in o.deciding)


class LearnedTimesModel(RowsTableModel[LearnedTime]):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.set_columns([
            Column("OP", self.tr("Operation"), lambda t: f"{t.job} {t.name}".strip()),
            Column("RUN", self.tr("Run time moves with"), lambda t: self.effects_text(t.run),
                   tip=lambda t: self.effects_tip(t.run),
                   header_tip=self.tr("The attributes that change the run time most: for a size, the factor "
                                      "from small to large items (10th to 90th percentile); for a category or word, "
                                      "the factor it brings")),
            Column("SETUP", self.tr("Setup time moves with"), lambda t: self.effects_text(t.setup),
                   tip=lambda t: self.effects_tip(t.setup)),
            Column("ITEMS", self.tr("Items"), lambda t: f"{(t.run or t.setup or {}).get('items', 0):,}",
                   align="right", header_tip=self.tr("Items with usable work results the time model learned from")),
        ])

    def effects_text(self, part: dict | None) -> str:
        if not part:
            return ""
        return " · ".join(f"{attribute_text(k, c, v)} ×{f:.2g}" for k, c, v, f in part.get("effects", [])[:2])

    def effects_tip(self, part: dict | None) -> str | None:
        if not part:
            return None
        return "\n".join(f"×{f:.3g}  {attribute_text(k, c, v)}" for k, c, v, f in part.get("effects", []))


class LearnedPanel(QWidget):
    """The selected version's learned rules and time models (from its registry row)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("learnedPanel")
        self.title = QLabel()
        self.title.setObjectName("learnedTitle")
        self.title.setWordWrap(True)
        self.operations_model = LearnedOperationsModel(self)
        self.operations_table = read_only_table("learnedOperations")
        self.operations_table.setModel(self.operations_model)
        self.operations_table.setSortingEnabled(False)
        self.times_model = LearnedTimesModel(self)
        self.times_table = read_only_table("learnedTimes")
        self.times_table.setModel(self.times_model)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.operations_table)
        split.addWidget(self.times_table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(split, 1)
        self.show_version(None)

    def show_version(self, row: dict | None) -> None:
        learned = ((row or {}).get("summary") or {}).get("learned") or {}
        ops = [LearnedOperation(o["token"], o["job"], o.get("name", ""), o.get("deciding", []), o.get("items", 0),
                                o.get("with_it", 0), o.get("accuracy", float("nan")),
                                o.get("vote_accuracy", float("nan")))
               for o in learned.get("operations", [])]
        times = [LearnedTime(t["job"], t.get("name", ""), t.get("run"), t.get("setup"))
                 for t in learned.get("times", [])]
        self.operations_model.set_rows(ops)
        self.times_model.set_rows(times)
        fit_to_contents(self.operations_table, max_width=640)
        fit_to_contents(self.times_table, max_width=480)
        if row is None:
            self.title.setText(self.tr("Select a model version to see what it learned."))
        elif not learned:
            self.title.setText(self.tr("Model %1 learned no rules of its own (trained by an older version, or too "
                                       "few items).").replace("%1", row["version"]))
        else:
            self.title.setText(
                self.tr("Model %1 learned from %2 of the plant's items, each predicted from its %3 most similar "
                        "others: what decides each operation (those where the learned rule gained most over the "
                        "similar items' vote first), and what moves its times.")
                .replace("%1", row["version"]).replace("%2", f"{learned.get('sample_items', 0):,}")
                .replace("%3", str(learned.get("similar_items", 0))))
