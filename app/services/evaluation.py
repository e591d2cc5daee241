"""Evaluating the model against baselines, and a demo plant's ceiling, on the store's data."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from app.demo.generator import RULE_ROUTINGS
from app.domain.access import User
from app.domain.routing import RoutingError
from app.ml.evaluate import evaluate as _evaluate
from app.ml.features import EncoderParams
from app.ml.model import PredictOptions
from app.services import audit, models, permissions
from app.services.progress import Progress
from app.store.db import Store

RULE_COLUMNS = ["ITEM_CD", "PROC_SEQ", "JOB_CD"]


def rule_routings_frame(raw: pl.DataFrame, where: str, row_label=lambda i: f"row {i + 1}") -> pl.DataFrame:
    """ITEM_CD, PROC_SEQ (number), JOB_CD typed; RoutingError naming `where` and the row otherwise."""
    seq = raw["PROC_SEQ"].cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False)
    bad = (seq.is_null() | raw["ITEM_CD"].is_null() | raw["JOB_CD"].is_null()).arg_true()
    if bad.len():
        i = int(bad[0])
        raise RoutingError(f"{where} {row_label(i)}: ITEM_CD, PROC_SEQ (a number) and JOB_CD are needed, "
                           f"found {raw['ITEM_CD'][i]!r}, {raw['PROC_SEQ'][i]!r}, {raw['JOB_CD'][i]!r}")
    return pl.DataFrame({"ITEM_CD": raw["ITEM_CD"].cast(pl.Utf8).str.strip_chars(), "PROC_SEQ": seq,
                         "JOB_CD": raw["JOB_CD"].cast(pl.Utf8).str.strip_chars()})


def load_rule_routings(path: str | Path) -> pl.DataFrame:
    """A plant's rule routings from DEMO_RULE_ROUTINGS.csv (UTF-8 or CP949), a folder holding it,
    or a SQLite file with that table; RoutingError naming the file and what is wrong otherwise."""
    from app.sources import open_source
    from app.sources.base import SourceError
    path = Path(path)
    if not path.exists():
        raise RoutingError(f"{path}: no such file or folder (the rule routings a demo plant writes "
                           f"beside its views, {RULE_ROUTINGS}.csv or a table in its SQLite file)")
    table, where = RULE_ROUTINGS, path
    if path.is_file() and path.suffix.lower() == ".csv":
        table, where = path.stem, path.parent
    try:
        with open_source(str(where)) as source:
            if table not in source.list_tables():
                raise RoutingError(f"{path} holds no {RULE_ROUTINGS} (a demo plant writes it beside its views)")
            return rule_routings_frame(source.read(table, RULE_COLUMNS), source.location(table),
                                       lambda i: source.row_label(table, i))
    except SourceError as exc:
        raise RoutingError(str(exc)) from exc


def stored_rule_routings(store: Store) -> pl.DataFrame | None:
    """The rule routings the last import brought along (a demo plant's), or None."""
    return store.extra_table(RULE_ROUTINGS)


@permissions.requires("model.evaluate", target="version")
def evaluate(store: Store, holdout: float = 0.2, seed: int = 7, max_items: int = 3000,
             params: EncoderParams | None = None, opts: PredictOptions | None = None,
             progress: Progress | None = None, version: str | None = None,
             user: User | None = None, ceiling: str | Path | None = None) -> dict[str, Any]:
    """Hold out a stratified share of routed items and score the model and baselines on them.

    With `version` (or the active model) the evaluation uses that version's training parameters
    and the result is stored beside it in the registry. The plant's ceiling is scored too when its
    rule routings are known: from `ceiling` (a file or folder, see load_rule_routings) or else the
    ones the last import brought along; "ceiling_source" says which.
    """
    p = progress or Progress()
    rules = load_rule_routings(ceiling) if ceiling is not None else stored_rule_routings(store)
    if params is None:
        target = version or models.active_version(store)
        if target is not None:
            row = next(m for m in models.list_models(store) if m["version"] == target)
            params = EncoderParams(**row["params"]) if row.get("params") else None
            version = target
    items, routings, results = models.load_training_data(store, p.sub(0.0, 0.2))
    result = _evaluate(items, routings, results, holdout=holdout, seed=seed, max_items=max_items,
                       params=params, opts=opts, progress=p.sub(0.2, 1.0), rule_routings=rules)
    if rules is not None:
        result["ceiling_source"] = str(ceiling) if ceiling is not None else f"{RULE_ROUTINGS} of the last import"
    if version is not None:
        result["model_version"] = version
        models.save_metrics(store, version, result)
    audit.record(store, "model.evaluate", version or "", {"holdout": holdout, "seed": seed,
                                                          "evaluated_items": result.get("evaluated_items")}, user)
    return result
