"""Honest evaluation: hold items out, predict them from the rest, compare with what engineers wrote.

Held-out items are removed from the search index and their actuals are never used, so the
figures are what a user would see for a genuinely new item. The model is compared with three
baselines: the most frequent routing of the item's PART_TYPE, the single nearest item's routing,
and a plain kNN vote (one-hot + standardised numbers, no weights, no specification words).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from app.ml.features import GROUPS, EncoderParams
from app.ml.model import PredictOptions, RoutingModel, clean_actuals, current_routings

METHODS = ("model", "knn_vote", "nearest_item", "part_type_mode")
METHOD_LABELS = {"model": "Routing ML", "knn_vote": "plain kNN vote (k=10)",
                 "nearest_item": "single nearest item", "part_type_mode": "most frequent routing of PART_TYPE"}
SEQUENCE_METRICS = ("top1_exact", "top3_hit", "levenshtein", "jaccard")
TIME_METRICS = ("run_mdape", "run_within_25", "setup_mdape", "setup_within_25")


@dataclass
class _Guess:
    sequences: list[list[str]]                    # ranked candidate JOB_CD sequences
    run: dict[str, float]                          # top-1 per-piece run minutes by JOB_CD
    setup: dict[str, float]


def split_holdout(items: pl.DataFrame, routed: set[str], holdout: float, seed: int) -> tuple[set[str], set[str]]:
    """Stratified by PART_TYPE: each type gives the same share of its routed items."""
    rng = np.random.default_rng(seed)
    frame = items.filter(pl.col("ITEM_CD").is_in(list(routed))).select("ITEM_CD", "PART_TYPE").sort("ITEM_CD")
    test: set[str] = set()
    for _, grp in frame.group_by("PART_TYPE", maintain_order=True):
        codes = grp["ITEM_CD"].to_list()
        n = int(round(len(codes) * holdout))
        if len(codes) > 1 and n:
            test.update(rng.choice(codes, size=min(n, len(codes) - 1), replace=False).tolist())
    return set(frame["ITEM_CD"].to_list()) - test, test


def levenshtein(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def sequence_scores(truth: list[str], guesses: list[list[str]]) -> dict[str, float]:
    top = guesses[0] if guesses else []
    longest = max(len(truth), len(top), 1)
    sa, sb = set(truth), set(top)
    return {"top1_exact": float(top == truth),
            "top3_hit": float(truth in guesses[:3]),
            "levenshtein": 1.0 - levenshtein(truth, top) / longest,
            "jaccard": len(sa & sb) / len(sa | sb) if (sa | sb) else 1.0}


def evaluate(items: pl.DataFrame, routings: pl.DataFrame, results: pl.DataFrame, holdout: float = 0.2,
             seed: int = 7, max_items: int = 3000, params: EncoderParams | None = None,
             opts: PredictOptions | None = None, progress=None) -> dict[str, Any]:
    def report(f, m):
        if progress is not None:
            progress.report(f, m)

    opts = opts or PredictOptions()
    items = items.unique(subset="ITEM_CD", keep="first", maintain_order=True)
    cur = current_routings(routings)
    routed = set(cur["ITEM_CD"].unique().to_list()) & set(items["ITEM_CD"].to_list())
    train_codes, test_codes = split_holdout(items, routed, holdout, seed)
    if max_items and len(test_codes) > max_items:
        rng = np.random.default_rng(seed + 1)
        test_codes = set(rng.choice(sorted(test_codes), size=max_items, replace=False).tolist())
    test_list = sorted(test_codes)
    report(0.05, f"training on {len(train_codes):,} items, holding out {len(test_list):,}")
    train_routings = routings.filter(pl.col("ITEM_CD").is_in(list(train_codes)))
    train_results = results.filter(pl.col("ITEM_CD").is_in(list(train_codes)))
    model = RoutingModel.train("evaluation", items, train_routings, train_results, params)

    truth_seq = {c: g["JOB_CD"].to_list()
                 for (c,), g in cur.filter(pl.col("ITEM_CD").is_in(test_list)).group_by("ITEM_CD")}
    act = clean_actuals(results.filter(pl.col("ITEM_CD").is_in(test_list)))
    truth_time = (act.group_by(["ITEM_CD", "JOB_CD"])
                  .agg(pl.col("run_min").median(), pl.col("setup_min").median()))
    truth_run = {(r[0], r[1]): r[2] for r in truth_time.iter_rows() if r[2] is not None}
    truth_setup = {(r[0], r[1]): r[3] for r in truth_time.iter_rows() if r[3] is not None}

    test_items = items.filter(pl.col("ITEM_CD").is_in(test_list)).sort("ITEM_CD")
    report(0.3, "predicting held-out items")
    Q = model.encoder.encode(test_items)
    guesses: dict[str, dict[str, _Guess]] = {m: {} for m in METHODS}
    codes = test_items["ITEM_CD"].to_list()
    sizes = test_items["OUTDIAMETER"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    for b in range(0, len(codes), 256):
        preds = model.predict_vectors(codes[b:b + 256], Q[b:b + 256], opts, sizes=sizes[b:b + 256])
        for p in preds:
            guesses["model"][p.ITEM_CD] = _Guess(
                [[o.JOB_CD for o in c.operations] for c in p.candidates],
                _first_by_job([(o.JOB_CD, o.RUN_TIME) for o in c.operations] if (c := _top(p)) else []),
                _first_by_job([(o.JOB_CD, o.SETUP_TIME) for o in c.operations] if c else []))
        report(0.3 + 0.4 * min(1.0, (b + 256) / max(len(codes), 1)), "predicting held-out items")

    report(0.7, "baselines")
    _nearest_baseline(model, Q, codes, guesses["nearest_item"])
    _part_type_baseline(items, cur.filter(pl.col("ITEM_CD").is_in(list(train_codes))), train_results,
                        test_items, guesses["part_type_mode"])
    _knn_baseline(items, model, train_codes, test_items, guesses["knn_vote"])

    report(0.9, "scoring")
    part_of = dict(zip(test_items["ITEM_CD"].to_list(), test_items["PART_TYPE"].fill_null("").to_list()))
    table: dict[str, dict[str, float]] = {}
    per_type: dict[str, dict[str, float]] = {}
    for method in METHODS:
        scores = {k: [] for k in SEQUENCE_METRICS}
        run_err, setup_err = [], []
        type_hits: dict[str, list[float]] = {}
        for code in codes:
            g = guesses[method].get(code) or _Guess([], {}, {})
            s = sequence_scores(truth_seq[code], g.sequences)
            for k in SEQUENCE_METRICS:
                scores[k].append(s[k])
            type_hits.setdefault(part_of[code], []).append(s["top1_exact"])
            for job, v in g.run.items():
                t = truth_run.get((code, job))
                if t and t > 0:
                    run_err.append(abs(v - t) / t)
            for job, v in g.setup.items():
                t = truth_setup.get((code, job))
                if t and t > 0:
                    setup_err.append(abs(v - t) / t)
        row = {k: float(np.mean(v)) if v else 0.0 for k, v in scores.items()}
        row["run_mdape"] = float(np.median(run_err)) if run_err else float("nan")
        row["run_within_25"] = float(np.mean(np.asarray(run_err) <= 0.25)) if run_err else float("nan")
        row["setup_mdape"] = float(np.median(setup_err)) if setup_err else float("nan")
        row["setup_within_25"] = float(np.mean(np.asarray(setup_err) <= 0.25)) if setup_err else float("nan")
        row["time_pairs"] = len(run_err)
        table[method] = row
        if method == "model":
            per_type = {t: {"items": len(v), "top1_exact": float(np.mean(v))} for t, v in sorted(type_hits.items())}
    report(1.0, "evaluation done")
    return {"holdout": holdout, "seed": seed, "evaluated_items": len(codes), "train_items": len(train_codes),
            "methods": table, "per_part_type": per_type,
            "model_beats_baselines": all(table["model"][k] > table[m][k]
                                         for m in METHODS[1:] for k in SEQUENCE_METRICS)}


def _top(p):
    return p.candidates[0] if p.candidates else None


def _first_by_job(pairs: list[tuple[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for job, v in pairs:
        out.setdefault(job, v)
    return out


def _routing_times(model: RoutingModel, i: int) -> tuple[list[str], dict[str, float], dict[str, float]]:
    a = model.arrays
    s, e = a["op_ptr"][i], a["op_ptr"][i + 1]
    jobs = [model.vocab["job"][j] for j in a["op_job"][s:e]]
    run = _first_by_job([(j, float(v)) for j, v in zip(jobs, a["op_run"][s:e]) if np.isfinite(v)])
    setup = _first_by_job([(j, float(v)) for j, v in zip(jobs, a["op_setup"][s:e]) if np.isfinite(v)])
    return jobs, run, setup


def _nearest_baseline(model: RoutingModel, Q: np.ndarray, codes: list[str], out: dict[str, _Guess]) -> None:
    """What an engineer does by hand: copy the routing and standard times of the closest item."""
    idx, _ = model.search(Q, 10)
    for r, code in enumerate(codes):
        seqs: list[list[str]] = []
        for i in idx[r]:
            jobs = model.routing_jobs(int(i))
            if jobs not in seqs:
                seqs.append(jobs)
        _, run, setup = _routing_times(model, int(idx[r][0]))
        out[code] = _Guess(seqs, run, setup)


def _part_type_baseline(items: pl.DataFrame, train_cur: pl.DataFrame, train_results: pl.DataFrame,
                        test_items: pl.DataFrame, out: dict[str, _Guess]) -> None:
    part = items.select("ITEM_CD", "PART_TYPE")
    seqs = (train_cur.group_by("ITEM_CD", maintain_order=True).agg(pl.col("JOB_CD").str.join(">").alias("seq"))
            .join(part, on="ITEM_CD"))
    ranked = (seqs.group_by(["PART_TYPE", "seq"]).len().sort(["PART_TYPE", "len", "seq"], descending=[False, True, False])
              .group_by("PART_TYPE", maintain_order=True).agg(pl.col("seq").head(3)))
    by_type = {t: [s.split(">") for s in ss] for t, ss in ranked.iter_rows()}
    act = clean_actuals(train_results).join(part, on="ITEM_CD")
    med = act.group_by(["PART_TYPE", "JOB_CD"]).agg(pl.col("run_min").median(), pl.col("setup_min").median())
    run = {(t, j): v for t, j, v, _ in med.iter_rows() if v is not None}
    setup = {(t, j): v for t, j, _, v in med.iter_rows() if v is not None}
    for code, t in zip(test_items["ITEM_CD"].to_list(), test_items["PART_TYPE"].to_list()):
        cands = by_type.get(t, [])
        top = cands[0] if cands else []
        out[code] = _Guess(cands, {j: run[(t, j)] for j in top if (t, j) in run},
                           {j: setup[(t, j)] for j in top if (t, j) in setup})


def _knn_baseline(items: pl.DataFrame, model: RoutingModel, train_codes: set[str], test_items: pl.DataFrame,
                  out: dict[str, _Guess], k: int = 10) -> None:
    """A textbook kNN: one-hot categories + standardised numbers, cosine, unweighted majority vote."""
    cats = [c for g, (cs, _, _) in GROUPS.items() for c in cs]
    nums = [c for g, (_, ns, _) in GROUPS.items() for c in ns]
    train = items.filter(pl.col("ITEM_CD").is_in(list(train_codes))).sort("ITEM_CD")

    def frame(df: pl.DataFrame) -> np.ndarray:
        return np.column_stack([df[c].cast(pl.Utf8).fill_null("(missing)").to_numpy().astype(object) for c in cats]
                               + [df[c].cast(pl.Float64).to_numpy().astype(object) for c in nums])

    n_cat = len(cats)
    pre = ColumnTransformer([
        ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=3), list(range(n_cat))),
        ("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()),
         list(range(n_cat, n_cat + len(nums)))),
    ])
    Xtr = pre.fit_transform(frame(train))
    Xte = pre.transform(frame(test_items))
    nn = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(Xtr)
    _, idx = nn.kneighbors(Xte)
    train_codes_sorted = train["ITEM_CD"].to_list()
    for r, code in enumerate(test_items["ITEM_CD"].to_list()):
        votes: dict[tuple, list[int]] = {}
        for i in idx[r]:
            pos = model.position(train_codes_sorted[i])
            if pos is None:
                continue
            votes.setdefault(tuple(model.routing_jobs(pos)), []).append(pos)
        ranked = sorted(votes.items(), key=lambda kv: -len(kv[1]))
        if not ranked:
            out[code] = _Guess([], {}, {})
            continue
        runs: dict[str, list[float]] = {}
        setups: dict[str, list[float]] = {}
        for pos in ranked[0][1]:
            _, run, setup = _routing_times(model, pos)
            for j, v in run.items():
                runs.setdefault(j, []).append(v)
            for j, v in setup.items():
                setups.setdefault(j, []).append(v)
        out[code] = _Guess([list(s) for s, _ in ranked], {j: float(np.median(v)) for j, v in runs.items()},
                           {j: float(np.median(v)) for j, v in setups.items()})
