"""The Mapping & Export tab: its models alone, then an engineer's walk through the window — preview
with a bad cell marked, an admin's profile edit, preview again, export."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import LONG

from app.services.export.profile import default_profile
from app.ui.look import MUTED_TEXT
from app.ui.export.models import (ERROR_BACKGROUND, WARN_BACKGROUND, ColumnsModel, PairsModel, PreviewModel,
                                  prepare_preview)


def _new_codes(store, n: int) -> list[str]:
    routed = set(store.routed_item_codes().to_list())
    return [c for c in store.item_codes() if c not in routed][:n]


def test_the_columns_model_edits_a_profile_column_and_refuses_a_bad_type(qtmodeltester):
    profile = default_profile()
    model = ColumnsModel()
    model.set_rows(profile.table("P_BOP_PROC_DETAIL").columns)
    qtmodeltester.check(model)
    refused = []
    model.edit_error = refused.append
    row = [c.name for c in model.rows].index("WC_CD")
    assert model.data(model.index(row, 6)) == "lookup WC_CD"
    assert not (model.flags(model.index(row, 4)) & Qt.ItemFlag.ItemIsEditable)     # read-only until allowed
    model.editable = True
    assert model.setData(model.index(row, 6), "lookup WC_CD | upper")
    assert profile.table("P_BOP_PROC_DETAIL").column("WC_CD").transform == [{"lookup": "WC_CD"}, "upper"]
    assert not model.setData(model.index(row, 1), "varchar")
    assert refused and "type must be one of text, int, number, datetime" in refused[0]
    assert not model.setData(model.index(row, 6), "lookup")
    assert "is not understood" in refused[-1]


def test_the_preview_model_marks_bad_cells_and_warnings(qtmodeltester):
    from exportkit import USER, erp_profile, plant, routing, selection

    from app.domain.routing import Operation
    from app.services.export.rows import build_plan
    ops = [Operation(10, "A01-2", "", "CNC-01", "사내", 10, 2), Operation(20, "Q30-1", "", "CNC-99", "사내", 5, 1)]
    plan = build_plan(erp_profile(), selection(routing("SR-1", ops)), plant(), USER)
    detail = plan.tables[1]
    data = prepare_preview(plan, 100)
    model = PreviewModel()
    model.set_table(detail, data.marks[detail.name], data.invalid, [r.ITEM_CD for r in plan.routings])
    qtmodeltester.check(model)
    bad = model.find_cell(1, "RES_CD")
    assert model.data(bad) == "CNC-99"
    assert model.data(bad, Qt.ItemDataRole.BackgroundRole).color() == ERROR_BACKGROUND
    assert "RES_CD: 'CNC-99' is not in lookup RESOURCES" in model.data(bad, Qt.ItemDataRole.ToolTipRole)
    warn = model.find_cell(0, "WC_CD")
    assert model.data(warn, Qt.ItemDataRole.BackgroundRole).color() == WARN_BACKGROUND
    fine = model.find_cell(0, "JOB_CD")
    assert model.data(fine, Qt.ItemDataRole.BackgroundRole) is None and model.data(fine) == "A01-2"
    assert model.data(fine, Qt.ItemDataRole.ForegroundRole).color() == MUTED_TEXT    # its routing is invalid
    assert model.headerData(1, Qt.Orientation.Vertical) == "2  SR-1"


def test_pairs_model_round_trips_a_lookup(qtmodeltester):
    model = PairsModel("Key", "Value")
    model.set_pairs({"ASY-WC1A": "151211"})
    model.editable = True
    row = model.add_row()
    assert model.setData(model.index(row, 0), " CNC-01 ") and model.setData(model.index(row, 1), "151100")
    qtmodeltester.check(model)
    assert model.pairs() == {"ASY-WC1A": "151211", "CNC-01": "151100"}


def test_an_engineer_previews_a_batch_an_admin_fixes_the_profile_and_the_batch_is_exported(
        qtbot, make_window, store_url, tmp_path):
    from app.services.prediction import predict_items
    window = make_window(store_url)
    tab = window.export
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.profile_panel.stored is not None, timeout=LONG)
    assert tab.profile_panel.chooser.currentText() == "ERP"
    assert tab.profile_panel.table_chooser.count() == 4

    tab.set_batch(predict_items(window.ctx.store, _new_codes(window.ctx.store, 20), user=window.ctx.user))
    assert tab.selection_panel.batch_radio.isEnabled()
    tab.selection_panel.choose("batch")
    with qtbot.waitSignal(tab.preview_shown, timeout=LONG) as shown:
        qtbot.mouseClick(tab.selection_panel.preview_button, Qt.MouseButton.LeftButton)
    plan = shown.args[0]
    assert len(plan.routings) == 20 and len(plan.invalid) == 20        # lee has no employee number yet
    panel = tab.preview_panel
    assert "20 routings: 0 valid, 20 invalid" in panel.summary.text()
    master = panel.models["P_BOP_PROC_MASTER"]
    cell = master.find_cell(0, "INSRT_USER_ID")
    assert master.data(cell, Qt.ItemDataRole.BackgroundRole).color() == ERROR_BACKGROUND
    assert "'lee' is not in lookup EMPLOYEE_NO" in master.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert panel.problems_model.rows[0].reason == "'lee' is not in lookup EMPLOYEE_NO"

    tab.target_panel.set_target("csv", str(tmp_path / "erp"))
    with qtbot.waitSignal(tab.failed, timeout=LONG):
        qtbot.mouseClick(tab.target_panel.export_button, Qt.MouseButton.LeftButton)
    assert "Export refused: all 20 routings are invalid" in tab.error.text()
    assert "lookup EMPLOYEE_NO" in tab.result_panel.toPlainText()
    assert not (tmp_path / "erp").exists()

    # the admin gives lee an employee number in the profile's lookup and saves it
    profile_panel = tab.profile_panel
    profile_panel.select_lookup("EMPLOYEE_NO")
    qtbot.mouseClick(profile_panel.add_pair, Qt.MouseButton.LeftButton)
    model = profile_panel.lookup_model
    row = model.rowCount() - 1
    assert model.setData(model.index(row, 0), "lee") and model.setData(model.index(row, 1), "133111")
    assert profile_panel.dirty and "not saved" in profile_panel.state.text()
    revision = profile_panel.stored.revision
    qtbot.mouseClick(profile_panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: profile_panel.stored.revision == revision + 1, timeout=LONG)
    assert not profile_panel.dirty

    with qtbot.waitSignal(tab.preview_shown, timeout=LONG) as shown:
        qtbot.mouseClick(tab.selection_panel.preview_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].invalid == set()
    assert "20 routings: 20 valid, 0 invalid" in panel.summary.text()

    with qtbot.waitSignal(tab.sig_exported, timeout=LONG) as done:
        qtbot.mouseClick(tab.target_panel.export_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert result.routings == 20 and result.written["P_BOP_PROC_MASTER"] == 20
    text = tab.result_panel.toPlainText()
    assert "Exported 20 routing(s)" in text and "P_BOP_PROC_DETAIL.csv" in text
    rows = list(csv.DictReader(open(tmp_path / "erp" / "P_BOP_PROC_MASTER.csv", encoding="utf-8-sig")))
    assert len(rows) == 20 and {r["INSRT_USER_ID"] for r in rows} == {"133111"}


def test_an_engineer_cannot_edit_profiles_and_is_told_why(qtbot, make_window, store_url):
    from app.domain.access import User
    window = make_window(store_url, user=User("kim", "engineer", "PC-ENG-07"))
    panel = window.export.profile_panel
    qtbot.waitUntil(lambda: panel.stored is not None, timeout=LONG)
    assert not panel.save_button.isEnabled()
    assert "Only an admin can change mapping profiles; you are kim (engineer)." in panel.save_button.toolTip()
    assert window.export.target_panel.export_button.isEnabled()
    assert not panel.columns_model.flags(panel.columns_model.index(4, 4)) & Qt.ItemFlag.ItemIsEditable


def test_an_empty_selection_is_refused_with_a_reason(qtbot, make_window, store_url, tmp_path):
    window = make_window(store_url)
    tab = window.export
    qtbot.waitUntil(lambda: tab.profile_panel.stored is not None, timeout=LONG)
    tab.selection_panel.choose("saved")
    tab.selection_panel.approved_only.setChecked(True)
    with qtbot.waitSignal(tab.preview_shown, timeout=LONG):
        tab.preview()
    assert "Nothing to export: saved routings (approved) holds no routing" in tab.preview_panel.summary.text()
    tab.target_panel.set_target("xlsx", str(tmp_path / "x.xlsx"))
    with qtbot.waitSignal(tab.failed, timeout=LONG):
        tab.export()
    assert "Nothing to export: saved routings (approved) holds no routing." in tab.error.text()
    assert not Path(tmp_path / "x.xlsx").exists()


@pytest.fixture(autouse=True)
def _helpers_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "services"))


def test_the_prediction_tabs_batch_and_editor_reach_the_export_tab(qtbot, make_window, store_url):
    """A batch predicted on the Prediction tab is offered for export with the candidate the engineer
    switched to; the routing in the editor is exported as edited."""
    window = make_window(store_url)
    pred, tab = window.prediction, window.export
    qtbot.waitUntil(lambda: tab.profile_panel.stored is not None, timeout=LONG)
    codes = _new_codes(window.ctx.store, 40)
    with qtbot.waitSignal(pred.batch_ready, timeout=LONG):
        pred.predict_codes(codes)
    assert tab.batch is not None and tab.selection_panel.batch_radio.isChecked()
    rows = pred.inputs.batch_model.rows
    row = next(i for i, r in enumerate(rows) if r.prediction and len(r.prediction.candidates) > 1)
    code = rows[row].code
    with qtbot.waitSignal(pred.prediction_shown, timeout=LONG):
        pred.open_batch_row(row)
    second = next(i for i, e in enumerate(pred.entries) if e.kind == "candidate" and e.rank == 2)
    pred.select_candidate(second)
    rank = pred.current_entry.rank
    assert rank > 1 and tab.chosen[code] == rank
    with qtbot.waitSignal(tab.preview_shown, timeout=LONG) as shown:
        tab.preview()
    exported = next(r for r in shown.args[0].routings if r.ITEM_CD == code)
    assert exported.candidate_rank == rank

    assert tab.selection_panel.editor_radio.isEnabled() and code in tab.selection_panel.editor_info.text()
    tab.selection_panel.choose("editor")
    from app.ui.routing_editor import COLUMNS
    model = pred.editor.model
    assert model.setData(model.index(0, COLUMNS.index("RUN_TIME")), "77")
    with qtbot.waitSignal(tab.preview_shown, timeout=LONG) as shown:
        tab.preview()
    (only,) = shown.args[0].routings
    assert only.ITEM_CD == code and only.origin == "editor" and only.operations[0].RUN_TIME == 77.0
    detail = shown.args[0].tables[1].frame
    assert detail["RUN_TIME"][0] == 77.0 and detail.height == len(only.operations)


def test_the_preview_brings_a_table_to_the_front_scrolled_to_a_column(qtbot):
    """The screenshot's 'operations with their times': DETAIL in front with PROC_SEQ the first column
    in sight (one view shows every table; it once scrolled to the far right)."""
    from datetime import datetime

    from exportkit import USER, erp_profile, plant, routing, selection

    from app.services.export.rows import build_plan
    from app.ui.export.preview_panel import PreviewPanel
    plan = build_plan(erp_profile(), selection(routing("SR-1"), routing("GL-2")),
                      plant({"SR-1": "씰 링", "GL-2": "글랜드"}), USER, now=datetime(2026, 12, 1, 9, 30))
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    panel.show_plan(prepare_preview(plan, 100))
    view = panel.table_view
    assert view.model() is panel.models["P_BOP_PROC_MASTER"] and panel.tables.currentIndex() == 0
    master_widths = [view.horizontalHeader().sectionSize(i) for i in range(3)]
    view.horizontalHeader().resizeSection(1, 300)              # the engineer widens a column
    panel.show_table("P_BOP_PROC_DETAIL", "PROC_SEQ")
    qtbot.wait(50)
    assert panel.tables.tabText(panel.tables.currentIndex()).startswith("P_BOP_PROC_DETAIL (")
    assert view.model() is panel.models["P_BOP_PROC_DETAIL"] and view.isVisible()
    column = view.columnAt(0)
    assert view.model().headerData(column, Qt.Orientation.Horizontal) == "PROC_SEQ"
    panel.tables.setCurrentIndex(0)                           # the MASTER tab clicked again
    assert view.model() is panel.models["P_BOP_PROC_MASTER"]
    assert [view.horizontalHeader().sectionSize(i) for i in range(3)] == [master_widths[0], 300, master_widths[2]]
