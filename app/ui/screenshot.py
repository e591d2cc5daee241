"""`routing-ml screenshot --out DIR`: every tab of the window on the demo plant, with a prediction
shown, rendered to PNG files without a display."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from app.domain.routing import RoutingError

SCREENSHOT_DEMO_ITEMS = 3000
SIZE = (1600, 980)   # logical pixels, unless --size says otherwise


def _store_with_data(store_url: str | None, workdir: Path):
    """The given store when it holds data, else a small demo plant built in `workdir`."""
    from app.services import first_start, models
    from app.services.stores import open_store

    store = open_store(store_url)
    if not first_start.needs_demo(store):
        if models.active_version(store) is None:
            models.train(store)
        return store, False
    store.dispose()
    demo = open_store(str(workdir / "demo-store.sqlite"))
    first_start.build_demo(demo, SCREENSHOT_DEMO_ITEMS, seed=7)
    return demo, True


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' (or 1280×720) as (width, height) in logical pixels."""
    import re
    m = re.fullmatch(r"\s*(\d{3,5})\s*[x×X]\s*(\d{3,5})\s*", text or "")
    if not m:
        raise RoutingError(f"screenshot size {text!r} is not WIDTHxHEIGHT, for example 1280x720")
    return int(m[1]), int(m[2])


def take_screenshots(out_dir: Path, store_url: str | None = None, timeout_s: float = 600,
                     language: str | None = None, size: tuple[int, int] = SIZE,
                     on_clipped=None) -> list[Path]:
    """Render the Prediction tab (an item without routing, predicted), the batch view, the new-item form,
    the Training tab (quality report, registry, evaluation), the Mapping & Export tab (preview, profile,
    result) and the Audit tab (admins) to PNG files in `out_dir`.
    `language` ('en' or 'ko') overrides the system's for the pictures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings

    from app.ui.heartbeat import wait_until
    from app.ui.main import ensure_application
    from app.ui.window import MainWindow

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fresh_app = QCoreApplication.instance() is None
    if fresh_app:
        # screenshots must not pick up (or change) the user's own window settings
        QCoreApplication.setOrganizationName("RoutingML-screenshot")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          tempfile.mkdtemp(prefix="routing-ml-shot-settings-"))
    app = ensure_application()
    if language:
        from app.ui.main import configure_application
        configure_application(app, language)
    with tempfile.TemporaryDirectory(prefix="routing-ml-shot-") as tmp:
        store, is_demo = _store_with_data(store_url, Path(tmp))
        window = MainWindow(store, build_demo_if_empty=False)
        window.resize(*size)
        window.show()
        paths: list[Path] = []
        try:
            if not wait_until(lambda: window.ctx.model is not None or bool(window.ctx.model_error), timeout_s):
                raise RoutingError("screenshot: the model did not load in time")
            if window.ctx.model is None:
                raise RoutingError(f"screenshot: {window.ctx.model_error}")
            tab = window.prediction
            code = _telling_example(store)

            # Prediction: the item master filtered to new items, one predicted
            window.tabs.setCurrentWidget(tab)
            tab.inputs.tabs.setCurrentIndex(0)
            tab.browser.only_without.setChecked(True)
            tab.browser.search.setText(code or "")
            wait_until(lambda: tab.browser.model.rowCount() > 0 and not tab.browser.model.loading
                       and (not code or tab.browser.model.rows[0][0] == code), timeout_s)
            tab.browser.select_row(0)
            code = tab.browser.current_code() or code
            shown: list[str] = []
            tab.prediction_shown.connect(shown.append)
            tab.predict_code(code)
            if not wait_until(lambda: bool(shown) or not tab.error.isHidden(), timeout_s):
                raise RoutingError("screenshot: the prediction did not finish")
            if len(tab.entries) > 1 and tab.entries[0].kind != "mine":
                tab.select_candidate(0)
            wait_until(lambda: not window.runner.running(), 30)
            paths.append(_grab(window, out_dir / "prediction.png", on_clipped))

            # Prediction: a batch of pasted codes
            tab.browser.search.setText("")
            wait_until(lambda: tab.browser.model.rowCount() > 1 and not tab.browser.model.loading, timeout_s)
            codes = tab.browser.model.rows[:25]
            tab.inputs.tabs.setCurrentIndex(1)
            tab.inputs.codes_edit.setPlainText("\n".join(r[0] for r in codes) + "\nNOT-A-CODE")
            rows: list[int] = []
            tab.batch_finished.connect(rows.append)
            tab.predict()
            wait_until(lambda: bool(rows) or not tab.error.isHidden(), timeout_s)
            wait_until(lambda: not window.runner.running(), 30)
            paths.append(_grab(window, out_dir / "prediction-batch.png", on_clipped))

            # Prediction: a new item described by its attributes, copied from the example item
            # (clearing the search for the batch above dropped the browser's selection)
            tab.browser.search.setText(code or "")
            wait_until(lambda: tab.browser.model.rowCount() > 0 and not tab.browser.model.loading
                       and (not code or tab.browser.model.rows[0][0] == code), timeout_s)
            tab.browser.select_row(0)
            tab.inputs.tabs.setCurrentIndex(2)
            tab.fill_form_from_selection()
            if not wait_until(lambda: bool(tab.inputs.form_attributes().get("PART_TYPE")), 30):
                raise RoutingError("screenshot: the new-item form could not be filled from the example item")
            shown.clear()
            tab.predict_form()
            wait_until(lambda: bool(shown) or not tab.error.isHidden(), timeout_s)
            wait_until(lambda: not window.runner.running(), 30)
            paths.append(_grab(window, out_dir / "prediction-new-item.png", on_clipped))
            tab.inputs.tabs.setCurrentIndex(0)

            # Training: quality report, registry and the evaluation of the active version
            window.tabs.setCurrentWidget(window.training)
            wait_until(lambda: window.training.data.report is not None, timeout_s)
            active = window.ctx.active_version
            row = next((m for m in window.ctx.models if m["version"] == active), None)
            if is_demo and row is not None and not row.get("metrics"):
                done: list[str] = []
                window.training.evaluation_finished.connect(done.append)
                window.training.evaluate(active)
                wait_until(lambda: bool(done), timeout_s)
                wait_until(lambda: bool((next((m for m in window.ctx.models if m["version"] == active), {})
                                         .get("metrics"))), 60)
                window.training.select_version(active)
            wait_until(lambda: not window.runner.running(), 60)
            paths.append(_grab(window, out_dir / "training.png", on_clipped))
            details = window.training.details
            details.setCurrentWidget(window.training.learned)
            paths.append(_grab(window, out_dir / "training-learned.png", on_clipped))
            details.setCurrentIndex(0)

            paths.extend(_export_screenshots(window, out_dir, is_demo, Path(tmp), timeout_s, on_clipped))

            # Audit (admins): the day's events, one selected, and a Verify
            if window.audit is not None:
                if is_demo:
                    _a_day_in_the_trail(window.ctx.store)
                audit_tab = window.audit
                window.tabs.setCurrentWidget(audit_tab)
                audit_tab.reload()
                wait_until(lambda: audit_tab.model.rowCount() > 0 and not audit_tab.model.loading, timeout_s)
                audit_tab.table.selectRow(min(1, audit_tab.model.rowCount() - 1))
                verified: list = []
                audit_tab.actions.verify_finished.connect(verified.append)
                audit_tab.actions.verify()
                wait_until(lambda: bool(verified) or not audit_tab.actions.error.isHidden(), timeout_s)
                wait_until(lambda: not window.runner.running(), 60)
                paths.append(_grab(window, out_dir / "audit.png", on_clipped))
        finally:
            window.close()
            window.deleteLater()
            app.processEvents()
            store.dispose()
    return paths


def _a_day_in_the_trail(store) -> None:
    """What a plant's trail holds on a working day, for the demo store's picture of the Audit tab."""
    from app.domain.access import User
    from app.services import audit
    kim, park = User("KSM\\kim.js", "engineer", "PC-ENG-07"), User("KSM\\park.hy", "approver", "PC-QA-02")
    audit.record(store, "session.sign_in", "window", {"role_source": "directory"}, kim)
    for code in ("SR-0012001", "SR-0012002", "GL-0004417"):
        audit.record(store, "predict", code, {"model_version": "demo", "candidates": 5}, kim)
    audit.record(store, "routing.save", "SR-0012001", {"status": "submitted", "revision": 1, "operations": 6}, kim)
    audit.record(store, "model.train", "", {"needed_role": "admin"}, kim, outcome="denied")
    audit.record(store, "session.sign_in", "window", {"role_source": "directory"}, park)
    audit.record(store, "routing.approve", "SR-0012001", {"revision": 2, "comment": "치수 확인 완료",
                                                          "saved_by": kim.name}, park)


def _export_screenshots(window, out_dir: Path, is_demo: bool, tmp: Path, timeout_s: float,
                        on_clipped=None) -> list[Path]:
    """Mapping & Export: a preview of the batch with the bad cells marked (the engineer's employee
    number is not in the profile yet), the profile with it added, and the result of an export (a dry
    run when the store is not a throw-away demo, so the user's own store gets no export record)."""
    from app.ui.heartbeat import wait_until

    tab = window.export
    window.tabs.setCurrentWidget(tab)
    if not wait_until(lambda: tab.profile_panel.stored is not None or bool(tab.last_error), timeout_s):
        raise RoutingError("screenshot: the mapping profiles did not load")
    if tab.batch is None:
        from app.services.catalog import item_codes
        from app.services.prediction import predict_items
        store = window.ctx.store
        tab.set_batch(predict_items(store, item_codes(store, without_routing=True)[:25], user=window.ctx.user))
    tab.selection_panel.choose("batch")
    user = window.ctx.user.name
    lookup = tab.profile_panel.profile.lookups.get("EMPLOYEE_NO") if tab.profile_panel.profile else None
    if lookup is not None:
        lookup.values.pop(user, None)     # the picture shows what a first export looks like
    shown: list = []
    tab.preview_shown.connect(shown.append)
    tab.preview()
    wait_until(lambda: bool(shown) or bool(tab.last_error), timeout_s)
    paths = [_grab(window, out_dir / "export-preview.png", on_clipped)]

    tab.profile_panel.add_lookup_value("EMPLOYEE_NO", user, "133111")   # as an admin types it; not saved
    shown.clear()
    tab.preview()
    wait_until(lambda: bool(shown) or bool(tab.last_error), timeout_s)
    tab.profile_panel.pages.setCurrentIndex(2)
    paths.append(_grab(window, out_dir / "export-profile.png", on_clipped))

    tab.profile_panel.pages.setCurrentIndex(0)
    tab.profile_panel.select_table("P_BOP_PROC_DETAIL")
    tab.preview_panel.show_table("P_BOP_PROC_DETAIL", "PROC_SEQ")   # the operations with their times
    # a short folder, so the audit trail's picture shows the export's whole target
    out = Path(tempfile.mkdtemp(prefix="erp-"))
    tab.target_panel.set_target("csv", str(out))
    tab.target_panel.dry_run.setChecked(not is_demo)
    done: list = []
    tab.sig_exported.connect(done.append)
    tab.export()
    wait_until(lambda: bool(done) or bool(tab.last_error), timeout_s)
    wait_until(lambda: not window.runner.running(), 30)
    paths.append(_grab(window, out_dir / "export-result.png", on_clipped))
    shutil.rmtree(out, ignore_errors=True)
    return paths


def _telling_example(store, look_at: int = 300) -> str | None:
    """A new item whose prediction shows what the program does: several candidates, one of them
    with an outsourced step, most times from the shop floor."""
    from app.domain.schema import OUTSIDE
    from app.ml.model import PredictOptions
    from app.services.catalog import item_codes
    from app.services.prediction import predict_items

    new_items = item_codes(store, without_routing=True)
    codes = new_items[::max(1, len(new_items) // look_at)]   # across all part families
    if not codes:
        return None
    batch = predict_items(store, codes, PredictOptions())

    def telling(p) -> tuple:
        outsourced = any(o.INSIDE_FLAG == OUTSIDE for c in p.candidates for o in c.operations)
        return (min(len(p.candidates), 4), outsourced, p.candidates[0].score if p.candidates else 0)
    return max(batch.predictions, key=telling).ITEM_CD if batch.predictions else codes[0]


def _grab(window, path: Path, on_clipped=None) -> Path:
    from PySide6.QtWidgets import QApplication

    from app.ui.layout_check import clipped

    for _ in range(5):
        QApplication.processEvents()
    window.grab().save(str(path))
    if on_clipped is not None:
        for text in clipped(window):
            on_clipped(f"{path.name}: {text}")
    return path
