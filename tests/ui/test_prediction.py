"""The Prediction tab driven as an engineer would: pick, predict, switch, edit, undo, save, reload."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QMessageBox

from app.domain.access import User
from app.domain.routing import Note
from app.services import routings
from app.ui.routing_editor import COLUMNS, signature
from ui_helpers import LONG, Questions, predict_first_new_item, predict_item_with_candidates

Save, Discard, Cancel = (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                         QMessageBox.StandardButton.Cancel)


def _edit_cell(qtbot, editor, row: int, column: str, text: str) -> None:
    """Double-click-like editing: open the cell editor, type, press Enter."""
    table = editor.table
    idx = table.model().index(row, COLUMNS.index(column))
    table.setCurrentIndex(idx)
    table.edit(idx)
    line = next((e for e in table.findChildren(QLineEdit) if e.isVisible()), None)
    assert line is not None
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState, timeout=5000)
    qtbot.wait(10)


def _name(tab, row: int) -> str:
    m = tab.candidate_model
    return m.data(m.index(row, m.column_index("NAME")))


def _edit_run_time(qtbot, tab, value: str = "2.5") -> None:
    _edit_cell(qtbot, tab.editor, 0, "RUN_TIME", value)
    qtbot.waitUntil(lambda: tab.mine() is not None and tab.editor.model is tab.mine().model, timeout=5000)


def test_pick_predict_switch_edit_undo_save_and_reload(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    code = predict_item_with_candidates(qtbot, w)
    assert tab.item_cd == code
    assert tab.similar_model.rowCount() > 0
    assert tab.similar_model.rows[0].matching, "each similar item says what made it similar"
    assert code in tab.title.text()

    # switch candidate by a click; the editor and the chart follow
    rect = tab.candidate_table.visualRect(tab.candidate_model.index(1, 0))
    qtbot.mouseClick(tab.candidate_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    candidate = tab.entries[1]
    assert tab.editor.model is candidate.model
    proposal = signature(candidate.candidate.operations)
    ops_before = [o.JOB_CD for o in candidate.model.operations]
    assert tab.chart.ops and len(tab.chart.ops) == len(ops_before)

    # an edit starts the engineer's own routing from candidate 2; the chart total follows
    original = candidate.model.operations[0].RUN_TIME
    total_before = tab.chart.total()
    _edit_run_time(qtbot, tab, "2.5")
    mine = tab.mine()
    assert tab.entries[0] is mine and mine.model.operations[0].RUN_TIME == 2.5
    assert tab.chart.total() != total_before or original == 2.5
    assert tab.dirty_label.text()
    assert _name(tab, 0) == "Edited · not saved"
    assert candidate.model.operations[0].RUN_TIME == original, "the proposal stays as the model made it"

    # Ctrl+Z undoes, Ctrl+Y redoes
    tab.editor.table.setFocus()
    qtbot.keyClick(tab.editor.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert mine.model.operations[0].RUN_TIME == original
    qtbot.keyClick(tab.editor.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert mine.model.operations[0].RUN_TIME == 2.5

    # Ctrl+S saves and says so at once
    with qtbot.waitSignal(tab.saved, timeout=LONG) as saved:
        qtbot.keyClick(tab.editor.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0].revision == 1
    assert "Saved revision 1 by lee" in tab.saved_label.text()
    assert not tab.dirty_label.text()
    assert _name(tab, 0) == "Saved · rev 1 · draft"
    assert _name(tab, 2) == "Candidate 2"
    assert signature(tab.entries[2].model.operations) == proposal, "after saving, candidate 2 is still the proposal"

    # a new window on the same store shows the saved routing when the item is opened
    w2 = make_window(store_url)
    with qtbot.waitSignal(w2.prediction.prediction_shown, timeout=LONG):
        w2.prediction.predict_code(code)
    first = w2.prediction.entries[0]
    assert first.kind == "mine" and first.saved.revision == 1
    assert w2.prediction.editor.model is first.model
    assert first.model.operations[0].RUN_TIME == 2.5
    assert [o.JOB_CD for o in first.model.operations] == ops_before
    assert "revision 1 by lee" in w2.prediction.saved_label.text()


def test_editing_a_candidate_keeps_the_proposal(qtbot, make_window, store_url):
    """Item 3: candidates stay as proposed; edits, additions and removals go to the engineer's routing."""
    w = make_window(store_url)
    tab = w.prediction
    predict_item_with_candidates(qtbot, w)
    proposals = [signature(e.candidate.operations) for e in tab.entries]
    tab.select_candidate(1)
    ed = tab.editor
    _edit_run_time(qtbot, tab, "7")
    mine = tab.mine()
    ed.table.selectRow(0)
    qtbot.mouseClick(ed.remove_button, Qt.MouseButton.LeftButton)
    assert len(mine.model.operations) == len(tab.entries[2].model.operations) - 1
    # editing candidate 1 now (after saying Discard) starts the engineer's routing again from it
    tab.select_candidate(1)
    assert tab.editor.model is tab.entries[1].model
    questions = Questions(qtbot, Discard)
    _edit_run_time(qtbot, tab, "3")
    questions.stop()
    assert len(questions.asked) == 1 and "candidate 1" in questions.asked[0]
    assert tab.mine() is mine and mine.model.operations[0].RUN_TIME == 3
    assert len(mine.model.operations) == len(tab.entries[1].model.operations)
    assert [signature(e.model.operations) for e in tab.entries[1:]] == proposals
    # and Undo goes back through it: to candidate 1, then to the edited candidate 2
    ed.undo_action.trigger()
    assert mine.model.signature() == signature(tab.entries[1].model.operations)
    ed.undo_action.trigger()
    assert [o.JOB_CD for o in mine.model.operations] == [o.JOB_CD for o in tab.entries[2].model.operations][1:]
    ed.undo_action.trigger()
    assert mine.model.operations[0].RUN_TIME == 7


def test_invalid_time_is_refused_with_a_message(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    candidate = tab.editor.model
    before = candidate.operations[0].SETUP_TIME
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "abc")
    assert candidate.operations[0].SETUP_TIME == before
    assert "not a number" in tab.editor.message.text()
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "-3")
    assert "negative" in tab.editor.message.text()
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "1,500")   # 1500 or 1.5? refused, never guessed
    assert "thousands separator or a decimal comma" in tab.editor.message.text()
    assert tab.mine() is None, "a refused value starts no routing and leaves nothing to undo"
    _edit_cell(qtbot, tab.editor, 0, "SETUP_TIME", "12,5")  # a decimal comma is a number
    qtbot.waitUntil(lambda: tab.mine() is not None, timeout=5000)
    assert tab.mine().model.operations[0].SETUP_TIME == 12.5
    assert candidate.operations[0].SETUP_TIME == before


def test_add_remove_reorder_with_undo(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    ed = tab.editor
    proposal = ed.model
    jobs = [o.JOB_CD for o in proposal.operations]
    assert ed.palette, "the palette lists the plant's known operations"
    ed.table.selectRow(0)
    pick = next(i for i, p in enumerate(ed.palette) if p.JOB_CD not in jobs[:2])
    ed.palette_box.setCurrentIndex(pick)
    qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    model = ed.model
    assert model is tab.mine().model and [o.JOB_CD for o in proposal.operations] == jobs
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
    # the undo buttons keep their short names; the step they undo is in their tooltip
    assert ed.undo_button.text() == "↶ Undo" and "INSIDE_FLAG" in ed.undo_button.toolTip()


def test_an_operation_from_the_palette_says_what_its_times_rest_on(qtbot, make_window, store_url):
    """Item 11: standard times are 'based on N routings', actuals on 'N results'."""
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    ed = tab.editor
    ed.table.selectRow(0)
    ed.palette_box.setCurrentIndex(0)
    qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    model = ed.model
    source = model.data(model.index(1, COLUMNS.index("TIME_SOURCE")))
    based_on = model.data(model.index(1, COLUMNS.index("SAMPLE_COUNT")))
    assert source == "standard times"
    assert based_on == f"{ed.palette[0].uses:,} routings"
    header = model.headerData(COLUMNS.index("SAMPLE_COUNT"), Qt.Orientation.Horizontal)
    assert header == "Based on"
    actual = next(i for i, o in enumerate(model.operations) if o.TIME_SOURCE != "standard")
    assert model.data(model.index(actual, COLUMNS.index("SAMPLE_COUNT"))).endswith(" results")


def test_time_warnings_do_not_contradict_each_other():
    """Item 11: when the candidate's own items have no usable actuals, the times come from the
    other similar items, and the warning says exactly that (tests/services checks the engine)."""
    from app.ui.wording import word
    note = Note("operation", "C10-1", Note("unusable_candidate", 2), Note("times_from_other_similar_actuals"))
    text = word(note)
    assert text == ("C10-1: all 2 work results of the items behind this candidate are unusable (zero or missing "
                    "hours); times taken from the other similar items' actuals")
    assert str(note) == text, "the command line says the same"


def test_paste_50_codes_gives_50_rows(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    codes = w.ctx.store.item_codes()[:49] + ["NO-SUCH-ITEM"]
    tab.inputs.tabs.setCurrentIndex(1)
    tab.inputs.codes_edit.setFocus()
    tab.inputs.codes_edit.setPlainText("\n".join(codes))
    assert "50 item codes" in tab.inputs.codes_count.text()
    with qtbot.waitSignal(tab.batch_finished, timeout=LONG) as done:
        qtbot.mouseClick(tab.predict_button, Qt.MouseButton.LeftButton)
    assert done.args == [50]
    rows = tab.batch_model.rows
    assert [r.code for r in rows] == codes
    assert rows[-1].status == "unknown" and "NO-SUCH-ITEM" in rows[-1].message
    assert sum(r.status == "ok" for r in rows) >= 45
    # double-click opens one in the editor
    rect = tab.inputs.batch_table.visualRect(tab.batch_model.index(3, 0))
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG) as shown:
        # a real double-click arrives as press/release, then the double-click
        qtbot.mouseClick(tab.inputs.batch_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tab.inputs.batch_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == [codes[3]]
    assert tab.editor.model is not None


def _fill_form_from_row(qtbot, tab, row: int = 5) -> None:
    tab.inputs.clear_form()
    tab.inputs.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.browser.model.rowCount() > row, timeout=LONG)
    tab.browser.select_row(row)
    tab.fill_form_from_selection()
    qtbot.waitUntil(lambda: bool(tab.inputs.form_attributes().get("PART_TYPE")), timeout=LONG)
    assert tab.inputs.tabs.currentIndex() == 2


def test_new_item_form_predicts_and_shows_its_dimensions(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    _fill_form_from_row(qtbot, tab)
    tab.inputs.form_code.setText("NEW-0001")
    tab.inputs.form_fields["OUTDIAMETER"].setText("88,5")
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG) as shown:
        qtbot.mouseClick(tab.predict_button, Qt.MouseButton.LeftButton)
    assert shown.args == ["NEW-0001"]
    assert tab.candidate_model.rowCount() >= 1
    assert "OD 88.5" in tab.subtitle.text() and "mm" in tab.subtitle.text()
    from PySide6.QtWidgets import QLabel
    unit = tab.inputs.form_fields["OUTDIAMETER"].parent().findChild(QLabel)
    assert unit is not None and unit.text() == "mm" and unit.isVisible(), "the unit stays after a value is typed"


def test_an_ambiguous_dimension_is_refused_with_a_message(qtbot, make_window, store_url):
    """Item 5: "1,5" is 1.5; "1,500" could be 1500 or 1.5 and is refused, naming the field."""
    w = make_window(store_url)
    tab = w.prediction
    _fill_form_from_row(qtbot, tab)
    field = tab.inputs.form_fields["OUTDIAMETER"]
    field.setText("1,5")
    assert tab.inputs.form_attributes()["OUTDIAMETER"] == 1.5
    field.setText("1,500")
    assert field.property("invalid") is True and "OUTDIAMETER" in field.toolTip()
    shown: list[str] = []
    tab.prediction_shown.connect(shown.append)
    qtbot.mouseClick(tab.predict_button, Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    assert not shown, "nothing is predicted from a guessed number"
    assert "OUTDIAMETER" in tab.error.text() and "1,500" in tab.error.text()
    field.setText("1500")
    assert field.property("invalid") is False
    assert tab.error.isHidden(), "the message goes once its cause is gone"


def test_a_new_item_needs_its_own_unused_code_to_be_saved(qtbot, make_window, store_url):
    """Item 4: no routing is saved under a placeholder; a later new item never opens an earlier one's."""
    w = make_window(store_url)
    tab = w.prediction
    _fill_form_from_row(qtbot, tab)
    assert tab.inputs.form_code.text() == "", "a copied item needs a code of its own"
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict()
    assert tab.is_new_item and tab.new_code_edit.isVisible()
    assert tab.save_and_wait() is None
    assert "needs its own item code" in tab.editor.message.text()
    existing = w.ctx.store.item_codes()[0]
    tab.new_code_edit.setText(existing)
    assert tab.save_and_wait() is None
    assert f"item {existing} is already in the item master" in tab.editor.message.text()
    tab.new_code_edit.setText("new-0042")
    saved = tab.save_and_wait()
    assert saved is not None and saved.ITEM_CD == "NEW-0042" and saved.revision == 1
    assert "NEW-0042" in tab.title.text()
    # another new item, described later, with the same code: refused, the first one's routing untouched
    _fill_form_from_row(qtbot, tab, row=9)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict()
    assert tab.mine() is None, "no earlier routing is opened for a form without a code"
    tab.new_code_edit.setText("NEW-0042")
    assert tab.save_and_wait() is None
    assert "already saved under NEW-0042" in tab.editor.message.text()
    assert routings.load_saved(w.ctx.store, "NEW-0042").revision == 1


def test_three_quick_saves_make_one_revision(qtbot, make_window, store_url):
    """Item 6: Save keeps a routing once per change."""
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)
    _edit_run_time(qtbot, tab, "4.5")
    for _ in range(3):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving, timeout=LONG)
    assert routings.load_saved(w.ctx.store, code).revision == 1
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "nothing to save" in tab.saved_label.text()
    _edit_run_time(qtbot, tab, "5.5")
    for _ in range(3):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving, timeout=LONG)
    assert routings.load_saved(w.ctx.store, code).revision == 2
    # a changed status is a change: submitting the same routing makes one more revision
    tab.status_box.setCurrentIndex(tab.status_box.findData("submitted"))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving, timeout=LONG)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving, timeout=LONG)
    saved = routings.load_saved(w.ctx.store, code)
    assert (saved.revision, saved.status) == (3, "submitted")


def test_unsaved_edits_are_not_lost_when_another_item_is_predicted(qtbot, make_window, store_url):
    """Item 1: the question appears; Cancel keeps the edit, Discard drops it, Save keeps it in the store."""
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w, row=0)
    _edit_run_time(qtbot, tab, "9.5")
    tab.browser.select_row(1)
    other = tab.browser.current_code()

    questions = Questions(qtbot, Cancel)
    assert tab.predict_code(other) is None
    questions.stop()
    assert questions.asked == [f"Save changes to {code}?\n"
                               "Your edited routing has changes that are not saved. Save them before going on?"]
    assert tab.item_cd == code and tab.mine().model.operations[0].RUN_TIME == 9.5 and tab.has_unsaved_changes()

    questions = Questions(qtbot, Save)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict_code(other)
    questions.stop()
    assert len(questions.asked) == 1 and tab.item_cd == other
    assert routings.load_saved(w.ctx.store, code).operations[0].RUN_TIME == 9.5

    _edit_run_time(qtbot, tab, "1.25")
    questions = Questions(qtbot, Discard)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict_code(code)
    questions.stop()
    assert len(questions.asked) == 1 and tab.item_cd == code
    assert routings.load_saved(w.ctx.store, other) is None


def test_closing_and_switching_language_ask_before_dropping_edits(qtbot, make_window, store_url):
    """Item 1: File ▸ Quit / closing the window and Settings ▸ Language ask too; Cancel keeps all."""
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)
    _edit_run_time(qtbot, tab, "6.5")

    questions = Questions(qtbot, Cancel)
    assert not w.close(), "Cancel keeps the window open"
    questions.stop()
    assert len(questions.asked) == 1 and code in questions.asked[0]
    assert w.isVisible() and tab.mine().model.operations[0].RUN_TIME == 6.5

    requested: list[str] = []
    w.language_change_requested.connect(requested.append)
    questions = Questions(qtbot, Cancel)
    w.language_actions["ko"].trigger()
    questions.stop()
    assert len(questions.asked) == 1 and not requested
    assert not w.language_actions["ko"].isChecked(), "the menu still shows the language in use"
    assert tab.mine().model.operations[0].RUN_TIME == 6.5

    questions = Questions(qtbot, Save)
    w.language_actions["en"].trigger()
    questions.stop()
    assert requested == ["en"] and routings.load_saved(w.ctx.store, code).operations[0].RUN_TIME == 6.5
    assert w.handover()["prediction"]["item_cd"] == code, "the new window shows the same item again"


def test_threshold_and_candidates_change_the_result(qtbot, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    from app.ml.model import PredictOptions
    assert tab.similar_model.rowCount() == PredictOptions().top_k, "the window proposes as the command line does"
    tab.inputs.top_k.setValue(3)
    tab.inputs.threshold.setValue(0.99)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict()
    assert tab.similar_model.rowCount() <= 3
    assert all(s.similarity >= 0.99 for s in tab.similar_model.rows)


def test_nearly_tied_candidates_say_what_separates_them(qtbot, make_window, store_url):
    """Item 12: each candidate says in which operations it differs, and close scores are explained."""
    w = make_window(store_url)
    tab = w.prediction
    predict_item_with_candidates(qtbot, w, at_least=3)
    m = tab.candidate_model
    col = m.column_index("DIFF")
    for row, e in enumerate(tab.entries[1:], start=1):
        d = e.difference
        assert d is not None and d.other_rank == 1
        text = m.data(m.index(row, col))
        for job, _name in d.added:
            assert f"+{job}" in text
        for job, _name in d.missing:
            assert f"−{job}" in text
        tip = m.data(m.index(row, col), Qt.ItemDataRole.ToolTipRole)
        assert tip.startswith("Compared with candidate 1:")
    scores = [e.candidate.score for e in tab.entries]
    tied = [s for s in scores if s >= max(scores) * 0.9]
    assert tab.tie_note.isVisibleTo(tab) == (len(tied) >= 2)
    if len(tied) >= 2:
        assert "nearly tied" in tab.tie_note.text() and "Differs by" in tab.tie_note.text()
    support = m.data(m.index(0, m.column_index("SUPPORT")), Qt.ItemDataRole.ToolTipRole)
    assert "similarity" in support


def test_save_conflict_is_reported_with_reload(qtbot, make_window, store_url, monkeypatch):
    a = make_window(store_url)
    code = predict_first_new_item(qtbot, a)
    b = make_window(store_url, user=User("kim", "engineer", "PC-KIM"))
    with qtbot.waitSignal(b.prediction.prediction_shown, timeout=LONG):
        b.prediction.predict_code(code)
    # kim saves first from the second window
    b.prediction.editor.model.setData(b.prediction.editor.model.index(0, COLUMNS.index("SETUP_TIME")), "7")
    assert b.prediction.save_and_wait() is not None
    # lee, who opened the item before, edits and saves: refused, told who, offered Reload
    ta = a.prediction
    ta.editor.model.setData(ta.editor.model.index(0, COLUMNS.index("SETUP_TIME")), "99")
    assert ta.save_and_wait() is None
    text = ta.conflict.text()
    assert "kim" in text and code in text and "revision 1" in text
    assert ta.reload_button.isVisible()
    with qtbot.waitSignal(ta.reloaded, timeout=LONG):
        qtbot.mouseClick(ta.reload_button, Qt.MouseButton.LeftButton)
    assert ta.conflict.isHidden()
    assert ta.entries[0].kind == "mine" and ta.current_entry is ta.entries[0]
    assert ta.current_entry.model.operations[0].SETUP_TIME == 7
    assert ta.opened_revision == 1
    # nothing was overwritten silently, and Undo brings lee's edit back
    assert routings.load_saved(a.ctx.store, code).operations[0].SETUP_TIME == 7
    ta.editor.undo_action.trigger()
    assert ta.current_entry.model.operations[0].SETUP_TIME == 99


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
    w.prediction.inputs.top_k.setValue(7)
    w.prediction.inputs.threshold.setValue(0.35)
    w.prediction.browser.search.setText("SLEEVE")
    w.prediction.inputs.codes_edit.setPlainText("A-1\nB-2")
    w.tabs.setCurrentIndex(1)
    w.close()
    w2 = make_window(store_url)
    assert w2.prediction.inputs.top_k.value() == 7
    assert abs(w2.prediction.inputs.threshold.value() - 0.35) < 1e-9
    assert w2.prediction.browser.search.text() == "SLEEVE"
    assert w2.prediction.inputs.codes_edit.toPlainText() == "A-1\nB-2"
    assert w2.tabs.currentIndex() == 1


def test_messages_go_when_their_cause_is_gone(qtbot, make_window, store_url):
    """Cosmetic: "Select an item first" goes once an item is selected; the welcome hint goes after a prediction."""
    w = make_window(store_url)
    tab = w.prediction
    tab.inputs.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.browser.model.rowCount() > 0, timeout=LONG)
    tab.browser.table.clearSelection()
    tab.browser.table.setCurrentIndex(tab.browser.model.index(-1, -1))
    tab.predict()
    assert "Select an item" in tab.error.text()
    tab.browser.select_row(0)
    assert tab.error.isHidden()
    tab.first_start.show_message("The demo plant is ready. Tick “Only items without routing”, pick an item …")
    predict_first_new_item(qtbot, w)
    assert tab.first_start.isHidden()


def test_table_models_pass_the_model_tester(qtbot, qtmodeltester, make_window, store_url):
    w = make_window(store_url)
    tab = w.prediction
    predict_item_with_candidates(qtbot, w)
    _edit_run_time(qtbot, tab, "3.5")
    for model in (tab.similar_model, tab.candidate_model, tab.batch_model, tab.editor.model):
        qtmodeltester.check(model)


def test_drop_downs_show_whole_resource_and_operation_names(qtbot, make_window, store_url):
    """Cosmetic: the resource list in a RES_CD cell and the operation palette are as wide as their entries."""
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem
    w = make_window(store_url)
    tab = w.prediction
    predict_first_new_item(qtbot, w)
    table = tab.editor.table
    index = table.model().index(0, COLUMNS.index("RES_CD"))
    box = tab.editor.delegate.createEditor(table.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(box, QComboBox) and box.count() > 5
    widest = max(box.fontMetrics().horizontalAdvance(box.itemText(i)) for i in range(box.count()))
    assert box.view().minimumWidth() >= widest + 8
    palette = tab.editor.palette_box
    widest = max(palette.fontMetrics().horizontalAdvance(palette.itemText(i)) for i in range(palette.count()))
    assert palette.view().minimumWidth() >= widest + 8
    box.deleteLater()


def test_save_without_a_change_keeps_an_approval(qtbot, make_window, store_url):
    """Item 6 with the review: Save on an approved routing that did not change writes nothing."""
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)
    _edit_run_time(qtbot, tab, "4.5")
    tab.status_box.setCurrentIndex(tab.status_box.findData("submitted"))
    assert tab.save_and_wait().status == "submitted"
    approver = User("KSM\\park.qa", "approver", "PC-QA-02")   # not the submitter: nobody approves their own
    approved = routings.approve(w.ctx.store, code, "fine", user=approver)
    with qtbot.waitSignal(tab.prediction_shown, timeout=LONG):
        tab.predict_code(code)
    assert tab.mine().saved.status == "approved"
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.saving, timeout=LONG)
    saved = routings.load_saved(w.ctx.store, code)
    assert (saved.revision, saved.status) == (approved.revision, "approved")
    assert "nothing to save" in tab.saved_label.text()


def test_time_chart_is_blank_until_a_routing_is_shown(qtbot, make_window, store_url):
    """The chart's plot is made ahead, once the model is loaded, but the engineer sees the blank
    area (no empty axes) until a prediction shows a routing, and then its bars."""
    w = make_window(store_url)
    chart = w.prediction.chart
    qtbot.waitUntil(lambda: chart.plot is not None, timeout=LONG)
    assert chart.blank is not None and chart.blank.isVisible()
    assert not chart.plot.isVisible()
    predict_first_new_item(qtbot, w)
    qtbot.waitUntil(lambda: chart.plot.isVisible(), timeout=LONG)
    assert chart.blank is None
    assert chart.setup_bars.opts["height"] is not None and len(chart.setup_bars.opts["height"]) == len(chart.ops) > 0
