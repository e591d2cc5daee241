"""No store access on the GUI thread: a shared server can take a second to answer, and a window that
waits for it freezes. A probe on every store the window opens (the `probes` fixture) records the
thread of each SQL statement and each read of the imported views while an engineer works through
the window, on a SQLite file and on the PostgreSQL server (whose models and views the window
copies to this PC's cache: more store calls, and a slower one)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services import routings
from ui_helpers import LONG, copy_store_file, predict_first_new_item


@pytest.fixture(params=["sqlite", "postgresql"])
def window_store(request) -> str:
    """A private copy of the demo store: a SQLite file, or a database on the PostgreSQL server."""
    return request.getfixturevalue("store_url" if request.param == "sqlite" else "pg_store_url")


def _another_copy(url: str, tmp_path: Path, request) -> str:
    """A second copy of the demo store, of the same kind as `url`."""
    if not url.startswith("sqlite:///"):
        return request.getfixturevalue("pg_database_factory")(template=request.getfixturevalue("pg_demo_template"))
    return copy_store_file(Path(url[len("sqlite:///"):]), tmp_path / "other" / "store.sqlite")


def _on_gui_thread(probes) -> list[str]:
    return [f"{t.what}" for p in probes for t in p.on_thread()]


def test_the_probe_sees_a_store_call_on_the_gui_thread(qtbot, make_window, window_store, probes):
    """The check below can fail: a service called on the GUI thread is seen."""
    w = make_window(window_store)
    assert len(probes) == 1 and probes[0].touches, "the window opened its store through the services"
    assert _on_gui_thread(probes) == []
    routings.load_saved(w.ctx.store, "SR-0000001")
    assert any(what.startswith("SQL: SELECT") for what in _on_gui_thread(probes))


def test_an_engineer_works_without_the_gui_thread_touching_the_store(qtbot, make_window, window_store, probes,
                                                                     tmp_path, request):
    from test_prediction import _edit_run_time

    w = make_window(window_store)
    tab = w.prediction
    code = predict_first_new_item(qtbot, w)          # browsing and predicting
    _edit_run_time(qtbot, tab, "4.5")
    with qtbot.waitSignal(tab.saved, timeout=LONG):   # Save, as a click
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "Saved revision 1" in tab.saved_label.text()
    _edit_run_time(qtbot, tab, "5.5")
    tab.opened_revision = 0                          # as if someone else had saved meanwhile
    with qtbot.waitSignal(tab.save_failed, timeout=LONG):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(tab.reloaded, timeout=LONG):
        qtbot.mouseClick(tab.reload_button, Qt.MouseButton.LeftButton)
    assert tab.opened_revision == 1

    w.tabs.setCurrentWidget(w.training)              # the quality report and the registry
    qtbot.waitUntil(lambda: w.training.data.report is not None, timeout=LONG)
    w.tabs.setCurrentWidget(w.export)                # mapping profiles
    qtbot.waitUntil(lambda: w.export.profile_panel.stored is not None, timeout=LONG)
    w.tabs.setCurrentWidget(w.audit)                 # the trail, paged
    qtbot.waitUntil(lambda: w.audit.model.rowCount() > 0, timeout=LONG)
    w.ping()
    qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)

    # File ▸ Open a store file (Settings ▸ Store for a server): the other store is opened on a worker too
    other = _another_copy(window_store, tmp_path, request)
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        w.open_store(other)
    assert len(probes) == 2 and w.ctx.store is probes[1].store and probes[1].store.url != probes[0].store.url
    qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)

    assert all(p.touches for p in probes)
    assert _on_gui_thread(probes) == []
    assert code   # the item the engineer worked on
