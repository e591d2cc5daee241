"""The engine's notes (why an item is similar, what went wrong with its times) in the window's
language. The engine gives each note a key and values (app.domain.routing.Note); anything else is
shown as it came."""
from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from app.domain.routing import Note
from app.ml.features import GROUP_LABELS


# Literal strings inside translate() so pyside6-lupdate finds them; %1, %2 are the note's values.
_TEMPLATES: dict[str, Callable[[], str]] = {
    "same_part_type": lambda: QCoreApplication.translate("Notes", "same part type %1"),
    "same_material": lambda: QCoreApplication.translate("Notes", "same material %1"),
    "similar_dimensions": lambda: QCoreApplication.translate("Notes", "similar dimensions"),
    "similar_dimensions_od": lambda: QCoreApplication.translate("Notes", "similar dimensions (OD %1 mm)"),
    "spec_words": lambda: QCoreApplication.translate("Notes", "specification words %1"),
    "similar_seal": lambda: QCoreApplication.translate("Notes", "similar seal specification"),
    "similar_classification": lambda: QCoreApplication.translate("Notes", "similar classification"),
    "similar_rotation": lambda: QCoreApplication.translate("Notes", "similar rotation"),
    "no_known_attribute": lambda: QCoreApplication.translate(
        "Notes", "%1: no attribute of this item is known to the model; nothing to compare"),
    "below_threshold": lambda: QCoreApplication.translate(
        "Notes", "%1: no similar item reaches the similarity threshold %2"),
    "unusable_own": lambda: QCoreApplication.translate(
        "Notes", "all %1 of the item's own work results are unusable (zero or missing hours)"),
    "unusable_similar": lambda: QCoreApplication.translate(
        "Notes", "all %1 of the similar items' work results are unusable (zero or missing hours)"),
    "times_from_item_actuals": lambda: QCoreApplication.translate(
        "Notes", "times taken from the item's own actuals"),
    "times_from_similar_actuals": lambda: QCoreApplication.translate(
        "Notes", "times taken from similar items' actuals"),
    "times_from_standard": lambda: QCoreApplication.translate("Notes", "times taken from standard times"),
    "in_candidate": lambda: QCoreApplication.translate("Notes", "candidate %1, %2"),
}

_GROUPS: dict[str, Callable[[], str]] = {
    "part_type": lambda: QCoreApplication.translate("Notes", "part type"),
    "material": lambda: QCoreApplication.translate("Notes", "material"),
    "dimensions": lambda: QCoreApplication.translate("Notes", "dimensions"),
    "seal": lambda: QCoreApplication.translate("Notes", "seal specification"),
    "classification": lambda: QCoreApplication.translate("Notes", "classification"),
    "rotation": lambda: QCoreApplication.translate("Notes", "rotation"),
    "spec_text": lambda: QCoreApplication.translate("Notes", "specification words"),
}
_GROUP_BY_LABEL = {label: key for key, label in GROUP_LABELS.items()}


def word(note: str) -> str:
    """A Note in the window's language; a plain string unchanged."""
    if not isinstance(note, Note):
        return str(note)
    values = [word(v) if isinstance(v, str) else str(v) for v in note.values]
    if note.key == "operation":
        return values[0] + ": " + "; ".join(values[1:])
    template = _TEMPLATES.get(note.key)
    if template is None:
        return str(note)
    # one pass, so a value that itself holds "%1" is left as it is
    return re.sub(r"%(\d+)", lambda m: values[int(m[1]) - 1] if 0 < int(m[1]) <= len(values) else m[0],
                  template())


def group_label(label: str) -> str:
    """An attribute group's English label (as in SimilarItem.explanation) in the window's language."""
    key = _GROUP_BY_LABEL.get(label)
    return _GROUPS[key]() if key in _GROUPS else label
