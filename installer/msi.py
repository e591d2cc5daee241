"""Build the MSI from installer/RoutingML.wxs over a bundle with msitools, and check what was built.

`build` runs wixl-heat (the bundle's file list), wixl, then mends two things wixl 0.101–0.106
writes wrongly (`fix_wixl_output`). `check` reads the MSI back with msiinfo and msiextract and
returns every way it differs from what installer/README.md promises IT; an empty list means
the MSI is right. The same code runs on Windows with MSYS2's msitools.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from installer.bundle import APP_NAME, ROOT, msi_version

WXS = ROOT / "installer" / "RoutingML.wxs"
ICON = ROOT / "resources" / "icons" / "routing-ml.ico"
UPGRADE_CODE = "{83131CFF-06B3-4E23-AE76-F13167CA9514}"   # never change: see RoutingML.wxs
PROPERTIES = ("SERVER", "DATABASE", "LDAP_URL", "STORE")   # = app.machine_settings.PROPERTIES
REGISTRY_KEY = r"Software\RoutingML"
HKMU, HKCU, HKLM = -1, 1, 2
WIXL_HKMU = 4                 # what wixl writes for Root="HKMU" (its enum index, not MSI's -1)
MSIDB_64BIT = 256             # Component.Attributes: msidbComponentAttributes64bit
REG_RAW_64BIT = 2 | 16        # RegLocator.Type: msidbLocatorTypeRawValue | msidbLocatorType64bit
TOOLS_HINT = ("install msitools: on Debian `apt-get install wixl msitools`; on Windows MSYS2's "
              "`pacman -S mingw-w64-ucrt-x86_64-msitools`")


class MsiError(Exception):
    """A tool is missing or failed; the message says which and how to get it."""


def tool(name: str) -> str:
    """The path of an msitools program: on PATH, or in MSYS2's usual folders on Windows."""
    found = shutil.which(name)
    if found:
        return found
    if sys.platform == "win32":
        for root in (os.environ.get("MSYS2_ROOT", ""), r"C:\msys64"):
            for sub in ("ucrt64", "mingw64", "clang64"):
                candidate = Path(root) / sub / "bin" / f"{name}.exe"
                if root and candidate.exists():
                    return str(candidate)
    raise MsiError(f"{name} not found: {TOOLS_HINT}")


def _run(args: list[str], cwd: Path | None = None, stdin: str | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", check=False)
    if proc.returncode != 0:
        raise MsiError(f"{Path(args[0]).name} failed ({proc.returncode}): "
                       f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
    return proc.stdout


def _rel(path: Path, start: Path) -> str:
    # wixl 0.101 asserts on absolute paths (fixed in later versions): give it relative ones
    return Path(os.path.relpath(path, start)).as_posix()


def bundle_files(bundle: Path) -> list[str]:
    """The bundle's regular files, relative, with '/' (symbolic links are not files: an MSI
    cannot hold them; only Linux bundles have them)."""
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())


def build(bundle: Path, version: str, out: Path, workdir: Path) -> Path:
    """Write the MSI of `bundle` (dist/RoutingML) to `out`; intermediate files go to `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = bundle_files(bundle)
    prefix = _rel(bundle, workdir) + "/"
    listing = "".join(prefix + f + "\n" for f in files)
    fragment = _run([tool("wixl-heat"), "-p", prefix, "--directory-ref", "INSTALLDIR",
                     "--component-group", "CG.Bundle", "--var", "var.BundleDir", "--win64"],
                    cwd=workdir, stdin=listing)
    (workdir / "bundle.wxs").write_text(fragment, encoding="utf-8")
    target = workdir / out.name
    _run([tool("wixl"), "-a", "x64", "-D", f"Version={msi_version(version)}",
          "-D", f"BundleDir={_rel(bundle, workdir)}", "-D", f"IconFile={_rel(ICON, workdir)}",
          "-D", "Win64=yes", "-o", out.name, _rel(WXS, workdir), "bundle.wxs"], cwd=workdir)
    fix_wixl_output(target)
    if target.resolve() != out.resolve():
        shutil.move(str(target), out)
    return out


def fix_wixl_output(msi: Path) -> None:
    """What wixl gets wrong, mended in the database: Root="HKMU" is written as 4 where Windows
    Installer means -1 (install-dependent root), and `Secure="yes"` is ignored, so a per-machine
    install would drop the properties given on the command line before they reach the registry."""
    query = "UPDATE `Registry` SET `Root` = -1 WHERE `Root` = 4"
    _run([tool("msibuild"), msi.name, "-q", query], cwd=msi.parent)
    secure = read_table(msi, "Property").get("SecureCustomProperties", [""])[0]
    names = [n for n in secure.split(";") if n]
    names += [p for p in (*PROPERTIES, "INSTALLDIR") if p not in names]
    query = f"UPDATE `Property` SET `Value` = '{';'.join(names)}' WHERE `Property` = 'SecureCustomProperties'"
    _run([tool("msibuild"), msi.name, "-q", query], cwd=msi.parent)


# ---- reading an MSI back --------------------------------------------------------------------------
def read_rows(msi: Path, table: str) -> list[list[str]]:
    """A table's rows as text fields (msiinfo export: a header, a types line, a keys line, rows)."""
    if table not in tables(msi):
        return []
    text = _run([tool("msiinfo"), "export", msi.name, table], cwd=msi.parent)
    lines = text.replace("\r\n", "\n").split("\n")[3:]
    return [line.split("\t") for line in lines if line]


def read_table(msi: Path, table: str) -> dict[str, list[str]]:
    """{first column: the other columns} of a table keyed by its first column."""
    return {row[0]: row[1:] for row in read_rows(msi, table)}


def tables(msi: Path) -> set[str]:
    return set(_run([tool("msiinfo"), "tables", msi.name], cwd=msi.parent).split())


def summary(msi: Path) -> dict[str, str]:
    text = _run([tool("msiinfo"), "suminfo", msi.name], cwd=msi.parent)
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


@dataclass
class Findings:
    problems: list[str]
    facts: list[str]          # what was checked and found right, for the build's log


def check(msi: Path, bundle: Path, version: str) -> Findings:
    """Everything installer/README.md promises about the MSI, read back from the file itself."""
    problems: list[str] = []
    facts: list[str] = []
    msi = msi.resolve()

    info = summary(msi)
    if info.get("Template") != "x64;1033":
        problems.append(f"summary Template is {info.get('Template')!r}, not 'x64;1033' (64-bit, English)")

    props = {k: v[0] for k, v in read_table(msi, "Property").items()}
    expected = {"ProductName": "Routing ML", "ProductVersion": msi_version(version),
                "UpgradeCode": UPGRADE_CODE, "ALLUSERS": "2", "ARPPRODUCTICON": "RoutingML.ico"}
    for name, want in expected.items():
        if props.get(name) != want:
            problems.append(f"property {name} is {props.get(name)!r}, not {want!r}")
    secure = set(props.get("SecureCustomProperties", "").split(";"))
    for name in (*PROPERTIES, "WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"):
        if name not in secure:
            problems.append(f"{name} is not in SecureCustomProperties: a per-machine install would drop it")
    facts.append(f"ProductVersion {props.get('ProductVersion')}, UpgradeCode {props.get('UpgradeCode')}, "
                 f"ProductCode {props.get('ProductCode')}")

    upgrade = read_rows(msi, "Upgrade")
    detect = [r for r in upgrade if r[0] == UPGRADE_CODE and r[-1] == "WIX_UPGRADE_DETECTED"]
    if not detect or detect[0][2] != msi_version(version):
        problems.append("no Upgrade row finds older versions of this UpgradeCode (major upgrade)")
    if not any(r[-1] == "WIX_DOWNGRADE_DETECTED" for r in upgrade):
        problems.append("no Upgrade row refuses a downgrade")
    sequence = {r[0]: (r[1], int(r[2])) for r in read_rows(msi, "InstallExecuteSequence")}
    if "RemoveExistingProducts" not in sequence:
        problems.append("RemoveExistingProducts is not sequenced: an upgrade would leave the old version")

    registry = {r[3]: r for r in read_rows(msi, "Registry") if r[2] == REGISTRY_KEY}
    for name in PROPERTIES:
        row = registry.get(name)
        if row is None:
            problems.append(f"no Registry row writes {name} to {REGISTRY_KEY}")
            continue
        if int(row[1]) != HKMU:
            problems.append(f"Registry row {name} has Root {row[1]}, not -1 (HKLM per machine, HKCU per user)")
        if row[4] != f"[{name}]":
            problems.append(f"Registry row {name} writes {row[4]!r}, not the property [{name}]")
    locators = {r[0]: r for r in read_rows(msi, "RegLocator")}
    searches = read_rows(msi, "AppSearch")
    actions = {r[0]: r for r in read_rows(msi, "CustomAction")}
    ui_sequence = {r[0]: (r[1], int(r[2])) for r in read_rows(msi, "InstallUISequence")}
    for name in PROPERTIES:
        roots = {int(locators[s][1]) for p, s in searches if p == name and s in locators
                 and locators[s][2] == REGISTRY_KEY and locators[s][3] == name
                 and int(locators[s][4]) == REG_RAW_64BIT}
        if HKLM not in roots:
            problems.append(f"{name} is not read back from HKLM\\{REGISTRY_KEY} (64-bit) on repair and upgrade")
        save, restore = f"SaveCmdLine{name}", f"RestoreCmdLine{name}"
        if not (_sets_property(actions.get(save), f"CMDLINE_{name}")
                and _sets_property(actions.get(restore), name)):
            problems.append(f"{name}: the command-line value is not kept over the remembered one "
                            f"(custom actions {save}/{restore})")
            continue
        for seq_name, seq in (("InstallExecuteSequence", sequence), ("InstallUISequence", ui_sequence)):
            app_search = seq.get("AppSearch", ("", 0))[1]
            if not (seq.get(save, ("", 10**6))[1] < app_search < seq.get(restore, ("", -1))[1] < app_search + 10):
                problems.append(f"{seq_name}: {save} must run just before AppSearch and {restore} just after")
    facts.append(f"properties {', '.join(PROPERTIES)}: secure, written to HKMU\\{REGISTRY_KEY}, "
                 f"remembered from HKLM/HKCU on repair and upgrade")

    directories = read_table(msi, "Directory")
    if directories.get("INSTALLDIR", [None])[0] != "ProgramFiles64Folder":
        problems.append("INSTALLDIR is not under ProgramFiles64Folder")
    shortcuts = [r for r in read_rows(msi, "Shortcut") if r[1] == "ProgramMenuFolder"]
    if not any(r[4] == f"[INSTALLDIR]{APP_NAME}.exe" for r in shortcuts):
        problems.append(f"no Start-menu shortcut to [INSTALLDIR]{APP_NAME}.exe")
    components = read_rows(msi, "Component")
    not64 = [r[0] for r in components if not int(r[3]) & MSIDB_64BIT]
    if not64:
        problems.append(f"{len(not64)} components are not 64-bit, e.g. {not64[0]}")
    no_guid = [r[0] for r in components if not r[1]]
    if no_guid:
        problems.append(f"{len(no_guid)} components have no GUID and could never be uninstalled, e.g. {no_guid[0]}")

    problems += compare_files(msi, bundle)
    facts.append(f"{len(bundle_files(bundle)):,} bundle files inside, byte for byte; "
                 f"{len(components):,} components, all 64-bit")
    return Findings(problems, facts)


def _sets_property(action: list[str] | None, name: str) -> bool:
    """A type-51 custom action (set a property), run at once (not deferred), setting `name`.
    wixl 0.101 ignores Execute="firstSequence"; later versions add its flag (0x100): both are right."""
    if action is None or action[2] != name:
        return False
    kind = int(action[1])
    return kind & 0x3F == 51 and not kind & 0x400


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def compare_files(msi: Path, bundle: Path) -> list[str]:
    """Every file of the bundle in the MSI (msiextract), with the same bytes; nothing else."""
    with tempfile.TemporaryDirectory(prefix="msiextract-") as tmp:
        _run([tool("msiextract"), "-C", tmp, str(msi)])
        root = Path(tmp) / APP_NAME
        inside = set(bundle_files(root)) if root.exists() else set()
        want = set(bundle_files(bundle))
        problems = [f"missing from the MSI: {f}" for f in sorted(want - inside)[:20]]
        problems += [f"in the MSI but not in the bundle: {f}" for f in sorted(inside - want)[:20]]
        differing = [f for f in sorted(want & inside) if _digest(root / f) != _digest(bundle / f)]
        problems += [f"differs from the bundle: {f}" for f in differing[:20]]
        for label, n in (("missing", len(want - inside)), ("extra", len(inside - want)),
                         ("differing", len(differing))):
            if n > 20:
                problems.append(f"... {n} files {label} in all")
    return problems


def describe_tables(msi: Path) -> str:
    return ", ".join(sorted(t for t in tables(msi) if not t.startswith("_")))

