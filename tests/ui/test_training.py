"""The Training tab: quality report, training to 100 %, Cancel, registry, evaluation, permissions."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.services import models
from ui_helpers import LONG


def test_train_on_a_small_plant_to_100_percent(qtbot, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    qtbot.waitUntil(lambda: t.report is not None, timeout=LONG)
    assert "Items without routing" in t.quality_view.toPlainText()
    assert "BI_ITEM_INFO_VIEW" in t.source_label.text()
    before = {m["version"] for m in models.list_models(w.ctx.store)}
    t.evaluate_after.setChecked(False)
    t.preset_box.setCurrentIndex(t.preset_box.findData("geometry"))
    assert t.weights()["dimensions"] == 4.0
    seen: list[float] = []
    with qtbot.waitSignal(t.training_finished, timeout=LONG) as done:
        qtbot.mouseClick(t.train_button, Qt.MouseButton.LeftButton)
        assert not t.train_button.isEnabled(), "one training at a time"
        t.train_task.signals.progress.connect(lambda f, _m: seen.append(f))
    version = done.args[0]
    assert version not in before
    assert seen and max(seen) == 1.0
    assert t.train_job.bar.value() == 1000
    qtbot.waitUntil(lambda: w.ctx.active_version == version and w.ctx.model is not None
                    and w.ctx.model.version == version, timeout=LONG)
    assert version in w.model_label.text()
    assert t.registry_model.rowCount() == len(before) + 1
    assert "trained and activated" in t.log.toPlainText()
    assert models.list_models(w.ctx.store)[0]["params"]["weights"]["dimensions"] == 4.0
    assert t.train_button.isEnabled()


def test_cancel_training_leaves_the_active_model(qtbot, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    active = w.ctx.active_version
    count = len(models.list_models(w.ctx.store))
    with qtbot.waitSignal(t.training_cancelled, timeout=LONG):
        qtbot.mouseClick(t.train_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(t.train_job.cancel, Qt.MouseButton.LeftButton)
    assert models.active_version(w.ctx.store) == active
    assert len(models.list_models(w.ctx.store)) == count
    assert "active model is unchanged" in t.log.toPlainText()
    qtbot.waitUntil(lambda: t.train_button.isEnabled(), timeout=LONG)


def test_evaluate_activate_and_roll_back(qtbot, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    first = w.ctx.active_version
    t.evaluate_after.setChecked(True)
    with qtbot.waitSignal(t.evaluation_finished, timeout=LONG * 3):
        t.train()
    second = w.ctx.store and models.active_version(w.ctx.store)
    assert second != first
    qtbot.waitUntil(lambda: (next((m for m in w.ctx.models if m["version"] == second), {}) or {}).get("metrics")
                    is not None, timeout=LONG)
    t.select_version(second)
    assert t.metrics_model.rowCount() == 4, "the model and its three baselines"
    assert t.part_model.rowCount() > 0
    assert "held-out" in t.eval_title.text()
    assert t.registry_model.data(t.registry_model.index(0, 4)) .endswith("%")
    # roll back to the first version, then activate the second again
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        qtbot.mouseClick(t.rollback_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.ctx.active_version == first, timeout=LONG)
    assert models.active_version(w.ctx.store) == first
    t.select_version(second)
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        qtbot.mouseClick(t.activate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.ctx.active_version == second and w.ctx.model.version == second, timeout=LONG)


def test_admin_actions_disabled_for_an_engineer(qtbot, make_window, store_url, monkeypatch):
    monkeypatch.setenv("ROUTING_ML_ROLE", "engineer")
    w = make_window(store_url)
    t = w.training
    for b in (t.train_button, t.activate_button, t.rollback_button):
        assert not b.isEnabled()
        assert "Only an admin" in b.toolTip()
    assert not w.import_action.isEnabled()
    assert "Only an admin" in w.import_action.toolTip()
    assert "engineer" in w.user_label.text()
    # predicting and saving stay open to engineers
    assert w.prediction.predict_button.isEnabled()
