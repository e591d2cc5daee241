"""The window keeps one model in memory: a model it replaced (a retrain, another PC's activation,
a reload) is freed, not held by the finished task that loaded it."""
from __future__ import annotations

import gc
import weakref

from PySide6.QtWidgets import QApplication

from app.ui.workers import TaskRunner
from ui_helpers import LONG, predict_first_new_item


class _Result:
    pass


def test_a_finished_task_does_not_keep_its_result(qtbot):
    runner = TaskRunner()
    made: list[weakref.ref] = []

    def work(progress):
        progress.report(0.5, "half")
        result = _Result()
        made.append(weakref.ref(result))
        return result

    got: list = []
    task = runner.start(work, "load model", on_result=got.append, on_progress=lambda f, m: None)
    qtbot.waitUntil(lambda: task.signals.delivered, timeout=LONG)
    assert isinstance(got[0], _Result) and task.result is got[0]
    del task, got
    QApplication.processEvents()
    assert made[0]() is None          # freed by its reference count alone: no cycle left to collect
    runner.deleteLater()


def test_the_window_frees_a_model_it_replaced(qtbot, make_window, store_url):
    """Two retrains later (the registry's cache keeps the newest two) the first model is gone."""
    from app.services import models
    from conftest import LEE

    w = make_window(store_url)
    first = weakref.ref(w.ctx.model)
    predict_first_new_item(qtbot, w)          # the model was used, too
    for _ in range(2):
        version = models.train(w.ctx.store, user=LEE)
        w.refresh_models(True)                # as the Training tab does after training
        qtbot.waitUntil(lambda: w.ctx.active_version == version and w.ctx.model.version == version
                        and not w.runner.running(), timeout=LONG)
    QApplication.processEvents()
    gc.collect()
    assert first() is None
