"""Every kind of bad row is caught before anything is written, with the cell and the reason."""
from __future__ import annotations

from datetime import datetime

import pytest
from exportkit import USER, erp_profile, plant, routing, selection

from app.domain.routing import Operation
from app.services.export.rows import build_plan
from app.services.export.service import ExportError, ExportOptions, _decide


def problems(profile, *routings, p=None):
    plan = build_plan(profile, selection(*routings), p or plant(), USER)
    return plan, [(x.table, x.row, x.column, x.reason) for x in plan.problem_list("error")]


def op(seq, job="A01-2", res="CNC-01", inside="사내", setup=10.0, run=2.0, **kw):
    return Operation(seq, job, "", res, inside, setup, run, **kw)


def test_a_good_routing_has_no_error_and_one_row_per_operation():
    plan, errs = problems(erp_profile(), routing())
    assert errs == []
    assert plan.row_counts() == {"P_BOP_PROC_MASTER": 1, "P_BOP_PROC_DETAIL": 3, "P_BOP_PROC_CHILD": 0,
                                 "P_BOP_PROC_RES": 2}
    detail = plan.tables[1].frame
    assert detail["ROUT_ORDER"].to_list() == ["F", "I", "L"]
    assert detail["INSIDE_FLG"].to_list() == ["Y", "N", "Y"]
    assert detail["INSP_FLG"].to_list() == ["N", "N", "Y"]
    assert detail["BP_CD"].to_list() == [None, "V10234", None]
    assert detail["ROUT_NO"].to_list() == ["ML-001"] * 3           # from the profile's setting
    assert plan.tables[3].frame["RES_CD"].to_list() == ["CNC-01", "CNC-02"]   # alternatives of A01-2


@pytest.mark.parametrize("ops, cell, reason", [
    ([op(10), op(10, "Q30-1", "INS-WC2")], ("P_BOP_PROC_DETAIL", 1, "PROC_SEQ"), "10 appears twice in this routing"),
    ([op(0), op(10, "Q30-1", "INS-WC2")], ("P_BOP_PROC_DETAIL", 0, "PROC_SEQ"), "0 must be above zero"),
    ([op(20), op(10, "Q30-1", "INS-WC2")], ("P_BOP_PROC_DETAIL", 1, "PROC_SEQ"),
     "10 does not increase (the operation before has 20)"),
    ([op(10, setup=-5)], ("P_BOP_PROC_DETAIL", 0, "SETUP_TIME"), "-5 is a negative time"),
    ([op(10, setup=0, run=0), op(20, "Q30-1", "INS-WC2", setup=0, run=0)], ("P_BOP_PROC_DETAIL", 1, "RUN_TIME"),
     "every RUN_TIME and SETUP_TIME of this routing is zero"),
    ([op(10, res="CNC-99")], ("P_BOP_PROC_DETAIL", 0, "RES_CD"), "'CNC-99' is not in lookup RESOURCES (the plant's resources)"),
    ([op(10, res="")], ("P_BOP_PROC_DETAIL", 0, "RES_CD"), "required, but empty (from operation.RES_CD)"),
    ([op(10, inside="outside")], ("P_BOP_PROC_DETAIL", 0, "INSIDE_FLG"), "'outside' has no mapping (사내→Y, 외주→N)"),
    ([op(10, job="A01-2-LONG-JOB-CODE-X")], ("P_BOP_PROC_DETAIL", 0, "JOB_CD"),
     "'A01-2-LONG-JOB-CODE-X' is longer than the 20 characters the column holds"),
    ([op(10, run=float("nan"))], ("P_BOP_PROC_DETAIL", 0, "RUN_TIME"), "required, but empty (from operation.RUN_TIME)"),
])
def test_each_kind_of_bad_operation_is_marked_with_its_reason(ops, cell, reason):
    plan, errs = problems(erp_profile(), routing(ops=ops))
    assert (*cell, reason) in errs, errs
    assert plan.invalid == {0}


def test_a_routing_without_operations_is_invalid():
    plan, errs = problems(erp_profile(), routing(ops=[]), routing("SR-2"))
    assert ("", -1, "", "the routing has no operations") in errs
    assert plan.invalid == {0}


def test_settings_an_admin_typed_wrong_are_caught_in_every_row():
    p = erp_profile()
    p.settings["CoCd"] = "10OO"
    p.settings["VALID_TO_DT"] = "31.12.2999"
    plan, errs = problems(p, routing())
    assert ("P_BOP_PROC_MASTER", 0, "CoCd", "'10OO' is not a whole number") in errs
    assert ("P_BOP_PROC_DETAIL", 2, "VALID_TO_DT",
            "'31.12.2999' is not a date and time (write YYYY-MM-DD HH:MM:SS)") in errs


def test_times_in_another_unit_than_the_column_states_are_refused():
    p = erp_profile()
    p.settings["TIME_UNIT"] = "H"     # the detail rows would say hours while the times are minutes
    _, errs = problems(p, routing())
    assert ("P_BOP_PROC_DETAIL", 0, "RUN_TIME", "holds minutes but TIME_UNIT says 'H'") in errs
    p = erp_profile()
    p.table("P_BOP_PROC_DETAIL").column("WAIT_TIME_IN_HOUR").transform = []   # minutes into an hours column
    _, errs = problems(p, routing())
    assert ("P_BOP_PROC_DETAIL", 0, "WAIT_TIME_IN_HOUR", "holds minutes but the column is in hours") in errs


def test_a_user_without_employee_number_is_an_error_a_resource_without_work_centre_a_warning():
    plan, errs = problems(erp_profile(park="120045"), routing())
    assert ("P_BOP_PROC_MASTER", 0, "INSRT_USER_ID", "'lee' is not in lookup EMPLOYEE_NO") in errs
    warnings = [(w.row, w.column, w.reason) for w in plan.problem_list("warning")]
    assert (0, "WC_CD", "'CNC-01' is not in lookup WC_CD; written empty") in warnings
    assert plan.tables[1].frame["WC_CD"].to_list() == [None, None, None]


def test_a_value_outside_the_allowed_ones_is_refused():
    p = erp_profile()
    p.settings["MILESTONE_FLG"] = "YES"
    _, errs = problems(p, routing())
    assert ("P_BOP_PROC_DETAIL", 0, "MILESTONE_FLG", "'YES' is not one of Y, N") in errs


def test_some_invalid_routings_are_refused_unless_the_engineer_chooses_the_valid_ones():
    good, bad = routing("SR-1"), routing("SR-2", ops=[op(10, res="CNC-99"), op(5, "Q30-1", "INS-WC2")])
    plan = build_plan(erp_profile(), selection(good, bad), plant({"SR-1": "a", "SR-2": "b"}), USER)
    with pytest.raises(ExportError, match=r"1 of 2 routings are invalid — routing SR-2/ML-001, "
                                          r"P_BOP_PROC_DETAIL.RES_CD in row 4: 'CNC-99' is not in lookup RESOURCES"):
        _decide(plan, ExportOptions())
    tables, kept, skipped = _decide(plan, ExportOptions(skip_invalid=True))
    assert kept == [0]
    assert dict(tables)["P_BOP_PROC_DETAIL"]["ITEM_CD"].unique().to_list() == ["SR-1"]
    assert [s.ITEM_CD for s in skipped] == ["SR-2"]
    assert "P_BOP_PROC_DETAIL.RES_CD in row 4: 'CNC-99' is not in lookup RESOURCES" in skipped[0].reason
    assert "P_BOP_PROC_DETAIL.PROC_SEQ in row 5: 5 does not increase (the operation before has 10)" in skipped[0].reason


def test_a_selection_where_every_routing_is_invalid_is_refused_even_when_skipping():
    bad = routing("SR-1", ops=[op(10, setup=0, run=0)])
    plan = build_plan(erp_profile(), selection(bad), plant(), USER)
    with pytest.raises(ExportError, match="the routing is invalid — routing SR-1/ML-001, P_BOP_PROC_DETAIL.RUN_TIME in row 1: "
                                          "every RUN_TIME and SETUP_TIME of this routing is zero"):
        _decide(plan, ExportOptions(skip_invalid=True))


def test_ten_thousand_marked_cells_stay_a_frame_until_asked():
    many = [routing(f"SR-{i}", ops=[op(10, res="CNC-99"), op(20)]) for i in range(2000)]
    plan = build_plan(erp_profile(), selection(*many), plant({f"SR-{i}": "x" for i in range(2000)}), USER)
    assert plan.count("error") == 2000 and len(plan.invalid) == 2000
    assert len(plan.problem_list("error", limit=3)) == 3
    marks = plan.cell_marks("P_BOP_PROC_DETAIL")
    assert marks[(0, "RES_CD")][0] == "error" and (1, "RES_CD") not in marks


def test_the_plant_data_of_many_routings_is_the_same_as_of_a_few(trained_store, monkeypatch):
    """Many items are read from the item master's file, a few through the store's index of it; the
    resources and each operation's alternative in-house resources come from every routing operation."""
    from polars.testing import assert_frame_equal

    from app.domain.schema import INSIDE, ROUTINGS
    from app.services.export import rows
    ops = trained_store.read_view(ROUTINGS, ["ITEM_CD", "JOB_CD", "RES_CD", "INSIDE_FLAG"])
    codes = ops["ITEM_CD"].unique(maintain_order=True).head(60).to_list()
    codes = codes + codes[:5] + ["NO-SUCH-ITEM"]
    monkeypatch.setattr(rows, "_FEW_ITEMS", 10)
    many = rows.load_plant_data(trained_store, codes)
    monkeypatch.setattr(rows, "_FEW_ITEMS", 10_000)
    few = rows.load_plant_data(trained_store, codes)
    assert many.items.height == 60
    assert_frame_equal(many.items.sort("ITEM_CD"), few.items.sort("ITEM_CD"))
    assert many.resources == few.resources == sorted({r for r in ops["RES_CD"].to_list() if r})
    inside: dict[str, set[str]] = {}
    for job, res, flag in ops.select("JOB_CD", "RES_CD", "INSIDE_FLAG").iter_rows():
        if flag == INSIDE and job and res:
            inside.setdefault(job, set()).add(res)
    expected = {job: sorted(found) for job, found in inside.items() if len(found) >= 2}
    assert expected and many.alternatives == few.alternatives == expected


def test_saved_routings_give_the_rows_their_operations_give(trained_store):
    """Saved routings are read into one frame for the export, not into Operation objects; the rows and
    problems must be those the routings' operations give, and a routing saved by an older version
    (a field missing from its JSON) is read as the program has always read it."""
    import json
    from dataclasses import replace

    import sqlalchemy as sa
    from polars.testing import assert_frame_equal

    from app.domain.schema import ITEMS
    from app.services.export import rows
    from app.services.export.selection import SavedFilter, SavedOperations, Selection, from_saved
    from app.services.routings import save_routing
    from app.store.db import saved_routing
    codes = trained_store.read_view(ITEMS, ["ITEM_CD"])["ITEM_CD"].head(3).to_list()
    save_routing(trained_store, codes[0], [op(10), op(20, res="CNC-99", WARNING="no similar item"),
                                           op(30, job="Z99-9", inside="사외", res="OSP-COAT", setup=0, run=0)],
                 "submitted", user=USER)
    save_routing(trained_store, codes[1], [op(10, setup=0, run=0), op(20, setup=0, run=0)], "draft", user=USER)
    save_routing(trained_store, codes[2], [op(5, run=1.25, WAIT_TIME=30.5, BP_CD="V-01")], "submitted", user=USER)
    plant_data = rows.load_plant_data(trained_store, codes)

    def same_as_objects(selection: Selection) -> None:
        objects = Selection([replace(r, operations=list(r.operations)) for r in selection.routings])
        framed, plain = (build_plan(erp_profile(), s, plant_data, USER, now=datetime(2026, 12, 1, 9, 30))
                         for s in (selection, objects))
        for a, b in zip(framed.tables, plain.tables):
            assert_frame_equal(a.frame, b.frame)
        assert_frame_equal(framed.problems, plain.problems)
        assert framed.problems.height > 0

    saved = from_saved(trained_store, SavedFilter())
    by_item = {r.ITEM_CD: r.operations for r in saved.routings}
    assert [len(by_item[c]) for c in codes] == [3, 2, 1]
    assert all(isinstance(ops, SavedOperations) for ops in by_item.values())
    assert by_item[codes[0]][1].RES_CD == "CNC-99" and by_item[codes[2]][0].BP_CD == "V-01"
    same_as_objects(saved)
    same_as_objects(Selection(saved.routings[::-1]))         # any order, any part of the selection
    same_as_objects(Selection(saved.routings[1:]))

    with trained_store.begin() as conn:
        text = conn.execute(sa.select(saved_routing.c.operations).where(saved_routing.c.ITEM_CD == codes[1])).scalar()
        older = [{k: v for k, v in o.items() if k not in ("TIME_UNIT", "SETUP_TIME_P10")} for o in json.loads(text)]
        conn.execute(saved_routing.update().where(saved_routing.c.ITEM_CD == codes[1])
                     .values(operations=json.dumps(older, ensure_ascii=False)))
    again = from_saved(trained_store, SavedFilter())
    older_ops = next(r.operations for r in again.routings if r.ITEM_CD == codes[1])
    assert older_ops[0].TIME_UNIT == "M"     # the field's default, as Operation(**row) gives
    same_as_objects(again)
