"""The family of demo plants: each member its own rules, encoding and ceiling, deterministically."""
from __future__ import annotations

import polars as pl
import pytest

from app.cli import main
from app.demo import DEVELOPMENT, HELD_OUT, RULE_ROUTINGS, generate, generate_member, plant_seed, write
from app.demo.family import spec
from app.domain.schema import ITEM_COLUMNS, RESULT_COLUMNS, ROUTING_COLUMNS
from app.sources.folder import decode_csv

N = 1500


def _current(routings: pl.DataFrame) -> pl.DataFrame:
    return routings.filter(pl.col("INSRT_DT") == pl.col("INSRT_DT").max().over("ITEM_CD"))


def _sequences(frame: pl.DataFrame) -> dict[str, tuple[str, ...]]:
    seq = frame.sort(["ITEM_CD", "PROC_SEQ"]).group_by("ITEM_CD", maintain_order=True).agg(pl.col("JOB_CD"))
    return {c: tuple(j) for c, j in seq.iter_rows()}


@pytest.fixture(scope="module")
def plants():
    return {m: generate_member(m, N) for m in (2, 3, 21)}


def test_member_is_identical_for_the_same_arguments_and_other_items_for_another_seed(plants):
    again = generate_member(3, N)
    for attr in ("items", "routings", "results", "rule_routings"):
        assert getattr(again, attr).equals(getattr(plants[3], attr)), attr
    other_items = generate_member(3, N, seed=5)
    assert not other_items.items.equals(plants[3].items)
    assert other_items.description == plants[3].description            # same plant, same rules


def test_member_zero_is_the_classic_demo_plant():
    zero = generate_member(0, 300)
    classic = generate(300, seed=7)
    assert zero.items.equals(classic.items) and zero.routings.equals(classic.routings)
    assert plant_seed(0) == 7


def test_members_have_the_erp_columns(plants):
    for plant in plants.values():
        assert plant.items.columns == ITEM_COLUMNS
        assert plant.routings.columns == ROUTING_COLUMNS
        assert plant.results.columns == RESULT_COLUMNS
        assert plant.items["ITEM_CD"].n_unique() == N
        assert plant.items["PART_TYPE"].null_count() == 0


def test_members_differ_in_families_rules_job_codes_and_encoding():
    specs = [spec(m) for m in DEVELOPMENT + HELD_OUT]
    assert len({tuple(f.part_type for f in s.families) for s in specs}) == len(specs)
    assert len({tuple(r.describe(s) for r in s.rules) for s in specs}) == len(specs)
    assert len({tuple(sorted(s.job_cd.items())) for s in specs}) == len(specs)          # code -> operation
    assert len({code[:1] for s in specs for code in s.job_cd.values()}) >= 4                  # spelling schemes
    assert {s.encoding for s in specs} == {"utf-8", "cp949"}
    kinds = {r.kind for s in specs for r in s.rules}
    assert kinds == {"heavy", "threshold", "flag", "word", "interaction", "bought", "account", "seal_type"}
    # thresholds sit on different dimensions across the family
    assert len({r.column for s in specs for r in s.rules if r.kind in ("threshold", "heavy")}) >= 3
    assert len(set(DEVELOPMENT) & set(HELD_OUT)) == 0 and len(HELD_OUT) >= 5


def test_the_word_rule_decides_its_outsourced_operation(plants):
    plant, sp = plants[21], spec(21)
    rule_seq = _sequences(plant.rule_routings)
    items = plant.items.with_columns(
        pl.concat_str([pl.col("ITEM_SPEC"), pl.col("ADDITIONAL_SPEC")], separator=" ", ignore_nulls=True)
        .str.to_uppercase().alias("text"))
    for rule in (r for r in sp.rules if r.kind == "word"):
        job = sp.job_cd[rule.op]
        en, ko = sp.treatment_words[rule.op]
        # bought-in items and the short-routing account get their own short routing instead
        in_fam = items.filter(pl.col("PART_TYPE").is_in([sp.families[f].part_type for f in rule.families])
                              & ~pl.col("ITEM_ACCT").is_in(list(sp.accounts[1:])).fill_null(False)
                              & (pl.col("ITEM_TYPE") != "P").fill_null(True))
        named = in_fam.filter(pl.col("text").str.contains(en, literal=True) | pl.col("text").str.contains(ko, literal=True))
        assert named.height > 10
        assert all(job in rule_seq[c] for c in named["ITEM_CD"].to_list())
        others = in_fam.filter(~pl.col("ITEM_CD").is_in(named["ITEM_CD"].to_list()))
        assert not any(job in rule_seq[c] for c in others["ITEM_CD"].to_list())
        # the word sits in either specification column
        add = in_fam["ADDITIONAL_SPEC"].fill_null("").str.to_uppercase()
        spec_col = in_fam["ITEM_SPEC"].fill_null("").str.to_uppercase()
        assert add.str.contains(en, literal=True).any() or add.str.contains(ko, literal=True).any()
        assert spec_col.str.contains(en, literal=True).any() or spec_col.str.contains(ko, literal=True).any()


def test_bought_in_items_get_the_short_routing(plants):
    for member, plant in plants.items():
        sp = spec(member)
        rule = next(r for r in sp.rules if r.kind == "bought")
        rule_seq = _sequences(plant.rule_routings)
        names = [sp.families[f].part_type for f in rule.families]
        bought = plant.items.filter(pl.col("PART_TYPE").is_in(names) & (pl.col(rule.column) == rule.value))
        assert bought.height > 0, member
        short = (sp.job_cd["incoming"], sp.job_cd["pack"])
        assert all(rule_seq[c] == short for c in bought["ITEM_CD"].to_list())


def test_rule_routings_are_the_most_common_real_routing_but_engineers_vary(plants):
    for member, plant in plants.items():
        real = _sequences(_current(plant.routings))
        rule = _sequences(plant.rule_routings)
        assert set(real) <= set(rule)                                # new items have a rule routing too
        assert len(rule) == N
        same = sum(real[c] == rule[c] for c in real) / len(real)
        assert 0.6 <= same <= 0.99, (member, same)
        assert 0.05 <= 1 - len(real) / N <= 0.15                     # about 10 % new items


def test_classic_plant_rule_routings_leave_out_the_engineers_habits():
    plant = generate(2000, seed=7)
    rule = _sequences(plant.rule_routings)
    real = _sequences(_current(plant.routings))
    assert not any("Q20-1" in s for s in rule.values())             # engineer 1's in-process inspection
    assert any("Q20-1" in s for s in real.values())
    same = sum(real[c] == rule[c] for c in real) / len(real)
    assert 0.6 <= same <= 0.9


def test_cp949_member_writes_cp949_files_with_the_ceiling_beside_the_views(tmp_path):
    member = next(m for m in DEVELOPMENT if spec(m).encoding == "cp949")
    plant = generate_member(member, 400)
    folder = write(plant, tmp_path / "plant")
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["BI_ITEM_INFO_VIEW.csv", "BI_ROUTING_VIEW.csv", "BI_WORK_ORDER_RESULTS.csv",
                            f"{RULE_ROUTINGS}.csv"])
    for name in names:
        _data, encoding = decode_csv(folder / name)
        assert encoding == "cp949", name
    data, _ = decode_csv(folder / f"{RULE_ROUTINGS}.csv")
    back = pl.read_csv(data, infer_schema=False)
    assert back["ITEM_CD"].to_list() == plant.rule_routings["ITEM_CD"].to_list()
    assert back["JOB_CD"].to_list() == plant.rule_routings["JOB_CD"].to_list()
    items, _ = decode_csv(folder / "BI_ITEM_INFO_VIEW.csv")
    assert "씰" in items.decode("utf-8") or "스" in items.decode("utf-8")     # Korean survived the round trip


def test_cli_writes_a_member_and_refuses_a_negative_one(tmp_path, capsys):
    rc = main(["demo-data", "--plant", "21", "--items", "300", "--out", str(tmp_path / "p21.sqlite")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "demo plant 21" in out and RULE_ROUTINGS in out and "rule:" not in out   # rules only on request
    import sqlite3
    con = sqlite3.connect(tmp_path / "p21.sqlite")
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        rows = con.execute(f"SELECT COUNT(DISTINCT ITEM_CD) FROM {RULE_ROUTINGS}").fetchone()[0]
    finally:
        con.close()
    assert RULE_ROUTINGS in tables and rows == 300
    rc = main(["demo-data", "--plant", "4", "--items", "200", "--describe", "--out", str(tmp_path / "p4")])
    out, _ = capsys.readouterr()
    assert rc == 0 and "rule:" in out and "plant 4" in out
    rc = main(["demo-data", "--plant", "-1", "--out", str(tmp_path / "bad")])
    _, err = capsys.readouterr()
    assert rc == 2 and "--plant -1" in err and not (tmp_path / "bad").exists()
