"""Access files through ODBC (MDBTools on Linux), checked against the real sample files."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import types
from collections import namedtuple
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import app.sources.access as access
from app.sources import SourceError, open_source, read_views
from app.sources.access import AccessSource, mdbtools_converters

from odbc_fakes import FakeOdbcError

from .conftest import ASSETS, NWIND, require


def mdb_json(path: Path, table: str) -> list[dict]:
    """The table as mdbtools' own exporter (no ODBC involved) sees it."""
    if sys.platform == "win32":
        pytest.skip("mdb-json is MDBTools' exporter (Linux); the values are compared with it there")
    require(shutil.which("mdb-json") is not None, "mdb-json (Debian package mdbtools)")
    out = subprocess.run(["mdb-json", str(path), table], check=True, capture_output=True).stdout
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_northwind_tables_are_listed_without_system_tables_or_queries(nwind: Path) -> None:
    with open_source(str(nwind)) as source:
        tables = source.list_tables()
        assert source.describe() == f"Access file {nwind.resolve()}"
    assert {"Customers", "Orders", "Products", "Order Details", "Employees", "Umsätze"} <= set(tables)
    assert not [t for t in tables if t.startswith("MSys")]
    assert "Invoices" not in tables  # a saved query


def test_sample_accdb_tables(assets: Path) -> None:
    with open_source(str(assets)) as source:
        assert source.list_tables() == ["Asset Items"]
        assert source.columns("Asset Items")[:3] == ["Asset No", "Asset Category", "Make"]
        assert source.row_count("Asset Items") == 65


def test_values_keep_their_types(nwind: Path) -> None:
    with open_source(str(nwind)) as source:
        orders = source.read("Orders")
        details = source.read("Order Details")
        products = source.read("Products")
    assert orders.schema["OrderID"] == pl.Int64
    assert orders.schema["OrderDate"] == pl.Datetime("us")
    assert orders.schema["Freight"] == pl.Float64          # Currency
    first = orders.filter(pl.col("OrderID") == 10330).row(0, named=True)
    assert first["OrderDate"] == dt.datetime(1994, 11, 16)
    assert first["Freight"] == 12.75
    assert first["CustomerID"] == "LILAS"
    assert details.schema["Quantity"] == pl.Int64           # 16-bit Integer
    assert details.schema["Discount"] == pl.Float64         # Single
    assert products.schema["Discontinued"] == pl.Boolean
    assert products["Discontinued"].sum() == 8


def test_singles_integers_and_booleans_match_mdbtools_own_export(nwind: Path) -> None:
    """MDBTools' ODBC driver garbles Single and 16-bit values; the source must not."""
    with open_source(str(nwind)) as source:
        details = source.read("Order Details")
        products = source.read("Products")
    exported = mdb_json(nwind, "Order Details")
    assert details["Discount"].to_list() == pytest.approx([row["Discount"] for row in exported])
    assert details["Quantity"].to_list() == [row["Quantity"] for row in exported]
    assert sorted(set(details["Discount"].to_list()))[:3] == [0.0, 0.01, 0.02]
    exported_products = mdb_json(nwind, "Products")
    assert products["Discontinued"].to_list() == [bool(row["Discontinued"]) for row in exported_products]


def test_negative_16_bit_integers(nwind: Path) -> None:
    with open_source(str(nwind)) as source:
        types = source.read("MSysObjects", ["Type"])["Type"]
    assert types.min() == -32768
    assert sorted(set(types.to_list())) == sorted({row["Type"] for row in mdb_json(nwind, "MSysObjects")})


def test_non_ascii_text_and_table_names_read_exactly(nwind: Path) -> None:
    with open_source(str(nwind)) as source:
        customers = source.read("Customers")
        sales = source.read("Umsätze", ["OrderID", "ShipName"])
    koenig = customers.filter(pl.col("CustomerID") == "KOENE").row(0, named=True)
    assert koenig["CompanyName"] == "Königlich Essen"
    assert koenig["City"] == "Brandenburg"
    assert customers.filter(pl.col("CustomerID") == "BERGS")["City"].item() == "Luleå"
    assert customers.filter(pl.col("CustomerID") == "PERIC")["City"].item() == "México D.F."
    assert customers.to_dicts() == [
        {key: row.get(key) for key in customers.columns} for row in mdb_json(nwind, "Customers")]
    assert sales.height == 830


def test_accdb_values(assets: Path) -> None:
    with open_source(str(assets)) as source:
        items = source.read("Asset Items")
    first = items.filter(pl.col("Asset No") == "30050").row(0, named=True)
    assert first["Acquired"] == dt.datetime(1997, 9, 2)
    assert first["Cost"] == 1995.5
    assert first["Warranty"] == 12
    assert items.schema["Asset No"] == pl.String  # "30050" stays text


def test_path_with_spaces_and_non_ascii_characters(tmp_path: Path, access_odbc: None) -> None:
    folder = tmp_path / "ERP 자료; {2024}"
    folder.mkdir()
    path = Path(shutil.copy(NWIND, folder / "노스윈드.mdb"))
    with open_source(str(path)) as source:
        assert source.row_count("Shippers") == 3


def test_binary_columns_are_left_out_instead_of_crashing_the_driver(assets: Path) -> None:
    with open_source(str(assets)) as source:
        objects = source.read("MSysObjects")
        assert "Owner" not in objects.columns and "Name" in objects.columns
        if isinstance(source, AccessSource) and access.access_driver() == access.MDBTOOLS_DRIVER:
            with pytest.raises(SourceError, match="cannot read the binary column Owner"):
                source.read("MSysObjects", ["Id", "Owner"])


def test_unknown_table_and_saved_query_are_clear_errors(assets: Path) -> None:
    with open_source(str(assets)) as source:
        with pytest.raises(SourceError, match="has no table named Nothing; its tables are: Asset Items"):
            source.read("Nothing")
        if access.access_driver() == access.MDBTOOLS_DRIVER:
            with pytest.raises(SourceError, match="qryGSTCalculations .* is a saved Access query"):
                source.read("qryGSTCalculations")


def test_read_views_on_access_without_erp_views_names_them_and_lists_tables(nwind: Path) -> None:
    with open_source(str(nwind)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    message = str(error.value)
    for view in ("BI_ITEM_INFO_VIEW", "BI_ROUTING_VIEW", "BI_WORK_ORDER_RESULTS"):
        assert f"{view}: the " in message
    assert "Its tables are: Order Details, Orders, Products" in message
    assert "Umsätze" in message


def test_closed_source_cannot_be_read_and_leaves_no_temporary_files(nwind: Path) -> None:
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("routing-ml-access-*"))
    source = open_source(str(nwind))
    source.close()
    with pytest.raises(SourceError, match="is closed"):
        source.list_tables()
    assert set(temp.glob("routing-ml-access-*")) <= before


Row = namedtuple("Row", "table_name table_type")


class FakeAccessDriver:
    """Stands in for pyodbc and an Access ODBC driver: catalog rows and one result per query."""

    Error = FakeOdbcError

    def __init__(self, drivers: list[str], catalog: list[tuple[str, str]] = (),
                 results: dict[str, tuple[list[str], list[tuple]]] | None = None,
                 connect_error: FakeOdbcError | None = None):
        self._drivers, self.catalog, self.results = drivers, catalog, results or {}
        self.connect_error = connect_error
        self.connection_strings: list[str] = []

    def drivers(self) -> list[str]:
        return list(self._drivers)

    def connect(self, connection_string: str, **_: Any) -> Any:
        self.connection_strings.append(connection_string)
        if self.connect_error is not None:
            raise self.connect_error
        return types.SimpleNamespace(cursor=lambda: FakeCursor(self), close=lambda: None)


class FakeCursor:
    def __init__(self, driver: FakeAccessDriver):
        self.driver, self.description, self.rows = driver, None, []

    def tables(self) -> list[Row]:
        return [Row(name, kind) for name, kind in self.driver.catalog]

    def execute(self, sql: str) -> FakeCursor:
        table = sql.rsplit("FROM ", 1)[1].strip("[]")
        columns, rows = self.driver.results[table]
        types_ = [type(v) for v in rows[0]] if rows else [str] * len(columns)
        self.description = [(c, t, None, None, None, None, True) for c, t in zip(columns, types_)]
        self.rows = list(rows)
        return self

    def fetchmany(self, n: int) -> list[tuple]:
        out, self.rows = self.rows[:n], self.rows[n:]
        return out

    def close(self) -> None:
        pass


def use_fake_pyodbc(monkeypatch: pytest.MonkeyPatch, fake: Any) -> None:
    """Make `import pyodbc` give `fake` (None: fail as without libodbc.so.2)."""
    monkeypatch.setitem(sys.modules, "pyodbc", fake)


def test_missing_driver_is_named_with_how_to_install_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs without unixodbc and without any ODBC driver: pyodbc is simulated."""
    nwind = Path(shutil.copy(NWIND, tmp_path / "nwind.mdb"))
    use_fake_pyodbc(monkeypatch, None)  # libodbc.so.2 missing: pyodbc cannot be imported
    with pytest.raises(SourceError) as error:
        AccessSource(nwind, platform="linux")
    assert str(nwind.resolve()) in str(error.value)
    assert "apt-get install unixodbc odbc-mdbtools" in str(error.value)

    use_fake_pyodbc(monkeypatch, FakeAccessDriver(drivers=[]))
    with pytest.raises(SourceError) as error:
        open_source(str(nwind))
    assert str(nwind.resolve()) in str(error.value)
    assert f'"{access.access_driver()}" is not installed' in str(error.value)
    with pytest.raises(SourceError) as error:
        AccessSource(nwind, platform="linux")
    assert "apt-get install unixodbc odbc-mdbtools" in str(error.value)
    monkeypatch.setattr(access, "office_is_32bit", lambda: False)
    with pytest.raises(SourceError) as error:
        AccessSource(nwind, platform="win32")
    assert "Access Database Engine 2016 Redistributable" in str(error.value)
    assert "AccessDatabaseEngine_X64.exe" in str(error.value)

    cannot_load = FakeOdbcError("01000", "[unixODBC][Driver Manager]Can't open lib 'MDBTools' (0)")
    use_fake_pyodbc(monkeypatch, FakeAccessDriver(drivers=["MDBTools"], connect_error=cannot_load))
    with pytest.raises(SourceError, match="cannot be loaded.*Can't open lib 'MDBTools'"):
        AccessSource(nwind, platform="linux")


def test_32_bit_office_is_named_and_an_excel_or_csv_export_suggested(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accdb = Path(shutil.copy(ASSETS, tmp_path / "plant.accdb"))
    use_fake_pyodbc(monkeypatch, FakeAccessDriver(drivers=["SQL Server"]))
    monkeypatch.setattr(access, "office_is_32bit", lambda: True)
    with pytest.raises(SourceError) as error:
        AccessSource(accdb, platform="win32")
    message = str(error.value)
    assert str(accdb.resolve()) in message
    assert "32-bit Office" in message and "refuses to install next to 32-bit Office" in message
    assert "Excel (.xlsx) or CSV files into one folder" in message


class FakeRegistry(types.ModuleType):
    """winreg over a dict {key path: {value name: value}} of HKEY_LOCAL_MACHINE."""

    HKEY_LOCAL_MACHINE = "HKLM"

    def __init__(self, keys: dict[str, dict[str, str]]):
        super().__init__("winreg")
        self.keys = keys

    def OpenKey(self, root: str, path: str) -> Any:  # noqa: N802 - winreg's spelling
        if path not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        values = self.keys[path]

        class Key:
            def __enter__(self) -> dict[str, str]:
                return values

            def __exit__(self, *exc: object) -> None:
                pass
        return Key()

    def QueryValueEx(self, key: dict[str, str], name: str) -> tuple[str, int]:  # noqa: N802
        if name not in key:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key[name], 1


@pytest.mark.parametrize("keys, expected", [
    ({r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration": {"Platform": "x86"}}, True),
    ({r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration": {"Platform": "x64"}}, False),
    ({r"SOFTWARE\WOW6432Node\ODBC\ODBCINST.INI\ODBC Drivers":
      {"Microsoft Access Driver (*.mdb, *.accdb)": "Installed"}}, True),
    ({}, False),
])
def test_32_bit_office_is_recognised_from_the_registry(monkeypatch: pytest.MonkeyPatch,
                                                       keys: dict, expected: bool) -> None:
    monkeypatch.setitem(sys.modules, "winreg", FakeRegistry(keys))
    monkeypatch.setattr(sys, "platform", "win32")
    assert access.office_is_32bit() is expected


def test_queries_saved_in_access_are_read_with_microsofts_driver(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Microsoft's driver lists a saved select query as VIEW and runs it like a table."""
    accdb = Path(shutil.copy(ASSETS, tmp_path / "erp.accdb"))
    fake = FakeAccessDriver(
        drivers=[access.WINDOWS_DRIVER],
        catalog=[("MSysObjects", "SYSTEM TABLE"), ("Asset Items", "TABLE"),
                 ("BI_ROUTING_VIEW", "VIEW")],
        results={"BI_ROUTING_VIEW": (["ITEM_CD", "PROC_SEQ"], [("SR-1", 10), ("SR-1", 20)])})
    use_fake_pyodbc(monkeypatch, fake)
    with AccessSource(accdb, platform="win32") as source:
        assert source.list_tables() == ["Asset Items", "BI_ROUTING_VIEW"]
        assert source.columns("BI_ROUTING_VIEW") == ["ITEM_CD", "PROC_SEQ"]
        assert source.read("BI_ROUTING_VIEW")["PROC_SEQ"].to_list() == [10, 20]
    assert fake.connection_strings[0] == (f"DRIVER={{{access.WINDOWS_DRIVER}}};"
                                          f"DBQ={{{accdb.resolve()}}};ReadOnly=1;")


def test_mdbtools_value_decoders(pyodbc_module: Any) -> None:
    """The raw bytes MDBTools writes for the types whose buffers it gets wrong."""
    pyodbc = pyodbc_module
    decode = mdbtools_converters(pyodbc)
    assert decode[pyodbc.SQL_FLOAT](struct.pack("<f", 0.15)) == 0.15
    assert decode[pyodbc.SQL_REAL](struct.pack("<d", -2.5)) == -2.5
    assert decode[pyodbc.SQL_BIT](b"\x01") is True and decode[pyodbc.SQL_BIT](b"\x00") is False
    assert decode[pyodbc.SQL_DECIMAL](b"12.7500") == 12.75
    long_korean = "씰 링 가공 " * 1000  # 14 KB of UTF-8, several of pyodbc's 4 KB chunks
    assert decode[pyodbc.SQL_LONGVARCHAR](long_korean.encode("utf-8")) == long_korean


@pytest.mark.parametrize("batch_rows", [2, 3])
def test_reading_in_batches_stops_at_the_end(nwind: Path, batch_rows: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """MDBTools starts over from the first row when asked for more after the end."""
    monkeypatch.setattr(access, "BATCH_ROWS", batch_rows)
    with open_source(str(nwind)) as source:
        shippers = source.read("Shippers")
    assert shippers["ShipperID"].to_list() == [1, 2, 3]
