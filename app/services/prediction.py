"""Predicting routings for items in the store or described by their attributes."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from app.domain.routing import Candidate, PredictionBatch, RoutingError
from app.domain.schema import ITEM_COLUMNS, ITEMS, NUMERIC
from app.domain.access import User
from app.ml.features import FEW_ROWS
from app.ml.model import PredictOptions
from app.services import audit, models, permissions
from app.services.progress import Progress
from app.store.db import Store

CODE_SPLIT = re.compile(r"[\s,;\t]+")


def parse_codes(text: str) -> list[str]:
    """Item codes pasted from Excel or typed: one per line, or separated by commas, tabs, spaces."""
    seen, out = set(), []
    for raw in CODE_SPLIT.split(text or ""):
        code = raw.strip().strip('"').upper()
        if not out and code.replace(" ", "") in CODE_HEADERS:
            continue   # the column's header, pasted with the codes from Excel
        if code and code not in seen:
            seen.add(code)
            out.append(code)
    return out


# what a first row naming the column says, upper-cased without spaces: it is not an item code
CODE_HEADERS = {"ITEM_CD", "ITEMCD", "ITEM", "ITEMCODE", "CODE", "품목코드", "품목", "품번", "품목번호"}


def read_codes_file(path: str) -> list[str]:
    """Item codes from the first column of a text or CSV file (UTF-8 with or without BOM, or
    CP949); a header row such as ITEM_CD or 품목코드 is skipped."""
    from pathlib import Path
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RoutingError(f"items file {path}: {exc.strerror}") from None
    for enc in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RoutingError(f"items file {path} is neither UTF-8 nor CP949 text")
    import csv
    return parse_codes("\n".join(row[0] if row else "" for row in csv.reader(text.splitlines())))


# Items whose similar items are searched together: the search reads each part type's rows of the
# plant's matrix once per block (at 300,000 items, 28 MB for a type), for all the block's items of
# that type, where blocks of 200 read them five times as often, for fewer items at a time.
SEARCH_BLOCK = 1000


@permissions.requires("predict")
def predict_items(store: Store, codes: list[str], opts: PredictOptions | None = None,
                  version: str | None = None, progress: Progress | None = None,
                  user: User | None = None) -> PredictionBatch:
    """Predict each item code; unknown codes are reported in `errors`, never silently dropped.
    Recorded in the audit trail as one `predict` event (the items and the model version), or in
    the log while another program holds the store's write lock (see audit.record)."""
    opts = opts or PredictOptions()
    model = models.load(store, version)
    p = progress or Progress()
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    found = store.read_view(ITEMS, where_items=codes) if len(codes) <= 900 else \
        _read_items_chunked(store, codes)
    if found.height > 1:   # one row is unique already (unique() was 0.1 ms of one prediction)
        found = found.unique(subset="ITEM_CD", keep="first")
    by_code = {c: i for i, c in enumerate(found["ITEM_CD"].to_list())}
    errors = [{"ITEM_CD": c, "message": f"item {c} is not in the item master of store {store.describe()}"}
              for c in codes if c not in by_code]
    known = [c for c in codes if c in by_code]
    predictions = []
    for b in range(0, len(known), SEARCH_BLOCK):
        block = known[b:b + SEARCH_BLOCK]
        rows = [by_code[c] for c in block]
        # the items' rows in the order asked; as read when they are (one item: a gather of one
        # row of the item master's 60 columns was 1 ms of polars' time)
        frame = found if rows == list(range(found.height)) else found[rows]
        Q = model.encoder.encode(frame)
        idx, sims = model.neighbours(block, Q, opts)
        sizes = _sizes(frame)
        for c in range(0, len(block), 200):
            part = slice(c, c + 200)
            predictions.extend(model.predict_vectors(block[part], Q[part], opts, sizes=sizes[part],
                                                     items=frame.slice(c, 200) if len(block) > 200 else frame,
                                                     neighbours=(idx[part], sims[part])))
            done = b + min(c + 200, len(block))
            p.report(done / max(len(known), 1), f"predicted {done:,} of {len(known):,} items")
    _record(store, codes, model.version, len(errors), user)
    return PredictionBatch(model.version, predictions, errors)


def _sizes(frame: pl.DataFrame) -> np.ndarray:
    """The items' OUTDIAMETER as float64, NaN where missing; a few rows read as a Python list
    (polars' cast, fill_null and to_numpy were 0.1 ms of one prediction)."""
    col = frame.get_column("OUTDIAMETER")
    if frame.height <= FEW_ROWS and col.dtype == pl.Float64:
        return np.array(col.to_list(), dtype=np.float64)
    return col.cast(pl.Float64).fill_null(float("nan")).to_numpy()


def _record(store: Store, codes: list[str], version: str, errors: int, user: User | None) -> None:
    target = codes[0] if len(codes) == 1 else f"{len(codes):,} items"
    audit.record(store, "predict", target, {"model_version": version, "items": codes[:50], "count": len(codes),
                                            **({"unknown_items": errors} if errors else {})}, user,
                 log_if_locked=True)


def _read_items_chunked(store: Store, codes: list[str]) -> pl.DataFrame:
    parts = [store.read_view(ITEMS, where_items=codes[i:i + 900]) for i in range(0, len(codes), 900)]
    return pl.concat(parts) if parts else store.read_view(ITEMS, where_items=[])


@permissions.requires("predict", target="code")
def predict_attributes(store: Store, attributes: dict[str, Any], opts: PredictOptions | None = None,
                       version: str | None = None, code: str = "NEW-ITEM", user: User | None = None) -> PredictionBatch:
    """Predict for a new item described in a form (it need not exist in the item master)."""
    model = models.load(store, version)
    row = {}
    for col in ITEM_COLUMNS:
        v = attributes.get(col)
        if col in NUMERIC[ITEMS]:
            if v in (None, ""):
                row[col] = None
            else:
                try:
                    row[col] = float(v)
                except (TypeError, ValueError):
                    raise RoutingError(f"attribute {col}: {v!r} is not a number") from None
        else:
            row[col] = str(v).strip() if v not in (None, "") else None
    schema = {c: (pl.Float64 if c in NUMERIC[ITEMS] else pl.Utf8) for c in ITEM_COLUMNS}
    frame = pl.DataFrame([row], schema=schema)
    Q = model.encoder.encode(frame)
    sizes = frame["OUTDIAMETER"].fill_null(float("nan")).to_numpy()
    preds = model.predict_vectors([code], Q, opts or PredictOptions(), exclude_self=False, sizes=sizes,
                                  items=frame)
    audit.record(store, "predict", code, {"model_version": model.version, "described": True,
                                          "attributes": {k: v for k, v in row.items() if v is not None}}, user,
                 log_if_locked=True)
    return PredictionBatch(model.version, preds, [])


@dataclass
class CandidateDifference:
    """How one candidate differs from another (by default from candidate 1): the operations only
    it has, the ones it lacks, those done in-house in one and outsourced in the other, and whether
    the shared operations come in another order. Operations are (JOB_CD, JOB_NM)."""

    rank: int
    other_rank: int
    added: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    outsourcing: list[tuple[str, str, str]] = field(default_factory=list)   # JOB_CD, JOB_NM, INSIDE_FLAG here
    reordered: bool = False

    @property
    def same(self) -> bool:
        return not (self.added or self.missing or self.outsourcing or self.reordered)


def candidate_differences(candidates: list[Candidate]) -> dict[int, CandidateDifference]:
    """For every candidate after the first, how it differs from candidate 1; for candidate 1, how
    it differs from candidate 2. Keyed by rank."""
    out: dict[int, CandidateDifference] = {}
    if len(candidates) < 2:
        return out
    first = candidates[0]
    for c in candidates:
        other = candidates[1] if c is first else first
        out[c.rank] = _difference(c, other)
    return out


def _difference(c: Candidate, other: Candidate) -> CandidateDifference:
    mine = [o.JOB_CD for o in c.operations]
    theirs = [o.JOB_CD for o in other.operations]
    names = {o.JOB_CD: o.JOB_NM for o in [*c.operations, *other.operations]}
    d = CandidateDifference(c.rank, other.rank)
    matcher = difflib.SequenceMatcher(a=theirs, b=mine, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            d.missing += [(j, names.get(j, "")) for j in theirs[i1:i2]]
        if tag in ("replace", "insert"):
            d.added += [(j, names.get(j, "")) for j in mine[j1:j2]]
        if tag == "equal":
            for a, b in zip(other.operations[i1:i2], c.operations[j1:j2]):
                if a.INSIDE_FLAG != b.INSIDE_FLAG:
                    d.outsourcing.append((b.JOB_CD, b.JOB_NM, b.INSIDE_FLAG))
    # an operation both have, only elsewhere in the sequence, is a change of order, not a difference
    moved = {j for j, _ in d.added} & {j for j, _ in d.missing}
    if moved:
        d.reordered = True
        d.added = [x for x in d.added if x[0] not in moved]
        d.missing = [x for x in d.missing if x[0] not in moved]
    return d
