"""Starting the window: the application object, its language, look and the first window."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import threading
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger("app.ui.main")
ORGANIZATION = "RoutingML"
APPLICATION = "Routing ML"
_blas_limited = False
#: what the window needs soon after it appears but not to appear (app.ui.time_chart, the workers):
#: imported on a background thread once the first window is painted (warm_up_after_first_paint)
WARM_UP = ("numpy", "polars", "pyqtgraph")
_warm_up: threading.Thread | None = None


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, created and configured once (names, look, translation)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    configure_application(app)
    return app  # type: ignore[return-value]


def start_warm_up() -> threading.Thread:
    """Import WARM_UP on a background thread (once), so that the first plot or prediction does not
    wait for them. Importing is thread-safe, and none of them makes a Qt object when imported."""
    global _warm_up
    if _warm_up is None:
        def warm_up() -> None:
            for name in WARM_UP:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - whoever needs it later gets the error in context
                    log.exception("importing %s ahead of time failed", name)
        _warm_up = threading.Thread(target=warm_up, name="warm-up", daemon=True)
        _warm_up.start()
    return _warm_up


def wait_for_warm_up(timeout: float) -> None:
    """Until the warm-up (if started) has finished: before a short-lived process exits."""
    if _warm_up is not None:
        _warm_up.join(timeout)


class _FirstPaint(QObject):
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, start_warm_up)   # once this paint is done and on the screen
            self.deleteLater()
        return False


def warm_up_after_first_paint(window) -> None:
    """Start the warm-up (start_warm_up) once `window` has been painted: before, it would take the
    CPU from the window's own start on a 2-core PC."""
    window.installEventFilter(_FirstPaint(window))


def configure_application(app: QApplication, language: str | None = None) -> str:
    from app import __version__
    from app.ui import gc_on_gui_thread
    from app.ui.i18n import install_translator
    from app.ui.look import apply_look

    gc_on_gui_thread.install(app)
    _leave_a_core_for_the_window()
    _hand_the_gil_over_sooner()

    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(ORGANIZATION)
    if not QCoreApplication.applicationName() or QCoreApplication.applicationName() == "python":
        QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    apply_look(app)
    return install_translator(app, language)


def _leave_a_core_for_the_window() -> None:
    """BLAS (the similarity search's matrix products) runs on all cores but one.

    On the plant's 2-core PCs a batch prediction otherwise occupies both cores and the GUI thread
    waits for a CPU: measured 84-104 ms stalls during a 1,000-item batch, 36 ms with one core left
    free, at the same batch time (2.3 s), because the search is bound by memory, not arithmetic.

    threadpoolctl limits only libraries already loaded, and NumPy is kept off the window's start
    path: so the limit is set by whichever thread imports NumPy first, as part of that import,
    before any code can use NumPy's BLAS (setting it while another thread runs BLAS is unsafe)."""
    global _blas_limited
    if _blas_limited:   # once per process; configure_application runs again on a language change
        return
    _blas_limited = True
    if "numpy" in sys.modules:
        _limit_blas()
    else:
        sys.meta_path.insert(0, _AfterImport("numpy", _limit_blas))


#: how long a thread may keep the GIL while another waits for it (Python's default: 5 ms)
GIL_SWITCH_INTERVAL_S = 0.001


def _hand_the_gil_over_sooner() -> None:
    """The GUI thread waits at most 1 ms, not 5, for the GIL a worker computing in Python holds.

    Painting a table calls the Python model once per cell and role, and each call takes the GIL
    anew: while a prediction ran on a worker, every one of them waited up to the interval, and a
    30 × 10 table took 50-200 ms to paint instead of 15 (35-90 ms at 1 ms). Threads that do not
    contend never switch, so the workers' own speed is unchanged."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def _limit_blas() -> None:
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=max(1, (os.cpu_count() or 2) - 1), user_api="blas")


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs `then()` right after module `name` has executed, inside its import: other threads
    importing it meanwhile wait on the module's import lock, so none sees it before `then` ran.
    It stays in sys.meta_path, idle, once used (removing it could make another thread's import,
    going through the list at that moment, skip a finder)."""

    def __init__(self, name: str, then) -> None:
        self.name, self.then, self.used = name, then, False

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name or self.used:
            return None
        self.used = True
        spec = importlib.util.find_spec(fullname)   # from the finders after this one
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            log.warning("%s is imported without the step that follows its import", fullname)
            return spec
        execute, then = spec.loader.exec_module, self.then

        def exec_module(module) -> None:
            execute(module)
            then()
        spec.loader.exec_module = exec_module   # this module's own loader object
        return spec


def resolve_gui_store(store_url: str | None) -> str | None:
    """--store, else ROUTING_ML_STORE, else the file opened last (File ▸ Open, until a store is
    chosen in Settings ▸ Store), else the store chosen in Settings ▸ Store, else (None) the
    machine's STORE set by IT or the default file."""
    if store_url or os.environ.get("ROUTING_ML_STORE"):
        return store_url
    last = QSettings().value("store/last", "", type=str)
    if last and last.startswith("sqlite:///"):
        from pathlib import Path
        if Path(last[len("sqlite:///"):]).exists():
            return last
    chosen = QSettings().value("store/url", "", type=str)
    return chosen or None


def open_window(store=None, build_demo_if_empty: bool = True, demo_items: int | None = None):
    """The main window on `store`: a URL or path (opened by the window on a worker), None for the
    default, or a store already open (a language change hands its store over)."""
    from app.ui.window import MainWindow

    if store is None or isinstance(store, str):
        store = resolve_gui_store(store)
    return MainWindow(store, build_demo_if_empty=build_demo_if_empty, demo_items=demo_items)


# What Qt's X11 platform plugin (libqxcb, and libxcb-cursor it loads since Qt 6.5) needs on Linux;
# Qt itself only says "Could not load the Qt platform plugin xcb" and aborts.
XCB_LIBRARIES = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-util.so.1", "libxcb-image.so.0",
                 "libxcb-keysyms.so.1", "libxcb-randr.so.0", "libxcb-render.so.0", "libxcb-render-util.so.0",
                 "libxcb-shape.so.0", "libxcb-shm.so.0", "libxcb-sync.so.1", "libxcb.so.1",
                 "libxcb-xfixes.so.0", "libxcb-xkb.so.1", "libxkbcommon.so.0", "libX11-xcb.so.1",
                 "libxkbcommon-x11.so.0")


def missing_x11_packages(load=None) -> list[str]:
    """Debian packages of the libraries Qt's X11 platform needs but cannot load; [] where the
    window will not use X11 (Windows, Wayland, offscreen) or nothing is missing."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return []
    if not platform and (os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY")):
        return []
    import ctypes
    load = load or ctypes.CDLL
    missing = []
    for soname in XCB_LIBRARIES:
        try:
            load(soname)
        except OSError:
            name, _, version = soname.partition(".so.")
            name = name.lower()   # Debian: libX11-xcb.so.1 is libx11-xcb1, libxkbcommon-x11.so.0 libxkbcommon-x11-0
            missing.append(name + ("-" if name[-1].isdigit() else "") + version)
    return missing


def run_gui(store_url: str | None = None) -> int:
    """Open the main window and run until it is closed; returns the exit code."""
    t0 = time.perf_counter()
    missing = missing_x11_packages()
    if missing:   # before Qt aborts with a message that names none of them
        print(f"routing-ml: the window needs X11 libraries that are not installed; on Debian or Ubuntu: "
              f"sudo apt-get install {' '.join(missing)}", file=sys.stderr)
        return 2
    app = ensure_application()
    from app.domain.routing import RoutingError
    from PySide6.QtWidgets import QMessageBox

    try:
        window = open_window(store_url)
    except RoutingError as exc:  # e.g. a damaged store file: say so instead of a traceback
        QMessageBox.critical(None, APPLICATION, str(exc))
        return 2
    holder = {"window": window}

    def relaunch(language: str) -> None:
        """Settings ▸ Language: rebuild the window in the new language on the same store; it keeps the
        log and shows the same item again (the old window asked about unsaved work already)."""
        old = holder["window"]
        configure_application(app, language or None)
        old.save_settings()
        state = old.handover()
        old.shutdown()
        new = open_window(old.ctx.store if old.ctx.store_open else old.ctx.store_spec, build_demo_if_empty=False)
        new.take_over(state)
        new.language_change_requested.connect(relaunch)
        holder["window"] = new
        new.show()
        old.hide()
        old.deleteLater()

    window.language_change_requested.connect(relaunch)
    warm_up_after_first_paint(window)
    window.show()
    log.info("window shown after %.2f s", time.perf_counter() - t0)
    return app.exec()
