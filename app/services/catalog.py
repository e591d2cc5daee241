"""Browsing the item master and the plant's known operations."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from app.domain.schema import ITEMS
from app.store.db import Store

BROWSE_COLUMNS = ["ITEM_CD", "ITEM_NM", "PART_TYPE", "ITEM_MATERIAL", "ITEM_SPEC", "OUTDIAMETER",
                  "INDIAMETER", "OUTTHICKNESS"]


@dataclass
class ItemPage:
    rows: pl.DataFrame      # BROWSE_COLUMNS + HAS_ROUTING ("Y"/"N")
    total: int              # rows matching the search, over all pages


def search_items(store: Store, search: str = "", offset: int = 0, limit: int = 200,
                 only_without_routing: bool = False, count: bool = True) -> ItemPage:
    """One page of the item master matching every word of `search` (code, name, spec or type),
    case-insensitive, in ITEM_CD order. The item master is held in memory after the first call."""
    items = store.items()
    routed = store.routed_item_codes()
    lazy = items.lazy().select(BROWSE_COLUMNS)
    for word in search.upper().split():
        lazy = lazy.filter(pl.any_horizontal(pl.col(c).fill_null("").str.to_uppercase().str.contains(word, literal=True)
                                             for c in ("ITEM_CD", "ITEM_NM", "ITEM_SPEC", "PART_TYPE")))
    lazy = lazy.with_columns(pl.when(pl.col("ITEM_CD").is_in(routed.implode())).then(pl.lit("Y"))
                             .otherwise(pl.lit("N")).alias("HAS_ROUTING"))
    if only_without_routing:
        lazy = lazy.filter(pl.col("HAS_ROUTING") == "N")
    matched = lazy.collect()
    return ItemPage(matched.slice(offset, limit), matched.height if count else -1)


def item_codes(store: Store, without_routing: bool = False) -> list[str]:
    """Every ITEM_CD of the item master (only those without a routing when asked), in its order."""
    codes = store.item_codes()
    if not without_routing:
        return codes
    routed = set(store.routed_item_codes().to_list())
    return [c for c in codes if c not in routed]


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
