"""Writing the target tables to files: CSV (UTF-8 with BOM, one file per table, named after it) or
one XLSX workbook with a sheet per table.

Files are written beside their final name and renamed only when all are complete, so a failure
leaves the previous files as they were; a file another program holds open (Excel on Windows locks
what it shows) is found before anything is written.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

from app.services.export.errors import ExportError

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_SHEET_MAX = 31


class FileTargetError(ExportError):
    """A file cannot be written; the message names it and what to do."""


def _check_writable(paths: list[Path]) -> None:
    for p in paths:
        if not p.parent.exists():
            raise FileTargetError(f"folder {p.parent} does not exist", code="no_folder", path=str(p.parent))
        if p.exists():
            try:
                with open(p, "r+b"):
                    pass
            except PermissionError:
                raise FileTargetError(f"{p} cannot be replaced: it is read-only or open in another program "
                                      f"(close it in Excel and export again)", code="file_locked",
                                      path=str(p)) from None
            except OSError as exc:
                raise FileTargetError(f"{p} cannot be replaced: {exc.strerror}", code="file_not_replaced", path=str(p),
                                      why=exc.strerror or "") from None


def _replace_all(pairs: list[tuple[Path, Path]]) -> None:
    try:
        for tmp, final in pairs:
            os.replace(tmp, final)
    except OSError as exc:
        raise FileTargetError(f"{final} cannot be replaced: {exc.strerror} (close it in Excel and export "
                              f"again)", code="file_locked", path=str(final)) from None
    finally:
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)


def csv_paths(folder: Path, tables: list[str]) -> list[Path]:
    return [folder / f"{name}.csv" for name in tables]


def write_csv(folder: str | Path, tables: list[tuple[str, pl.DataFrame]],
              on_table: Callable[[int], None] | None = None) -> list[Path]:
    """One `TABLE.csv` per table in `folder` (created if missing): UTF-8 with BOM so Excel reads
    Korean right, CRLF lines, dates as YYYY-MM-DD HH:MM:SS, empty cells for NULL."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileTargetError(f"folder {folder} cannot be made: {exc.strerror}", code="folder_not_made",
                              path=str(folder), why=exc.strerror or "") from None
    finals = csv_paths(folder, [n for n, _ in tables])
    _check_writable(finals)
    pairs = []
    try:
        for n, ((name, frame), final) in enumerate(zip(tables, finals)):
            tmp = final.with_name(f".{final.name}.partial")
            pairs.append((tmp, final))
            _plain_numbers(frame).write_csv(tmp, include_bom=True, line_terminator="\r\n", datetime_format=DATETIME_FORMAT,
                            null_value="")
            if on_table:
                on_table(n + 1)
    except OSError as exc:
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)
        raise FileTargetError(f"{folder}: {exc.strerror}") from None
    except BaseException:
        for tmp, _ in pairs:
            tmp.unlink(missing_ok=True)
        raise
    _replace_all(pairs)
    return finals


def write_xlsx(path: str | Path, tables: list[tuple[str, pl.DataFrame]],
               on_rows: Callable[[int], None] | None = None) -> Path:
    """One workbook with a sheet per table (named after it), header row frozen, dates as dates,
    codes such as WC_CD kept as text."""
    from app.services.export.xlsx import write_workbook

    final = Path(path)
    if final.suffix.lower() != ".xlsx":
        final = final.with_suffix(".xlsx")
    _check_writable([final])
    tmp = final.with_name(f".{final.name}.partial")
    try:
        write_workbook(tmp, [(name[:XLSX_SHEET_MAX], frame) for name, frame in tables], on_rows)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FileTargetError(f"{final}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _replace_all([(tmp, final)])
    return final


def _plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Whole numbers of float columns without '.0' (38, not 38.0), as the ERP's own files have them."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns([pl.when(pl.col(c) == pl.col(c).round(0))
                               .then(pl.col(c).cast(pl.Int64, strict=False).cast(pl.Utf8))
                               .otherwise(pl.col(c).cast(pl.Utf8)).alias(c) for c in floats])


def as_written(value) -> str:
    """A value as the files show it (for previews)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
