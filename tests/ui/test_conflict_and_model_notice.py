"""Two engineers on one store: the second save is refused naming the first, Compare shows both
routings side by side and Reload takes theirs (nothing overwritten); and a model activated elsewhere
is announced at this window's next prediction, but not one this window trained itself."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.access import User
from app.services import models, routings
from app.ui.routing_editor import COLUMNS
from ui_helpers import LONG, predict_first_new_item

KIM = User("kim", "engineer", "PC-KIM")
PARK = User("KSM\\park.admin", "admin", "PC-ADMIN")


def _set(tab, row: int, column: str, value: str) -> None:
    model = tab.editor.model
    assert model.setData(model.index(row, COLUMNS.index(column)), value)


def test_a_refused_save_compares_both_routings_and_reloads_theirs(qtbot, make_window, store_url):
    lee = make_window(store_url)
    code = predict_first_new_item(qtbot, lee)
    kim = make_window(store_url, user=KIM)
    with qtbot.waitSignal(kim.prediction.prediction_shown, timeout=LONG):
        kim.prediction.predict_code(code)
    _set(kim.prediction, 0, "SETUP_TIME", "7")
    assert kim.prediction.save_and_wait().revision == 1

    tab = lee.prediction
    _set(tab, 0, "SETUP_TIME", "99")
    _set(tab, 1, "RUN_TIME", "0.5")
    with qtbot.waitSignal(tab.save_failed, timeout=LONG):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "kim changed the routing" in tab.conflict.text() and tab.compare_button.isVisible()
    with qtbot.waitSignal(tab.compare_opened, timeout=LONG) as opened:
        qtbot.mouseClick(tab.compare_button, Qt.MouseButton.LeftButton)
    dlg = opened.args[0]
    assert "revision 1, saved by kim" in dlg.titles[0].text() and "Yours" in dlg.titles[1].text()
    theirs, mine = dlg.theirs_model, dlg.mine_model
    setup = theirs.column_index("SETUP_TIME")
    assert theirs.data(theirs.index(0, setup)) == "7.00" and mine.data(mine.index(0, setup)) == "99.0"
    assert theirs.data(theirs.index(0, setup), Qt.ItemDataRole.BackgroundRole) is not None    # marked
    job = theirs.column_index("JOB_CD")
    assert theirs.data(theirs.index(0, job), Qt.ItemDataRole.BackgroundRole) is None          # same: not marked
    assert dlg.differences == 2 and "2 operations differ" in dlg.summary.text()
    assert routings.load_saved(lee.ctx.store, code).operations[0].SETUP_TIME == 7            # nothing written

    with qtbot.waitSignal(tab.reloaded, timeout=LONG):
        qtbot.mouseClick(dlg.reload_button, Qt.MouseButton.LeftButton)
    assert tab.current_entry.model.operations[0].SETUP_TIME == 7 and tab.opened_revision == 1
    tab.editor.undo_action.trigger()                                 # lee's edits come back, to save on top
    assert tab.current_entry.model.operations[0].SETUP_TIME == 99


def test_a_model_activated_elsewhere_is_announced_at_the_next_prediction(qtbot, make_window, store_url):
    w = make_window(store_url)
    before = w.ctx.active_version
    code = predict_first_new_item(qtbot, w)
    assert w.model_banner.isHidden()
    newer = models.train(w.ctx.store, user=PARK, activate=False)     # another PC trains, then activates
    models.activate(w.ctx.store, newer, PARK)
    assert newer != before
    with qtbot.waitSignal(w.prediction.model_change_noticed, timeout=LONG) as noticed:
        w.prediction.predict_code(code)
    assert noticed.args[:2] == [before, newer]
    text = w.model_banner.text()
    assert newer in text and before in text and "activated by KSM\\park.admin at " in text
    qtbot.waitUntil(lambda: w.ctx.active_version == newer, timeout=LONG)   # the window follows
    assert newer in w.model_label.text()
    w.model_banner.hide()

    # a model this window trains itself is no news
    w.tabs.setCurrentWidget(w.training)
    w.training.trainer.evaluate_after.setChecked(False)
    with qtbot.waitSignal(w.training.training_finished, timeout=LONG * 3):
        w.training.trainer.train_button.click()
    qtbot.waitUntil(lambda: w.ctx.active_version not in (before, newer) and not w.runner.running(), timeout=LONG)
    w.tabs.setCurrentWidget(w.prediction)
    with qtbot.waitSignal(w.prediction.prediction_shown, timeout=LONG):
        w.prediction.predict_code(code)
    qtbot.wait(50)
    assert w.model_banner.isHidden()
