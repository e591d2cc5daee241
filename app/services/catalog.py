"""Browsing the item master and the plant's known operations."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import text

from app.domain.schema import DEFAULT_VIEW_NAMES, ITEMS, ROUTINGS
from app.store.db import Store

BROWSE_COLUMNS = ["ITEM_CD", "ITEM_NM", "PART_TYPE", "ITEM_MATERIAL", "ITEM_SPEC", "OUTDIAMETER",
                  "INDIAMETER", "OUTTHICKNESS"]


@dataclass
class ItemPage:
    rows: pl.DataFrame      # BROWSE_COLUMNS + HAS_ROUTING ("Y"/"N")
    total: int              # rows matching the search, over all pages


def _where(search: str, only_without_routing: bool) -> tuple[str, dict]:
    clauses, params = [], {}
    for n, word in enumerate(search.split()):
        params[f"w{n}"] = f"%{word}%"
        clauses.append(f'(i."ITEM_CD" LIKE :w{n} OR i."ITEM_NM" LIKE :w{n} OR i."ITEM_SPEC" LIKE :w{n} '
                       f'OR i."PART_TYPE" LIKE :w{n})')
    if only_without_routing:
        clauses.append(f'NOT EXISTS (SELECT 1 FROM "{DEFAULT_VIEW_NAMES[ROUTINGS]}" r WHERE r."ITEM_CD" = i."ITEM_CD")')
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def search_items(store: Store, search: str = "", offset: int = 0, limit: int = 200,
                 only_without_routing: bool = False, count: bool = True) -> ItemPage:
    """One page of the item master matching every word of `search` (code, name, spec or type)."""
    where, params = _where(search, only_without_routing)
    items = DEFAULT_VIEW_NAMES[ITEMS]
    routings = DEFAULT_VIEW_NAMES[ROUTINGS]
    cols = ", ".join(f'i."{c}"' for c in BROWSE_COLUMNS)
    sql = (f'SELECT {cols}, CASE WHEN EXISTS (SELECT 1 FROM "{routings}" r WHERE r."ITEM_CD" = i."ITEM_CD") '
           f'THEN \'Y\' ELSE \'N\' END AS "HAS_ROUTING" FROM "{items}" i{where} '
           f'ORDER BY i."ITEM_CD" LIMIT :limit OFFSET :offset')
    with store.engine.connect() as conn:
        rows = conn.execute(text(sql), {**params, "limit": limit, "offset": offset}).all()
        total = conn.execute(text(f'SELECT COUNT(*) FROM "{items}" i{where}'), params).scalar_one() if count else -1
    schema = {c: pl.Utf8 for c in BROWSE_COLUMNS + ["HAS_ROUTING"]}
    for c in ("OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS"):
        schema[c] = pl.Float64
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    return ItemPage(frame, total)


def item_details(store: Store, item_cd: str) -> dict | None:
    frame = store.read_view(ITEMS, where_items=[item_cd.strip().upper()])
    return frame.row(0, named=True) if frame.height else None


@dataclass
class PaletteOperation:
    JOB_CD: str
    JOB_NM: str
    RES_CD: str
    INSIDE_FLAG: str
    SETUP_TIME: float
    RUN_TIME: float
    uses: int


def operation_palette(model) -> list[PaletteOperation]:
    """The plant's known operations with their usual resource and median standard times."""
    a, voc = model.arrays, model.vocab
    out = []
    jobs = a["op_job"]
    for j, code in enumerate(voc["job"]):
        mask = jobs == j
        n = int(mask.sum())
        if not n or not code:
            continue
        res = np.bincount(a["op_res"][mask]).argmax()
        inside = bool(np.mean(a["op_inside"][mask]) >= 0.5)
        run = a["op_run"][mask]
        setup = a["op_setup"][mask]
        out.append(PaletteOperation(code, voc["job_nm"][j], voc["res"][res], "사내" if inside else "외주",
                                    float(np.nanmedian(setup)) if np.isfinite(setup).any() else 0.0,
                                    float(np.nanmedian(run)) if np.isfinite(run).any() else 0.0, n))
    out.sort(key=lambda p: p.JOB_CD)
    return out
