"""Property: whatever is wrong in the routings (or in the profile an admin typed), an export refuses
it before anything is written, with a message that names the routing's item, the table's row and
the column; the target (CSV folder, workbook, SQLite or PostgreSQL tables) stays as it was and no
export is recorded. The same routings without the fault export.

The faults are made here from a good routing, one at a time, and the cell each must be caught in
is worked out from how it was made (the operation's row in P_BOP_PROC_DETAIL, the routing's row in
P_BOP_PROC_MASTER), not from the export's own checks."""
from __future__ import annotations

import hashlib
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
import sqlalchemy as sa
from exportkit import USER, erp_profile, plant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.services.export.service as service
from app.domain.routing import Operation
from app.services.export.selection import ExportRouting, Selection
from app.services.export.service import ExportError, ExportOptions, ExportTarget, export
from app.store.db import Store, export_run

EXAMPLES = settings(max_examples=20, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
RESOURCES = ("ASY-WC1A", "INS-WC2", "CNC-01", "CNC-02", "OSP-COAT")
DETAIL, MASTER = "P_BOP_PROC_DETAIL", "P_BOP_PROC_MASTER"
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
korean = st.text(HANGUL, min_size=1, max_size=8)
codes = st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789-", min_size=2, max_size=12)


@st.composite
def good_operations(draw) -> list[Operation]:
    n = draw(st.integers(1, 5))
    step = draw(st.sampled_from([1, 5, 10]))
    ops = []
    for i in range(n):
        job = draw(st.sampled_from(["A01-2", "F61-1", "Q30-1", "H20-1", "F40-1"]))
        inside = draw(st.sampled_from(["사내", "외주"]))
        ops.append(Operation((i + 1) * step, job, draw(korean | st.just("")), draw(st.sampled_from(RESOURCES)), inside,
                             draw(st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 2))),
                             draw(st.floats(0.01, 500, allow_nan=False).map(lambda x: round(x, 2))),
                             WAIT_TIME=draw(st.sampled_from([0.0, 5.0, 200.0])),
                             BP_CD=draw(st.sampled_from(["", "V10234"])) if inside == "외주" else ""))
    return ops


@st.composite
def good_selections(draw) -> list[ExportRouting]:
    items = draw(st.lists(codes, min_size=1, max_size=3, unique_by=str.upper))
    out = []
    for code in items:
        note = draw(st.sampled_from(["", "시험 라우팅", "first run, 초도품"]))
        out.append(ExportRouting(code.upper(), draw(good_operations()), None, "editor", designed_by="lee",
                                 note=note))
    return out


@dataclass
class Fault:
    """One thing wrong, and the cell it must be named in (row: the row of that table, from 0)."""

    what: str
    table: str
    row: int
    column: str


def _op_row(routings: list[ExportRouting], r: int, o: int) -> int:
    return sum(len(x.operations) for x in routings[:r]) + o


NOT_NUMBERS = st.sampled_from(["abc", "삼십", "12,5", "1e", "", " ", "--3"])


@st.composite
def faulty(draw):
    """(routings, the profile's changed settings, the fault): good routings with one fault put into
    one of them, or into the profile."""
    routings = draw(good_selections())
    profile: dict[str, str] = {}
    r = draw(st.integers(0, len(routings) - 1))
    bad = routings[r]
    o = draw(st.integers(0, len(bad.operations) - 1))
    op = bad.operations[o]
    row = _op_row(routings, r, o)
    kind = draw(st.sampled_from([
        "not_a_number", "none_time", "nan_time", "negative_time", "all_zero", "seq_twice", "seq_zero",
        "seq_decreasing", "seq_none", "job_too_long", "job_korean_too_long", "job_missing", "resource_missing",
        "resource_korean", "inside_unknown", "inside_none", "item_too_long", "note_too_long", "routing_twice",
        "setting_cocd",
        "setting_plant_too_long", "setting_valid_to", "setting_time_unit", "no_employee_number"]))
    column = {"none_time": "RUN_TIME", "nan_time": "RUN_TIME"}.get(kind)

    def change(**kw):
        bad.operations[o] = replace(op, **kw)

    if kind == "not_a_number":
        column = draw(st.sampled_from(["RUN_TIME", "SETUP_TIME"]))
        change(**{column: draw(NOT_NUMBERS)})
    elif kind == "none_time":
        change(RUN_TIME=None)
    elif kind == "nan_time":
        change(RUN_TIME=draw(st.sampled_from([math.nan, math.inf, -math.inf])))
    elif kind == "negative_time":
        column = draw(st.sampled_from(["RUN_TIME", "SETUP_TIME"]))
        change(**{column: -draw(st.floats(0.01, 1e6, allow_nan=False))})
    elif kind == "all_zero":
        bad.operations = [replace(x, RUN_TIME=0.0, SETUP_TIME=0.0) for x in bad.operations]
        column = "RUN_TIME"
    elif kind.startswith("seq_"):
        column = "PROC_SEQ"
        if kind == "seq_twice" or kind == "seq_decreasing":
            if len(bad.operations) < 2:
                bad.operations.append(replace(op, PROC_SEQ=op.PROC_SEQ + 10))
            o = draw(st.integers(1, len(bad.operations) - 1))
            row = _op_row(routings, r, o)
            before = bad.operations[o - 1].PROC_SEQ
            seq = before if kind == "seq_twice" else draw(st.integers(-5, before - 1))
            bad.operations[o] = replace(bad.operations[o], PROC_SEQ=seq)
            if kind == "seq_twice":
                row = _op_row(routings, r, o - 1)   # the first of the two is named
        else:
            change(PROC_SEQ=draw(st.sampled_from([0, -10, None])) if kind == "seq_zero" else None)
            if kind == "seq_none":
                pass
    elif kind == "job_too_long":
        column = "JOB_CD"
        change(JOB_CD=draw(st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789-", min_size=21, max_size=40)))
    elif kind == "job_korean_too_long":
        column = "JOB_CD"
        change(JOB_CD=draw(st.text(HANGUL, min_size=21, max_size=30)))
    elif kind == "job_missing":
        column = "JOB_CD"
        change(JOB_CD=draw(st.sampled_from(["", " ", None])))
    elif kind == "resource_missing":
        column = "RES_CD"
        change(RES_CD=draw(st.sampled_from(["CNC-99", "", None, "cnc-01"])))
    elif kind == "resource_korean":
        column = "RES_CD"
        change(RES_CD=draw(korean))
    elif kind == "inside_unknown":
        column = "INSIDE_FLG"
        change(INSIDE_FLAG=draw(st.sampled_from(["outside", "사외", "Y"])))
    elif kind == "inside_none":
        column = "INSIDE_FLG"
        change(INSIDE_FLAG=None)
    elif kind == "item_too_long":
        bad.ITEM_CD = draw(st.text(HANGUL, min_size=101, max_size=120))
        column, row = "ITEM_CD", r
    elif kind == "note_too_long":
        bad.note = "비고" * draw(st.integers(251, 300))
        column, row = "REV_NOTE", r
    elif kind == "routing_twice":
        # the same item (in any case) and ROUT_NO again, perhaps with other operations
        again = replace(bad, ITEM_CD=draw(st.sampled_from([bad.ITEM_CD, bad.ITEM_CD.lower()])),
                        operations=draw(st.sampled_from([bad.operations, draw(good_operations())])))
        routings.append(again)
        return routings, profile, Fault(kind, MASTER, len(routings) - 1, "ITEM_CD")
    elif kind.startswith("setting_") or kind == "no_employee_number":
        # every routing is bad then: the first row of the first table names it
        r, row = 0, 0
        if kind == "setting_cocd":
            profile["CoCd"] = draw(st.sampled_from(["10OO", "천", "1000.5", " "]))
            column = "CoCd"
        elif kind == "setting_plant_too_long":
            profile["PlantCd"] = draw(st.text(HANGUL, min_size=11, max_size=15))
            column = "PlantCd"
        elif kind == "setting_valid_to":
            profile["VALID_TO_DT"] = draw(st.sampled_from(["31.12.2999", "2999-13-01", "내일"]))
            column = "VALID_TO_DT"
        elif kind == "setting_time_unit":
            profile["TIME_UNIT"] = draw(st.sampled_from(["분", "X"]))
            return routings, profile, Fault(kind, DETAIL, 0, "TIME_UNIT")
        else:
            profile = {"EMPLOYEE_NO": "park"}     # lee, who exports, has no employee number
            column = "INSRT_USER_ID"
        return routings, profile, Fault(kind, MASTER, 0, column)
    table = MASTER if kind in ("item_too_long", "note_too_long") else DETAIL
    return routings, profile, Fault(kind, table, row, column)


# ---- the targets -------------------------------------------------------------------------------------
EARLIER = [ExportRouting("OLD-1", [Operation(10, "A01-2", "황삭", "CNC-01", "사내", 5, 2)], None, "editor",
                         designed_by="lee")]


class Target:
    """Where an export goes, holding an earlier export's output; `state` is what a reader of it sees."""

    def __init__(self, format: str, url: str | None = None):
        self.format = format
        self.url = url            # a server's database (its tables outlive each example)

    def target(self, folder: Path) -> ExportTarget:
        if self.format == "csv":
            return ExportTarget("csv", str(folder / "csv"))
        if self.format == "xlsx":
            return ExportTarget("xlsx", str(folder / "erp.xlsx"))
        return ExportTarget("db", self.url or f"sqlite:///{folder / 'erp.sqlite'}", create_tables=True)

    def fresh(self, folder: Path) -> ExportTarget:
        """The target in `folder`, a copy of the template holding the earlier export."""
        if self.url is None:
            shutil.copytree(self.template, folder, dirs_exist_ok=True)
        self.folder = folder
        return self.target(folder)

    def state(self) -> object:
        if self.format != "db":
            return sorted((str(p.relative_to(self.folder)), hashlib.sha256(p.read_bytes()).hexdigest())
                          for p in self.folder.rglob("*") if p.is_file())
        url = self.target(self.folder).out
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:
                return [(n, sorted(map(repr, conn.execute(sa.text(f'SELECT * FROM "{n}"')).all())))
                        for n in sorted(sa.inspect(conn).get_table_names())]
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(str(tmp_path_factory.mktemp("export-properties") / "store.sqlite"))
    yield s
    s.dispose()


@pytest.fixture(scope="module", params=["csv", "xlsx", "sqlite", "postgresql"])
def target(request, store, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_session_databases")().replace("postgresql+psycopg://", "postgresql://", 1)
    t = Target("db" if request.param in ("sqlite", "postgresql") else request.param, url)
    t.template = tmp_path_factory.mktemp(f"export-target-{request.param}")
    _export(store, {}, EARLIER, t.target(t.template))
    return t


def _exports(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(export_run)).scalar()


def _profile(changes: dict[str, str]):
    if "EMPLOYEE_NO" in changes:
        return erp_profile(park="120045")
    profile = erp_profile()
    profile.settings.update(changes)
    return profile


def _export(store, changes, routings, target: ExportTarget, **options):
    """Export through the ERP profile changed by `changes` (replacing routings a database holds)."""
    items = {r.ITEM_CD: f"품목 {r.ITEM_CD}" for r in routings}
    with mock.patch.object(service, "load_plant_data", lambda _store, _codes: plant(items)):
        return export(store, _profile(changes), Selection(routings, [], "property test"), target,
                      ExportOptions(replace=True, **options), user=USER)


@EXAMPLES
@given(case=faulty())
def test_a_fault_is_refused_naming_item_row_and_column_and_nothing_is_written(target, store, case):
    routings, profile, fault = case
    with tempfile.TemporaryDirectory() as tmp:
        out = target.fresh(Path(tmp))
        before, runs = target.state(), _exports(store)
        with pytest.raises(ExportError) as refused:
            _export(store, profile, routings, out)
        message = str(refused.value)
        assert target.state() == before, f"a refused export ({fault.what}) changed the target"
        assert _exports(store) == runs, "a refused export was recorded"
    named = [(p.table, p.row, p.column) for p in refused.value.problems]
    assert (fault.table, fault.row, fault.column) in named, (fault, named, message)
    first = refused.value.problems[0]
    assert first.ITEM_CD in message and f"{first.table}.{first.column}" in message, message
    assert re.search(rf"\brow {first.row + 1}\b", message), f"the message names no row: {message}"
    assert "Traceback" not in message and "polars" not in message.lower(), message


@EXAMPLES
@given(routings=good_selections())
def test_good_routings_export_with_every_operation(target, store, routings):
    with tempfile.TemporaryDirectory() as tmp:
        out = target.fresh(Path(tmp))
        runs = _exports(store)
        result = _export(store, {}, routings, out)
        assert result.routings == len(routings) and not result.skipped
        assert result.written[MASTER] == len(routings)
        assert result.written[DETAIL] == sum(len(r.operations) for r in routings)
        assert _exports(store) == runs + 1
        if target.format == "csv":
            detail = pl.read_csv(Path(out.out) / f"{DETAIL}.csv", infer_schema=False)
            assert detail["ITEM_CD"].to_list() == [r.ITEM_CD for r in routings for _ in r.operations]
            assert detail["JOB_CD"].to_list() == [o.JOB_CD for r in routings for o in r.operations]


@EXAMPLES
@given(case=faulty())
def test_skipping_invalid_routings_writes_the_others_and_names_why_each_was_left_out(target, store, case):
    routings, profile, fault = case
    with tempfile.TemporaryDirectory() as tmp:
        out = target.fresh(Path(tmp))
        before = target.state()
        try:
            result = _export(store, profile, routings, out, skip_invalid=True)
        except ExportError as refused:
            assert refused.problems, str(refused)      # every routing was invalid: refused, nothing written
            assert target.state() == before
            return
    assert result.skipped and {s.ITEM_CD for s in result.skipped} <= {r.ITEM_CD for r in routings}
    assert result.routings == len(routings) - len(result.skipped)
    for s in result.skipped:
        assert s.problems and all(f"{p.table}.{p.column}" in s.reason for p in s.problems if p.column), s
