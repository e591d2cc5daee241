"""`RoutingML --self-test`: proves that this copy of Routing ML starts, finds its files and predicts.

Run by every build (scripts/build) on the bundle it made, by the Windows workflow on the installed
program, and by IT after a deployment. It opens the window offscreen with every tab, trains and
predicts on a tiny demo plant (bundled by the build; generated when run from source), exports the
prediction to CSV, XLSX and SQLite, and checks that the translations, icons, style, store
migrations, ODBC, PostgreSQL, keyring, LDAP, Excel and audit signature layers load. It never touches the user's store, settings or keyring entries: everything it writes is in a
temporary folder, removed at the end.

Each check prints one line (`ok`, `note` or `FAIL`, its name, what was found); the last line says
`self-test passed` (exit 0) or `self-test FAILED` with the number of failed checks (exit 1). The
same lines go to `self-test.txt` in the log folder, for the windowed RoutingML.exe, which has no
console. Details of a failure (the traceback) go to the program's log.
"""
from __future__ import annotations

import logging
import os
import platform
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from app import __version__, bundle, machine_settings

log = logging.getLogger("app.selftest")

#: files the program loads by path; the build also compares the whole resources/ folder
REQUIRED_RESOURCES = ("translations/routing_ml_ko.qm", "icons/routing-ml.svg", "icons/routing-ml.ico",
                      "style/routing_ml.qss")
WINDOW_TARGET_S = 3.0
SELFTEST_ITEMS = 300   # the demo plant's size: big enough for candidates, small enough for seconds
SELFTEST_SEED = 7


@dataclass
class Check:
    name: str
    status: str        # "ok", "note" (works, but something IT may want to know) or "FAIL"
    detail: str
    seconds: float

    def line(self) -> str:
        return f"  {self.status:<5} {self.name:<22} {self.detail}"


class SelfTest:
    """Runs named checks, each isolated: a failing check is recorded and the next one runs."""

    def __init__(self, out: TextIO | None):
        self.out = out
        self.checks: list[Check] = []
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)
        if self.out is not None:
            print(text, file=self.out, flush=True)

    def check(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run `fn`; it returns a detail string, or (detail, value), or raises Note / any error."""
        t0 = time.perf_counter()
        value = None
        try:
            result = fn()
            detail, value = result if isinstance(result, tuple) else (result, None)
            status = "ok"
        except Note as note:
            detail, status, value = str(note), "note", note.value
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the test
            log.error("self-test check %s failed\n%s", name, traceback.format_exc())
            detail, status = _one_line(exc), "FAIL"
        c = Check(name, status, str(detail), time.perf_counter() - t0)
        self.checks.append(c)
        self.say(c.line())
        return value

    def fail(self, name: str, detail: str) -> None:
        c = Check(name, "FAIL", detail, 0.0)
        self.checks.append(c)
        self.say(c.line())

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "FAIL"]


class Note(Exception):
    """A check that works but reports something worth knowing (e.g. no SQL Server ODBC driver)."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def process_age() -> float | None:
    """Seconds since this process was created (so a measured start includes the bootloader and
    every import), or None where the system does not tell."""
    try:
        if sys.platform == "win32":
            import ctypes
            from ctypes import wintypes
            k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            k32.GetCurrentProcess.restype = wintypes.HANDLE
            creation, exit_, kernel, user, now = (wintypes.FILETIME() for _ in range(5))
            if not k32.GetProcessTimes(k32.GetCurrentProcess(), ctypes.byref(creation), ctypes.byref(exit_),
                                       ctypes.byref(kernel), ctypes.byref(user)):
                return None
            k32.GetSystemTimeAsFileTime(ctypes.byref(now))

            def ticks(ft) -> int:
                return (ft.dwHighDateTime << 32) | ft.dwLowDateTime
            return (ticks(now) - ticks(creation)) / 1e7
        if sys.platform.startswith("linux"):
            stat = Path("/proc/self/stat").read_text()
            start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    return None


def machine_load() -> str:
    """'; load 9.8 on 2 cores' (the 1-minute load average), or '' where the system does not tell."""
    try:
        return f"; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except (AttributeError, OSError):   # Windows
        return ""


# ---- the Qt-free checks ---------------------------------------------------------------------------
def check_version() -> str:
    bits = struct.calcsize("P") * 8
    how = "bundle" if bundle.frozen() else "source"
    return (f"Routing ML {__version__} ({how} {Path(sys.executable).name}; Python {platform.python_version()}; "
            f"{platform.system()} {platform.release()} {platform.machine()}, {bits}-bit)")


def check_machine_settings() -> str:
    s = machine_settings.current()
    if s.problems:
        raise RuntimeError("; ".join(s.problems))
    return s.describe()


def check_resources() -> str:
    root = bundle.resources_dir()
    missing = [r for r in REQUIRED_RESOURCES if not (root / r).is_file()]
    if missing:
        raise FileNotFoundError(f"missing in {root}: {', '.join(missing)}")
    files = [p for p in root.rglob("*") if p.is_file()]
    folders = sorted({p.relative_to(root).parts[0] for p in files})
    return f"{len(files)} files in {root} ({', '.join(folders)})"


def check_migrations() -> str:
    from app.store.migrate import MIGRATIONS_DIR, head_revision
    versions = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
    return f"schema {head_revision()} from {len(versions)} migration scripts in {MIGRATIONS_DIR}"


def check_odbc() -> str:
    """pyodbc loads (and, on Linux, the bundled unixODBC); lists the drivers the sources can use."""
    import pyodbc
    from sqlalchemy import create_engine

    create_engine("mssql+pyodbc://selftest/none?driver=ODBC+Driver+18+for+SQL+Server")  # dialect + DBAPI
    drivers = pyodbc.drivers()
    bits = struct.calcsize("P") * 8
    sql = [d for d in drivers if "SQL Server" in d]
    access = [d for d in drivers if "Access" in d or "MDBTools" in d or "mdb" in d.lower()]
    detail = (f"pyodbc {pyodbc.version}; {bits}-bit program, so only {bits}-bit drivers count; "
              f"SQL Server: {', '.join(sql) or 'none'}; Access: {', '.join(access) or 'none'}")
    if not sql or not access:
        from app.sources.access import office_is_32bit
        what = " and ".join(x for x, have in (("SQL Server", sql), ("Access", access)) if not have)
        advice = f" — the {what} source needs its {bits}-bit ODBC driver (docs/deploy.md)"
        if not access and office_is_32bit():
            advice += ("; this PC has 32-bit Office, next to which the 64-bit Access driver cannot be "
                       "installed: import Excel or CSV exports of the views instead")
        raise Note(detail + advice)
    return detail


def check_postgresql() -> str:
    import psycopg
    from sqlalchemy import create_engine

    create_engine("postgresql+psycopg://selftest/none")
    return f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__} libpq {psycopg.pq.version()})"


def check_keyring() -> str:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if sys.platform == "win32" and "Windows" not in name:
        raise RuntimeError(f"the Windows Credential Manager backend did not load (got {name})")
    if isinstance(backend, fail.Keyring):
        raise Note(f"{name}: no OS keyring on this system; SQL logins cannot keep a password here")
    return name


def check_ldap() -> str:
    import ldap3

    url = machine_settings.current().ldap_url or "ldap://directory.invalid"
    server = ldap3.Server(url, connect_timeout=1)  # made, never contacted
    return f"ldap3 {ldap3.__version__}; {server.host}:{server.port} ({'ssl' if server.ssl else 'plain'})"


def check_excel(workdir: Path) -> str:
    """Writes an .xlsx with Korean text the way exports do and reads it back the way imports do."""
    import polars as pl

    path = workdir / "selftest.xlsx"
    frame = pl.DataFrame({"ITEM_CD": ["SR-0001", "SR-0002"], "ITEM_NM": ["메카니컬 씰", "seal ring"],
                          "RUN_TIME": [1.25, 3.5]})
    frame.write_excel(path, worksheet="BI_ITEM_INFO_VIEW")
    back = pl.read_excel(path, sheet_name="BI_ITEM_INFO_VIEW")
    if back.to_dicts() != frame.to_dicts():
        raise RuntimeError(f"{path} read back differently: {back.to_dicts()}")
    return f"xlsx written and read back ({path.stat().st_size:,} bytes, Korean text intact)"


@dataclass
class Plant:
    store: Any
    version: str
    routed: str
    new: str


def demo_plant_file(workdir: Path) -> tuple[Path, str]:
    bundled = bundle.selftest_plant()
    if bundled is not None:
        return bundled, "bundled"
    from app.demo import generator
    path = workdir / "selftest-plant.sqlite"
    generator.write(generator.generate(SELFTEST_ITEMS, SELFTEST_SEED), path)
    return path, "generated"


def check_import(workdir: Path) -> tuple[str, Any]:
    from app.services.importing import import_source
    from app.store.db import Store

    path, how = demo_plant_file(workdir)
    store = Store(str(workdir / "selftest-store.sqlite"))
    report = import_source(store, str(path))
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    return f"{how} demo plant {path.name}: {counts}", store


def check_train(store) -> tuple[str, str]:
    from app.services import models
    version = models.train(store)
    return f"model {version} trained and active", version


def check_predict(store) -> tuple[str, Plant]:
    from app.services.prediction import predict_items
    routed = set(store.routed_item_codes().to_list())
    codes = store.item_codes()
    new = next((c for c in codes if c not in routed), None)
    some_routed = next(iter(sorted(routed)), None)
    if new is None or some_routed is None:
        raise RuntimeError("the demo plant has no item without a routing to predict")
    batch = predict_items(store, [new, some_routed])
    if batch.errors or len(batch.predictions) != 2:
        raise RuntimeError(f"prediction errors: {batch.errors}")
    p = batch.predictions[0]
    if not p.candidates or not p.candidates[0].operations:
        raise RuntimeError(f"no candidate routing for {new}")
    c = p.candidates[0]
    return (f"{new}: {len(p.candidates)} candidates, best {c.score:.2f} with {len(c.operations)} operations "
            f"from {len(p.similar_items)} similar items", Plant(store, batch.model_version, some_routed, new))


def check_evaluate(store) -> str:
    from app.services.evaluation import evaluate
    result = evaluate(store, holdout=0.2, seed=SELFTEST_SEED, max_items=40)
    m = result["methods"]
    return (f"{result['evaluated_items']} held-out items; top-1 model {m['model']['top1_exact']:.0%}, "
            f"{len(m) - 1} baselines scored")


def check_export(plant: Plant, workdir: Path) -> str:
    """The predicted routing goes out through the ERP profile, as the ERP's tables, to the three
    kinds of target: CSV files, an XLSX workbook and a SQLite database (the writers and their
    libraries are in the bundle). The profile is the program's own, in memory, with the self-test's
    user given an employee number as an admin would; the store is the demo plant's."""
    import sqlalchemy as sa

    from app.services import identity
    from app.services.export import selection as sel
    from app.services.export.profile import default_profile
    from app.services.export.service import ExportTarget, export
    from app.services.prediction import predict_items

    user = identity.sign_in(plant.store, via="self-test")
    profile = default_profile()
    profile.lookups["EMPLOYEE_NO"].values[user.name] = "100001"
    batch = predict_items(plant.store, [plant.new], user=user)
    selection = sel.from_batch(batch, user=user)
    if len(selection.routings) != 1:
        raise RuntimeError(f"the prediction of {plant.new} gave {len(selection.routings)} routings to export")
    operations = len(selection.routings[0].operations)
    written = {}
    for fmt, target in (("csv", workdir / "export-csv"), ("xlsx", workdir / "export.xlsx"),
                        ("db", workdir / "export.sqlite")):
        result = export(plant.store, profile, selection, ExportTarget(fmt, str(target), create_tables=True),
                        user=user)
        written[fmt] = result.written
        if (result.routings != 1 or result.written.get("P_BOP_PROC_MASTER") != 1
                or result.written.get("P_BOP_PROC_DETAIL") != operations):
            raise RuntimeError(f"{fmt} export of {plant.new} wrote {result.written}")
    if len(set(map(str, written.values()))) != 1:
        raise RuntimeError(f"the three targets were written differently: {written}")
    files = sorted(p.name for p in (workdir / "export-csv").glob("*.csv"))
    if len(files) != len(written["csv"]) or not (workdir / "export.xlsx").stat().st_size:
        raise RuntimeError(f"CSV files {files}, XLSX workbook {(workdir / 'export.xlsx').stat().st_size} bytes")
    engine = sa.create_engine(f"sqlite:///{workdir / 'export.sqlite'}")
    try:
        with engine.connect() as conn:
            back = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in written["db"]}
    finally:
        engine.dispose()
    if back != written["db"]:
        raise RuntimeError(f"the SQLite target holds {back}, the export said {written['db']}")
    rows = ", ".join(f"{t} {n}" for t, n in written["db"].items())
    return f"{plant.new} ({operations} operations) to CSV, XLSX and SQLite: {rows}"


def check_audit(store, workdir: Path) -> str:
    """The demo store's audit trail is chained and intact, and Ed25519 signatures (the trail's
    checkpoints) work: the native part of `cryptography` is in the bundle. Writes no checkpoint and
    no key: the user's keyring is only read."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.services import audit_seal, identity
    key = Ed25519PrivateKey.generate()
    message = b"Routing ML self-test"
    key.public_key().verify(key.sign(message), message)   # raises InvalidSignature when broken
    folder = workdir / "checkpoints"
    folder.mkdir(exist_ok=True)
    user = identity.sign_in(store, via="self-test")
    result = audit_seal.verify(store, folder, user=user, write_checkpoint_if_intact=False)
    if not result.intact:
        first = result.problems[0].message if result.problems else "broken"
        raise RuntimeError(f"the demo store's audit trail is not intact: {first}")
    return f"{result.rows} events chained and intact; Ed25519 signatures work"


# ---- running it ---------------------------------------------------------------------------------
def run(out: TextIO | None = None, gui: bool = True) -> int:
    """Run every check, print one line each and a verdict; returns the exit code (0 passed)."""
    out = sys.stdout if out is None else out
    started = process_age()
    t = SelfTest(out)
    t.say(f"Routing ML {__version__} self-test")
    with tempfile.TemporaryDirectory(prefix="routing-ml-selftest-") as tmp:
        workdir = Path(tmp)
        window: Any = None
        if gui:
            from app.ui import selftest as ui_selftest   # Qt only from here on
            window = ui_selftest.GuiChecks(t, workdir, started)
            window.start()
        t.check("version", check_version)
        t.check("machine settings", check_machine_settings)
        t.check("resources", check_resources)
        t.check("store migrations", check_migrations)
        t.check("ODBC", check_odbc)
        t.check("PostgreSQL driver", check_postgresql)
        t.check("keyring", check_keyring)
        t.check("LDAP", check_ldap)
        t.check("Excel", lambda: check_excel(workdir))
        store = t.check("demo plant import", lambda: check_import(workdir))
        plant = None
        if store is not None:
            version = t.check("training", lambda: check_train(store))
            if version is not None:
                plant = t.check("prediction", lambda: check_predict(store))
                t.check("evaluation", lambda: check_evaluate(store))
                if plant is not None:
                    t.check("export", lambda: check_export(plant, workdir))
            t.check("audit trail", lambda: check_audit(store, workdir))
        if window is not None:
            window.finish(plant)
        if store is not None:
            store.dispose()
    failed = t.failed
    if failed:
        t.say(f"self-test FAILED: {len(failed)} of {len(t.checks)} checks ({', '.join(c.name for c in failed)})")
    else:
        t.say(f"self-test passed: {len(t.checks)} checks")
    report = _write_report(t.lines)
    if report is not None:
        t.say(f"report: {report}")
    return 1 if failed else 0


def _write_report(lines: list[str]) -> Path | None:
    """The same lines in the log folder: the windowed RoutingML.exe has no console to print to."""
    from app.logs import log_dir
    try:
        path = log_dir() / "self-test.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    except OSError:
        return None


def start_time() -> int:
    """`--start-time`: the self-test's window start alone, as one line (scripts/bench runs it):
    the window opened offscreen on an empty temporary store, as a user's first window, and closed."""
    started = process_age()
    t = SelfTest(None)
    with tempfile.TemporaryDirectory(prefix="routing-ml-start-") as tmp:
        from app.ui import selftest as ui_selftest   # Qt only from here on
        from app.ui.main import wait_for_warm_up
        gui = ui_selftest.GuiChecks(t, Path(tmp), started)
        gui.start()
        wait_for_warm_up(60)   # its imports must not be cut off by the interpreter's exit
    check = t.checks[0]
    print(f"{check.status} {check.detail}" if check.status == "FAIL" else check.detail, flush=True)
    return 1 if check.status == "FAIL" else 0


def main() -> int:
    """`--self-test` from the command line (app.cli)."""
    # Korean text must reach a Windows console or a redirected file intact, whatever the code page.
    out = sys.stdout
    if out is not None:
        try:
            out.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    return run(out)
