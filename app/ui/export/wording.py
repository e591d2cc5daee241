"""Export problems, refusals and skipped items in the window's language.

The export services give each problem and refusal a `code` and its particulars (`params`); the
English `reason`/message they also carry is for the command line. Here each code has a template
translated through the catalogue (context "ExportWording"); `{name}` marks a particular. A code
this module does not know is shown in the services' English, never dropped.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.services.export.rows import Problem
from app.services.export.selection import SavedFilter, Selection, Skipped

CONTEXT = "ExportWording"

# one cell or routing: {value} is the cell's value as shown (quoted text, a number or "(empty)")
PROBLEMS: dict[str, str] = {
    "no_operations": QT_TRANSLATE_NOOP("ExportWording", "the routing has no operations"),
    "not_a_number_of": QT_TRANSLATE_NOOP("ExportWording", "{value} is not a number of {unit}"),
    "not_in_lookup": QT_TRANSLATE_NOOP("ExportWording", "{value} is not in lookup {lookup}"),
    "not_in_lookup_written_empty": QT_TRANSLATE_NOOP("ExportWording",
                                                     "{value} is not in lookup {lookup}; written empty"),
    "no_mapping": QT_TRANSLATE_NOOP("ExportWording", "{value} has no mapping ({mapping})"),
    "too_long": QT_TRANSLATE_NOOP("ExportWording", "{value} is longer than the {length} characters the column holds"),
    "too_long_bytes": QT_TRANSLATE_NOOP(
        "ExportWording", "{value} is longer than the {length} bytes the column holds (a Korean letter takes two)"),
    "not_a_datetime": QT_TRANSLATE_NOOP("ExportWording",
                                        "{value} is not a date and time (write YYYY-MM-DD HH:MM:SS)"),
    "not_a_whole_number": QT_TRANSLATE_NOOP("ExportWording", "{value} is not a whole number"),
    "not_a_number": QT_TRANSLATE_NOOP("ExportWording", "{value} is not a number"),
    "number_does_not_fit": QT_TRANSLATE_NOOP("ExportWording",
                                             "{value} is not a number that fits NUMERIC({precision},{scale})"),
    "required_empty": QT_TRANSLATE_NOOP("ExportWording", "required, but empty (from {sources})"),
    "required_empty_no_source": QT_TRANSLATE_NOOP("ExportWording", "required, but it has no source and no default"),
    "not_allowed": QT_TRANSLATE_NOOP("ExportWording", "{value} is not one of {allowed}"),
    "negative_time": QT_TRANSLATE_NOOP("ExportWording", "{value} is a negative time"),
    "wrong_unit": QT_TRANSLATE_NOOP("ExportWording", "holds {unit} but the column is in {column_unit}"),
    "unit_column_disagrees": QT_TRANSLATE_NOOP("ExportWording", "holds {unit} but {unit_column} says {value}"),
    "sequence_not_above_zero": QT_TRANSLATE_NOOP("ExportWording", "{value} must be above zero"),
    "sequence_twice": QT_TRANSLATE_NOOP("ExportWording", "{value} appears twice in this routing"),
    "sequence_not_increasing": QT_TRANSLATE_NOOP("ExportWording",
                                                 "{value} does not increase (the operation before has {prev})"),
    "all_times_zero": QT_TRANSLATE_NOOP("ExportWording", "every {columns} of this routing is zero"),
    "already_in_target": QT_TRANSLATE_NOOP(
        "ExportWording", "already in {tables} of {target}; choose Replace to overwrite it"),
    "routing_twice": QT_TRANSLATE_NOOP(
        "ExportWording", "{value} is in the selection already (row {first_row}) with the same ROUT_NO; the target "
                         "would hold the routing twice: export it once"),
    "xlsx_control_character": QT_TRANSLATE_NOOP(
        "ExportWording", "holds the control character {character}, which an XLSX file cannot hold; remove it, "
                         "or export as CSV or into a database"),
    "xlsx_cell_too_long": QT_TRANSLATE_NOOP(
        "ExportWording", "holds {length} characters; a spreadsheet cell holds at most {limit}; shorten it, or "
                         "export as CSV or into a database"),
}

# a refusal of the whole export (ExportError.code)
REFUSALS: dict[str, str] = {
    "nothing_to_export": QT_TRANSLATE_NOOP("ExportWording", "Nothing to export: {selection} holds no routing."),
    "all_invalid_one": QT_TRANSLATE_NOOP("ExportWording", "Export refused: the routing is invalid — {problems}"),
    "all_invalid": QT_TRANSLATE_NOOP("ExportWording", "Export refused: all {routings} routings are invalid — {problems}"),
    "some_invalid": QT_TRANSLATE_NOOP(
        "ExportWording", "Export refused: {invalid} of {routings} routings are invalid — {problems}. Export only the "
                         "valid ones, or fix these."),
    "no_rows": QT_TRANSLATE_NOOP("ExportWording",
                                 "Export refused: the selection gives no row for any table of profile {profile}."),
    "no_folder": QT_TRANSLATE_NOOP("ExportWording", "The folder {path} does not exist."),
    "folder_not_made": QT_TRANSLATE_NOOP("ExportWording", "The folder {path} cannot be made: {why}"),
    "file_locked": QT_TRANSLATE_NOOP(
        "ExportWording", "{path} cannot be replaced: it is read-only or open in another program (close it in Excel "
                         "and export again). Nothing was written."),
    "file_not_replaced": QT_TRANSLATE_NOOP("ExportWording", "{path} cannot be replaced: {why}. Nothing was written."),
    "xlsx_too_many_rows": QT_TRANSLATE_NOOP(
        "ExportWording", "Export refused: table {table} has {rows} rows, more than the {limit} a spreadsheet sheet "
                         "holds below its header. Export as CSV or into a database, or export fewer routings."),
    "no_database": QT_TRANSLATE_NOOP(
        "ExportWording", "{target} does not exist: choose an existing database, or let Routing ML make staging tables "
                         "of the profile's layout in a new file (create tables)."),
    "no_connection": QT_TRANSLATE_NOOP("ExportWording", "Cannot connect to {target}: {said}. Nothing was written."),
    "commit_unknown": QT_TRANSLATE_NOOP(
        "ExportWording", "The connection to {target} failed while committing ({said}): whether the export arrived is "
                         "unknown. Look for the routings in the target before exporting again."),
    "rolled_back": QT_TRANSLATE_NOOP(
        "ExportWording", "Writing to {target} failed: {said}. The transaction was rolled back; nothing of this export "
                         "was written."),
    "rolled_back_lost": QT_TRANSLATE_NOOP(
        "ExportWording", "The connection to {target} was lost while writing: {said}. The transaction was rolled back; "
                         "nothing of this export was written."),
    "no_table": QT_TRANSLATE_NOOP("ExportWording", "{target} has no table {table} (tables there: {tables})."),
    "no_column": QT_TRANSLATE_NOOP("ExportWording",
                                   "{target}: table {table} has no column {column}, which profile {profile} fills."),
    "columns_not_filled": QT_TRANSLATE_NOOP(
        "ExportWording", "{target}: table {table} needs a value in {columns}, which profile {profile} does not fill."),
}

# why an item never became a routing (Skipped.code)
SKIPS: dict[str, str] = {
    "not_predicted": QT_TRANSLATE_NOOP("ExportWording", "not predicted: {message}"),
    "no_candidate": QT_TRANSLATE_NOOP("ExportWording", "no candidate routing ({why})"),
    "no_candidate_no_similar": QT_TRANSLATE_NOOP("ExportWording", "no candidate routing (no similar item has a routing)"),
    "no_such_candidate": QT_TRANSLATE_NOOP(
        "ExportWording", "candidate {rank} does not exist (the prediction has {candidates})"),
}

OTHER = {
    "empty": QT_TRANSLATE_NOOP("ExportWording", "(empty)"),
    "min": QT_TRANSLATE_NOOP("ExportWording", "minutes"),
    "h": QT_TRANSLATE_NOOP("ExportWording", "hours"),
    "s": QT_TRANSLATE_NOOP("ExportWording", "seconds"),
    "or": QT_TRANSLATE_NOOP("ExportWording", " or "),
    "and": QT_TRANSLATE_NOOP("ExportWording", " and "),
    "plant": QT_TRANSLATE_NOOP("ExportWording", "{lookup} (the plant's resources)"),
    "routing": QT_TRANSLATE_NOOP("ExportWording", "routing {routing}"),
    "in_row": QT_TRANSLATE_NOOP("ExportWording", "{cell} in row {row}"),
    "more": QT_TRANSLATE_NOOP("ExportWording", "(and {count} more)"),
    "editor": QT_TRANSLATE_NOOP("ExportWording", "the routing of {item} in the editor"),
    "batch": QT_TRANSLATE_NOOP("ExportWording", "a batch prediction of {items} item(s) (model {model})"),
    "saved": QT_TRANSLATE_NOOP("ExportWording", "saved routings"),
    "saved_filtered": QT_TRANSLATE_NOOP("ExportWording", "saved routings ({filter})"),
    "approved": QT_TRANSLATE_NOOP("ExportWording", "approved"),
    "status": QT_TRANSLATE_NOOP("ExportWording", "status {statuses}"),
    "since": QT_TRANSLATE_NOOP("ExportWording", "saved since {date}"),
    "until": QT_TRANSLATE_NOOP("ExportWording", "saved until {date}"),
    "by": QT_TRANSLATE_NOOP("ExportWording", "saved by {user}"),
    "the_selection": QT_TRANSLATE_NOOP("ExportWording", "the selection"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def fill(template: str, **params: Any) -> str:
    """The translated `template` with each `{name}` replaced by its particular."""
    out = tr(template)
    for name, value in params.items():
        out = out.replace("{" + name + "}", _text(value))
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


def shown_value(value: str) -> str:
    """A cell's value as a problem names it: '(empty)', a number as it is, text in quotes."""
    if value is None or value == "":
        return tr(OTHER["empty"])
    try:
        float(value)
    except ValueError:
        return f"'{value}'"
    return value


def unit(code: str) -> str:
    return tr(OTHER[code]) if code in OTHER else code


def problem_reason(code: str, params: dict[str, Any], value: str, english: str) -> str:
    """Why one cell (or routing) is bad, in the window's language; `english` when the code is unknown."""
    p = dict(params)
    if code == "too_long" and p.get("bytes"):
        code = "too_long_bytes"
    elif code == "required_empty":
        sources = [str(s) for s in p.get("sources") or []]
        if not sources:
            return tr(PROBLEMS["required_empty_no_source"])
        p["sources"] = tr(OTHER["or"]).join(sources)
    elif code in ("not_in_lookup", "not_in_lookup_written_empty") and p.get("plant"):
        p["lookup"] = fill(OTHER["plant"], lookup=p.get("lookup", ""))
    elif code == "all_times_zero":
        p["columns"] = tr(OTHER["and"]).join(str(c) for c in p.get("columns") or [])
    for key in ("unit", "column_unit"):
        if key in p:
            p[key] = unit(str(p[key]))
    p.pop("bytes", None)
    p.pop("plant", None)
    template = PROBLEMS.get(code)
    if template is None:
        return english
    return fill(template, value=shown_value(value), **p)


def problem_text(p: Problem) -> str:
    """A Problem's reason, worded (as the problems list shows it)."""
    return problem_reason(p.code, p.args, p.value, p.reason)


def describe_problem(p: Problem) -> str:
    """Routing, table.column and reason of a Problem (as a refusal lists it)."""
    where = fill(OTHER["routing"], routing=f"{p.ITEM_CD}/{p.ROUT_NO}" if p.ROUT_NO else p.ITEM_CD)
    cell = _cell(p)
    return f"{where}, {cell}: {problem_text(p)}" if cell else f"{where}: {problem_text(p)}"


def _cell(p: Problem) -> str:
    """`TABLE.COLUMN` and the row (from 1, as the preview counts), in the window's language."""
    if not p.table:
        return ""
    where = f"{p.table}.{p.column}" if p.column else p.table
    return fill(OTHER["in_row"], cell=where, row=p.row + 1) if p.row >= 0 else where


def _problems_line(problems: list[Problem], more: int) -> str:
    text = "; ".join(describe_problem(p) for p in problems)
    return text + (" " + fill(OTHER["more"], count=more) if more > 0 else "")


def selection_text(s: Selection | None) -> str:
    """What a selection holds, as its description says it."""
    if s is None:
        return tr(OTHER["the_selection"])
    if s.kind == "editor":
        return fill(OTHER["editor"], item=s.params.get("item", ""))
    if s.kind == "batch":
        return fill(OTHER["batch"], items=s.params.get("items", 0), model=s.params.get("model", ""))
    if s.kind == "saved":
        return saved_filter_text(s.params.get("filter") or SavedFilter())
    return s.description or tr(OTHER["the_selection"])


def saved_filter_text(f: SavedFilter) -> str:
    parts = []
    if f.approved_only:
        parts.append(tr(OTHER["approved"]))
    elif f.statuses:
        parts.append(fill(OTHER["status"], statuses="/".join(f.statuses)))
    if f.since:
        parts.append(fill(OTHER["since"], date=f"{f.since:%Y-%m-%d}"))
    if f.until:
        parts.append(fill(OTHER["until"], date=f"{f.until:%Y-%m-%d}"))
    if f.saved_by:
        parts.append(fill(OTHER["by"], user=f.saved_by))
    return fill(OTHER["saved_filtered"], filter=", ".join(parts)) if parts else tr(OTHER["saved"])


def skipped_text(s: Skipped) -> str:
    """Why an item or routing was left out, in the window's language."""
    if s.problems:
        return _problems_line_short(s.problems, s.more)
    if s.code == "no_candidate" and not s.params.get("why"):
        return tr(SKIPS["no_candidate_no_similar"])
    template = SKIPS.get(s.code)
    return fill(template, **s.params) if template else s.reason


def _problems_line_short(problems: list[Problem], more: int) -> str:
    parts = [(f"{_cell(p)}: " if p.column else "") + problem_text(p) for p in problems]
    return "; ".join(parts) + (" " + fill(OTHER["more"], count=more) if more > 0 else "")


def error_text(exc: BaseException) -> str:
    """An export's refusal or failure in the window's language (the English message when its code is unknown)."""
    code = getattr(exc, "code", "")
    params = dict(getattr(exc, "params", {}) or {})
    if code in ("all_invalid", "some_invalid"):
        params["problems"] = _problems_line(params.pop("first", []), params.pop("more", 0))
        if code == "all_invalid" and params.get("routings") == 1:
            code = "all_invalid_one"
    elif code == "nothing_to_export":
        sel = params.pop("selection", None)
        text = fill(REFUSALS[code], selection=selection_text(sel))
        skipped = sel.skipped if sel is not None else []
        if skipped:
            shown = "; ".join(f"{s.ITEM_CD}: {skipped_text(s)}" for s in skipped[:3])
            more = len(skipped) - 3
            text += f" ({shown}" + (" " + fill(OTHER["more"], count=more) if more > 0 else "") + ")"
        return text
    elif code == "rolled_back" and params.get("lost"):
        code = "rolled_back_lost"
    params.pop("lost", None)
    template = REFUSALS.get(code)
    if template is None:
        from app.domain.routing import RoutingError
        return str(exc) if isinstance(exc, RoutingError) else f"{type(exc).__name__}: {exc}"
    return fill(template, **params)
