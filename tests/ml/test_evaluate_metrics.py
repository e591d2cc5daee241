"""The evaluation's metrics on small hand-made cases, where every figure can be worked out by hand."""
from __future__ import annotations

import math

import polars as pl
import pytest

from app.ml.evaluate import (
    CEILING, LOT, METRICS, Truth, _Guess, ahead, ape, ceiling_scores, levenshtein, lot_total, mdape,
    rule_sequences, score_method, sequence_scores, truth_lot_totals,
)
from app.domain.schema import INSIDE, OUTSIDE


@pytest.mark.parametrize("a, b, distance", [
    (["A", "B", "C"], ["A", "B", "C"], 0),
    (["A", "B", "C"], ["A", "C"], 1),                 # one deleted
    (["A", "C"], ["A", "B", "C"], 1),                 # one inserted
    (["A", "B", "C"], ["A", "X", "C"], 1),            # one replaced
    (["A", "B", "C"], ["C", "B", "A"], 2),            # reversed: two replacements
    (["A", "B", "C", "D"], ["B", "A", "C", "D"], 2),  # a swap of neighbours costs two
    ([], ["A", "B", "C"], 3),
    (["Q10", "A10", "A01", "Q30", "F61"], ["A10", "A01", "A02", "Q30", "F61"], 2),
])
def test_levenshtein_counts_operations_inserted_deleted_or_replaced(a, b, distance):
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


def test_sequence_scores_of_a_hand_made_case():
    truth = ["A", "B", "C", "D"]
    s = sequence_scores(truth, [["A", "B", "D"], ["X"], ["A", "B", "C", "D"], ["A"]])
    assert s["top1_exact"] == 0.0
    assert s["top3_hit"] == 1.0                     # the third candidate is the truth
    assert s["edit_distance"] == 1.0
    assert s["levenshtein"] == pytest.approx(1 - 1 / 4)
    assert s["jaccard"] == pytest.approx(3 / 4)     # {A,B,D} of {A,B,C,D}
    # a truth only in fourth place is no top-3 hit; repeated operations count once in the sets
    s = sequence_scores(["A", "B", "A"], [["B"], ["C"], ["D"], ["A", "B", "A"]])
    assert s["top3_hit"] == 0.0
    assert s["jaccard"] == pytest.approx(1 / 2)
    assert s["edit_distance"] == 2.0 and s["levenshtein"] == pytest.approx(1 / 3)
    # no candidate at all: nothing matches
    s = sequence_scores(["A"], [])
    assert (s["top1_exact"], s["top3_hit"], s["jaccard"], s["edit_distance"]) == (0.0, 0.0, 0.0, 1.0)


def test_absolute_percentage_errors_and_their_median():
    assert ape(12.0, 10.0) == pytest.approx(0.2)
    assert ape(7.5, 10.0) == pytest.approx(0.25)
    assert ape(5.0, 0.0) is None and ape(5.0, None) is None and ape(float("nan"), 3.0) is None
    med, within = mdape([0.1, 0.3, 0.2, 0.5])
    assert med == pytest.approx(0.25) and within == pytest.approx(0.5)
    med, within = mdape([0.25, 0.26, 0.9])
    assert med == pytest.approx(0.26) and within == pytest.approx(1 / 3)
    assert all(math.isnan(v) for v in mdape([]))


def test_lot_total_counts_setup_once_and_run_per_piece():
    run, setup = {"A": 1.5, "B": 2.0}, {"A": 10.0}
    assert lot_total(["A", "B"], run, setup) == pytest.approx(10 + 10 * 1.5 + 0 + 10 * 2.0)
    assert lot_total(["A", "B", "C"], run, setup, lot=1) == pytest.approx(10 + 1.5 + 2.0)
    assert LOT == 10


def test_actual_lot_totals_skip_outsourced_steps_and_items_without_every_actual():
    cur = pl.DataFrame({"ITEM_CD": ["I1", "I1", "I1", "I2", "I2"],
                        "JOB_CD": ["A", "H", "B", "A", "B"],
                        "INSIDE_FLAG": [INSIDE, OUTSIDE, INSIDE, INSIDE, INSIDE]})
    run = {("I1", "A"): 1.0, ("I1", "B"): 0.5, ("I2", "A"): 2.0}
    setup = {("I1", "A"): 20.0, ("I1", "B"): 5.0, ("I2", "A"): 3.0, ("I2", "B"): 4.0}
    totals = truth_lot_totals(cur, run, setup)
    assert totals == {"I1": pytest.approx(20 + 10 * 1.0 + 5 + 10 * 0.5)}   # I2 has no run actual for B


def _truth() -> Truth:
    return Truth(sequences={"I1": ["A", "B"], "I2": ["A", "C", "D"]},
                 run={("I1", "A"): 2.0, ("I1", "B"): 1.0, ("I2", "A"): 4.0, ("I2", "C"): 1.0, ("I2", "D"): 1.0},
                 setup={("I1", "A"): 10.0, ("I1", "B"): 10.0, ("I2", "A"): 20.0, ("I2", "C"): 5.0, ("I2", "D"): 5.0},
                 lot={"I1": 10 + 20 + 10 + 10, "I2": 20 + 40 + 5 + 10 + 5 + 10})


def test_a_method_scored_on_two_items_by_hand():
    guesses = {
        # right routing; run A 10 % high, B exact; setup A exact, B 50 % high
        "I1": _Guess([["A", "B"]], {"A": 2.2, "B": 1.0}, {"A": 10.0, "B": 15.0}),
        # one step missing (D), truth second; run A 25 % low, C 100 % high; setup A exact
        "I2": _Guess([["A", "C"], ["A", "C", "D"]], {"A": 3.0, "C": 2.0}, {"A": 20.0}),
    }
    row = score_method(["I1", "I2"], guesses, _truth())
    assert set(METRICS) <= set(row)
    assert row["top1_exact"] == pytest.approx(0.5)
    assert row["top3_hit"] == pytest.approx(1.0)
    assert row["edit_distance"] == pytest.approx((0 + 1) / 2)
    assert row["levenshtein"] == pytest.approx((1.0 + (1 - 1 / 3)) / 2)
    assert row["jaccard"] == pytest.approx((1.0 + 2 / 3) / 2)
    # run errors 0.1, 0, 0.25, 1.0 -> median 0.175, within ±25 %: 3 of 4
    assert row["run_mdape"] == pytest.approx(0.175) and row["run_within_25"] == pytest.approx(0.75)
    # setup errors 0, 0.5, 0 -> median 0, within: 2 of 3
    assert row["setup_mdape"] == pytest.approx(0.0) and row["setup_within_25"] == pytest.approx(2 / 3)
    # lot of 10: I1 predicted 10 + 22 + 15 + 10 = 57 vs 50 (14 %); I2 predicted 20 + 30 + 0 + 20 = 70 vs 90 (22.2 %)
    assert row["lot10_mdape"] == pytest.approx((7 / 50 + 20 / 90) / 2)
    assert row["lot10_within_25"] == pytest.approx(1.0)
    assert row["time_pairs"] == 4 and row["lot_items"] == 2


def test_an_item_without_a_guess_scores_as_wrong():
    row = score_method(["I1", "I2"], {"I1": _Guess([["A", "B"]], {}, {})}, _truth())
    assert row["top1_exact"] == pytest.approx(0.5)
    assert math.isnan(row["run_mdape"])                  # no time guessed, none scored


def test_the_ceiling_scores_rule_routings_on_sequences_only():
    rules = pl.DataFrame({"ITEM_CD": ["I2", "I2", "I2", "I1", "I1", "NEW"],
                          "PROC_SEQ": [30.0, 10.0, 20.0, 20.0, 10.0, 10.0],
                          "JOB_CD": ["D", "A", "C", "X", "A", "A"]})
    seqs = rule_sequences(rules)
    assert seqs == {"I1": ["A", "X"], "I2": ["A", "C", "D"], "NEW": ["A"]}        # in PROC_SEQ order
    row = ceiling_scores(["I1", "I2"], seqs, _truth())
    assert row["top1_exact"] == pytest.approx(0.5) and math.isnan(row["top3_hit"])     # one routing, no top 3
    assert row["edit_distance"] == pytest.approx(0.5) and row["items"] == 2
    assert all(math.isnan(row[k]) for k in ("run_mdape", "setup_mdape", "lot10_mdape"))
    assert ceiling_scores(["I1"], {}, _truth()) is None
    assert rule_sequences(None) == {}
    assert CEILING == "ceiling"


def test_ahead_means_better_on_every_metric_whichever_way_it_points():
    a = {"top1_exact": 0.8, "edit_distance": 0.3}
    b = {"top1_exact": 0.7, "edit_distance": 0.4}
    assert ahead(a, b, ("top1_exact", "edit_distance"))
    assert not ahead(b, a, ("top1_exact", "edit_distance"))
    assert not ahead(a, dict(b, edit_distance=0.2), ("top1_exact", "edit_distance"))
