"""The Prediction tab driven as an engineer would: pick, predict, switch, edit, undo, save, reload."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from app.domain.access import User
from app.ui.routing_editor import COLUMNS
from ui_helpers import LONG, predict_first_new_item


def _edit_cell(qtbot, editor, row: int, column: str, text: str) -> None:
    """Double-click-like editing: open the cell editor, type, press Enter."""
    table = editor.table
    idx = editor.model.index(row, COLUMNS.index(column))
    table.setCurrentIndex(idx)
    table.edit(idx)
    line = next((e for e in table.findChildren(QLineEdit) if e.isVisible()), None)
    assert line is not None
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState, timeout=5000)


def test_pick_predict_switch_edit_undo_save_and_reload(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)
    assert tab.item_cd == code
    assert tab.similar_model.rowCount() > 0
    assert tab.similar_model.rows[0].matching, "each similar item says what made it similar"
    assert tab.candidate_model.rowCount() >= 1
    assert code in tab.title.text()

    # switch candidate by a click when there are several; the editor follows
    if len(tab.entries) > 1:
        rect = tab.candidate_table.visualRect(tab.candidate_model.index(1, 0))
        qtbot.mouseClick(tab.candidate_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert tab.editor.model is tab.entries[1].model
    entry = tab.current_entry
    ops_before = [o.JOB_CD for o in entry.model.operations]
    assert tab.chart.ops and len(tab.chart.ops) == len(ops_before)

    # edit a run time in place; the chart total follows
    original = entry.model.operations[0].RUN_TIME
    total_before = tab.chart.total()
    _edit_cell(qtbot, tab.editor, 0, "RUN_TIME", "2.5")
    assert entry.model.operations[0].RUN_TIME == 2.5
    assert tab.chart.total() != total_before or original == 2.5
    assert tab.dirty_label.text()

    # Ctrl+Z undoes, Ctrl+Y redoes
    tab.editor.table.setFocus()
    qtbot.keyClick(tab.editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert entry.model.operations[0].RUN_TIME == original
    qtbot.keyClick(tab.editor.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert entry.model.operations[0].RUN_TIME == 2.5

    # Ctrl+S saves and says so at once
    with qtbot.waitSignal(tab.saved, timeout=LONG) as saved:
        qtbot.keyClick(tab.editor.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0].revision == 1
    assert "Saved revision 1 by lee" in tab.saved_label.text()
    assert not tab.dirty_label.text()
    assert tab.entries[0].kind == "saved"

    # a new window on the same store shows the saved routing when the item is opened
    w2 = make_window(store_url)
    with qtbot.waitSignal(w2.prediction.prediction_shown, timeout=LONG):
        w2.prediction.predict_code(code)
    first = w2.prediction.entries[0]
    assert first.kind == "saved" and first.saved.revision == 1
    assert w2.prediction.editor.model is first.model
    assert first.model.operations[0].RUN_TIME == 2.5
    assert [o.JOB_CD for o in first.model.operations] == ops_before
    assert "revision 1 by lee" in w2.prediction.saved_label.text()


def test_invalid_time_is_refused_with_a_message(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    model = tab.editor.model
    before = model.operations[0].SETUP_TIME
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "abc")
    assert model.operations[0].SETUP_TIME == before
    assert "not a number" in tab.editor.message.text()
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "-3")
    assert model.operations[0].SETUP_TIME == before
    assert "negative" in tab.editor.message.text()
    assert model.stack.count() == 0, "a refused value leaves nothing to undo"
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "12,5")  # a decimal comma is a number
    assert model.operations[0].SETUP_TIME == 12.5


def test_add_remove_reorder_with_undo(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    ed = tab.editor
    model = ed.model
    jobs = [o.JOB_CD for o in model.operations]
    assert ed.palette, "the palette lists the plant's known operations"
    ed.table.selectRow(0)
    pick = next(i for i, p in enumerate(ed.palette) if p.JOB_CD not in jobs[:2])
    ed.palette_box.setCurrentIndex(pick)
    qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    assert [o.JOB_CD for o in model.operations] == jobs[:1] + [ed.palette[pick].JOB_CD] + jobs[1:]
    assert [o.PROC_SEQ for o in model.operations] == [10 * (i + 1) for i in range(len(jobs) + 1)]
    ed.table.selectRow(1)
    qtbot.mouseClick(ed.up_button, Qt.MouseButton.LeftButton)
    assert model.operations[0].JOB_CD == ed.palette[pick].JOB_CD
    ed.table.selectRow(0)
    qtbot.mouseClick(ed.remove_button, Qt.MouseButton.LeftButton)
    assert [o.JOB_CD for o in model.operations] == jobs
    for _ in range(3):
        ed.undo_action.trigger()
    assert [o.JOB_CD for o in model.operations] == jobs
    assert model.stack.index() == 0
    # INSIDE_FLAG and RES_CD are editable too, and validated
    idx = model.index(0, COLUMNS.index("INSIDE_FLAG"))
    assert model.setData(idx, "외주")
    assert model.operations[0].INSIDE_FLAG == "외주"
    assert not model.setData(idx, "elsewhere")
    assert "INSIDE_FLAG" in ed.message.text()


def test_paste_50_codes_gives_50_rows(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    codes = w.ctx.store.item_codes()[:49] + ["NO-SUCH-ITEM"]
    tab.input_tabs.setCurrentIndex(1)
    tab.codes_edit.setFocus()
    tab.codes_edit.setPlainText("\n".join(codes))
    assert "50 item codes" in tab.codes_count.text()
    with qtbot.waitSignal(tab.batch_finished, timeout=LONG) as done:
        qtbot.mouseClick(tab.predict_button, Qt.MouseButton.LeftButton)
    assert done.args == [50]
    rows = tab.batch_model.rows
    assert [r["code"] for r in rows] == codes
    assert rows[-1]["status"] == "unknown" and "NO-SUCH-ITEM" in rows[-1]["message"]
    assert sum(r["status"] == "ok" for r in rows) >= 45
    # double-click opens one in the editor
    rect = tab.batch_table.visualRect(tab.batch_model.index(3, 0))
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG) as shown:
        # a real double-click arrives as press/release, then the double-click
        qtbot.mouseClick(tab.batch_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tab.batch_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == [codes[3]]
    assert tab.editor.model is not None


def test_new_item_form_predicts(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    tab.input_tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.browser.model.rowCount() > 0, timeout=LONG)
    tab.browser.select_row(5)
    tab.fill_form_from_selection()
    qtbot.waitUntil(lambda: bool(tab.form_attributes().get("PART_TYPE")), timeout=LONG)
    assert tab.input_tabs.currentIndex() == 2
    tab.form_code.setText("NEW-0001")
    tab.form_fields["OUTDIAMETER"].setText("88")
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG) as shown:
        qtbot.mouseClick(tab.predict_button, Qt.MouseButton.LeftButton)
    assert shown.args == ["NEW-0001"]
    assert tab.candidate_model.rowCount() >= 1


def test_threshold_and_candidates_change_the_result(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    assert tab.similar_model.rowCount() == 10
    tab.top_k.setValue(3)
    tab.threshold.setValue(0.99)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict()
    assert tab.similar_model.rowCount() <= 3
    assert all(s.similarity >= 0.99 for s in tab.similar_model.rows)


def test_save_conflict_is_reported_with_reload(qtbot, make_window, store_url, monkeypatch):
    a = make_window(store_url)
    code = predict_first_new_item(qtbot, a)
    b = make_window(store_url, user=User("kim", "engineer", "PC-KIM"))
    with qtbot.waitSignal(b.prediction.prediction_shown, timeout=LONG):
        b.prediction.predict_code(code)
    # kim saves first from the second window
    b.prediction.editor.model.setData(b.prediction.editor.model.index(0, COLUMNS.index("SETUP_TIME")), "7")
    assert b.prediction.save() is not None
    # lee, who opened the item before, edits and saves: refused, told who, offered Reload
    ta = a.prediction
    ta.editor.model.setData(ta.editor.model.index(0, COLUMNS.index("SETUP_TIME")), "99")
    assert ta.save() is None
    text = ta.conflict.text()
    assert "kim" in text and code in text and "revision 1" in text
    assert ta.reload_button.isVisible()
    qtbot.mouseClick(ta.reload_button, Qt.MouseButton.LeftButton)
    assert ta.conflict.isHidden()
    assert ta.entries[0].kind == "saved" and ta.current_entry is ta.entries[0]
    assert ta.current_entry.model.operations[0].SETUP_TIME == 7
    assert ta.opened_revision == 1
    # nothing was overwritten silently
    from app.services import routings
    assert routings.load_saved(a.ctx.store, code).operations[0].SETUP_TIME == 7


def test_item_browser_pages_and_searches(qtbot, make_window, store_url):
    w = make_window(store_url)
    browser = w.prediction.browser
    model = browser.model
    qtbot.waitUntil(lambda: model.rowCount() == 200 and model.total > 200, timeout=LONG)
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 400, timeout=LONG)
    browser.search.setText("BELLOWS")
    qtbot.waitUntil(lambda: not model.loading and 0 < model.total < 2500, timeout=LONG)
    assert all(r[2] == "BELLOWS" or "BELLOWS" in " ".join(str(v) for v in r) for r in model.rows)
    browser.only_without.setChecked(True)
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=LONG)
    assert all(r[-1] == "N" for r in model.rows)


def test_settings_remember_inputs_and_tab(qtbot, make_window, store_url):
    w = make_window(store_url)
    w.prediction.top_k.setValue(7)
    w.prediction.threshold.setValue(0.35)
    w.prediction.browser.search.setText("SLEEVE")
    w.prediction.codes_edit.setPlainText("A-1\nB-2")
    w.tabs.setCurrentIndex(1)
    w.close()
    w2 = make_window(store_url)
    assert w2.prediction.top_k.value() == 7
    assert abs(w2.prediction.threshold.value() - 0.35) < 1e-9
    assert w2.prediction.browser.search.text() == "SLEEVE"
    assert w2.prediction.codes_edit.toPlainText() == "A-1\nB-2"
    assert w2.tabs.currentIndex() == 1
