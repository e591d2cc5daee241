"""A folder holding one CSV or Excel file per view, named after the view (BI_ROUTING_VIEW.csv)."""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import fastexcel
import polars as pl

from app.sources.base import Source, SourceError

CSV_SUFFIX = ".csv"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
FILE_SUFFIXES = (CSV_SUFFIX, *EXCEL_SUFFIXES)


def decode_csv(path: Path) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without a BOM, and the encoding it was written in.

    A UTF-8 BOM means UTF-8; otherwise strict UTF-8 is tried, then CP949 (Korean Windows,
    what Excel's plain "CSV" writes there).
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SourceError(f"Could not read {path}: {e.strerror or e}") from e
    if raw.startswith(codecs.BOM_UTF8):
        data = raw[len(codecs.BOM_UTF8):]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SourceError(f"{path} starts with the UTF-8 mark but is not UTF-8 text (bad byte "
                              f"at offset {e.start + len(codecs.BOM_UTF8)}).") from e
        return data, "utf-8-sig"
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp949").encode("utf-8"), "cp949"
    except UnicodeDecodeError as e:
        raise SourceError(
            f"{path} is neither UTF-8 nor CP949 (Korean) text (the byte at offset {e.start} fits "
            f"neither). Save it from Excel as \"CSV UTF-8 (comma delimited)\".") from e


def _separator(data: bytes) -> str:
    """Comma unless the header line clearly uses semicolons or tabs (Excel in some locales)."""
    header = data.split(b"\n", 1)[0]
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _strip_header(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop spaces around column names, which Excel users leave easily, unless that collides."""
    stripped = [name.strip() for name in frame.columns]
    if stripped != frame.columns and len(set(stripped)) == len(stripped):
        return frame.rename(dict(zip(frame.columns, stripped)))
    return frame


class FolderSource(Source):
    """Each `<table>.csv` or `<table>.xlsx` in the folder is a table; every cell is read as text,
    so codes like "00123" stay intact."""

    counts_cheaply = False

    def __init__(self, folder: Path):
        super().__init__()
        self._folder = folder.resolve()
        self._files: dict[str, list[Path]] = {}
        for path in sorted(self._folder.iterdir()):
            # "~$name.xlsx" is the lock file Excel keeps beside an open workbook.
            wanted = path.suffix.lower() in FILE_SUFFIXES and not path.name.startswith("~$")
            if wanted and path.is_file():
                self._files.setdefault(path.stem, []).append(path)
        if not self._files:
            raise SourceError(f"The folder {self._folder} holds no .csv or .xlsx files; it should "
                              f"hold one file per view, e.g. BI_ROUTING_VIEW.csv.")
        self._line_numbers: dict[str, list[int]] = {}

    def describe(self) -> str:
        return f"folder {self._folder}"

    def list_tables(self) -> list[str]:
        return list(self._files)

    def location(self, table: str) -> str:
        return str(self._file(table))

    def row_label(self, table: str, index: int) -> str:
        path = self._file(table)
        if path.suffix.lower() != CSV_SUFFIX:
            return f"data row {index + 1} (sheet row {index + 2})"
        if table not in self._line_numbers:
            try:
                self._line_numbers[table] = self._record_lines(path)
            except csv.Error:  # e.g. a cell beyond the csv module's size limit
                self._line_numbers[table] = []
        lines = self._line_numbers[table]
        return f"line {lines[index]}" if index < len(lines) else f"data row {index + 1}"

    def columns(self, table: str) -> list[str]:
        return self._load(table, header_only=True).columns

    def row_count(self, table: str) -> int:
        return self._load(table).height

    def _batches(self, table: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        yield self._load(table).select(columns)

    def _file(self, table: str) -> Path:
        paths = self._files.get(table)
        if not paths:
            raise SourceError(f"The folder {self._folder} has no file for {table} "
                              f"(looked for {table}.csv and {table}.xlsx).")
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            raise SourceError(f"The folder {self._folder} holds {names}; keep only one file for "
                              f"{table}.")
        return paths[0]

    def _load(self, table: str, header_only: bool = False) -> pl.DataFrame:
        path = self._file(table)
        try:
            if path.suffix.lower() == CSV_SUFFIX:
                data, _ = decode_csv(path)
                frame = pl.read_csv(io.BytesIO(data), infer_schema=False, separator=_separator(data),
                                    n_rows=0 if header_only else None, raise_if_empty=False)
            else:
                frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0, drop_empty_rows=False,
                                      raise_if_empty=False,
                                      read_options={"n_rows": 0} if header_only else None)
        except (pl.exceptions.PolarsError, fastexcel.FastExcelError, OSError, ValueError) as e:
            first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise SourceError(f"Could not read {path}: {first_line}") from e
        return _strip_header(frame)

    def _record_lines(self, path: Path) -> list[int]:
        """The file line on which each data record starts (quoted cells may span lines)."""
        data, _ = decode_csv(path)
        text = data.decode("utf-8")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(data))
        starts = []
        next(reader, None)  # header
        while True:
            start = reader.line_num + 1
            if next(reader, None) is None:
                return starts
            starts.append(start)
