"""`python -m app.ui.export.stall STORE N` (run by scripts/bench): the window's longest stall while
its Mapping & Export tab previews and exports N of the plant's routings; prints one JSON line.

Beside each stall (wall time between two ticks of a 20 ms timer) it gives the GUI thread's own CPU
time in its busiest tick interval (Heartbeat.max_busy_ms): on a machine shared by many processes the
wall time also holds the waits for a core, the CPU time is what the window itself spent (what an idle
PC would show)."""
from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import time


def save_plant_routings(store, selection) -> int:
    """Keep the selection as saved routings of user `bench` (once: a store that has them is left alone)."""
    from datetime import datetime

    from sqlalchemy import func, select

    from app.services.routings import _operations_to_json
    from app.store.db import saved_routing
    with store.begin() as conn:
        have = conn.execute(select(func.count()).select_from(saved_routing)
                            .where(saved_routing.c.updated_by == "bench")).scalar()
        if have:
            return int(have)
        now = datetime.now()
        conn.execute(saved_routing.insert(), [
            dict(ITEM_CD=r.ITEM_CD, ROUT_NO=r.ROUT_NO, status="submitted", revision=1,
                 operations=_operations_to_json(r.operations), created_by="bench", created_at=now,
                 updated_by="bench", updated_at=now) for r in selection.routings])
    return len(selection.routings)


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("RoutingML-bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from app.bench import bench_profile, plant_routings
    from app.services.export.profiles import StoredProfile
    from app.services.stores import open_store
    from app.ui.heartbeat import Heartbeat, wait_until
    from app.ui.main import ensure_application
    from app.ui.window import MainWindow

    ensure_application()
    store = open_store(argv[0])
    saved = save_plant_routings(store, plant_routings(store, int(argv[1])))
    gc.collect()            # the saving's garbage is not the export's
    from app.domain.access import User
    # the bench profile knows this user's employee number
    window = MainWindow(store, build_demo_if_empty=False, user=User("bench", "admin", "bench"))
    window.resize(1600, 980)
    window.show()
    tab = window.export
    window.tabs.setCurrentWidget(tab)
    wait_until(lambda: tab.profile_panel.stored is not None, 120)
    tab.profile_panel.set_profiles([StoredProfile(bench_profile(), 1, "bench", tab.profile_panel.stored.updated_at)])
    tab.selection_panel.choose("saved")          # read from the store on the worker, as an engineer's would be
    tab.selection_panel.saved_by.setText("bench")
    # the window's own start first: its model loaded in the background and shown (the Training tab's
    # tables, the prediction chart made on a turn of its own), 20-35 ms of the GUI thread measured
    # with the window's start (app.ui.heartbeat), not with the export's preview
    wait_until(lambda: window.ctx.model is not None or bool(window.ctx.model_error), 120)
    wait_until(lambda: not window.runner.running(), 120)
    wait_until(lambda: False, 0.5)
    out: dict[str, float] = {"routings": saved}
    beat = Heartbeat()
    shown: list = []
    tab.preview_shown.connect(shown.append)
    beat.start()
    t = time.perf_counter()
    tab.preview()
    wait_until(lambda: bool(shown) or bool(tab.last_error), 600)
    wait_until(lambda: False, 0.3)      # let the preview paint
    out["preview_s"] = time.perf_counter() - t
    out["preview_max_stall_ms"] = beat.max_stall_ms
    out["preview_max_busy_ms"] = beat.max_busy_ms
    done: list = []
    tab.sig_exported.connect(done.append)
    tab.target_panel.set_target("csv", tempfile.mkdtemp(prefix="routing-ml-bench-csv-"))
    beat.reset()
    t = time.perf_counter()
    tab.export()
    wait_until(lambda: bool(done) or bool(tab.last_error), 600)
    out["export_s"] = time.perf_counter() - t
    out["export_max_stall_ms"] = beat.max_stall_ms
    out["export_max_busy_ms"] = beat.max_busy_ms
    beat.stop()
    if tab.last_error:
        raise SystemExit(f"export stall bench: {tab.last_error}")
    window.shutdown()
    window.close()
    store.dispose()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
