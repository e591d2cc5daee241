"""What is exported: routings from the editor, a batch prediction or the saved routings.

A `Selection` holds the routings to turn into rows and the items that could not even become a
routing (an unknown item code, an item without any candidate), each with its reason, so an export
never drops one silently.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from app.domain.routing import Operation, PredictionBatch
from app.domain.access import User
from app.services.routings import _operations_from_json, _row_to_saved, find_saved_rows
from app.store.db import Store

# each field of an Operation as a frame's column
OPERATION_DTYPES = {f.name: pl.Float64 if f.type in ("float", float) else pl.Int64 if f.type in ("int", int)
                    else pl.Utf8 for f in fields(Operation)}


@dataclass
class ExportRouting:
    """One routing to export; `origin` says where it came from (editor, prediction, saved)."""

    ITEM_CD: str
    operations: list[Operation]
    ROUT_NO: str | None = None
    origin: str = "editor"
    status: str | None = None
    revision: int | None = None
    designed_by: str | None = None
    approved_by: str | None = None
    note: str = ""
    model_version: str | None = None
    candidate_rank: int | None = None
    reference_item: str | None = None   # the similar item whose routing the candidate follows
    saved_at: datetime | None = None


@dataclass
class Skipped:
    ITEM_CD: str
    reason: str                       # in English; the window words `problems` or `code` itself
    ROUT_NO: str | None = None
    problems: list[Any] = field(default_factory=list)   # an invalid routing's first errors (rows.Problem)
    more: int = 0                     # errors beyond `problems`
    code: str = ""                    # the kind of reason when it is not a list of problems
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, str]:
        out = {"ITEM_CD": self.ITEM_CD, "reason": self.reason}
        if self.ROUT_NO:
            out["ROUT_NO"] = self.ROUT_NO
        return out


@dataclass
class Selection:
    routings: list[ExportRouting]
    skipped: list[Skipped] = field(default_factory=list)
    description: str = ""             # in English (the export record, the command line)
    kind: str = ""                    # editor | batch | saved, for wording the description in the window
    params: dict[str, Any] = field(default_factory=dict)   # editor: item; batch: items, model; saved: filter

    def __len__(self) -> int:
        return len(self.routings)


def from_editor(item_cd: str, operations: list[Operation], rout_no: str | None = None, *,
                model_version: str | None = None, candidate_rank: int | None = None,
                reference_item: str | None = None, user: User) -> Selection:
    """The one routing open in the editor, as it is now (saved or not), designed by `user`."""
    code = item_cd.strip().upper()
    r = ExportRouting(code, list(operations), rout_no, "editor", designed_by=user.name,
                      model_version=model_version, candidate_rank=candidate_rank, reference_item=reference_item)
    return Selection([r], [], f"the routing of {code} in the editor", "editor", {"item": code})


def from_batch(batch: PredictionBatch, chosen: dict[str, int] | None = None, *, user: User) -> Selection:
    """Each predicted item's chosen candidate (`chosen`: ITEM_CD → rank; the top one otherwise),
    designed by `user`. Items the batch could not predict and items without a candidate are
    skipped with the reason."""
    chosen = chosen or {}
    routings, skipped = [], []
    for e in batch.errors:
        skipped.append(Skipped(e["ITEM_CD"], e["message"], code="not_predicted", params={"message": e["message"]}))
    for p in batch.predictions:
        if not p.candidates:
            why = "; ".join(str(w) for w in p.warnings)
            skipped.append(Skipped(p.ITEM_CD, f"no candidate routing ({why or 'no similar item has a routing'})",
                                   code="no_candidate", params={"why": why}))
            continue
        rank = chosen.get(p.ITEM_CD, p.candidates[0].rank)
        cand = next((c for c in p.candidates if c.rank == rank), None)
        if cand is None:
            skipped.append(Skipped(p.ITEM_CD, f"candidate {rank} does not exist (the prediction has "
                                              f"{len(p.candidates)})", code="no_such_candidate",
                                   params={"rank": rank, "candidates": len(p.candidates)}))
            continue
        routings.append(ExportRouting(p.ITEM_CD, list(cand.operations), None, "prediction", designed_by=user.name,
                                      model_version=batch.model_version, candidate_rank=cand.rank,
                                      reference_item=cand.support_items[0] if cand.support_items else None))
    n = len(batch.predictions) + len(batch.errors)
    return Selection(routings, skipped, f"a batch prediction of {n:,} item(s) (model {batch.model_version})", "batch",
                     {"items": n, "model": batch.model_version})


@dataclass
class SavedFilter:
    """Which saved routings: by status, date of the last save, and who saved them."""

    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    saved_by: str | None = None
    approved_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.approved_only:
            parts.append("approved")
        elif self.statuses:
            parts.append("status " + "/".join(self.statuses))
        if self.since:
            parts.append(f"saved since {self.since:%Y-%m-%d}")
        if self.until:
            parts.append(f"saved until {self.until:%Y-%m-%d}")
        if self.saved_by:
            parts.append(f"saved by {self.saved_by}")
        return "saved routings" + (f" ({', '.join(parts)})" if parts else "")


def from_saved(store: Store, flt: SavedFilter | None = None) -> Selection:
    """The newest saved routing of each item that passes the filter."""
    flt = flt or SavedFilter()
    statuses = ("approved",) if flt.approved_only else tuple(flt.statuses)
    rows = find_saved_rows(store, statuses, flt.since, flt.until, flt.saved_by)
    decoded = _decode_operations([r["operations"] for r in rows])
    if decoded is None:          # a text only the program's own reading takes as it should
        operations = [_operations_from_json(r["operations"]) for r in rows]
    else:
        frame, starts, counts = decoded
        operations = [SavedOperations(r["operations"], frame, a, n) for r, a, n in zip(rows, starts, counts)]
    routings = []
    for r, ops in zip(rows, operations):
        s = _row_to_saved(r, ops)
        routings.append(ExportRouting(s.ITEM_CD, s.operations, s.ROUT_NO, "saved", s.status, s.revision,
                                      designed_by=s.created_by or s.updated_by,
                                      approved_by=s.reviewed_by or None if s.status == "approved" else None,
                                      note=s.note, model_version=s.model_version, candidate_rank=s.candidate_rank,
                                      saved_at=s.updated_at))
    return Selection(routings, [], flt.describe(), "saved", {"filter": flt})


class SavedOperations(Sequence):
    """A saved routing's operations: its stored JSON text, and its rows `start`… of `frame`, the one
    frame every routing of the selection was decoded into at once.

    The export's rows are read from the frame (rows._operation_frame); Operation objects are made from
    the text only when someone asks for the operations themselves. 10,000 saved routings hold 80,000
    operations: as objects they took 1 s to make, and the window's collector, which walks every object
    a worker makes, paused the GUI thread on them (25-150 ms per collection)."""

    __slots__ = ("text", "frame", "start", "count")

    def __init__(self, text: str, frame: pl.DataFrame, start: int, count: int) -> None:
        self.text, self.frame, self.start, self.count = text, frame, start, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        return _operations_from_json(self.text)[index]

    def __iter__(self) -> Iterator[Operation]:
        return iter(_operations_from_json(self.text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"SavedOperations({self.count} operations)"


def _decode_operations(texts: list[str]) -> tuple[pl.DataFrame, list[int], list[int]] | None:
    """Every text's operations in one frame (a column per Operation field), each text's first row and
    count; None when a text is not simply a list of operations with every field set (an older save
    without a field, a null, a value of another type): Operation(**row) reads those as it always has."""
    if not texts:
        return None
    try:
        lists = pl.Series(texts, dtype=pl.Utf8).str.json_decode(pl.List(pl.Struct(OPERATION_DTYPES)))
    except (pl.exceptions.PolarsError, ValueError):
        return None
    if lists.null_count() or lists.list.len().min() == 0:
        return None
    counts = lists.list.len().to_numpy()
    frame = lists.explode().struct.unnest()
    if any(frame[c].null_count() for c in frame.columns):
        return None
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return frame, starts.tolist(), counts.tolist()
