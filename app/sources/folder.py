"""A folder holding one CSV or Excel file per view, named after the view (BI_ROUTING_VIEW.csv)."""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import fastexcel
import numpy as np
import polars as pl

from app.domain.schema import REQUIRED
from app.sources.base import Source, SourceError

CSV_SUFFIX = ".csv"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
FILE_SUFFIXES = (CSV_SUFFIX, *EXCEL_SUFFIXES)
# A table's view is not known here: any column some view requires counts.
ALL_REQUIRED = frozenset(name for names in REQUIRED.values() for name in names)


def decode_csv(path: Path) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without a BOM, and the encoding it was written in.

    A UTF-8 BOM means UTF-8; otherwise strict UTF-8 is tried, then CP949 (Korean Windows,
    what Excel's plain "CSV" writes there). A file that is UTF-8 up to a broken or cut-off
    character is refused naming the line, rather than read as CP949 and garbled; so is a file
    that is not UTF-8 as a whole but holds UTF-8 text (two files joined), a UTF-16 file and one
    holding NUL bytes.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SourceError(f"Could not read {path}: {e.strerror or e}") from e
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(f"{path} is UTF-16 text (what Excel calls \"Unicode Text\"); save it from Excel "
                          f"as \"CSV UTF-8 (comma delimited)\"")
    if raw.startswith(codecs.BOM_UTF8):
        data = raw[len(codecs.BOM_UTF8):]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SourceError(_not_utf8(path, data, e, len(codecs.BOM_UTF8))) from e
        return data, "utf-8-sig"
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError as e:
        if _mostly_utf8(raw, e.start):
            # Korean text around the bad byte is UTF-8 (CP949 bytes almost never form 3-byte
            # UTF-8): a UTF-8 file that was damaged or cut, not a CP949 one to be garbled.
            raise SourceError(_not_utf8(path, raw, e, 0)) from e
        not_utf8_line = raw[:e.start].count(b"\n") + 1
    nul = raw.find(b"\0")
    if nul >= 0:   # neither UTF-8 nor CP949 text holds one: not a text file, or a damaged one
        line = raw.count(b"\n", 0, nul) + 1
        raise SourceError(f"{path} line {line}: a NUL byte (character 0), which no "
                          f"CSV file holds: the file is damaged or not a CSV file (copy or export it again)")
    utf8 = first_utf8_word(raw)
    if utf8 is not None:
        # CP949 would read such text without complaint about half the time, as other Korean
        # (고객 becomes 怨좉컼): a file of two encodings joined together, refused rather than garbled.
        utf8_line, word = utf8
        shown = word.replace("\ufeff", "") or "a byte-order mark"
        shown = shown if shown == "a byte-order mark" else f"'{shown[:20]}'"
        raise SourceError(
            f"{path} mixes two encodings: line {utf8_line} holds UTF-8 text ({shown}), line {not_utf8_line} "
            f"does not (CP949, Korean Windows?), so one of them would be garbled; files of both kinds "
            f"joined together? Save it again as one file from Excel as \"CSV UTF-8 (comma delimited)\".")
    try:
        return raw.decode("cp949").encode("utf-8"), "cp949"
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        if e.start == len(raw) - 1 and 0x81 <= raw[-1] <= 0xFE:   # a CP949 lead byte, then the end
            raise SourceError(_cut_off(path, line)) from e
        raise SourceError(
            f"{path} line {line}: the byte at offset {e.start} is neither UTF-8 nor CP949 (Korean) text. "
            f"Save the file from Excel as \"CSV UTF-8 (comma delimited)\".") from e


def first_utf8_word(raw: bytes) -> tuple[int, str] | None:
    """The line (1-based) and text of the first word of `raw` that is well-formed UTF-8 holding a
    character of three bytes or more (Hangul, a byte-order mark), or None. A word is a run of
    non-ASCII bytes between ASCII ones; CP949 Korean practically never forms one (its Hangul
    makes at most 2-byte UTF-8), so in a file that is not UTF-8 as a whole it was joined from a
    UTF-8 file. Read a chunk at a time, so a large file needs little more memory."""
    start, lines_before = 0, 0
    while start < len(raw):
        end = raw.rfind(b"\n", start, start + _CHUNK) + 1 if start + _CHUNK < len(raw) else len(raw)
        if end <= start:                 # a line longer than a chunk
            found = raw.find(b"\n", start + _CHUNK)
            end = len(raw) if found < 0 else found + 1
        text = raw[start:end].decode("utf-8", errors="replace")
        if any("\ufffd" not in word and _WIDE.search(word) for word in _ASCII.split(text)):
            for word in _NON_ASCII.finditer(text):
                if "\ufffd" not in word[0] and _WIDE.search(word[0]):
                    return lines_before + text.count("\n", 0, word.start()) + 1, word[0]
        lines_before += raw.count(b"\n", start, end)
        start = end
    return None


_ASCII = re.compile("[\x00-\x7f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]+")
_WIDE = re.compile("[\u0800-\ufffc]")


def _mostly_utf8(raw: bytes, bad: int, around: int = 100_000) -> bool:
    """Whether the text around byte `bad` holds more well-formed 3-byte UTF-8 characters (Hangul,
    CJK) than bytes that are not UTF-8."""
    text = raw[max(0, bad - around):bad + around].decode("utf-8", errors="replace")
    return len(_WIDE.findall(text)) > text.count("\ufffd")


def _not_utf8(path: Path, data: bytes, e: UnicodeDecodeError, skipped: int) -> str:
    line = data[:e.start].count(b"\n") + 1
    if e.reason == "unexpected end of data":
        return _cut_off(path, line)
    return (f"{path} line {line}: the byte at offset {e.start + skipped} is not UTF-8 text in a file that "
            f"is UTF-8 around it (a damaged file? copy or export it again)")


def _cut_off(path: Path, line: int) -> str:
    return (f"{path} line {line}: the file ends in the middle of a character, so it was cut off "
            f"(copy or export it again)")


def strip_inner_boms(data: bytes) -> tuple[bytes, int, int]:
    """`data` without byte-order marks inside it (files joined together leave them at the start
    of a line, where they would become part of a code); how many there were and the first's line."""
    first = data.find(codecs.BOM_UTF8)
    if first < 0:
        return data, 0, 0
    return (data.replace(codecs.BOM_UTF8, b""), data.count(codecs.BOM_UTF8),
            data[:first].count(b"\n") + 1)


def _separator(data: bytes) -> str:
    """Comma unless the header line clearly uses semicolons or tabs (Excel in some locales)."""
    header = data.split(b"\n", 1)[0]
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


_QUOTE = ord('"')
_NEWLINE = ord("\n")
_CR = ord("\r")
_CHUNK = 1 << 24     # bytes checked at a time, so a 600 MB file needs little memory


class Records(NamedTuple):
    """How CSV text splits into records (see record_lines)."""

    lines: np.ndarray              # the file line each record starts on (the header is record 0)
    fields: np.ndarray             # its number of fields
    blank: np.ndarray              # whether it holds nothing but spaces
    unclosed_line: int | None      # the line of a quote never closed
    lone_cr_line: int | None       # the line of the first carriage return outside quotes not before a line feed
    stray_quote: tuple[int, int, bool, int] | None   # (line, field index, after a closed quote, line
    #                     the quote's cell starts on) of the first quote that neither opens a cell nor ends one


def record_lines(data: bytes, separator: str) -> Records:
    """How the CSV text splits into records, the way polars reads it (RFC 4180 quotes).

    A quote opens a quoted cell only at the start of a cell and closes it only before a separator,
    a line break, another quote (a doubled quote) or the end; anywhere else (an inch mark in an
    unquoted cell, an undoubled quote inside a quoted one) it is a stray quote, after which polars
    and Excel read the rest of the file differently: the first is reported, and what follows it
    is not reliable. A carriage return outside quotes that is not part of a line break is reported
    too (Excel ends a row there, polars does not); one as the file's last byte (a CRLF file cut
    between the two) is not.
    """
    sep = ord(separator)
    lines: list[np.ndarray] = []
    fields: list[np.ndarray] = []
    blanks: list[np.ndarray] = []
    parity = 0              # 1 when the previous chunk ended inside a quoted cell
    open_fields = 0         # separators seen so far in the record still open
    open_start, open_line = 0, 1
    lines_before = 0        # line breaks (quoted or not) before the chunk
    unclosed_line = None
    lone_cr_line = None
    stray = None
    buffer = np.frombuffer(data, dtype=np.uint8)
    # where a quote may open a cell (after these bytes) and where one may close it (before them)
    boundary = np.zeros(256, dtype=bool)
    boundary[[sep, _NEWLINE, _CR, _QUOTE]] = True
    for offset in range(0, len(buffer), _CHUNK):
        chunk = buffer[offset:offset + _CHUNK]
        quotes = chunk == _QUOTE
        inside = ((np.cumsum(quotes, dtype=np.uint8) + parity) & 1).astype(bool)
        newline_at = np.flatnonzero(chunk == _NEWLINE)
        ends = newline_at[~inside[newline_at]]
        seps = np.flatnonzero((chunk == sep) & ~inside)
        if stray is None:
            stray = _stray_quote(buffer, offset, quotes, inside, boundary)
            if stray is not None:
                at, after_close = stray
                record_ends = ends[ends < at]
                if len(record_ends):
                    start = int(record_ends[-1]) + 1
                    field = int(np.searchsorted(seps, at) - np.searchsorted(seps, start))
                else:
                    field = open_fields + int(np.searchsorted(seps, at))
                line = lines_before + int(np.searchsorted(newline_at, at)) + 1
                # the cell the quote is in starts after the last separator or record end before it:
                # a quoted cell opened lines earlier (a cell that merely starts with a quote) is
                # named where it opens, not where it happens to close
                marks = [int(x[-1]) + 1 for x in (seps[seps < at], record_ends) if len(x)]
                cell = max(marks) if marks else (0 if offset == 0 else None)
                opened = line if cell is None else lines_before + int(np.searchsorted(newline_at, cell)) + 1
                stray = (line, field, after_close, opened)
        if len(ends):
            before = np.searchsorted(seps, ends)          # separators before each record end
            counts = np.diff(before, prepend=0)
            counts[0] += open_fields
            next_starts = ends + 1
            next_lines = lines_before + np.searchsorted(newline_at, next_starts) + 1
            fields.append(counts + 1)
            blanks.append(_blank(data, np.concatenate(([open_start], next_starts[:-1] + offset)), ends + offset))
            lines.append(np.concatenate(([open_line], next_lines[:-1])))
            open_fields = len(seps) - int(before[-1])
            open_start, open_line = int(next_starts[-1]) + offset, int(next_lines[-1])
        else:
            open_fields += len(seps)
        if lone_cr_line is None:
            crs = np.flatnonzero((chunk == _CR) & ~inside) + offset
            crs = crs[crs + 1 < len(buffer)]
            lone = crs[buffer[crs + 1] != _NEWLINE]
            if len(lone):
                lone_cr_line = lines_before + int(np.searchsorted(newline_at, lone[0] - offset)) + 1
        opening = np.flatnonzero(quotes & inside)
        if len(opening):
            unclosed_line = lines_before + int(np.searchsorted(newline_at, opening[-1])) + 1
        parity = int(inside[-1])
        lines_before += len(newline_at)
    if open_start < len(buffer):      # the last record has no line break after it
        fields.append(np.array([open_fields + 1]))
        blanks.append(_blank(data, np.array([open_start]), np.array([len(buffer)])))
        lines.append(np.array([open_line]))
    empty = np.zeros(0, dtype=np.int64)
    return Records(np.concatenate(lines) if lines else empty, np.concatenate(fields) if fields else empty,
                   np.concatenate(blanks) if blanks else empty.astype(bool), unclosed_line if parity else None,
                   lone_cr_line, stray)


def _stray_quote(buffer: np.ndarray, offset: int, quotes: np.ndarray, inside: np.ndarray,
                 boundary: np.ndarray) -> tuple[int, bool] | None:
    """The first quote of the chunk at `offset` that neither opens a cell at its start nor closes
    one before a boundary: (its position in the chunk, whether it follows a closed quoted cell)."""
    at = np.flatnonzero(quotes) + offset
    if not len(at):
        return None
    opens = inside[at - offset]
    before = buffer[np.maximum(at - 1, 0)]
    after = buffer[np.minimum(at + 1, len(buffer) - 1)]
    bad_open = opens & (at > 0) & ~boundary[before]
    bad_close = ~opens & (at + 1 < len(buffer)) & ~boundary[after]
    bad = np.flatnonzero(bad_open | bad_close)
    if not len(bad):
        return None
    first = int(bad[0])
    # an opening quote is named where it stands; a closing one is followed by text of the same cell
    return int(at[first]) - offset + (0 if opens[first] else 1), not bool(opens[first])


def _blank(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Records holding nothing but spaces (or a lone carriage return): blank lines."""
    out = np.zeros(len(starts), dtype=bool)
    for i in np.flatnonzero((ends - starts) <= 64):
        out[i] = not data[starts[i]:ends[i]].strip()
    return out


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
            self._load(table)
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
                separator = _separator(data)
                if not header_only:
                    data = self._checked_csv(table, path, data, separator)
                frame = pl.read_csv(io.BytesIO(data), infer_schema=False, separator=separator,
                                    n_rows=0 if header_only else None, raise_if_empty=False)
                renamed = any("_duplicated_" in name for name in frame.columns)
                header = _header(data, separator) if renamed else frame.columns
            else:
                frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0, drop_empty_rows=False,
                                      raise_if_empty=False,
                                      read_options={"n_rows": 0} if header_only else None)
                renamed = any(re.fullmatch(r"(.+)_\d+", name) and re.fullmatch(r"(.+)_\d+", name)[1]
                              in frame.columns for name in frame.columns)
                header = _excel_header(path) if renamed else frame.columns
        except (pl.exceptions.PolarsError, fastexcel.FastExcelError, OSError, ValueError) as e:
            first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise SourceError(f"Could not read {path}: {first_line}") from e
        self._note_repeated_names(table, path, header)
        if renamed and not header_only:
            self._refuse_differing_copies(table, path, header, frame)
        return _strip_header(frame)

    def _checked_csv(self, table: str, path: Path, data: bytes, separator: str) -> bytes:
        """`data` without stray byte-order marks, after checking every record has the header's
        number of fields (polars would pad a short one silently)."""
        data, boms, first = strip_inner_boms(data)
        if boms:
            self._note(table, f"{path}: {boms} byte-order mark{'s' if boms > 1 else ''} inside the file "
                              f"(first on line {first}) removed; files joined together leave them")
        if data.endswith(b"\r"):
            data = data[:-1]     # a Windows file cut between CR and LF: its data is complete
        nul = data.find(b"\0")
        if nul >= 0:
            # No text file holds one; a file whose copy was cut short by a crash often ends in them.
            line = data.count(b"\n", 0, nul) + 1
            raise SourceError(f"{path} line {line}{_column_at(data, nul, separator)}: "
                              f"a NUL byte (character 0), which no text file holds, so the file is damaged; "
                              f"copy or export it again")
        records = record_lines(data, separator)
        lines, fields, blank = records.lines, records.fields, records.blank
        if records.stray_quote is not None:
            line, field, after_close, opened = records.stray_quote
            names = _header(data, separator)
            column = f", column {names[field]}" if field < len(names) else ""
            where = f"{path} line {line}{column}"
            if after_close and opened != line:
                raise SourceError(f"{path} line {opened}{column}: a quoted cell starts here and runs on to line "
                                  f"{line}, where text follows its closing quote (a cell that starts with a quote "
                                  f"must end with one; a quote inside it must be doubled: \"SHAFT 2\"\" SUS\", "
                                  f"as Excel saves it)")
            if after_close:
                raise SourceError(f"{where}: a quoted cell goes on after its closing quote (a quote inside "
                                  f"a quoted cell must be doubled: \"SHAFT 2\"\" SUS\", as Excel saves it)")
            raise SourceError(f"{where}: a quote inside a cell that does not start with one (an inch "
                              f"mark?); put the cell in quotes and double the quote: \"SHAFT 2\"\" SUS\", "
                              f"as Excel saves it")
        if records.unclosed_line is not None:
            raise SourceError(f"{path} line {records.unclosed_line}: a quoted cell starts here and is never "
                              f"closed (the file was cut off, or a quote inside a cell is not doubled)")
        if records.lone_cr_line is not None:
            if b"\n" not in data:
                raise SourceError(f"{path} has old Mac line ends (a carriage return alone ends each line); "
                                  f"save it again from Excel as \"CSV UTF-8 (comma delimited)\", or with "
                                  f"Windows (CRLF) line ends from a text editor")
            raise SourceError(f"{path} line {records.lone_cr_line}: a carriage return inside an unquoted cell "
                              f"(Excel would start a new row there; quote the cell or remove it)")
        if len(fields):
            wanted = int(fields[0])
            wrong = np.flatnonzero((fields != wanted) & ~blank)
            wrong = wrong[wrong > 0]
            if len(wrong):
                i = int(wrong[0])
                header = _header(data, separator)[:wanted]
                raise SourceError(_wrong_fields(path, int(lines[i]), int(fields[i]), header, len(wrong) - 1))
        self._line_numbers[table] = lines[1:].tolist()
        return data

    def _refuse_differing_copies(self, table: str, path: Path, header: list[str], frame: pl.DataFrame) -> None:
        """A required column given twice must say the same thing twice: otherwise which copy is
        right is a guess (a renamed header such as PartNm → PART_TYPE), so the file is refused."""
        if len(header) != frame.width:
            return
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(header):
            if name.strip() in ALL_REQUIRED:
                positions.setdefault(name.strip(), []).append(position)
        def cells(position: int) -> pl.Series:
            return frame.to_series(position).cast(pl.String).str.strip_chars().fill_null("")

        for name, where in positions.items():
            first = cells(where[0])
            for other in where[1:]:
                differ = (first != cells(other)).arg_true()
                if len(differ):
                    row = int(differ[0])
                    raise SourceError(
                        f"{path} {self.row_label(table, row)}: the required column {name} appears in columns "
                        f"{where[0] + 1} and {other + 1} with different values ('{first[row]}' and "
                        f"'{cells(other)[row]}'); rename or remove the wrong one")

    def _note_repeated_names(self, table: str, path: Path, header: list[str]) -> None:
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(header, start=1):
            positions.setdefault(name.strip(), []).append(position)
        for name, where in positions.items():
            if len(where) > 1 and name:
                self._note(table, f"{path}: the column {name} appears {len(where)} times (columns "
                                  f"{', '.join(map(str, where))}); only the first is read")


def _header(data: bytes, separator: str) -> list[str]:
    """The column names as written in the file's first record."""
    text = data[:1 << 20].decode("utf-8", errors="replace")
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])


def _column_at(data: bytes, offset: int, separator: str) -> str:
    """", column NAME" for the cell holding byte `offset`, or "" where that is not certain (its line
    does not start a record: it is inside a quoted cell that began on a line before)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    if line_start == 0 or data.count(b'"', 0, line_start) % 2:
        return ""
    field, quoted = 0, False
    for byte in data[line_start:offset]:
        if byte == _QUOTE:
            quoted = not quoted
        elif byte == ord(separator) and not quoted:
            field += 1
    names = _header(data, separator)
    return f", column {names[field]}" if field < len(names) else ""


def _excel_header(path: Path) -> list[str]:
    try:
        frame = pl.read_excel(path, sheet_id=1, has_header=False, infer_schema_length=0,
                              read_options={"n_rows": 1}, raise_if_empty=False)
    except (pl.exceptions.PolarsError, fastexcel.FastExcelError, OSError, ValueError):
        return []
    return ["" if v is None else str(v) for v in (frame.row(0) if frame.height else [])]


def _wrong_fields(path: Path, line: int, count: int, header: list[str], more: int) -> str:
    wanted = len(header)
    if count < wanted:
        text = (f"{path} line {line}, column {header[count]}: the line ends after {count} of the header's "
                f"{wanted} columns (a line break inside an unquoted cell, or a file cut off?)")
    else:
        text = (f"{path} line {line}, after column {header[-1]}: the line has {count} values where the "
                f"header has {wanted} columns (a separator inside an unquoted cell?)")
    if more:
        text += f"; {more} more line{'s' if more > 1 else ''} like it"
    return text
