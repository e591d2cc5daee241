"""read_views: finding the views, checking their columns, normalising their values."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from app.domain.schema import COLUMNS, ITEMS, RESULTS, ROUTINGS
from app.services.progress import Cancelled, Progress
from app.sources import SourceError, open_source, read_views
from app.sources.views import find_table

from .conftest import ROWS, view_table, write_csv, write_csv_folder


def test_old_column_names_are_named_in_one_error_with_every_problem(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    write_csv(folder / "BI_WORK_ORDER_RESULTS.csv",
              view_table(RESULTS, rename={"MACH_WORKED_HOURS": "ACT_RUN_TIME",
                                          "SETUP_HOURS": "ACT_SETUP_TIME"}))
    write_csv(folder / "BI_ITEM_INFO_VIEW.csv", view_table(ITEMS, drop=("PART_TYPE",)))
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    lines = str(error.value).splitlines()
    assert lines[0] == f"The ERP views in folder {folder} cannot be used:"
    assert "- BI_ITEM_INFO_VIEW: required column PART_TYPE is missing" in lines
    assert any(line.startswith("- BI_WORK_ORDER_RESULTS: required column MACH_WORKED_HOURS is "
                               "missing (found the old name ACT_RUN_TIME") for line in lines)
    assert any("SETUP_HOURS is missing (found the old name ACT_SETUP_TIME" in line for line in lines)
    assert len(lines) == 4


def test_missing_view_names_the_view_and_the_tables_present(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    (folder / "BI_ROUTING_VIEW.csv").rename(folder / "ROUTINGS_2023.csv")
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    message = str(error.value)
    assert "- BI_ROUTING_VIEW: the routings view was not found" in message
    assert message.endswith("Its tables are: BI_ITEM_INFO_VIEW, BI_WORK_ORDER_RESULTS, ROUTINGS_2023")


def test_configured_view_names_are_used(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    (folder / "BI_ROUTING_VIEW.csv").rename(folder / "ROUTINGS_2023.csv")
    with open_source(str(folder), view_names={ROUTINGS: "routings_2023"}) as source:
        assert read_views(source).routings.height == 2
    with open_source(str(folder)) as source:
        assert read_views(source, {ROUTINGS: "dbo.ROUTINGS_2023"}).routings.height == 2


def test_find_table_prefers_exact_then_case_insensitive_and_ignores_dbo() -> None:
    tables = ["bi_routing_view", "BI_ROUTING_VIEW", "dbo.BI_ITEM_INFO_VIEW"]
    assert find_table("BI_ROUTING_VIEW", tables) == "BI_ROUTING_VIEW"
    assert find_table("Bi_Routing_View", tables) == "bi_routing_view"
    assert find_table("dbo.bi_routing_view", tables) == "bi_routing_view"
    assert find_table("BI_ITEM_INFO_VIEW", tables) == "dbo.BI_ITEM_INFO_VIEW"
    assert find_table("BI_WORK_ORDER_RESULTS", tables) is None


def test_missing_optional_columns_become_empty_columns_and_warnings(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    write_csv(folder / "BI_ROUTING_VIEW.csv", view_table(ROUTINGS, drop=("REMARK", "MFG_LT", "VALID_TO_DT")))
    with open_source(str(folder)) as source:
        views = read_views(source)
    assert views.warnings == ["BI_ROUTING_VIEW: column MFG_LT is missing",
                              "BI_ROUTING_VIEW: column VALID_TO_DT is missing",
                              "BI_ROUTING_VIEW: column REMARK is missing"]
    routings = views.routings
    assert routings.columns == COLUMNS[ROUTINGS]
    assert routings.schema["MFG_LT"] == pl.Float64 and routings["MFG_LT"].null_count() == 2
    assert routings.schema["VALID_TO_DT"] == pl.Datetime("us")
    assert routings.schema["REMARK"] == pl.String


def test_normalised_types_and_values(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    table = view_table(ITEMS)
    table["EXTRA_COLUMN"] = ["x", "y"]
    write_csv(folder / "BI_ITEM_INFO_VIEW.csv", table)
    with open_source(str(folder)) as source:
        views = read_views(source)
    items, routings, results = views.items, views.routings, views.results
    assert items.columns == COLUMNS[ITEMS]                       # unknown columns dropped
    assert items["ITEM_CD"].to_list() == ["AB-00123", "AB-00124"]
    assert routings["ITEM_CD"].to_list() == ["AB-00123", "AB-00123"]
    assert results["ITEM_CD"].to_list() == ["AB-00123", "AB-00124"]
    assert items["ITEM_SPEC"].to_list() == ["외경 120, 내경 80", None]
    assert items["OUTDIAMETER"].to_list() == [120.5, 95.0]
    assert items["INDIAMETER"].to_list() == [80.0, None]
    assert routings["INSRT_DT"].to_list() == [dt.datetime(2023, 1, 5, 8, 30), dt.datetime(2023, 1, 5)]
    assert routings["VALID_FROM_DT"].to_list() == [dt.datetime(2001, 1, 1)] * 2
    assert routings["PROC_SEQ"].to_list() == [10.0, 20.0]
    assert results["SETUP_HOURS"].to_list() == [0.5, None]
    assert items.schema["ROTATE_CLOCKWISE"] == pl.Float64
    assert all(items.schema[c] == pl.String for c in ("DRAW_NO", "ITEM_NM", "STANDARD_YN"))


def test_progress_reports_each_view_and_cancel_raises(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    messages: list[str] = []
    with open_source(str(folder)) as source:
        read_views(source, progress=Progress(lambda f, m: messages.append(m)))
        assert [m for m in messages if m.startswith("Reading")] == [
            "Reading BI_ITEM_INFO_VIEW", "Reading BI_ROUTING_VIEW", "Reading BI_WORK_ORDER_RESULTS"]
        assert messages[-1] == "ERP views read"
        progress = Progress()
        progress.cancel()
        with pytest.raises(Cancelled):
            read_views(source, progress=progress)


def test_rows_per_view_match_the_fixture(tmp_path: Path) -> None:
    with open_source(str(write_csv_folder(tmp_path))) as source:
        frames = read_views(source).frames()
    assert {kind: frame.height for kind, frame in frames.items()} == {
        kind: len(rows) for kind, rows in ROWS.items()}


def test_find_table_prefers_the_exact_name_over_a_dbo_one() -> None:
    assert find_table("BI_ROUTING_VIEW", ["dbo.BI_ROUTING_VIEW", "BI_ROUTING_VIEW"]) == "BI_ROUTING_VIEW"
