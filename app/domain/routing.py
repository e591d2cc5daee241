"""Plain dataclasses for routings, candidates and predictions. No project imports."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TIME_SOURCES = ("item_actuals", "similar_actuals", "standard")

# English wording of each Note key; {0}, {1}… are its values. The window has its own translations
# (app/ui/wording.py); the command line, JSON and the log use these.
NOTE_ENGLISH = {
    "same_part_type": "same part type {0}",
    "same_material": "same material {0}",
    "similar_dimensions": "similar dimensions",
    "similar_dimensions_od": "similar dimensions (OD {0} mm)",
    "spec_words": "specification words {0}",
    "similar_seal": "similar seal specification",
    "similar_classification": "similar classification",
    "similar_rotation": "similar rotation",
    "no_known_attribute": "{0}: no attribute of this item is known to the model; nothing to compare",
    "below_threshold": "{0}: no similar item reaches the similarity threshold {1}",
    "unusable_own": "all {0} of the item's own work results are unusable (zero or missing hours)",
    "unusable_candidate": "all {0} work results of the items behind this candidate are unusable (zero or missing "
                          "hours)",
    "unusable_similar": "all {0} of the similar items' work results are unusable (zero or missing hours)",
    # work results whose hours no shop can book (app.ml.model.impossible_hours_lazy), all or some of them
    "impossible_own": "all {0} of the item's own work results left out: impossible hours (negative, infinite, "
                      "over a year for one order, or far outside the operation's range in the plant)",
    "impossible_candidate": "all {0} work results of the items behind this candidate left out: impossible hours "
                            "(negative, infinite, over a year for one order, or far outside the operation's range "
                            "in the plant)",
    "impossible_similar": "all {0} of the similar items' work results left out: impossible hours (negative, "
                          "infinite, over a year for one order, or far outside the operation's range in the plant)",
    "left_out_own": "all {0} of the item's own work results left out: {1} with impossible hours, the others with "
                    "zero or missing hours",
    "left_out_candidate": "all {0} work results of the items behind this candidate left out: {1} with impossible "
                          "hours, the others with zero or missing hours",
    "left_out_similar": "all {0} of the similar items' work results left out: {1} with impossible hours, the "
                        "others with zero or missing hours",
    "times_from_item_actuals": "times taken from the item's own actuals",
    "times_from_similar_actuals": "times taken from similar items' actuals",
    "times_from_other_similar_actuals": "times taken from the other similar items' actuals",
    "times_from_standard": "times taken from standard times",
    "in_candidate": "candidate {0}, {1}",
    "times_from_plant_model": "times estimated from the plant's work results for items of this size and material",
    # why an operation is proposed (Operation.REASON)
    "why_similar": "{0} of {1} similar items have it",
    "why_similar_leaf": "{0} of {1} similar items have it; {2} of {3} such items have it",
    "why_rule": "{0}; {1} of {2} such items have it",
    "cond_eq": "{0} = {1}",
    "cond_ne": "{0} not {1}",
    "cond_gt": "{0} > {1}",
    "cond_le": "{0} ≤ {1}",
    "cond_between": "{0} {1} – {2}",
    "cond_word": "specification says {0}",
    "cond_no_word": "specification does not say {0}",
    "cond_similar": "{0} of {1} similar items have it",
    # "conditions": its values joined by ", "
    # "operation": the job code, then its notes joined by "; "
}


class Note(str):
    """A message that is its English text (so it prints, joins and serialises as a string) and also
    keeps its key and values, so the window can word it in the user's language."""

    key: str
    values: tuple

    def __new__(cls, key: str, *values: Any) -> Note:
        if key == "operation":
            text = f"{values[0]}: " + "; ".join(str(v) for v in values[1:])
        elif key == "conditions":
            text = ", ".join(str(v) for v in values)
        else:
            text = NOTE_ENGLISH[key].format(*values)
        self = super().__new__(cls, text)
        self.key, self.values = key, tuple(values)
        return self

    def __getnewargs__(self) -> tuple:  # copy/deepcopy (dataclasses.asdict) rebuild it from its parts
        return (self.key, *self.values)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "values": [v.to_json() if isinstance(v, Note) else v for v in self.values]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(data["key"], *(cls.from_json(v) if isinstance(v, dict) else v for v in data["values"]))


@dataclass
class Operation:
    """One operation of a routing; times in minutes, RUN_TIME per piece."""

    PROC_SEQ: int
    JOB_CD: str
    JOB_NM: str = ""
    RES_CD: str = ""
    INSIDE_FLAG: str = "사내"
    SETUP_TIME: float = 0.0
    RUN_TIME: float = 0.0
    RUN_TIME_P10: float = 0.0
    RUN_TIME_P90: float = 0.0
    WAIT_TIME: float = 0.0
    MOVE_TIME: float = 0.0
    TIME_UNIT: str = "M"
    SAMPLE_COUNT: int = 0
    TIME_SOURCE: str = "standard"
    SETUP_TIME_P10: float = 0.0
    SETUP_TIME_P90: float = 0.0
    BP_CD: str = ""
    ROUT_ORDER: str = ""
    WARNING: str = ""
    REASON: str = ""            # why the model proposes this operation (a Note)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SimilarItem:
    ITEM_CD: str
    similarity: float
    ITEM_NM: str = ""
    PART_TYPE: str = ""
    # attribute group -> share of the similarity it contributed (sums to about 1)
    explanation: dict[str, float] = field(default_factory=dict)
    matching: list[str] = field(default_factory=list)  # plain words: "same PART_TYPE", ...


@dataclass
class Candidate:
    rank: int
    score: float
    support_items: list[str]
    operations: list[Operation]
    outsourced_count: int = 0
    # not any similar item's routing as it is, but the routing of the items in `based_on` with the
    # operations the learned rules add or drop (support_items is then empty)
    repaired: bool = False
    based_on: list[str] = field(default_factory=list)


@dataclass
class Prediction:
    ITEM_CD: str
    similar_items: list[SimilarItem]
    candidates: list[Candidate]
    warnings: list[str] = field(default_factory=list)


@dataclass
class PredictionBatch:
    model_version: str
    predictions: list[Prediction]
    errors: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "predictions": [
                {
                    "ITEM_CD": p.ITEM_CD,
                    "similar_items": [
                        {"ITEM_CD": s.ITEM_CD, "similarity": round(s.similarity, 4),
                         "ITEM_NM": s.ITEM_NM, "PART_TYPE": s.PART_TYPE,
                         "explanation": {k: round(v, 3) for k, v in s.explanation.items()},
                         "matching": s.matching}
                        for s in p.similar_items
                    ],
                    "candidates": [
                        {"rank": c.rank, "score": round(c.score, 4), "support_items": c.support_items,
                         **({"repaired": True, "based_on": c.based_on} if c.repaired else {}),
                         "operations": [o.to_json() for o in c.operations]}
                        for c in p.candidates
                    ],
                    "warnings": p.warnings,
                }
                for p in self.predictions
            ],
            "errors": self.errors,
        }


class RoutingError(Exception):
    """An error a user can act on; its message names the file, view, column or item."""
