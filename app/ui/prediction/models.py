"""Table models of the Prediction tab: similar items, the routings to choose from (the engineer's own
and the model's candidates), and a batch of predicted codes."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject

from app.domain.routing import Candidate, Prediction, PredictionBatch, SimilarItem
from app.domain.schema import OUTSIDE
from app.services.prediction import CandidateDifference
from app.services.routings import SavedRouting
from app.ui.look import (EDITED_BACKGROUND, MUTED_TEXT, SAVED_BACKGROUND, TIME_SOURCE_COLOURS, WARNING_BACKGROUND,
                         WARNING_TEXT, fmt_chance, fmt_minutes)
from app.ui.routing_editor import OperationsModel, signature
from app.ui.widgets import Column, RowsTableModel
from app.ui.wording import group_label, word


def total_per_piece(ops) -> float:
    return float(sum(o.SETUP_TIME + o.RUN_TIME for o in ops))


@dataclass
class RoutingEntry:
    """A routing the engineer can switch to: the engineer's own ("mine": edited and/or saved) or one
    of the model's candidates, which stays as the model proposed it."""

    kind: str                                   # "mine" | "candidate"
    model: OperationsModel
    candidate: Candidate | None = None
    saved: SavedRouting | None = None           # mine: the revision in the store it was opened or saved as
    difference: CandidateDifference | None = None

    @property
    def rank(self) -> int | None:
        return self.candidate.rank if self.candidate else None

    def dirty(self) -> bool:
        """Mine, with changes that are not in the store (compared with the saved revision or, before
        the first save, with the candidate it started from)."""
        if self.kind != "mine":
            return False
        if self.saved is not None:
            return self.model.signature() != signature(self.saved.operations)
        base = self.model.base
        return base is None or self.model.signature() != signature(list(base.operations))


class SimilarItemsModel(RowsTableModel[SimilarItem]):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.set_columns([
            Column("ITEM_CD", "ITEM_CD", lambda s: s.ITEM_CD),
            Column("ITEM_NM", "ITEM_NM", lambda s: (s.ITEM_NM or "").replace("\n", " ")),
            Column("PART_TYPE", "PART_TYPE", lambda s: s.PART_TYPE or ""),
            Column("SIMILARITY", self.tr("Similarity"), lambda s: f"{s.similarity:.3f}", align="right",
                   value=lambda s: float(s.similarity)),
            Column("WHY", self.tr("What makes it similar"), lambda s: "; ".join(word(m) for m in s.matching),
                   tip=self._why_tip),
        ])

    def _why_tip(self, s: SimilarItem) -> str | None:
        shares = ", ".join(f"{group_label(k)} {v:.0%}" for k, v in sorted(s.explanation.items(), key=lambda kv: -kv[1]))
        text = "\n".join(word(m) for m in s.matching)
        if shares:
            text += ("\n" if text else "") + self.tr("Share of the similarity: %1").replace("%1", shares)
        return text or None


class CandidateListModel(RowsTableModel[RoutingEntry]):
    """The engineer's routing (first, when there is one) and the model's candidates."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.similarity: dict[str, float] = {}
        mine_bg = lambda e: (EDITED_BACKGROUND if e.dirty() else SAVED_BACKGROUND) if e.kind == "mine" else None  # noqa: E731,E501
        self.set_columns([
            Column("NAME", self.tr("Routing"), self.entry_name, tip=self.entry_tip, background=mine_bg,
                   bold=lambda e: e.kind == "mine"),
            Column("SCORE", self.tr("Score"), lambda e: fmt_chance(e.candidate.score) if e.candidate else "",
                   align="right", value=lambda e: float(e.candidate.score) if e.candidate else None,
                   header_tip=self.tr("How often a candidate like this one was exactly the routing engineers "
                                      "wrote, learned from this plant's own items"),
                   background=mine_bg),
            Column("OPS", self.tr("Ops"), self._ops_text, align="right", background=mine_bg,
                   header_tip=self.tr("Operations (of which outsourced)")),
            Column("TOTAL", self.tr("min/pc"), lambda e: fmt_minutes(total_per_piece(e.model.operations)),
                   align="right", background=mine_bg,
                   header_tip=self.tr("Sum of setup and per-piece run times, minutes")),
            Column("DIFF", self.tr("Differs by"), self.difference_text, tip=self.difference_tip, background=mine_bg,
                   header_tip=self.tr("Operations this candidate has (+) or lacks (−) compared with candidate 1 "
                                      "(candidate 1: compared with candidate 2)")),
            Column("SUPPORT", self.tr("Supported by"), self.support_text, tip=self.support_tip, background=mine_bg,
                   header_tip=self.tr("Similar items whose current routing is this one")),
        ])

    # ---- the routing's name and state ----------------------------------------------------
    def entry_name(self, e: RoutingEntry) -> str:
        if e.kind == "mine":
            if e.dirty():
                return self.tr("Edited · not saved")
            if e.saved is not None:
                status = self.tr("draft") if e.saved.status == "draft" else self.tr("submitted")
                return self.tr("Saved · rev %1 · %2").replace("%1", str(e.saved.revision)).replace("%2", status)
            return self.tr("Yours · not saved")
        return self.tr("Candidate %1").replace("%1", str(e.rank))

    def entry_tip(self, e: RoutingEntry) -> str | None:
        if e.kind != "mine":
            return self.tr("As the model proposed it; editing it starts your own routing from it, and this "
                           "candidate stays as it is.")
        base = e.model.base.label if e.model.base else ""
        lines = [self.tr("Your routing for this item") + (f" ({base})" if base else "")]
        if e.saved is not None:
            lines.append(self.tr("Revision %1 saved by %2 at %3").replace("%1", str(e.saved.revision))
                         .replace("%2", e.saved.updated_by).replace("%3", f"{e.saved.updated_at:%Y-%m-%d %H:%M}"))
        if e.dirty():
            lines.append(self.tr("It has changes that are not saved yet."))
        return "\n".join(lines)

    def _ops_text(self, e: RoutingEntry) -> str:
        ops = e.model.operations
        outsourced = sum(1 for o in ops if o.INSIDE_FLAG == OUTSIDE)
        return f"{len(ops)} ({outsourced})" if outsourced else str(len(ops))

    # ---- what separates the candidates ---------------------------------------------------
    def difference_text(self, e: RoutingEntry) -> str:
        d = e.difference
        if d is None:
            return ""
        if d.same:
            return self.tr("same operations")
        outsourced, in_house = self.tr("outsourced"), self.tr("in-house")
        parts = [f"+{j}" for j, _ in d.added] + [f"−{j}" for j, _ in d.missing]
        parts += [f"{j} {outsourced if flag == OUTSIDE else in_house}" for j, _, flag in d.outsourcing]
        if d.reordered:
            parts.append(self.tr("other order"))
        return " ".join(parts)

    def difference_tip(self, e: RoutingEntry) -> str | None:
        d = e.difference
        if d is None:
            return None
        lines = [self.tr("Compared with candidate %1:").replace("%1", str(d.other_rank))]
        for j, name in d.added:
            lines.append(self.tr("+ has %1 (%2)").replace("%1", j).replace("%2", name))
        for j, name in d.missing:
            lines.append(self.tr("− lacks %1 (%2)").replace("%1", j).replace("%2", name))
        for j, name, flag in d.outsourcing:
            lines.append((self.tr("%1 (%2) is outsourced here") if flag == OUTSIDE else
                          self.tr("%1 (%2) is done in-house here")).replace("%1", j).replace("%2", name))
        if d.reordered:
            lines.append(self.tr("the same operations in another order"))
        if d.same:
            lines.append(self.tr("the same operations"))
        return "\n".join(lines)

    def support_text(self, e: RoutingEntry) -> str:
        if e.kind == "mine":
            if e.saved is not None:
                return self.tr("by %1 at %2").replace("%1", e.saved.updated_by) \
                    .replace("%2", f"{e.saved.updated_at:%Y-%m-%d %H:%M}")
            return e.model.base.label if e.model.base else ""
        if e.candidate is not None and e.candidate.repaired:
            return self.tr("learned rules, from %1").replace("%1", self._short_list(e.candidate.based_on))
        items = e.candidate.support_items if e.candidate else []
        return self._short_list(items)

    @staticmethod
    def _short_list(items: list[str]) -> str:
        more = f" +{len(items) - 2}" if len(items) > 2 else ""   # all of them in the tooltip
        return ", ".join(items[:2]) + more

    def support_tip(self, e: RoutingEntry) -> str | None:
        repaired = e.candidate is not None and e.candidate.repaired
        items = (e.candidate.based_on if repaired else e.candidate.support_items) if e.candidate else []
        if not items:
            return None
        template = self.tr("similarity %1")
        lines = [f"{code}  ({template.replace('%1', f'{self.similarity[code]:.3f}')})"
                 if code in self.similarity else code for code in items]
        if repaired:
            lines.insert(0, self.tr("No similar item has exactly this routing: it is the routing of these items "
                                    "with the operations that this plant's learned rules add or drop (see “Why”)."))
        return "\n".join(lines)


@dataclass
class BatchRow:
    code: str
    status: str                     # "ok" | "none" | "unknown"
    prediction: Prediction | None = None
    message: str = ""
    best: Candidate | None = None


class BatchModel(RowsTableModel[BatchRow]):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent=parent)
        self.model_version = ""
        unknown_fg = lambda r: WARNING_TEXT if r.status == "unknown" else None  # noqa: E731
        self.set_columns([
            Column("ITEM_CD", "ITEM_CD", lambda r: r.code, foreground=unknown_fg),
            Column("STATUS", self.tr("Status"), self.status_text, foreground=unknown_fg, background=self._status_bg,
                   tip=lambda r: r.message or None),
            Column("SCORE", self.tr("Score"), lambda r: fmt_chance(r.best.score) if r.best else "", align="right",
                   value=lambda r: float(r.best.score) if r.best else None),
            Column("OPS", self.tr("Ops"), lambda r: str(len(r.best.operations)) if r.best else "", align="right"),
            Column("TOTAL", self.tr("min/pc"), lambda r: fmt_minutes(total_per_piece(r.best.operations))
                   if r.best else "", align="right"),
            Column("ROUTING", self.tr("Best candidate"), self._routing_text, tip=lambda r: r.message or None,
                   foreground=lambda r: WARNING_TEXT if r.status == "unknown" else
                   (MUTED_TEXT if r.best is None else None)),
        ])

    def set_batch(self, codes: list[str], batch: PredictionBatch) -> None:
        by_code = {p.ITEM_CD: p for p in batch.predictions}
        errors = {e["ITEM_CD"]: e["message"] for e in batch.errors}
        rows = []
        for code in codes:
            p = by_code.get(code)
            if p is None:
                rows.append(BatchRow(code, "unknown", message=errors.get(code, "")))
                continue
            best = p.candidates[0] if p.candidates else None
            rows.append(BatchRow(code, "ok" if best else "none", p, "; ".join(word(w) for w in p.warnings), best))
        self.model_version = batch.model_version
        self.set_rows(rows)

    def status_text(self, r: BatchRow) -> str:
        return {"ok": self.tr("ok"), "none": self.tr("no candidate"), "unknown": self.tr("unknown item")}[r.status]

    @staticmethod
    def _status_bg(r: BatchRow):
        return {"unknown": WARNING_BACKGROUND, "none": TIME_SOURCE_COLOURS["standard"]}.get(r.status)

    @staticmethod
    def _routing_text(r: BatchRow) -> str:
        if r.status == "unknown":
            return r.message
        if r.best is not None:
            return " → ".join(o.JOB_CD for o in r.best.operations)
        return r.message
