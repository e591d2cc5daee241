"""The one kind of error an export raises when it refuses or fails (nothing was written)."""
from __future__ import annotations

from typing import Any

from app.domain.routing import RoutingError


class ExportError(RoutingError):
    """The export was refused or failed, and nothing was written; the message (English) says why.
    `problems` holds the problems found when routings were invalid (app.services.export.rows.Problem).
    `code` names the kind of refusal and `params` its particulars, so the window can word it in the
    user's language (an empty code: only the message says it)."""

    def __init__(self, message: str, problems: list[Any] | None = None, code: str = "", **params: Any):
        super().__init__(message)
        self.problems = problems or []
        self.code = code
        self.params = params
