"""Data-quality report of the store's copy of the ERP views: what a trainer should know first."""
from __future__ import annotations

import json
from typing import Any

import polars as pl

from app.domain.schema import (
    COLUMNS,
    DEFAULT_VIEW_NAMES,
    ITEMS,
    RESULTS,
    ROUTINGS,
    VIEW_KINDS,
)
from app.ml.model import clean_actuals, current_routings, impossible_hours_lazy
from app.services.models import load_training_data
from app.services.progress import Progress
from app.store.db import Store


def quality_report(store: Store, progress: Progress | None = None) -> dict[str, Any]:
    p = progress or Progress()
    items, routings, results = load_training_data(store, p.sub(0.0, 0.85))
    p.report(0.85, "checking")
    counts = {DEFAULT_VIEW_NAMES[ITEMS]: items.height, DEFAULT_VIEW_NAMES[ROUTINGS]: routings.height,
              DEFAULT_VIEW_NAMES[RESULTS]: results.height}
    missing = {}
    for kind, frame in ((ITEMS, items), (ROUTINGS, routings), (RESULTS, results)):
        if frame.height:
            nulls = frame.null_count().row(0, named=True)
            missing[DEFAULT_VIEW_NAMES[kind]] = {c: nulls[c] / frame.height for c in frame.columns}
    routed = routings["ITEM_CD"].unique()
    without = items.filter(~pl.col("ITEM_CD").is_in(routed.implode()))
    cur = current_routings(routings) if routings.height else routings
    variants = routings.select("ITEM_CD", "ROUT_NO").unique().group_by("ITEM_CD").len()
    cleaned = clean_actuals(results) if results.height else None
    dup_results = results.height - results.unique().height
    usable_raw = results.filter((pl.col("MACH_WORKED_HOURS") > 0) & (pl.col("ORDER_QTY") > 0)).height \
        if results.height else 0
    zero_raw = results.height - usable_raw     # also the empty cells, which a comparison leaves out
    outliers = (usable_raw - dup_results - int(cleaned["run_min"].is_not_null().sum())) if cleaned is not None else 0
    impossible = _impossible_hours(results)
    last = store.last_import()
    p.report(1.0, "report ready")
    return {
        "row_counts": counts,
        "missing_rates": missing,
        "import_warnings": json.loads(last["warnings"]) if last and last.get("warnings") else [],
        "last_import": {"source": last["source"], "at": str(last["finished_at"])} if last else None,
        "items_without_routing": without.height,
        "items_without_routing_examples": without["ITEM_CD"].head(10).to_list(),
        "duplicate_item_codes": items.height - items["ITEM_CD"].n_unique(),
        "items_with_several_routing_variants": int((variants["len"] > 1).sum()) if variants.height else 0,
        "current_routing_operations": cur.height,
        "duplicate_work_results": dup_results,
        "zero_or_missing_hours_work_results": zero_raw,
        "outlier_work_results": max(outliers, 0),
        **impossible,
        "columns_expected": {DEFAULT_VIEW_NAMES[k]: len(COLUMNS[k]) for k in VIEW_KINDS},
    }


def _impossible_hours(results: pl.DataFrame, listed: int = 20) -> dict[str, Any]:
    """Work results whose hours no shop can book (dropped when training): how many, why, and
    for which items most."""
    if not results.height:
        return {"impossible_hours_work_results": 0, "impossible_hours_by_reason": {},
                "impossible_hours_by_item": []}
    checked = impossible_hours_lazy(results.lazy()).filter(
        pl.col("run_problem").is_not_null() | pl.col("setup_problem").is_not_null()).collect()
    reasons: dict[str, int] = {}
    for problem, column in (("run_problem", "MACH_WORKED_HOURS"), ("setup_problem", "SETUP_HOURS")):
        for why, n in checked[problem].drop_nulls().value_counts(sort=True).iter_rows():
            key = why if "ORDER_QTY" in why else f"{column} {why}"
            reasons[key] = reasons.get(key, 0) + n
    per_item = checked.group_by("ITEM_CD").len().sort(["len", "ITEM_CD"], descending=[True, False])
    return {
        "impossible_hours_work_results": checked.height,
        "impossible_hours_by_reason": reasons,
        "impossible_hours_by_item": [{"ITEM_CD": code, "work_results": n}
                                     for code, n in per_item.head(listed).iter_rows()],
    }
