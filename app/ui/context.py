"""What every tab of one window shares: the store, the worker runner, the user and the loaded model."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.services.identity import User, current_user
from app.store.db import Store
from app.ui.workers import TaskRunner


class AppContext(QObject):
    store_changed = Signal()
    model_changed = Signal()        # the active model was (re)loaded, or there is none
    models_changed = Signal()       # the registry list changed (train, activate, rollback, evaluate)
    busy_changed = Signal(bool)     # a long job (demo build, import, training) started or ended
    connection_changed = Signal(bool, str)
    refresh_requested = Signal(bool)  # reload the registry list (and the active model when True)

    def __init__(self, store: Store, runner: TaskRunner, user: User | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.user = user or current_user()
        self.model: Any = None              # app.ml.model.RoutingModel of the active version
        self.models: list[dict[str, Any]] = []
        self.rollback_target: str | None = None   # the version Roll back would activate
        self.model_error: str = ""
        self.first_start_running = False
        self.palette: list = []             # catalog.PaletteOperation of the active model
        self.resources: list[str] = []      # known RES_CD values

    @property
    def active_version(self) -> str | None:
        return next((m["version"] for m in self.models if m.get("active")), None)
