"""The Training tab: quality report, training to 100 %, Cancel, registry, evaluation, permissions."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.access import User
from app.services import models
from ui_helpers import LONG


def test_train_on_a_small_plant_to_100_percent(qtbot, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    qtbot.waitUntil(lambda: t.data.report is not None, timeout=LONG)
    assert "Items without routing" in t.data.view.toPlainText()
    assert [k.text() for k, _v in t.data.count_labels] == ["BI_ITEM_INFO_VIEW", "BI_ROUTING_VIEW",
                                                            "BI_WORK_ORDER_RESULTS"]
    assert "checked at" in t.data.checked_label.text(), "Check data quality says that it ran"
    before = {m["version"] for m in models.list_models(w.ctx.store)}
    tr = t.trainer
    tr.evaluate_after.setChecked(False)
    tr.preset_box.setCurrentIndex(tr.preset_box.findData("geometry"))
    assert tr.weights()["dimensions"] == 4.0
    seen: list[float] = []
    with qtbot.waitSignal(t.training_finished, timeout=LONG) as done:
        qtbot.mouseClick(tr.train_button, Qt.MouseButton.LeftButton)
        assert not tr.train_button.isEnabled(), "one training at a time"
        tr.task.signals.progress.connect(lambda f, _m: seen.append(f))
    version = done.args[0]
    assert version not in before
    assert seen and max(seen) == 1.0
    assert tr.job.bar.value() == 1000
    qtbot.waitUntil(lambda: w.ctx.active_version == version and w.ctx.model is not None
                    and w.ctx.model.version == version, timeout=LONG)
    assert version in w.model_label.text()
    assert t.registry.model.rowCount() == len(before) + 1
    assert "trained and activated" in tr.log_text()
    assert models.list_models(w.ctx.store)[0]["params"]["weights"]["dimensions"] == 4.0
    assert tr.train_button.isEnabled()
    # the registry says which weights each version was trained with
    reg = t.registry.model
    col = reg.column_index("weights")
    by_version = {r["version"]: reg.data(reg.index(i, col)) for i, r in enumerate(reg.rows)}
    assert by_version[version] == "geometry first"
    assert set(by_version[v] for v in before) == {"balanced"}
    tip = reg.data(reg.index(0, col), Qt.ItemDataRole.ToolTipRole)
    assert "Dimensions: 4" in tip


def test_cancel_training_leaves_the_active_model(qtbot, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    active = w.ctx.active_version
    count = len(models.list_models(w.ctx.store))
    with qtbot.waitSignal(t.training_cancelled, timeout=LONG):
        qtbot.mouseClick(t.trainer.train_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(t.trainer.job.cancel, Qt.MouseButton.LeftButton)
    assert models.active_version(w.ctx.store) == active
    assert len(models.list_models(w.ctx.store)) == count
    assert "active model is unchanged" in t.trainer.log_text()
    qtbot.waitUntil(lambda: t.trainer.train_button.isEnabled(), timeout=LONG)


def test_evaluation_after_training_shows_the_new_version_and_the_log_follows(qtbot, make_window, store_url):
    """Item 9: the evaluation panel shows the new version's figures without a click, and the log
    shows its newest line."""
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    for i in range(60):  # a long log, scrolled up by the user
        t.log(f"earlier line {i}")
    t.trainer.log_view.verticalScrollBar().setValue(0)
    first = w.ctx.active_version
    t.trainer.evaluate_after.setChecked(True)
    with qtbot.waitSignal(t.evaluation_finished, timeout=LONG * 3) as done:
        qtbot.mouseClick(t.trainer.train_button, Qt.MouseButton.LeftButton)
    second = done.args[0]
    assert second != first
    qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)
    assert t.registry.selected_version() == second
    assert t.evaluation.version == second
    assert "held-out" in t.evaluation.title.text() and "not been evaluated" not in t.evaluation.title.text()
    # the model, its three baselines and the demo plant's ceiling (its rule routings came with the import)
    assert t.evaluation.metrics_model.columnCount() == 6
    assert t.evaluation.metrics_model.rowCount() == 8, "every metric (the ±25 % shares in the tooltips)"
    metrics = t.evaluation.metrics_model
    lot = metrics.index(metrics.rows.index("lot10_mdape"), metrics.column_index("model"))
    assert metrics.data(lot).endswith("%")
    assert "lot-10 total ±25 %" in metrics.data(lot, Qt.ItemDataRole.ToolTipRole)
    ceiling = metrics_header_tip = t.evaluation.metrics_model.headerData(
        t.evaluation.metrics_model.column_index("ceiling"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "rule routings" in ceiling and "points above the model" in metrics_header_tip
    assert t.evaluation.part_model.rowCount() > 0
    reg = t.registry.model
    assert reg.data(reg.index(0, reg.column_index("top1"))).endswith("%")
    bar = t.trainer.log_view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0
    last_line = t.trainer.log_text().splitlines()[-1]
    assert "top-1 exact" in last_line and second in last_line
    # the newest line is inside the visible part of the log
    from PySide6.QtGui import QTextCursor
    view = t.trainer.log_view
    end = view.textCursor()
    end.movePosition(QTextCursor.MoveOperation.End)
    assert view.viewport().rect().intersects(view.cursorRect(end))


def test_roll_back_goes_back_through_the_history(qtbot, make_window, store_url):
    """Item 10: each Roll back goes one version further back, never back and forth between two."""
    from app.store.db import Store
    s = Store(store_url)
    first = models.active_version(s)
    second = models.train(s)
    third = models.train(s)
    s.dispose()
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    qtbot.waitUntil(lambda: w.ctx.active_version == third and w.ctx.rollback_target == second, timeout=LONG)
    assert second in t.registry.rollback_button.toolTip()
    for expected in (second, first):
        with qtbot.waitSignal(w.model_loaded, timeout=LONG):
            qtbot.mouseClick(t.registry.rollback_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda e=expected: w.ctx.active_version == e and w.ctx.model.version == e, timeout=LONG)
    qtbot.waitUntil(lambda: w.ctx.rollback_target is None, timeout=LONG)
    assert not t.registry.rollback_button.isEnabled()
    assert "No earlier" in t.registry.rollback_button.toolTip()
    log = t.trainer.log_text()
    assert f"Rolled back to model {second}" in log and f"Rolled back to model {first}" in log
    # activating a version again makes the one it replaced the next rollback's target
    t.select_version(third)
    with qtbot.waitSignal(w.model_loaded, timeout=LONG):
        qtbot.mouseClick(t.registry.activate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.ctx.active_version == third and w.ctx.rollback_target == first, timeout=LONG)


def test_admin_actions_disabled_for_an_engineer(qtbot, make_window, store_url):
    w = make_window(store_url, user=User("lee", "engineer", "PC-LEE"))
    t = w.training
    for b in (t.trainer.train_button, t.registry.activate_button, t.registry.rollback_button,
              t.registry.evaluate_button):
        assert not b.isEnabled()
        assert "Only an admin" in b.toolTip()
    # the service refuses whatever the buttons say, and the refusal is in the trail
    from app.services import audit
    from app.services.audit import AuditFilter
    t.evaluate(w.ctx.active_version)
    qtbot.waitUntil(lambda: "Evaluation failed" in t.trainer.log_view.toPlainText(), timeout=LONG)
    assert "may not evaluate models" in t.trainer.log_view.toPlainText()
    assert not t.registry.evaluate_button.isEnabled()
    (refusal,) = audit.query(w.ctx.store, AuditFilter(outcome="denied"), user=User("x", "admin", "h"))
    assert (refusal.user_name, refusal.action) == ("lee", "model.evaluate")
    assert not w.import_action.isEnabled()
    assert "Only an admin" in w.import_action.toolTip()
    assert "engineer" in w.user_label.text()
    # predicting and saving stay open to engineers
    assert w.prediction.predict_button.isEnabled()


def test_table_models_pass_the_model_tester(qtmodeltester, make_window, store_url):
    w = make_window(store_url)
    t = w.training
    for model in (t.registry.model, t.evaluation.metrics_model, t.evaluation.part_model):
        qtmodeltester.check(model)


def test_an_import_with_far_fewer_rows_is_asked_about_and_done_only_on_yes(qtbot, make_window, store_url,
                                                                            tmp_path):
    """The window's --allow-shrink: the question names the views with their new and old counts; No
    keeps the store as it was, Yes imports."""
    from PySide6.QtWidgets import QMessageBox

    from app.demo import generator
    from ui_helpers import Questions

    small = generator.write(generator.generate(300, seed=3), tmp_path / "small-plant.sqlite")
    w = make_window(store_url)
    store = w.ctx.store
    before = store.view_counts()
    assert before["items"] > 1000

    def run_import(answer):
        questions = Questions(qtbot, answer, name="importFewerRowsQuestion")
        try:
            w.import_source(str(small))
            qtbot.waitUntil(lambda: bool(questions.asked), timeout=LONG)
            qtbot.waitUntil(lambda: not w.runner.running(), timeout=LONG)
        finally:
            questions.stop()
        return questions.asked[0]

    asked = run_import(QMessageBox.StandardButton.No)
    assert f"BI_ITEM_INFO_VIEW: 300 rows in the source, {before['items']:,} in the store now" in asked
    assert "BI_ROUTING_VIEW:" in asked
    assert store.view_counts() == before
    assert "the store is unchanged" in w.training.trainer.log_text()

    run_import(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: "Imported" in w.training.trainer.log_text(), timeout=LONG)
    assert store.view_counts()["items"] == 300


def test_the_training_tab_shows_what_the_model_learned(qtbot, make_window, store_url):
    """Per operation, the attributes and words that decide it, ranked, with how often the learned
    rule and the vote alone were right; per operation, what moves its times."""
    w = make_window(store_url)
    t = w.training
    w.tabs.setCurrentWidget(t)
    t.select_version(w.ctx.active_version)
    t.details.setCurrentWidget(t.learned)
    panel = t.learned
    qtbot.waitUntil(lambda: panel.operations_model.rowCount() > 0, timeout=LONG)
    assert w.ctx.active_version in panel.title.text() and "most similar" in panel.title.text()
    m = panel.operations_model
    rows = {m.data(m.index(r, m.column_index("OP"))).split()[0]: r for r in range(m.rowCount())}
    # the demo plant's coating step is decided by its specification words, and the panel says so first
    coating = rows["H20-1"]
    decided = m.data(m.index(coating, m.column_index("DECIDED")))
    assert decided.startswith("word “COATING”") or decided.startswith("word “코팅”"), decided
    tip = m.data(m.index(coating, m.column_index("DECIDED")), Qt.ItemDataRole.ToolTipRole)
    shares = [float(line.split("%")[0]) for line in tip.splitlines()]
    assert shares == sorted(shares, reverse=True), "ranked, most deciding first"
    assert m.data(m.index(coating, m.column_index("RULE"))).endswith("%")
    times = panel.times_model
    assert times.rowCount() > 0
    runs = [times.data(times.index(r, times.column_index("RUN"))) for r in range(times.rowCount())]
    assert any("OUTDIAMETER" in r for r in runs), "run times grow with size on the demo plant"
