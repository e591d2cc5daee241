"""What the model learns from the plant's own history, as an engineer would notice it."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from app.demo import generator
from app.ml.model import PredictOptions, RoutingModel, current_routings
from app.ml.registry import read_model, write_model

CMM = "Q50-1"


def _with_cmm_rule(plant: generator.DemoPlant, seed: int = 11) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The demo plant, where a quarter of the items become non-standard (STANDARD_YN = N) and every
    such item's routings get a CMM inspection before their last operation: a rule one flag decides,
    one column among many in its group."""
    rng = np.random.default_rng(seed)
    items = plant.items.with_columns(
        pl.Series("STANDARD_YN", np.where(rng.random(plant.items.height) < 0.25, "N", "Y")))
    flagged = items.filter(pl.col("STANDARD_YN") == "N").select("ITEM_CD")
    r = plant.routings.sort(["ITEM_CD", "ROUT_NO", "PROC_SEQ"])
    last = r.group_by(["ITEM_CD", "ROUT_NO"]).agg(pl.col("PROC_SEQ").max().alias("_last"))
    extra = (r.join(last, on=["ITEM_CD", "ROUT_NO"]).filter(pl.col("PROC_SEQ") == pl.col("_last"))
             .join(flagged, on="ITEM_CD", how="semi").drop("_last")
             .with_columns(pl.col("PROC_SEQ") - 1, pl.lit(CMM).alias("JOB_CD"), pl.lit("CMM 검사").alias("JOB_NM"),
                           pl.lit("INS-WC3").alias("RES_CD")))
    return items, pl.concat([r, extra.select(r.columns)]).sort(["ITEM_CD", "ROUT_NO", "PROC_SEQ"])


@pytest.fixture(scope="module")
def flagged_plant():
    plant = generator.generate(4000, seed=5)
    items, routings = _with_cmm_rule(plant)
    routed = routings["ITEM_CD"].unique().sort()
    held_out = set(routed.sample(fraction=0.15, seed=3).to_list())
    train_routings = routings.filter(~pl.col("ITEM_CD").is_in(list(held_out)))
    train_results = plant.results.filter(~pl.col("ITEM_CD").is_in(list(held_out)))
    model = RoutingModel.train("t", items, train_routings, train_results)
    test_items = items.filter(pl.col("ITEM_CD").is_in(list(held_out))).sort("ITEM_CD")
    return model, items, routings, test_items, plant.results


def _predict(model: RoutingModel, frame: pl.DataFrame, **opts):
    Q = model.encoder.encode(frame)
    return model.predict_vectors(frame["ITEM_CD"].to_list(), Q, PredictOptions(**opts), items=frame)


def test_an_operation_one_flag_decides_is_proposed_for_flagged_items_only(flagged_plant):
    model, _items, _routings, test_items, _results = flagged_plant
    preds = _predict(model, test_items)
    flag = dict(zip(test_items["ITEM_CD"].to_list(), test_items["STANDARD_YN"].to_list()))
    has = {p.ITEM_CD: any(o.JOB_CD == CMM for o in p.candidates[0].operations) for p in preds if p.candidates}
    flagged = [has[c] for c in has if flag[c] == "N"]
    plain = [has[c] for c in has if flag[c] == "Y"]
    assert len(flagged) > 50 and len(plain) > 50
    assert np.mean(flagged) > 0.95, "non-standard items should get the CMM inspection"
    assert np.mean(plain) < 0.05, "standard items should not"
    # where most similar items are standard ones, the vote alone would leave the step out: the
    # learned rule is what adds it
    flagged_codes = set(_items.filter(pl.col("STANDARD_YN") == "N")["ITEM_CD"].to_list())
    outvoted = [p.ITEM_CD for p in preds if flag[p.ITEM_CD] == "N" and
                sum(s.ITEM_CD in flagged_codes for s in p.similar_items) < len(p.similar_items) / 2]
    assert len(outvoted) >= 5
    assert np.mean([has[c] for c in outvoted]) > 0.9


def test_the_explanation_names_the_deciding_attribute(flagged_plant):
    model, _items, _routings, test_items, _results = flagged_plant
    flagged = test_items.filter(pl.col("STANDARD_YN") == "N").head(20)
    for p in _predict(model, flagged):
        op = next(o for o in p.candidates[0].operations if o.JOB_CD == CMM)
        assert "STANDARD_YN" in op.REASON and "such items have it" in op.REASON, op.REASON
        assert op.REASON.key == "why_rule"
        # "N of M such items have it": most items at the tree's leaf have it
        have, of = op.REASON.values[1], op.REASON.values[2]
        assert of >= 10 and have / of > 0.9
    # the Training tab's list of what decides each operation ranks the flag first for the CMM step
    learned = {o["token"]: o for o in model.info["learned"]["operations"]}
    kind, column, value, share = learned[CMM]["deciding"][0]
    assert (column, value) == ("STANDARD_YN", "N") or (column, value) == ("STANDARD_YN", "Y")
    assert share > 0.5


def test_scores_say_how_often_such_a_candidate_was_right(flagged_plant):
    """The score of a candidate is a chance, not a share of votes: over many items, candidates
    scored around x were the engineer's routing about x of the time, and they are not all 1 or 0."""
    model, _items, routings, test_items, _results = flagged_plant
    preds = _predict(model, test_items)
    current = current_routings(routings.filter(pl.col("ITEM_CD").is_in(test_items["ITEM_CD"].to_list())))
    truth = {c: g["JOB_CD"].to_list() for (c,), g in current.group_by("ITEM_CD", maintain_order=True)}
    scores, hits = [], []
    for p in preds:
        for c in p.candidates:
            scores.append(c.score)
            hits.append([o.JOB_CD for o in c.operations] == truth[p.ITEM_CD])
    scores, hits = np.array(scores), np.array(hits, dtype=float)
    assert ((scores > 0.05) & (scores < 0.95)).mean() > 0.1, "scores are not just 1.000 / 0.000"
    assert abs(scores.mean() - hits.mean()) < 0.08
    high, low = scores >= 0.5, scores < 0.5
    assert hits[high].mean() > 0.6 and hits[low].mean() < 0.4


def test_run_and_setup_times_move_with_size(flagged_plant):
    model, _items, _routings, test_items, _results = flagged_plant
    item = test_items.filter(pl.col("PART_TYPE") == "SLEEVE").head(1)
    small, big = (_predict(model, item.with_columns(pl.col("OUTDIAMETER") * f))[0] for f in (1.0, 2.0))
    turn_small = {o.JOB_CD: o for o in small.candidates[0].operations}
    turn_big = {o.JOB_CD: o for o in big.candidates[0].operations}
    shared = [j for j in turn_small if j in turn_big and turn_small[j].TIME_SOURCE == "similar_actuals"]
    assert shared
    assert sum(turn_big[j].RUN_TIME for j in shared) > 1.3 * sum(turn_small[j].RUN_TIME for j in shared)
    # setup is not a constant "typical value" either: it follows the item too
    setups_small = [turn_small[j].SETUP_TIME for j in shared]
    setups_big = [turn_big[j].SETUP_TIME for j in shared]
    assert setups_small != setups_big


def test_own_results_are_weighed_by_their_count(flagged_plant):
    """One own work result moves the estimate part of the way and leaves a range; thirty of them
    decide it."""
    model, items, _routings, _test_items, _results = flagged_plant
    a = model.arrays
    times = model._learned()["times"]
    # an item of the index with usable run results for an operation the time models know
    row = next(r for r in range(len(a["agg_job"])) if a["agg_n_run"][r] >= 1 and times.has(1, int(a["agg_job"][r])))
    i = int(np.searchsorted(a["agg_ptr"], row, side="right") - 1)
    code, job_cd = model.item_codes[i], model.vocab["job"][int(a["agg_job"][row])]
    frame = items.filter(pl.col("ITEM_CD") == code)

    def run_with_own(n: float, minutes: float):
        saved = {k: a[k].copy() for k in ("agg_n_run", "agg_mu_run")}
        a["agg_n_run"][row], a["agg_mu_run"][row] = n, np.log(minutes)
        try:
            p = _predict(model, frame)[0]
        finally:
            a.update(saved)
        return next(o for c in p.candidates for o in c.operations if o.JOB_CD == job_cd)

    base = run_with_own(0, 1.0)
    target = base.RUN_TIME * 3.0
    one, many = run_with_own(1, target), run_with_own(30, target)
    assert base.TIME_SOURCE == "similar_actuals"
    assert base.RUN_TIME * 1.05 < one.RUN_TIME < target * 0.95, (base.RUN_TIME, one.RUN_TIME, target)
    assert one.RUN_TIME_P10 < one.RUN_TIME < one.RUN_TIME_P90   # never "P10–P90 4.32 – 4.32"
    assert abs(many.RUN_TIME - target) / target < 0.15
    assert many.TIME_SOURCE == "item_actuals"


def test_the_learned_model_round_trips_through_the_registry(flagged_plant, tmp_path):
    model, _items, _routings, test_items, _results = flagged_plant
    arrays, docs, texts = model.to_files()
    folder = write_model(tmp_path, "v1", arrays, docs, texts)
    loaded = RoutingModel.from_files("v1", *read_model(folder))
    frame = test_items.head(30)
    before, after = _predict(model, frame), _predict(loaded, frame)
    for p, q in zip(before, after):
        assert [c.score for c in p.candidates] == [c.score for c in q.candidates]
        for c, d in zip(p.candidates, q.candidates):
            assert [(o.JOB_CD, o.RUN_TIME, o.SETUP_TIME, str(o.REASON)) for o in c.operations] == \
                   [(o.JOB_CD, o.RUN_TIME, o.SETUP_TIME, str(o.REASON)) for o in d.operations]
    assert loaded.info["learned"]["operations"]


def test_an_item_predicted_alone_gets_what_it_gets_in_a_batch(flagged_plant):
    """A single prediction takes quicker paths (the search, the trees): the same routings, scores,
    times and reasons as in a batch of many."""
    model, _items, _routings, test_items, _results = flagged_plant
    frame = test_items.head(40)
    batch = _predict(model, frame, candidates=3)
    for r, together in enumerate(batch):
        alone = _predict(model, frame[r:r + 1], candidates=3)[0]
        assert [s.ITEM_CD for s in alone.similar_items] == [s.ITEM_CD for s in together.similar_items]
        assert _shown(alone) == _shown(together)


def _shown(p):
    """What the window shows of a prediction's candidates (scores as percentages)."""
    return [(round(c.score, 4), [(o.JOB_CD, o.RES_CD, o.RUN_TIME, o.SETUP_TIME, str(o.REASON)) for o in c.operations])
            for c in p.candidates]
