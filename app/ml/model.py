"""The routing model: similar-item search, candidate routings, and times from shop-floor actuals.

Training turns the copied ERP views into flat arrays (no pickle):
- X: unit vectors of every item that has a current routing (the search index);
- the current routing of each indexed item (latest INSRT_DT), operation by operation;
- cleaned work-order actuals per indexed item and operation (minutes; per piece for run time).

Prediction searches all indexed items exactly (one matrix product), groups the similar items'
routings into distinct candidates by their operation sequence, ranks them by similarity-weighted
support, and fills each operation's times from actuals (the item's own, else the similar items'),
else from standard times — always saying which, with how many samples.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from app.domain.routing import Candidate, Note, Operation, Prediction, SimilarItem
from app.domain.schema import INSIDE, OUTSIDE
from app.ml.features import GROUP_LABELS, EncoderParams, FeatureEncoder, to_list_in_slices

MIN_SAMPLES = 3            # fewer usable actuals than this and the next source is tried
OUTLIER_FACTOR = 3.0       # an actual more than 3x off its item's median for the operation is dropped
# Hours no shop can book (see impossible_hours_lazy): more than a year for one order's operation,
# or far outside what the operation takes anywhere in the plant: this many interquartile ranges
# (of log minutes, at least a factor 2 wide) beyond its quartiles, once it has enough results.
MAX_BOOKED_HOURS = 24.0 * 366
SPREAD_FENCE = 10.0
SPREAD_MIN_WIDTH = math.log(2.0)
SPREAD_MIN_RESULTS = 20


@dataclass
class PredictOptions:
    top_k: int = 20
    candidates: int = 5
    threshold: float = 0.0
    similarity_power: float = 2.0   # support = sum of similarity^p
    prefer_inhouse: bool = True
    inhouse_margin: float = 0.15    # "close" support: within this fraction of the better one


def current_routings(routings: pl.DataFrame) -> pl.DataFrame:
    """The operations of each item's current routing: the variant with the latest INSRT_DT."""
    latest = (routings.group_by(["ITEM_CD", "ROUT_NO"])
              .agg(pl.col("INSRT_DT").max().alias("_dt"))
              .sort(["ITEM_CD", "_dt", "ROUT_NO"], nulls_last=False)
              .group_by("ITEM_CD", maintain_order=True).last()
              .select("ITEM_CD", "ROUT_NO"))
    return (routings.join(latest, on=["ITEM_CD", "ROUT_NO"], how="inner")
            .sort(["ITEM_CD", "PROC_SEQ"]))


def clean_actuals(results: pl.DataFrame) -> pl.DataFrame:
    """Per-row run minutes per piece and setup minutes, with unusable values set to null.

    Orders reported twice (identical rows) count once; zero hours, zero quantities, impossible
    hours (see impossible_hours_lazy) and values more than OUTLIER_FACTOR times off the item's
    own median for that operation are dropped.
    """
    return clean_actuals_lazy(results.lazy()).collect()


def clean_actuals_lazy(results: pl.LazyFrame) -> pl.LazyFrame:
    """clean_actuals as a query plan, so polars frees what it no longer needs on the way (training
    at 300,000 items peaked at 3.7 GB doing it step by step)."""
    r = impossible_hours_lazy(results.unique(maintain_order=True)).with_columns(
        pl.when(pl.col("run_problem").is_null() & (pl.col("ORDER_QTY") > 0) & (pl.col("MACH_WORKED_HOURS") > 0))
        .then(pl.col("MACH_WORKED_HOURS") * 60.0 / pl.col("ORDER_QTY")).otherwise(None).alias("run_min"),
        pl.when(pl.col("setup_problem").is_null() & (pl.col("SETUP_HOURS") > 0))
        .then(pl.col("SETUP_HOURS") * 60.0).otherwise(None).alias("setup_min"),
        pl.col("run_problem").is_not_null().alias("run_impossible"),   # why a run value is missing, for notes
    ).drop("run_problem", "setup_problem")
    lim = math.log(OUTLIER_FACTOR)
    for col in ("run_min", "setup_min"):
        med = pl.col(col).log().median().over(["ITEM_CD", "JOB_CD"])
        r = r.with_columns(pl.when((pl.col(col).log() - med).abs() <= lim).then(pl.col(col))
                           .otherwise(None).alias(col))
    return r


QTY_OUT_OF_LINE = "ORDER_QTY out of line with the order's hours (per piece far outside the operation's range)"


def impossible_hours_lazy(results: pl.LazyFrame) -> pl.LazyFrame:
    """`results` with two more columns, run_problem and setup_problem: why MACH_WORKED_HOURS (per
    ORDER_QTY) or SETUP_HOURS cannot be what a shop booked, or null when they can.

    The reasons: "negative", "infinite", "more than a year" (MAX_BOOKED_HOURS for one order's
    operation), "negative ORDER_QTY", "infinite ORDER_QTY", "far outside the operation's range in
    the plant" (see SPREAD_FENCE), QTY_OUT_OF_LINE (the hours are ordinary, the quantity is not); a
    reason naming ORDER_QTY blames the quantity, not the hours. Zero or missing hours are not
    impossible, only unusable.
    """
    def basic(hours: pl.Expr) -> pl.Expr:
        return (pl.when(hours < 0).then(pl.lit("negative"))
                .when(hours.is_infinite()).then(pl.lit("infinite"))
                .when(hours > MAX_BOOKED_HOURS).then(pl.lit("more than a year")))

    qty = pl.col("ORDER_QTY")
    bad_qty = pl.when(qty < 0).then(pl.lit("negative ORDER_QTY")).when(qty.is_infinite()).then(
        pl.lit("infinite ORDER_QTY"))
    r = results.with_columns(
        basic(pl.col("MACH_WORKED_HOURS")).otherwise(bad_qty).alias("run_problem"),
        basic(pl.col("SETUP_HOURS")).alias("setup_problem"))

    def outside(problem: str, log_value: pl.Expr) -> pl.Expr:
        usable = pl.when(pl.col(problem).is_null() & log_value.is_finite()).then(log_value)
        q1, q3 = usable.quantile(0.25).over("JOB_CD"), usable.quantile(0.75).over("JOB_CD")
        width = SPREAD_FENCE * pl.max_horizontal(q3 - q1, pl.lit(SPREAD_MIN_WIDTH))
        return ((usable.count().over("JOB_CD") >= SPREAD_MIN_RESULTS)
                & ((usable > q3 + width) | (usable < q1 - width))).fill_null(False)

    far = pl.lit("far outside the operation's range in the plant")
    # A run time per piece far off while the order's hours are ordinary: the quantity is what is wrong
    # (ORDER_QTY 1e-9 makes 2 ordinary hours 10^11 minutes a piece), and it is named, not the hours.
    run_off = outside("run_problem", (pl.col("MACH_WORKED_HOURS") * 60.0 / qty).log())
    hours_off = outside("run_problem", (pl.col("MACH_WORKED_HOURS") * 60.0).log())
    setup_off = outside("setup_problem", (pl.col("SETUP_HOURS") * 60.0).log())
    return r.with_columns(
        pl.when(run_off & ~hours_off).then(pl.lit(QTY_OUT_OF_LINE)).when(run_off).then(far)
        .otherwise(pl.col("run_problem")).alias("run_problem"),
        pl.when(setup_off).then(far).otherwise(pl.col("setup_problem")).alias("setup_problem"))


def _factorize(values: pl.Series, vocabulary: bool = True) -> tuple[np.ndarray, list[str]]:
    """Codes 0.. in order of first appearance, and the distinct values (nulls as "").

    Stays inside polars: turning millions of strings into Python objects holds the GIL long enough
    to freeze the window while it trains (measured 150-300 ms per column at 300,000 items)."""
    s = values.cast(pl.Utf8).fill_null("")
    uniq = s.unique(maintain_order=True)
    codes = s.replace_strict(uniq, _positions(len(uniq)), return_dtype=pl.Int32).to_numpy()
    return codes, (uniq.to_list() if vocabulary else [])


def _positions(n: int) -> pl.Series:
    return pl.int_range(n, eager=True, dtype=pl.Int32)


@dataclass
class RoutingModel:
    version: str
    encoder: FeatureEncoder
    X: np.ndarray                                   # (n, dim) float32 unit rows
    item_codes: list[str]
    arrays: dict[str, np.ndarray]                   # routing/actuals/attribute arrays
    vocab: dict[str, list[str]]                     # job, res, bp, job_nm, part_type, material, rout_no
    info: dict[str, Any] = field(default_factory=dict)
    _pos: dict[str, int] | None = None

    # ---- building ------------------------------------------------------------------------
    @classmethod
    def train(cls, version: str, items: pl.DataFrame, routings: pl.DataFrame, results: pl.DataFrame,
              params: EncoderParams | None = None, progress=None) -> RoutingModel:
        def report(f, m):
            if progress is not None:
                progress.report(f, m)

        report(0.02, "finding current routings")
        items = items.unique(subset="ITEM_CD", keep="first", maintain_order=True)
        cur = current_routings(routings)
        routed = cur["ITEM_CD"].unique()
        encoder = FeatureEncoder.fit(items, params)
        # the index is ordered by PART_TYPE so a search can read one type's slice first (see search)
        levels = encoder.levels["PART_TYPE"]
        idx_items = (items.filter(pl.col("ITEM_CD").is_in(routed.implode()))
                     .with_columns(pl.col("PART_TYPE").replace_strict({v: i for i, v in enumerate(levels)},
                                                                      default=len(levels), return_dtype=pl.Int32)
                                   .fill_null(len(levels) + 1).alias("_pt"))
                     .sort(["_pt", "ITEM_CD"]))
        pt_level = idx_items["_pt"].to_numpy()
        pt_ptr = np.searchsorted(pt_level, np.arange(len(levels) + 3)).astype(np.int64)
        idx_items = idx_items.drop("_pt")
        code_s = idx_items["ITEM_CD"]
        codes = to_list_in_slices(code_s)
        positions = _positions(len(codes))

        def position_of(col: str = "ITEM_CD") -> pl.Expr:
            return pl.col(col).replace_strict(code_s, positions, return_dtype=pl.Int32)

        cur = cur.filter(pl.col("ITEM_CD").is_in(code_s.implode()))
        report(0.15, f"encoding {len(codes):,} items")
        X = encoder.encode(idx_items)
        # per PART_TYPE slice, the largest norm of a row outside its part-type block (see search)
        ps, pe = encoder.slices["part_type"]
        rest = np.sqrt(np.clip(1.0 - (X[:, ps:pe] ** 2).sum(axis=1), 0.0, 1.0))
        pt_rest_max = np.array([rest[pt_ptr[i]:pt_ptr[i + 1]].max() if pt_ptr[i + 1] > pt_ptr[i] else 0.0
                                for i in range(len(pt_ptr) - 1)], dtype=np.float32)
        report(0.55, "collecting operations")

        cur = cur.with_columns(position_of().alias("_i")).sort(["_i", "PROC_SEQ"])
        op_item = cur["_i"].to_numpy()
        job, job_vocab = _factorize(cur["JOB_CD"])
        res, res_vocab = _factorize(cur["RES_CD"])
        bp, bp_vocab = _factorize(cur["BP_CD"])
        order, order_vocab = _factorize(cur["ROUT_ORDER"])
        job_nm = (cur.group_by(["JOB_CD", "JOB_NM"]).len().sort("len", descending=True)
                  .unique(subset="JOB_CD", keep="first"))
        nm_map = dict(zip(job_nm["JOB_CD"].to_list(), job_nm["JOB_NM"].fill_null("").to_list()))
        qty = cur["RUN_TIME_QTY"].fill_null(1.0).to_numpy()
        qty = np.where(qty > 0, qty, 1.0)
        op_ptr = np.concatenate([[0], np.cumsum(np.bincount(op_item, minlength=len(codes)))]).astype(np.int64)
        inside_expr = pl.col("INSIDE_FLAG").fill_null(INSIDE) != OUTSIDE
        inside = cur.select(inside_expr)["INSIDE_FLAG"].to_numpy()
        # distinct candidates: the same operations, in order, with the same in-house/outsourced flags
        seq_keys = (cur.with_columns((pl.col("JOB_CD").fill_null("") + "|" +
                                      pl.when(inside_expr).then(pl.lit("I")).otherwise(pl.lit("O"))).alias("_k"))
                    .group_by("ITEM_CD", maintain_order=True).agg(pl.col("_k").str.join(";")))
        seq_id, _ = _factorize(seq_keys["_k"], vocabulary=False)
        item_seq = np.full(len(codes), -1, dtype=np.int32)
        item_seq[seq_keys.select(position_of())["ITEM_CD"].to_numpy()] = seq_id
        # cur is sorted by item position, so the first ROUT_NO per item comes out in index order
        rout_no = (cur.group_by("_i", maintain_order=True).agg(pl.col("ROUT_NO").first())
                   .join(positions.to_frame("_i"), on="_i", how="right", maintain_order="right")["ROUT_NO"]
                   .cast(pl.Utf8).fill_null("").to_list())

        report(0.7, "cleaning work-order actuals")
        act = (clean_actuals_lazy(results.lazy().filter(pl.col("ITEM_CD").is_in(code_s.implode())))
               .with_columns(position_of().alias("_i"),
                             pl.col("JOB_CD").fill_null("").replace_strict(
                                 {j: i for i, j in enumerate(job_vocab)}, default=-1,
                                 return_dtype=pl.Int32).alias("_j"))
               .select("ITEM_CD", "_i", "_j", "run_min", "setup_min", "run_impossible")
               .sort(["_i", "_j"], maintain_order=True).collect())   # same data, same model, every time
        a_item = act["_i"].to_numpy()
        act_ptr = np.searchsorted(a_item, np.arange(len(codes) + 1)).astype(np.int64)

        # how run time grows with the outer diameter, per operation: log-log slope over items
        od_of = idx_items.select("ITEM_CD", pl.col("OUTDIAMETER").cast(pl.Float64).alias("_od"))
        per_item = (act.filter(pl.col("run_min").is_not_null()).group_by(["ITEM_CD", "_j"])
                    .agg(pl.col("run_min").median()).join(od_of, on="ITEM_CD")
                    .filter(pl.col("_od") > 0).with_columns(pl.col("run_min").log().alias("_y"),
                                                             pl.col("_od").log().alias("_x")))
        slopes = (per_item.group_by("_j").agg(pl.len().alias("n"), pl.cov("_x", "_y").alias("c"),
                                              pl.col("_x").var().alias("v"))
                  .filter((pl.col("n") >= 30) & (pl.col("v") > 0.01)))
        size_exp = np.zeros(len(job_vocab), dtype=np.float32)
        for jj, c, v in zip(slopes["_j"].to_list(), slopes["c"].to_list(), slopes["v"].to_list()):
            if jj >= 0:
                size_exp[jj] = float(np.clip(c / v, 0.0, 2.5))

        part, part_vocab = _factorize(idx_items["PART_TYPE"])
        mat, mat_vocab = _factorize(idx_items["ITEM_MATERIAL"])
        arrays = {
            "op_ptr": op_ptr, "op_job": job, "op_res": res, "op_bp": bp, "op_order": order,
            "op_inside": inside.astype(np.bool_),
            "op_setup": cur["SETUP_TIME"].fill_null(np.nan).to_numpy().astype(np.float32),
            "op_run": (cur["RUN_TIME"].fill_null(np.nan).to_numpy() / qty).astype(np.float32),
            "op_wait": cur["WAIT_TIME"].fill_null(0.0).to_numpy().astype(np.float32),
            "op_move": cur["MOVE_TIME"].fill_null(0.0).to_numpy().astype(np.float32),
            "item_seq": item_seq,
            "act_ptr": act_ptr, "act_job": act["_j"].to_numpy().astype(np.int32),
            "act_run": act["run_min"].fill_null(np.nan).to_numpy().astype(np.float32),
            "act_setup": act["setup_min"].fill_null(np.nan).to_numpy().astype(np.float32),
            "act_impossible": act["run_impossible"].to_numpy().astype(np.bool_),
            "item_part": part, "item_mat": mat, "job_size_exp": size_exp, "pt_ptr": pt_ptr,
            "pt_rest_max": pt_rest_max,
            "item_od": idx_items["OUTDIAMETER"].fill_null(np.nan).to_numpy().astype(np.float32),
        }
        vocab = {"job": job_vocab, "job_nm": [nm_map.get(j, "") for j in job_vocab], "res": res_vocab,
                 "bp": bp_vocab, "order": order_vocab, "part_type": part_vocab, "material": mat_vocab,
                 "rout_no": rout_no, "item_nm": to_list_in_slices(
                     idx_items["ITEM_NM"].fill_null("").str.replace_all("\n", " "))}
        info = {"items": items.height, "indexed_items": len(codes), "operations": cur.height,
                "work_results": results.height, "usable_run_actuals": int(np.isfinite(arrays["act_run"]).sum()),
                "distinct_routings": int(item_seq.max() + 1) if len(codes) else 0, "dim": encoder.dim}
        report(1.0, "model built")
        return cls(version, encoder, X, codes, arrays, vocab, info)

    # ---- persistence ---------------------------------------------------------------------
    def to_files(self) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, list[str]]]:
        arrays = dict(self.arrays)
        arrays["X"] = self.X
        docs = {"encoder": self.encoder.to_json(), "info": self.info,
                "vocab": {k: v for k, v in self.vocab.items() if k not in ("rout_no", "item_nm")}}
        texts = {"item_codes": self.item_codes, "rout_no": self.vocab["rout_no"], "item_nm": self.vocab["item_nm"]}
        return arrays, docs, texts

    @classmethod
    def from_files(cls, version: str, arrays, docs, texts) -> RoutingModel:
        arrays = dict(arrays)
        X = arrays.pop("X")
        vocab = dict(docs["vocab"])
        vocab["rout_no"] = texts["rout_no"]
        vocab["item_nm"] = texts["item_nm"]
        return cls(version, FeatureEncoder.from_json(docs["encoder"]), X, texts["item_codes"], arrays, vocab,
                   docs["info"])

    # ---- lookups -------------------------------------------------------------------------
    def position(self, item_cd: str) -> int | None:
        if self._pos is None:
            self._pos = {c: i for i, c in enumerate(self.item_codes)}
        return self._pos.get(item_cd)

    def routing_jobs(self, i: int) -> list[str]:
        a = self.arrays
        s, e = a["op_ptr"][i], a["op_ptr"][i + 1]
        return [self.vocab["job"][j] for j in a["op_job"][s:e]]

    # ---- prediction ----------------------------------------------------------------------
    def search(self, Q: np.ndarray, k: int, exclude: list[int | None] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k cosine over all indexed items for each row of Q: (indices, similarities).

        The index is ordered by PART_TYPE. An item x of another type shares nothing with q in the
        part-type block, so cos(q, x) <= |q_rest| * |x_rest| (Cauchy-Schwarz on the other blocks),
        and |x_rest| is at most the largest such norm in x's slice, kept at training. When the
        k-th best of q's own type reaches that bound, no other item can enter the top k and the
        rest of the index is skipped; otherwise the whole index is searched. Exact either way.
        """
        n = self.X.shape[0]
        k = max(1, min(k, n - 1 if n > 1 else 1))
        m = Q.shape[0]
        idx_out = np.zeros((m, k), dtype=np.int64)
        sim_out = np.zeros((m, k), dtype=np.float32)
        exclude = exclude if exclude is not None else [None] * m
        ps, pe = self.encoder.slices["part_type"]
        block = Q[:, ps:pe]
        level = np.where(block.max(axis=1) > 0, block.argmax(axis=1), -1)
        q_rest = np.sqrt(np.clip(1.0 - (block ** 2).sum(axis=1), 0.0, 1.0))
        ptr = self.arrays.get("pt_ptr")
        rest_max = self.arrays.get("pt_rest_max")
        todo = np.ones(m, dtype=bool)
        if ptr is not None:
            for lvl in np.unique(level[level >= 0]):
                s, e = int(ptr[lvl]), int(ptr[lvl + 1])
                if e - s < k + 1:
                    continue
                rows = np.nonzero(level == lvl)[0]
                others = np.delete(rest_max, lvl).max() if rest_max.size > 1 else 0.0
                ids, sims = self._topk(Q[rows], s, e, k, [exclude[r] for r in rows])
                ok = sims[:, -1] >= q_rest[rows] * others + 1e-6
                idx_out[rows[ok]], sim_out[rows[ok]] = ids[ok], sims[ok]
                todo[rows[ok]] = False
        rows = np.nonzero(todo)[0]
        if rows.size:
            ids, sims = self._topk(Q[rows], 0, n, k, [exclude[r] for r in rows])
            idx_out[rows], sim_out[rows] = ids, sims
        return idx_out, sim_out

    def _topk(self, Q: np.ndarray, s: int, e: int, k: int, exclude: list[int | None]) -> tuple[np.ndarray, np.ndarray]:
        idx_out = np.zeros((Q.shape[0], k), dtype=np.int64)
        sim_out = np.zeros((Q.shape[0], k), dtype=np.float32)
        X = self.X[s:e]
        for b in range(0, Q.shape[0], 128):
            S = (X @ Q[b]).reshape(1, -1) if Q.shape[0] == 1 else Q[b:b + 128] @ X.T
            for r, ex in enumerate(exclude[b:b + 128]):
                if ex is not None and s <= ex < e:
                    S[r, ex - s] = -np.inf
            part = np.argpartition(S, -k, axis=1)[:, -k:]
            vals = np.take_along_axis(S, part, axis=1)
            order = np.argsort(-vals, axis=1, kind="stable")
            idx_out[b:b + 128] = np.take_along_axis(part, order, axis=1) + s
            sim_out[b:b + 128] = np.take_along_axis(vals, order, axis=1)
        return idx_out, sim_out

    def predict_vectors(self, codes: list[str], Q: np.ndarray, opts: PredictOptions,
                        exclude_self: bool = True, sizes: np.ndarray | None = None) -> list[Prediction]:
        """`sizes`: each query item's OUTDIAMETER, to scale similar items' run times to its size."""
        own = [self.position(c) for c in codes]
        idx, sims = self.search(Q, opts.top_k, own if exclude_self else None)
        if sizes is None:
            sizes = np.full(len(codes), np.nan)
        return [self._predict_one(codes[r], Q[r], own[r], idx[r], sims[r], opts, float(sizes[r]))
                for r in range(len(codes))]

    def _predict_one(self, code: str, q: np.ndarray, own: int | None, idx: np.ndarray, sims: np.ndarray,
                     opts: PredictOptions, size: float = float("nan")) -> Prediction:
        keep = sims >= opts.threshold
        idx, sims = idx[keep], sims[keep]
        warnings: list[str] = []
        if not np.any(q):
            warnings.append(Note("no_known_attribute", code))
            idx, sims = idx[:0], sims[:0]
        if idx.size == 0:
            if np.any(q):
                warnings.append(Note("below_threshold", code, f"{opts.threshold:.2f}"))
            return Prediction(code, [], [], warnings)
        similar = self._explain(q, idx, sims)
        candidates = self._candidates(own, idx, sims, opts, warnings, size)
        return Prediction(code, similar, candidates, warnings)

    def _explain(self, q: np.ndarray, idx: np.ndarray, sims: np.ndarray) -> list[SimilarItem]:
        contrib = self.encoder.group_contributions(q, self.X[idx])
        a, voc = self.arrays, self.vocab
        tstart, tend = self.encoder.slices["spec_text"]
        out = []
        for r, i in enumerate(idx):
            total = float(sims[r]) or 1.0
            shares = {GROUP_LABELS[g]: float(v[r]) / total for g, v in contrib.items() if v[r] > 1e-6}
            matching = []
            for g, v in sorted(contrib.items(), key=lambda kv: -kv[1][r]):
                if v[r] / total < 0.08:
                    continue
                if g == "part_type":
                    matching.append(Note("same_part_type", voc['part_type'][a['item_part'][i]]))
                elif g == "material":
                    matching.append(Note("same_material", voc['material'][a['item_mat'][i]]))
                elif g == "dimensions":
                    od = a["item_od"][i]
                    matching.append(Note("similar_dimensions_od", f"{od:g}") if np.isfinite(od)
                                    else Note("similar_dimensions"))
                elif g == "spec_text":
                    both = np.nonzero((q[tstart:tend] > 0) & (self.X[i, tstart:tend] > 0))[0]
                    words = [self.encoder.vocabulary[j] for j in both[:4]]
                    if words:
                        matching.append(Note("spec_words", ", ".join(words)))
                else:
                    matching.append(Note(f"similar_{g}"))
            out.append(SimilarItem(self.item_codes[i], float(sims[r]), voc["item_nm"][i],
                                   voc["part_type"][a["item_part"][i]], shares, matching))
        return out

    def _candidates(self, own: int | None, idx: np.ndarray, sims: np.ndarray, opts: PredictOptions,
                    warnings: list[str], size: float) -> list[Candidate]:
        a = self.arrays
        seqs = a["item_seq"][idx]
        weight = np.power(np.clip(sims, 1e-6, None), opts.similarity_power)
        total = float(weight.sum()) or 1.0
        groups: dict[int, list[int]] = {}
        for r, s in enumerate(seqs):
            groups.setdefault(int(s), []).append(r)
        ranked = []
        for s, rows in groups.items():
            first = idx[rows[0]]
            os_, oe = a["op_ptr"][first], a["op_ptr"][first + 1]
            outsourced = int((~a["op_inside"][os_:oe]).sum())
            ranked.append([float(weight[rows].sum()) / total, outsourced, rows])
        ranked.sort(key=lambda c: (-c[0], c[1]))
        if opts.prefer_inhouse:
            # a candidate with fewer outsourced steps moves ahead of one whose support is only a little higher
            for i in range(1, len(ranked)):
                j = i
                while j > 0 and ranked[j][1] < ranked[j - 1][1] and \
                        ranked[j][0] >= ranked[j - 1][0] * (1 - opts.inhouse_margin):
                    ranked[j - 1], ranked[j] = ranked[j], ranked[j - 1]
                    j -= 1
        out = []
        # actuals of the item itself and of all similar items, gathered once for every candidate
        base_pools = []
        if own is not None:
            base_pools.append(("item_actuals", self._pool(np.array([own]), np.ones(1))))
        all_pool = ("similar_actuals", self._pool(idx, sims.astype(np.float64)))
        for rank, (score, outsourced, rows) in enumerate(ranked[: opts.candidates], start=1):
            members = [int(idx[r]) for r in rows]
            member_sims = [float(sims[r]) for r in rows]
            # the candidate's own items first, then (when they are fewer) all similar items; the notes
            # name which of the two had no usable actuals, so they never contradict the time source
            member_pool = self._pool(np.array(members), np.array(member_sims))
            if len(members) < len(idx):
                pools = base_pools + [("candidate_actuals", member_pool), all_pool]
            else:
                pools = base_pools + [("similar_actuals", member_pool)]
            own_warnings: list[str] = []
            ops = self._operations(members, member_sims, pools, own_warnings, size)
            for w in own_warnings:   # the banner above the routing says which candidate it concerns
                if (note := Note("in_candidate", rank, w)) not in warnings:
                    warnings.append(note)
            out.append(Candidate(rank, score, [self.item_codes[m] for m in members], ops, outsourced))
        return out

    def _operations(self, members: list[int], member_sims: list[float], pools: list[tuple[str, dict]],
                    warnings: list[str], size: float) -> list[Operation]:
        a, voc = self.arrays, self.vocab
        lead = members[0]
        s0, e0 = a["op_ptr"][lead], a["op_ptr"][lead + 1]
        ops = []
        for pos_, o in enumerate(range(s0, e0)):
            j = int(a["op_job"][o])
            # members share the operation sequence, so position pos_ is the same operation in each
            member_ops = [a["op_ptr"][m] + pos_ for m in members]
            res_votes: dict[int, float] = {}
            for mo, w in zip(member_ops, member_sims):
                res_votes[int(a["op_res"][mo])] = res_votes.get(int(a["op_res"][mo]), 0.0) + w
            res = max(res_votes.items(), key=lambda kv: kv[1])[0]
            inside = bool(a["op_inside"][o])
            op = Operation(PROC_SEQ=10 * (pos_ + 1), JOB_CD=voc["job"][j], JOB_NM=voc["job_nm"][j],
                           RES_CD=voc["res"][res], INSIDE_FLAG=INSIDE if inside else OUTSIDE,
                           BP_CD=voc["bp"][int(a["op_bp"][o])], ROUT_ORDER=voc["order"][int(a["op_order"][o])],
                           WAIT_TIME=_median_or_zero(a["op_wait"][member_ops]),
                           MOVE_TIME=_median_or_zero(a["op_move"][member_ops]))
            self._fill_times(op, j, pools, member_ops, warnings, size)
            ops.append(op)
        if ops:
            ops[0].ROUT_ORDER, ops[-1].ROUT_ORDER = "F", "L"
            for op in ops[1:-1]:
                op.ROUT_ORDER = "I"
        return ops

    def _pool(self, items: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
        """All cleaned actuals of these items in flat arrays, each row tagged with its item and weight."""
        a = self.arrays
        starts, ends = a["act_ptr"][items], a["act_ptr"][items + 1]
        lens = ends - starts
        total = int(lens.sum())
        offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
        impossible = a.get("act_impossible")   # absent from models trained before it was kept
        return {"job": a["act_job"][offsets], "act_run": a["act_run"][offsets], "act_setup": a["act_setup"][offsets],
                "impossible": (impossible[offsets] if impossible is not None else np.zeros(total, dtype=np.bool_)),
                "item": np.repeat(items, lens), "w": np.repeat(np.asarray(weights, dtype=np.float64), lens)}

    def _samples(self, pool: dict[str, np.ndarray], j: int, col: str,
                 size: float = float("nan")) -> tuple[np.ndarray, np.ndarray, int]:
        """Usable actuals of operation j in a pool: (values, weights, rows found incl. unusable).

        Each item counts by its similarity, not by how many orders it had; run times of other
        items are scaled to `size` (the query's OD) by the operation's learnt size exponent.
        """
        m = pool["job"] == j
        raw = int(m.sum())
        if not raw:
            return np.zeros(0), np.zeros(0), 0
        v, it, w = pool[col][m], pool["item"][m], pool["w"][m]
        ok = np.isfinite(v)
        v, it, w = v[ok].astype(np.float64), it[ok], w[ok]
        if not v.size:
            return v, w, raw
        # a pool lists each item's rows together, so runs of equal `it` are one item's orders
        starts = np.flatnonzero(np.concatenate(([True], it[1:] != it[:-1])))
        lens = np.diff(np.append(starts, it.size))
        w = w / np.repeat(lens, lens)
        exp = float(self.arrays["job_size_exp"][j]) if col == "act_run" and np.isfinite(size) and size > 0 else 0.0
        if exp:
            od = self.arrays["item_od"][it].astype(np.float64)
            known = np.isfinite(od) & (od > 0)
            v = np.where(known, v * (size / np.where(known, od, 1.0)) ** exp, v)
        return v, w, raw

    def _fill_times(self, op: Operation, j: int, pools: list[tuple[str, dict]], member_ops: list[int],
                    warnings: list[str], size: float) -> None:
        a = self.arrays
        unusable: list[Note] = []
        whose = {"item_actuals": "own", "candidate_actuals": "candidate", "similar_actuals": "similar"}
        times_note = "times_from_standard"
        for name, pool in pools:
            run, rw, raw = self._samples(pool, j, "act_run", size if name != "item_actuals" else float("nan"))
            if raw and run.size == 0 and not any(u.key.endswith("_" + whose[name]) for u in unusable):
                impossible = int(pool["impossible"][pool["job"] == j].sum())
                if impossible == raw:       # what they are: hours no shop can book, not "unusable"
                    unusable.append(Note("impossible_" + whose[name], raw))
                elif impossible:
                    unusable.append(Note("left_out_" + whose[name], raw, impossible))
                else:
                    unusable.append(Note("unusable_" + whose[name], raw))
            if run.size >= (1 if name == "item_actuals" else MIN_SAMPLES):
                run, rw = _trim(run, rw)
                op.RUN_TIME_P10, op.RUN_TIME, op.RUN_TIME_P90 = _wquantiles(run, rw)
                op.SAMPLE_COUNT = int(run.size)
                op.TIME_SOURCE = "similar_actuals" if name == "candidate_actuals" else name
                times_note = ("times_from_other_similar_actuals" if name == "similar_actuals" and
                              any(u.key.endswith("_candidate") for u in unusable) else f"times_from_{op.TIME_SOURCE}")
                setup, sw, _ = self._samples(pool, j, "act_setup")
                if setup.size:
                    setup, sw = _trim(setup, sw)
                    op.SETUP_TIME_P10, op.SETUP_TIME, op.SETUP_TIME_P90 = _wquantiles(setup, sw)
                else:
                    op.SETUP_TIME = _median_or_zero(a["op_setup"][member_ops])
                break
        else:
            std_run = a["op_run"][member_ops]
            std_run = std_run[np.isfinite(std_run)]
            op.TIME_SOURCE = "standard"
            op.SAMPLE_COUNT = int(std_run.size)
            if std_run.size:
                std_run = np.sort(std_run)
                op.RUN_TIME_P10, op.RUN_TIME, op.RUN_TIME_P90 = (_sorted_quantile(std_run, q) for q in (0.1, 0.5, 0.9))
            op.SETUP_TIME = _median_or_zero(a["op_setup"][member_ops])
        if unusable:
            op.WARNING = Note("operation", op.JOB_CD, *unusable, Note(times_note))
            warnings.append(op.WARNING)
        for attr in ("RUN_TIME", "RUN_TIME_P10", "RUN_TIME_P90", "SETUP_TIME", "SETUP_TIME_P10", "SETUP_TIME_P90",
                     "WAIT_TIME", "MOVE_TIME"):
            setattr(op, attr, round(float(getattr(op, attr)), 3))


def _median_or_zero(v: np.ndarray) -> float:
    v = np.sort(v[np.isfinite(v)])
    return _sorted_quantile(v, 0.5) if v.size else 0.0


def _sorted_quantile(v: np.ndarray, q: float) -> float:
    """Linear-interpolated quantile of an already sorted array (np.percentile without its overhead)."""
    pos = q * (v.size - 1)
    lo = int(pos)
    hi = min(lo + 1, v.size - 1)
    return float(v[lo] + (v[hi] - v[lo]) * (pos - lo))


def _trim(v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort, then Tukey's fences on log values: drops typos and doubled bookings that survive
    per-item cleaning. Returns the kept values sorted, with their weights."""
    order = np.argsort(v, kind="stable")   # equal values keep their order: retraining repeats itself
    v, w = v[order], w[order]
    if v.size < 4:
        return v, w
    lv = np.log(v)
    q1, q3 = _sorted_quantile(lv, 0.25), _sorted_quantile(lv, 0.75)
    iqr = q3 - q1
    keep = (lv >= q1 - 1.5 * iqr) & (lv <= q3 + 1.5 * iqr)
    return (v[keep], w[keep]) if keep.any() else (v, w)


def _wquantiles(v: np.ndarray, w: np.ndarray, qs=(0.1, 0.5, 0.9)) -> tuple[float, ...]:
    """Weighted quantiles of values sorted ascending (as _trim returns them)."""
    cw = np.cumsum(w)
    cw = (cw - 0.5 * w) / cw[-1]
    return tuple(float(x) for x in np.interp(qs, cw, v))
