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

import dataclasses
import gc
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np
import polars as pl

from app.domain.routing import Candidate, Note, Operation, Prediction, SimilarItem
from app.domain.schema import INSIDE, OUTSIDE
from app.ml.features import GROUP_LABELS, EncoderParams, FeatureEncoder, to_list_in_slices
from app.ml.registry import ModelError

MIN_SAMPLES = 3            # fewer usable actuals than this and the next source is tried
OUTLIER_FACTOR = 3.0       # an actual more than 3x off its item's median for the operation is dropped
# Hours no shop can book (see impossible_hours_lazy): more than a year for one order's operation,
# or far outside what the operation takes anywhere in the plant: this many interquartile ranges
# (of log minutes, at least a factor 2 wide) beyond its quartiles, once it has enough results.
MAX_BOOKED_HOURS = 24.0 * 366
SPREAD_FENCE = 10.0
SPREAD_MIN_WIDTH = math.log(2.0)
SPREAD_MIN_RESULTS = 20

# What a model folder holds, by number (info["model_format"]). 1: the similarity engine without
# operation tokens (work results kept one by one); 2: the learned engine (operation tokens, work
# results aggregated per item and operation, learned rules, ranker and time models). A model of
# another format is refused at load with a message saying what to do, never a KeyError at prediction.
MODEL_FORMAT = 2
REQUIRED_ARRAYS = ("X", "op_ptr", "op_job", "op_res", "op_bp", "op_order", "op_inside", "op_tok", "op_setup",
                   "op_run", "op_wait", "op_move", "item_seq", "tok_job", "tok_first_op", "agg_ptr", "agg_job",
                   "agg_raw", "agg_n_run", "agg_mu_run", "agg_n_setup", "agg_mu_setup", "item_part", "item_mat",
                   "item_od")
REQUIRED_VOCAB = ("job", "job_nm", "res", "bp", "order", "part_type", "material", "token")


@dataclass
class PredictOptions:
    top_k: int = 15                 # the similar items the learned rules were trained with
    candidates: int = 5
    threshold: float = 0.0
    similarity_power: float = 2.0   # support = sum of similarity^p
    prefer_inhouse: bool = True
    inhouse_margin: float = 0.15    # "close" support: within this fraction of the better one


def current_routings(routings: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The operations of each item's current routing: the variant with the latest INSRT_DT.

    As one query plan: given a scan of the store's copy, the other variants' operations are
    never all held (at 300,000 items they were most of training's memory before the matrix)."""
    lazy = routings.lazy()
    latest = (lazy.group_by(["ITEM_CD", "ROUT_NO"])
              .agg(pl.col("INSRT_DT").max().alias("_dt"))
              .sort(["ITEM_CD", "_dt", "ROUT_NO"], nulls_last=False)
              .group_by("ITEM_CD", maintain_order=True).last()
              .select("ITEM_CD", "ROUT_NO"))
    return (lazy.join(latest, on=["ITEM_CD", "ROUT_NO"], how="inner")
            .sort(["ITEM_CD", "PROC_SEQ"]).collect())


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

    The reasons: "not a number" (a float NaN, not a missing value), "negative", "infinite", "more
    than a year" (MAX_BOOKED_HOURS for one order's operation), "not-a-number ORDER_QTY", "negative
    ORDER_QTY", "infinite ORDER_QTY", "far outside the operation's range in the plant" (see
    SPREAD_FENCE), QTY_OUT_OF_LINE (the hours are ordinary, the quantity is not); a reason naming
    ORDER_QTY blames the quantity, not the hours. Zero or missing hours are not impossible, only
    unusable.
    """
    def basic(hours: pl.Expr) -> pl.Expr:
        # NaN first: polars orders NaN above every number, so it would pass as "more than a year"
        return (pl.when(hours.is_nan()).then(pl.lit("not a number"))
                .when(hours < 0).then(pl.lit("negative"))
                .when(hours.is_infinite()).then(pl.lit("infinite"))
                .when(hours > MAX_BOOKED_HOURS).then(pl.lit("more than a year")))

    qty = pl.col("ORDER_QTY")
    bad_qty = (pl.when(qty.is_nan()).then(pl.lit("not-a-number ORDER_QTY"))
               .when(qty < 0).then(pl.lit("negative ORDER_QTY")).when(qty.is_infinite()).then(
        pl.lit("infinite ORDER_QTY")))
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


def aggregate_actuals(results: Frame, codes: pl.Series, job_vocab: list[str]) -> dict[str, np.ndarray]:
    """The cleaned work results per indexed item and operation (JOB_CD), as flat arrays sorted by
    item: how many rows there were (`agg_raw`, of which `agg_impossible` had impossible hours), how
    many gave a usable run / setup time, the mean
    of their log minutes and the sum of squared deviations from it. Rows are aggregated as they are
    cleaned, so the millions of single results are never held as arrays.

    `results` may be a function that reads them (see RoutingModel.train): then the frame read is
    let go as soon as its columns are arrays, before the cleaning."""
    frame = _read(results)
    results = None      # noqa: F841 - the frame is held here only
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    positions = _positions(len(codes))
    job_index = {j: i for i, j in enumerate(job_vocab)}
    # Orders reported twice (identical rows) count once, the first kept (see _first_of_identical).
    # Item codes and JOB_CDs become integers, so the per-operation and per-item ranges work on
    # numbers, not on millions of strings. Every known JOB_CD keeps a key of its own and a missing
    # one too (-2), as their ranges are per JOB_CD; unknown JOB_CDs share -1 (dropped); results of
    # items not indexed are dropped. One column at a time, so the frame and its arrays are not
    # held twice (at 300,000 items the frame's query plan was training's peak memory).
    # (as query plans: eager, replace_strict on the categories read took 12 s of CPU at 300,000 items, 0.7 s so)
    item = (frame.lazy().select(pl.col("ITEM_CD").replace_strict(codes, positions, default=-1, return_dtype=pl.Int32))
            .collect().to_series().to_numpy())
    sel = _first_of_identical(frame)
    sel &= item >= 0
    item = item[sel]
    job = (frame.lazy().select(pl.when(pl.col("JOB_CD").is_null()).then(pl.lit(-2, dtype=pl.Int32))
                               .otherwise(pl.col("JOB_CD").replace_strict(job_index, default=-1, return_dtype=pl.Int32)))
           .collect().to_series().to_numpy()[sel])
    missing_job = job_index.get("", -1)       # a missing JOB_CD is the routings' "" operation
    # clean_actuals_lazy's rules run on plain arrays of the five columns they read (clean_arrays):
    # over millions of results the query plan's windows were training's peak memory (and a third
    # of its time) at 300,000 items.
    # A missing number as 0 (unusable, as zero is), so that NaN is only a NaN read from the store (impossible)
    cols = [frame[c].cast(pl.Float64).fill_null(0.0).to_numpy()[sel] for c in ("MACH_WORKED_HOURS", "SETUP_HOURS",
                                                                             "ORDER_QTY")]
    frame = sel = None     # noqa: F841
    run_log, setup_log, run_impossible = clean_arrays(job, item, *cols)
    cols = None     # noqa: F841
    job = np.where(job == -2, missing_job, job)
    # sorted by item and operation, each one's results in the order read: same data, same model
    keep = np.flatnonzero(job >= 0)
    keep = keep[np.argsort(item[keep].astype(np.int64) * (len(job_vocab) + 1) + job[keep], kind="stable")]
    item, job, run_impossible = item[keep], job[keep], run_impossible[keep]
    logs = {"run": run_log[keep], "setup": setup_log[keep]}
    run_log = setup_log = keep = None   # noqa: F841
    first = np.flatnonzero(np.concatenate(([True], (item[1:] != item[:-1]) | (job[1:] != job[:-1])))) \
        if len(item) else np.zeros(0, dtype=np.int64)
    out = {"agg_ptr": np.searchsorted(item[first], np.arange(len(codes) + 1)).astype(np.int64),
           "agg_job": job[first].astype(np.int32),
           "agg_raw": np.diff(np.append(first, len(item))).astype(np.int32),
           # of them, how many have hours no shop can book (impossible_hours_lazy), for the notes
           "agg_impossible": (np.add.reduceat(run_impossible.astype(np.int32), first)
                              if len(first) else np.zeros(0)).astype(np.int32)}
    for col in ("run", "setup"):
        v = logs.pop(col).astype(np.float64)
        ok = np.isfinite(v)
        n = np.add.reduceat(ok.astype(np.float64), first) if len(first) else np.zeros(0)
        total = np.add.reduceat(np.where(ok, v, 0.0), first) if len(first) else np.zeros(0)
        mu = np.divide(total, n, out=np.full_like(total, np.nan), where=n > 0)
        dev = np.where(ok, v - np.repeat(mu, np.diff(np.append(first, len(item)))), 0.0)
        ss = np.add.reduceat(dev ** 2, first) if len(first) else np.zeros(0)
        out[f"agg_n_{col}"] = n.astype(np.float32)
        out[f"agg_mu_{col}"] = mu.astype(np.float32)
        out[f"agg_ss_{col}"] = np.where(n > 0, ss, np.nan).astype(np.float32)
    return out


def _first_of_identical(frame: pl.DataFrame) -> np.ndarray:
    """Per row, whether no earlier row is identical to it in every column: what
    frame.unique(maintain_order=True) keeps, without hashing whole rows of millions at once. Rows
    whose 64-bit hashes differ are different; only rows sharing a hash with another are compared
    as polars' unique compares them."""
    keep = np.ones(frame.height, dtype=bool)
    if frame.height < 2:
        return keep
    h = frame.hash_rows(seed=0).to_numpy()
    s = np.sort(h)              # (a tenth of an argsort's time)
    shared = np.unique(s[1:][s[1:] == s[:-1]])
    s = None    # noqa: F841
    if not len(shared):
        return keep
    at = np.minimum(np.searchsorted(shared, h), len(shared) - 1)
    rows = np.flatnonzero(shared[at] == h)      # in the order read
    h = at = None   # noqa: F841
    first = (frame[rows].with_row_index("_r").unique(subset=frame.columns, keep="first", maintain_order=True)
             ["_r"].to_numpy())
    keep[rows] = False
    keep[rows[first]] = True
    return keep


def clean_arrays(group: np.ndarray, item: np.ndarray, hours: np.ndarray, setup_hours: np.ndarray,
                 qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """clean_actuals_lazy's rules on arrays of de-duplicated work results (a missing number as 0,
    which is unusable as zero is; a NaN is a float NaN the source held, and impossible: dropped and
    counted, as impossible_hours_lazy says; `group` the operation each result's ranges are taken
    over, `item` with it the item's own):
    the log run minutes per piece and log setup minutes (float32, NaN where unusable), and whether
    the run hours were impossible. Quantiles and medians are polars' (nearest rank; the middle two
    averaged), so the result is clean_actuals' to the bit."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        run_bad = _booked_impossible(hours) | (qty < 0) | np.isinf(qty) | np.isnan(qty)
        setup_bad = _booked_impossible(setup_hours)
        per_piece = hours * 60.0 / qty
        run_bad |= _far_outside(group, run_bad, np.log(per_piece))
        setup_min = setup_hours * 60.0
        setup_bad |= _far_outside(group, setup_bad, np.log(setup_min))
        run_log = np.log(np.where(~run_bad & (qty > 0) & (hours > 0), per_piece, np.nan))
        setup_log = np.log(np.where(~setup_bad & (setup_hours > 0), setup_min, np.nan))
        per_piece = setup_min = None    # noqa: F841
        key = item.astype(np.int64) * (int(group.max()) + 3 if len(group) else 1) + (group.astype(np.int64) + 2)
        lim = math.log(OUTLIER_FACTOR)
        out = []
        for v in (run_log, setup_log):
            med = _group_median(key, v)
            out.append(np.where(np.abs(v - med) <= lim, v, np.nan).astype(np.float32))
    return out[0], out[1], run_bad


def _booked_impossible(hours: np.ndarray) -> np.ndarray:
    return np.isnan(hours) | (hours < 0) | np.isinf(hours) | (hours > MAX_BOOKED_HOURS)


def _far_outside(group: np.ndarray, bad: np.ndarray, log_value: np.ndarray) -> np.ndarray:
    """impossible_hours_lazy's "far outside the operation's range in the plant" on arrays."""
    rows = np.flatnonzero(~bad & np.isfinite(log_value))
    rows = rows[np.argsort(group[rows])]          # a few operations: their quartiles by partition
    g = group[rows]
    starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1]))) if len(rows) else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.append(starts, len(rows)))
    sv = log_value[rows]
    q1, q3 = np.zeros(len(starts)), np.zeros(len(starts))
    for n, (s, c) in enumerate(zip(starts.tolist(), counts.tolist())):
        # polars' quantile (nearest): the rank (n - 1) q rounded half away from zero, exact for quarters
        r1, r3 = math.floor((c - 1) * 0.25 + 0.5), math.floor((c - 1) * 0.75 + 0.5)
        part = np.partition(sv[s:s + c], [r1, r3])
        q1[n], q3[n] = part[r1], part[r3]
    width = SPREAD_FENCE * np.maximum(q3 - q1, SPREAD_MIN_WIDTH)
    off = np.zeros(len(group), dtype=bool)
    off[rows] = (np.repeat(counts >= SPREAD_MIN_RESULTS, counts)
                 & ((sv > np.repeat(q3 + width, counts)) | (sv < np.repeat(q1 - width, counts))))
    return off


def _group_median(key: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per row, the median of v over the rows with its key (NaN ignored; NaN when none), as polars'."""
    o = np.flatnonzero(~np.isnan(v))
    o = o[np.argsort(v[o])]
    o = o[np.argsort(key[o], kind="stable")]      # by key, then value (half lexsort's time)
    k = key[o]
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1]))) if len(o) else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.append(starts, len(o)))
    sv = v[o]
    lo, hi = sv[starts + (counts - 1) // 2], sv[starts + counts // 2]
    med = np.full(len(v), np.nan)
    med[o] = np.repeat(np.where(counts % 2 == 1, lo, lo + (hi - lo) * 0.5), counts)
    return med


Frame = Union[pl.DataFrame, pl.LazyFrame, Callable[[], Union[pl.DataFrame, pl.LazyFrame]]]


def _read(frame: Frame) -> pl.DataFrame | pl.LazyFrame:
    return frame() if callable(frame) else frame


def _operation_tokens(op_item: np.ndarray, job: np.ndarray, job_null: np.ndarray,
                      job_vocab: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each operation's token, the JOB_CD with "#2", "#3" for its second and third time in its
    item's routing (a missing JOB_CD counted apart from ""), factorized in order of first
    appearance: codes and the tokens. On the integer codes (a window over millions of strings was
    half a gigabyte of training's peak memory at 300,000 items)."""
    n = len(job)
    if not n:
        return np.zeros(0, dtype=np.int32), []
    key = op_item.astype(np.int64) * (2 * len(job_vocab) + 2) + job.astype(np.int64) * 2 + job_null
    order = np.argsort(key, kind="stable")
    k = key[order]
    key = None      # noqa: F841
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    occ = np.empty(n, dtype=np.int64)
    occ[order] = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n))) + 1
    k = order = None    # noqa: F841
    width = int(occ.max()) + 1
    pairs, first, inverse = np.unique(job.astype(np.int64) * width + occ, return_index=True, return_inverse=True)
    pair_tok = np.empty(len(pairs), dtype=np.int32)
    index: dict[str, int] = {}
    for u in np.argsort(first, kind="stable").tolist():      # the tokens in order of first appearance
        j, o = divmod(int(pairs[u]), width)
        pair_tok[u] = index.setdefault(job_vocab[j] + (f"#{o}" if o > 1 else ""), len(index))
    return pair_tok[inverse.reshape(-1)], list(index)


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


class ModelFormatError(ModelError):
    """A model written by an older or newer version of the program than this one."""


def check_format(version: str, arrays: dict, docs: dict, texts: dict) -> None:
    """Refuse a model this program cannot predict with, saying what to do: retrain a model of an
    older format, update the program for a newer one."""
    info = docs.get("info") if isinstance(docs.get("info"), dict) else {}
    fmt = info.get("model_format")
    if isinstance(fmt, int) and fmt > MODEL_FORMAT:
        raise ModelFormatError(newer_model_message(version, fmt))
    vocab = docs.get("vocab") if isinstance(docs.get("vocab"), dict) else {}
    missing = ([a for a in REQUIRED_ARRAYS if a not in arrays] + [v for v in REQUIRED_VOCAB if v not in vocab]
               + [t for t in ("item_codes", "rout_no", "item_nm") if t not in texts]
               + [d for d in ("encoder", "info", "vocab") if d not in docs])
    if missing or (isinstance(fmt, int) and fmt < MODEL_FORMAT):
        raise ModelFormatError(older_model_message(version))


def older_model_message(version: str) -> str:
    return (f"model {version} was trained by an older version of Routing ML; retrain it in the Training tab "
            f"or with `routing-ml train`")


def newer_model_message(version: str, fmt: int | str) -> str:
    return (f"model {version} was trained by a newer version of Routing ML (model format {fmt}; this program "
            f"reads format {MODEL_FORMAT}); update Routing ML on this PC, or retrain the model with this version "
            f"in the Training tab or with `routing-ml train`")


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
    _parts: dict[str, Any] | None = None
    _notes: dict[tuple, Note] = field(default_factory=dict, repr=False)
    _kind_notes: dict[str, dict] = field(default_factory=dict, repr=False)

    # ---- building ------------------------------------------------------------------------
    @classmethod
    def train(cls, version: str, items: Frame, routings: Frame, results: Frame,
              params: EncoderParams | None = None, progress=None, learn: bool = True) -> RoutingModel:
        """`items`, `routings` and `results` are frames, or functions that read them: read when
        they are needed and let go after, so the routings, the work results and the matrix of items
        are never all in memory at once (training's peak at 300,000 items), and of the item master
        only the indexed items are kept once they are chosen."""
        def report(f, m):
            if progress is not None:
                progress.report(f, m)

        report(0.02, "reading routings")
        items = _read(items).unique(subset="ITEM_CD", keep="first", maintain_order=True)
        cur = current_routings(_read(routings))
        routings = None     # noqa: F841 - the raw routings are not needed again
        report(0.05, "finding current routings")
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
        n_items = items.height
        items = None        # noqa: F841 - the indexed items are idx_items
        code_s = idx_items["ITEM_CD"]
        codes = to_list_in_slices(code_s)
        positions = _positions(len(codes))

        def position_of(col: str = "ITEM_CD") -> pl.Expr:
            return pl.col(col).replace_strict(code_s, positions, return_dtype=pl.Int32)

        cur = cur.filter(pl.col("ITEM_CD").is_in(code_s.implode()))
        # The operations and the work results are turned into arrays before the items are encoded,
        # so the matrix of items (280 MB at 300,000 items) is not held through their peaks.
        report(0.15, "collecting operations")

        # sorted by index position: gathered a column at a time and each column let go once
        # gathered, so the operations are never held twice (half a gigabyte at 300,000 items)
        cur = cur.with_columns(position_of().alias("_i")).drop("INSRT_DT")
        by_position = cur.select(pl.arg_sort_by(["_i", "PROC_SEQ"])).to_series()
        gathered = []
        for col in cur.columns:
            gathered.append(cur[col].gather(by_position))
            cur = cur.drop(col)
        cur = pl.DataFrame(gathered)
        gathered = by_position = None   # noqa: F841
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

        # operation tokens: the JOB_CD, with "#2", "#3" for its second and third time in a routing
        tok, tok_vocab = _operation_tokens(op_item, job, cur["JOB_CD"].is_null().to_numpy(), job_vocab)
        tok_job = np.zeros(len(tok_vocab), dtype=np.int32)
        tok_job[tok] = job
        tok_first_op = np.full(len(tok_vocab), -1, dtype=np.int64)
        tok_first_op[tok[::-1]] = np.arange(len(tok))[::-1]

        part, part_vocab = _factorize(idx_items["PART_TYPE"])
        mat, mat_vocab = _factorize(idx_items["ITEM_MATERIAL"])
        arrays = {
            "op_ptr": op_ptr, "op_job": job, "op_res": res, "op_bp": bp, "op_order": order,
            "op_inside": inside.astype(np.bool_), "op_tok": tok.astype(np.int32),
            "op_setup": cur["SETUP_TIME"].fill_null(np.nan).to_numpy().astype(np.float32),
            "op_run": (cur["RUN_TIME"].fill_null(np.nan).to_numpy() / qty).astype(np.float32),
            "op_wait": cur["WAIT_TIME"].fill_null(0.0).to_numpy().astype(np.float32),
            "op_move": cur["MOVE_TIME"].fill_null(0.0).to_numpy().astype(np.float32),
            "item_seq": item_seq, "tok_job": tok_job, "tok_first_op": tok_first_op,
            "item_part": part, "item_mat": mat, "pt_ptr": pt_ptr,
            "item_od": idx_items["OUTDIAMETER"].fill_null(np.nan).to_numpy().astype(np.float32),
        }
        vocab = {"job": job_vocab, "job_nm": [nm_map.get(j, "") for j in job_vocab], "res": res_vocab,
                 "bp": bp_vocab, "order": order_vocab, "part_type": part_vocab, "material": mat_vocab,
                 "token": tok_vocab,
                 "rout_no": rout_no, "item_nm": to_list_in_slices(
                     idx_items["ITEM_NM"].fill_null("").str.replace_all("\n", " "))}
        n_operations = cur.height
        cur = seq_keys = None     # noqa: F841 - the operations are arrays now
        report(0.3, "reading work-order actuals")
        read: dict[str, Any] = {}

        def read_results() -> pl.DataFrame | pl.LazyFrame:
            frame = _read(results)
            read["n"] = frame.height if isinstance(frame, pl.DataFrame) else None
            report(0.35, "cleaning work-order actuals")
            return frame

        # aggregate_actuals holds the only reference to the frame read, and lets it go before cleaning
        agg = aggregate_actuals(read_results, code_s, job_vocab)
        results = None      # noqa: F841
        n_results = read["n"]
        arrays.update(agg)
        report(0.55, f"encoding {len(codes):,} items")
        X = encoder.encode(idx_items)
        # per PART_TYPE slice, the largest norm of a row outside its part-type block (see search)
        ps, pe = encoder.slices["part_type"]
        rest = np.sqrt(np.clip(1.0 - (X[:, ps:pe] ** 2).sum(axis=1), 0.0, 1.0))
        arrays["pt_rest_max"] = np.array([rest[pt_ptr[i]:pt_ptr[i + 1]].max() if pt_ptr[i + 1] > pt_ptr[i] else 0.0
                                          for i in range(len(pt_ptr) - 1)], dtype=np.float32)
        rest = None         # noqa: F841
        info = {"model_format": MODEL_FORMAT, "items": n_items, "indexed_items": len(codes),
                "operations": n_operations, "work_results": n_results,
                "usable_run_actuals": int(agg["agg_n_run"].sum()),
                "distinct_routings": int(item_seq.max() + 1) if len(codes) else 0, "dim": encoder.dim}
        model = cls(version, encoder, X, codes, arrays, vocab, info)
        if learn:
            from app.ml import learned
            report(0.7, "learning what decides each operation")
            learned.learn(model, idx_items, progress=progress.sub(0.7, 0.99) if hasattr(progress, "sub") else None)
        report(1.0, "model built")
        return model

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
        check_format(version, arrays, docs, texts)
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
            # one item: a plain loop, not BLAS, whose threads only wait for each other on a busy PC
            # (half the CPU time for the same result) and which must not be throttled per call
            # while another thread uses it (see app.ui.main._leave_a_core_for_the_window)
            S = np.einsum("ij,j->i", X, Q[b]).reshape(1, -1) if Q.shape[0] == 1 else Q[b:b + 128] @ X.T
            for r, ex in enumerate(exclude[b:b + 128]):
                if ex is not None and s <= ex < e:
                    S[r, ex - s] = -np.inf
            top, vals = _top_k(S, k)
            idx_out[b:b + 128] = top + s
            sim_out[b:b + 128] = vals
        return idx_out, sim_out

    def _learned(self):
        """The learned parts, unpacked once: decision trees, ranker, time models, attribute names."""
        if self._parts is None:
            from app.ml import learned
            a = self.arrays
            trees = learned.TreeSet.from_arrays(a, "tree_") if "tree_ptr" in a else None
            ranker = (learned.Ranker(a["rank_coef"].astype(np.float64), float(a["rank_intercept"][0]))
                      if "rank_coef" in a else learned.Ranker.default())
            times = learned.TimeModels.from_arrays(a)
            self._parts = {"trees": trees, "ranker": ranker, "times": times,
                           # which (setup, run) x JOB_CD have a time model, as lists: asked per operation
                           "time_has": np.isfinite(times.intercept).tolist() if times is not None else [[], []],
                           "tok_job": a["tok_job"].tolist(),     # each token's JOB_CD, asked per operation
                           # the time models' variances as lists: read per operation
                           "tau2": times.tau2.tolist() if times is not None else None,
                           "sigma2": times.sigma2.tolist() if times is not None else None,
                           "reasons": {},    # an operation's reason per leaf of its tree (learned.explain)
                           "explain": learned.explain,   # not imported per operation (5 µs each time)
                           "names": self.encoder.attribute_names(), "tok_pt": a.get("tok_pt"),
                           "precedence": a.get("precedence"), "n_pt": len(self.encoder.levels["PART_TYPE"])}
        return self._parts

    def blank_attributes(self, m: int) -> np.ndarray:
        names = self._learned()["names"]
        out = np.zeros((m, len(names)), dtype=np.float32)
        out[:, [i for i, (kind, _c, _v) in enumerate(names) if kind == "num"]] = np.nan
        return out

    def neighbours(self, codes: list[str], Q: np.ndarray, opts: PredictOptions,
                   exclude_self: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The similar items of the items whose vectors are the rows of Q (see search)."""
        own = [self.position(c) for c in codes]
        return self.search(Q, opts.top_k, own if exclude_self else None)

    def predict_vectors(self, codes: list[str], Q: np.ndarray, opts: PredictOptions,
                        exclude_self: bool = True, sizes: np.ndarray | None = None,
                        items: pl.DataFrame | None = None,
                        neighbours: tuple[np.ndarray, np.ndarray] | None = None) -> list[Prediction]:
        """Predict the items whose vectors are the rows of Q. `items`: their rows of the item
        master (the attributes the learned rules and time models read); `sizes`: their
        OUTDIAMETER, when `items` does not give it; `neighbours`: their similar items, when
        already searched (self.neighbours with the same options)."""
        from app.ml import learned
        parts = self._learned()
        own = [self.position(c) for c in codes]
        idx, sims = neighbours if neighbours is not None else \
            self.search(Q, opts.top_k, own if exclude_self else None)
        m = len(codes)
        attrs = self.encoder.attributes(items) if items is not None else self.blank_attributes(m)
        if sizes is not None:
            od = next((i for i, (kind, c, _v) in enumerate(parts["names"]) if kind == "num" and c == "OUTDIAMETER"), None)
            if od is not None:
                sizes = np.asarray(sizes, dtype=np.float32)
                attrs[:, od] = np.where(np.isfinite(sizes), sizes, attrs[:, od])
        keep = sims >= opts.threshold
        votes, counts, n_used = learned.neighbour_votes(self.arrays, idx, sims, keep, len(self.vocab["token"]),
                                                        opts.similarity_power)
        probs = learned.token_probabilities(parts, votes, attrs)
        times = parts["times"]
        mu = None
        if times is not None:
            Z = times.design(attrs)
            mu = np.stack([Z @ times.coef[w].T + times.intercept[w][None, :] for w in (0, 1)], axis=1)
        with cyclic_gc_paused():
            return [self._predict_one(codes[r], Q[r], own[r], idx[r], sims[r], opts, attrs[r],
                                      None if mu is None else mu[r], probs[r], votes[r], counts[r], int(n_used[r]))
                    for r in range(m)]

    def _predict_one(self, code: str, q: np.ndarray, own: int | None, idx: np.ndarray, sims: np.ndarray,
                     opts: PredictOptions, attrs: np.ndarray, mu: np.ndarray | None, probs: dict[int, float],
                     votes: np.ndarray, counts: np.ndarray, n_used: int) -> Prediction:
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
        query = _Query(own, idx, sims, attrs, mu, probs, votes, counts, n_used)
        candidates = self._candidates(query, opts, warnings)
        return Prediction(code, similar, candidates, warnings)

    def _explain(self, q: np.ndarray, idx: np.ndarray, sims: np.ndarray) -> list[SimilarItem]:
        XI = self.X[idx]
        contrib = self.encoder.group_contributions(q, XI)
        a, voc, note = self.arrays, self.vocab, self._note
        tstart, tend = self.encoder.slices["spec_text"]
        groups = list(contrib)
        C = np.stack([contrib[g] for g in groups]) if groups else np.zeros((0, len(idx)), np.float32)
        # in the array's own precision, as each value was compared one by one: a group's
        # contribution counts above 1e-6, and is named when it is at least 8 % of the similarity
        total = np.where(sims == 0, 1.0, sims).astype(C.dtype)
        counted = (C > 1e-6).T.tolist()
        named = (~((C / total[None, :]) < 0.08)).T.tolist()
        values = C.T.tolist()
        # each similar item's groups by their contribution, largest first (ties: in group order)
        order = np.argsort(-C, axis=0, kind="stable").T.tolist()
        sims_l = sims.tolist()
        totals = [float(x) or 1.0 for x in sims_l]
        parts = [voc["part_type"][p] for p in a["item_part"][idx].tolist()]
        labels = [GROUP_LABELS[g] for g in groups]
        q_words = np.nonzero(q[tstart:tend] > 0)[0]
        shared = (XI[:, tstart + q_words] > 0).tolist()     # which of q's words each similar item has
        q_words = q_words.tolist()
        materials, ods = a["item_mat"][idx].tolist(), a["item_od"][idx].tolist()
        item_nm, codes, vocabulary = voc["item_nm"], self.item_codes, self.encoder.vocabulary
        # the notes, made once per value (see _note), looked up by it: they repeat from item to item
        pt_notes, mat_notes, od_notes, word_notes = (self._notes_of(k) for k in (
            "same_part_type", "same_material", "similar_dimensions_od", "spec_words"))
        other_notes: dict[int, Note] = {}
        kinds = [g if g in ("part_type", "material", "dimensions", "spec_text") else "other" for g in groups]
        out = []
        for r, i in enumerate(idx.tolist()):
            total, is_named = totals[r], named[r]
            shares = {label: x / total for label, x, c in zip(labels, values[r], counted[r]) if c}
            matching = []
            for n in order[r]:
                if not is_named[n]:
                    continue
                kind = kinds[n]
                if kind == "part_type":
                    made = pt_notes.get(parts[r]) or _made(pt_notes, parts[r], "same_part_type", parts[r])
                elif kind == "material":
                    m = materials[r]
                    made = mat_notes.get(m) or _made(mat_notes, m, "same_material", voc["material"][m])
                elif kind == "dimensions":
                    od = ods[r]
                    if math.isfinite(od):
                        made = od_notes.get(od) or _made(od_notes, od, "similar_dimensions_od", f"{od:g}")
                    else:
                        made = note("similar_dimensions")
                elif kind == "spec_text":
                    words = tuple([vocabulary[w] for w, has in zip(q_words, shared[r]) if has][:4])
                    if not words:
                        continue
                    made = word_notes.get(words) or _made(word_notes, words, "spec_words", ", ".join(words))
                else:
                    made = other_notes.get(n) or other_notes.setdefault(n, note(f"similar_{groups[n]}"))
                matching.append(made)
            out.append(SimilarItem(codes[i], sims_l[r], item_nm[i], parts[r], shares, matching))
        return out

    def _notes_of(self, key: str) -> dict:
        """The similar items' notes of one kind made so far (see _made), by the value they name."""
        return self._kind_notes.setdefault(key, {})

    def _note(self, key: str, *values) -> Note:
        """Note(key, *values), made once: the similar items' notes repeat from item to item."""
        return self._notes.get((key, values)) or _made(self._notes, (key, values), key, *values)

    def _candidates(self, query: _Query, opts: PredictOptions, warnings: list[str]) -> list[Candidate]:
        from app.ml import learned
        a, parts = self.arrays, self._learned()
        idx = query.idx
        groups = learned.group_routings(a, idx, query.sims, opts.similarity_power)
        drafts = learned.draft_candidates(groups, query.probs, parts["precedence"])
        parts["ranker"].score(drafts)
        for d in drafts:
            d.outsourced = self._outsourced(d, groups, query)
        order = sorted(range(len(drafts)), key=lambda i: (-round(drafts[i].score, 9), -drafts[i].support, i))
        ranked = [drafts[i] for i in order]
        if opts.prefer_inhouse:
            # a candidate with fewer outsourced steps moves ahead of one whose score is only a little higher
            for i in range(1, len(ranked)):
                j = i
                while j > 0 and ranked[j].outsourced < ranked[j - 1].outsourced and \
                        ranked[j].score >= ranked[j - 1].score * (1 - opts.inhouse_margin):
                    ranked[j - 1], ranked[j] = ranked[j], ranked[j - 1]
                    j -= 1
        out = []
        for rank, d in enumerate(ranked[: opts.candidates], start=1):
            members = [int(idx[r]) for r in d.rows]
            own_warnings: list[str] = []
            ops = self._operations(d, groups, query, own_warnings)
            for w in own_warnings:   # the banner above the routing says which candidate it concerns
                if (note := Note("in_candidate", rank, w)) not in warnings:
                    warnings.append(note)
            outsourced = sum(1 for o in ops if o.INSIDE_FLAG == OUTSIDE)
            based_on = [self.item_codes[int(idx[r])] for r in groups[d.base][1]] if d.repaired else []
            out.append(Candidate(rank, float(d.score), [self.item_codes[m] for m in members], ops, outsourced,
                                 repaired=d.repaired, based_on=based_on))
        return out

    def _sources(self, base: int, t: int, groups, query: _Query) -> tuple[list[int], list[float], list[int] | None]:
        """The operations (rows of the op arrays) token t is copied from, with their items'
        similarity: the base routing's items, where it has the token; else every similar item
        that has it; else the first item in the plant that has it. Kept per query. Third, where
        they are among the similar items' operations (_Query.neighbour_ops), or None for the
        plant's first."""
        base_toks, base_rows, _ = groups[base]
        cols = query.base_sources.get(base)
        if cols is None:
            nops = query.neighbour_ops(self.arrays)
            starts, first, sims = nops.starts, nops.first, query.sims_l
            at: dict[int, int] = {}
            for p, tok in enumerate(base_toks):
                at.setdefault(tok, p)
            cols = query.base_sources[base] = (at, [starts[r] for r in base_rows], [first[r] for r in base_rows],
                                               [sims[r] for r in base_rows])
        p = cols[0].get(t)
        if p is not None:       # in the base routing: at the same place in each of its items' routings
            return [s + p for s in cols[1]], cols[3], [f + p for f in cols[2]]
        key = (-1, t)       # not in the base routing: the same for every base
        hit = query.sources.get(key)
        if hit is not None:
            return hit
        nops = query.neighbour_ops(self.arrays)
        starts, sims, first = nops.starts, query.sims_l, nops.first
        ops, ws, local = [], [], []
        for r, p in _holders(t, base_toks, base_rows, nops.tokens):
            ops.append(starts[r] + p)
            ws.append(sims[r])
            local.append(first[r] + p)
        hit = (ops, ws, local) if ops else ([int(self.arrays["tok_first_op"][t])], [1.0], None)
        query.sources[key] = hit
        return hit

    def _outsourced(self, d, groups, query: _Query) -> int:
        """How many of draft d's operations are outsourced: as the first operation each is copied
        from (_sources; only that one is looked up, most drafts are ranked and never shown)."""
        nops = query.neighbour_ops(self.arrays)
        here, first = nops.values["inside"], nops.first
        base_toks, base_rows, _ = groups[d.base]
        count = 0
        for t in d.tokens:
            held = next(_holders(t, base_toks, base_rows, nops.tokens), None)
            inside = here[first[held[0]] + held[1]] if held is not None else \
                bool(self.arrays["op_inside"][int(self.arrays["tok_first_op"][t])])
            count += not inside
        return count

    def _operations(self, d, groups, query: _Query, warnings: list[str]) -> list[Operation]:
        ops = []
        for pos_, t in enumerate(d.tokens):
            key = (d.base, d.repaired, t)
            made = query.operations.get(key)
            if made is None:
                made = query.operations[key] = self._operation(d, groups, query, t)
            op, warning = made
            if key in query.used:
                op = _copy_operation(op)     # its PROC_SEQ and ROUT_ORDER are this routing's
            query.used.add(key)
            op.PROC_SEQ = 10 * (pos_ + 1)
            ops.append(op)
            if warning:
                warnings.append(warning)
        if ops:
            ops[0].ROUT_ORDER, ops[-1].ROUT_ORDER = "F", "L"
            for op in ops[1:-1]:
                op.ROUT_ORDER = "I"
        return ops

    def _operation(self, d, groups, query: _Query, t: int) -> tuple[Operation, str | None]:
        """Operation t of a draft (its PROC_SEQ and ROUT_ORDER are set by the routing it is in),
        and the warning about its times, if any.

        What it is and its times depend on the items it is copied from (_sources) only; a draft's
        own similar items add only the warning about their work results. So the operation is made
        once per source (query.cores) and shared, as a copy, by the drafts copying it: a repaired
        draft's operations are mostly its base routing's."""
        core_key = (d.base if t in groups[d.base][0] else -1, t)
        core = query.cores.get(core_key)
        if core is None:
            core = query.cores[core_key] = self._core_operation(d.base, groups, query, t)
        op, est, taken = core
        unusable, times_note = self._unusable_results(op, est, query, d.rows)
        if unusable or taken:
            op = _copy_operation(op)      # the core stays as made, for the next draft copying it
        else:
            query.cores[core_key] = (op, est, True)
        if unusable:
            op.WARNING = Note("operation", op.JOB_CD, *unusable, Note(times_note))
            return op, op.WARNING
        return op, None

    def _core_operation(self, base: int, groups, query: _Query, t: int) -> tuple[Operation, dict, bool]:
        """Operation t copied from `base`'s items where it has it, else from every similar item that
        has it (see _sources), with its times; the time estimate behind them; False (not yet handed out)."""
        a, voc, parts = self.arrays, self.vocab, self._learned()
        member_ops, member_sims, local = self._sources(base, t, groups, query)
        j = parts["tok_job"][t]
        if local is not None:      # among the similar items' operations, already Python lists
            v = query.neighbour_ops(a).values
            first = local[0]
            if len(local) == 1:
                res_l, wait_l, move_l = [v["res"][first]], [v["wait"][first]], [v["move"][first]]
            else:
                vr, vw, vm = v["res"], v["wait"], v["move"]
                res_l, wait_l, move_l = [vr[n] for n in local], [vw[n] for n in local], [vm[n] for n in local]
            inside, bp, order = v["inside"][first], v["bp"][first], v["order"][first]
        else:
            res_l, wait_l, move_l = (a[f"op_{k}"][member_ops].tolist() for k in ("res", "wait", "move"))
            o = member_ops[0]
            inside, bp, order = bool(a["op_inside"][o]), int(a["op_bp"][o]), int(a["op_order"][o])
        res = res_l[0]
        if len(res_l) > 1 and res_l.count(res) != len(res_l):      # one resource (most often): it
            res_votes: dict[int, float] = {}
            for r, w in zip(res_l, member_sims):
                res_votes[r] = res_votes.get(r, 0.0) + w
            res = max(res_votes.items(), key=lambda kv: kv[1])[0]
        op = _new_operation(JOB_CD=voc["job"][j], JOB_NM=voc["job_nm"][j],
                            RES_CD=voc["res"][res], INSIDE_FLAG=INSIDE if inside else OUTSIDE,
                            BP_CD=voc["bp"][bp], ROUT_ORDER=voc["order"][order],
                            WAIT_TIME=round(_median_of(wait_l), 3),
                            MOVE_TIME=round(_median_of(move_l), 3))
        est = self._fill_times(op, j, query, member_ops, local)
        reason = query.reasons.get(t)
        if reason is None:
            if parts["trees"] is not None:
                reason = parts["explain"](parts["trees"], t, float(query.votes[t]), int(query.counts[t]), query.n_used,
                                          query.attrs, parts["names"], cache=parts["reasons"])
            elif query.n_used:
                reason = Note("why_similar", int(query.counts[t]), query.n_used)
            if reason is not None:
                query.reasons[t] = reason
        if reason is not None:
            op.REASON = reason
        return op, est, False

    def _pool(self, query: _Query) -> dict[str, np.ndarray]:
        """The aggregated work results of the query's similar items (and its own), gathered once,
        ordered by operation (JOB_CD) and within one by similar item, so an operation's results are
        one slice of them (query.job_slices) and also Python lists (query.pool_l)."""
        if query.pool is None:
            a = self.arrays
            items = query.idx
            starts, ends = a["agg_ptr"][items], a["agg_ptr"][items + 1]
            lens = ends - starts
            offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
            row = np.repeat(np.arange(len(items)), lens)
            order = np.argsort(a["agg_job"][offsets], kind="stable")
            offsets, row = offsets[order], row[order]
            pool = {k: a[f"agg_{k}"][offsets] for k in ("job", "raw", "n_run", "mu_run", "n_setup", "mu_setup")}
            impossible = a.get("agg_impossible")   # absent from models trained before it was kept
            pool["impossible"] = impossible[offsets] if impossible is not None else np.zeros(len(offsets), np.int32)
            pool["row"] = row
            pool["w"] = np.power(np.clip(query.sims.astype(np.float64), 1e-6, None), 2)[row]
            query.pool = pool
            job = pool["job"]       # sorted: each operation's first result where the JOB_CD changes
            first = np.flatnonzero(np.concatenate(([True], job[1:] != job[:-1]))) if len(job) else job[:0]
            bounds = np.append(first, len(offsets)).tolist()
            query.job_slices = {j: (bounds[n], bounds[n + 1]) for n, j in enumerate(job[first].tolist())}
            query.pool_l = {k: pool[k].tolist() for k in ("row", "raw", "impossible", "n_run", "n_setup")}
            query.own_row = {}
            if query.own is not None:
                s, e = int(a["agg_ptr"][query.own]), int(a["agg_ptr"][query.own + 1])
                query.own_row = {j: s + n for n, j in enumerate(a["agg_job"][s:e].tolist())}
        return query.pool

    def _estimate(self, j: int, query: _Query) -> dict[str, Any]:
        """Setup and run minutes of operation j for the query item, from the plant's time model
        (or, without one, its similar items' results), weighed against its own results."""
        out = query.time_cache.get(j)
        if out is not None:
            return out
        a, parts = self.arrays, self._learned()
        times, has_model = parts["times"], parts["time_has"]
        pool = self._pool(query)
        if query.mu is not None and query.mu_l is None:
            query.mu_l = query.mu.tolist()
        s, e = query.job_slices.get(j, (0, 0))
        lists = query.pool_l
        rows, raw, n_run = lists["row"][s:e], lists["raw"][s:e], lists["n_run"][s:e]
        impossible = lists["impossible"][s:e]
        out: dict[str, Any] = {"raw_similar": int(sum(raw)), "raw_by_row": dict(zip(rows, raw)),
                               "impossible_by_row": dict(zip(rows, impossible)),
                               "usable_rows": {r for r, n in zip(rows, n_run) if n > 0}}
        own_r = query.own_row.get(j)
        out["raw_own"] = int(a["agg_raw"][own_r]) if own_r is not None else 0
        out["impossible_own"] = int(a["agg_impossible"][own_r]) if own_r is not None and "agg_impossible" in a else 0
        for which, col in ((0, "setup"), (1, "run")):
            counts = lists[f"n_{col}"][s:e]
            n_similar = float(sum(counts))   # counts, none negative; whole numbers: exact in any order
            modelled = times is not None and 0 <= j < len(has_model[which]) and has_model[which][j]
            if modelled and query.mu is not None:
                mu0, var0, sigma2 = query.mu_l[which][j], parts["tau2"][which][j], parts["sigma2"][which][j]
            elif n_similar > 0:
                n_nb, mu_nb = pool[f"n_{col}"][s:e].astype(np.float64), pool[f"mu_{col}"][s:e].astype(np.float64)
                w_nb = pool["w"][s:e]
                ok = n_nb > 0
                w = w_nb[ok] * n_nb[ok] / (n_nb[ok] + 1.0)
                mu0 = float(np.average(mu_nb[ok], weights=w))
                spread = float(np.average((mu_nb[ok] - mu0) ** 2, weights=w)) if ok.sum() > 1 else 0.05
                var0, sigma2 = max(spread, 0.01) + 0.01, 0.05
            else:
                out[col] = None
                continue
            n_own = float(a[f"agg_n_{col}"][own_r]) if own_r is not None else 0.0
            mean_own = float(a[f"agg_mu_{col}"][own_r]) if n_own > 0 else float("nan")
            if modelled:
                mu_, var_, w_own = times.blend(which, j, mu0, n_own, mean_own)
            else:
                prec0, prec_own = 1.0 / var0, n_own / sigma2
                w_own = prec_own / (prec0 + prec_own)
                mu_ = (1 - w_own) * mu0 + (w_own * mean_own if n_own > 0 else 0.0)
                var_ = 1.0 / (prec0 + prec_own)
            spread = 1.2816 * math.sqrt(var_ + sigma2)
            out[col] = (math.exp(mu_), math.exp(mu_ - spread), math.exp(mu_ + spread), w_own,
                        int(n_own + n_similar))
        query.time_cache[j] = out
        return out

    def _fill_times(self, op: Operation, j: int, query: _Query, member_ops: list[int],
                    local: list[int] | None = None) -> dict:
        """Operation j's times: from the work results (_estimate), else the standard times of the
        operations it is copied from (`local`: where they are among the similar items' operations,
        see _sources). Returns the estimate (its "run" is None when they are standard)."""
        a = self.arrays
        est = self._estimate(j, query)
        fields = est.get("fields")
        if fields is None:      # the estimate's rounded times, made once per operation (JOB_CD) and item
            run, setup = est["run"], est["setup"]
            fields = est["fields"] = (
                None if run is None else
                (round(run[0], 3), round(run[1], 3), round(run[2], 3), run[4],
                 "item_actuals" if run[3] >= 0.5 else "similar_actuals"),
                None if setup is None else (round(setup[0], 3), round(setup[1], 3), round(setup[2], 3)))
        run, setup = fields
        if run is not None:
            op.RUN_TIME, op.RUN_TIME_P10, op.RUN_TIME_P90, op.SAMPLE_COUNT, op.TIME_SOURCE = run
            if setup is not None:
                op.SETUP_TIME, op.SETUP_TIME_P10, op.SETUP_TIME_P90 = setup
            elif local is not None:
                v = query.neighbour_ops(a).values["setup"]
                op.SETUP_TIME = round(_median_of([v[n] for n in local]), 3)
            else:
                op.SETUP_TIME = round(_median_or_zero(a["op_setup"][member_ops]), 3)
        else:
            std_run = a["op_run"][member_ops]
            std_run = std_run[np.isfinite(std_run)]
            op.TIME_SOURCE = "standard"
            op.SAMPLE_COUNT = int(std_run.size)
            if std_run.size:
                std_run = np.sort(std_run)
                op.RUN_TIME_P10, op.RUN_TIME, op.RUN_TIME_P90 = (round(_sorted_quantile(std_run, q), 3)
                                                                 for q in (0.1, 0.5, 0.9))
            op.SETUP_TIME = round(_median_or_zero(a["op_setup"][member_ops]), 3)
        return est

    def _unusable_results(self, op: Operation, est: dict, query: _Query, rows: list[int]) -> tuple[list[Note], str]:
        """Which work results of operation `op` could not be used (the item's own, the candidate's
        similar items' `rows`, all its similar items'), and the note saying where its times came from."""
        unusable: list[Note] = []
        if est["raw_own"] and not (est["run"] and est["run"][3] > 0):
            unusable.append(_unusable("own", est["raw_own"], est["impossible_own"]))
        cand_unusable = False
        if rows and len(rows) < len(query.idx) and est["raw_similar"]:
            member_rows = set(rows)
            cand_unusable = not (member_rows & est["usable_rows"]) and \
                (cand_raw := sum(est["raw_by_row"].get(r, 0) for r in member_rows)) > 0
            if cand_unusable:
                unusable.append(_unusable("candidate", cand_raw,
                                          sum(est["impossible_by_row"].get(r, 0) for r in member_rows)))
        all_unusable = est["raw_similar"] > 0 and not est["usable_rows"]
        if all_unusable and not cand_unusable:
            unusable.append(_unusable("similar", est["raw_similar"], sum(est["impossible_by_row"].values())))
        if not unusable:
            return unusable, ""
        if op.TIME_SOURCE == "standard":
            return unusable, "times_from_standard"
        if op.TIME_SOURCE == "item_actuals":
            return unusable, "times_from_item_actuals"
        if cand_unusable:
            return unusable, "times_from_other_similar_actuals"
        if all_unusable:
            return unusable, "times_from_plant_model"
        return unusable, "times_from_similar_actuals"


def _holders(t: int, base_toks: list, base_rows: list[int], tokens: list):
    """Where token t is copied from, in order: (similar item r, position of t in its routing) for
    the base routing's items where it has t, else for every similar item that has it (none: the
    plant's first operation with it, see RoutingModel._sources)."""
    if t in base_toks:
        p = base_toks.index(t)
        return ((r, p) for r in base_rows)
    return ((r, toks.index(t)) for r, toks in enumerate(tokens) if t in toks)


TOP_K_GROUP = 64    # columns per group whose largest value bounds a row's k-th largest (_top_k)


def _top_k(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k largest values of S and their columns, largest first: what np.argpartition
    and a stable argsort of the values chosen give (_top_k_partition), bit for bit.

    The columns are dealt into groups (column c to group c mod g). A row's k largest group
    maxima are k of its values, so its k-th largest value is at least the smallest of them: only
    the groups whose maximum reaches that bound are read again, and only their values at or above
    it sorted, not the whole row (argpartition over rows of 13,000 to 260,000 similarities was half
    of a 1,000-item batch's search at 300,000 items). Where values tie among a row's k largest or
    with its k-th, the order argpartition happened to leave them in decides which come first:
    those rows are given to it, as before."""
    m, n = S.shape
    g = n // TOP_K_GROUP
    if m < 2 or g < 4 * k:      # one row (a single item's search): argpartition's one call is quicker
        return _top_k_partition(S, k)
    maxima = S[:, :g * TOP_K_GROUP].reshape(m, TOP_K_GROUP, g).max(axis=1)    # (m, g): group c mod g
    if np.isnan(maxima).any() or np.isnan(S[:, g * TOP_K_GROUP:]).any():
        return _top_k_partition(S, k)       # NaN orders above every number in argpartition
    bound = np.partition(maxima, -k, axis=1)[:, -k]
    grow, gcol = np.nonzero(maxima >= bound[:, None])
    rows = np.repeat(grow, TOP_K_GROUP)
    cols = (gcol[:, None] + g * np.arange(TOP_K_GROUP)[None, :]).reshape(-1)
    tail = np.arange(g * TOP_K_GROUP, n)        # the columns past the last whole round of groups
    if tail.size:
        rows = np.concatenate([rows, np.repeat(np.arange(m), tail.size)])
        cols = np.concatenate([cols, np.tile(tail, m)])
    vals = S[rows, cols]
    keep = vals >= bound[rows]
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.lexsort((cols, -vals, rows))       # by row, then largest first
    rows, cols, vals = rows[order], cols[order], vals[order]
    counts = np.bincount(rows, minlength=m)     # at least k each (the k maxima)
    starts = np.cumsum(counts) - counts
    at = starts[:, None] + np.arange(k)[None, :]
    top, top_vals = cols[at], vals[at]
    tied = np.any(top_vals[:, :-1] == top_vals[:, 1:], axis=1)
    more = counts > k
    tied[more] |= vals[starts[more] + k] == top_vals[more, -1]
    if tied.any():
        redo = np.flatnonzero(tied)
        top[redo], top_vals[redo] = _top_k_partition(S[redo], k)
    return top, top_vals


def _top_k_partition(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    part = np.argpartition(S, -k, axis=1)[:, -k:]
    vals = np.take_along_axis(S, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


_gc_lock = threading.Lock()
_gc_pauses = [0, False]     # predictions running with the cyclic collector paused; was it enabled before


@contextmanager
def cyclic_gc_paused():
    """Python's cyclic garbage collector paused while predictions are made, resumed after (also on
    an error, and only when the last of several threads predicting at once is done).

    A prediction's objects (operations, notes, lists) hold no reference cycles: reference counting
    frees them. The collector, though, started by their allocations every few hundred objects,
    walks the objects already alive, the model's and the store's caches among them: on the
    300,000-item plant its passes took 0.33 s of a 1,000-item batch's 2.3 s of CPU in
    predict_vectors (0.22 s of it one pass over the whole heap)."""
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


@dataclass
class _Query:
    """One item being predicted: its similar items and what the learned parts said about it."""

    own: int | None
    idx: np.ndarray
    sims: np.ndarray
    attrs: np.ndarray
    mu: np.ndarray | None            # (2, jobs) the time models' log minutes (setup, run)
    probs: dict[int, float]
    votes: np.ndarray
    counts: np.ndarray
    n_used: int
    pool: dict[str, np.ndarray] | None = None
    job_slices: dict[int, tuple[int, int]] = field(default_factory=dict)
    pool_l: dict[str, list] = field(default_factory=dict)
    own_row: dict[int, int] = field(default_factory=dict)
    time_cache: dict[int, dict] = field(default_factory=dict)
    mu_l: list | None = None         # mu as lists (see RoutingModel._estimate)
    reasons: dict[int, Note] = field(default_factory=dict)
    sources: dict[tuple, tuple] = field(default_factory=dict)
    # base group -> (token -> its position in the group's routing; the group's items' first operation
    # (rows of the op arrays) and first among the similar items' operations; their similarities)
    base_sources: dict[int, tuple] = field(default_factory=dict)
    operations: dict[tuple, tuple] = field(default_factory=dict)
    # (base group, or -1 for all the similar items, token) -> (operation, time estimate, handed out)
    cores: dict[tuple, tuple] = field(default_factory=dict)
    used: set[tuple] = field(default_factory=set)    # keys of `operations` already in a routing
    # the search result as Python lists: a candidate's operations are built from a few of its
    # values at a time, where indexing numpy arrays costs more than the work itself
    sims_l: list[float] = field(default_factory=list)
    _nops: _NeighbourOps | None = None

    def __post_init__(self) -> None:
        self.sims_l = self.sims.tolist()

    def reason(self, t: int, make) -> Note:
        if t not in self.reasons:
            self.reasons[t] = make()
        return self.reasons[t]

    def neighbour_ops(self, arrays: dict[str, np.ndarray]) -> _NeighbourOps:
        """The similar items' operations, gathered once (see _NeighbourOps)."""
        if self._nops is None:
            self._nops = _NeighbourOps.gather(arrays, self.idx)
        return self._nops


@dataclass
class _NeighbourOps:
    """The operations of a query's similar items, in order, as Python lists: a candidate's
    operations are built from a few of their values at a time, where indexing numpy arrays costs
    more than the work itself. starts[r]: similar item r's first operation (row of the op
    arrays); first[r]: its first one here; tokens[r]: its operation tokens."""

    starts: list[int]
    first: list[int]
    tokens: list[list[int]]
    values: dict[str, list]

    @classmethod
    def gather(cls, a: dict[str, np.ndarray], idx: np.ndarray) -> _NeighbourOps:
        starts = a["op_ptr"][idx]
        lens = a["op_ptr"][idx + 1] - starts
        first = np.cumsum(lens) - lens
        rows = np.repeat(starts - first, lens) + np.arange(int(lens.sum()))
        values = {k: a[f"op_{k}"][rows].tolist() for k in ("tok", "res", "inside", "bp", "order", "wait", "move",
                                                           "setup")}
        tok = values["tok"]
        return cls(starts.tolist(), first.tolist(),
                   [tok[f:f + n] for f, n in zip(first.tolist(), lens.tolist())], values)


# _new_operation copies these defaults into each new Operation: a field with a default_factory (one
# list shared by every operation) or a __post_init__ would need __init__ again
assert not hasattr(Operation, "__post_init__") and all(
    f.default_factory is dataclasses.MISSING for f in dataclasses.fields(Operation)), "see _new_operation"
_OPERATION_FIELDS = {f.name: (f.default if f.default is not dataclasses.MISSING else None)
                     for f in dataclasses.fields(Operation)}
_OPERATION_FIELDS.update(PROC_SEQ=0, JOB_CD="")


def _new_operation(**values) -> Operation:
    """Operation(PROC_SEQ=0, **values) without the dataclass's __init__ (its 20 arguments parsed
    for each of a batch's tens of thousands of operations)."""
    op = object.__new__(Operation)
    d = op.__dict__
    d.update(_OPERATION_FIELDS)
    d.update(values)
    return op


def _made(notes: dict, value, key: str, *values) -> Note:
    """Note(key, *values), kept in `notes` under `value` (RoutingModel._note's, or one kind's, see
    _notes_of); at most 100,000 kept."""
    if len(notes) >= 100_000:
        notes.clear()
    made = notes[value] = Note(key, *values)
    return made


def _copy_operation(op: Operation) -> Operation:
    """A shallow copy of an Operation (copy.copy without its generic machinery)."""
    new = object.__new__(Operation)
    new.__dict__.update(op.__dict__)
    return new


def _unusable(whose: str, raw: int, impossible: int) -> Note:
    """Why none of `raw` work results could be used: hours no shop can book (all or some of them), or
    zero or missing hours."""
    if impossible == raw:
        return Note("impossible_" + whose, raw)
    if impossible:
        return Note("left_out_" + whose, raw, impossible)
    return Note("unusable_" + whose, raw)


def _median_or_zero(v: np.ndarray) -> float:
    return _median_of(v.tolist())


def _median_of(values: list[float]) -> float:
    """The median of the values that are not NaN, 0.0 when none is."""
    if len(values) == 1:      # an operation copied from one item: most of them
        x = values[0]
        return float(x) if x == x else 0.0
    vals = [x for x in values if x == x]    # a few values: plain Python is quicker than numpy
    vals.sort()
    n = len(vals)
    if not n:
        return 0.0
    return float(vals[n // 2]) if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2.0


def _sorted_quantile(v: np.ndarray, q: float) -> float:
    """Linear-interpolated quantile of an already sorted array (np.percentile without its overhead)."""
    pos = q * (v.size - 1)
    lo = int(pos)
    hi = min(lo + 1, v.size - 1)
    return float(v[lo] + (v[hi] - v[lo]) * (pos - lo))
