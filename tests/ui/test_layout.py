"""A laptop screen: the first window fits it, and at 1280×720 every tab is usable with nothing cut off
(item 2 of issue 8; the first window's size is issue 7 item 12)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics

from app.ui.layout_check import clipped
from app.ui.routing_editor import ROW_HEIGHT
from app.ui.window import MainWindow, first_geometry, fit_into
from ui_helpers import LONG, predict_item_with_candidates

# free screen areas in logical pixels: 1366×768 at 100 %, 1920×1080 at 125 % and at 150 %, minus a task bar
LAPTOPS = {"1366x768": QRect(0, 0, 1366, 728), "1920x1080@125%": QRect(0, 0, 1536, 824),
           "1920x1080@150%": QRect(0, 0, 1280, 688)}


@pytest.mark.parametrize("screen", LAPTOPS)
def test_the_first_window_fits_the_screen(qtbot, make_window, store_url, monkeypatch, screen):
    available = LAPTOPS[screen]
    monkeypatch.setattr(MainWindow, "available_geometry", lambda self: available)
    rect = first_geometry(available)
    assert available.contains(rect) and rect.height() <= available.height() - 30   # the title bar too
    w = make_window(store_url, wait_model=False, size=None)
    assert available.contains(w.geometry()), (screen, w.geometry())
    assert w.minimumSizeHint().width() <= available.width()
    assert w.minimumSizeHint().height() <= available.height() - 30


def test_a_window_saved_on_a_bigger_screen_comes_back_on_this_one():
    saved = QRect(1700, 900, 1600, 980)            # on a second monitor, or before a scaling change
    laptop = LAPTOPS["1366x768"]
    placed = fit_into(saved, laptop)
    assert laptop.contains(placed) and placed.width() == 1366


def _evaluated(store_url: str) -> None:
    from app.services import evaluation, models
    from app.store.db import Store
    store = Store(store_url)
    evaluation.evaluate(store, version=models.active_version(store))
    store.dispose()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_tab_is_usable_at_1280x720(qtbot, qapp, make_window, store_url, language):
    from app.ui.main import configure_application
    _evaluated(store_url)
    configure_application(qapp, language)
    try:
        w = make_window(store_url, size=(1280, 720))
        assert (w.width(), w.height()) == (1280, 720), "the window can be as small as 1280×720"
        tab = w.prediction
        predict_item_with_candidates(qtbot, w, 3)
        tab.select_candidate(1)
        tab.editor.model.setData(tab.editor.model.index(0, 6), "2.5")   # the engineer's routing appears too
        qtbot.waitUntil(lambda: tab.mine() is not None and tab.editor.model is tab.mine().model, timeout=LONG)
        qtbot.wait(50)
        table = tab.editor.table
        assert table.viewport().height() >= 10 * ROW_HEIGHT, "the routing table shows at least ten rows"
        from app.ui.prediction.tab import CANDIDATE_ROW_HEIGHT
        assert tab.candidate_table.viewport().height() >= 6 * CANDIDATE_ROW_HEIGHT, "yours and five candidates"
        assert clipped(w) == []
        tab.inputs.tabs.setCurrentIndex(2)   # the new-item form
        qtbot.wait(20)
        assert clipped(tab.inputs) == []
        tab.inputs.tabs.setCurrentIndex(1)   # a batch of pasted codes, predicted
        tab.inputs.codes_edit.setPlainText("\n".join(w.ctx.store.item_codes()[:30] + ["NO-SUCH-ITEM"]))
        with qtbot.waitSignal(tab.batch_finished, timeout=LONG):
            tab.predict()
        qtbot.wait(20)
        assert clipped(tab.inputs) == []
        tab.result_tabs.setCurrentIndex(1)    # the similar items
        qtbot.wait(20)
        assert clipped(tab.result_tabs) == []

        w.tabs.setCurrentWidget(w.training)
        t = w.training
        qtbot.waitUntil(lambda: t.data.report is not None and bool(t.evaluation.methods), timeout=LONG)
        qtbot.wait(50)
        assert clipped(w) == []
        assert t.evaluation.metrics_table.viewport().height() >= 8 * 21, "every metric in view"
        # the plot's labels do not run into each other
        axis = t.evaluation.plot.getAxis("bottom")
        fm = QFontMetrics(axis.style.get("tickFont") or t.evaluation.plot.font())
        share = axis.width() / 5
        for label in t.evaluation.tick_labels():
            assert max(fm.horizontalAdvance(line) for line in label.split("\n")) < share - 4, label
        assert axis.height() >= fm.height() * max(label.count("\n") + 1 for label in t.evaluation.tick_labels())

        # the Mapping & Export tab
        w.tabs.setCurrentWidget(w.export)
        qtbot.wait(100)
        assert clipped(w) == []

        # the Audit tab (an admin's)
        assert w.audit is not None
        w.tabs.setCurrentWidget(w.audit)
        qtbot.waitUntil(lambda: w.audit.model.rowCount() > 0 and not w.audit.model.loading, timeout=LONG)
        w.audit.table.selectRow(0)
        qtbot.wait(50)
        assert clipped(w) == []
        # with every tab filled in, the window still fits 1920×1080 at 150 % (and so every larger screen)
        smallest = LAPTOPS["1920x1080@150%"]
        assert w.minimumSizeHint().width() <= smallest.width()
        assert w.minimumSizeHint().height() <= smallest.height() - 30
    finally:
        configure_application(qapp, "en")


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_the_export_preview_shows_enough_rows_on_a_laptop(qtbot, qapp, make_window, store_url, language, size):
    """Item 3 of the export follow-ups: with a preview of a batch (bad cells marked, problems listed)
    the Mapping & Export tab shows at least eight rows of the previewed table and two problems, in
    Korean too (Korean text is 3 px a line taller than English), with nothing cut off."""
    from app.services.prediction import predict_items
    from app.ui.main import configure_application
    configure_application(qapp, language)
    try:
        w = make_window(store_url, size=size)
        tab = w.export
        w.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(lambda: tab.profile_panel.stored is not None, timeout=LONG)
        store = w.ctx.store
        routed = set(store.routed_item_codes().to_list())
        new = [c for c in store.item_codes() if c not in routed][:20]
        tab.set_batch(predict_items(store, new + ["NOT-AN-ITEM"], user=w.ctx.user))
        with qtbot.waitSignal(tab.preview_shown, timeout=LONG):
            tab.preview()
        qtbot.wait(100)
        panel = tab.preview_panel
        view = panel.view("P_BOP_PROC_MASTER")
        rows = view.viewport().height() // view.verticalHeader().defaultSectionSize()
        assert rows >= 8, f"the preview shows {rows} rows at {size} in {language}"
        problems = panel.problems_view
        assert panel.problems_model.rowCount() > 2
        last = problems.rowAt(problems.viewport().height() - 1)
        in_view = last + 1 if last >= 0 else panel.problems_model.rowCount()
        assert in_view >= 2, f"{in_view} problem(s) in view"
        assert "NOT-AN-ITEM" in panel.summary.text()
        lines = panel.summary.heightForWidth(panel.summary.width()) / panel.summary.fontMetrics().lineSpacing()
        assert lines < 3, "the summary keeps to two lines (why items gave no routing is in its tooltip)"
        assert "NOT-AN-ITEM" in panel.summary.toolTip()
        assert clipped(w) == []
    finally:
        configure_application(qapp, "en")
