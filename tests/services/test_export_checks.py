"""Every kind of bad row is caught before anything is written, with the cell and the reason."""
from __future__ import annotations

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
