"""An Access .mdb/.accdb file read through ODBC: Microsoft's driver on Windows, MDBTools elsewhere.

MDBTools' ODBC driver (1.0) has quirks this module works around. Seen with the sample files
(and covered by the tests):
- SQLTables ignores its table-type filter, so tables are filtered here;
- saved Access queries cannot be run, so only tables are offered and a query gets a clear error;
- Single columns come back as garbage (0.05 as 5e-315: a 4-byte float written where an 8-byte
  double is expected), so Single, and likewise text, BOOL and Currency, are read as the raw
  bytes the driver writes and decoded here;
- 16-bit Integer columns come back unsigned (-32768 as 32768: 2 bytes written into a 4-byte
  int), and the driver refuses to hand them over as raw bytes, so only the low bytes are kept;
- a "Binary" column with data crashes the process, so such columns are never selected;
- a file path with non-ASCII characters, ';' or braces is garbled, so the file is reached
  through a symlink with a plain name;
- asked for more rows after reporting the end, it starts over from the first row, so reading
  stops at the first short batch;
- a catalog call fails after a query or another catalog call on the same connection, or with
  output converters installed, so each catalog call gets a fresh plain connection;
- COUNT(*) comes back as text; parameters are not supported (no query here uses them).
Read from the driver's source, not seen in the samples: long text loses a byte at every 4 KB
chunk boundary and BOOL is written as a 4-byte int into pyodbc's 1-byte buffer; the raw-byte
decoding above avoids both.
"""
from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from app.sources.base import (BATCH_ROWS, ProgressReporter, Source, SourceError, bracket,
                              dtype_for, frame_from_rows)

ACCESS_SUFFIXES = (".mdb", ".accdb")
WINDOWS_DRIVER = "Microsoft Access Driver (*.mdb, *.accdb)"
MDBTOOLS_DRIVER = "MDBTools"

# Column types as MDBTools' catalog names them, read into these polars types.
_MDBTOOLS_TYPES: dict[str, pl.DataType] = {
    "TEXT": pl.String(), "MEMO": pl.String(), "REPID": pl.String(),
    "BYTE": pl.Int64(), "INT": pl.Int64(), "LONGINT": pl.Int64(),
    "FLOAT": pl.Float64(), "DOUBLE": pl.Float64(), "MONEY": pl.Float64(), "NUMERIC": pl.Float64(),
    "DATETIME": pl.Datetime("us"), "BOOL": pl.Boolean(), "OLE": pl.Binary(),
}
_MDBTOOLS_UNREADABLE = "BINARY"
# SQLSTATEs of a driver that is registered but cannot be loaded ("Can't open lib ...").
_DRIVER_NOT_LOADED = {"01000", "IM002", "IM003"}
# MDBTools fills only the low bytes of the int it returns for these (see the module docstring).
_MDBTOOLS_LOW_BYTES: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "INT": lambda x: ((x & 0xFFFF) ^ 0x8000) - 0x8000,  # signed 16 bits
    "BYTE": lambda x: x & 0xFF,                         # unsigned 8 bits
}


def access_driver(platform: str = sys.platform) -> str:
    return WINDOWS_DRIVER if platform == "win32" else MDBTOOLS_DRIVER


_EXPORT_HINT = ("Or export the three views from Access as Excel (.xlsx) or CSV files into one folder "
                "and import that folder instead.")


def _missing_driver_message(path: Path, driver: str, office_32bit: bool = False) -> str:
    if driver == WINDOWS_DRIVER and office_32bit:
        return (f"Cannot open the Access file {path}: this PC has 32-bit Office, whose Access "
                f"driver 64-bit Routing ML cannot use, and Microsoft's 64-bit \"Access Database "
                f"Engine\" refuses to install next to 32-bit Office. Export the three views from "
                f"Access as Excel (.xlsx) or CSV files into one folder and import that folder "
                f"instead, or ask IT for a PC with 64-bit Office.")
    if driver == WINDOWS_DRIVER:
        how = ("Install Microsoft's \"Access Database Engine 2016 Redistributable\" (the 64-bit "
               "AccessDatabaseEngine_X64.exe, for 64-bit Routing ML). " + _EXPORT_HINT)
    else:
        how = "Install it with: sudo apt-get install unixodbc odbc-mdbtools. " + _EXPORT_HINT
    return (f"Cannot open the Access file {path}: the ODBC driver \"{driver}\" is not installed "
            f"or cannot be loaded. {how}")


def office_is_32bit() -> bool:
    """Whether this Windows PC has 32-bit Office (Click-to-Run or MSI), read from the registry.

    Its Access driver is 32-bit and invisible to 64-bit Python; False off Windows or when unsure.
    """
    if sys.platform != "win32":
        return False
    import winreg
    probes = ((r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration", "Platform", "x86"),
              (r"SOFTWARE\WOW6432Node\ODBC\ODBCINST.INI\ODBC Drivers", WINDOWS_DRIVER, None))
    for key_path, value_name, expected in probes:
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key_path) as key:
                value, _ = winreg.QueryValueEx(key, value_name)
        except OSError:
            continue
        if expected is None or str(value).lower() == expected:
            return True
    return False


def _import_pyodbc(path: Path, driver: str) -> Any:
    try:
        import pyodbc
    except ImportError as e:  # pyodbc loads libodbc, which unixODBC provides
        raise SourceError(_missing_driver_message(path, driver) + f" ({e})") from e
    return pyodbc


def _float32_text(value: float) -> float:
    # The shortest decimal that is this float32: 0.01 rather than 0.009999999776482582,
    # which is what Access shows and what the user typed.
    return float(str(np.float32(value)))


def _decode_float(raw: bytes) -> float:
    if len(raw) == 4:
        return _float32_text(struct.unpack("<f", raw)[0])
    return struct.unpack("<d", raw[:8])[0]


def _decode_bit(raw: bytes) -> bool:
    return raw[0] != 0


def _decode_text(raw: bytes) -> str:
    return raw.decode("utf-8")


def _decode_decimal(raw: bytes) -> float:
    return float(raw.decode("ascii"))


def mdbtools_converters(pyodbc: Any) -> dict[int, Callable[[bytes], Any]]:
    """SQL type → decoder of the raw bytes MDBTools writes for it.

    pyodbc hands an output converter exactly the bytes the driver reported, read in chunks
    without assuming a terminating NUL, which sidesteps every buffer-size mistake above.
    """
    return {
        pyodbc.SQL_CHAR: _decode_text,
        pyodbc.SQL_VARCHAR: _decode_text,
        pyodbc.SQL_LONGVARCHAR: _decode_text,
        pyodbc.SQL_REAL: _decode_float,
        pyodbc.SQL_FLOAT: _decode_float,
        pyodbc.SQL_BIT: _decode_bit,
        pyodbc.SQL_DECIMAL: _decode_decimal,
        pyodbc.SQL_NUMERIC: _decode_decimal,
    }


class AccessSource(Source):
    """The tables of an Access file, and its saved select queries where Microsoft's driver runs
    them (MDBTools cannot, so there they are not offered)."""

    def __init__(self, path: Path, platform: str = sys.platform):
        super().__init__()
        self._path = path.resolve()
        self._conn: Any = None
        self._cleanup: weakref.finalize | None = None
        if not self._path.is_file():
            raise SourceError(f"The Access file {self._path} does not exist.")
        driver = access_driver(platform)
        pyodbc = _import_pyodbc(self._path, driver)
        if driver not in pyodbc.drivers():
            raise SourceError(_missing_driver_message(self._path, driver,
                                                      driver == WINDOWS_DRIVER and office_is_32bit()))
        self._pyodbc = pyodbc
        self._mdbtools = driver == MDBTOOLS_DRIVER
        if self._mdbtools:
            link_dir = tempfile.mkdtemp(prefix="routing-ml-access-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, link_dir, ignore_errors=True)
            dbq = os.path.join(link_dir, "source" + self._path.suffix.lower())
            os.symlink(self._path, dbq)
            self._connection_string = f"DRIVER={{{driver}}};DBQ={dbq};"
        else:
            dbq = "{" + str(self._path).replace("}", "}}") + "}"
            self._connection_string = f"DRIVER={{{driver}}};DBQ={dbq};ReadOnly=1;"
        self._driver = driver
        try:
            self._conn = self._connect()
        except SourceError:
            self.close()
            raise

    def describe(self) -> str:
        return f"Access file {self._path}"

    def location(self, table: str) -> str:
        return f"table {table} in {self._path}"

    def list_tables(self) -> list[str]:
        """Tables, and with Microsoft's driver also saved select queries (catalogued as VIEW)."""
        # Filter by type here as well: MDBTools returns system tables and queries regardless.
        kinds = {"TABLE"} if self._mdbtools else {"TABLE", "VIEW"}
        return [name for name, kind in self._catalog()
                if kind in kinds and not name.lower().startswith("msys")]

    def columns(self, table: str) -> list[str]:
        cursor = self._cursor()
        try:
            # Executing without fetching reads no rows; the description names the columns
            # exactly as a SELECT returns them, in any locale.
            cursor.execute(f"SELECT * FROM {bracket(self._table(table))}")
            return [d[0] for d in cursor.description]
        except self._pyodbc.Error as e:
            raise SourceError(f"Could not read the columns of {self.location(table)}: "
                              f"{_odbc_message(e)}") from e
        finally:
            cursor.close()

    def row_count(self, table: str) -> int:
        cursor = self._cursor()
        try:
            cursor.execute(f"SELECT COUNT(*) FROM {bracket(self._table(table))}")
            (count,) = cursor.fetchone()
            return int(count)  # MDBTools returns it as text
        except self._pyodbc.Error as e:
            raise SourceError(f"Could not count the rows of {self.location(table)}: "
                              f"{_odbc_message(e)}") from e
        finally:
            cursor.close()

    def read(self, table: str, columns: list[str] | None = None, *,
             progress: ProgressReporter | None = None) -> pl.DataFrame:
        """All rows of `table`; with MDBTools, "Binary" columns are left out unless named in
        `columns` (then SourceError), because reading them crashes the driver."""
        if columns is None and self._mdbtools:
            unreadable = self._unreadable_columns(table)
            columns = [c for c in self.columns(table) if c not in unreadable]
        return super().read(table, columns, progress=progress)

    def _batches(self, table: str, columns: list[str]) -> Iterator[pl.DataFrame]:
        name = self._table(table)
        catalog_types = self._column_types(name) if self._mdbtools else {}
        unreadable = [c for c in columns if catalog_types.get(c) == _MDBTOOLS_UNREADABLE]
        if unreadable:
            raise SourceError(f"{self.location(table)}: the MDBTools driver cannot read the binary "
                              f"column{'s' if len(unreadable) > 1 else ''} {', '.join(unreadable)}.")
        cursor = self._cursor()
        try:
            cursor.execute(f"SELECT {', '.join(bracket(c) for c in columns)} FROM {bracket(name)}")
            if self._mdbtools:
                # Converted columns are described as text; the catalog knows their real type.
                dtypes = [_MDBTOOLS_TYPES.get(catalog_types.get(c, "")) for c in columns]
            else:
                dtypes = [dtype_for(d[1]) for d in cursor.description]
            fixes = [fix(pl.col(c)).alias(c) for c in columns
                     if (fix := _MDBTOOLS_LOW_BYTES.get(catalog_types.get(c, ""))) is not None]
            while True:
                rows = cursor.fetchmany(BATCH_ROWS)
                if rows:
                    frame = _cast_known(frame_from_rows(columns, rows, dtypes), dtypes)
                    yield frame.with_columns(fixes) if fixes else frame
                # A short batch means the driver reported the end; MDBTools would start over
                # from the first row if asked for more.
                if len(rows) < BATCH_ROWS:
                    return
        except (self._pyodbc.Error, pl.exceptions.PolarsError) as e:
            raise SourceError(f"Could not read {self.location(table)}: {_odbc_message(e)}") from e
        except UnicodeDecodeError as e:
            raise SourceError(f"{self.location(table)} holds text that is not valid UTF-8 after "
                              f"conversion by MDBTools ({e}). For an Access 97 file in Korean, "
                              f"set the environment variable MDB_JET3_CHARSET=CP949.") from e
        finally:
            cursor.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._cleanup is not None:
            self._cleanup()

    def _connect(self, *, convert: bool = True) -> Any:
        try:
            conn = self._pyodbc.connect(self._connection_string, autocommit=True,
                                        readonly=not self._mdbtools)
        except self._pyodbc.Error as e:
            if e.args and e.args[0] in _DRIVER_NOT_LOADED:
                raise SourceError(_missing_driver_message(self._path, self._driver)
                                  + f" ({_odbc_message(e)})") from e
            raise SourceError(f"Could not open the Access file {self._path} with the ODBC driver "
                              f"\"{self._driver}\": {_odbc_message(e)}") from e
        if self._mdbtools and convert:
            for sql_type, decoder in mdbtools_converters(self._pyodbc).items():
                conn.add_output_converter(sql_type, decoder)
        return conn

    @contextmanager
    def _catalog_cursor(self) -> Iterator[Any]:
        # See the module docstring; a fresh MDBTools connection takes about a millisecond.
        live = self._live()
        conn = self._connect(convert=False) if self._mdbtools else live
        cursor = conn.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            if conn is not live:
                conn.close()

    def _live(self) -> Any:
        if self._conn is None:
            raise SourceError(f"The Access file {self._path} is closed.")
        return self._conn

    def _cursor(self) -> Any:
        return self._live().cursor()

    def _catalog(self) -> list[tuple[str, str]]:
        with self._catalog_cursor() as cursor:
            try:
                return [(row.table_name, row.table_type) for row in cursor.tables()]
            except self._pyodbc.Error as e:
                raise SourceError(f"Could not list the tables of {self._path}: "
                                  f"{_odbc_message(e)}") from e

    def _table(self, table: str) -> str:
        """The catalog's spelling of `table` (Access names are case-insensitive)."""
        catalog = self._catalog()
        match = next((item for item in catalog if item[0] == table), None)
        match = match or next((item for item in catalog if item[0].lower() == table.lower()), None)
        if match is None:
            raise SourceError(f"{self._path} has no table named {table}; its tables are: "
                              f"{', '.join(self.list_tables()) or '(none)'}")
        name, kind = match
        if kind == "VIEW" and self._mdbtools:
            raise SourceError(f"{name} in {self._path} is a saved Access query; the MDBTools driver "
                              f"can only read tables. Save the query's result as a table.")
        return name

    def _column_types(self, table: str) -> dict[str, str]:
        with self._catalog_cursor() as cursor:
            try:
                return {row.column_name: row.type_name for row in cursor.columns(table=table)}
            except self._pyodbc.Error as e:
                raise SourceError(f"Could not read the column types of {self.location(table)}: "
                                  f"{_odbc_message(e)}") from e

    def _unreadable_columns(self, table: str) -> set[str]:
        types = self._column_types(self._table(table))
        return {name for name, kind in types.items() if kind == _MDBTOOLS_UNREADABLE}


def _cast_known(frame: pl.DataFrame, dtypes: list[pl.DataType | None]) -> pl.DataFrame:
    """Give each column its known type (an all-empty batch comes back untyped)."""
    casts = [pl.col(name).cast(dtype) for name, dtype in zip(frame.columns, dtypes)
             if dtype is not None and frame.schema[name] != dtype]
    return frame.with_columns(casts) if casts else frame


def _odbc_message(error: Exception) -> str:
    """The driver's words without pyodbc's state codes and call names."""
    args = getattr(error, "args", ())
    text = str(args[1]) if len(args) > 1 else str(error)
    return text.split("(SQL")[0].strip() or str(error)
