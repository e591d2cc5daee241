"""Honest evaluation: hold items out, predict them from the rest, compare with what engineers wrote.

Held-out items are removed from the search index and their actuals are never used, so the
figures are what a user would see for a genuinely new item. The model is compared with three
baselines: the most frequent routing of the item's PART_TYPE, the single nearest item's routing,
and a plain kNN vote (k=15, similarity², one-hot + standardised numbers, no weights, no
specification words); and, where the plant's rule routings are known (a demo plant's
DEMO_RULE_ROUTINGS), with its ceiling: the rule routing scored against the routings engineers wrote.

Every method gets every metric: top-1 exact, top-3 hit, Levenshtein similarity and edit distance
of the operation sequence, Jaccard of the operation sets, and the median absolute percentage
error (MdAPE, and the share within ±25 %) of run time per piece, setup time and the total time of a
lot of 10 (setup + 10 × run over the routing) against the item's own shop-floor actuals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from app.domain.schema import OUTSIDE
from app.ml.features import GROUPS, EncoderParams
from app.ml.model import PredictOptions, RoutingModel, clean_actuals, current_routings

METHODS = ("model", "knn_vote", "nearest_item", "part_type_mode")
CEILING = "ceiling"
METHOD_LABELS = {"model": "Routing ML", "knn_vote": "plain kNN vote (k=15, similarity²)",
                 "nearest_item": "single nearest item", "part_type_mode": "most frequent routing of PART_TYPE",
                 CEILING: "plant's ceiling (rule routing)"}
SEQUENCE_METRICS = ("top1_exact", "top3_hit", "levenshtein", "edit_distance", "jaccard")
TIME_METRICS = ("run_mdape", "run_within_25", "setup_mdape", "setup_within_25", "lot10_mdape", "lot10_within_25")
METRICS = SEQUENCE_METRICS + TIME_METRICS


def format_metric(key: str, value, share=lambda v: f"{v:.1%}") -> str:
    """A metric as the tables show it: edit distance 2 decimals, similarities 3, the rest a share
    (`share` formats it: the window's own, with its locale's spacing); "–" when not measured."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if key == "edit_distance":
        return f"{value:.2f}"
    if key in ("levenshtein", "jaccard"):
        return f"{value:.3f}"
    return share(value)
LOWER_IS_BETTER = {"edit_distance", "run_mdape", "setup_mdape", "lot10_mdape"}
LOT = 10                      # pieces in the lot whose total time (setup + LOT x run) is scored
KNN_K = 15


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
    """Top-1 exact, top-3 hit, Levenshtein similarity (1 - edit distance / longer sequence), edit
    distance (operations inserted, deleted or replaced) and Jaccard of the operation sets."""
    top = guesses[0] if guesses else []
    longest = max(len(truth), len(top), 1)
    sa, sb = set(truth), set(top)
    distance = levenshtein(truth, top)
    return {"top1_exact": float(top == truth),
            "top3_hit": float(truth in guesses[:3]),
            "levenshtein": 1.0 - distance / longest,
            "edit_distance": float(distance),
            "jaccard": len(sa & sb) / len(sa | sb) if (sa | sb) else 1.0}


def ape(predicted: float, actual: float) -> float | None:
    """Absolute percentage error |predicted - actual| / actual (None when actual is not above 0)."""
    if actual is None or not np.isfinite(actual) or actual <= 0 or predicted is None or not np.isfinite(predicted):
        return None
    return abs(predicted - actual) / actual


def mdape(errors: list[float]) -> tuple[float, float]:
    """Median of the absolute percentage errors and the share within ±25 % (NaN, NaN for none)."""
    if not errors:
        return float("nan"), float("nan")
    e = np.asarray(errors, dtype=float)
    return float(np.median(e)), float(np.mean(e <= 0.25))


def lot_total(sequence: list[str], run: dict[str, float], setup: dict[str, float], lot: int = LOT) -> float:
    """Minutes for a lot of `lot` pieces along `sequence`: every operation's setup once and its
    per-piece run time `lot` times (an operation without a time counts 0)."""
    return float(sum(setup.get(j, 0.0) + lot * run.get(j, 0.0) for j in sequence))


@dataclass
class Truth:
    """What engineers wrote and the shop floor booked for the evaluated items."""

    sequences: dict[str, list[str]]                 # ITEM_CD -> current routing's JOB_CDs
    run: dict[tuple[str, str], float]               # (ITEM_CD, JOB_CD) -> median run min/piece
    setup: dict[tuple[str, str], float]
    lot: dict[str, float]                           # ITEM_CD -> actual minutes for a lot of LOT


def truth_lot_totals(cur: pl.DataFrame, run: dict[tuple[str, str], float],
                     setup: dict[tuple[str, str], float], lot: int = LOT) -> dict[str, float]:
    """Per item, setup + lot x run summed over its current routing's in-house operations, from its
    own actuals; an item with an in-house operation lacking actuals has no total (it is left out)."""
    out: dict[str, float] = {}
    for (code,), g in cur.group_by("ITEM_CD"):
        total = 0.0
        for job, inside in zip(g["JOB_CD"].to_list(), g["INSIDE_FLAG"].to_list()):
            if inside == OUTSIDE:
                continue
            r, s = run.get((code, job)), setup.get((code, job))
            if r is None or s is None:
                break
            total += s + lot * r
        else:
            if total > 0:
                out[code] = total
    return out


def score_method(codes: list[str], guesses: dict[str, "_Guess"], truth: Truth) -> dict[str, float]:
    """Every metric of one method over the evaluated items (a missing guess scores as empty)."""
    scores: dict[str, list[float]] = {k: [] for k in SEQUENCE_METRICS}
    errors: dict[str, list[float]] = {"run": [], "setup": [], "lot10": []}
    for code in codes:
        g = guesses.get(code) or _Guess([], {}, {})
        s = sequence_scores(truth.sequences[code], g.sequences)
        for k in SEQUENCE_METRICS:
            scores[k].append(s[k])
        for job, v in g.run.items():
            if (e := ape(v, truth.run.get((code, job)))) is not None:
                errors["run"].append(e)
        for job, v in g.setup.items():
            if (e := ape(v, truth.setup.get((code, job)))) is not None:
                errors["setup"].append(e)
        if code in truth.lot and g.sequences:
            if (e := ape(lot_total(g.sequences[0], g.run, g.setup), truth.lot[code])) is not None:
                errors["lot10"].append(e)
    row = {k: float(np.mean(v)) if v else float("nan") for k, v in scores.items()}
    for name, errs in errors.items():
        row[f"{name}_mdape"], row[f"{name}_within_25"] = mdape(errs)
    row["time_pairs"] = len(errors["run"])
    row["lot_items"] = len(errors["lot10"])
    return row


def ceiling_scores(codes: list[str], rule_sequences: dict[str, list[str]], truth: Truth) -> dict[str, float] | None:
    """The plant's rule routing scored as a one-candidate method: top-1 and the sequence metrics of
    the first candidate. No top-3 (one routing has no second and third; a method's top-3 may pass
    it) and no times (the rules say which operations, not how long they take). None when no
    evaluated item has one."""
    known = [c for c in codes if c in rule_sequences]
    if not known:
        return None
    guesses = {c: _Guess([rule_sequences[c]], {}, {}) for c in known}
    row = score_method(known, guesses, truth)
    for k in ("top3_hit", *TIME_METRICS):
        row[k] = float("nan")
    row["time_pairs"] = row["lot_items"] = 0
    row["items"] = len(known)
    return row


def rule_sequences(rule_routings: pl.DataFrame | None) -> dict[str, list[str]]:
    """ITEM_CD -> JOB_CDs in PROC_SEQ order, from a DEMO_RULE_ROUTINGS frame."""
    if rule_routings is None or rule_routings.height == 0:
        return {}
    frame = (rule_routings.select(pl.col("ITEM_CD").cast(pl.Utf8), pl.col("PROC_SEQ").cast(pl.Float64),
                                  pl.col("JOB_CD").cast(pl.Utf8))
             .sort(["ITEM_CD", "PROC_SEQ"]).group_by("ITEM_CD", maintain_order=True).agg(pl.col("JOB_CD")))
    return {c: list(j) for c, j in frame.iter_rows()}


def ahead(a: dict[str, float], b: dict[str, float], metrics=SEQUENCE_METRICS) -> bool:
    """Whether method row `a` is strictly better than `b` on every one of `metrics`."""
    return all((a[k] < b[k]) if k in LOWER_IS_BETTER else (a[k] > b[k]) for k in metrics)


def evaluate(items: pl.DataFrame, routings: pl.DataFrame, results: pl.DataFrame, holdout: float = 0.2,
             seed: int = 7, max_items: int = 3000, params: EncoderParams | None = None,
             opts: PredictOptions | None = None, progress=None,
             rule_routings: pl.DataFrame | None = None) -> dict[str, Any]:
    """Score the model and the baselines (and the ceiling, given `rule_routings`) on held-out items.

    The result's "methods" maps each method to every metric (METRICS); "ceiling" rows have the
    sequence metrics only, and "gap_to_ceiling" is the ceiling's top-1 minus the model's.
    """
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

    test_cur = cur.filter(pl.col("ITEM_CD").is_in(test_list))
    truth_seq = {c: g["JOB_CD"].to_list() for (c,), g in test_cur.group_by("ITEM_CD")}
    act = clean_actuals(results.filter(pl.col("ITEM_CD").is_in(test_list)))
    truth_time = (act.group_by(["ITEM_CD", "JOB_CD"])
                  .agg(pl.col("run_min").median(), pl.col("setup_min").median()))
    truth_run = {(r[0], r[1]): r[2] for r in truth_time.iter_rows() if r[2] is not None}
    truth_setup = {(r[0], r[1]): r[3] for r in truth_time.iter_rows() if r[3] is not None}
    truth = Truth(truth_seq, truth_run, truth_setup, truth_lot_totals(test_cur, truth_run, truth_setup))

    test_items = items.filter(pl.col("ITEM_CD").is_in(test_list)).sort("ITEM_CD")
    report(0.3, "predicting held-out items")
    Q = model.encoder.encode(test_items)
    guesses: dict[str, dict[str, _Guess]] = {m: {} for m in METHODS}
    codes = test_items["ITEM_CD"].to_list()
    sizes = test_items["OUTDIAMETER"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    for b in range(0, len(codes), 256):
        preds = model.predict_vectors(codes[b:b + 256], Q[b:b + 256], opts, sizes=sizes[b:b + 256],
                                      items=test_items[b:b + 256])
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
    table = {method: score_method(codes, guesses[method], truth) for method in METHODS}
    part_of = dict(zip(test_items["ITEM_CD"].to_list(), test_items["PART_TYPE"].fill_null("").to_list()))
    type_hits: dict[str, list[float]] = {}
    for code in codes:
        g = guesses["model"].get(code)
        type_hits.setdefault(part_of[code], []).append(float(bool(g and g.sequences and g.sequences[0] == truth_seq[code])))
    per_type = {t: {"items": len(v), "top1_exact": float(np.mean(v))} for t, v in sorted(type_hits.items())}
    result: dict[str, Any] = {"holdout": holdout, "seed": seed, "evaluated_items": len(codes),
                              "train_items": len(train_codes), "methods": table, "per_part_type": per_type,
                              "model_beats_baselines": all(ahead(table["model"], table[m]) for m in METHODS[1:])}
    ceiling = ceiling_scores(codes, rule_sequences(rule_routings), truth)
    if ceiling is not None:
        table[CEILING] = ceiling
        result["gap_to_ceiling"] = ceiling["top1_exact"] - table["model"]["top1_exact"]
    report(1.0, "evaluation done")
    return result


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
                  out: dict[str, _Guess], k: int = KNN_K) -> None:
    """A textbook kNN: one-hot categories + standardised numbers, cosine, the k nearest items'
    routings ranked by the sum of their similarity² (times: the median of the winners' standard times)."""
    # scikit-learn loads only when evaluating (the window imports this module for its names)
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

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
    nn = NearestNeighbors(n_neighbors=min(k, Xtr.shape[0]), metric="cosine", algorithm="brute").fit(Xtr)
    dist, idx = nn.kneighbors(Xte)
    weight = np.clip(1.0 - dist, 0.0, None) ** 2                       # similarity²
    train_codes_sorted = train["ITEM_CD"].to_list()
    for r, code in enumerate(test_items["ITEM_CD"].to_list()):
        votes: dict[tuple, list[int]] = {}
        score: dict[tuple, float] = {}
        for i, w in zip(idx[r], weight[r]):
            pos = model.position(train_codes_sorted[i])
            if pos is None:
                continue
            seq = tuple(model.routing_jobs(pos))
            votes.setdefault(seq, []).append(pos)
            score[seq] = score.get(seq, 0.0) + float(w)
        ranked = sorted(votes.items(), key=lambda kv: -score[kv[0]])
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
