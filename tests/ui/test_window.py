"""The window as a whole: status bar, first start, settings dialog, language, screenshots, stalls."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from app.store.db import Store
from ui_helpers import LONG, predict_first_new_item


def test_many_qt_calls_do_not_lose_references():
    """PySide6 6.12 on Python 3.11 drops a reference to None per call and aborts after ~100,000."""
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("x")
    assert before - sys.getrefcount(None) < 100


def test_status_bar_and_menus(qtbot, make_window, store_url):
    w = make_window(store_url)
    assert "lee" in w.user_label.text() and "admin" in w.user_label.text()
    assert "store.sqlite" in w.store_label.text()
    assert w.ctx.active_version in w.model_label.text()
    assert "connected" in w.connection_label.text()
    titles = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert titles == ["File", "Edit", "Settings", "Help"]
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == ["Prediction", "Training", "Mapping && Export",
                                                                   "Audit"]   # an admin
    from app import __version__
    assert __version__ in w.about_text()


def test_first_start_builds_the_demo_plant_in_the_background(qtbot, make_window, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    w = make_window(url, wait_model=False, build_demo_if_empty=True, demo_items=1200)
    qtbot.waitUntil(lambda: w.prediction.first_job.isVisible() or w.ctx.model is not None, timeout=LONG)
    assert "demo seal plant" in w.prediction.first_start.text() or w.ctx.model is not None
    qtbot.waitUntil(lambda: w.ctx.model is not None, timeout=LONG * 3)
    assert w.ctx.active_version in w.model_label.text()
    assert Store(url).view_counts()["items"] == 1200


def test_data_source_dialog_keeps_the_password_in_the_keyring(qtbot, make_window, store_url, monkeypatch):
    import keyring
    stored = {}
    monkeypatch.setattr(keyring, "set_password", lambda svc, key, pw: stored.update({(svc, key): pw}))
    w = make_window(store_url)
    dlg = w.data_source_dialog()
    dlg.kind_buttons["sqlserver"].setChecked(True)
    dlg.server_edit.setText(r"ERPSQL01\KSM")
    dlg.database_edit.setText("KsmErp")
    dlg.auth_sql.setChecked(True)
    dlg.user_edit.setText("routing_reader")
    dlg.password_edit.setText("s3cret-pw")
    assert dlg.save()
    assert stored == {("routing-ml", r"ERPSQL01\KSM/routing_reader"): "s3cret-pw"}
    QSettings().sync()
    settings_file = Path(QSettings().fileName())
    assert settings_file.exists() and "s3cret-pw" not in settings_file.read_text(encoding="utf-8")
    assert "s3cret-pw" not in dlg.spec()
    from app.sources.sqlserver import parse_sqlserver_spec
    target = parse_sqlserver_spec(dlg.spec())  # the reader accepts what the dialog writes
    assert target.user == "routing_reader" and target.database == "KsmErp"
    dlg.auth_windows.setChecked(True)
    assert "trusted_connection=yes" in dlg.spec()
    dlg.close()


def test_data_source_test_connection_lists_tables(qtbot, make_window, store_url, demo_plant_file):
    w = make_window(store_url)
    dlg = w.data_source_dialog()
    dlg.kind_buttons["sqlite"].setChecked(True)
    dlg.path_edit.setText(str(demo_plant_file))  # the ERP views (the store is no source: it lacks them)
    task = dlg.test_connection()
    with qtbot.waitSignal(task.signals.done, timeout=LONG):
        pass
    assert "Connected" in dlg.test_result.text(), dlg.test_result.text()
    assert dlg.tables.count() >= 3
    dlg.close()


def test_korean_translation_is_complete_and_loads(qapp):
    from app.ui.main import configure_application
    ts = Path(__file__).resolve().parents[2] / "resources" / "translations" / "routing_ml_ko.ts"
    qm = ts.with_suffix(".qm")
    assert ts.exists() and qm.exists() and qm.stat().st_size > 1000
    text = ts.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "every string has its Korean translation"
    try:
        assert configure_application(qapp, "ko") == "ko"
        assert QCoreApplication.translate("MainWindow", "Prediction") == "예측"
        assert QCoreApplication.translate("PredictionTab", "Save") == "저장"
    finally:
        configure_application(qapp, "en")
    assert QCoreApplication.translate("MainWindow", "Prediction") == "Prediction"


def test_window_in_korean(qtbot, qapp, make_window, store_url):
    from app.ui.main import configure_application
    configure_application(qapp, "ko")
    try:
        w = make_window(store_url)
        assert w.tabs.tabText(0) == "예측"
        assert w.prediction.save_button.text() == "저장"
        # what made an item similar is worded in Korean too, not only the widgets around it
        predict_first_new_item(qtbot, w)
        model = w.prediction.similar_model
        why = model.data(model.index(0, model.column_index("WHY")))
        assert why.startswith("같은 부품 유형 "), why
        assert "same part type" in model.rows[0].matching[0]  # the command line and JSON stay English
    finally:
        configure_application(qapp, "en")


def _not_blank(path: Path) -> bool:
    img = QImage(str(path))
    colours = {img.pixel(x, y) for x in range(0, img.width(), 37) for y in range(0, img.height(), 29)}
    return img.width() >= 1200 and len(colours) > 12


def test_screenshots(qtbot, store_url, tmp_path):
    """routing-ml screenshot --size 1280x720: every tab at that size, with nothing cut off."""
    from app.cli import main
    from app.ui.screenshot import parse_size, take_screenshots
    cut: list[str] = []
    paths = take_screenshots(tmp_path / "shots", store_url, size=parse_size("1280x720"), on_clipped=cut.append)
    names = [p.name for p in paths]
    # the OS user is the first, so admin, of the store: the Audit tab is there
    assert names == ["prediction.png", "prediction-batch.png", "prediction-new-item.png", "training.png",
                     "training-learned.png", "export-preview.png", "export-profile.png", "export-result.png", "audit.png"]
    for p in paths:
        assert p.exists() and p.stat().st_size > 40_000, p
        assert _not_blank(p), p
        assert (QImage(str(p)).width(), QImage(str(p)).height()) == (1280, 720)
    assert cut == []
    assert main(["screenshot", "--out", str(tmp_path / "x"), "--size", "big"]) == 2


def test_measure_stalls(qtbot, store_url):
    from app.ui.heartbeat import measure_stalls
    result = measure_stalls(store_url, batch_items=300, timeout_s=LONG / 1000 * 3)
    assert set(result) >= {"train_max_stall_ms", "batch_max_stall_ms", "cold_start_s"}
    assert result["batch_rows"] == 300
    # how long the stalls are is a speed figure of scripts/bench, not a test: timings here are noisy
    assert all(result[k] >= 0 for k in ("train_max_stall_ms", "batch_max_stall_ms", "cold_start_s"))


def test_first_start_shows_progress_and_ends_with_a_model(qtbot, make_window, tmp_path, monkeypatch):
    """The window's side of the first start, with the demo build replaced by the same steps it takes
    (generate, copy into the store, train) so it runs even before app.sources lands."""
    from datetime import datetime

    from app.demo import generator
    from app.services import first_start, models

    def build_demo(store, items, seed=7, progress=None, user=None):
        plant = generator.generate(items, seed, progress.sub(0.0, 0.3))
        store.replace_views({"items": plant.items, "routings": plant.routings, "results": plant.results},
                            source="demo", user="test", started=datetime.now())
        return models.train(store, progress=progress.sub(0.5, 1.0), user=user)

    monkeypatch.setattr(first_start, "build_demo", build_demo)
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    w = make_window(url, wait_model=False, build_demo_if_empty=True, demo_items=1000)
    qtbot.waitUntil(lambda: w.ctx.first_start_running, timeout=LONG)
    assert "demo seal plant (1,000 items)" in w.prediction.first_start.text()
    assert "minute" not in w.prediction.first_start.text(), "no promise of how long it takes"
    assert w.prediction.first_job.isVisible()
    assert not w.training.trainer.train_button.isEnabled(), "no second training while the first one runs"
    with qtbot.waitSignal(w.first_start_finished, timeout=LONG) as done:
        pass
    assert done.args == [True]
    qtbot.waitUntil(lambda: w.ctx.model is not None, timeout=LONG)
    assert "ready" in w.prediction.first_start.text()
    assert w.ctx.active_version in w.model_label.text()
    assert w.training.trainer.train_button.isEnabled()


def test_a_language_change_keeps_the_log_and_the_item(qtbot, make_window, store_url):
    """Cosmetic: the window built again in another language shows the same item and keeps the log."""
    from ui_helpers import predict_first_new_item
    w = make_window(store_url)
    code = predict_first_new_item(qtbot, w)
    w.training.log("an import that happened before the change")
    state = w.handover()
    w2 = make_window(store_url, wait_model=False)
    with qtbot.waitSignal(w2.prediction.prediction_shown, timeout=LONG) as shown:
        w2.take_over(state)
    assert shown.args == [code]
    assert "an import that happened before the change" in w2.training.trainer.log_text()


def test_open_a_store_file_starts_in_the_store_folder(make_window, store_url):
    w = make_window(store_url)
    assert Path(w.store_folder()) == w.ctx.store.path.parent


def test_the_last_import_is_named_in_the_window_language(qapp, demo_store_file):
    """Cosmetic: the demo plant's import is not a deleted temporary path, and sources are worded in Korean."""
    from app.ui.main import configure_application
    from app.ui.wording import source_text
    store = Store(str(demo_store_file), create=False)
    try:
        assert store.last_import()["source"] == "demo plant (2,500 items, seed 7)"
    finally:
        store.dispose()
    configure_application(qapp, "ko")
    try:
        assert source_text("SQLite file C:\\data\\plant.sqlite") == "SQLite 파일 C:\\data\\plant.sqlite"
        assert source_text("demo plant (2,500 items, seed 7)") == "데모 공장 (품목 2,500개, 시드 7)"
    finally:
        configure_application(qapp, "en")


def test_a_model_of_an_older_version_is_named_in_the_window(qtbot, make_window, store_url):
    """Not a KeyError at the first prediction: the window says at its start what to do."""
    from old_models import rewrite_as_older

    from app.services import models
    store = Store(store_url)
    version = models.active_version(store)
    rewrite_as_older(store.models_dir / version)
    store.dispose()
    models._cache.clear()
    w = make_window(store_url, wait_model=False)
    qtbot.waitUntil(lambda: bool(w.ctx.model_error), timeout=LONG)
    expected = (f"model {version} was trained by an older version of Routing ML; retrain it in the Training tab "
                f"or with `routing-ml train`")
    assert w.ctx.model is None
    assert w.prediction.error.text() == expected
    assert w.model_label.toolTip() == expected
