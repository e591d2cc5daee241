"""The work results a model keeps per item and operation are the cleaned results, however they are
read (a frame of strings, or categories as training reads them)."""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from app.ml.model import aggregate_actuals, clean_actuals, impossible_hours_lazy


def _results(rng: np.random.Generator, n: int = 4000) -> pl.DataFrame:
    items = [f"IT{i:03d}" for i in range(60)]
    jobs = ["J10", "J20", "J30", "", None, "UNKNOWN"]
    frame = pl.DataFrame({
        "ITEM_CD": rng.choice(items, n).tolist(),
        "ROUT_NO": rng.choice(["001", "002"], n).tolist(),
        "PROC_SEQ": rng.integers(1, 5, n).astype(float) * 10,
        "JOB_CD": [jobs[k] for k in rng.integers(0, len(jobs), n)],
        "REPORT_DT": rng.integers(0, 40, n).astype("datetime64[D]").astype("datetime64[us]"),
        "MACH_WORKED_HOURS": np.where(rng.random(n) < 0.05, -1.0, rng.lognormal(0, 0.6, n)),
        "SETUP_HOURS": np.where(rng.random(n) < 0.1, 0.0, rng.lognormal(-1, 0.4, n)),
        "ORDER_QTY": np.where(rng.random(n) < 0.03, 0.0, rng.integers(1, 50, n).astype(float)),
    })
    # hours no shop can book: an ORDER_QTY of 1e-9, setup hours far below the operation's range,
    # infinite, not-a-number or missing hours and quantities (the rules of impossible_hours_lazy,
    # and what they leave)
    odd = rng.random(n)
    nan = float("nan")
    frame = frame.with_columns(
        pl.when(pl.lit(odd < 0.02)).then(1e-9).when(pl.lit((odd > 0.4) & (odd < 0.41))).then(nan)
        .when(pl.lit((odd > 0.42) & (odd < 0.43))).then(None).otherwise(pl.col("ORDER_QTY")).alias("ORDER_QTY"),
        pl.when(pl.lit((odd > 0.5) & (odd < 0.52))).then(1e-7).when(pl.lit((odd > 0.6) & (odd < 0.61))).then(nan)
        .when(pl.lit((odd > 0.62) & (odd < 0.63))).then(None).otherwise(pl.col("SETUP_HOURS")).alias("SETUP_HOURS"),
        pl.when(pl.lit((odd > 0.7) & (odd < 0.71))).then(float("inf"))
        .when(pl.lit((odd > 0.8) & (odd < 0.82))).then(None)
        .when(pl.lit((odd > 0.9) & (odd < 0.91))).then(nan)
        .otherwise(pl.col("MACH_WORKED_HOURS")).alias("MACH_WORKED_HOURS"))
    return pl.concat([frame, frame.head(300)])     # orders reported twice count once


def test_kept_results_are_the_cleaned_ones_per_item_and_operation():
    rng = np.random.default_rng(5)
    raw = _results(rng)
    codes = pl.Series(sorted(set(raw["ITEM_CD"].to_list()))[5:])       # some items are not indexed
    job_vocab = ["J20", "", "J10"]                                      # J30 is no routing's operation
    expected = (clean_actuals(raw).with_columns(pl.col("JOB_CD").fill_null(""))
                .filter(pl.col("ITEM_CD").is_in(codes.implode()) & pl.col("JOB_CD").is_in(job_vocab)))
    as_read = raw.with_columns(pl.col(c).cast(pl.Categorical) for c in ("ITEM_CD", "ROUT_NO", "JOB_CD"))
    for frame in (raw, as_read, raw.lazy()):
        agg = aggregate_actuals(frame, codes, job_vocab)
        seen = 0
        for i, code in enumerate(codes.to_list()):
            for r in range(agg["agg_ptr"][i], agg["agg_ptr"][i + 1]):
                job = job_vocab[agg["agg_job"][r]]
                rows = expected.filter((pl.col("ITEM_CD") == code) & (pl.col("JOB_CD") == job))
                assert agg["agg_raw"][r] == rows.height
                assert agg["agg_impossible"][r] == rows["run_impossible"].sum()
                for col in ("run", "setup"):
                    logs = np.log(rows[f"{col}_min"].drop_nulls().to_numpy())
                    assert agg[f"agg_n_{col}"][r] == len(logs)
                    if len(logs):
                        assert math.isclose(agg[f"agg_mu_{col}"][r], logs.mean(), rel_tol=1e-5, abs_tol=1e-5)
                        assert math.isclose(agg[f"agg_ss_{col}"][r], ((logs - logs.mean()) ** 2).sum(),
                                            rel_tol=1e-3, abs_tol=1e-4)
                seen += rows.height
        assert seen == expected.height


def test_the_odd_results_are_set_aside_as_cleaning_says():
    """The test data holds what the rules are for: impossible hours are counted, not used."""
    rng = np.random.default_rng(5)
    raw = _results(rng)
    codes = pl.Series(sorted(set(raw["ITEM_CD"].to_list())))
    agg = aggregate_actuals(raw, codes, ["J10", "J20", "J30", ""])
    cleaned = clean_actuals(raw)
    tiny_qty = cleaned.filter(pl.col("ORDER_QTY") == 1e-9)
    assert tiny_qty.height and tiny_qty["run_min"].null_count() == tiny_qty.height
    assert tiny_qty["run_impossible"].all()
    tiny_setup = cleaned.filter(pl.col("SETUP_HOURS") == 1e-7)
    assert tiny_setup.height and tiny_setup["setup_min"].null_count() == tiny_setup.height
    assert 0 < agg["agg_impossible"].sum() < agg["agg_raw"].sum()


def test_a_float_nan_in_hours_or_quantity_is_an_impossible_result_not_a_missing_one():
    """A NaN the source held (not an empty cell) is hours no shop can book: left out of the times
    and counted for the notes, as the other impossible hours; an empty cell is only unusable."""
    nan = float("nan")
    hours = [1.0, 1.1, 1.2, 0.9, nan, 1.0, 1.0, None, 1.0]
    setup = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, nan, 0.5, 0.5]
    qty = [10.0, 10.0, 10.0, 10.0, 10.0, nan, 10.0, 10.0, None]
    n = len(hours)
    raw = pl.DataFrame({"ITEM_CD": ["A"] * n, "ROUT_NO": ["001"] * n, "PROC_SEQ": [10.0] * n, "JOB_CD": ["J10"] * n,
                        "REPORT_DT": np.arange(n).astype("datetime64[D]").astype("datetime64[us]"),
                        "MACH_WORKED_HOURS": hours, "SETUP_HOURS": setup, "ORDER_QTY": qty},
                       schema_overrides={c: pl.Float64 for c in ("MACH_WORKED_HOURS", "SETUP_HOURS", "ORDER_QTY")})
    agg = aggregate_actuals(raw, pl.Series(["A"]), ["J10"])
    assert agg["agg_raw"].tolist() == [n]
    assert agg["agg_impossible"].tolist() == [2]          # the NaN hours and the NaN quantity, not the empty cells
    usable_run = [h * 60.0 / q for h, q in [(1.0, 10.0), (1.1, 10.0), (1.2, 10.0), (0.9, 10.0), (1.0, 10.0)]]
    assert agg["agg_n_run"].tolist() == [len(usable_run)]
    assert math.isclose(agg["agg_mu_run"][0], np.log(usable_run).mean(), rel_tol=1e-6)
    assert agg["agg_n_setup"].tolist() == [n - 1]          # every setup but the NaN one
    cleaned = clean_actuals(raw)
    assert cleaned["run_impossible"].to_list() == [False] * 4 + [True, True] + [False] * 3
    assert cleaned["run_min"].is_not_null().sum() == len(usable_run)
    assert cleaned["setup_min"].is_null().to_list() == [False] * 6 + [True] + [False] * 2
    problems = impossible_hours_lazy(raw.lazy()).collect()
    assert problems["run_problem"].to_list()[4:6] == ["not a number", "not-a-number ORDER_QTY"]
    assert problems["setup_problem"].to_list()[6] == "not a number"


def test_orders_reported_twice_count_once_and_the_first_is_kept():
    """_first_of_identical keeps what unique(maintain_order=True) keeps, rows with NaN, missing
    values and categories included."""
    from app.ml.model import _first_of_identical
    rng = np.random.default_rng(11)
    raw = _results(rng, 3000)
    frame = pl.concat([raw, raw.sample(700, seed=3), raw.tail(50)]).with_row_index("_at")
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=4)
    for f in (shuffled.drop("_at"), shuffled.drop("_at").with_columns(pl.col("ITEM_CD", "JOB_CD").cast(pl.Categorical))):
        keep = _first_of_identical(f)
        assert f.filter(pl.Series(keep)).equals(f.unique(maintain_order=True))
    assert _first_of_identical(raw.head(1)).tolist() == [True]
