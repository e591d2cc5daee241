"""Evaluation as the Training tab and `routing-ml evaluate` run it: every metric for the model, the
three baselines and, for a demo plant, its ceiling."""
from __future__ import annotations

import math

import polars as pl
import pytest

from app.cli import main
from app.demo import RULE_ROUTINGS, generate_member, write
from app.domain.routing import RoutingError
from app.ml.evaluate import CEILING, METHODS, METRICS, SEQUENCE_METRICS
from app.services import evaluation, models
from app.services.importing import import_source

MAX_ITEMS = 300


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, trained_store_template):
    """The trained demo store, evaluated once (on a copy)."""
    import shutil

    from app.store.db import Store
    dest = tmp_path_factory.mktemp("evaluated") / "store"
    shutil.copytree(trained_store_template, dest)
    store = Store(str(dest / "store.sqlite"))
    result = evaluation.evaluate(store, max_items=MAX_ITEMS)
    yield store, result
    store.dispose()


def test_every_method_has_every_metric_and_the_ceiling_its_sequence_metrics(evaluated):
    store, result = evaluated
    methods = result["methods"]
    assert list(methods) == [*METHODS, CEILING]
    for method in METHODS:
        for metric in METRICS:
            assert not math.isnan(methods[method][metric]), (method, metric)
        assert 0 <= methods[method]["top1_exact"] <= methods[method]["top3_hit"] <= 1
        assert methods[method]["lot_items"] > 0.3 * result["evaluated_items"]
    for metric in SEQUENCE_METRICS:
        assert math.isnan(methods[CEILING][metric]) == (metric == "top3_hit"), metric
    assert math.isnan(methods[CEILING]["run_mdape"])                 # rules name operations, not times
    assert methods[CEILING]["items"] == result["evaluated_items"]
    # the rule routings are the best one can propose: no baseline passes them
    for method in ("knn_vote", "nearest_item", "part_type_mode"):
        assert methods[CEILING]["top1_exact"] > methods[method]["top1_exact"], method
    assert result["gap_to_ceiling"] == pytest.approx(methods[CEILING]["top1_exact"] - methods["model"]["top1_exact"])
    assert RULE_ROUTINGS in result["ceiling_source"]
    saved = next(m for m in models.list_models(store) if m["active"])["metrics"]
    assert CEILING in saved["methods"] and "lot10_mdape" in saved["methods"]["model"]


def test_the_cli_prints_every_row_and_column(evaluated, capsys):
    store, _ = evaluated
    rc = main(["evaluate", "--max-items", str(MAX_ITEMS), "--store", str(store.path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    for label in ("Routing ML", "plain kNN vote (k=15, similarity²)", "single nearest item",
                  "most frequent routing of PART_TYPE", "plant's ceiling (rule routing)"):
        assert sum(line.startswith(f"| {label} |") for line in out.splitlines()) == 1, label
    for column in ("top-1 exact", "top-3 hit", "Levenshtein sim.", "edit distance", "op-set Jaccard", "run MdAPE",
                   "setup MdAPE", "lot-10 total MdAPE"):
        assert f"| {column} |" in out, column
    assert "points below it" in out
    model_row = next(line for line in out.splitlines() if line.startswith("| Routing ML |"))
    assert "–" not in model_row                                         # every figure of the model is there


def test_an_import_keeps_the_rule_routings_and_the_next_import_drops_stale_ones(tmp_path, empty_store):
    plant = generate_member(5, 600)
    folder = write(plant, tmp_path / "plant5")
    import_source(empty_store, str(folder))
    kept = evaluation.stored_rule_routings(empty_store)
    assert kept is not None
    assert kept["ITEM_CD"].to_list() == plant.rule_routings["ITEM_CD"].to_list()
    assert kept["JOB_CD"].to_list() == plant.rule_routings["JOB_CD"].to_list()
    (folder / f"{RULE_ROUTINGS}.csv").unlink()                          # a plant without them
    import_source(empty_store, str(folder))
    assert evaluation.stored_rule_routings(empty_store) is None


def test_a_ceiling_file_is_read_in_either_encoding_and_a_bad_one_is_named(tmp_path):
    member = next(m for m in range(1, 11) if generate_member(m, 50).encoding == "cp949")
    plant = generate_member(member, 300)
    folder = write(plant, tmp_path / "plant")
    for where in (folder / f"{RULE_ROUTINGS}.csv", folder):
        frame = evaluation.load_rule_routings(where)
        assert frame["JOB_CD"].to_list() == plant.rule_routings["JOB_CD"].to_list()
    with pytest.raises(RoutingError, match="no such file"):
        evaluation.load_rule_routings(tmp_path / "nowhere.csv")
    bad = tmp_path / "bad" / f"{RULE_ROUTINGS}.csv"
    bad.parent.mkdir()
    bad.write_text("ITEM_CD,PROC_SEQ,JOB_CD\nA-1,10,X\nA-1,twenty,Y\n", encoding="utf-8")
    with pytest.raises(RoutingError, match=rf"{RULE_ROUTINGS}.csv line 3.*twenty"):
        evaluation.load_rule_routings(bad)
    (tmp_path / "bad" / "other.csv").write_text("ITEM_CD\n", encoding="utf-8")
    with pytest.raises(RoutingError, match="other.csv has no column PROC_SEQ, JOB_CD"):
        evaluation.load_rule_routings(tmp_path / "bad" / "other.csv")
    bad.unlink()
    with pytest.raises(RoutingError, match=f"holds no {RULE_ROUTINGS}"):
        evaluation.load_rule_routings(tmp_path / "bad")


def test_cli_refuses_a_missing_ceiling_file_on_one_line(evaluated, tmp_path, capsys):
    store, _ = evaluated
    rc = main(["evaluate", "--ceiling", str(tmp_path / "missing.csv"), "--store", str(store.path)])
    _, err = capsys.readouterr()
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "missing.csv" in err


def test_the_family_bench_names_its_plants():
    from app.bench_family import parse_members
    assert parse_members("dev") == list(range(1, 11))
    assert parse_members("held-out") == [21, 22, 23, 24, 25]
    assert parse_members("1,4,7-9") == [1, 4, 7, 8, 9]
    with pytest.raises(SystemExit, match="x"):
        parse_members("1,x")


def test_the_family_bench_runs_the_user_path_on_a_plant(tmp_path, capsys):
    """demo-data, import, train and evaluate as child processes; the table has the ceiling and the gap."""
    from app import bench
    rc = bench.main(["--family", "7", "--items", "700", "--max-items", "120", "--workdir", str(tmp_path),
                     "--json", str(tmp_path / "family.json")])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "| plant's ceiling (rule routing) |" in out and "gap to ceiling" in out
    summary_row = next(line for line in out.splitlines() if line.startswith("| 7 |"))
    assert "pts" in summary_row
    import json
    (result,) = json.loads((tmp_path / "family.json").read_text(encoding="utf-8"))
    assert result["plant"] == 7 and CEILING in result["methods"]
    items = pl.read_csv(tmp_path / "plant7" / "BI_ITEM_INFO_VIEW.csv", encoding="utf8-lossy", infer_schema=False)
    assert items.height == 700
