"""ERP-ready export of routings through editable mapping profiles (the Mapping & Export tab and
`routing-ml export`). See profile.py for what a profile says, rows.py for the checks, service.py
for preview and export."""
from app.services.export.profile import DEFAULT_PROFILE, MappingProfile, ProfileError
from app.services.export.rows import ExportPlan, Problem
from app.services.export.selection import ExportRouting, SavedFilter, Selection, Skipped
from app.services.export.service import (
    ExportError,
    ExportOptions,
    ExportResult,
    ExportTarget,
    export,
    preview,
    recent_exports,
)

__all__ = ["DEFAULT_PROFILE", "ExportError", "ExportOptions", "ExportPlan", "ExportResult", "ExportRouting",
           "ExportTarget", "MappingProfile", "Problem", "ProfileError", "SavedFilter", "Selection", "Skipped",
           "export", "preview", "recent_exports"]
