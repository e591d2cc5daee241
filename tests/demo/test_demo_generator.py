"""The demo plant: exact ERP columns, determinism, and the structure a similarity model learns."""
from __future__ import annotations

import polars as pl
import pytest

from app.demo import DemoPlant, generate
from app.domain.schema import (
    INSIDE, ITEM_COLUMNS, ITEM_NUMERIC, OUTSIDE, RESULT_COLUMNS, RESULT_NUMERIC, ROUTING_COLUMNS,
    ROUTING_NUMERIC,
)
from app.services.progress import Cancelled, Progress

N = 2000
DATETIMES = {"INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT"}


@pytest.fixture(scope="module")
def plant() -> DemoPlant:
    return generate(N, seed=7)


def _current(routings: pl.DataFrame) -> pl.DataFrame:
    """Operations of each item's current routing: the variant with the latest INSRT_DT."""
    return routings.filter(pl.col("INSRT_DT") == pl.col("INSRT_DT").max().over("ITEM_CD"))


def _spec_text() -> pl.Expr:
    return pl.concat_str([pl.col("ITEM_SPEC"), pl.col("ADDITIONAL_SPEC")], separator=" ",
                         ignore_nulls=True).str.to_uppercase()


def _items_with_op(routings: pl.DataFrame, job_cd: str, inside: str | None = None) -> set[str]:
    cur = _current(routings).filter(pl.col("JOB_CD") == job_cd)
    if inside is not None:
        cur = cur.filter(pl.col("INSIDE_FLAG") == inside)
    return set(cur["ITEM_CD"].to_list())


# ---- columns and types ----------------------------------------------------------------------

@pytest.mark.parametrize("attr, columns, numeric", [
    ("items", ITEM_COLUMNS, ITEM_NUMERIC),
    ("routings", ROUTING_COLUMNS, ROUTING_NUMERIC),
    ("results", RESULT_COLUMNS, RESULT_NUMERIC),
])
def test_exact_columns_in_order_with_types(plant, attr, columns, numeric):
    df = getattr(plant, attr)
    assert df.columns == columns
    for col, dtype in df.schema.items():
        if col in numeric:
            assert dtype == pl.Float64, col
        elif col in DATETIMES:
            assert dtype == pl.Datetime, col
        else:
            assert dtype == pl.Utf8, col


def test_sizes(plant):
    assert plant.items.height == N
    per_item_routing = plant.routings.height / N
    per_item_results = plant.results.height / N
    assert 6 <= per_item_routing <= 11       # ~2.4 M rows for 300,000 items
    assert 12 <= per_item_results <= 24      # ~5 M rows for 300,000 items


def test_rejects_empty_plant():
    with pytest.raises(ValueError):
        generate(0)


# ---- determinism ----------------------------------------------------------------------------

def test_same_seed_gives_identical_frames(plant):
    again = generate(N, seed=7)
    assert again.items.equals(plant.items)
    assert again.routings.equals(plant.routings)
    assert again.results.equals(plant.results)


def test_other_seed_gives_other_plant(plant):
    other = generate(N, seed=8)
    assert not other.items.equals(plant.items)
    assert not other.routings.equals(plant.routings)


# ---- items ----------------------------------------------------------------------------------

def test_item_codes_unique_upper_and_part_type_always_set(plant):
    items = plant.items
    assert items["ITEM_CD"].n_unique() == N
    assert items["ITEM_CD"].null_count() == 0
    assert (items["ITEM_CD"] == items["ITEM_CD"].str.to_uppercase()).all()
    assert items["PART_TYPE"].null_count() == 0
    assert items["PART_TYPE"].n_unique() == 10
    assert items["ITEM_UNIT"].drop_nulls().unique().to_list() == ["EA"]


@pytest.mark.parametrize("col, rate", [
    ("SealTypeGrup", 0.84), ("ROTATE_CTRCLOCKWISE", 0.76), ("RAW_MATL_KINDNM", 0.97), ("GROUP3", 0.99),
    ("ITEM_CD", 0.0), ("PART_TYPE", 0.0),
])
def test_missing_rates_near_the_real_ones(plant, col, rate):
    assert abs(plant.items[col].null_count() / N - rate) <= 0.05


def test_other_columns_mostly_filled(plant):
    rare = {"SealTypeGrup", "ROTATE_CTRCLOCKWISE", "RAW_MATL_KINDNM", "GROUP3", "ADDITIONAL_SPEC"}
    for col in plant.items.columns:
        if col not in rare:
            assert plant.items[col].null_count() / N <= 0.08, col
    additional = plant.items["ADDITIONAL_SPEC"].null_count() / N
    assert 0.3 <= additional <= 0.8


def test_free_text_is_near_unique(plant):
    items = plant.items
    for col, floor in (("PartNm", 0.85), ("ITEM_SPEC", 0.95), ("DRAW_NO", 0.95)):
        values = items[col].drop_nulls()
        assert values.n_unique() / values.len() >= floor, col
    assert items["DRAW_NO"].drop_nulls().str.starts_with("DWG-").all()


def test_korean_and_english_treatment_spellings(plant):
    text = plant.items.select(_spec_text().alias("t"))["t"]
    for word in ("COATING", "코팅", "PLATING", "도금", "LAPPING", "래핑", "열처리", "HRC", "용접", "도장"):
        assert text.str.contains(word, literal=True).any(), word
    assert plant.items["ITEM_NM"].drop_nulls().str.contains("씰링", literal=True).any()


def test_dimensions_follow_family(plant):
    rings = plant.items.filter(pl.col("PART_TYPE").is_in(["SEAL RING", "MATING RING"]))
    od = rings["OUTDIAMETER"].drop_nulls()
    assert od.min() >= 15 and od.max() <= 350
    both = plant.items.drop_nulls(["OUTDIAMETER", "INDIAMETER"])
    assert (both["OUTDIAMETER"] > both["INDIAMETER"]).all()


# ---- routings -------------------------------------------------------------------------------

def test_about_twelve_percent_of_items_have_no_routing(plant):
    routed = set(plant.routings["ITEM_CD"].unique().to_list())
    unrouted = plant.items.filter(~pl.col("ITEM_CD").is_in(list(routed)))
    assert 0.09 <= unrouted.height / N <= 0.15
    # the "new items" still carry full attributes
    assert unrouted["PART_TYPE"].null_count() == 0
    assert unrouted["ITEM_SPEC"].null_count() / unrouted.height < 0.05


def test_variants_and_the_latest_insrt_dt_rule(plant):
    ro = plant.routings
    variants = ro.group_by("ITEM_CD", "ROUT_NO").agg(pl.col("INSRT_DT").n_unique().alias("dates"),
                                                      pl.col("INSRT_DT").first())
    assert (variants["dates"] == 1).all()                      # one INSRT_DT per variant
    per_item = variants.group_by("ITEM_CD").agg(pl.len().alias("n"), pl.col("INSRT_DT").n_unique().alias("d"))
    assert per_item["n"].max() <= 3
    assert (per_item["n"] == per_item["d"]).all()              # the latest date is unambiguous
    multi = (per_item["n"] > 1).mean()
    assert 0.18 <= multi <= 0.32
    # ROUT_NO order does not always tell the current variant: only INSRT_DT does
    latest = variants.sort("INSRT_DT").group_by("ITEM_CD").agg(pl.col("ROUT_NO").last().alias("cur"),
                                                               pl.col("ROUT_NO").max().alias("top"))
    assert (latest["cur"] != latest["top"]).sum() > 0
    # older variants differ a bit from the current one
    seqs = ro.group_by("ITEM_CD", "ROUT_NO").agg(
        pl.concat_str([pl.col("JOB_CD"), pl.col("RES_CD")], separator="@").sort_by("PROC_SEQ").str.join(">").alias("s"))
    distinct = seqs.group_by("ITEM_CD").agg(pl.col("s").n_unique().alias("k"), pl.len().alias("n"))
    multi_items = distinct.filter(pl.col("n") > 1)
    assert (multi_items["k"] > 1).mean() > 0.8


def test_routing_rows_are_well_formed(plant):
    ro = plant.routings.sort("ITEM_CD", "ROUT_NO", "PROC_SEQ")
    variant = ["ITEM_CD", "ROUT_NO"]
    pos = ro.with_columns(pl.int_range(pl.len()).over(variant).alias("pos"), pl.len().over(variant).alias("n"))
    assert pos["n"].min() >= 2
    expected = (pl.when(pl.col("pos") == 0).then(pl.lit("F"))
                .when(pl.col("pos") == pl.col("n") - 1).then(pl.lit("L")).otherwise(pl.lit("I")))
    assert (pos["ROUT_ORDER"] == pos.select(expected).to_series()).all()
    assert pos.group_by(variant).agg(pl.col("PROC_SEQ").diff().min())["PROC_SEQ"].min() > 0
    g = ro.group_by(variant, maintain_order=True).agg(pl.col("PROC_SEQ"))
    assert (g["PROC_SEQ"].list.first().is_in([5.0, 10.0])).all()
    # one engineer numbers 5, 10, 15 ...
    assert (g["PROC_SEQ"].list.first() == 5.0).any() and (g["PROC_SEQ"].list.first() == 10.0).any()
    assert ro.filter(pl.col("JOB_CD").str.starts_with("Q"))["INSP_FLG"].unique().to_list() == ["Y"]
    assert ro.filter(~pl.col("JOB_CD").str.starts_with("Q"))["INSP_FLG"].unique().to_list() == ["N"]
    assert ro["TIME_UNIT"].unique().to_list() == ["M"]
    assert set(ro["INSIDE_FLAG"].unique().to_list()) == {INSIDE, OUTSIDE}
    assert ro["VALID_FROM_DT"].dt.year().unique().to_list() == [2001]
    assert ro["VALID_TO_DT"].dt.year().unique().to_list() == [2999]
    assert set(ro["RUN_TIME_QTY"].unique().to_list()) == {1.0, 10.0, 100.0}
    assert ro["ACT_RUN_TIME"].null_count() / ro.height > 0.9


def test_outsourced_operations(plant):
    ro = plant.routings
    out = ro.filter(pl.col("INSIDE_FLAG") == OUTSIDE)
    assert set(out["JOB_CD"].unique().to_list()) <= {"H10-1", "H20-1", "H30-1"}
    assert out["BP_CD"].null_count() == 0
    assert out["BP_CD"].str.contains(r"^V\d{5}$").all()
    assert (out["MFG_LT"] > 0).all()
    assert (out["RUN_TIME"] == 0).all() and (out["SETUP_TIME"] == 0).all()
    assert ro.filter(pl.col("INSIDE_FLAG") == INSIDE)["BP_CD"].null_count() == ro.filter(
        pl.col("INSIDE_FLAG") == INSIDE).height
    # heat treatment is done both ways, in-house more often
    heat = ro.filter(pl.col("JOB_CD") == "H10-1")["INSIDE_FLAG"].value_counts()
    counts = dict(zip(heat["INSIDE_FLAG"].to_list(), heat["count"].to_list()))
    assert counts[INSIDE] > counts[OUTSIDE] > 0


@pytest.mark.parametrize("pattern, job_cd, inside", [
    ("COATING|코팅", "H20-1", OUTSIDE),
    ("PLATING|도금", "H30-1", OUTSIDE),
    ("LAPPING|래핑", "B30-1", INSIDE),
    ("HEAT TREATMENT|열처리|HRC", "H10-1", None),
    ("WELD|용접", "C10-1", INSIDE),
    ("PAINT|도장", "C20-1", INSIDE),
])
def test_spec_treatment_adds_its_operation(plant, pattern, job_cd, inside):
    named = plant.items.filter(_spec_text().str.contains(pattern))
    with_op = _items_with_op(plant.routings, job_cd, inside)
    routed = set(plant.routings["ITEM_CD"].unique().to_list())
    named_routed = [c for c in named["ITEM_CD"].to_list() if c in routed]
    assert len(named_routed) >= 10
    assert sum(c in with_op for c in named_routed) / len(named_routed) >= 0.9


def test_coating_comes_only_from_the_spec(plant):
    """Items of the same family and material without COATING in the spec mostly lack H20-1."""
    items = plant.items.with_columns(_spec_text().str.contains("COATING|코팅").alias("coat"))
    coated = items.filter(pl.col("coat"))
    routed = set(plant.routings["ITEM_CD"].unique().to_list())
    with_op = _items_with_op(plant.routings, "H20-1", OUTSIDE)
    peers = items.join(coated.select("PART_TYPE", "ITEM_MATERIAL").unique(),
                       on=["PART_TYPE", "ITEM_MATERIAL"]).filter(~pl.col("coat"))
    peers = [c for c in peers["ITEM_CD"].to_list() if c in routed]
    assert len(peers) >= 50
    assert sum(c in with_op for c in peers) / len(peers) <= 0.05


def test_material_and_size_change_the_routing(plant):
    cur = _current(plant.routings)
    items = plant.items
    ops = cur.group_by("ITEM_CD").agg(pl.col("JOB_CD"), pl.col("RES_CD"))
    hard = items.filter(pl.col("PART_TYPE").is_in(["SEAL RING", "MATING RING"])
                        & pl.col("ITEM_MATERIAL").is_in(["SIC", "WC"])).join(ops, on="ITEM_CD")
    assert hard.height >= 50
    has = lambda df, job: df["JOB_CD"].list.contains(job)  # noqa: E731
    assert has(hard, "B20-1").mean() > 0.95 and has(hard, "B30-1").mean() > 0.95
    assert not has(hard, "A01-2").any()
    scm = items.filter(pl.col("ITEM_MATERIAL") == "SCM440").join(ops, on="ITEM_CD")
    assert has(scm, "H10-1").mean() > 0.9
    springs = items.filter(pl.col("PART_TYPE") == "SPRING").join(ops, on="ITEM_CD")
    assert has(springs, "H10-1").mean() > 0.9
    large = items.filter((pl.col("OUTDIAMETER") > 200) & pl.col("PART_TYPE").is_in(
        ["SLEEVE", "GLAND", "RETAINER", "COLLAR"]) & pl.col("ITEM_MATERIAL").is_in(
        ["SUS316", "SUS304", "SCM440", "HC276", "ALLOY20"])).join(ops, on="ITEM_CD")
    assert large.height >= 10
    assert has(large, "A03-1").mean() > 0.9
    big_cnc = large["RES_CD"].list.eval(pl.element().is_in(["CNC-09", "CNC-10", "CNC-11"])).list.any()
    assert big_cnc.mean() > 0.9
    assemblies = items.filter(pl.col("PART_TYPE") == "CARTRIDGE ASSY").join(ops, on="ITEM_CD")
    assert has(assemblies, "F10-1").mean() > 0.95 and has(assemblies, "F40-1").mean() > 0.95


def test_engineers_make_exact_sequences_imperfect(plant):
    """Same visible attributes, different sequences: the irreducible noise a model must live with."""
    cur = _current(plant.routings)
    seq = cur.sort("PROC_SEQ").group_by("ITEM_CD").agg(pl.col("JOB_CD").str.join(">").alias("seq"))
    key = ["PART_TYPE", "ITEM_MATERIAL", "RAW_MATL_KIND"]
    df = plant.items.join(seq, on="ITEM_CD").with_columns(
        (pl.col("OUTDIAMETER") > 80).alias("mid"), (pl.col("OUTDIAMETER") > 200).alias("big"),
        _spec_text().str.contains("COATING|코팅|PLATING|도금|HEAT|열처리|HRC|WELD|용접|PAINT|도장|TAP|탭|KEY|키홈|DRILL|드릴|LAPPING|래핑")
        .alias("treat"))
    plain = df.filter(~pl.col("treat"))
    modal = plain.group_by(key + ["mid", "big"]).agg(pl.col("seq").mode().first().alias("m"), pl.len().alias("n"))
    j = plain.join(modal.filter(pl.col("n") >= 20), on=key + ["mid", "big"])
    share = (j["seq"] == j["m"]).mean()
    assert 0.55 <= share <= 0.92
    # Q20-1 intermediate inspection is somebody's habit, not a rule
    assert 0.02 < cur.filter(pl.col("JOB_CD") == "Q20-1")["ITEM_CD"].n_unique() / seq.height < 0.3


# ---- results --------------------------------------------------------------------------------

def test_results_follow_the_routing_current_at_report_time(plant):
    ro, re = plant.routings, plant.results
    variants = ro.group_by("ITEM_CD", "ROUT_NO").agg(pl.col("INSRT_DT").first()).sort("INSRT_DT")
    asof = re.sort("REPORT_DT").join_asof(variants.rename({"ROUT_NO": "EXPECTED"}), left_on="REPORT_DT",
                                          right_on="INSRT_DT", by="ITEM_CD", strategy="backward",
                                          check_sortedness=False)
    assert asof["EXPECTED"].null_count() == 0
    assert (asof["ROUT_NO"] == asof["EXPECTED"]).all()
    # each row is one operation of that variant
    joined = re.join(ro.select("ITEM_CD", "ROUT_NO", "PROC_SEQ", pl.col("JOB_CD").alias("R_JOB")),
                     on=["ITEM_CD", "ROUT_NO", "PROC_SEQ"], how="left")
    assert (joined["JOB_CD"] == joined["R_JOB"]).all()
    assert (re["CD_NM"].null_count() == 0) and (re["ORDER_QTY"].min() >= 1) and (re["ORDER_QTY"].max() <= 500)


def test_results_only_for_routed_items_with_skewed_order_counts(plant):
    routed = set(plant.routings["ITEM_CD"].unique().to_list())
    assert set(plant.results["ITEM_CD"].unique().to_list()) <= routed
    orders = (plant.results.select("ITEM_CD", "ROUT_NO", "ORDER_QTY", "REPORT_DT")
              .group_by("ITEM_CD").agg(pl.len()))
    assert orders.height < len(routed)          # some routed items were never made
    bad = plant.results["BAD_QTY"]
    assert (bad == 0).mean() > 0.9 and (bad <= plant.results["ORDER_QTY"]).all()


def test_shop_floor_defects(plant):
    re = plant.results
    assert re.height - re.unique().height > 0.003 * re.height       # orders reported twice
    zero = (re["MACH_WORKED_HOURS"] == 0) & (re["SETUP_HOURS"] == 0)
    assert zero.any()
    per_item = re.group_by("ITEM_CD").agg(
        ((pl.col("MACH_WORKED_HOURS") == 0) & (pl.col("SETUP_HOURS") == 0)).all().alias("dead"))
    dead = per_item["dead"].sum()
    assert dead >= 5 and dead / per_item.height < 0.06
    setup_as_run = (re["SETUP_HOURS"] == 0) & (re["MACH_WORKED_HOURS"] > 0)
    assert setup_as_run.sum() > 0
    outsourced = re.filter(pl.col("JOB_CD").is_in(["H20-1", "H30-1"]))
    assert outsourced.height > 0
    assert (outsourced["MACH_WORKED_HOURS"] == 0).all() and (outsourced["SETUP_HOURS"] == 0).all()


def test_actuals_differ_from_standards_but_track_them(plant):
    cur = _current(plant.routings).filter(pl.col("INSIDE_FLAG") == INSIDE).select(
        "ITEM_CD", "ROUT_NO", "PROC_SEQ", (pl.col("RUN_TIME") / pl.col("RUN_TIME_QTY")).alias("std"))
    act = plant.results.filter(pl.col("MACH_WORKED_HOURS") > 0).with_columns(
        (pl.col("MACH_WORKED_HOURS") * 60 / pl.col("ORDER_QTY")).alias("act"))
    j = act.join(cur, on=["ITEM_CD", "ROUT_NO", "PROC_SEQ"]).filter(pl.col("std") >= 0.5)
    per_op = j.group_by("ITEM_CD", "PROC_SEQ").agg((pl.col("act") / pl.col("std")).median().alias("ratio"))
    ratio = per_op["ratio"]
    assert 0.8 <= ratio.median() <= 1.3
    assert (ratio.log().std() or 0) > 0.1                 # a real per-item shop-floor factor
    assert ((ratio > 0.5) & (ratio < 2.0)).mean() > 0.9   # ... around the standard


# ---- progress -------------------------------------------------------------------------------

def test_progress_reported_and_cancel_stops():
    seen = []
    generate(300, progress=Progress(lambda f, m: seen.append((f, m))))
    fractions = [f for f, _m in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(m for _f, m in seen)
    stop = Progress()
    stop.cancel()
    with pytest.raises(Cancelled):
        generate(300, progress=stop)


RESOURCES_OF_JOB = {
    "Q10-1": ("INS-WC1",), "A10-1": ("SAW-",), "A11-1": ("LSR-",), "A06-1": ("SPR-",),
    "A08-1": ("PRS-01", "PRS-02"), "A09-1": ("TRM-",), "A12-1": ("PRS-03",), "A01-2": ("CNC-",),
    "H10-1": ("HT-01", "OSP-HT"), "A02-1": ("CNC-",), "A04-1": ("MCT-",), "Q20-1": ("INS-WC1",),
    "A03-1": ("DBR-",), "C10-1": ("WLD-",), "H20-1": ("OSP-COAT",), "B20-1": ("GRD-",),
    "B30-1": ("LAP-",), "H30-1": ("OSP-PLAT",), "F05-1": ("WSH-",), "F10-1": ("ASY-WC1",),
    "F40-1": ("LT-",), "C20-1": ("PNT-",), "F20-1": ("MRK-",), "Q30-1": ("INS-WC2", "INS-WC3"),
    "F61-1": ("PKG-",),
}


@pytest.mark.parametrize("attr", ["routings", "results"])
def test_each_operation_runs_on_a_fitting_resource(plant, attr):
    pairs = getattr(plant, attr).select("JOB_CD", "RES_CD", "RES_DIS").unique()
    assert pairs["RES_DIS"].null_count() == 0
    for job, res in pairs.select("JOB_CD", "RES_CD").iter_rows():
        assert res.startswith(RESOURCES_OF_JOB[job]), (job, res)
    # A01-2 may run on CNC-01 ... CNC-11
    cnc = pairs.filter(pl.col("JOB_CD") == "A01-2")["RES_CD"].unique().to_list()
    assert len(cnc) >= 8
