"""Broken files imported over a store that holds the plant, as a user would: each is either a
one-line refusal (exit 2) with the store as it was, or a correct import whose summary says what
was left out and why."""
from __future__ import annotations

import codecs
import json

import polars as pl
import pytest

from app.services.quality import quality_report
from app.store.db import Store

from import_helpers import Plant, one_line, run_cli, store_state

ITEMS_CSV = "BI_ITEM_INFO_VIEW.csv"
ROUTINGS_CSV = "BI_ROUTING_VIEW.csv"
RESULTS_CSV = "BI_WORK_ORDER_RESULTS.csv"


def _lines(plant: Plant, name: str) -> list[bytes]:
    return (plant.folder / name).read_bytes().split(b"\n")


def _write(plant: Plant, name: str, lines: list[bytes]) -> None:
    (plant.folder / name).write_bytes(b"\n".join(lines))


def _import(capsys, plant: Plant, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "import", "--source", str(plant.folder), "--store", str(plant.store), *extra)


def _refused(capsys, plant: Plant, *words: str) -> str:
    before = store_state(plant.store, plant.probes)
    rc, out, err = _import(capsys, plant)
    line = one_line(err)
    assert rc == 2, err
    for word in words:
        assert word in line, line
    assert store_state(plant.store, plant.probes) == before
    return line


def _column(lines: list[bytes], name: str) -> int:
    return lines[0].lstrip(codecs.BOM_UTF8).decode().split(",").index(name)


def test_header_only_item_master_is_refused(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    _write(plant, ITEMS_CSV, lines[:1])
    _refused(capsys, plant, "BI_ITEM_INFO_VIEW", "no usable rows", "the store keeps its 300 rows")


def test_header_only_routings_are_refused(plant: Plant, capsys):
    _write(plant, ROUTINGS_CSV, _lines(plant, ROUTINGS_CSV)[:1] + [b""])
    _refused(capsys, plant, "BI_ROUTING_VIEW", "no usable rows")


def test_a_view_shrunk_to_a_small_fraction_needs_allow_shrink(plant: Plant, capsys):
    lines = _lines(plant, ROUTINGS_CSV)
    _write(plant, ROUTINGS_CSV, lines[: len(lines) // 3] + [b""])
    _refused(capsys, plant, "BI_ROUTING_VIEW", "fewer than half", "--allow-shrink")
    rc, out, err = _import(capsys, plant, "--allow-shrink")
    assert rc == 0, err
    store = Store(str(plant.store))
    assert 0 < store.view_counts()["routings"] < len(lines) // 3
    store.dispose()


def test_file_cut_inside_a_number_is_refused_naming_file_line_and_column(plant: Plant, capsys):
    data = (plant.folder / ROUTINGS_CSV).read_bytes()
    lines = data.split(b"\n")
    row = lines[1500]
    cut_at = data.index(row) + row.index(b",M,") + 5        # inside SETUP_TIME, after TIME_UNIT
    (plant.folder / ROUTINGS_CSV).write_bytes(data[:cut_at])
    line = _refused(capsys, plant, ROUTINGS_CSV, "line 1501", "column")
    assert "cut off" in line


def test_file_cut_inside_a_quoted_text_is_refused(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    spec = _column(lines, "ITEM_SPEC")
    cells = lines[200].split(b",")
    cells[spec] = b'"OD 120, ID 80'                        # the quote never closes: the file ends
    _write(plant, ITEMS_CSV, lines[:200] + [b",".join(cells)])
    _refused(capsys, plant, ITEMS_CSV, "line 201", "never closed")


def test_unquoted_line_break_inside_a_cell_is_refused_not_a_junk_routing(plant: Plant, capsys):
    lines = _lines(plant, ROUTINGS_CSV)
    remark = _column(lines, "REMARK")
    cells = lines[40].split(b",")
    cells[remark] = b"INSPECT\nRETEST"
    lines[40] = b",".join(cells)
    _write(plant, ROUTINGS_CSV, lines)
    _refused(capsys, plant, ROUTINGS_CSV, "line 41", "column ROUT_DOC")


def test_empty_required_cell_leaves_out_the_row_and_says_where(plant: Plant, capsys):
    lines = _lines(plant, ROUTINGS_CSV)
    job = _column(lines, "JOB_CD")
    cells = lines[10].split(b",")
    item, rout_no = cells[0], cells[1]
    cells[job] = b""
    lines[10] = b",".join(cells)
    _write(plant, ROUTINGS_CSV, lines)
    same_routing = sum(1 for ln in lines[1:] if ln.startswith(item + b"," + rout_no + b","))
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    warning = next(w for w in err.splitlines() if "required cell is empty" in w)
    assert ROUTINGS_CSV in warning and "line 11, column JOB_CD" in warning
    store = Store(str(plant.store))
    routings = store.read_view("routings")
    assert routings.height == len(lines) - 2 - same_routing       # header, trailing newline
    assert routings.filter((pl.col("ITEM_CD") == item.decode()) & (pl.col("ROUT_NO") == rout_no.decode())).height == 0
    assert routings["JOB_CD"].null_count() == 0
    store.dispose()


def test_byte_order_mark_inside_the_file_does_not_end_up_in_the_item_code(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    code = lines[7].split(b",")[0].decode()
    lines[7] = codecs.BOM_UTF8 + lines[7]
    _write(plant, ITEMS_CSV, lines)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    assert "byte-order mark" in err and "line 8" in err
    rc, out, err = run_cli(capsys, "predict", "--item", code, "--store", str(plant.store))
    assert rc == 0, err
    assert f"=== {code} ===" in out


def test_same_item_twice_with_other_attributes_is_named_and_the_first_is_used(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    part_type = _column(lines, "PART_TYPE")
    cells = lines[5].split(b",")
    first_type = cells[part_type].decode()
    cells[part_type] = b"GASKET" if first_type != "GASKET" else b"RING"
    _write(plant, ITEMS_CSV, lines[:-1] + [b",".join(cells), b""])
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    warning = next(w for w in err.splitlines() if "item code" in w)
    assert cells[0].decode() in warning and "line 6" in warning and "column PART_TYPE" in warning
    store = Store(str(plant.store))
    items = store.read_view("items")
    assert items.height == 300
    assert items.filter(pl.col("ITEM_CD") == cells[0].decode())["PART_TYPE"].to_list() == [first_type]
    store.dispose()


def test_blank_item_code_is_left_out_with_a_warning_also_in_the_quality_report(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    lines[3] = b"," + lines[3].split(b",", 1)[1]
    _write(plant, ITEMS_CSV, lines)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    warning = next(w for w in err.splitlines() if "required cell is empty" in w)
    assert "line 4, column ITEM_CD" in warning and "ITEM_CD 1" in warning
    assert "items 299" in out
    store = Store(str(plant.store))
    report = quality_report(store)
    store.dispose()
    assert warning.removeprefix("warning: ") in report["import_warnings"]


def test_repeated_column_header_is_named(plant: Plant, capsys):
    lines = _lines(plant, RESULTS_CSV)
    header = lines[0].decode("utf-8-sig").split(",")
    header[header.index("RES_DIS")] = "CD_NM"           # an optional column: the first copy is read
    lines[0] = codecs.BOM_UTF8 + ",".join(header).encode()
    _write(plant, RESULTS_CSV, lines)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    assert any("CD_NM appears 2 times" in w and RESULTS_CSV in w for w in err.splitlines())


def test_routings_and_results_of_items_missing_from_the_master_are_named(plant: Plant, capsys):
    items = _lines(plant, ITEMS_CSV)
    gone = items[9].split(b",")[0]
    _write(plant, ITEMS_CSV, items[:9] + items[10:])
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    named = 0
    for name, view in ((ROUTINGS_CSV, "BI_ROUTING_VIEW"), (RESULTS_CSV, "BI_WORK_ORDER_RESULTS")):
        rows = sum(1 for ln in _lines(plant, name) if ln.startswith(gone + b","))
        if rows:
            named += 1
            assert any(w.startswith(f"warning: {view}: {rows} row") and gone.decode() in w
                       and "missing from BI_ITEM_INFO_VIEW" in w for w in err.splitlines()), err
    assert named, "the removed item should have routings or results"


def _set_results(plant: Plant, column: str, value: bytes, which) -> tuple[list[bytes], int]:
    lines = _lines(plant, RESULTS_CSV)
    col = _column(lines, column)
    changed = 0
    for i in range(1, len(lines)):
        cells = lines[i].split(b",")
        if len(cells) > col and which(i, cells):
            cells[col] = value
            lines[i] = b",".join(cells)
            changed += 1
    _write(plant, RESULTS_CSV, lines)
    return lines, changed


def test_absurd_hours_never_reach_predictions_and_are_counted_per_item(plant: Plant, capsys):
    item = plant.probes[0]
    _, changed = _set_results(plant, "MACH_WORKED_HOURS", b"1e12", lambda i, c: c[0] == item.encode())
    assert changed > 0
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    warning = next(w for w in err.splitlines() if "MACH_WORKED_HOURS no shop can book" in w)
    assert f"{changed} values" in warning and "more than a year" in warning and RESULTS_CSV in warning
    rc, _, err = run_cli(capsys, "train", "--store", str(plant.store))
    assert rc == 0, err
    rc, out, err = run_cli(capsys, "predict", "--item", item, "--json", "--store", str(plant.store))
    assert rc == 0, err
    ops = [op for c in json.loads(out)["predictions"][0]["candidates"] for op in c["operations"]]
    assert ops and max(op["RUN_TIME"] for op in ops) < 10_000      # minutes per piece, not 2.9e12
    store = Store(str(plant.store))
    report = quality_report(store)
    store.dispose()
    assert report["impossible_hours_by_item"][0] == {"ITEM_CD": item, "work_results": changed}
    assert report["impossible_hours_by_reason"]["MACH_WORKED_HOURS more than a year"] == changed
    assert any("no shop can book" in w for w in report["import_warnings"])


def test_a_prediction_says_its_own_actuals_were_left_out_for_impossible_hours(plant: Plant, capsys):
    """Not "unusable (zero or missing hours)": they were there, and no shop can book them."""
    item = plant.probes[0]
    _set_results(plant, "MACH_WORKED_HOURS", b"1e12", lambda i, c: c[0] == item.encode())
    assert _import(capsys, plant)[0] == 0
    assert run_cli(capsys, "train", "--store", str(plant.store))[0] == 0
    rc, out, err = run_cli(capsys, "predict", "--item", item, "--store", str(plant.store))
    assert rc == 0, err
    said = [line for line in (out + err).splitlines() if "own work results" in line]
    assert said and all("left out: impossible hours (negative, infinite, over a year" in line for line in said)
    assert not [line for line in said if "unusable" in line or "zero or missing" in line]


def test_a_tiny_order_quantity_is_named_not_the_ordinary_hours(plant: Plant, capsys):
    """ORDER_QTY 1e-9 turns ordinary hours into 10^11 minutes a piece: the warning names ORDER_QTY."""
    lines = _lines(plant, RESULTS_CSV)
    hours, qty = _column(lines, "MACH_WORKED_HOURS"), _column(lines, "ORDER_QTY")
    row = next(i for i in range(20, len(lines)) if float(lines[i].split(b",")[hours] or 0) > 0)
    _set_results(plant, "ORDER_QTY", b"1e-9", lambda i, c: i == row)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    warning = next(w for w in err.splitlines() if "no shop can book" in w)
    assert f"line {row + 1}, column ORDER_QTY: 1e-09" in warning, warning
    assert "ORDER_QTY out of line with the order's hours" in warning
    store = Store(str(plant.store))
    reasons = quality_report(store)["impossible_hours_by_reason"]
    store.dispose()
    assert reasons == {"ORDER_QTY out of line with the order's hours (per piece far outside the operation's "
                       "range)": 1}


def test_negative_and_infinite_hours_are_named_in_the_import_summary(plant: Plant, capsys):
    _set_results(plant, "SETUP_HOURS", b"-2", lambda i, c: i == 30)
    _set_results(plant, "MACH_WORKED_HOURS", b"inf", lambda i, c: i in (40, 41))
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    setup = next(w for w in err.splitlines() if "SETUP_HOURS no shop can book" in w)
    assert "negative 1" in setup and "line 31, column SETUP_HOURS: -2" in setup
    run = next(w for w in err.splitlines() if "MACH_WORKED_HOURS no shop can book" in w)
    assert "infinite 2" in run and "line 41" in run


def _multi_operation_line(lines: list[bytes]) -> int:
    """The index of a routing line in the middle of a routing with several operations."""
    keys = [b",".join(ln.split(b",")[:2]) for ln in lines]
    return next(i for i in range(2, len(lines) - 1) if keys[i - 1] == keys[i] == keys[i + 1])


@pytest.mark.parametrize("column", ["ITEM_CD", "ROUT_NO"])
def test_an_operation_without_its_item_or_routing_number_is_refused_not_dropped(plant: Plant, capsys, column):
    lines = _lines(plant, ROUTINGS_CSV)
    i = _multi_operation_line(lines)
    cells = lines[i].split(b",")
    cells[_column(lines, column)] = b"  "
    lines[i] = b",".join(cells)
    _write(plant, ROUTINGS_CSV, lines)
    # leaving the row out would store its routing with one operation missing
    line = _refused(capsys, plant, ROUTINGS_CSV, f"line {i + 1}, column {column}", "cannot be tied to its routing")
    assert "1 row left out" not in line


@pytest.mark.parametrize("marks", [1, 2])
def test_an_inch_mark_in_an_unquoted_cell_is_refused_naming_its_line_and_column(plant: Plant, capsys, marks):
    lines = _lines(plant, ITEMS_CSV)
    spec = _column(lines, "ITEM_SPEC")
    for i in (20, 40)[:marks]:
        cells = lines[i].split(b",")
        cells[spec] = b'SHAFT 2" SUS'
        lines[i] = b",".join(cells)
    _write(plant, ITEMS_CSV, lines)
    line = _refused(capsys, plant, ITEMS_CSV, "line 21, column ITEM_SPEC", "quote")
    assert "CSV malformed" not in line


def test_an_undoubled_quote_inside_a_quoted_cell_is_refused_naming_its_line_and_column(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    spec = _column(lines, "ITEM_SPEC")
    cells = lines[30].split(b",")
    cells[spec] = b'"SHAFT 2" SUS"'
    lines[30] = b",".join(cells)
    _write(plant, ITEMS_CSV, lines)
    _refused(capsys, plant, ITEMS_CSV, "line 31, column ITEM_SPEC", "must be doubled")


def test_a_cell_starting_with_a_quote_it_never_closes_is_named_where_it_starts(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    name, spec = _column(lines, "ITEM_NM"), _column(lines, "ITEM_SPEC")
    cells = lines[30].split(b",")
    cells[name] = b'"' + cells[name]                # runs on to the next quote in the file
    lines[30] = b",".join(cells)
    cells = lines[40].split(b",")
    cells[spec] = b'"SHAFT, SUS"'
    lines[40] = b",".join(cells)
    _write(plant, ITEMS_CSV, lines)
    line = _refused(capsys, plant, ITEMS_CSV, "line 31, column ITEM_NM", "quoted cell starts here")
    assert "line 41" in line or "line 3" in line        # where it closed: line 41, or a quoted cell before


def test_an_inch_mark_written_as_excel_writes_it_is_read(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    spec = _column(lines, "ITEM_SPEC")
    cells = lines[20].split(b",")
    cells[spec] = b'"SHAFT 2"" SUS, 3"""'
    lines[20] = b",".join(cells)
    _write(plant, ITEMS_CSV, lines)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    store = Store(str(plant.store))
    items = store.read_view("items")
    store.dispose()
    assert items.filter(pl.col("ITEM_CD") == cells[0].decode())["ITEM_SPEC"].to_list() == ['SHAFT 2" SUS, 3"']


def test_a_cp949_file_cut_in_the_middle_of_a_character_is_called_cut_off(plant: Plant, capsys):
    text = (plant.folder / ITEMS_CSV).read_bytes().decode("utf-8-sig")
    data = text.encode("cp949")
    lines = data.split(b"\n")
    line = next(i for i, ln in enumerate(lines) if i > 200 and any(b >= 0x81 for b in ln))
    row = lines[line]
    first_korean = next(k for k, b in enumerate(row) if b >= 0x81)
    (plant.folder / ITEMS_CSV).write_bytes(b"\n".join(lines[:line] + [row[:first_korean + 1]]))
    _refused(capsys, plant, ITEMS_CSV, f"line {line + 1}", "cut off")


def test_a_required_column_given_twice_with_different_values_is_refused(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    header = lines[0].decode("utf-8-sig").split(",")
    header[header.index("PartNm")] = "PART_TYPE"      # a header renamed by hand: which copy is right?
    lines[0] = codecs.BOM_UTF8 + ",".join(header).encode()
    _write(plant, ITEMS_CSV, lines)
    _refused(capsys, plant, ITEMS_CSV, "PART_TYPE appears in columns", "different values", "line 2")


def test_a_required_column_given_twice_with_the_same_values_is_only_named(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    header = lines[0].decode("utf-8-sig").split(",")
    part_type = header.index("PART_TYPE")
    lines = [ln + b"," + ln.split(b",")[part_type] if ln else ln for ln in lines]
    lines[0] = codecs.BOM_UTF8 + ",".join(header + ["PART_TYPE"]).encode()
    _write(plant, ITEMS_CSV, lines)
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    assert "PART_TYPE appears 2 times" in err and "items 300" in out


def test_a_lone_carriage_return_inside_an_unquoted_cell_is_refused_naming_the_line(plant: Plant, capsys):
    lines = _lines(plant, ROUTINGS_CSV)
    remark = _column(lines, "REMARK")
    cells = lines[60].split(b",")
    cells[remark] = b"INSPECT\rRETEST"     # Excel starts a new row at the CR, polars would not
    lines[60] = b",".join(cells)
    _write(plant, ROUTINGS_CSV, lines)
    _refused(capsys, plant, ROUTINGS_CSV, "line 61", "carriage return")


def test_a_windows_file_cut_between_cr_and_lf_imports_all_its_rows(plant: Plant, capsys):
    lines = [ln for ln in _lines(plant, ROUTINGS_CSV) if ln]
    (plant.folder / ROUTINGS_CSV).write_bytes(b"\r\n".join(lines) + b"\r")
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    store = Store(str(plant.store))
    assert store.view_counts()["routings"] == len(lines) - 1
    store.dispose()


def test_a_file_with_old_mac_line_ends_is_named_as_such(plant: Plant, capsys):
    data = (plant.folder / ITEMS_CSV).read_bytes()
    (plant.folder / ITEMS_CSV).write_bytes(data.replace(b"\n", b"\r"))
    line = _refused(capsys, plant, ITEMS_CSV, "old Mac line ends", "CSV UTF-8")
    assert "line 1" not in line


def test_a_utf8_line_in_a_cp949_file_is_refused_not_garbled(plant: Plant, capsys):
    # A CP949 export with a line joined from a UTF-8 file: CP949 reads about half of such lines
    # without a complaint, as other Korean (고객 becomes 怨좉컼), so it must be caught line by line.
    lines = (plant.folder / ITEMS_CSV).read_bytes().decode("utf-8-sig").encode("cp949").split(b"\n")
    for i, ln in enumerate(lines[1:], start=1):
        cells = ln.split(b",")
        korean = [k for k, c in enumerate(cells) if any(b >= 0x80 for b in c) and b'"' not in c]
        quiet = [k for k in korean if _decodes_as_cp949(cells[k].decode("cp949").encode() + b",")]
        if quiet:
            cells[quiet[0]] = cells[quiet[0]].decode("cp949").encode()
            lines[i] = b",".join(cells)
            break
    else:
        pytest.fail("the plant should have a Korean cell whose UTF-8 bytes are also CP949")
    _write(plant, ITEMS_CSV, lines)
    _refused(capsys, plant, ITEMS_CSV, "mixes two encodings", f"line {i + 1} holds UTF-8 text")


def _decodes_as_cp949(data: bytes) -> bool:
    try:
        data.decode("cp949")
        return True
    except UnicodeDecodeError:
        return False


def test_a_nul_byte_is_refused_as_a_damaged_file_naming_line_and_column(plant: Plant, capsys):
    lines = _lines(plant, ITEMS_CSV)
    lines[12] = lines[12][:4] + b"\0" + lines[12][4:]        # inside the item code
    _write(plant, ITEMS_CSV, lines)
    _refused(capsys, plant, ITEMS_CSV, "line 13, column ITEM_CD", "NUL byte", "damaged")


def test_work_results_with_empty_hours_count_as_missing_in_the_quality_report(plant: Plant, capsys):
    store = Store(str(plant.store))
    before = quality_report(store)["zero_or_missing_hours_work_results"]
    store.dispose()
    hours = _column(_lines(plant, RESULTS_CSV), "MACH_WORKED_HOURS")
    _, emptied = _set_results(plant, "MACH_WORKED_HOURS", b"", lambda i, c: i % 50 == 0 and float(c[hours]) > 0)
    assert emptied > 0
    rc, out, err = _import(capsys, plant)
    assert rc == 0, err
    store = Store(str(plant.store))
    report = quality_report(store)
    store.dispose()
    assert report["zero_or_missing_hours_work_results"] == before + emptied
