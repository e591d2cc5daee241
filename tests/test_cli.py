"""The command line as users' scripts call it: exit codes, one-line errors, nothing half-written."""
from __future__ import annotations

import json

import polars as pl

from app.cli import main
from app.demo import generator
from app.services import models
from app.store.db import Store


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _store_path(store: Store) -> str:
    return str(store.path)


def _an_item_without_routing(store: Store) -> str:
    routed = set(store.routed_item_codes().to_list())
    return next(c for c in store.item_codes() if c not in routed)


def test_predict_json_for_a_new_item_has_explained_candidates(trained_store, capsys):
    code = _an_item_without_routing(trained_store)
    rc, out, err = _run(capsys, "predict", "--item", code, "--json", "--candidates", "3",
                        "--store", _store_path(trained_store))
    assert rc == 0, err
    data = json.loads(out)
    assert data["model_version"] == models.active_version(trained_store)
    (pred,) = data["predictions"]
    assert pred["ITEM_CD"] == code and pred["similar_items"]
    assert 1 <= len(pred["candidates"]) <= 3
    op = pred["candidates"][0]["operations"][0]
    assert op["TIME_UNIT"] == "M" and op["TIME_SOURCE"] in ("item_actuals", "similar_actuals", "standard")


def test_text_output_explains_similar_items_and_totals(trained_store, capsys):
    code = _an_item_without_routing(trained_store)
    rc, out, _ = _run(capsys, "predict", "--item", code, "--store", _store_path(trained_store))
    assert rc == 0
    assert "similar items:" in out and "candidate 1: score" in out and "total setup + run" in out
    assert "PART_TYPE" in out or "material" in out.lower() or "same" in out.lower()


def test_unknown_item_is_named_on_one_line_with_nonzero_exit(trained_store, capsys):
    rc, out, err = _run(capsys, "predict", "--item", "NO-SUCH-ITEM", "--store", _store_path(trained_store))
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "NO-SUCH-ITEM" in lines[0]


def test_source_with_a_renamed_column_is_refused_and_the_store_is_untouched(trained_store, tmp_path, capsys):
    before = trained_store.view_counts()
    folder = tmp_path / "erp"
    plant = generator.generate(200, seed=3)
    generator.write(plant, folder)
    results_csv = folder / "BI_WORK_ORDER_RESULTS.csv"
    frame = pl.read_csv(results_csv, infer_schema_length=0)
    frame.rename({"MACH_WORKED_HOURS": "ACT_RUN_TIME"}).write_csv(results_csv)

    rc, _, err = _run(capsys, "import", "--source", str(folder), "--store", _store_path(trained_store))
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "MACH_WORKED_HOURS" in lines[0] and "ACT_RUN_TIME" in lines[0]
    assert "BI_WORK_ORDER_RESULTS" in lines[0]
    assert trained_store.view_counts() == before


def test_missing_optional_column_imports_with_a_warning_naming_it(trained_store, tmp_path, capsys):
    folder = tmp_path / "erp"
    generator.write(generator.generate(200, seed=3), folder)
    items_csv = folder / "BI_ITEM_INFO_VIEW.csv"
    pl.read_csv(items_csv, infer_schema_length=0).drop("ITEM_MATERIAL").write_csv(items_csv)
    rc, out, err = _run(capsys, "import", "--source", str(folder), "--store", _store_path(trained_store),
                        "--allow-shrink")   # a 200-item plant over the 3,000-item one
    assert rc == 0, err
    assert "ITEM_MATERIAL" in err and "BI_ITEM_INFO_VIEW" in err
    assert trained_store.view_counts()["items"] == 200


def test_corrupt_store_is_named(tmp_path, capsys):
    bad = tmp_path / "store.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    rc, _, err = _run(capsys, "models", "--store", str(bad))
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0]
    assert "Traceback" not in err


def test_tampered_model_is_refused_on_one_line(trained_store, capsys):
    version = models.active_version(trained_store)
    target = trained_store.models_dir / version / "X.npy"
    target.write_bytes(target.read_bytes()[:-100])
    models._cache.clear()
    code = _an_item_without_routing(trained_store)
    rc, _, err = _run(capsys, "predict", "--item", code, "--store", _store_path(trained_store))
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and version in lines[0] and "X.npy" in lines[0]


def test_train_prints_the_new_version_and_models_lists_it(trained_store, capsys):
    rc, out, err = _run(capsys, "train", "--store", _store_path(trained_store))
    assert rc == 0, err
    version = out.strip().splitlines()[-1]
    rc, out, _ = _run(capsys, "models", "--store", _store_path(trained_store))
    assert rc == 0 and version in out
    assert models.active_version(trained_store) == version


def test_items_file_in_cp949_with_a_korean_header(trained_store, tmp_path, capsys):
    code = _an_item_without_routing(trained_store)
    codes = tmp_path / "codes.csv"
    codes.write_bytes(f'품목코드,비고\n"{code}",신규\nNO-SUCH-ITEM,\n'.encode("cp949"))
    rc, out, err = _run(capsys, "predict", "--items-file", str(codes), "--json",
                        "--store", _store_path(trained_store))
    data = json.loads(out)
    assert [p["ITEM_CD"] for p in data["predictions"]] == [code]
    assert [e["ITEM_CD"] for e in data["errors"]] == ["NO-SUCH-ITEM"]   # the header is not an item
    assert rc == 0 and "NO-SUCH-ITEM" in err


def test_a_model_of_an_older_version_is_named_on_one_line(trained_store, capsys):
    from old_models import rewrite_as_older
    version = models.active_version(trained_store)
    rewrite_as_older(trained_store.models_dir / version)
    models._cache.clear()
    rc, _, err = _run(capsys, "predict", "--item", _an_item_without_routing(trained_store),
                      "--store", _store_path(trained_store))
    assert rc == 2
    assert err.strip().splitlines() == [f"routing-ml: model {version} was trained by an older version of Routing ML; "
                                        f"retrain it in the Training tab or with `routing-ml train`"]


def test_predict_draws_on_as_many_similar_items_as_the_window():
    """The learned rules were trained with PredictOptions.top_k neighbours; `predict` without
    --top-k must use the same number, or the command line proposes other routings than the window."""
    from app.cli import build_parser
    from app.ml.model import PredictOptions
    args = build_parser().parse_args(["predict", "--item", "SR-1"])
    assert args.top_k == PredictOptions.top_k
