from app.domain.schema import RESULT_COLUMNS, RESULTS, check_columns


def test_old_column_name_is_named_in_the_problem():
    present = [c for c in RESULT_COLUMNS if c != "MACH_WORKED_HOURS"] + ["ACT_RUN_TIME"]
    problems = check_columns(RESULTS, "BI_WORK_ORDER_RESULTS", present)
    assert len(problems) == 1
    p = problems[0]
    assert p.required and p.column == "MACH_WORKED_HOURS" and p.old_name_found == "ACT_RUN_TIME"
    assert "ACT_RUN_TIME" in p.message() and "MACH_WORKED_HOURS" in p.message()


def test_complete_view_has_no_problems():
    assert check_columns(RESULTS, "BI_WORK_ORDER_RESULTS", list(RESULT_COLUMNS)) == []
