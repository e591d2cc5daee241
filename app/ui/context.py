"""What every tab of one window shares: the store, the worker runner, the user and the loaded model.

`store` is what app.services.stores.open_store returned (an UnopenedStore until then, which the
services refuse with a message): the tabs hand it to the services on the runner's workers and never
call it on the GUI thread."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.services.identity import User, machine_name, os_account
from app.services.stores import Store, UnopenedStore, is_open
from app.ui.workers import TaskRunner


class AppContext(QObject):
    store_changed = Signal()
    model_changed = Signal()        # the active model was (re)loaded, or there is none
    models_changed = Signal()       # the registry list changed (train, activate, rollback, evaluate)
    busy_changed = Signal(bool)     # a long job (demo build, import, training) started or ended
    connection_changed = Signal(bool, str)
    refresh_requested = Signal(bool)  # reload the registry list (and the active model when True)
    user_changed = Signal()         # signed in (the role is known), or the role changed

    def __init__(self, store: Store | None, runner: TaskRunner, user: User | None = None, parent=None,
                 store_spec: str | None = None):
        super().__init__(parent)
        self.store: Store | UnopenedStore = store if store is not None else UnopenedStore(store_spec)
        self.store_spec = store.url if store is not None else store_spec   # what is opened (None: the default)
        # while the shared store cannot be reached and the engineer works on this PC's own store: the
        # shared store's URL (saves there are also kept as drafts for it)
        self.offline_for: str | None = None
        self.own_models: set[str] = set()   # versions this window trained, activated or rolled back to
        self.runner = runner
        # until sign-in has read the role (on a worker), the OS account with no role
        self.user = user or signing_in_user()
        self.model: Any = None              # app.ml.model.RoutingModel of the active version
        self.models: list[dict[str, Any]] = []
        self.rollback_target: str | None = None   # the version Roll back would activate
        self.model_error: str = ""
        self.first_start_running = False
        self.palette: list = []             # catalog.PaletteOperation of the active model
        self.resources: list[str] = []      # known RES_CD values

    @property
    def store_open(self) -> bool:
        return is_open(self.store)

    def store_text(self) -> str:
        """The store's file or server/database, for labels (whether or not it is open yet)."""
        return self.store.describe()

    @property
    def active_version(self) -> str | None:
        return next((m["version"] for m in self.models if m.get("active")), None)


def signing_in_user() -> User:
    """The OS account with no role yet: what the window shows while sign-in reads the role."""
    account, login = os_account()
    return User(account, "", machine_name(), login, "signing-in")
