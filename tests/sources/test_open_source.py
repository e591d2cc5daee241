"""open_source picks the kind of source from the setting, or says what it accepts."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.sources import Source, SourceError, open_source
from app.sources.folder import FolderSource
from app.sources.sqlite import SqliteSource

from .conftest import write_csv_folder, write_sqlite


def test_kinds_are_chosen_by_the_setting(tmp_path: Path) -> None:
    with open_source(str(write_sqlite(tmp_path / "a.sqlite3"))) as source:
        assert isinstance(source, SqliteSource)
    with open_source(f"  {write_csv_folder(tmp_path / 'views')}  ") as source:
        assert isinstance(source, FolderSource)


@pytest.mark.parametrize("name", ["plant.txt", "plant.csv"])
def test_other_files_are_refused_saying_what_is_accepted(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("ITEM_CD\nA1\n")
    with pytest.raises(SourceError) as error:
        open_source(str(path))
    message = str(error.value)
    assert message.startswith(f"{path} is not a kind of file Routing ML can read.")
    for accepted in (".sqlite", ".accdb", ".csv or .xlsx", "mssql://SERVER/DATABASE"):
        assert accepted in message


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=f"{tmp_path / 'gone.accdb'} does not exist"):
        open_source(str(tmp_path / "gone.accdb"))


def test_source_is_a_context_manager_that_closes(tmp_path: Path) -> None:
    with open_source(str(write_sqlite(tmp_path / "a.sqlite"))) as source:
        assert isinstance(source, Source)
    with pytest.raises(SourceError):
        source.list_tables()
