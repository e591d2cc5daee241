"""Item attributes → unit vectors whose dot product is the similarity of two items.

Fixes the earlier system's defects (DOMAIN.md §4):
- every attribute block is scaled to unit length FIRST and weighted AFTER, so the weights act
  (weights before standardisation cancel out);
- categories are one-hot, never ordinal codes;
- numbers are robustly scaled (log, median, IQR) and spread over a few overlapping Gaussian
  bins, so nearby sizes are similar and far sizes are not; a missing value has its own indicator;
- free text contributes only its recurring words (COATING, 래핑, PLATING …), chosen by document
  frequency; near-unique strings (PartNm, DRAW_NO, the rest of ITEM_SPEC) are left out — the
  README's ablation measures that choice.

The vector of a group g is multiplied by sqrt(w_g / blocks in g), so the cosine of two items
is the weight-averaged similarity of their attribute blocks.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

# attribute group -> (categorical columns, numeric columns, text columns)
GROUPS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "part_type": (["PART_TYPE"], [], []),
    "material": (["ITEM_MATERIAL", "RAW_MATL_KIND"], [], []),
    "dimensions": ([], ["OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS"], []),
    "seal": (["SealTypeGrup", "IN_SEALTYPE_CD", "MID_SEALTYPE_CD", "OUT_SEALTYPE_CD"],
             ["IN_SEALSIZE", "MID_SEALSIZE", "OUT_SEALSIZE"], []),
    "classification": (["ITEM_ACCT", "ITEM_TYPE", "ITEM_GRP1", "STANDARD_YN", "GROUP1", "GROUP2",
                        "GROUP3", "ITEM_SUFFIX"], [], []),
    "rotation": (["ROTATE_CLOCKWISE", "ROTATE_CTRCLOCKWISE"], [], []),
    "spec_text": ([], [], ["ITEM_SPEC", "ADDITIONAL_SPEC"]),
}
GROUP_LABELS = {
    "part_type": "part type", "material": "material", "dimensions": "dimensions",
    "seal": "seal specification", "classification": "classification", "rotation": "rotation",
    "spec_text": "specification words",
}

WEIGHT_PRESETS: dict[str, dict[str, float]] = {
    # measured on the demo plant (README, "Choosing the weights")
    "balanced": {"part_type": 3.0, "material": 2.0, "dimensions": 2.0, "seal": 0.5,
                 "classification": 1.5, "rotation": 0.2, "spec_text": 2.0},
    "geometry": {"part_type": 2.0, "material": 1.0, "dimensions": 4.0, "seal": 1.0,
                 "classification": 0.5, "rotation": 0.2, "spec_text": 1.0},
    "equal": {g: 1.0 for g in GROUPS},
}
DEFAULT_WEIGHTS = WEIGHT_PRESETS["balanced"]

TOKEN_RE = re.compile(r"[A-Z가-힣][A-Z가-힣]+")
N_BINS = 9
BIN_CENTRES = np.linspace(-2.5, 2.5, N_BINS)
BIN_WIDTH = float(BIN_CENTRES[1] - BIN_CENTRES[0])


@dataclass
class EncoderParams:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    max_levels: int = 40          # per categorical column; rarer levels share "other"
    min_level_count: int = 3
    max_tokens: int = 150         # recurring specification words kept (README, "Free text")
    min_token_share: float = 0.001
    max_token_share: float = 0.5
    # free-text columns whose recurring words are used; PartNm and DRAW_NO are near-unique and
    # measured to add nothing (README, "Free text"), so they are left out by default
    text_columns: list[str] = field(default_factory=lambda: ["ITEM_SPEC", "ADDITIONAL_SPEC"])

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                for k, v in self.__dict__.items()}


def tokens_of(text: str | None) -> set[str]:
    return set(TOKEN_RE.findall(text.upper())) if text else set()


@dataclass
class FeatureEncoder:
    """Fitted on the item master; turns item rows into unit vectors (float32)."""

    params: EncoderParams
    levels: dict[str, list[str]] = field(default_factory=dict)       # categorical column -> levels
    numeric_stats: dict[str, tuple[float, float]] = field(default_factory=dict)  # median, scale of log1p
    vocabulary: list[str] = field(default_factory=list)
    idf: list[float] = field(default_factory=list)
    # group -> (start, end) columns in the vector
    slices: dict[str, tuple[int, int]] = field(default_factory=dict)
    dim: int = 0
    _lookups: dict[str, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)
    _few: dict[str, Any] | None = field(default=None, repr=False, compare=False)   # see _few_layout

    # ---- fitting -------------------------------------------------------------------------
    @classmethod
    def fit(cls, items: pl.DataFrame, params: EncoderParams | None = None) -> FeatureEncoder:
        params = params or EncoderParams()
        enc = cls(params)
        n = max(items.height, 1)
        for group, (cats, nums, texts) in GROUPS.items():
            for col in cats:
                counts = (items.select(pl.col(col).cast(pl.Utf8)).drop_nulls()
                          .group_by(col).len().sort(["len", col], descending=[True, False]))
                kept = counts.filter(pl.col("len") >= params.min_level_count).head(params.max_levels)
                enc.levels[col] = kept[col].to_list()
            for col in nums:
                vals = np.log1p(np.clip(items[col].cast(pl.Float64).drop_nulls().to_numpy(), 0, None))
                if vals.size == 0:
                    enc.numeric_stats[col] = (0.0, 1.0)
                    continue
                q25, q50, q75 = np.percentile(vals, [25, 50, 75])
                enc.numeric_stats[col] = (float(q50), float(max(q75 - q25, 1e-3)))
            if texts:
                docs = _text_column(items, params.text_columns)
                df_counts: dict[str, int] = {}
                for doc in docs:
                    for tok in tokens_of(doc):
                        df_counts[tok] = df_counts.get(tok, 0) + 1
                lo, hi = params.min_token_share * n, params.max_token_share * n
                ranked = sorted(((c, t) for t, c in df_counts.items() if lo <= c <= hi), key=lambda x: (-x[0], x[1]))
                enc.vocabulary = [t for _, t in ranked[: params.max_tokens]]
                enc.idf = [math.log(n / df_counts[t]) + 1.0 for t in enc.vocabulary]
        start = 0
        for group, (cats, nums, texts) in GROUPS.items():
            width = sum(len(enc.levels[c]) + 1 for c in cats) + len(nums) * (N_BINS + 1)
            width += len(enc.vocabulary) if texts else 0
            enc.slices[group] = (start, start + width)
            start += width
        enc.dim = start
        return enc

    # ---- encoding ------------------------------------------------------------------------
    def encode(self, items: pl.DataFrame, weights: dict[str, float] | None = None) -> np.ndarray:
        """Rows of `items` → (n, dim) float32, each row unit length (zero if nothing is known)."""
        weights = weights or self.params.weights
        n = items.height
        if n <= FEW_ROWS:
            return self._encode_few(items, weights)
        out = np.zeros((n, self.dim), dtype=np.float32)
        for group, (cats, nums, texts) in GROUPS.items():
            w = float(weights.get(group, 0.0))
            if w <= 0:
                continue
            start, end = self.slices[group]
            block = out[:, start:end]
            col = 0
            for c in cats:
                levels = self.levels[c]
                idx = self.category_codes(items, c)
                rows = np.nonzero(idx >= 0)[0]
                block[rows, col + idx[rows]] = 1.0
                col += len(levels) + 1
            for c in nums:
                med, scale = self.numeric_stats[c]
                raw = items[c].cast(pl.Float64).to_numpy() if c in items.columns else np.full(n, np.nan)
                bins, missing = _soft_bins(raw, med, scale)
                block[:, col:col + N_BINS] = bins
                block[missing, col + N_BINS] = 1.0
                col += N_BINS + 1
            if texts and self.vocabulary:
                lookup = {t: i for i, t in enumerate(self.vocabulary)}
                idf = np.asarray(self.idf, dtype=np.float32)
                for r, doc in enumerate(_text_column(items, self.params.text_columns)):
                    for tok in tokens_of(doc):
                        j = lookup.get(tok)
                        if j is not None:
                            block[r, col + j] = idf[j]
                col += len(self.vocabulary)
            # scale each attribute block to unit length first, then weight the group
            _normalise_blocks(block, self._block_bounds(group))
            n_blocks = len(cats) + len(nums) + (1 if texts else 0)
            block *= math.sqrt(w / max(n_blocks, 1))
        # row norms without a temporary copy of the whole matrix (np.linalg.norm squares it first:
        # another 280 MB at 300,000 items, at training's peak)
        norms = np.sqrt(np.einsum("ij,ij->i", out, out))[:, None]
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _encode_few(self, items: pl.DataFrame, weights: dict[str, float]) -> np.ndarray:
        """encode for a prediction's few rows: their values read once as Python lists, all numeric
        columns in one set of array operations. The arithmetic is encode's, element by element, so
        the vectors are the same to the bit: a one-hot block is left as it is (its length is 1), the
        rest are scaled by the same numpy reductions over the same elements."""
        n = items.height
        present = set(items.columns)
        out = np.zeros((n, self.dim), dtype=np.float32)
        lay = self._few_layout()
        groups = [g for g in GROUPS if float(weights.get(g, 0.0)) > 0]
        for g in groups:
            for c, start, lookup, unknown in lay["cats"][g]:
                values = _few_texts(items, c, present)
                if values is None:
                    continue
                for r, v in enumerate(values):
                    if v is not None:
                        out[r, start + lookup.get(v, unknown)] = 1.0
        nums = [x for g in groups for x in lay["nums"][g]]
        if nums:
            raw = np.empty((n, len(nums)), dtype=np.float64)
            for j, (c, _start, _med, _scale) in enumerate(nums):
                raw[:, j] = _few_numbers(items, c, present, n)
            med = np.array([x[2] for x in nums], dtype=np.float64)
            scale = np.array([x[3] for x in nums], dtype=np.float64)
            bins, missing = _soft_bins(raw, med, scale)     # every numeric column at once
            blocks = np.zeros((n, len(nums), N_BINS + 1), dtype=np.float32)
            blocks[:, :, :N_BINS] = bins
            blocks[:, :, N_BINS][missing] = 1.0
            norms = np.linalg.norm(blocks, axis=-1, keepdims=True)
            np.divide(blocks, norms, out=blocks, where=norms > 0)
            for j, (_c, start, _med, _scale) in enumerate(nums):
                out[:, start:start + N_BINS + 1] = blocks[:, j]
        if lay["text"] is not None and lay["text"][0] in groups:
            _g, start, lookup, idf = lay["text"]
            for r, doc in enumerate(_text_column(items, self.params.text_columns)):
                for tok in tokens_of(doc):
                    j = lookup.get(tok)
                    if j is not None:
                        out[r, start + j] = idf[j]
            _normalise_blocks(out, [(start, start + len(lookup))])
        for g in groups:
            cats, nums_g, texts = GROUPS[g]
            s, e = self.slices[g]
            out[:, s:e] *= math.sqrt(float(weights[g]) / max(len(cats) + len(nums_g) + (1 if texts else 0), 1))
        norms = np.sqrt(np.einsum("ij,ij->i", out, out))[:, None]
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _few_layout(self) -> dict[str, Any]:
        """Where each column's block starts in the vector, and the lookups of _encode_few (kept)."""
        lay = self._few
        if lay is None:
            lay = {"cats": {}, "nums": {}, "text": None}
            for g, (cats, nums, texts) in GROUPS.items():
                col = self.slices[g][0]
                lay["cats"][g] = []
                for c in cats:
                    levels = self.levels[c]
                    lay["cats"][g].append((c, col, {v: i for i, v in enumerate(levels)}, len(levels)))
                    col += len(levels) + 1
                lay["nums"][g] = []
                for c in nums:
                    lay["nums"][g].append((c, col, *self.numeric_stats[c]))
                    col += N_BINS + 1
                if texts and self.vocabulary:
                    lay["text"] = (g, col, {t: i for i, t in enumerate(self.vocabulary)},
                                   np.asarray(self.idf, dtype=np.float32))
            # the columns of `attributes`, in attribute_names' order
            attr: dict[str, Any] = {"cats": [], "nums": [], "text": None}
            col = 0
            for cats, nums, texts in GROUPS.values():
                for c in cats:
                    levels = self.levels[c]
                    if levels:
                        attr["cats"].append((c, col, {v: i for i, v in enumerate(levels)}))
                    col += len(levels)
                for c in nums:
                    attr["nums"].append((c, col))
                    col += 1
                if texts and self.vocabulary:
                    attr["text"] = (col, {t: i for i, t in enumerate(self.vocabulary)})
                    col += len(self.vocabulary)
            attr["width"] = col
            lay["attributes"] = attr
            self._few = lay
        return lay

    def category_codes(self, items: pl.DataFrame, c: str) -> np.ndarray:
        """Each row's level of categorical column c: its index in self.levels[c], len(levels) for a
        level the encoder does not know, -1 when missing. A prediction's rows are looked up
        in Python: polars' per-call cost would be most of the prediction's time."""
        levels = self.levels[c]
        if c not in items.columns:
            return np.full(items.height, -1, dtype=np.int64)
        if items.height <= 1024:
            lookup = self._lookups.get(c)
            if lookup is None:
                lookup = self._lookups[c] = {v: i for i, v in enumerate(levels)}
            unknown = len(levels)
            col = items[c]
            values = col.to_list() if col.dtype == pl.Utf8 else col.cast(pl.Utf8).to_list()
            return np.array([-1 if v is None else lookup.get(v, unknown) for v in values], dtype=np.int64)
        return (items[c].cast(pl.Utf8).replace_strict({v: i for i, v in enumerate(levels)}, default=len(levels),
                                                      return_dtype=pl.Int64).fill_null(-1).to_numpy())

    # ---- plain attributes, for the learned rules and time models --------------------------
    def attribute_names(self) -> list[tuple[str, str, str]]:
        """What each column of `attributes` holds: ("cat", column, level) 0/1, ("num", column, "")
        the number itself (NaN when missing), ("word", "spec", word) 0/1."""
        names: list[tuple[str, str, str]] = []
        for cats, nums, texts in GROUPS.values():
            names += [("cat", c, lv) for c in cats for lv in self.levels[c]]
            names += [("num", c, "") for c in nums]
            if texts:
                names += [("word", "spec", w) for w in self.vocabulary]
        return names

    def attributes(self, items: pl.DataFrame) -> np.ndarray:
        """Rows of `items` as plain attributes (float32, columns as `attribute_names`): readable
        thresholds for decision trees ("OUTDIAMETER > 200", "STANDARD_YN = N", "word COATING")."""
        n = items.height
        if n <= FEW_ROWS:
            return self._attributes_few(items)
        names = self.attribute_names()
        out = np.zeros((n, len(names)), dtype=np.float32)
        col = 0
        for cats, nums, texts in GROUPS.values():
            for c in cats:
                levels = self.levels[c]
                if levels and c in items.columns:
                    idx = self.category_codes(items, c)
                    rows = np.nonzero((idx >= 0) & (idx < len(levels)))[0]
                    out[rows, col + idx[rows]] = 1.0
                col += len(levels)
            for c in nums:
                out[:, col] = (items[c].cast(pl.Float64).to_numpy() if c in items.columns else np.nan)
                col += 1
            if texts and self.vocabulary:
                lookup = {t: i for i, t in enumerate(self.vocabulary)}
                for r, doc in enumerate(_text_column(items, self.params.text_columns)):
                    for tok in tokens_of(doc):
                        j = lookup.get(tok)
                        if j is not None:
                            out[r, col + j] = 1.0
                col += len(self.vocabulary)
        return out

    def _attributes_few(self, items: pl.DataFrame) -> np.ndarray:
        """attributes for a prediction's few rows, their values read once as Python lists."""
        n = items.height
        present = set(items.columns)
        lay = self._few_layout()["attributes"]
        out = np.zeros((n, lay["width"]), dtype=np.float32)
        for c, col, lookup in lay["cats"]:
            values = _few_texts(items, c, present)
            for r, v in enumerate(values or ()):
                j = lookup.get(v) if v is not None else None
                if j is not None:
                    out[r, col + j] = 1.0
        for c, col in lay["nums"]:
            out[:, col] = _few_numbers(items, c, present, n)
        if lay["text"] is not None:
            col, lookup = lay["text"]
            for r, doc in enumerate(_text_column(items, self.params.text_columns)):
                for tok in tokens_of(doc):
                    j = lookup.get(tok)
                    if j is not None:
                        out[r, col + j] = 1.0
        return out

    def _block_bounds(self, group: str) -> list[tuple[int, int]]:
        cats, nums, texts = GROUPS[group]
        bounds, col = [], 0
        for c in cats:
            bounds.append((col, col + len(self.levels[c]) + 1))
            col += len(self.levels[c]) + 1
        for _ in nums:
            bounds.append((col, col + N_BINS + 1))
            col += N_BINS + 1
        if texts:
            bounds.append((col, col + len(self.vocabulary)))
        return bounds

    def group_contributions(self, q: np.ndarray, X: np.ndarray) -> dict[str, np.ndarray]:
        """Per group, the part of each row's cosine with q that the group contributed."""
        return {g: X[:, s:e] @ q[s:e] for g, (s, e) in self.slices.items()}

    # ---- persistence (JSON, never pickle) -------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"params": self.params.to_json(), "levels": self.levels,
                "numeric_stats": {k: list(v) for k, v in self.numeric_stats.items()},
                "vocabulary": self.vocabulary, "idf": self.idf,
                "slices": {k: list(v) for k, v in self.slices.items()}, "dim": self.dim}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureEncoder:
        return cls(params=EncoderParams(**data["params"]), levels=data["levels"],
                   numeric_stats={k: tuple(v) for k, v in data["numeric_stats"].items()},
                   vocabulary=data["vocabulary"], idf=data["idf"],
                   slices={k: tuple(v) for k, v in data["slices"].items()}, dim=data["dim"])


def to_list_in_slices(values: pl.Series, size: int = 40_000) -> list:
    """values.to_list(), a slice at a time: one call over 300,000 strings holds the GIL for
    ~80 ms, long enough to freeze the window's GUI thread while training runs beside it."""
    out: list = []
    for start in range(0, len(values), size):
        out.extend(values.slice(start, size).to_list())
    return out


# Rows encoded one value at a time (a prediction's item, or a few): polars' and numpy's cost per call
# (~34 polars calls and ~150 numpy calls for one item) was most of encoding's time.
FEW_ROWS = 16


def _soft_bins(raw: np.ndarray, med, scale) -> tuple[np.ndarray, np.ndarray]:
    """Numbers (any shape; `med` and `scale` broadcast over its last axis) as N_BINS soft bins of
    their standardised log1p, each unit length on a new last axis, zero where the number is missing;
    and where it is missing."""
    missing = np.isnan(raw)
    z = (np.log1p(np.clip(np.nan_to_num(raw, nan=0.0), 0, None)) - med) / scale
    z = np.clip(z, -3.0, 3.0)
    bins = np.exp(-0.5 * ((z[..., None] - BIN_CENTRES) / BIN_WIDTH) ** 2)
    bins /= np.linalg.norm(bins, axis=-1, keepdims=True)
    bins[missing] = 0.0
    return bins, missing


def _few_texts(items: pl.DataFrame, c: str, present: set[str]) -> list | None:
    """Column c of a few rows as text, as encode reads a categorical column; None when absent."""
    if c not in present:
        return None
    s = items.get_column(c)
    return s.to_list() if s.dtype == pl.String else s.cast(pl.Utf8).to_list()


def _few_numbers(items: pl.DataFrame, c: str, present: set[str], n: int) -> np.ndarray:
    """Column c of a few rows as float64, NaN for a missing value or column."""
    if c not in present:
        return np.full(n, np.nan)
    s = items.get_column(c)
    if s.dtype != pl.Float64:
        s = s.cast(pl.Float64)
    return np.array(s.to_list(), dtype=np.float64)


def _text_column(items: pl.DataFrame, cols: list[str]) -> list[str]:
    present = [c for c in cols if c in items.columns]
    if not present:
        return [""] * items.height
    if items.height <= 1024:   # a prediction: polars' per-call cost would dominate
        columns = [items[c].to_list() for c in present]
        return [" ".join(v or "" for v in row) for row in zip(*columns)]
    return to_list_in_slices(items.select(pl.concat_str([pl.col(c).fill_null("") for c in present],
                                                        separator=" ").alias("t"))["t"])


def _normalise_blocks(block: np.ndarray, bounds: list[tuple[int, int]]) -> None:
    for s, e in bounds:
        part = block[:, s:e]
        norms = np.linalg.norm(part, axis=1, keepdims=True)
        np.divide(part, norms, out=part, where=norms > 0)
