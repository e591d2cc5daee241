"""The one kind of error an export raises when it refuses or fails (nothing was written)."""
from __future__ import annotations

from typing import Any

from app.domain.routing import RoutingError


class ExportError(RoutingError):
    """The export was refused or failed, and nothing was written; the message says why.
    `problems` holds the problems found when routings were invalid (app.services.export.rows.Problem)."""

    def __init__(self, message: str, problems: list[Any] | None = None):
        super().__init__(message)
        self.problems = problems or []
