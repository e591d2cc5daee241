"""What the model learns from the plant's own history, beyond "similar items have similar routings".

- Per operation, a small decision tree decides whether a new item gets it, from what the similar
  items' routings say (the share of their similarity-weighted vote) and the item's own attributes
  (category levels, sizes, specification words). Its depth is chosen by cross-validation on the
  history; the tree that wins is kept as plain arrays (`TreeSet`), so using it needs neither
  scikit-learn nor pickle. A tree's path is the explanation: "STANDARD_YN = N; 212 of 230 such
  items have it".
- Candidates (the similar items' routings, and the best of them repaired by the trees' decisions)
  are ranked by a logistic regression, learned on the history, of how often such a candidate was
  exactly the routing an engineer wrote: its score is that chance, not a share of votes.
- Per operation, setup and run minutes are Ridge regressions on log minutes from sizes, material and
  the other attributes; an item's own work results are weighed against that by their count
  (`TimeModels.blend`).

Everything is learned on a sample of the indexed items (leave-one-out: an item never sees itself
among its similar items), so training time stays flat as the plant grows.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.domain.routing import Note

LEARN_SAMPLE = 20_000        # items the rules and the ranker learn from (leave-one-out)
TIME_ROWS = 4_000            # items one operation's time model learns from, at most
TREE_ROWS = 8_000            # items one operation's tree learns from, at most
LEARN_K = 15                 # similar items behind the vote the rules see
MIN_TOKEN_ITEMS = 15         # an operation needs this many items with it and without it for a tree
TREE_GRID = ((2, 40), (4, 20), (6, 10), (9, 5))   # (max_depth, min_samples_leaf) tried by cross-validation
CV_FOLDS = 3
LEAF_PRIOR = 2.0             # a leaf's share is shrunk towards its tree's overall share by this many items
P_CLIP = 0.01
MIN_REASON_GAIN = 0.2        # a split named in an explanation did at least this share of its tree's work


# ---------------------------------------------------------------------------------------------
# decision trees as arrays
# ---------------------------------------------------------------------------------------------

@dataclass
class TreeSet:
    """Decision trees, one per operation token, laid end to end. Feature 0 is the similar items'
    vote for the token, feature i >= 1 is attribute column i - 1."""

    ptr: np.ndarray           # int64 (T + 1,): first node of each tree (equal bounds: no tree)
    feature: np.ndarray       # int32, -1 at a leaf
    threshold: np.ndarray     # float32: left when x <= threshold
    left: np.ndarray          # int32, absolute node index
    right: np.ndarray
    nan_left: np.ndarray      # bool: a missing value goes left
    pos: np.ndarray           # float32: training items at the node that have the operation
    n: np.ndarray             # float32: training items at the node
    gain: np.ndarray          # float32: impurity decrease x items at a split node (0 at leaves)
    prob: np.ndarray          # float32: smoothed share with the operation, used at leaves

    ARRAYS = ("ptr", "feature", "threshold", "left", "right", "nan_left", "pos", "n", "gain", "prob")

    @classmethod
    def empty(cls, n_tokens: int) -> TreeSet:
        z = np.zeros(0, dtype=np.float32)
        zi = np.zeros(0, dtype=np.int32)
        return cls(np.zeros(n_tokens + 1, dtype=np.int64), zi, z, zi, zi, np.zeros(0, dtype=bool), z, z, z, z)

    def has(self, t: int) -> bool:
        return self.ptr[t + 1] > self.ptr[t]

    def leaves(self, t: int, votes: np.ndarray, attrs: np.ndarray) -> np.ndarray:
        """The leaf (absolute node) each row reaches in tree t; votes (m,), attrs (m, p)."""
        m = votes.shape[0]
        node = np.full(m, self.ptr[t], dtype=np.int64)
        rows = np.arange(m)
        for _ in range(64):
            f = self.feature[node]
            active = f >= 0
            if not active.any():
                break
            fa = np.where(active, f, 0)
            x = np.where(fa == 0, votes, attrs[rows, np.maximum(fa - 1, 0)])
            go_left = np.where(np.isnan(x), self.nan_left[node], x <= self.threshold[node])
            node = np.where(active, np.where(go_left, self.left[node], self.right[node]), node)
        return node

    def path(self, t: int, vote: float, attrs: np.ndarray) -> tuple[list[tuple[int, bool, float, float]], int]:
        """The splits one item passes in tree t: [(feature, went_left, threshold, gain)], and its leaf."""
        lists = self.__dict__.get("_lists")
        if lists is None:       # the nodes as Python lists: one item's walk reads a few values of each
            lists = self.__dict__["_lists"] = tuple(getattr(self, k).tolist() for k in (
                "feature", "threshold", "left", "right", "nan_left", "gain"))
        feature, threshold, left, right, nan_left, gain = lists
        node = int(self.ptr[t])
        steps = []
        while feature[node] >= 0:
            f = feature[node]
            x = vote if f == 0 else float(attrs[f - 1])
            go_left = nan_left[node] if math.isnan(x) else x <= threshold[node]
            steps.append((f, go_left, threshold[node], gain[node]))
            node = left[node] if go_left else right[node]
        return steps, node

    def importance(self, t: int) -> dict[int, float]:
        """Each feature's share of tree t's impurity decrease."""
        s, e = int(self.ptr[t]), int(self.ptr[t + 1])
        out: dict[int, float] = {}
        for f, g in zip(self.feature[s:e], self.gain[s:e]):
            if f >= 0 and g > 0:
                out[int(f)] = out.get(int(f), 0.0) + float(g)
        total = sum(out.values()) or 1.0
        return {f: g / total for f, g in sorted(out.items(), key=lambda kv: -kv[1])}

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}{k}": getattr(self, k) for k in self.ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> TreeSet:
        return cls(*(arrays[f"{prefix}{k}"] for k in cls.ARRAYS))


def _export_tree(tree, offset: int, features: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """One fitted sklearn DecisionTreeClassifier (classes 0/1) as arrays with absolute indices;
    `features` maps the columns it was fitted on to TreeSet features."""
    t = tree.tree_
    n = t.weighted_n_node_samples.astype(np.float64)
    value = t.value[:, 0, :]
    frac = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-12)   # counts or fractions, by version
    pos = frac[:, list(tree.classes_).index(1)] * n if 1 in tree.classes_ else np.zeros_like(n)
    leaf = t.children_left < 0
    left = np.where(leaf, -1, t.children_left + offset)
    right = np.where(leaf, -1, t.children_right + offset)
    gain = np.zeros(t.node_count)
    inner = ~leaf
    gain[inner] = (t.impurity[inner] * n[inner] - t.impurity[t.children_left[inner]] * n[t.children_left[inner]]
                   - t.impurity[t.children_right[inner]] * n[t.children_right[inner]])
    prior = pos[0] / max(n[0], 1e-9)
    prob = (pos + LEAF_PRIOR * prior) / (n + LEAF_PRIOR)
    nan_left = (t.missing_go_to_left.astype(bool) if hasattr(t, "missing_go_to_left")
                else np.ones(t.node_count, dtype=bool))
    feature = t.feature if features is None else np.asarray(features)[np.clip(t.feature, 0, None)]
    return {"feature": np.where(leaf, -1, feature).astype(np.int32),
            "threshold": t.threshold.astype(np.float32), "left": left.astype(np.int32),
            "right": right.astype(np.int32), "nan_left": nan_left, "pos": pos.astype(np.float32),
            "n": n.astype(np.float32), "gain": np.maximum(gain, 0).astype(np.float32),
            "prob": prob.astype(np.float32)}


def _leaf_prob(tree, X: np.ndarray) -> np.ndarray:
    exported = _export_tree(tree, 0)
    return exported["prob"][tree.apply(X)]


def fit_token_tree(X: np.ndarray, y: np.ndarray, folds: np.ndarray, seed: int = 0) -> tuple[Any, dict[str, Any]]:
    """Choose the tree's size by cross-validated log-loss, then fit it on all rows.

    Returns the fitted tree and a summary: the chosen size, its out-of-fold probabilities and
    log-loss, and the log-loss of the similar items' vote alone (feature 0) for comparison."""
    from sklearn.tree import DecisionTreeClassifier

    best = None
    for depth, leaf in TREE_GRID:
        oof = np.zeros(len(y))
        for k in range(CV_FOLDS):
            tr, te = folds != k, folds == k
            if y[tr].min() == y[tr].max():
                oof[te] = y[tr][0]
                continue
            clf = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=seed)
            clf.fit(X[tr], y[tr])
            oof[te] = _leaf_prob(clf, X[te])
        loss = _logloss(y, oof)
        if best is None or loss < best[0] - 1e-4:
            best = (loss, depth, leaf, oof)
    loss, depth, leaf, oof = best
    clf = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=seed).fit(X, y)
    return clf, {"depth": depth, "min_leaf": leaf, "oof": oof, "logloss": loss,
                 "vote_logloss": _logloss(y, np.clip(X[:, 0], P_CLIP, 1 - P_CLIP)),
                 "accuracy": float(np.mean((oof > 0.5) == (y > 0.5))),
                 "vote_accuracy": float(np.mean((X[:, 0] > 0.5) == (y > 0.5)))}


def _active_columns(A: np.ndarray, min_rows: int = 5) -> np.ndarray:
    """Attribute columns that can split these rows: a number that varies, a 0/1 column with at
    least `min_rows` items on each side."""
    num = np.isnan(A).any(axis=0) | ((A != 0) & (A != 1)).any(axis=0)
    ones = (A == 1).sum(axis=0)
    binary_ok = (ones >= min_rows) & (A.shape[0] - ones >= min_rows)
    spread = np.nanmax(np.where(np.isnan(A), -np.inf, A), axis=0) > np.nanmin(np.where(np.isnan(A), np.inf, A), axis=0)
    return np.nonzero(np.where(num, spread, binary_ok))[0]


def _logloss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, P_CLIP, 1 - P_CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def build_treeset(trees: list[tuple[Any, np.ndarray] | None]) -> TreeSet:
    """(fitted tree, its feature map) per token, or None where a token has no tree."""
    parts, ptr, offset = [], [0], 0
    for entry in trees:
        if entry is not None:
            ex = _export_tree(entry[0], offset, entry[1])
            parts.append(ex)
            offset += len(ex["feature"])
        ptr.append(offset)
    if not parts:
        return TreeSet.empty(len(trees))
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return TreeSet(np.asarray(ptr, dtype=np.int64), **cat)


# ---------------------------------------------------------------------------------------------
# candidates: built from the similar items' routings and repaired by the trees, then ranked
# ---------------------------------------------------------------------------------------------

RANKER_FEATURES = ("log_likelihood", "relative_log_likelihood", "support", "log_support", "repaired",
                   "uncertain_operations")


@dataclass
class Draft:
    """A candidate before its operations are filled in."""

    tokens: tuple[int, ...]
    base: int                      # the neighbour group its operations (resources, flags) come from
    rows: list[int]                # the similar items (rows of the search result) whose routing it is
    support: float                 # their share of the similarity-weighted vote
    repaired: bool = False
    features: list[float] = field(default_factory=list)
    score: float = 0.0
    outsourced: int = 0


def draft_candidates(groups: list[tuple[tuple[int, ...], list[int], float]], probs: dict[int, float],
                     precedence: np.ndarray | None) -> list[Draft]:
    """groups: (tokens, rows, support share) of each distinct routing among the similar items, best
    supported first. probs: each token's chance of belonging to the item's routing.

    Besides the routings as they are, the two best supported are repaired: the tokens the trees
    give more than even odds are added where the plant's routings put them, the others dropped."""
    drafts = [Draft(toks, g, rows, sup) for g, (toks, rows, sup) in enumerate(groups)]
    if probs:
        keep = {t for t, p in probs.items() if p > 0.5}
        seen = {d.tokens for d in drafts}
        for d in list(drafts[:2]):
            toks = [t for t in d.tokens if t in keep or t not in probs]
            for t in sorted(keep - set(toks), key=lambda t: -probs[t]):
                toks = _insert(toks, t, precedence)
            new = tuple(toks)
            if new and new not in seen:
                seen.add(new)
                drafts.append(Draft(new, d.base, [], 0.0, repaired=True))
    terms = _likelihood_terms(probs)
    ll = [_log_likelihood(d.tokens, terms) for d in drafts]
    best = max(ll) if ll else 0.0
    uncertain = sum(1 for p in probs.values() if 0.2 < p < 0.8)
    for d, v in zip(drafts, ll):
        d.features = [v, v - best, d.support, math.log(d.support + 0.01), float(d.repaired), float(uncertain)]
    return drafts


def _likelihood_terms(probs: dict[int, float]) -> list[tuple[int, float, float]]:
    """Per token of probs, in its order: the log of its (clipped) chance of being in the routing and
    of not being in it; worked out once for all of an item's drafts."""
    out = []
    for t, p in probs.items():
        p = min(max(p, P_CLIP), 1 - P_CLIP)
        out.append((t, math.log(p), math.log(1 - p)))
    return out


def _log_likelihood(tokens: tuple[int, ...], terms: list[tuple[int, float, float]]) -> float:
    have = set(tokens)
    total = 0.0
    for t, log_in, log_out in terms:
        total += log_in if t in have else log_out
    return total


def _insert(tokens: list[int], t: int, precedence: np.ndarray | None) -> list[int]:
    """Put token t where the plant's routings most often put it relative to the others."""
    if precedence is None or not tokens or t >= precedence.shape[0]:
        return tokens + [t]
    idx = np.asarray([x for x in tokens], dtype=np.int64)
    inside = idx < precedence.shape[0]
    before = np.where(inside, precedence[t, np.minimum(idx, precedence.shape[0] - 1)], 0)   # t before x
    after = np.where(inside, precedence[np.minimum(idx, precedence.shape[0] - 1), t], 0)    # x before t
    # cost of position i: t after tokens[:i] (against `before`) and before tokens[i:] (against `after`)
    cost = np.concatenate([[0], np.cumsum(before)]) + np.concatenate([np.cumsum(after[::-1])[::-1], [0]])
    i = int(np.argmin(cost))
    return tokens[:i] + [t] + tokens[i:]


@dataclass
class Ranker:
    coef: np.ndarray
    intercept: float

    def score(self, drafts: list[Draft]) -> None:
        for d in drafts:
            z = float(np.dot(self.coef, d.features)) + self.intercept
            d.score = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray) -> Ranker:
        from sklearn.linear_model import LogisticRegression
        if len(y) == 0 or y.min() == y.max():
            return cls.default()
        clf = LogisticRegression(C=1.0, max_iter=500).fit(X, y)
        return cls(clf.coef_[0].astype(np.float64), float(clf.intercept_[0]))

    @classmethod
    def default(cls) -> Ranker:
        """Without history to learn from: the likelihood and the support, equally."""
        return cls(np.array([0.5, 0.5, 2.0, 0.5, -0.5, 0.0]), 0.0)


# ---------------------------------------------------------------------------------------------
# explanations
# ---------------------------------------------------------------------------------------------

def explain(trees: TreeSet, t: int, vote: float, have: int, k: int, attrs: np.ndarray,
            names: list[tuple[str, str, str]], limit: int = 2, cache: dict | None = None) -> Note:
    """Why token t is (or is not) proposed: the attributes on its tree's path for this item, the
    similar items' vote, and how many items at the same leaf had it.

    The path to a leaf is that leaf's alone, so the explanation depends on the leaf, `have` and
    `k` only: `cache` (kept by the caller, per model) holds it for the next item reaching it."""
    if not trees.has(t):
        return Note("why_similar", have, k)
    steps, leaf = trees.path(t, vote, attrs)
    if cache is None:
        return _explain_path(trees, t, steps, leaf, have, k, names, limit)
    key = (leaf, have, k, limit)
    note = cache.get(key)
    if note is None:
        if len(cache) >= EXPLAIN_CACHE_SIZE:
            cache.clear()
        note = cache[key] = _explain_path(trees, t, steps, leaf, have, k, names, limit)
    return note


EXPLAIN_CACHE_SIZE = 200_000


def _explain_path(trees: TreeSet, t: int, steps: list[tuple[int, bool, float, float]], leaf: int, have: int, k: int,
                  names: list[tuple[str, str, str]], limit: int) -> Note:
    # a split that hardly separated anything in training is no reason worth naming
    s, e = int(trees.ptr[t]), int(trees.ptr[t + 1])
    least = MIN_REASON_GAIN * float(trees.gain[s:e].sum())
    steps = [st for st in steps if st[3] >= least]
    conds: dict[tuple, tuple[float, Note]] = {}
    bounds: dict[int, list[float | None]] = {}
    for f, went_left, thr, gain in steps:
        if f == 0:
            key = ("vote",)
            conds[key] = (conds.get(key, (0.0, None))[0] + gain, Note("cond_similar", have, k))
            continue
        kind, col, val = names[f - 1]
        if kind == "num":
            lo_hi = bounds.setdefault(f, [None, None, 0.0])
            if went_left:
                lo_hi[1] = thr if lo_hi[1] is None else min(lo_hi[1], thr)
            else:
                lo_hi[0] = thr if lo_hi[0] is None else max(lo_hi[0], thr)
            lo_hi[2] += gain
            continue
        if kind == "cat":
            if not went_left:
                conds[("cat", col)] = (gain + conds.get(("cat", col), (0.0, None))[0], Note("cond_eq", col, val))
            elif ("cat", col) not in conds or conds[("cat", col)][1].key == "cond_ne":
                prev = conds.get(("cat", col))
                note = Note("cond_ne", col, val) if prev is None else Note("cond_ne", col, f"{prev[1].values[1]}, {val}")
                conds[("cat", col)] = ((prev[0] if prev else 0.0) + gain, note)
        else:
            conds[("word", val)] = (gain, Note("cond_no_word", val) if went_left else Note("cond_word", val))
    for f, (lo, hi, gain) in bounds.items():
        col = names[f - 1][1]
        if lo is not None and hi is not None:
            note = Note("cond_between", col, _fmt(lo), _fmt(hi))
        elif lo is not None:
            note = Note("cond_gt", col, _fmt(lo))
        else:
            note = Note("cond_le", col, _fmt(hi))
        conds[("num", f)] = (gain, note)
    ranked = [n for _, n in sorted(conds.values(), key=lambda gn: -gn[0])]
    attr_conds = [n for n in ranked if n.key != "cond_similar"][:limit]
    pos, n = int(round(float(trees.pos[leaf]))), int(round(float(trees.n[leaf])))
    if not attr_conds:
        return Note("why_similar_leaf", have, k, pos, n)
    if any(n_.key == "cond_similar" for n_ in ranked):
        attr_conds.append(Note("cond_similar", have, k))
    return Note("why_rule", Note("conditions", *attr_conds), pos, n)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


# ---------------------------------------------------------------------------------------------
# times
# ---------------------------------------------------------------------------------------------

@dataclass
class TimeModels:
    """Per operation (JOB_CD), Ridge regressions of log setup and log run minutes on the item's
    attributes, and how much one of the item's own work results weighs against them.

    Design: log(1 + size) for each number (median where missing, plus a missing flag), the 0/1
    category levels and specification words. Rows (setup, run) x jobs of coefficients."""

    medians: np.ndarray          # (n_num,) log1p medians of the numeric attributes
    num_cols: np.ndarray         # int64 attribute columns that are numbers
    coef: np.ndarray             # (2, n_jobs, n_design) float32
    intercept: np.ndarray        # (2, n_jobs) float32; NaN: no model for this job
    tau2: np.ndarray             # (2, n_jobs) variance of an item's typical time around the model
    sigma2: np.ndarray           # (2, n_jobs) variance of one work result around its item's typical time

    ARRAYS = ("medians", "num_cols", "coef", "intercept", "tau2", "sigma2")

    def design(self, attrs: np.ndarray) -> np.ndarray:
        num = attrs[:, self.num_cols].astype(np.float64)
        missing = np.isnan(num)
        logs = np.log1p(np.clip(np.where(missing, 0.0, num), 0, None))
        logs = np.where(missing, self.medians[None, :], logs)
        rest = np.delete(attrs, self.num_cols, axis=1)
        return np.hstack([logs, missing.astype(np.float64), rest]).astype(np.float32)

    def has(self, which: int, j: int) -> bool:
        return 0 <= j < self.intercept.shape[1] and bool(np.isfinite(self.intercept[which, j]))

    def predict(self, which: int, j: int, Z: np.ndarray) -> np.ndarray:
        return Z @ self.coef[which, j] + self.intercept[which, j]

    def blend(self, which: int, j: int, mu_model: float, n_own: float, mean_own: float) -> tuple[float, float, float]:
        """The model's log minutes and the item's own mean of n results, weighed by their
        variances: returns (log minutes, variance of that estimate, weight of the own results)."""
        tau2, sigma2 = float(self.tau2[which, j]), float(self.sigma2[which, j])
        if n_own <= 0 or not math.isfinite(mean_own):
            return mu_model, tau2, 0.0
        prec_model, prec_own = 1.0 / tau2, n_own / sigma2
        w = prec_own / (prec_model + prec_own)
        return (1 - w) * mu_model + w * mean_own, 1.0 / (prec_model + prec_own), w

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {f"time_{k}": getattr(self, k) for k in self.ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TimeModels | None:
        if "time_coef" not in arrays:
            return None
        return cls(*(arrays[f"time_{k}"] for k in cls.ARRAYS))


def fit_time_models(attrs: np.ndarray, num_cols: np.ndarray, flat: dict[str, np.ndarray], n_jobs: int,
                    min_items: int = 30, names: list[tuple[str, str, str]] | None = None
                    ) -> tuple[TimeModels, dict[str, Any]]:
    """Fit the time models. `flat`: one entry per (item, job) with usable results: "row" (the
    item's row of `attrs`), "job", and per quantity (setup, run) "n_…" results, "mu_…" their mean
    log minutes and "ss_…" the sum of their squared deviations from it."""
    from sklearn.linear_model import RidgeCV

    num = attrs[:, num_cols].astype(np.float64)
    medians = np.array([float(np.median(np.log1p(np.clip(c[np.isfinite(c)], 0, None)))) if np.isfinite(c).any()
                        else 0.0 for c in num.T])
    tm = TimeModels(medians, np.asarray(num_cols, dtype=np.int64), np.zeros((2, n_jobs, 0), np.float32),
                    np.full((2, n_jobs), np.nan, np.float32), np.ones((2, n_jobs), np.float32),
                    np.ones((2, n_jobs), np.float32))
    Z = tm.design(attrs)
    coef = np.zeros((2, n_jobs, Z.shape[1]), dtype=np.float32)
    summary: dict[str, Any] = {}
    order = np.argsort(flat["job"], kind="stable")
    bounds = np.searchsorted(flat["job"][order], np.arange(n_jobs + 1))
    for which, col in ((0, "setup"), (1, "run")):
        for j in range(n_jobs):
            sel = order[bounds[j]:bounds[j + 1]]
            cnt = flat[f"n_{col}"][sel].astype(np.float64)
            ok = cnt > 0
            if ok.sum() < min_items:
                continue
            sel, cnt = sel[ok], cnt[ok]
            if len(sel) > TIME_ROWS:
                keep = np.sort(np.random.default_rng(j).choice(len(sel), TIME_ROWS, replace=False))
                sel, cnt = sel[keep], cnt[keep]
            mean = flat[f"mu_{col}"][sel].astype(np.float64)
            ss = flat[f"ss_{col}"][sel].astype(np.float64)
            # one work result's spread around its item's typical time, pooled over the items
            dof = float((cnt - 1).sum())
            sigma2 = max(float(np.nansum(ss) / dof) if dof >= 5 else 0.1, 1e-4)
            X = Z[flat["row"][sel]]
            cols = _active_columns(X)
            X = X[:, cols]
            w = 1.0 / (0.05 + sigma2 / cnt)          # an item known from many results counts more
            model = RidgeCV(alphas=(0.1, 1.0, 10.0, 100.0)).fit(X, mean, sample_weight=w)
            resid = mean - model.predict(X)
            # what is left between items once the model has spoken, the noise of their means taken out
            tau2 = float(np.average(resid ** 2, weights=w) - np.average(sigma2 / cnt, weights=w))
            tau2 = max(tau2, 0.02 * sigma2, 1e-4)
            coef[which, j, cols] = model.coef_
            tm.intercept[which, j] = model.intercept_
            tm.tau2[which, j], tm.sigma2[which, j] = tau2, sigma2
            summary.setdefault(j, {})[col] = {"items": int(len(sel)), "alpha": float(model.alpha_),
                                              "tau2": tau2, "sigma2": sigma2,
                                              "effects": _effects(model.coef_, X, cols, num_cols, names)}
    tm.coef = coef
    return tm, summary


def _effects(coef: np.ndarray, X: np.ndarray, cols: np.ndarray, num_cols: np.ndarray,
             names: list[tuple[str, str, str]] | None, top: int = 4) -> list[list]:
    """What moves a time most, as [kind, column, value, factor]: for a number, the factor from its
    10th to its 90th percentile among the items; for a category level or word, the factor it brings."""
    if names is None:
        return []
    n_num = len(num_cols)
    rest = [n for i, n in enumerate(names) if i not in set(num_cols.tolist())]
    out = []
    for c, b, x in zip(cols.tolist(), coef.tolist(), X.T):
        if c < n_num:
            lo, hi = np.percentile(x, [10, 90])
            label, factor = list(names[int(num_cols[c])]), math.exp(b * (hi - lo))
        elif c < 2 * n_num:
            continue        # a missing-value flag: no effect worth naming
        else:
            label, factor = list(rest[c - 2 * n_num]), math.exp(b)
        out.append(label + [round(factor, 3)])
    out.sort(key=lambda e: -abs(math.log(max(e[3], 1e-9))))
    return [e for e in out[:top] if abs(math.log(max(e[3], 1e-9))) > 0.05]


# ---------------------------------------------------------------------------------------------
# the similar items' vote, shared by learning and prediction
# ---------------------------------------------------------------------------------------------

def neighbour_votes(arrays: dict[str, np.ndarray], idx: np.ndarray, sims: np.ndarray, keep: np.ndarray,
                    n_tok: int, power: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of idx (similar items of one query): each token's similarity^power-weighted share
    of the similar items that have it, how many have it, and how many similar items were used."""
    m, k = idx.shape
    w = np.where(keep, np.power(np.clip(sims.astype(np.float64), 1e-6, None), power), 0.0)
    op_ptr, op_tok = arrays["op_ptr"], arrays["op_tok"]
    flat = idx.ravel()
    starts = op_ptr[flat]
    lens = op_ptr[flat + 1] - starts
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
    toks = op_tok[offsets]
    row = np.repeat(np.repeat(np.arange(m), k), lens)
    V = np.zeros((m, n_tok), dtype=np.float64)
    np.add.at(V, (row, toks), np.repeat(w.ravel(), lens))
    C = np.zeros((m, n_tok), dtype=np.int32)
    np.add.at(C, (row, toks), np.repeat(keep.ravel().astype(np.int32), lens))
    total = w.sum(axis=1)
    V = np.divide(V, total[:, None], out=np.zeros_like(V), where=total[:, None] > 0).astype(np.float32)
    return V, C, keep.sum(axis=1)


def part_type_level(attrs: np.ndarray, n_pt: int) -> np.ndarray:
    """Each row's PART_TYPE level (the first n_pt attribute columns are its levels), n_pt if other."""
    if n_pt == 0:
        return np.zeros(attrs.shape[0], dtype=np.int64)
    block = attrs[:, :n_pt]
    return np.where(block.max(axis=1) > 0.5, block.argmax(axis=1), n_pt)


def token_probabilities(parts: dict[str, Any], votes: np.ndarray, attrs: np.ndarray,
                        tree_probs: np.ndarray | None = None) -> list[dict[int, float]]:
    """Per row, each token's chance of belonging to the item's routing: its tree's, where it has
    one for the item's part type, else the similar items' vote. Tokens no similar item has and no
    tree speaks for are left out. `tree_probs` (rows x tokens) replaces the trees (learning)."""
    trees, tok_pt = parts.get("trees"), parts.get("tok_pt")
    m = votes.shape[0]
    out: list[dict[int, float]] = [{} for _ in range(m)]
    rows, toks = np.nonzero(votes > 0)
    for r, t, v in zip(rows.tolist(), toks.tolist(), votes[rows, toks].tolist()):
        out[r][t] = v
    if trees is None or tok_pt is None:
        return out
    pt = part_type_level(attrs, parts["n_pt"])
    for t in range(len(trees.ptr) - 1):
        if not trees.has(t):
            continue
        rel = np.nonzero(tok_pt[t, pt])[0]
        if not rel.size:
            continue
        if tree_probs is not None:
            p = tree_probs[rel, t]
        elif rel.size <= 4:     # a prediction's few items: walking down in Python is quicker than numpy
            p = np.array([trees.prob[trees.path(t, float(votes[r, t]), attrs[r])[1]] for r in rel.tolist()])
        else:
            p = trees.prob[trees.leaves(t, votes[rel, t], attrs[rel])]
        for r, pv in zip(rel.tolist(), p.tolist()):
            out[r][t] = pv
    return out


def group_routings(arrays: dict[str, np.ndarray], idx: np.ndarray, sims: np.ndarray,
                   power: float = 2.0) -> list[tuple[tuple[int, ...], list[int], float]]:
    """The distinct routings of the similar items: (tokens, rows of idx, share of the
    similarity^power-weighted vote), best supported first (ties: the more similar first)."""
    seqs = arrays["item_seq"][idx]
    weight = np.power(np.clip(sims.astype(np.float64), 1e-6, None), power)
    total = float(weight.sum()) or 1.0
    by_seq: dict[int, list[int]] = {}
    for r, s in enumerate(seqs.tolist()):
        by_seq.setdefault(s, []).append(r)
    groups = []
    op_ptr, op_tok = arrays["op_ptr"], arrays["op_tok"]
    for rows in by_seq.values():
        lead = int(idx[rows[0]])
        toks = tuple(op_tok[op_ptr[lead]:op_ptr[lead + 1]].tolist())
        groups.append((toks, rows, float(weight[rows].sum()) / total))
    groups.sort(key=lambda g: -g[2])
    return groups


# ---------------------------------------------------------------------------------------------
# learning, on a sample of the plant's own items
# ---------------------------------------------------------------------------------------------

def feature_label(f: int, names: list[tuple[str, str, str]]) -> list[str]:
    """[kind, column, value] of tree feature f (0: the similar items' vote)."""
    if f == 0:
        return ["similar", "", ""]
    kind, col, val = names[f - 1]
    return [kind, col, val]


def fit_threads() -> int:
    """Threads for learning's independent fits: as many as BLAS may use, so the window, which
    leaves a core for its own thread (app.ui.main), keeps it during training too."""
    try:
        from threadpoolctl import threadpool_info
        blas = [int(i.get("num_threads") or 1) for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception:       # noqa: BLE001 - no threadpoolctl or an unknown BLAS: one thread, as before
        blas = []
    return max(1, min(min(blas) if blas else 1, os.cpu_count() or 1))


def learn(model, idx_items, progress=None) -> None:
    """Learn the trees, the ranker and the time models from the model's own index and store them
    in its arrays and info (model.arrays["tree_…"], ["rank_…"], ["time_…"], info["learned"])."""
    import time as _time

    def report(f, msg):
        if progress is not None:
            progress.report(f, msg)

    t0, c0 = _time.perf_counter(), _time.process_time()
    a = model.arrays
    n = len(model.item_codes)
    n_tok = len(model.vocab["token"])
    n_pt = len(model.encoder.levels["PART_TYPE"])
    names = model.encoder.attribute_names()
    if n < 50 or n_tok == 0:
        return
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(n, size=min(n, LEARN_SAMPLE), replace=False))
    n_s = len(sample)
    report(0.02, f"finding the similar items of {n_s:,} items")
    idx, sims = model.search(model.X[sample], LEARN_K, [int(i) for i in sample])
    keep = np.ones(sims.shape, dtype=bool)
    V, C, _ = neighbour_votes(a, idx, sims, keep, n_tok)
    A = model.encoder.attributes(idx_items[sample])
    pt = part_type_level(A, n_pt)

    # what each sample item's routing really holds, and where tokens stand relative to each other
    op_ptr, op_tok = a["op_ptr"], a["op_tok"]
    Y = np.zeros((n_s, n_tok), dtype=bool)
    truth: list[tuple[int, ...]] = []
    precedence = np.zeros((n_tok, n_tok), dtype=np.int32)
    for r, i in enumerate(sample.tolist()):
        toks = op_tok[op_ptr[i]:op_ptr[i + 1]]
        Y[r, toks] = True
        truth.append(tuple(toks.tolist()))
        if len(toks) > 1:
            ii, jj = np.triu_indices(len(toks), 1)
            np.add.at(precedence, (toks[ii], toks[jj]), 1)
    counts = np.zeros((n_tok, n_pt + 1), dtype=np.int64)
    tr, tc = np.nonzero(Y)
    np.add.at(counts, (tc, pt[tr]), 1)
    pt_size = np.bincount(pt, minlength=n_pt + 1)
    tok_pt = counts >= np.maximum(2, 0.005 * pt_size)[None, :]

    report(0.1, "learning what decides each operation")
    folds = rng.integers(0, CV_FOLDS, n_s)
    P = V.copy()
    trees: list[Any | None] = [None] * n_tok
    summary: dict[str, Any] = {}
    order = np.argsort(-Y.sum(axis=0), kind="stable")
    tasks = []          # (step, token, its training rows, whether each has it), drawn in this order
    for step, t in enumerate(order.tolist()):
        rows = np.nonzero(tok_pt[t, pt])[0]
        y = Y[rows, t]
        n_pos = int(y.sum())
        if n_pos < MIN_TOKEN_ITEMS or len(rows) - n_pos < MIN_TOKEN_ITEMS:
            continue
        if len(rows) > TREE_ROWS:     # enough to find a rule; keeps training time flat
            rows = np.sort(rng.choice(rows, TREE_ROWS, replace=False))
            y = Y[rows, t]
        tasks.append((step, t, rows, y, n_pos))

    def fit(task):
        _step, t, rows, y, _n = task
        cols = _active_columns(A[rows])
        X = np.hstack([V[rows, t:t + 1], A[rows][:, cols]])
        return fit_token_tree(X, y.astype(np.float64), folds[rows]), cols

    # the trees are independent, and scikit-learn grows them without holding the GIL: one per thread
    pool = ThreadPoolExecutor(fit_threads())
    try:
        for (step, t, rows, y, n_pos), ((clf, info), cols) in zip(tasks, pool.map(fit, tasks)):
            trees[t] = (clf, np.concatenate([[0], cols + 1]))    # tree feature -> vote / attribute column + 1
            P[rows, t] = info["oof"]
            summary[t] = {k: info[k] for k in ("depth", "min_leaf", "logloss", "vote_logloss", "accuracy",
                                               "vote_accuracy")}
            summary[t].update(items=int(len(rows)), with_it=n_pos)
            report(0.1 + 0.6 * (step + 1) / n_tok, f"learning what decides each operation ({step + 1} of {n_tok})")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)     # cancelled: the trees not started never are
    treeset = build_treeset(trees)
    parts = {"trees": treeset, "tok_pt": tok_pt, "n_pt": n_pt}

    report(0.72, "learning to rank the candidates")
    probs = token_probabilities(parts, V, A, tree_probs=P)
    feats, labels = [], []
    for r in range(n_s):
        groups = group_routings(a, idx[r], sims[r])
        for d in draft_candidates(groups, probs[r], precedence):
            feats.append(d.features)
            labels.append(d.tokens == truth[r])
    ranker = Ranker.fit(np.asarray(feats, dtype=np.float64), np.asarray(labels, dtype=np.float64))

    report(0.85, "learning setup and run times")
    ptr = a["agg_ptr"]
    starts, ends = ptr[sample], ptr[sample + 1]
    lens = ends - starts
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
    flat = {"row": np.repeat(np.arange(n_s), lens), "job": a["agg_job"][offsets]}
    for col in ("setup", "run"):
        for k in ("n", "mu", "ss"):
            flat[f"{k}_{col}"] = a[f"agg_{k}_{col}"][offsets]
    num_cols = np.array([i for i, (kind, _c, _v) in enumerate(names) if kind == "num"], dtype=np.int64)
    times, time_summary = fit_time_models(A, num_cols, flat, len(model.vocab["job"]), names=names)

    a.update(treeset.to_arrays("tree_"))
    a["tok_pt"] = tok_pt
    a["precedence"] = precedence
    a["rank_coef"] = ranker.coef.astype(np.float64)
    a["rank_intercept"] = np.array([ranker.intercept], dtype=np.float64)
    a.update(times.to_arrays())
    ops_summary = []
    for t, s in summary.items():
        imp = treeset.importance(t)
        ops_summary.append({"token": model.vocab["token"][t], "job": model.vocab["job"][int(a["tok_job"][t])],
                            "name": model.vocab["job_nm"][int(a["tok_job"][t])], **s,
                            "deciding": [feature_label(f, names) + [round(v, 4)] for f, v in list(imp.items())[:6]]})
    ops_summary.sort(key=lambda o: -(o["vote_logloss"] - o["logloss"]))
    model.info["learned"] = {
        "sample_items": n_s, "similar_items": LEARN_K, "operations": ops_summary,
        "ranker": dict(zip(RANKER_FEATURES, [round(float(c), 4) for c in ranker.coef])),
        "times": [{"job": model.vocab["job"][j], "name": model.vocab["job_nm"][j], **v}
                  for j, v in sorted(time_summary.items(), key=lambda kv: model.vocab["job"][kv[0]])],
        "seconds": round(_time.perf_counter() - t0, 2), "cpu_seconds": round(_time.process_time() - c0, 2)}
    model._parts = None
