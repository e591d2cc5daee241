"""A SQLite file source."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.domain.schema import VIEW_KINDS
from app.services.progress import Cancelled, Progress
from app.sources import SourceError, open_source, read_views

from .conftest import expected_frame, write_sqlite


@pytest.mark.parametrize("typed", [True, False], ids=["numbers stored as REAL", "all text"])
def test_views_read_back_exactly(tmp_path: Path, typed: bool) -> None:
    path = write_sqlite(tmp_path / "plant.sqlite", typed=typed)
    with open_source(str(path)) as source:
        assert source.describe() == f"SQLite file {path.resolve()}"
        views = read_views(source)
    for kind in VIEW_KINDS:
        assert_frame_equal(views.frames()[kind], expected_frame(kind))


def test_values_keep_their_sqlite_types(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (code TEXT, qty INTEGER, hours REAL, anything)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                         [("00123", 3, 1.5, 1), ("씰", None, 2.0, 2.5), (None, 7, None, None)])
        conn.execute("CREATE VIEW v AS SELECT code, qty * 2 AS twice FROM t")
    with open_source(str(path)) as source:
        assert source.list_tables() == ["t", "v"]
        frame = source.read("t")
        assert frame.schema == {"code": pl.String, "qty": pl.Int64, "hours": pl.Float64,
                                "anything": pl.Float64}
        assert frame["code"].to_list() == ["00123", "씰", None]
        assert frame["anything"].to_list() == [1.0, 2.5, None]
        assert source.read("v", ["twice"])["twice"].to_list() == [6, None, 14]
        assert source.row_count("t") == 3


def test_a_column_with_mixed_values_keeps_every_value_as_text(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (n INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), ("1,5",), (2.5,)])
    with open_source(str(path)) as source:
        assert source.read("t")["n"].to_list() == ["1", "1,5", "2.5"]


def test_bad_number_names_table_row_column_and_value(tmp_path: Path) -> None:
    path = write_sqlite(tmp_path / "plant.sqlite", typed=False)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE BI_WORK_ORDER_RESULTS SET ORDER_QTY = '20 EA' WHERE ORDER_QTY = '20'")
    with open_source(str(path)) as source, pytest.raises(SourceError) as error:
        read_views(source)
    assert str(error.value) == (
        f"table BI_WORK_ORDER_RESULTS in {path.resolve()}: 1 value cannot be read:\n"
        f"  row 1, column ORDER_QTY: '20 EA' is not a number")


def test_file_is_recognised_by_its_header_and_not_written(tmp_path: Path) -> None:
    path = write_sqlite(tmp_path / "plant.erpdata")
    before = path.read_bytes()
    with open_source(str(path)) as source:
        read_views(source)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            source._conn.execute("DELETE FROM BI_ROUTING_VIEW")  # opened read-only
    assert path.read_bytes() == before


def test_not_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "plant.db"
    path.write_text("just text")
    with pytest.raises(SourceError, match="is not a SQLite database"):
        open_source(str(path))


def test_unknown_table(tmp_path: Path) -> None:
    path = write_sqlite(tmp_path / "plant.sqlite")
    with open_source(str(path)) as source, pytest.raises(SourceError, match="no table or view named X"):
        source.read("X")


def test_progress_is_reported_per_batch_and_cancel_stops(tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (n INTEGER)")
        conn.execute("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 120000) "
                     "INSERT INTO t SELECT x FROM s")
    reports: list[tuple[float, str]] = []
    with open_source(str(path)) as source:
        assert source.read("t", progress=Progress(lambda f, m: reports.append((f, m)))).height == 120000
        assert [round(f, 2) for f, _ in reports] == [0.42, 0.83, 1.0, 1.0]
        assert reports[-1][1] == "t: 120,000 rows read"
        cancelling = Progress(lambda f, m: cancelling.cancel())
        with pytest.raises(Cancelled):
            source.read("t", progress=cancelling)


def test_a_source_in_a_folder_with_url_characters(tmp_path: Path) -> None:
    folder = tmp_path / ("ERP #2 100%41 자료" + ("?" if sys.platform != "win32" else ""))
    folder.mkdir()
    path = write_sqlite(folder / "plant.sqlite")
    with open_source(str(path)) as source:
        assert source.row_count("BI_ROUTING_VIEW") == 2
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]
