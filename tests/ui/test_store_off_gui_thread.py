"""No store access on the GUI thread: a shared server can take a second to answer, and a window that
waits for it freezes. A probe on every store the window opens records the thread of each SQL
statement and each read of the imported views while an engineer works through the window."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services import routings, stores
from ui_helpers import LONG, predict_first_new_item


@pytest.fixture
def probes():
    """Every store opened through app.services.stores from now on gets a StoreProbe."""
    found: list[stores.StoreProbe] = []

    def hook(store) -> None:
        found.append(stores.StoreProbe(store))
    stores.add_open_hook(hook)
    yield found
    stores.remove_open_hook(hook)


def _on_gui_thread(probes) -> list[str]:
    return [f"{t.what}" for p in probes for t in p.on_thread()]


def test_the_probe_sees_a_store_call_on_the_gui_thread(qtbot, make_window, store_url, probes):
    """The check below can fail: a service called on the GUI thread is seen."""
    w = make_window(store_url)
    assert len(probes) == 1 and probes[0].touches, "the window opened its store through the services"
    assert _on_gui_thread(probes) == []
    routings.load_saved(w.ctx.store, "SR-0000001")
    assert any(what.startswith("SQL: SELECT") for what in _on_gui_thread(probes))


def test_an_engineer_works_without_the_gui_thread_touching_the_store(qtbot, make_window, store_url, probes,
                                                                     tmp_path):
    from test_prediction import _edit_run_time

    w = make_window(store_url)
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

    # File ▸ Open a store file: the other store is opened on a worker too
    other = tmp_path / "other" / "store.sqlite"
    other.parent.mkdir()
    source = Path(store_url[len("sqlite:///"):])
    shutil.copy2(source, other)
    for suffix in ("-models", "-data"):
        shutil.copytree(source.with_name(source.stem + suffix), other.with_name(other.stem + suffix))
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        w.open_store(str(other))
    assert len(probes) == 2 and w.ctx.store.path == other
    assert "other" in w.store_label.text()
    qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)

    assert all(p.touches for p in probes)
    assert _on_gui_thread(probes) == []
    assert code   # the item the engineer worked on
