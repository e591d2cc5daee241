"""Faults between the window and its store: a server that cannot be reached at start (work on this
PC's store, drafts uploaded when it is back), a connection lost in the middle of a save (said,
kept as a draft, retried), and drafts offered again after a restart."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.services import drafts, routings, stores
from ui_helpers import LONG, copy_store_file, predict_first_new_item


def _edit_setup_time(tab, value: str) -> None:
    from app.ui.routing_editor import COLUMNS
    model = tab.editor.model
    assert model.setData(model.index(0, COLUMNS.index("SETUP_TIME")), value)


def test_a_postgresql_server_that_cannot_be_reached_at_start_still_opens_the_window(qtbot, make_window):
    """Nothing listens on port 1: the window opens, says so, offers a retry and this PC's store."""
    w = make_window("postgresql+psycopg://routing@127.0.0.1:1/routing", wait_model=False)
    qtbot.waitUntil(lambda: w.store_banner.isVisible(), timeout=LONG)
    text = w.store_banner.text()
    assert "PostgreSQL 127.0.0.1:1/routing cannot be reached: connection failed" in text
    assert "Connection refused" in text and text.count("127.0.0.1:1/routing") == 2   # named once, then in the offer
    assert w.retry_button.isVisible() and w.local_button.isVisible()
    assert "not connected" in w.connection_label.text()
    assert "cannot be reached" in w.store_label.text()
    assert w.isVisible() and w.ctx.model is None
    # the other tabs say the same instead of a traceback
    w.tabs.setCurrentWidget(w.training)
    qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)


def test_working_locally_while_the_server_is_away_then_uploading_when_it_is_back(qtbot, make_window, store_url,
                                                                                 tmp_path, monkeypatch):
    """The "server" is a store whose opening fails while `away` is set, as a server that does not
    answer; this PC's own store is the demo plant."""
    from pathlib import Path
    server_file = tmp_path / "server" / "store.sqlite"
    server_url = copy_store_file(Path(store_url[len("sqlite:///"):]), server_file)
    away = {"on": True}

    def unreachable(store) -> None:
        if away["on"] and store.path == server_file:
            store.dispose()
            raise stores.StoreUnreachable(f"store {store.describe()} cannot be opened: connection timed out")
    stores.add_open_hook(unreachable)
    monkeypatch.setattr(stores, "local_store_url", lambda: store_url)
    try:
        w = make_window(server_url, wait_model=False)
        qtbot.waitUntil(lambda: w.store_banner.isVisible(), timeout=LONG)
        assert "cannot be reached" in w.store_banner.text() and w.local_button.isVisible()
        qtbot.mouseClick(w.local_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.ctx.model is not None, timeout=LONG)
        assert w.ctx.offline_for == server_url
        assert "Working on this PC's own store" in w.store_banner.text()
        assert "cannot be reached" in w.store_label.text()

        tab = w.prediction
        code = predict_first_new_item(qtbot, w)
        _edit_setup_time(tab, "7")
        with qtbot.waitSignal(tab.saved, timeout=LONG):
            qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
        kept = drafts.pending(server_url)
        assert [(d.item_cd, d.reason) for d in kept] == [(code, drafts.OFFLINE)]
        assert routings.load_saved(w.ctx.store, code).operations[0].SETUP_TIME == 7   # on this PC's store

        w.check_server()                                    # still away: nothing changes
        qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)
        assert not w.back_button.isVisible()
        away["on"] = False                                  # the server answers again
        w.check_server()
        qtbot.waitUntil(lambda: w.back_button.isVisible(), timeout=LONG)
        assert "answers again" in w.store_banner.text() and "1 routings" in w.store_banner.text()
        with qtbot.waitSignal(w.model_loaded, timeout=LONG):
            qtbot.mouseClick(w.back_button, Qt.MouseButton.LeftButton)
        assert w.ctx.store.path == server_file and w.ctx.offline_for is None
        qtbot.waitUntil(lambda: w.drafts_banner.isVisible(), timeout=LONG)
        assert code in w.drafts_banner.text() and "not been saved to this store" in w.drafts_banner.text()

        dlg = w.drafts_dialog()
        qtbot.waitUntil(lambda: dlg.model.rowCount() == 1, timeout=LONG)
        assert dlg.upload_button.isEnabled()
        with qtbot.waitSignal(dlg.uploaded, timeout=LONG) as done:
            qtbot.mouseClick(dlg.upload_button, Qt.MouseButton.LeftButton)
        assert done.args == [1] and "1 routings saved" in dlg.message.text()
        qtbot.waitUntil(lambda: dlg.model.rowCount() == 0, timeout=LONG)
        saved = routings.load_saved(w.ctx.store, code)
        assert (saved.revision, saved.operations[0].SETUP_TIME, saved.updated_by) == (1, 7, "lee")
        assert drafts.pending() == []
        dlg.close()
    finally:
        stores.remove_open_hook(unreachable)


def test_a_connection_lost_while_saving_is_said_kept_as_a_draft_and_retried(qtbot, make_window, store_url, probes):
    w = make_window(store_url)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)
    _edit_setup_time(tab, "8")
    probes[0].unreachable = True                            # the server goes away
    with qtbot.waitSignal(tab.save_failed, timeout=LONG):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    text = tab.connection.text()
    assert "connection to the store" in text and "kept on this PC as a draft" in text
    assert tab.retry_button.isVisible() and tab.has_unsaved_changes()
    assert "not connected" in w.connection_label.text()
    assert [(d.item_cd, d.reason) for d in drafts.pending(w.ctx.store.url)] == [(code, drafts.FAILED)]

    probes[0].unreachable = False                           # back: Retry saves it and forgets the draft
    with qtbot.waitSignal(tab.saved, timeout=LONG):
        qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    assert tab.connection.isHidden() and not tab.has_unsaved_changes()
    assert routings.load_saved(w.ctx.store, code).operations[0].SETUP_TIME == 8
    assert drafts.pending() == []


def test_an_edit_the_store_never_got_is_offered_again_after_a_restart(qtbot, make_window, store_url, probes):
    first = make_window(store_url)
    code = predict_first_new_item(qtbot, first)
    _edit_setup_time(first.prediction, "9")
    probes[0].unreachable = True
    with qtbot.waitSignal(first.prediction.save_failed, timeout=LONG):
        first.prediction.save()
    first.prediction.clear()                                # as closing with Discard would
    first.close()

    again = make_window(store_url)                          # the next start, on the same store
    qtbot.waitUntil(lambda: again.drafts_banner.isVisible(), timeout=LONG)
    assert code in again.drafts_banner.text()
    dlg = again.drafts_dialog()
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 1, timeout=LONG)
    assert "not saved: the connection was lost" in dlg.model.data(dlg.model.index(0, dlg.model.column_index("WHY")))
    tab = again.prediction
    with qtbot.waitSignal(tab.draft_opened, timeout=LONG):
        qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert tab.item_cd == code and tab.has_unsaved_changes()
    assert tab.current_entry is tab.mine() and tab.mine().model.operations[0].SETUP_TIME == 9
    assert "kept on this PC" in tab.saved_label.text()
    with qtbot.waitSignal(tab.saved, timeout=LONG):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert routings.load_saved(again.ctx.store, code).operations[0].SETUP_TIME == 9
    assert drafts.pending() == []
