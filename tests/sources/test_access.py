"""Access files through ODBC (MDBTools on Linux), checked against the real sample files."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pytest

import app.sources.access as access
from app.sources import SourceError, open_source, read_views
from app.sources.access import AccessSource, mdbtools_converters

from .conftest import NWIND, require


def mdb_json(path: Path, table: str) -> list[dict]:
    """The table as mdbtools' own exporter (no ODBC involved) sees it."""
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


def test_missing_driver_is_named_with_how_to_install_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import pyodbc
    nwind = Path(shutil.copy(NWIND, tmp_path / "nwind.mdb"))
    monkeypatch.setattr(pyodbc, "drivers", lambda: [])
    with pytest.raises(SourceError) as error:
        open_source(str(nwind))
    assert str(nwind.resolve()) in str(error.value)
    assert f'"{access.access_driver()}" is not installed' in str(error.value)
    monkeypatch.setattr(pyodbc, "drivers", lambda: [access.access_driver()])

    def cannot_load(*args: object, **kwargs: object) -> None:
        raise pyodbc.Error("01000", "[unixODBC][Driver Manager]Can't open lib 'MDBTools' (0)")
    monkeypatch.setattr(pyodbc, "connect", cannot_load)
    with pytest.raises(SourceError, match="cannot be loaded.*Can't open lib 'MDBTools'"):
        open_source(str(nwind))
    with pytest.raises(SourceError) as error:
        AccessSource(nwind, platform="linux")
    assert "apt-get install unixodbc odbc-mdbtools" in str(error.value)
    with pytest.raises(SourceError) as error:
        AccessSource(nwind, platform="win32")
    assert "Microsoft Access Database Engine" in str(error.value)


def test_mdbtools_value_decoders() -> None:
    """The raw bytes MDBTools writes for the types whose buffers it gets wrong."""
    import pyodbc
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
