"""The engine's notes (why an item is similar, what went wrong with its times) in the window's
language. The engine gives each note a key and values (app.domain.routing.Note); anything else is
shown as it came."""
from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.domain.routing import Note
from app.ml.features import GROUP_LABELS

# QT_TRANSLATE_NOOP marks the strings for pyside6-lupdate; word() translates them when shown.
# %1, %2 are the note's values.
_TEMPLATES: dict[str, str] = {
    "same_part_type": QT_TRANSLATE_NOOP("Notes", "same part type %1"),
    "same_material": QT_TRANSLATE_NOOP("Notes", "same material %1"),
    "similar_dimensions": QT_TRANSLATE_NOOP("Notes", "similar dimensions"),
    "similar_dimensions_od": QT_TRANSLATE_NOOP("Notes", "similar dimensions (OD %1 mm)"),
    "spec_words": QT_TRANSLATE_NOOP("Notes", "specification words %1"),
    "similar_seal": QT_TRANSLATE_NOOP("Notes", "similar seal specification"),
    "similar_classification": QT_TRANSLATE_NOOP("Notes", "similar classification"),
    "similar_rotation": QT_TRANSLATE_NOOP("Notes", "similar rotation"),
    "no_known_attribute": QT_TRANSLATE_NOOP(
        "Notes", "%1: no attribute of this item is known to the model; nothing to compare"),
    "below_threshold": QT_TRANSLATE_NOOP("Notes", "%1: no similar item reaches the similarity threshold %2"),
    "unusable_own": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the item's own work results are unusable (zero or missing hours)"),
    "unusable_candidate": QT_TRANSLATE_NOOP(
        "Notes", "all %1 work results of the items behind this candidate are unusable (zero or missing hours)"),
    "unusable_similar": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the similar items' work results are unusable (zero or missing hours)"),
    "impossible_own": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the item's own work results left out: impossible hours (negative, infinite, over a "
                 "year for one order, or far outside the operation's range in the plant)"),
    "impossible_candidate": QT_TRANSLATE_NOOP(
        "Notes", "all %1 work results of the items behind this candidate left out: impossible hours (negative, "
                 "infinite, over a year for one order, or far outside the operation's range in the plant)"),
    "impossible_similar": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the similar items' work results left out: impossible hours (negative, infinite, "
                 "over a year for one order, or far outside the operation's range in the plant)"),
    "left_out_own": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the item's own work results left out: %2 with impossible hours, the others with zero "
                 "or missing hours"),
    "left_out_candidate": QT_TRANSLATE_NOOP(
        "Notes", "all %1 work results of the items behind this candidate left out: %2 with impossible hours, the "
                 "others with zero or missing hours"),
    "left_out_similar": QT_TRANSLATE_NOOP(
        "Notes", "all %1 of the similar items' work results left out: %2 with impossible hours, the others with "
                 "zero or missing hours"),
    "times_from_item_actuals": QT_TRANSLATE_NOOP("Notes", "times taken from the item's own actuals"),
    "times_from_similar_actuals": QT_TRANSLATE_NOOP("Notes", "times taken from similar items' actuals"),
    "times_from_other_similar_actuals": QT_TRANSLATE_NOOP("Notes", "times taken from the other similar items' "
                                                                   "actuals"),
    "times_from_standard": QT_TRANSLATE_NOOP("Notes", "times taken from standard times"),
    "in_candidate": QT_TRANSLATE_NOOP("Notes", "candidate %1, %2"),
    "times_from_plant_model": QT_TRANSLATE_NOOP("Notes", "times estimated from the plant's work results for items "
                                                         "of this size and material"),
    "why_similar": QT_TRANSLATE_NOOP("Notes", "%1 of %2 similar items have it"),
    "why_similar_leaf": QT_TRANSLATE_NOOP("Notes", "%1 of %2 similar items have it; %3 of %4 such items have it"),
    "why_rule": QT_TRANSLATE_NOOP("Notes", "%1; %2 of %3 such items have it"),
    "cond_eq": QT_TRANSLATE_NOOP("Notes", "%1 = %2"),
    "cond_ne": QT_TRANSLATE_NOOP("Notes", "%1 not %2"),
    "cond_gt": QT_TRANSLATE_NOOP("Notes", "%1 > %2"),
    "cond_le": QT_TRANSLATE_NOOP("Notes", "%1 ≤ %2"),
    "cond_between": QT_TRANSLATE_NOOP("Notes", "%1 %2 – %3"),
    "cond_word": QT_TRANSLATE_NOOP("Notes", "specification says %1"),
    "cond_no_word": QT_TRANSLATE_NOOP("Notes", "specification does not say %1"),
    "cond_similar": QT_TRANSLATE_NOOP("Notes", "%1 of %2 similar items have it"),
}
_GROUP_BY_LABEL = {label: key for key, label in GROUP_LABELS.items()}
# the short form of an operation's notes, for its cell in the routing table (the tooltip has the rest)
_SHORT: dict[str, str] = {
    "unusable_own": QT_TRANSLATE_NOOP("Notes", "own actuals unusable"),
    "unusable_candidate": QT_TRANSLATE_NOOP("Notes", "candidate's actuals unusable"),
    "unusable_similar": QT_TRANSLATE_NOOP("Notes", "similar actuals unusable"),
    "impossible_own": QT_TRANSLATE_NOOP("Notes", "own actuals left out: impossible hours"),
    "impossible_candidate": QT_TRANSLATE_NOOP("Notes", "candidate's actuals left out: impossible hours"),
    "impossible_similar": QT_TRANSLATE_NOOP("Notes", "similar actuals left out: impossible hours"),
    "left_out_own": QT_TRANSLATE_NOOP("Notes", "own actuals left out: impossible, zero or missing hours"),
    "left_out_candidate": QT_TRANSLATE_NOOP("Notes", "candidate's actuals left out: impossible, zero or missing hours"),
    "left_out_similar": QT_TRANSLATE_NOOP("Notes", "similar actuals left out: impossible, zero or missing hours"),
}


class Labels:
    """Translated names of groups, methods and metrics (one place, so lupdate sees them)."""

    def __init__(self) -> None:
        translate = QCoreApplication.translate
        self.groups = {
            "part_type": translate("Labels", "Part type"), "material": translate("Labels", "Material"),
            "dimensions": translate("Labels", "Dimensions"), "seal": translate("Labels", "Seal specification"),
            "classification": translate("Labels", "Classification"), "rotation": translate("Labels", "Rotation"),
            "spec_text": translate("Labels", "Specification words")}
        self.methods = {
            "model": translate("Labels", "Routing ML"),
            "knn_vote": translate("Labels", "plain kNN vote (k=15, similarity²)"),
            "nearest_item": translate("Labels", "single nearest item"),
            "part_type_mode": translate("Labels", "most frequent routing of PART_TYPE"),
            "ceiling": translate("Labels", "plant's ceiling (rule routing)")}
        # the metrics table's column headers (the full names above are their tooltips)
        self.method_headers = {
            "model": translate("Labels", "Routing ML"), "knn_vote": translate("Labels", "kNN vote (k=15)"),
            "nearest_item": translate("Labels", "nearest item"),
            "part_type_mode": translate("Labels", "part type's usual routing"),
            "ceiling": translate("Labels", "plant's ceiling")}
        self.metrics = {
            "top1_exact": translate("Labels", "top-1 exact"), "top3_hit": translate("Labels", "top-3 hit"),
            "levenshtein": translate("Labels", "sequence similarity"),
            "edit_distance": translate("Labels", "edit distance"),
            "jaccard": translate("Labels", "operation-set Jaccard"),
            "run_mdape": translate("Labels", "run MdAPE"), "run_within_25": translate("Labels", "run ±25 %"),
            "setup_mdape": translate("Labels", "setup MdAPE"), "setup_within_25": translate("Labels", "setup ±25 %"),
            "lot10_mdape": translate("Labels", "lot-10 total MdAPE"),
            "lot10_within_25": translate("Labels", "lot-10 total ±25 %")}
        self.metric_tips = {
            "top1_exact": translate("Labels", "The first candidate is exactly the routing engineers wrote"),
            "top3_hit": translate("Labels", "The routing engineers wrote is among the first three candidates"),
            "levenshtein": translate("Labels", "1 − edit distance ÷ the longer routing's operations"),
            "edit_distance": translate("Labels", "Operations to insert, delete or replace to turn the first "
                                                 "candidate into the routing engineers wrote (mean)"),
            "jaccard": translate("Labels", "Operations both have ÷ operations either has"),
        }
        # the plot's axis has room for short names only
        self.plot_metrics = dict(self.metrics, jaccard=translate("Labels", "op-set Jaccard"))
        self.presets = {"balanced": translate("Labels", "balanced"), "geometry": translate("Labels", "geometry first"),
                        "equal": translate("Labels", "all equal")}


def word(note: str) -> str:
    """A Note in the window's language; a plain string unchanged."""
    if not isinstance(note, Note):
        return str(note)
    values = [word(v) if isinstance(v, str) else str(v) for v in note.values]
    if note.key == "operation":
        return values[0] + ": " + "; ".join(values[1:])
    if note.key == "conditions":
        return ", ".join(values)
    template = _TEMPLATES.get(note.key)
    if template is None:
        return str(note)
    # one pass, so a value that itself holds "%1" is left as it is
    return re.sub(r"%(\d+)", lambda m: values[int(m[1]) - 1] if 0 < int(m[1]) <= len(values) else m[0],
                  QCoreApplication.translate("Notes", template))


def short_word(note: str) -> str:
    """An operation's note in a few words (what was unusable); the source of its times has its own
    column. Anything else as word() has it."""
    if not isinstance(note, Note) or note.key != "operation":
        return word(note)
    parts = [QCoreApplication.translate("Notes", _SHORT[v.key]) for v in note.values[1:]
             if isinstance(v, Note) and v.key in _SHORT]
    return "; ".join(parts) if parts else word(note)


def group_label(label: str) -> str:
    """An attribute group's English label (as in SimilarItem.explanation) in the window's language."""
    groups = Labels().groups   # the Training tab's names, in lower case inside a sentence
    key = _GROUP_BY_LABEL.get(label)
    return groups[key].lower() if key in groups else label


# how app.sources describe themselves (English, stored with each import) -> the window's words
_SOURCE_PATTERNS = [
    (re.compile(r"^SQLite file (.+)$"), QT_TRANSLATE_NOOP("Sources", "SQLite file %1")),
    (re.compile(r"^Access file (.+)$"), QT_TRANSLATE_NOOP("Sources", "Access file %1")),
    (re.compile(r"^folder (.+)$"), QT_TRANSLATE_NOOP("Sources", "folder %1")),
    (re.compile(r"^SQL Server (.+), database (.+) \(Windows login\)$"),
     QT_TRANSLATE_NOOP("Sources", "SQL Server %1, database %2 (Windows login)")),
    (re.compile(r"^SQL Server (.+), database (.+) \(SQL login (.+)\)$"),
     QT_TRANSLATE_NOOP("Sources", "SQL Server %1, database %2 (SQL login %3)")),
    (re.compile(r"^demo plant \(([\d,]+) items, seed (\d+)\)$"),
     QT_TRANSLATE_NOOP("Sources", "demo plant (%1 items, seed %2)")),
]


def source_text(description: str) -> str:
    """A source's description (as app.sources and the import history give it) in the window's language."""
    for pattern, template in _SOURCE_PATTERNS:
        m = pattern.match(description)
        if m:
            return re.sub(r"%(\d+)", lambda k: m[int(k[1])], QCoreApplication.translate("Sources", template))
    return description
