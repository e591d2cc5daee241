"""The main window: the Prediction and Training tabs, menus, status bar, first start and model loading."""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from app import __version__
from app.services import catalog, drafts, first_start, identity, importing, models, roles, site_settings, stores
from app.services.identity import User
from app.services.stores import Store
from app.ui import gc_on_gui_thread
from app.ui.context import AppContext, signing_in_user
from app.ui.dialogs import DataSourceDialog, ask_to_import_fewer_rows
from app.ui.export.tab import ExportTab
from app.ui.i18n import LANGUAGES, chosen_language
from app.ui.wording import source_text
from app.ui.prediction import PredictionTab
from app.ui.training import TrainingTab
from app.ui.widgets import Banner, repaint_tab_widget_only_when_moved
from app.ui.workers import TaskRunner

log = logging.getLogger("app.ui.window")
PING_INTERVAL_MS = 60_000
SERVER_RETRY_MS = 20_000   # how often a window working on the local store asks whether the server is back


def list_registry(store: Store) -> dict[str, Any]:
    """On a worker: the registry list and the version a rollback would activate."""
    rows = models.list_models(store)
    return {"models": rows, "rollback_target": models.rollback_target(store, rows)}


def load_active_model(store: Store) -> dict[str, Any]:
    """On a worker: the registry list and the active model (verified) with its operation palette."""
    out: dict[str, Any] = dict(list_registry(store), model=None, error="", palette=[], resources=[])
    rows = out["models"]
    if not any(m["active"] for m in rows):
        out["error"] = "no_model"
        return out
    model = models.load(store)
    out["model"] = model
    out["palette"] = catalog.operation_palette(model)
    out["resources"] = sorted(r for r in model.vocab["res"] if r)
    # the first prediction's look-ups by item code (the model's rows, the item master's) are built
    # here, with the model: built by the first prediction, they were 0.3 s of Python on its worker
    # while the GUI thread waited for the GIL at each call into Python to paint the result
    model.position("")
    try:
        catalog.item_details(store, "")
    except Exception:  # noqa: BLE001 - the model is loaded; the first prediction reads the items itself
        logging.getLogger(__name__).exception("reading the item master ahead of the first prediction failed")
    # the first prediction's result panel plots the routing's times: its imports are done here, on
    # the worker, not on the GUI thread when that result is shown (a 200-300 ms stall there)
    from app.ui.time_chart import load_plotting
    try:
        load_plotting()
    except Exception:  # noqa: BLE001 - the model is loaded; the chart says its own error when drawn
        logging.getLogger(__name__).exception("importing the time chart's plotting ahead of time failed")
    return out


# the window's first size when the screen has room for it, in logical pixels
PREFERRED_SIZE = QSize(1600, 960)


def first_geometry(available: QRect) -> QRect:
    """The first window: its preferred size, but never larger than the screen's free area (a 1366×768
    laptop, or 1920×1080 at 125–150 % scaling), and centred on it."""
    width = min(PREFERRED_SIZE.width(), available.width() - 16)
    height = min(PREFERRED_SIZE.height(), available.height() - 40)  # room for the title bar
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def fit_into(rect: QRect, available: QRect) -> QRect:
    """A restored window moved (and if need be shrunk) onto the screen it opens on: a position saved
    on a larger or a second monitor must not leave it partly outside."""
    width, height = min(rect.width(), available.width()), min(rect.height(), available.height() - 30)
    x = min(max(rect.x(), available.left()), available.right() - width + 1)
    y = min(max(rect.y(), available.top() + 30), available.bottom() - height + 1)
    return QRect(x, y, width, height)


class MainWindow(QMainWindow):
    language_change_requested = Signal(str)
    model_loaded = Signal()          # after every (re)load of the active model, with or without a model
    first_start_finished = Signal(bool)
    role_rechecked = Signal(object)  # a service read the user's role again and found it changed (any thread)

    def __init__(self, store: Store | str | None = None, build_demo_if_empty: bool = True,
                 demo_items: int | None = None, user: User | None = None):
        """`store`: a store URL or path to open (on a worker, when the window starts; None: the
        default store), or one already opened by app.services.stores.open_store. Without `user`,
        the OS user signs in (on a worker) when the window starts; tests pass one."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Routing ML"))
        self.runner = TaskRunner(self)
        self.signs_in = user is None
        self.user_given = user is not None    # a given user stays when another store is opened
        opened = None if store is None or isinstance(store, str) else store
        self.ctx = AppContext(opened, self.runner, user, parent=self,
                              store_spec=store if isinstance(store, str) else None)
        self.build_demo_if_empty = build_demo_if_empty
        self.demo_items = demo_items or first_start.DEMO_ITEMS
        self.connected = False
        self._loading_model = False
        self._gc_held = False        # this window's model load holds the GUI thread's collector
        self._shut_down = False
        self._reload_again = False
        self._list_requests = 0      # registry lists asked for, and the newest one applied
        self._list_applied = 0

        self.tabs = repaint_tab_widget_only_when_moved(QTabWidget())
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.prediction = PredictionTab(self.ctx)
        self.training = TrainingTab(self.ctx)
        self.tabs.addTab(self.prediction, self.tr("Prediction"))
        self.tabs.addTab(self.training, self.tr("Training"))
        self.export = ExportTab(self.ctx)
        self.tabs.addTab(self.export, self.tr("Mapping && Export"))
        self.prediction.batch_ready.connect(self.export.set_batch)
        self.prediction.candidate_chosen.connect(self.export.choose_candidate)
        self.prediction.prediction_shown.connect(lambda _code: self.export.refresh_editor())
        self.export.set_editor_source(self.prediction.current_routing)
        self.audit = None   # app.ui.audit.tab.AuditTab, for admins
        # what the window as a whole has to say about its store: cannot be reached (Retry, Work on a
        # local store), back again, and drafts kept on this PC
        self.store_banner = Banner("error")
        self.store_banner.setObjectName("storeBanner")
        self.retry_button = self.store_banner.add_button(self.tr("Retry"), self.retry_store)
        self.local_button = self.store_banner.add_button(self.tr("Work on a local store"), self.work_locally)
        self.back_button = self.store_banner.add_button(self.tr("Switch back"), self.switch_back)
        self.model_banner = Banner("info")
        self.model_banner.setObjectName("modelBanner")
        self.drafts_banner = Banner("warning")
        self.drafts_banner.setObjectName("draftsBanner")
        self.drafts_banner.add_button(self.tr("Drafts…"), self.drafts_dialog)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.store_banner)
        cl.addWidget(self.model_banner)
        cl.addWidget(self.drafts_banner)
        cl.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.runner.connection_lost.connect(lambda m: self._set_connection(False, m))
        self.prediction.model_change_noticed.connect(self._model_changed_elsewhere)

        self._build_menus()
        self._build_status_bar()
        self.ctx.refresh_requested.connect(self.refresh_models)
        self.ctx.busy_changed.connect(lambda _b: self._apply_role())
        self.ctx.user_changed.connect(self._user_changed)
        self.role_rechecked.connect(self._role_rechecked)
        self._role_listener = self._role_changed_in_service
        roles.on_change(self._role_listener)

        s = QSettings()
        geometry = s.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.setGeometry(first_geometry(self.available_geometry()))
        else:
            self.setGeometry(fit_into(self.geometry(), self.available_geometry()))
        self._show_audit_tab()
        self.tabs.setCurrentIndex(int(s.value("window/tab", 0)))
        self._apply_role()
        self._show_store()

        self.ping_timer = QTimer(self)
        self.ping_timer.setInterval(PING_INTERVAL_MS)
        self.ping_timer.timeout.connect(self.ping)
        self.ping_timer.start()
        # while working on the local store: is the shared one back?
        self.server_timer = QTimer(self)
        self.server_timer.setInterval(SERVER_RETRY_MS)
        self.server_timer.timeout.connect(self.check_server)
        self.prediction.reload_items()
        QTimer.singleShot(0, self.start_up)

    def available_geometry(self) -> QRect:
        """The free area (without the task bar) of the screen the window opens on, in logical pixels."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    # ---- menus and status bar ------------------------------------------------------------
    def _build_menus(self) -> None:
        mb = self.menuBar()
        file = mb.addMenu(self.tr("&File"))
        self.open_store_action = file.addAction(self.tr("Open a store file…"), self.open_store_dialog)
        self.open_store_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action = file.addAction(self.tr("Import a source…"), self.import_dialog)
        self.drafts_action = file.addAction(self.tr("Drafts on this PC…"), self.drafts_dialog)
        file.addSeparator()
        self.save_action = QAction(self.tr("Save routing"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the tab's own shortcut acts
        self.save_action.triggered.connect(self.prediction.save)
        file.addAction(self.save_action)
        file.addSeparator()
        quit_action = file.addAction(self.tr("Quit"), self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        edit = mb.addMenu(self.tr("&Edit"))
        edit.addAction(self.prediction.editor.undo_action)
        edit.addAction(self.prediction.editor.redo_action)

        settings = mb.addMenu(self.tr("&Settings"))
        self.store_action = settings.addAction(self.tr("Store…"), self.store_dialog)
        self.store_action.setObjectName("storeAction")
        self.source_action = settings.addAction(self.tr("Data source…"), self.data_source_dialog)
        self.roles_action = settings.addAction(self.tr("Roles and audit…"), self.roles_dialog)
        self.roles_action.setObjectName("rolesAction")
        lang = settings.addMenu(self.tr("Language"))
        group = QActionGroup(self)
        current = chosen_language()
        self.language_actions = {}
        for code, label in LANGUAGES.items():
            a = QAction(self.tr("Follow the system") if code == "" else label, self)
            a.setCheckable(True)
            a.setChecked(code == current)
            a.triggered.connect(lambda _c=False, c=code: self.set_language(c))
            group.addAction(a)
            lang.addAction(a)
            self.language_actions[code] = a

        help_ = mb.addMenu(self.tr("&Help"))
        help_.addAction(self.tr("About Routing ML"), self.about)
        help_.addAction(self.tr("Open log folder"), self.open_log_folder)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self._show_user()
        self.store_label = QLabel()
        self.store_label.setObjectName("storeLabel")
        self.model_label = QLabel(self.tr("Model: loading…"))
        self.model_label.setObjectName("modelLabel")
        self.connection_label = QLabel(self.tr("connecting…"))
        self.connection_label.setObjectName("connectionLabel")
        for w in (self.user_label, self.store_label, self.model_label, self.connection_label):
            w.setContentsMargins(6, 0, 6, 0)
        sb.addWidget(self.user_label)
        sb.addWidget(self.store_label, 1)
        sb.addPermanentWidget(self.model_label)
        sb.addPermanentWidget(self.connection_label)

    def _show_user(self) -> None:
        user = self.ctx.user
        role = {"admin": self.tr("admin"), "engineer": self.tr("engineer"), "approver": self.tr("approver")}
        if user.role_source == "signing-in":
            shown = self.tr("signing in…")
        elif not user.role:
            shown = self.tr("no role")
        elif user.role_source == "cache" and user.role_expires is not None:
            from app.services.audit import to_local
            shown = self.tr("%1, cached until %2").replace("%1", role.get(user.role, user.role)).replace(
                "%2", to_local(user.role_expires).strftime("%Y-%m-%d %H:%M"))
        else:
            shown = role.get(user.role, user.role)
        self.user_label.setText(self.tr("User: %1 (%2)").replace("%1", user.name).replace("%2", shown))
        tip = user.role_note
        if user.role_source == "directory" and user.role_expires is not None:
            from app.services.audit import to_local
            tip = (self.tr("Role read from the directory; kept for working offline until %1.")
                   .replace("%1", to_local(user.role_expires).strftime("%Y-%m-%d %H:%M")) + (" " + tip if tip else ""))
        self.user_label.setToolTip(tip)

    def _user_changed(self) -> None:
        self._show_user()
        self._apply_role()
        self._show_audit_tab()

    def _show_audit_tab(self) -> None:
        """The Audit tab exists for admins only; the services refuse everyone else anyway."""
        from app.ui.audit.tab import AuditTab
        if self.ctx.user.is_admin and self.audit is None:
            self.audit = AuditTab(self.ctx)
            self.tabs.addTab(self.audit, self.tr("Audit"))
        elif not self.ctx.user.is_admin and self.audit is not None:
            self.tabs.removeTab(self.tabs.indexOf(self.audit))
            self.audit.deleteLater()
            self.audit = None

    def _show_store(self) -> None:
        text = self.ctx.store_text()
        if self.ctx.offline_for:
            text = self.tr("%1 (this PC's own; %2 cannot be reached)").replace("%1", text).replace(
                "%2", stores.describe_url(self.ctx.offline_for))
        elif not self.ctx.store_open and getattr(self.ctx.store, "reason", ""):
            text = self.tr("%1 (cannot be reached)").replace("%1", text)
        elif not self.ctx.store_open:
            text = self.tr("%1 (opening…)").replace("%1", text)
        self.store_label.setText(self.tr("Store: %1").replace("%1", text))
        self.store_label.setToolTip((self.ctx.store_spec or "").split("@")[-1])

    def _set_connection(self, ok: bool, message: str = "") -> None:
        self.connected = ok
        if ok:
            self.connection_label.setText("● " + self.tr("connected"))
            self.connection_label.setProperty("state", "ok")
            self.connection_label.setToolTip(self.ctx.store_text())
        else:
            self.connection_label.setText("● " + self.tr("not connected"))
            self.connection_label.setProperty("state", "bad")
            self.connection_label.setToolTip(message)
        self.connection_label.style().unpolish(self.connection_label)
        self.connection_label.style().polish(self.connection_label)
        self.ctx.connection_changed.emit(ok, message)

    def _apply_role(self) -> None:
        """Disable what the role may not do, saying why (the services refuse it anyway)."""
        user = self.ctx.user
        busy = self.ctx.first_start_running
        why = self.tr("Only an admin can do this; you are signed in as %1 (%2).").replace("%1", user.name) \
            .replace("%2", user.role or self.tr("no role"))
        self.import_action.setEnabled(user.is_admin and not busy)
        self.import_action.setToolTip("" if user.is_admin else
                                      self.tr("Only an admin can import a source; you are signed in as %1 (%2).")
                                      .replace("%1", user.name).replace("%2", user.role or self.tr("no role")))
        for action in (self.source_action, self.roles_action):
            action.setEnabled(user.is_admin)
            action.setToolTip("" if user.is_admin else why)
        self.training.apply_role()

    # ---- start-up, first start and the model ---------------------------------------------
    def start_up(self) -> None:
        store = self.ctx.store
        if not self.ctx.store_open:   # open it first, on a worker: a distant server may take seconds to answer
            spec = self.ctx.store_spec
            self.runner.start(lambda p: stores.open_store(spec), "open store",
                              on_result=self._store_opened, on_exception=self._open_failed)
            return
        if self.signs_in:   # the role comes from the store (or the directory): read it first
            self.runner.start(lambda p: identity.sign_in(store, via="window"), "sign-in",
                              on_result=self._signed_in, on_error=self._start_failed)
            return
        self.runner.start(lambda p: first_start.needs_demo(store), "start-up",
                          on_result=self._started, on_error=self._start_failed)

    def _store_opened(self, store: Store) -> None:
        self.ctx.store = store
        self.ctx.store_spec = store.url
        self.store_banner.hide()
        self._show_store()
        self.ctx.store_changed.emit()
        self.start_up()
        self.offer_drafts()

    def _open_failed(self, exc: BaseException) -> None:
        """The store could not be opened: the window stays, says so, and offers a retry, and — when the
        store is a shared one that cannot be reached — to work on this PC's own store meanwhile."""
        spec = self.ctx.store_spec
        unreachable = stores.is_connection_lost(exc)
        message = str(exc)
        self.ctx.store = stores.UnopenedStore(spec, message)
        self._show_store()
        local = stores.local_store_url()
        offer_local = unreachable and drafts.store_key(spec or "") != drafts.store_key(local)
        if unreachable:
            text = self.tr("The store %1 cannot be reached: %2. Retry when the network or the server is back, or "
                           "work on this PC's own store meanwhile: routings you save there are kept as drafts and "
                           "offered for upload when %1 answers again.") if offer_local else \
                self.tr("The store %1 cannot be reached: %2.")
        else:
            text = self.tr("The store %1 cannot be opened: %2.")
        reason = message
        for prefix in (f"store {self.ctx.store_text()} cannot be opened: ", f"store {self.ctx.store_text()} "):
            if reason.startswith(prefix):   # the banner names the store already
                reason = reason[len(prefix):]
                break
        self.store_banner.set_kind("error")
        self.store_banner.show_message(text.replace("%1", self.ctx.store_text()).replace("%2", reason))
        self.retry_button.show()
        self.local_button.setVisible(offer_local)
        self.back_button.hide()
        self._start_failed(message)
        self.prediction.error.hide()   # said once, above the tabs
        self.offer_drafts()

    def retry_store(self):
        """Retry: open the store again (on a worker)."""
        if any(t.name == "open store" for t in self.runner.running()):
            return None
        self.store_banner.hide()
        self.ctx.store = stores.UnopenedStore(self.ctx.store_spec)
        self._show_store()
        self.model_label.setText(self.tr("Model: loading…"))
        self.connection_label.setText(self.tr("connecting…"))
        self.start_up()
        return True

    def work_locally(self):
        """Work on this PC's own store while the shared one cannot be reached; it is asked again every
        few seconds, and saves are kept as drafts for it meanwhile."""
        server = self.ctx.store_spec
        self.store_banner.hide()
        task = self.runner.start(lambda p: stores.open_store(stores.local_store_url()), "open store",
                                 on_result=lambda store: self._go_local(store, server),
                                 on_exception=self._open_failed)
        return task

    def _go_local(self, store: Store, server: str | None) -> None:
        self._switch_store(store, offline_for=server)
        if self.ctx.store is not store:
            return   # the engineer kept the store they were editing in
        self.store_banner.set_kind("warning")
        self.store_banner.show_message(
            self.tr("Working on this PC's own store %1 while %2 cannot be reached. Routings you save are kept "
                    "as drafts for %2 and offered for upload when it answers again.")
            .replace("%1", store.describe()).replace("%2", stores.describe_url(server)))
        self.retry_button.hide()
        self.local_button.hide()
        self.back_button.hide()
        self.server_timer.start()

    def check_server(self):
        """While working locally: does the shared store answer again? (on a worker)"""
        server = self.ctx.offline_for
        if not server or any(t.name == "check server" for t in self.runner.running()):
            return None

        def work(_p):
            store = stores.open_store(server, create=False)
            store.dispose()
            return len(drafts.pending(server))

        return self.runner.start(work, "check server", on_result=self._server_back)

    def _server_back(self, waiting: int) -> None:
        if not self.ctx.offline_for:
            return
        self.server_timer.stop()
        server = stores.describe_url(self.ctx.offline_for)
        text = self.tr("%1 answers again. Switch back to it; the %2 routings saved here meanwhile are offered for "
                       "upload there.") if waiting else self.tr("%1 answers again. Switch back to it.")
        self.store_banner.set_kind("info")
        self.store_banner.show_message(text.replace("%1", server).replace("%2", str(waiting)))
        self.retry_button.hide()
        self.local_button.hide()
        self.back_button.show()

    def switch_back(self):
        """From the local store back to the shared one (asks about unsaved work first)."""
        server = self.ctx.offline_for
        if not server:
            return None
        task = self.open_store(server)
        if task is not None:
            self.store_banner.hide()
        return task

    def offer_drafts(self):
        """Say (in a banner) which routings kept on this PC have not reached their store yet."""
        def listed(rows: list) -> None:
            if not rows:
                self.drafts_banner.hide()
                return
            here = drafts.store_key(self.ctx.store.url) if self.ctx.store_open else None
            mine = [d for d in rows if d.store == here]
            codes = ", ".join(d.item_cd for d in (mine or rows)[:4]) + (" …" if len(mine or rows) > 4 else "")
            if mine:
                text = self.tr("%1 routings kept on this PC have not been saved to this store yet (%2): open "
                               "Drafts… to upload them.").replace("%1", str(len(mine))).replace("%2", codes)
            else:
                text = self.tr("%1 routings kept on this PC wait for their store (%2).") \
                    .replace("%1", str(len(rows))).replace("%2", codes)
            self.drafts_banner.show_message(text)

        return self.runner.start(lambda p: drafts.pending(), "list drafts", on_result=listed)

    def drafts_dialog(self):
        from app.ui.drafts_dialog import DraftsDialog
        dlg = DraftsDialog(self.ctx, self)
        dlg.open_requested.connect(self._open_draft)
        dlg.finished.connect(lambda _r: self.offer_drafts())
        dlg.open()
        return dlg

    def _open_draft(self, draft) -> None:
        self.tabs.setCurrentWidget(self.prediction)
        self.prediction.open_draft(draft)

    def _signed_in(self, user: User) -> None:
        self.signs_in = False
        self.ctx.user = user
        self.ctx.user_changed.emit()
        if not user.role:   # said where it is seen, not only in the status bar's tooltip
            self.prediction.error.show_message(
                self.tr("You have no role in Routing ML, so it can do nothing for you yet: %1")
                .replace("%1", user.role_note or self.tr("ask an admin to give you one.")))
        self.start_up()

    def _role_changed_in_service(self, store, user: User) -> None:
        """roles.on_change: called on the worker that re-checked; the window is told by a signal."""
        if store.url == getattr(self.ctx.store, "url", None):
            self.role_rechecked.emit(user)

    def _role_rechecked(self, user: User) -> None:
        if user.name.casefold() == self.ctx.user.name.casefold() and user.role != self.ctx.user.role:
            self.ctx.user = user
            self.ctx.user_changed.emit()

    def _start_failed(self, message: str) -> None:
        self._set_connection(False, message)
        self.model_label.setText(self.tr("Model: –"))
        self.prediction.error.show_message(message)
        self.model_loaded.emit()

    def _started(self, empty: bool) -> None:
        self._set_connection(True)
        if empty and self.build_demo_if_empty:
            self.build_demo()
        elif empty:
            self.prediction.first_start.show_message(self.tr("This store is empty. Import your plant's data with "
                                                             "File ▸ Import a source."))
            self.refresh_models(True)
        else:
            self.refresh_models(True)

    def build_demo(self):
        store, n = self.ctx.store, self.demo_items
        self.ctx.first_start_running = True
        self.ctx.busy_changed.emit(True)
        self.prediction.first_start.show_message(
            self.tr("Welcome to Routing ML. This store is empty, so a demo seal plant (%1 items) is being built and "
                    "a first model trained; predictions are ready when the bar below is full. Import your own "
                    "plant's data later with File ▸ Import a source.").replace("%1", f"{n:,}"))
        self.model_label.setText(self.tr("Model: building the demo plant…"))
        user = self.ctx.user
        task = self.runner.start(lambda p: first_start.build_demo(store, n, progress=p, user=user), "first start",
                                 long=True,
                                 on_result=self._demo_built, on_error=self._demo_failed)
        self.prediction.first_job.attach(task, self.tr("building the demo plant…"))
        return task

    def _demo_built(self, version: str) -> None:
        self.ctx.own_models.add(version)
        self.ctx.first_start_running = False
        self.ctx.busy_changed.emit(False)
        self.prediction.first_start.show_message(
            self.tr("The demo plant is ready (model %1). Tick “Only items without routing”, pick an item and press "
                    "Predict.").replace("%1", version))
        self.prediction.reload_items()
        self.refresh_models(True)
        self.training.store_changed()
        self.first_start_finished.emit(True)

    def _demo_failed(self, message: str) -> None:
        self.ctx.first_start_running = False
        self.ctx.busy_changed.emit(False)
        self.prediction.first_start.show_message(self.tr("The demo plant could not be built: %1").replace("%1",
                                                                                                        message))
        self.model_label.setText(self.tr("Model: –"))
        self.first_start_finished.emit(False)

    def refresh_models(self, reload_model: bool = True) -> None:
        """Reload the registry list (and the active model) on a worker."""
        store = self.ctx.store
        if not self.ctx.store_open or self._shut_down:
            return   # start_up loads the model once the store is open; a late result after shutdown
        self._list_requests += 1
        seq = self._list_requests
        if not reload_model:
            self.runner.start(lambda p: list_registry(store), "list models",
                              on_result=lambda r, n=seq: self._models_listed(r, n),
                              on_error=lambda m: self._set_connection(False, m))
            return
        if self._loading_model:
            self._reload_again = True
            return
        self._loading_model = True
        if self.ctx.model is None:
            self.model_label.setText(self.tr("Model: loading…"))
        gc_on_gui_thread.hold()   # released when the load is done, once the model is frozen
        self._gc_held = True
        self.runner.start(lambda p: load_active_model(store), "load model",
                          on_result=lambda r, n=seq: self._model_loaded(r, n),
                          on_error=self._model_failed, on_done=self._model_load_done)

    def _model_load_done(self) -> None:
        self._release_collector()
        self._loading_model = False
        if self._reload_again:
            self._reload_again = False
            self.refresh_models(True)

    def _apply_registry(self, result: dict, seq: int) -> bool:
        """Take a registry list unless a list asked for later has already arrived (an evaluation's
        figures must not be replaced by an older list that was read before they were saved)."""
        if seq < self._list_applied:
            return False
        self._list_applied = seq
        self.ctx.models = result["models"]
        self.ctx.rollback_target = result["rollback_target"]
        return True

    def _models_listed(self, result: dict, seq: int) -> None:
        self._set_connection(True)
        if self._apply_registry(result, seq):
            self.ctx.models_changed.emit()
            self._show_model_label()

    def _model_loaded(self, result: dict, seq: int) -> None:
        self._set_connection(True)
        self._apply_registry(result, seq)
        self.ctx.model = result["model"]
        self.ctx.palette = result["palette"]
        self.ctx.resources = result["resources"]
        self.ctx.model_error = (self.tr("No model trained yet: train one on the Training tab.")
                                if result["error"] == "no_model" else "")
        self.ctx.models_changed.emit()
        self.ctx.model_changed.emit()
        self._show_model_label()
        self.model_loaded.emit()
        gc_on_gui_thread.freeze_long_lived()   # a full collection walking the model stalled the window 0.2 s

    def _model_failed(self, message: str) -> None:
        self.ctx.model = None
        self.ctx.model_error = message
        self.ctx.model_changed.emit()
        self.model_label.setText(self.tr("Model: not loaded"))
        self.model_label.setToolTip(message)
        self.prediction.error.show_message(message)
        self.model_loaded.emit()

    def _model_changed_elsewhere(self, previous: str, current: str, by: str, at) -> None:
        """The active model changed since this window's last prediction (another PC activated one):
        a notice above the tabs and in the status bar; the window loads the new model's palette."""
        if by and at is not None:
            text = self.tr("Model %1 was activated by %2 at %3: predictions now use it instead of %4.")
        elif by:
            text = self.tr("Model %1 was activated by %2: predictions now use it instead of %4.")
        else:
            text = self.tr("Model %1 is active now: predictions use it instead of %4.")
        text = text.replace("%1", current).replace("%2", by).replace(
            "%3", f"{at:%Y-%m-%d %H:%M}" if at is not None else "").replace("%4", previous)
        self.model_banner.show_message("ⓘ " + text)
        self.model_label.setText(self.tr("Model: %1 (new)").replace("%1", current))
        self.model_label.setToolTip(text)
        self.refresh_models(True)

    def _show_model_label(self) -> None:
        active = self.ctx.active_version
        self.model_label.setText(self.tr("Model: %1").replace("%1", active) if active else self.tr("Model: none"))
        self.model_label.setToolTip(self.ctx.model_error)

    def ping(self) -> None:
        store = self.ctx.store
        if not self.ctx.store_open:
            return
        known = [(m["version"], m["active"]) for m in self.ctx.models]

        def changed(rows):
            self._set_connection(True)
            if [(m["version"], m["active"]) for m in rows] != known:
                self.refresh_models(True)  # someone trained or activated a version meanwhile

        self.runner.start(lambda p: models.list_models(store), "ping", on_result=changed,
                          on_error=lambda m: self._set_connection(False, m))

    # ---- menus' actions ------------------------------------------------------------------
    def open_store_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a store file"), self.store_folder(),
                                              self.tr("Routing ML store (*.sqlite *.db);;All files (*)"))
        if path:
            self.open_store(path)

    def store_folder(self) -> str:
        """Where Open a store file starts: the open store's folder, else the user's data folder."""
        path = self.ctx.store.path
        if path is not None and path.parent.is_dir():
            return str(path.parent)
        return stores.default_store_folder()

    def open_store(self, path_or_url: str, create: bool = False):
        """Open another store (on a worker); the window moves to it once it is open. Returns the task,
        or None when the user or a running job stopped it. `create`: a SQLite file that does not
        exist yet is made (Settings ▸ Store), instead of refused (File ▸ Open)."""
        if any(t.name in ("training", "import", "first start", "open store")
               for t in self.runner.running()):
            QMessageBox.information(self, self.tr("Routing ML"), self.tr("Wait for the running job to finish first."))
            return None
        if not self.prediction.confirm_unsaved(self.tr("Another store is opened next; save your edited routing "
                                                       "in this one first?")):
            return None

        def failed(message: str) -> None:   # StoreError names the file
            QMessageBox.warning(self, self.tr("Open a store file"), message)

        return self.runner.start(lambda p: stores.open_store(path_or_url, create=create), "open store",
                                 on_result=self._switch_store, on_error=failed)

    def _switch_store(self, store: Store, offline_for: str | None = None) -> None:
        """Move the window to `store`; `offline_for` names the shared store it stands in for (working
        locally), None for any other move (which ends working locally)."""
        if not self.prediction.confirm_unsaved(self.tr("Another store is opened next; save your edited routing "
                                                       "in this one first?")):   # edited while it was opening
            self.runner.start(lambda p: store.dispose(), "close store")
            return
        old = self.ctx.store
        self.ctx.store, self.ctx.store_spec = store, store.url
        self.ctx.offline_for = offline_for
        if offline_for is None:
            self.server_timer.stop()
        if not self.user_given:   # a role belongs to a store: sign in to the new one
            self.signs_in = True
            self.ctx.user = signing_in_user()
            self.ctx.user_changed.emit()
        self.ctx.model = None
        self.ctx.models = []
        if offline_for is None and store.is_sqlite:   # File ▸ Open: the file opens again next time
            QSettings().setValue("store/last", store.url)
        self._show_store()
        self.prediction.first_start.hide()
        self.ctx.store_changed.emit()
        self.ctx.model_changed.emit()
        self.runner.start(lambda p: old.dispose(), "close store")
        self.build_demo_if_empty = False
        self.start_up()
        self.offer_drafts()

    def store_dialog(self):
        """Settings ▸ Store: this PC's choice of store (a file, PostgreSQL or SQL Server), tested first."""
        from app.ui.store_dialog import StoreDialog
        dlg = StoreDialog(self.runner, self, current=self.ctx.store_spec or "")
        dlg.open_requested.connect(lambda url: self.open_store(url, create=True))
        dlg.open()
        return dlg

    def data_source_dialog(self) -> DataSourceDialog:
        dlg = DataSourceDialog(self.runner, self)
        store, user = self.ctx.store, self.ctx.user

        def saved() -> None:   # the data source lives on this PC; its change goes into the trail
            values = dlg.values()
            if not self.ctx.store_open:
                return   # no store open to record it in
            self.runner.start(lambda p: site_settings.note_local_change(store, "data source", values, user=user),
                              "record settings", on_error=self.prediction.error.show_message)
        dlg.accepted.connect(saved)
        dlg.open()
        return dlg

    def roles_dialog(self):
        from app.ui.roles_dialog import RolesDialog
        if not self.ctx.user.is_admin:
            return None
        dlg = RolesDialog(self.ctx, self)
        dlg.open()
        return dlg

    def import_dialog(self) -> DataSourceDialog | None:
        if not self.ctx.user.is_admin:
            return None
        dlg = DataSourceDialog(self.runner, self, import_mode=True)
        dlg.import_requested.connect(self.import_source)
        dlg.open()
        return dlg

    def import_source(self, spec: str, view_names: dict | None = None, allow_shrink: bool = False):
        store, user = self.ctx.store, self.ctx.user
        self.tabs.setCurrentWidget(self.training)
        self.training.log(self.tr("Importing %1…").replace("%1", spec.split("@")[-1]))

        def work(progress):
            try:
                return importing.import_source(store, spec, view_names or None, progress, user,
                                               allow_shrink=allow_shrink)
            except importing.ShrinkRefused as refused:   # asked on the GUI thread (done, below)
                return refused

        def ask(shrunk) -> None:
            if ask_to_import_fewer_rows(self, shrunk):
                self.import_source(spec, view_names, allow_shrink=True)
            else:
                self.training.log(self.tr("Import not done: the source has far fewer rows than the store; "
                                          "the store is unchanged."))

        def done(report) -> None:
            if isinstance(report, importing.ShrinkRefused):   # asked once this task has ended
                QTimer.singleShot(0, lambda: ask(report.shrunk))
                return
            for w in report.warnings:
                self.training.log("⚠ " + w)
            self.training.log(self.tr("Imported %1: %2").replace("%1", source_text(report.source)).replace(
                "%2", ", ".join(f"{k} {v:,}" for k, v in report.counts.items())))
            self.prediction.first_start.hide()
            self.prediction.reload_items()
            self.training.store_changed()
            self.refresh_models(True)

        def failed(message: str) -> None:
            self.training.log(self.tr("Import failed: %1").replace("%1", message))
            self.training.show_error(message)

        task = self.runner.start(work, "import", long=True, on_result=done, on_error=failed,
                                 on_cancelled=lambda: self.training.log(self.tr("Import cancelled; the store is "
                                                                                "unchanged.")))
        self.training.attach_job(task, self.tr("importing…"))
        return task

    def set_language(self, code: str) -> bool:
        """Settings ▸ Language: the window is built again in that language (after asking about unsaved work)."""
        if not self.prediction.confirm_unsaved(self.tr("The window is built again in the new language; save "
                                                       "your edited routing first?")):
            self.language_actions[chosen_language()].setChecked(True)
            return False
        QSettings().setValue("language", code)
        self.language_change_requested.emit(code)
        return True

    def handover(self) -> dict:
        """What the window that replaces this one (in another language) keeps: the log and the item shown."""
        return {"log": self.training.trainer.log_text(), "prediction": self.prediction.handover(),
                "tab": self.tabs.currentIndex()}

    def take_over(self, state: dict) -> None:
        self.training.trainer.restore_log(state.get("log", ""))
        self.tabs.setCurrentIndex(int(state.get("tab", 0)))
        self.prediction.take_over(state.get("prediction") or {})

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About Routing ML"), self.about_text())

    def about_text(self) -> str:
        return (self.tr("<h3>Routing ML %1</h3><p>Proposes routings for new items of a mechanical-seal plant from "
                        "similar items and shop-floor results.</p><p>Store: %2</p>")
                .replace("%1", __version__).replace("%2", self.ctx.store_text()))

    def open_log_folder(self) -> bool:
        from app.logs import log_dir
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ---- closing -------------------------------------------------------------------------
    def save_settings(self) -> None:
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", self.tabs.currentIndex())
        self.prediction.save_settings()
        self.training.save_settings()
        self.export.save_settings()
        s.sync()

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Stop the timers, cancel running work and wait for the workers (so no signal reaches a dead window)."""
        self._shut_down = True
        self.ping_timer.stop()
        roles.remove_listener(self._role_listener)
        self.runner.cancel_all()
        self.runner.wait(wait_ms)
        # a load still running, or done but its end not yet delivered (it never is once the window is
        # deleted): the collector is the application's and must not stay held after this window
        self._release_collector()
        gc_on_gui_thread.thaw()   # this window's objects may be collected again

    def _release_collector(self) -> None:
        if self._gc_held:
            self._gc_held = False
            gc_on_gui_thread.release()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.prediction.confirm_unsaved(self.tr("The program closes; save your edited routing first?")):
            event.ignore()
            return
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)
