"""A folder of CSV or Excel files, one per view."""
from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.domain.schema import DEFAULT_VIEW_NAMES, ITEMS, RESULTS, ROUTINGS, VIEW_KINDS
from app.sources import SourceError, open_source, read_views
from app.sources.folder import decode_csv

from .conftest import (ROWS, expected_frame, view_table, write_csv, write_csv_folder,
                       write_xlsx_folder)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_views_in_each_encoding_read_back_exactly(tmp_path: Path, encoding: str) -> None:
    folder = write_csv_folder(tmp_path / encoding, encoding)
    raw = (folder / "BI_ROUTING_VIEW.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) == (encoding == "utf-8-sig")
    assert ("사내".encode("cp949") in raw) == (encoding == "cp949")

    with open_source(str(folder)) as source:
        views = read_views(source)

    for kind in VIEW_KINDS:
        assert_frame_equal(views.frames()[kind], expected_frame(kind))
    assert views.routings["INSIDE_FLAG"].to_list() == ["사내", "외주"]
    assert views.items["ITEM_NM"].to_list() == ["씰 링", "슬리브"]
    assert views.routings["REMARK"][0] == "첫 줄\n둘째 줄, 쉼표"
    assert views.warnings == []


def test_csv_cells_are_read_as_text_so_codes_keep_leading_zeros(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    with open_source(str(folder)) as source:
        raw = source.read("BI_ITEM_INFO_VIEW", ["DRAW_NO", "OUTDIAMETER"])
        assert raw.schema == {"DRAW_NO": pl.String, "OUTDIAMETER": pl.String}
        assert raw["DRAW_NO"].to_list() == ["00123", "0007"]
        assert source.row_count("BI_ROUTING_VIEW") == 2
        assert source.list_tables() == sorted(DEFAULT_VIEW_NAMES.values())
        assert source.describe() == f"folder {folder}"


def test_encoding_detection(tmp_path: Path) -> None:
    text = "ITEM_CD,ITEM_NM\nA1,씰 링\n"
    for encoding, expected in [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949")]:
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        data, found = decode_csv(path)
        assert found == expected
        assert data.decode("utf-8") == text


def test_csv_in_neither_encoding_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "BI_ITEM_INFO_VIEW.csv"
    path.write_bytes(b"ITEM_CD,PART_TYPE\nA1,\xff\xfe\n")
    with open_source(str(tmp_path)) as source, pytest.raises(SourceError) as error:
        source.columns("BI_ITEM_INFO_VIEW")
    assert str(path) in str(error.value)
    assert "neither UTF-8 nor CP949" in str(error.value) and "line 2" in str(error.value)


@pytest.mark.parametrize("content, words", [
    ("ITEM_CD,PART_TYPE\nA1,RING\n".encode("utf-16"), ["UTF-16", "CSV UTF-8"]),     # Excel's "Unicode Text"
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xb7\x8b\xea\xb0\x80\n\x01\xff", ["line 1", "NUL byte"]),  # a workbook named .csv
])
def test_a_file_that_is_not_csv_text_is_called_what_it_is(tmp_path: Path, content: bytes, words: list[str]) -> None:
    path = tmp_path / "BI_ITEM_INFO_VIEW.csv"
    path.write_bytes(content)
    with open_source(str(tmp_path)) as source, pytest.raises(SourceError) as error:
        source.columns("BI_ITEM_INFO_VIEW")
    assert str(path) in str(error.value)
    for word in words:
        assert word in str(error.value)
    assert "mixes two encodings" not in str(error.value)


def test_semicolon_separated_csv_and_spaces_around_headers(tmp_path: Path) -> None:
    (tmp_path / "T.csv").write_text(" ITEM_CD ; PART_TYPE\nA1;RING\n", encoding="utf-8")
    with open_source(str(tmp_path)) as source:
        assert source.read("T").to_dicts() == [{"ITEM_CD": "A1", "PART_TYPE": "RING"}]


def test_bad_number_names_file_line_column_and_value(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    table = view_table(ROUTINGS)
    # Row 1's REMARK spans two lines, so data row 2 starts on line 4 of the file.
    table["RUN_TIME"] = ["12.5", "1,5"]
    path = write_csv(folder / "BI_ROUTING_VIEW.csv", table)
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    message = str(error.value)
    assert str(path) in message
    assert "line 4, column RUN_TIME: '1,5' is not a number" in message


def test_bad_values_are_listed_at_most_five_with_their_count(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    table = {"ITEM_CD": [f"A{i}" for i in range(8)], "PART_TYPE": ["RING"] * 8,
             "OUTDIAMETER": ["x"] * 7 + ["1"]}
    write_csv(folder / "BI_ITEM_INFO_VIEW.csv", table)
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    message = str(error.value)
    assert "7 values cannot be read (the first 5 are listed)" in message
    assert [line.strip().split(",")[0] for line in message.splitlines()[1:]] == [
        "line 2", "line 3", "line 4", "line 5", "line 6"]


def test_bad_date_is_reported(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    table = view_table(RESULTS)
    table["REPORT_DT"] = ["2023-02-01", "01.02.2023"]
    write_csv(folder / "BI_WORK_ORDER_RESULTS.csv", table)
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    assert "line 3, column REPORT_DT: '01.02.2023' is not a date" in str(error.value)


def test_blank_lines_are_dropped_and_do_not_shift_line_numbers(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    path = folder / "BI_ITEM_INFO_VIEW.csv"
    path.write_text("ITEM_CD,PART_TYPE,OUTDIAMETER\nA1,RING,1\n\nA2,RING,2\n", encoding="utf-8")
    with open_source(str(folder)) as source:
        assert read_views(source).items["ITEM_CD"].to_list() == ["A1", "A2"]
    path.write_text("ITEM_CD,PART_TYPE,OUTDIAMETER\nA1,RING,1\n\nA2,RING,two\n", encoding="utf-8")
    with open_source(str(folder)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    assert "line 4, column OUTDIAMETER: 'two'" in str(error.value)


def test_xlsx_views_read_back_exactly(tmp_path: Path) -> None:
    folder = write_xlsx_folder(tmp_path / "xlsx")
    with open_source(str(folder)) as source:
        views = read_views(source)
    for kind in VIEW_KINDS:
        assert_frame_equal(views.frames()[kind], expected_frame(kind))


def test_xlsx_number_cells_in_code_columns_become_their_digits(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ITEM_CD", "PART_TYPE", "DRAW_REV", "OUTDIAMETER"])
    sheet.append(["a1", "RING", 2, "12.5"])
    sheet.append([None, None, None, None])
    sheet.append(["a2", "RING", "A", "x"])
    workbook.save(tmp_path / "BI_ITEM_INFO_VIEW.xlsx")
    write_csv_folder(tmp_path)
    (tmp_path / "BI_ITEM_INFO_VIEW.csv").unlink()
    with open_source(str(tmp_path)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    assert "data row 3 (sheet row 4), column OUTDIAMETER: 'x' is not a number" in str(error.value)
    sheet.delete_rows(4)
    workbook.save(tmp_path / "BI_ITEM_INFO_VIEW.xlsx")
    with open_source(str(tmp_path)) as source:
        items = read_views(source).items
    assert items["DRAW_REV"].to_list() == ["2"]
    assert items["OUTDIAMETER"].to_list() == [12.5]


def test_csv_and_xlsx_for_one_view_is_refused(tmp_path: Path) -> None:
    write_csv_folder(tmp_path)
    write_xlsx_folder(tmp_path)
    with open_source(str(tmp_path)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    assert "BI_ITEM_INFO_VIEW.csv and BI_ITEM_INFO_VIEW.xlsx" in str(error.value)


def test_excel_lock_files_are_ignored(tmp_path: Path) -> None:
    write_csv_folder(tmp_path)
    (tmp_path / "~$BI_ITEM_INFO_VIEW.xlsx").write_bytes(b"lock")
    with open_source(str(tmp_path)) as source:
        assert "~$BI_ITEM_INFO_VIEW" not in source.list_tables()
        assert read_views(source).items.height == len(ROWS[ITEMS])


def test_folder_without_view_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(SourceError, match="holds no .csv or .xlsx files"):
        open_source(str(tmp_path))
