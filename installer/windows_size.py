"""The Windows bundle's size, estimated on Linux from the Linux bundle and the Windows wheels.

Nothing here runs Windows, so the Windows bundle cannot be measured. Each file the Linux bundle
keeps is looked up at its size in the `win_amd64` wheels of the same packages: an extension module
`pkg/mod.cpython-311-x86_64-linux-gnu.so` is `pkg/mod.cp312-win_amd64.pyd` (or `pkg/mod.pyd`), a Qt
library `PySide6/Qt/lib/libQt6Gui.so.6` is `PySide6/Qt6Gui.dll`, a plugin `libqxcb.so` is
`qwindows.dll`; ICU and the Linux system libraries have no Windows counterpart (Windows' Qt uses the
system's ICU); a wheel's `<package>.libs/` DLLs (delvewheel) come with its package; data and the
modules' archive are the same files. The Python runtime (python312.dll, OpenSSL, SQLite, the
standard library's extension modules) is not in any wheel: PYTHON_RUNTIME_MIB is assumed for it.

    pip download --dest WHEELS --platform win_amd64 --python-version 3.12 --only-binary=:all: . \\
        "pyinstaller>=6.10,<7" winkerberos pywin32-ctypes
    python -m installer.windows_size dist/RoutingML WHEELS
    scripts/build --windows-wheels WHEELS      (the same estimate, one line, beside the target)
"""
from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

#: python312.dll 7, libcrypto-3 5, libssl-3 0.8, sqlite3 1.6, the extension modules (.pyd) ~4 and the
#: MSVC runtime: python.org's 3.12 for Windows, by its files' sizes; not in a wheel, not measured here
PYTHON_RUNTIME_MIB = 19.0
#: what PyInstaller collects beside Qt on Windows only: the bindings' own DLLs, the MSVC C++ runtime
#: PySide6 ships, and Direct3D's shader compiler (bundle.OTHER_DROPPED drops only opengl32sw.dll)
WINDOWS_ONLY = ("PySide6/pyside6.abi3.dll", "shiboken6/shiboken6.abi3.dll", "PySide6/msvcp140.dll",
                "PySide6/msvcp140_1.dll", "PySide6/msvcp140_2.dll", "PySide6/vcruntime140_1.dll",
                "PySide6/concrt140.dll", "PySide6/d3dcompiler_47.dll")
SKIPPED_WHEELS = ("pyinstaller-", "pyinstaller_hooks_contrib-", "setuptools-", "altgraph-")
PLUGIN_NAMES = {"qxcb": "qwindows"}
EXTENSION = re.compile(r"^(?P<module>.+)\.(?:cpython-3\d+-[a-z0-9_]+-linux-gnu|abi3)\.so$")


def wheel_files(folder: Path) -> dict[str, int]:
    """Every file of every Windows wheel in `folder` (but the build tools'): path -> size."""
    files: dict[str, int] = {}
    for wheel in sorted(folder.glob("*.whl")):
        if "win_amd64" not in wheel.name and "none-any" not in wheel.name:
            continue
        if wheel.name.lower().startswith(SKIPPED_WHEELS):
            continue
        with zipfile.ZipFile(wheel) as z:
            for info in z.infolist():
                files[info.filename] = info.file_size
    return files


def windows_name(linux: str, windows: dict[str, int]) -> str | None:
    """The Windows wheel's file for a file of the Linux bundle (a path inside `_internal`), or None
    when Windows has none (ICU, the X11 platform's plugins and libraries, Linux system libraries)."""
    m = re.match(r"^PySide6/Qt/lib/lib(Qt6\w+)\.so\.6$", linux)
    if m:
        return f"PySide6/{m[1]}.dll" if f"PySide6/{m[1]}.dll" in windows else None
    m = re.match(r"^PySide6/Qt/plugins/(\w+)/lib(\w+)\.so$", linux)
    if m:
        name = f"PySide6/plugins/{m[1]}/{PLUGIN_NAMES.get(m[2], m[2])}.dll"
        return name if name in windows else None
    m = re.match(r"^PySide6/Qt/translations/(.+)$", linux)
    if m:
        return f"PySide6/translations/{m[1]}" if f"PySide6/translations/{m[1]}" in windows else None
    m = EXTENSION.match(linux)
    if m:
        module = m["module"]
        if f"{module}.pyd" in windows:
            return f"{module}.pyd"
        pattern = re.compile(re.escape(module) + r"\.cp3\d+-win_amd64\.pyd$")
        return next((name for name in windows if pattern.match(name)), None)
    return None


def estimate(bundle: Path, wheels: Path) -> tuple[Counter, list[str]]:
    """(MiB per part of the Windows bundle, Linux binaries without a Windows counterpart)."""
    windows = wheel_files(wheels)
    inner = bundle / "_internal"
    parts: Counter = Counter()
    unmatched: list[str] = []
    packages = set()
    for path in sorted(inner.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        rel = path.relative_to(inner).as_posix()
        top = rel.split("/", 1)[0]
        binary = ".so" in path.name
        if top.endswith(".libs"):
            continue                               # auditwheel's copies: the wheels' own below
        if not binary:
            parts["data and the modules' archive" if top not in ("PySide6", "shiboken6") else top] += path.stat().st_size
            continue
        name = windows_name(rel, windows)
        if name is None:
            unmatched.append(rel)
            continue
        part = top if "/" in rel else EXTENSION.match(rel)["module"]   # pyodbc.cpython-311-….so: pyodbc
        packages.add(part)
        parts[part] += windows[name]
    for name, size in windows.items():            # delvewheel's DLLs of the packages kept, and their own
        folder = name.split("/", 1)[0]            # (sklearn/.libs/vcomp140.dll)
        if name.endswith(".dll") and ((folder.endswith(".libs") and folder[:-5] in packages)
                                      or (folder in packages and "/.libs/" in name)):
            parts[folder] += size
    for name in WINDOWS_ONLY:
        if name in windows:
            parts["PySide6 (Windows only)"] += windows[name]
    parts["Python runtime (assumed)"] = int(PYTHON_RUNTIME_MIB * 2**20)
    executables = [p for p in bundle.iterdir() if p.is_file()]
    parts["the two executables (as on Linux)"] = sum(p.stat().st_size for p in executables)
    return Counter({k: v / 2**20 for k, v in parts.items()}), unmatched


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m installer.windows_size", description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle", type=Path, help="the Linux bundle, dist/RoutingML")
    ap.add_argument("wheels", type=Path, help="a folder of the win_amd64 wheels (see this module's doc)")
    args = ap.parse_args(argv)
    parts, unmatched = estimate(args.bundle, args.wheels)
    print(f"Windows bundle, estimated: {sum(parts.values()):.0f} MiB")
    for name, mib in parts.most_common():
        print(f"  {mib:7.1f}  {name}")
    # expected: the Linux runtime and system libraries, ICU, X11 and input-method plugins, the bindings'
    # libraries (counted under WINDOWS_ONLY); anything else is a module the Windows wheel lacks
    lost = [u for u in unmatched if "/" in u and not u.startswith("python3") and "/libicu" not in u
            and "platforminputcontexts" not in u and not u.rsplit("/", 1)[-1].startswith("lib")]
    print(f"{len(unmatched)} Linux libraries without a Windows file (runtime, system libraries, ICU, X11)"
          + (f"; modules the Windows wheels lack (another version?): {', '.join(lost)}" if lost else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
