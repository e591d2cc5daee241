"""`scripts/build` (Windows: `scripts\\build.cmd`): the bundle, its checks, its self-test, the MSI and its checks.

1. the self-test's tiny demo plant (build/selftest/plant.sqlite), from the program's own generator
2. PyInstaller with build.spec: dist/RoutingML/ (RoutingML and routing-ml, one shared bundle)
3. the bundle: its size beside the target, its largest files, resources and migrations byte for
   byte, and (Linux) no kept library linking to a pruned Qt library
4. `--version` of both executables, `RoutingML --self-test` (its report, with the start-up figure),
   then the console twin `routing-ml` importing, training, predicting and exporting the demo plant
5. the MSI, dist/RoutingML-<version>-x64.msi, read back and checked (installer/msi.py)

Each step is timed. The first failure stops the build: one line says what failed, exit code 1.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from installer import bundle as rules
from installer import msi

ROOT = rules.ROOT
DIST = ROOT / "dist"
BUILD = ROOT / "build"
PLANT = BUILD / "selftest" / "plant.sqlite"
WINDOWS = sys.platform == "win32"
EXE = ".exe" if WINDOWS else ""


class BuildFailed(Exception):
    pass


def say(text: str = "") -> None:
    print(text, flush=True)


def run(args: list[str], log: Path | None = None, env: dict | None = None, timeout: float = 3600) -> str:
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          env=env, timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(output, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        raise BuildFailed(f"{Path(args[0]).name} {' '.join(args[1:3])} exited {proc.returncode}"
                          + (f" (log: {log})" if log else "") + f"\n{tail}")
    return output


# ---- steps ----------------------------------------------------------------------------------------
def make_plant() -> str:
    from app.selftest import SELFTEST_ITEMS, SELFTEST_SEED
    PLANT.parent.mkdir(parents=True, exist_ok=True)
    PLANT.unlink(missing_ok=True)
    out = run([sys.executable, "-m", "app", "demo-data", "--items", str(SELFTEST_ITEMS), "--seed",
               str(SELFTEST_SEED), "--out", str(PLANT)])
    return out.strip().splitlines()[-1]


def pyinstaller() -> str:
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(DIST),
         "--workpath", str(BUILD / "pyinstaller"), str(ROOT / "build.spec")], log=BUILD / "pyinstaller.log")
    pruned = (BUILD / "pruned.txt").read_text(encoding="utf-8").splitlines()
    return f"{bundle_dir()} ({len(pruned)} Qt and other files pruned: build/pruned.txt)"


def bundle_dir() -> Path:
    return DIST / rules.APP_NAME


def data_dir(b: Path) -> Path:
    return b / "_internal" if (b / "_internal").is_dir() else b


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_bundle() -> list[str]:
    """Lines to print; raises BuildFailed naming what is wrong."""
    b = bundle_dir()
    files = [p for p in b.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    mib = size / 2**20
    verdict = ("within it" if mib <= rules.SIZE_TARGET_MB else
               f"{mib - rules.SIZE_TARGET_MB:,.0f} MiB over it; what makes the floor: installer/README.md")
    lines = [f"bundle size: {mib:,.0f} MiB in {len(files):,} files (target ≤ {rules.SIZE_TARGET_MB} MiB: {verdict}; "
             f"the build fails above {rules.SIZE_CEILING_MB} MiB)"]
    by_top: dict[str, int] = {}
    inner = data_dir(b)
    for p in files:
        rel = p.relative_to(inner) if inner in p.parents else p.relative_to(b)
        by_top[rel.parts[0]] = by_top.get(rel.parts[0], 0) + p.stat().st_size
    biggest = sorted(by_top.items(), key=lambda kv: -kv[1])[:10]
    lines.append("largest parts: " + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in biggest) + " (MiB)")
    if mib > rules.SIZE_CEILING_MB:
        raise BuildFailed("\n".join(lines) + f"\nthe bundle grew past {rules.SIZE_CEILING_MB} MiB: "
                          "see installer/README.md (what is pruned, and how to find what grew)")

    archive = inner / rules.SHARED_ARCHIVE
    exes = {name: (b / f"{name}{EXE}").stat().st_size / 2**20 for name in (rules.APP_NAME, rules.CLI_NAME)
            if (b / f"{name}{EXE}").is_file()}
    if not archive.is_file():
        raise BuildFailed(f"{archive} is missing: build.spec puts the Python modules there for both executables")
    lines.append(f"the Python modules: {archive.relative_to(b)} ({archive.stat().st_size / 2**20:.0f} MiB), shared by "
                 + " and ".join(f"{name} ({size:.1f} MiB)" for name, size in exes.items()))
    fat = [name for name, size in exes.items() if size > rules.EXECUTABLE_CEILING_MB]
    if fat:
        raise BuildFailed(f"{', '.join(fat)} is larger than {rules.EXECUTABLE_CEILING_MB} MiB: it embeds the "
                          f"Python modules again instead of reading {rules.SHARED_ARCHIVE} (build.spec)")

    symlinks = [p for p in b.rglob("*") if p.is_symlink()]
    if WINDOWS and symlinks:
        raise BuildFailed(f"the Windows bundle has symbolic links an MSI cannot hold: {symlinks[0]}")
    for exe in (rules.APP_NAME, rules.CLI_NAME):
        if not (b / f"{exe}{EXE}").is_file():
            raise BuildFailed(f"{b / (exe + EXE)} was not built")

    problems = []
    for src_root, dest_root, keep in (
            (ROOT / "resources", inner / "resources", lambda p: p.suffix != ".ts"),
            (ROOT / "app" / "store" / "migrations", inner / "app" / "store" / "migrations",
             lambda p: p.suffix in (".py", ".mako"))):
        wanted = [p for p in src_root.rglob("*") if p.is_file() and keep(p) and "__pycache__" not in p.parts]
        for p in wanted:
            copy = dest_root / p.relative_to(src_root)
            if not copy.is_file():
                problems.append(f"missing in the bundle: {copy.relative_to(b)}")
            elif _digest(copy) != _digest(p):
                problems.append(f"differs from {p.relative_to(ROOT)}: {copy.relative_to(b)}")
        lines.append(f"{len(wanted)} files of {src_root.relative_to(ROOT)} in the bundle, byte for byte")
    if not WINDOWS:
        problems += rules.missing_qt_links(b)
        lines.append("every kept library finds the Qt libraries it links to")
    if problems:
        raise BuildFailed("\n".join(problems[:30]))
    return lines


def windows_estimate(wheels: Path) -> str:
    """One line: the Windows bundle's size estimated from the Linux bundle and the Windows wheels,
    beside the target, with its largest parts."""
    from installer import windows_size
    if not any(wheels.glob("*win_amd64.whl")):
        raise BuildFailed(f"{wheels} holds no win_amd64 wheel: installer/windows_size.py says how to download them")
    parts, _ = windows_size.estimate(bundle_dir(), wheels)
    mib = sum(parts.values())
    verdict = "within it" if mib <= rules.SIZE_TARGET_MB else f"{mib - rules.SIZE_TARGET_MB:,.0f} MiB over it"
    return (f"Windows bundle, estimated from {wheels}: {mib:,.0f} MiB (target ≤ {rules.SIZE_TARGET_MB} MiB: "
            f"{verdict}); largest: " + ", ".join(f"{k} {v:.0f}" for k, v in parts.most_common(6)) + " (MiB)")


def check_version(version: str) -> str:
    b = bundle_dir()
    out = run([str(b / f"{rules.CLI_NAME}{EXE}"), "--version"]).strip()
    if out != f"routing-ml {version}":
        raise BuildFailed(f"{rules.CLI_NAME} --version printed {out!r}, not 'routing-ml {version}'")
    run([str(b / f"{rules.APP_NAME}{EXE}"), "--version"])   # windowed: no console on Windows, so exit code only
    return out


def self_test() -> tuple[list[str], str]:
    """`RoutingML --self-test`, the windowed program itself; its report comes from the log folder
    because on Windows it has no console. Returns the report's lines and the start-up figure."""
    from app.logs import log_dir
    report = log_dir() / "self-test.txt"
    report.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    b = bundle_dir()
    t0 = time.perf_counter()
    proc = subprocess.run([str(b / f"{rules.APP_NAME}{EXE}"), "--self-test"], cwd=DIST, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=900,
                          check=False)
    took = time.perf_counter() - t0
    lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else \
        (proc.stdout + proc.stderr).splitlines()
    figure = next((re.search(r"window shown (.*?\))", line).group(1) for line in lines
                   if "window shown" in line), "not measured")
    if proc.returncode != 0:
        raise BuildFailed("\n".join(lines[-30:]) + f"\n{rules.APP_NAME} --self-test exited {proc.returncode} "
                          f"after {took:.0f} s")
    return lines, figure


def console_run() -> list[str]:
    """The console twin as an engineer runs it, on the bundled demo plant in a fresh store: import,
    train, predict and export (XLSX) through a profile that knows this user's employee number. The
    self-test does the same inside one process; this proves the command line's paths in the frozen
    program too, so a prune that breaks training, prediction or export fails the build."""
    import json
    import shutil
    import sqlite3
    import tempfile

    from app.services.identity import os_account

    cli = str(bundle_dir() / f"{rules.CLI_NAME}{EXE}")
    plant = data_dir(bundle_dir()) / "selftest" / "plant.sqlite"
    work = Path(tempfile.mkdtemp(prefix="routing-ml-build-cli-"))
    env = dict(os.environ, ROUTING_ML_LOG_DIR=str(work / "logs"))
    env.pop("ROUTING_ML_STORE", None)
    store = ["--store", str(work / "store.sqlite")]
    lines = []

    def cli_run(*args: str) -> str:
        t0 = time.perf_counter()
        out = run([cli, *args, *store], env=env, timeout=900)
        what = " ".join(a for a in args[:2] if not a.startswith("-"))
        lines.append(f"  {time.perf_counter() - t0:5.1f} s  routing-ml {what}")
        return out

    try:
        cli_run("import", "--source", str(plant))
        cli_run("train")
        with sqlite3.connect(plant) as conn:
            routed = {r[0] for r in conn.execute("SELECT DISTINCT ITEM_CD FROM BI_ROUTING_VIEW")}
            item = next(r[0] for r in conn.execute("SELECT ITEM_CD FROM BI_ITEM_INFO_VIEW ORDER BY ITEM_CD")
                        if r[0] not in routed)
        predicted = json.loads(cli_run("predict", "--item", item, "--json"))
        candidates = predicted["predictions"][0]["candidates"] if predicted["predictions"] else []
        if predicted["errors"] or not candidates or not candidates[0]["operations"]:
            raise BuildFailed(f"routing-ml predict --item {item} gave no routing: {predicted['errors']}")
        profile = work / "profile.json"      # the bundled ERP profile, as `profiles export ERP` writes it
        bundled = data_dir(bundle_dir()) / "resources" / "profiles" / "ERP.json"
        data = json.loads(bundled.read_text(encoding="utf-8"))
        data["name"] = "BUILD"
        for lookup in data["lookups"]:
            if lookup["name"] == "EMPLOYEE_NO":
                lookup["values"][os_account()[0]] = "100001"
        profile.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        cli_run("profiles", "import", str(profile))
        out = work / "erp.xlsx"
        result = json.loads(cli_run("export", "--profile", "BUILD", "--format", "xlsx", "--out", str(out),
                                    "--items", item, "--json"))
        operations = len(candidates[0]["operations"])
        if (result["written"].get("P_BOP_PROC_MASTER") != 1 or result["written"].get("P_BOP_PROC_DETAIL") != operations
                or not out.is_file()):
            raise BuildFailed(f"routing-ml export of {item} ({operations} operations) wrote {result['written']} "
                              f"to {out}")
        lines.insert(0, f"{item}: trained, predicted ({operations} operations), exported to XLSX: "
                        + ", ".join(f"{t} {n}" for t, n in result["written"].items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


def next_version(version: str) -> str:
    major, minor, patch, _ = rules.numeric_version(version)
    return f"{major}.{minor}.{patch + 1}"


def build_msi(version: str, folder: Path = DIST) -> tuple[Path, list[str]]:
    out = folder / f"{rules.APP_NAME}-{version}-x64.msi"
    msi.build(bundle_dir(), version, out, BUILD / "msi")
    findings = msi.check(out, bundle_dir(), version)
    if findings.problems:
        raise BuildFailed(f"{out} is not right:\n" + "\n".join(findings.problems))
    lines = [f"{out} ({out.stat().st_size / 2**20:,.0f} MiB): tables {msi.describe_tables(out)}"]
    return out, lines + findings.facts


# ---- the whole -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/build", description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-pyinstaller", action="store_true", help="check and package dist/RoutingML as it is")
    ap.add_argument("--no-msi", action="store_true", help="stop after the bundle's self-test")
    ap.add_argument("--no-self-test", action="store_true", help="skip the self-test (not for releases)")
    ap.add_argument("--windows-wheels", metavar="DIR", type=Path,
                    help="(not on Windows) also estimate the Windows bundle's size from the win_amd64 wheels in "
                         "DIR, beside the target (installer/windows_size.py says how to download them)")
    ap.add_argument("--upgrade-test-msi", action="store_true",
                    help="also an MSI of the same bundle one version up, in dist/upgrade-test/, to try a "
                         "major upgrade with (the Windows workflow does)")
    args = ap.parse_args(argv)
    version = rules.read_version()
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
    figure = "not measured"

    def step(name: str, fn):
        say(f"== {name}")
        t0 = time.perf_counter()
        result = fn()
        timings.append((name, time.perf_counter() - t0))
        return result

    try:
        say(f"Routing ML {version}: building on {sys.platform} with Python {sys.version.split()[0]}")
        if not args.skip_pyinstaller:
            say(step("self-test demo plant", make_plant))
            say(step("PyInstaller (build.spec)", pyinstaller))
        for line in step("bundle checks", check_bundle):
            say(line)
        if args.windows_wheels and not WINDOWS:
            say(windows_estimate(args.windows_wheels))
        say(step("--version", lambda: check_version(version)))
        if not args.no_self_test:
            lines, figure = step("self-test (RoutingML --self-test)", self_test)
            for line in lines:
                say(line)
            for line in step("console twin: import, train, predict, export", console_run):
                say(line)
        if not args.no_msi:
            _, lines = step("MSI (wixl) and its check (msiinfo, msiextract)", lambda: build_msi(version))
            for line in lines:
                say(line)
        if args.upgrade_test_msi:
            newer = next_version(version)
            _, lines = step(f"upgrade-test MSI {newer}", lambda: build_msi(newer, DIST / "upgrade-test"))
            say(lines[0])
    except (BuildFailed, msi.MsiError, subprocess.TimeoutExpired) as exc:
        say(f"BUILD FAILED: {exc}")
        return 1
    say("== timings")
    for name, seconds in timings:
        say(f"  {seconds:6.1f} s  {name}")
    say(f"  {time.perf_counter() - started:6.1f} s  in all")
    say(f"frozen window appears: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
