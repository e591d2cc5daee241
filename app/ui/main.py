"""Starting the window: the application object, its language, look and the first window."""
from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

log = logging.getLogger("app.ui.main")
ORGANIZATION = "RoutingML"
APPLICATION = "Routing ML"
_blas_limited = False


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, created and configured once (names, look, translation)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    configure_application(app)
    return app  # type: ignore[return-value]


def configure_application(app: QApplication, language: str | None = None) -> str:
    from app import __version__
    from app.ui import gc_on_gui_thread
    from app.ui.i18n import install_translator
    from app.ui.look import apply_look

    gc_on_gui_thread.install(app)
    _leave_a_core_for_the_window()

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
    free, at the same batch time (2.3 s), because the search is bound by memory, not arithmetic."""
    global _blas_limited
    if _blas_limited:   # once per process; configure_application runs again on a language change
        return
    import numpy  # noqa: F401 - threadpoolctl limits only libraries already loaded
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=max(1, (os.cpu_count() or 2) - 1), user_api="blas")
    _blas_limited = True


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
    window.show()
    log.info("window shown after %.2f s", time.perf_counter() - t0)
    return app.exec()
