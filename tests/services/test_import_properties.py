"""Property: whatever happens to a good plant's CSV file (cut, padded, a line repeated, bytes
changed at random places), an import either succeeds with exactly the file's valid rows, or fails
with the store as it was.

"Valid rows" are worked out here independently of app.sources, with Python's csv module and
plain rules: every record has the header's number of fields, numbers and dates parse, a routing
row names its item and routing, and rows without an item or operation, repeated header lines and
repeated keys are left out."""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.routing import RoutingError
from app.domain.schema import COLUMNS, DEFAULT_VIEW_NAMES, ITEMS, NUMERIC, RESULTS, ROUTINGS, VIEW_KINDS
from app.services.importing import import_source
from app.store.db import Store

ROW_REQUIRED = {ITEMS: ["ITEM_CD", "PART_TYPE"], ROUTINGS: ["ITEM_CD", "ROUT_NO", "PROC_SEQ", "JOB_CD"],
                RESULTS: ["ITEM_CD", "JOB_CD"]}
KEYS = {ITEMS: ["ITEM_CD"], ROUTINGS: ["ITEM_CD", "ROUT_NO", "PROC_SEQ"]}
DATES = ("INSRT_DT", "REPORT_DT", "VALID_FROM_DT", "VALID_TO_DT")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
# Bytes a damaged file gets: separators, quotes, line breaks, digits, letters, spaces, signs.
NOISE = b',"\n\r7x -.'
EXAMPLES = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Invalid(Exception):
    """The file cannot be imported as it is: the import must fail."""


@dataclass
class Base:
    """The good plant's files, and a store holding them: a SQLite file, or a PostgreSQL database
    (the server store) that each example copies."""

    root: Path
    template: str | None = None
    databases: object = None

    def store(self, tmp: Path) -> Store:
        if self.template is None:
            shutil.copytree(self.root / "store", tmp / "store")
            return Store(str(tmp / "store" / "store.sqlite"))
        from sqlalchemy.engine import make_url
        return Store(self.databases(template=make_url(self.template).database))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base(tmp_path_factory, request):
    from app.demo import generator
    root = tmp_path_factory.mktemp("property-plant")
    generator.write(generator.generate(40, seed=5), root / "erp")
    if request.param == "sqlite":
        store = Store(str(root / "store" / "store.sqlite"))
        template = databases = None
    else:
        databases = request.getfixturevalue("pg_session_databases")
        template = databases()
        store = Store(template)
    import_source(store, str(root / "erp"))
    store.dispose()
    return Base(root, template, databases)


def _state(store: Store) -> tuple:
    store._server_data_hit = None   # a server store: ask it now which import is current
    folder = getattr(store, "current_data_dir", lambda: store.data_dir)()   # older code too
    files = tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(folder.glob("*.parquet")))
    last = store.last_import()
    return files, last["id"] if last else None


def _cell_ok(kind: str, column: str, cell: str) -> None:
    if not cell:
        return
    if column in NUMERIC[kind]:
        try:
            float(cell)
        except ValueError:
            raise Invalid(f"{column}: {cell!r} is not a number") from None
        if "_" in cell:
            raise Invalid(f"{column}: {cell!r}")
    elif column in DATES:
        for fmt in DATE_FORMATS:
            try:
                datetime.strptime(cell, fmt)
                return
            except ValueError:
                continue
        raise Invalid(f"{column}: {cell!r} is not a date")


def valid_rows(kind: str, data: bytes) -> list[dict[str, str]]:
    """The rows an import must keep from this file, or Invalid."""
    data = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = data.decode("utf-8").replace("\ufeff", "")
    except UnicodeDecodeError:
        raise Invalid("not UTF-8") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise Invalid(str(exc)) from None
    if not records:
        raise Invalid("empty file")
    header = records[0]
    if any('"' in cell for cell in header):
        raise Invalid("quote in the header")
    rows = []
    for record in records[1:]:
        if not "".join(record).strip() and len(record) <= 1:
            continue                                    # a blank line
        if len(record) != len(header):
            raise Invalid("wrong number of fields")
        if any('"' in cell for cell in record):
            raise Invalid("a quote inside a cell: polars and csv may disagree")  # keep the oracle simple
        row = {}
        for name, cell in zip(header, record):
            if name.strip() in COLUMNS[kind] and name.strip() not in row:
                row[name.strip()] = cell.strip()
        if not any(row.values()):
            continue
        if row.get("ITEM_CD", "").upper() == "ITEM_CD":
            continue                                    # the header again
        for column, cell in row.items():
            _cell_ok(kind, column, cell)
        rows.append(row)
    if kind == ROUTINGS and any(not (r.get("ITEM_CD") and r.get("ROUT_NO")) for r in rows):
        raise Invalid("an operation that cannot be tied to its routing")
    kept = [r for r in rows if all(r.get(c) for c in ROW_REQUIRED[kind])]
    if kind == ROUTINGS:
        broken = {(r.get("ITEM_CD", "").upper(), r.get("ROUT_NO")) for r in rows if r not in kept}
        kept = [r for r in kept if (r["ITEM_CD"].upper(), r["ROUT_NO"]) not in broken]
    if kind in KEYS:
        seen, unique = set(), []
        for r in kept:
            key = tuple(_norm(c, r[c]) for c in KEYS[kind])
            if key not in seen:
                seen.add(key)
                unique.append(r)
        kept = unique
    return kept


def _norm(column: str, cell: str) -> object:
    return cell.upper() if column == "ITEM_CD" else (float(cell) if column == "PROC_SEQ" else cell)


def _check(base: Base, tmp: Path, kind: str, mutate) -> None:
    folder = tmp / "erp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(base.root / "erp", folder)
    path = folder / f"{DEFAULT_VIEW_NAMES[kind]}.csv"
    original = path.read_bytes()
    changed = mutate(original)
    path.write_bytes(changed)
    store = base.store(tmp)
    try:
        before, counts_before = _state(store), store.view_counts()
        try:
            expected = valid_rows(kind, changed)
        except Invalid:
            expected = None
        try:
            import_source(store, str(folder))
        except RoutingError:
            assert _state(store) == before, "a failed import changed the store"
            return
        assert expected is not None, "an import of a file with invalid rows succeeded"
        assert 0 < len(expected) and len(expected) >= 0.5 * counts_before[kind]
        stored = store.read_view(kind, ["ITEM_CD"])["ITEM_CD"].to_list()
        assert Counter(stored) == Counter(r["ITEM_CD"].upper() for r in expected)
        for other in VIEW_KINDS:
            if other != kind:
                assert store.view_counts()[other] == counts_before[other]
    finally:
        store.dispose()


kinds = st.sampled_from(VIEW_KINDS)


@EXAMPLES
@given(kind=kinds, where=st.floats(0.0, 1.0))
def test_cut_anywhere(base, tmp_path, kind, where):
    _check(base, tmp_path / "t", kind, lambda data: data[: math.floor(where * len(data))])


@EXAMPLES
@given(kind=kinds, padding=st.binary(min_size=1, max_size=40).map(lambda b: bytes(NOISE[x % len(NOISE)] for x in b)))
def test_padded_at_the_end(base, tmp_path, kind, padding):
    _check(base, tmp_path / "t", kind, lambda data: data + padding)


@EXAMPLES
@given(kind=kinds, which=st.floats(0.0, 1.0), where=st.floats(0.0, 1.0))
def test_a_line_repeated(base, tmp_path, kind, which, where):
    def repeat(data: bytes) -> bytes:
        lines = data.split(b"\n")
        line = lines[min(int(which * len(lines)), len(lines) - 1)]
        at = min(int(where * len(lines)), len(lines) - 1) or 1
        return b"\n".join(lines[:at] + [line] + lines[at:])
    _check(base, tmp_path / "t", kind, repeat)


@EXAMPLES
@given(kind=kinds, changes=st.lists(st.tuples(st.floats(0.0, 1.0), st.sampled_from(list(NOISE) + [0xEF])),
                                    min_size=1, max_size=4))
def test_bytes_changed_at_random_places(base, tmp_path, kind, changes):
    def corrupt(data: bytes) -> bytes:
        out = bytearray(data)
        for where, byte in changes:
            at = min(int(where * len(out)), len(out) - 1)
            if byte == 0xEF:
                out[at:at] = codecs.BOM_UTF8           # a byte-order mark slipped in
            else:
                out[at] = byte
        return bytes(out)
    _check(base, tmp_path / "t", kind, corrupt)
