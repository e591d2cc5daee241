"""Model folders as older (or newer) versions of Routing ML wrote them, for the load-time refusals."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from app.ml.registry import read_model, write_model


def rewrite_as_older(folder: Path) -> None:
    """The model in `folder` as the similarity engine before the learned one wrote it (model format 1):
    no operation tokens, work results kept one by one (act_*), no learned parts, no format number.
    Written with a valid manifest, so only what it holds is old."""
    arrays, docs, texts = read_model(folder)
    for name in list(arrays):
        if name.startswith(("op_tok", "tok_", "agg_", "tree_", "time_", "rank_")) or name in ("precedence", "tok_pt"):
            del arrays[name]
    n = len(texts["item_codes"])
    arrays.update(act_ptr=np.zeros(n + 1, np.int64), act_job=np.zeros(0, np.int32),
                  act_run=np.zeros(0, np.float32), act_setup=np.zeros(0, np.float32),
                  job_size_exp=np.zeros(len(docs["vocab"]["job"]), np.float32))
    docs["vocab"] = {k: v for k, v in docs["vocab"].items() if k != "token"}
    docs["info"] = {k: v for k, v in docs["info"].items() if k not in ("model_format", "learned")}
    _replace(folder, arrays, docs, texts)


def rewrite_as_newer(folder: Path, model_format: int) -> None:
    arrays, docs, texts = read_model(folder)
    docs["info"] = dict(docs["info"], model_format=model_format)
    _replace(folder, arrays, docs, texts)


def _replace(folder: Path, arrays, docs, texts) -> None:
    shutil.rmtree(folder)
    write_model(folder.parent, folder.name, arrays, docs, texts)
