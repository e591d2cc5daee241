"""Training reads the store's copy of the views as query plans and with fewer strings: what it reads
is what the window and the exports read."""
from __future__ import annotations

import polars as pl

from app.domain.schema import ITEMS, RESULTS, ROUTINGS
from app.ml.model import current_routings
from app.services.models import TRAIN_RESULT_COLUMNS, TRAIN_ROUTING_COLUMNS


def test_a_scanned_view_is_the_view_as_read(trained_store):
    for kind, cols in ((ROUTINGS, TRAIN_ROUTING_COLUMNS), (RESULTS, TRAIN_RESULT_COLUMNS), (ITEMS, None)):
        assert trained_store.scan_view(kind, cols).collect().equals(trained_store.read_view(kind, cols)), kind


def test_the_current_routings_are_the_same_from_a_scan(trained_store):
    frame = trained_store.read_view(ROUTINGS, TRAIN_ROUTING_COLUMNS)
    assert current_routings(trained_store.scan_view(ROUTINGS, TRAIN_ROUTING_COLUMNS)).equals(current_routings(frame))


def test_codes_read_as_categories_are_the_same_codes(trained_store):
    cats = trained_store.read_view(RESULTS, TRAIN_RESULT_COLUMNS, categorical=("ITEM_CD", "JOB_CD"))
    assert cats.schema["ITEM_CD"] == pl.Categorical
    plain = trained_store.read_view(RESULTS, TRAIN_RESULT_COLUMNS)
    assert cats.with_columns(pl.col("ITEM_CD", "JOB_CD").cast(pl.Utf8)).equals(plain)


def test_a_few_items_are_read_by_code_in_the_order_asked(trained_store):
    codes = trained_store.item_codes()
    asked = [codes[7], "NO-SUCH-ITEM", codes[2], codes[7], codes[-1]]
    found = trained_store.read_view(ITEMS, where_items=asked)
    assert found["ITEM_CD"].to_list() == [codes[7], codes[2], codes[-1]]
    assert found.equals(trained_store.items().filter(pl.col("ITEM_CD").is_in(asked))
                        .sort(pl.col("ITEM_CD").replace_strict({codes[7]: 0, codes[2]: 1, codes[-1]: 2})))


def test_operation_tokens_count_a_job_again_within_its_routing():
    """An operation's token is its JOB_CD, with #2, #3 for its second and third time in the same
    item's routing (a missing JOB_CD counted apart from ""), numbered in order of first appearance."""
    import numpy as np

    from app.ml.model import _factorize, _operation_tokens
    rng = np.random.default_rng(2)
    n = 5000
    jobs = ["J10", "J20", "", None, "J30", "J10#2"]
    frame = pl.DataFrame({"_i": np.sort(rng.integers(0, 400, n)).astype(np.int32),
                          "JOB_CD": [jobs[k] for k in rng.integers(0, len(jobs), n)]})
    occ = frame.select(pl.col("JOB_CD").fill_null("").cum_count().over(["_i", "JOB_CD"]).alias("_o"))["_o"]
    names = frame["JOB_CD"].fill_null("") + pl.when(occ > 1).then("#" + occ.cast(pl.Utf8)).otherwise(pl.lit(""))
    expected, expected_vocab = _factorize(frame.select(names.alias("_t"))["_t"])
    job, job_vocab = _factorize(frame["JOB_CD"])
    tok, vocab = _operation_tokens(frame["_i"].to_numpy(), job, frame["JOB_CD"].is_null().to_numpy(), job_vocab)
    assert vocab == expected_vocab and "J10#3" in vocab and "#2" in vocab
    assert tok.tolist() == expected.tolist()
