"""Evaluating the model against baselines on the store's data."""
from __future__ import annotations

from typing import Any

from app.ml.evaluate import evaluate as _evaluate
from app.ml.features import EncoderParams
from app.ml.model import PredictOptions
from app.domain.access import User
from app.services import audit, models, permissions
from app.services.progress import Progress
from app.store.db import Store


@permissions.requires("model.evaluate", target="version")
def evaluate(store: Store, holdout: float = 0.2, seed: int = 7, max_items: int = 3000,
             params: EncoderParams | None = None, opts: PredictOptions | None = None,
             progress: Progress | None = None, version: str | None = None,
             user: User | None = None) -> dict[str, Any]:
    """Hold out a stratified share of routed items and score the model and baselines on them.

    With `version` (or the active model) the evaluation uses that version's training parameters
    and the result is stored beside it in the registry.
    """
    p = progress or Progress()
    if params is None:
        target = version or models.active_version(store)
        if target is not None:
            row = next(m for m in models.list_models(store) if m["version"] == target)
            params = EncoderParams(**row["params"]) if row.get("params") else None
            version = target
    items, routings, results = models.load_training_data(store, p.sub(0.0, 0.2))
    result = _evaluate(items, routings, results, holdout=holdout, seed=seed, max_items=max_items,
                       params=params, opts=opts, progress=p.sub(0.2, 1.0))
    if version is not None:
        result["model_version"] = version
        models.save_metrics(store, version, result)
    audit.record(store, "model.evaluate", version or "", {"holdout": holdout, "seed": seed,
                                                          "evaluated_items": result.get("evaluated_items")}, user)
    return result
