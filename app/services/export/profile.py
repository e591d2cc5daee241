"""Mapping profiles: how a routing becomes rows of the ERP's tables.

A profile names its target tables in order; each table says what one of its rows stands for
(`rows`: a routing, an operation, an alternative resource of an operation, or a component consumed
at an operation) and lists every target column in the target's order. For each column:

- `source`: where the value comes from — `routing.F`, `operation.F`, `item.COL` (the item master),
  `resource.F`, `component.F`, `user.name`, `export.now` / `export.date`, `setting.NAME` (a value an
  admin sets once in the profile, such as CoCd), `identity` (the target numbers it), or nothing
  (the column takes its `default`, which makes it a constant). `A or B` takes B where A is empty.
- `transform`: steps applied in order — `{"lookup": NAME}` (a lookup table of the profile),
  `{"map": {"사내": "Y", "Q*": "Y", "*": "N"}}` (exact values or wildcards; without `*` a value
  that matches nothing is an error), `"minutes_to_hours"`, `"hours_to_minutes"`, `"upper"`.
- `type` (`text` with `length`, `int`, `number` with optional `scale`, `datetime`), `required`,
  `default`, `allowed` values, `unit` of a time (`min`, `h`, `s`, or the name of the row's column
  that states it, such as `TIME_UNIT`), and `checks`: `sequence` (unique, above zero and increasing
  within a routing) and `not_all_zero` (these columns are not all zero over a routing).

Profiles are JSON (format 1) so a site can share them; `parse_profile` refuses a malformed one
naming the table, column and what is wrong.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from app.domain.routing import Operation, RoutingError
from app.domain.schema import ITEM_COLUMNS
from app import bundle

FORMAT = 1
DEFAULT_PROFILE = "ERP"
TYPES = ("text", "int", "number", "datetime")
ROW_KINDS = ("routing", "operation", "resource", "component")
ON_MISSING = ("error", "warn", "empty", "keep")
DYNAMIC_LOOKUPS = ("plant_resources",)
SIMPLE_TRANSFORMS = ("minutes_to_hours", "hours_to_minutes", "upper")
CHECKS = ("sequence", "not_all_zero")
UNITS = ("min", "h", "s")
TIME_UNIT_CODES = {"M": "min", "H": "h", "S": "s"}   # what a TIME_UNIT column's value means

ROUTING_FIELDS = ("ITEM_CD", "ROUT_NO", "origin", "status", "revision", "designed_by", "approved_by", "note",
                  "model_version", "candidate_rank", "reference_item", "saved_at")
OPERATION_FIELDS = tuple(f.name for f in fields(Operation)) + ("position",)
RESOURCE_FIELDS = ("RES_CD", "priority", "MAIN_YN")
COMPONENT_FIELDS = ("CHILD_ITEM_CD", "CHILD_ITEM_SEQ")
USER_FIELDS = ("name", "host", "role")
EXPORT_FIELDS = ("now", "date")
FIELDS = {"routing": ROUTING_FIELDS, "operation": OPERATION_FIELDS, "item": tuple(ITEM_COLUMNS),
          "resource": RESOURCE_FIELDS, "component": COMPONENT_FIELDS, "user": USER_FIELDS,
          "export": EXPORT_FIELDS}
# which sources a row of each kind can see
VISIBLE = {"routing": {"routing", "item", "user", "export", "setting"},
           "operation": {"routing", "item", "user", "export", "setting", "operation"},
           "resource": {"routing", "item", "user", "export", "setting", "operation", "resource"},
           "component": {"routing", "item", "user", "export", "setting", "operation", "component"}}
# the unit a source's number is in
SOURCE_UNITS = {f"operation.{f}": "min" for f in ("SETUP_TIME", "RUN_TIME", "WAIT_TIME", "MOVE_TIME", "RUN_TIME_P10",
                                                 "RUN_TIME_P90", "SETUP_TIME_P10", "SETUP_TIME_P90")}


class ProfileError(RoutingError):
    """A mapping profile is malformed or missing; the message names the profile, table and column."""


@dataclass
class ColumnMap:
    """One target column: where its value comes from and what it must be."""

    name: str
    type: str = "text"
    length: int | None = None
    scale: int | None = None
    required: bool = False
    source: str = ""
    default: Any = None
    transform: list[Any] = field(default_factory=list)
    allowed: list[str] | None = None
    unit: str | None = None
    checks: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def sources(self) -> list[str]:
        """The `source` chain: `routing.ROUT_NO or setting.ROUT_NO` → both, in order."""
        return [s.strip() for s in self.source.split(" or ") if s.strip()]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        for key in ("length", "scale"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.required:
            out["required"] = True
        for key in ("source", "default", "transform", "allowed", "unit", "checks", "note"):
            value = getattr(self, key)
            if value not in (None, "", []):
                out[key] = value
        return out


@dataclass
class TableMap:
    name: str
    rows: str
    columns: list[ColumnMap]
    note: str = ""

    def column(self, name: str) -> ColumnMap | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "rows": self.rows}
        if self.note:
            out["note"] = self.note
        out["columns"] = [c.to_json() for c in self.columns]
        return out


@dataclass
class Lookup:
    """A table of key → value (work centre by resource, employee number by account), or a dynamic
    one filled from the plant's data (`source`: plant_resources)."""

    name: str
    key: str = ""
    values: dict[str, str] = field(default_factory=dict)
    on_missing: str = "error"
    source: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "key": self.key, "on_missing": self.on_missing}
        if self.source:
            out["from"] = self.source
        else:
            out["values"] = dict(self.values)
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class MappingProfile:
    name: str
    description: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    tables: list[TableMap] = field(default_factory=list)

    def table(self, name: str) -> TableMap | None:
        return next((t for t in self.tables if t.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "name": self.name, "description": self.description,
                "settings": dict(self.settings), "lookups": [lk.to_json() for lk in self.lookups.values()],
                "tables": [t.to_json() for t in self.tables]}

    def dumps(self) -> str:
        """The profile as JSON text, one column per line (readable, small diffs)."""
        data = self.to_json()
        lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(data[k], ensure_ascii=False)},"
                         for k in ("format", "name", "description", "settings")]
        lines.append('  "lookups": [')
        lines += [f"    {json.dumps(lk, ensure_ascii=False)}" + ("," if i < len(data["lookups"]) - 1 else "")
                  for i, lk in enumerate(data["lookups"])]
        lines.append("  ],")
        lines.append('  "tables": [')
        for ti, t in enumerate(data["tables"]):
            top = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in t.items()
                            if k != "columns")
            lines.append("    {" + top + ', "columns": [')
            cols = t["columns"]
            for ci, c in enumerate(cols):
                lines.append("      " + json.dumps(c, ensure_ascii=False) + ("," if ci < len(cols) - 1 else ""))
            lines.append("    ]}" + ("," if ti < len(data["tables"]) - 1 else ""))
        lines += ["  ]", "}"]
        return "\n".join(lines) + "\n"

    def copy(self, name: str | None = None) -> MappingProfile:
        other = parse_profile(self.to_json())
        if name:
            other.name = name
        return other


# ---- reading and checking -----------------------------------------------------------------------
def parse_profile(data: Any, origin: str = "profile") -> MappingProfile:
    """A MappingProfile from its JSON form; ProfileError naming `origin`, table and column if malformed."""
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: a mapping profile is a JSON object, not {type(data).__name__}")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ProfileError(f"{origin}: profile format {fmt!r} is not known to this Routing ML (it reads format "
                           f"{FORMAT}); update Routing ML")
    name = str(data.get("name") or "").strip()
    if not name:
        raise ProfileError(f"{origin}: the profile has no name")
    where = f"{origin} (profile {name})"
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise ProfileError(f"{where}: settings must be an object of NAME: value")
    lookups: dict[str, Lookup] = {}
    for raw in data.get("lookups") or []:
        lk = _parse_lookup(raw, where)
        if lk.name in lookups:
            raise ProfileError(f"{where}: lookup {lk.name} is defined twice")
        lookups[lk.name] = lk
    raw_tables = data.get("tables")
    if not isinstance(raw_tables, list) or not raw_tables:
        raise ProfileError(f"{where}: the profile names no target table")
    profile = MappingProfile(name, str(data.get("description") or ""),
                             {str(k): _setting_text(v) for k, v in settings.items()}, lookups,
                             [_parse_table(t, where) for t in raw_tables])
    check_profile(profile, origin)
    return profile


def _setting_text(value: Any) -> str:
    return "" if value is None else str(value)


def _parse_lookup(raw: Any, where: str) -> Lookup:
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        raise ProfileError(f"{where}: every lookup needs a name")
    name = str(raw["name"]).strip()
    values = raw.get("values") or {}
    if not isinstance(values, dict):
        raise ProfileError(f"{where}, lookup {name}: values must be an object of KEY: value")
    return Lookup(name, str(raw.get("key") or ""), {str(k): "" if v is None else str(v) for k, v in values.items()},
                  str(raw.get("on_missing") or "error"), str(raw.get("from") or ""), str(raw.get("note") or ""))


def _parse_table(raw: Any, where: str) -> TableMap:
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        raise ProfileError(f"{where}: every table needs a name")
    name = str(raw["name"]).strip()
    cols = raw.get("columns")
    if not isinstance(cols, list) or not cols:
        raise ProfileError(f"{where}, table {name}: no columns")
    columns = []
    known = {f.name for f in fields(ColumnMap)}
    for c in cols:
        if not isinstance(c, dict) or not str(c.get("name") or "").strip():
            raise ProfileError(f"{where}, table {name}: every column needs a name")
        unknown = set(c) - known
        if unknown:
            raise ProfileError(f"{where}, table {name}, column {c['name']}: unknown key(s) {', '.join(sorted(unknown))}")
        transform = c.get("transform") or []
        columns.append(ColumnMap(
            name=str(c["name"]).strip(), type=str(c.get("type") or "text"), length=c.get("length"),
            scale=c.get("scale"), required=bool(c.get("required", False)), source=str(c.get("source") or ""),
            default=c.get("default"), transform=transform if isinstance(transform, list) else [transform],
            allowed=c.get("allowed"), unit=c.get("unit"), checks=list(c.get("checks") or []),
            note=str(c.get("note") or "")))
    return TableMap(name, str(raw.get("rows") or ""), columns, str(raw.get("note") or ""))


def check_profile(profile: MappingProfile, origin: str = "profile") -> None:
    """Refuse a profile that cannot work, naming the table, column and the fault."""
    where = f"{origin} (profile {profile.name})" if origin != "profile" else f"profile {profile.name}"
    for lk in profile.lookups.values():
        if lk.on_missing not in ON_MISSING:
            raise ProfileError(f"{where}, lookup {lk.name}: on_missing {lk.on_missing!r} is not one of "
                               f"{', '.join(ON_MISSING)}")
        if lk.source and lk.source not in DYNAMIC_LOOKUPS:
            raise ProfileError(f"{where}, lookup {lk.name}: 'from' {lk.source!r} is not one of "
                               f"{', '.join(DYNAMIC_LOOKUPS)}")
    seen_tables = set()
    for t in profile.tables:
        if t.name in seen_tables:
            raise ProfileError(f"{where}: table {t.name} appears twice")
        seen_tables.add(t.name)
        if t.rows not in ROW_KINDS:
            raise ProfileError(f"{where}, table {t.name}: rows {t.rows!r} is not one of {', '.join(ROW_KINDS)}")
        names = [c.name for c in t.columns]
        for c in t.columns:
            at = f"{where}, table {t.name}, column {c.name}"
            if names.count(c.name) > 1:
                raise ProfileError(f"{at}: the column appears twice")
            if c.type not in TYPES:
                raise ProfileError(f"{at}: type {c.type!r} is not one of {', '.join(TYPES)}")
            if c.length is not None and (not isinstance(c.length, int) or c.length <= 0):
                raise ProfileError(f"{at}: length must be a whole number above zero, not {c.length!r}")
            if c.scale is not None and (not isinstance(c.scale, int) or c.scale < 0):
                raise ProfileError(f"{at}: scale must be a whole number ≥ 0, not {c.scale!r}")
            for src in c.sources:
                _check_source(src, t, profile, at)
            for step in c.transform:
                _check_transform(step, profile, at)
            for chk in c.checks:
                if chk not in CHECKS:
                    raise ProfileError(f"{at}: check {chk!r} is not one of {', '.join(CHECKS)}")
            if c.unit is not None and c.unit not in UNITS and c.unit not in names:
                raise ProfileError(f"{at}: unit {c.unit!r} is neither one of {', '.join(UNITS)} nor a column "
                                   f"of table {t.name}")
            if c.allowed is not None and not isinstance(c.allowed, list):
                raise ProfileError(f"{at}: allowed must be a list of values")


def _check_source(src: str, table: TableMap, profile: MappingProfile, at: str) -> None:
    if src == "identity":
        return
    ns, dot, name = src.partition(".")
    if not dot or not name:
        raise ProfileError(f"{at}: source {src!r} is not NAMESPACE.FIELD (e.g. operation.RUN_TIME, setting.CoCd)")
    if ns == "setting":
        if name not in profile.settings:
            raise ProfileError(f"{at}: source {src} names a setting the profile does not have "
                               f"(settings: {', '.join(profile.settings) or 'none'})")
    elif ns not in FIELDS:
        raise ProfileError(f"{at}: source {src!r}: {ns!r} is not one of "
                           f"{', '.join(list(FIELDS) + ['setting'])}")
    elif name not in FIELDS[ns]:
        raise ProfileError(f"{at}: source {src}: {ns} has no field {name!r} (it has {', '.join(FIELDS[ns])})")
    if ns not in VISIBLE[table.rows]:
        raise ProfileError(f"{at}: source {src} is not known for a row of table {table.name}, which stands for "
                           f"one {table.rows}")


def _check_transform(step: Any, profile: MappingProfile, at: str) -> None:
    if isinstance(step, str):
        if step not in SIMPLE_TRANSFORMS:
            raise ProfileError(f"{at}: transform {step!r} is not one of {', '.join(SIMPLE_TRANSFORMS)}, "
                               f"a lookup or a map")
        return
    if isinstance(step, dict) and set(step) == {"lookup"}:
        if step["lookup"] not in profile.lookups:
            raise ProfileError(f"{at}: lookup {step['lookup']!r} is not a lookup of the profile "
                               f"(lookups: {', '.join(profile.lookups) or 'none'})")
        return
    if isinstance(step, dict) and set(step) == {"map"} and isinstance(step["map"], dict) and step["map"]:
        return
    raise ProfileError(f"{at}: transform {json.dumps(step, ensure_ascii=False)} is not understood "
                       f"(write {{\"lookup\": NAME}}, {{\"map\": {{FROM: TO}}}} or one of "
                       f"{', '.join(SIMPLE_TRANSFORMS)})")


# ---- the one-line text forms the tab's editor shows ---------------------------------------------
def transform_text(steps: list[Any]) -> str:
    """`lookup WC_CD | map 사내=Y, 외주=N | minutes_to_hours`."""
    out = []
    for step in steps:
        if isinstance(step, str):
            out.append(step)
        elif "lookup" in step:
            out.append(f"lookup {step['lookup']}")
        else:
            out.append("map " + ", ".join(f"{k}={v}" for k, v in step["map"].items()))
    return " | ".join(out)


def parse_transform_text(text: str) -> list[Any]:
    """The inverse of transform_text; ProfileError saying how to write a step it cannot read."""
    steps: list[Any] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        word, _, rest = part.partition(" ")
        if word == "lookup" and rest.strip():
            steps.append({"lookup": rest.strip()})
        elif word == "map" and rest.strip():
            pairs = {}
            for pair in rest.split(","):
                key, eq, value = pair.partition("=")
                if not eq or not key.strip():
                    raise ProfileError(f"transform {part!r}: write map FROM=TO, FROM=TO (* matches anything)")
                pairs[key.strip()] = value.strip()
            steps.append({"map": pairs})
        elif part in SIMPLE_TRANSFORMS:
            steps.append(part)
        else:
            raise ProfileError(f"transform {part!r} is not understood: write lookup NAME, map FROM=TO, … or one of "
                               f"{', '.join(SIMPLE_TRANSFORMS)}, steps separated by |")
    return steps


# ---- files ---------------------------------------------------------------------------------------
def default_profile_path() -> Path:
    return bundle.resources_dir() / "profiles" / f"{DEFAULT_PROFILE}.json"   # looked up at each call: the self-test swaps it


def read_profile_file(path: str | Path) -> MappingProfile:
    """Read a profile JSON file (UTF-8, with or without BOM)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ProfileError(f"profile file {p}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"profile file {p} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"profile file {p} is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                           f"{exc.colno}") from None
    return parse_profile(data, f"profile file {p}")


def write_profile_file(profile: MappingProfile, path: str | Path) -> Path:
    """Write the profile as UTF-8 JSON (replacing the file at once, never half-written)."""
    import os
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_text(profile.dumps(), encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ProfileError(f"profile file {p} cannot be written: {exc.strerror}") from None
    return p


def default_profile() -> MappingProfile:
    """The shipped `ERP` profile (resources/profiles/ERP.json)."""
    return read_profile_file(default_profile_path())
