"""What build.spec puts into the bundle, and what it leaves out — kept here so tests can check it.

PyInstaller's hooks collect every Qt plugin, library and translation of each Qt module they meet,
whatever the program uses; `excludes` stops Python modules only. `prune` drops the rest by path,
and `missing_qt_links` proves afterwards (on Linux) that nothing kept needs a library dropped.
"""
from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "RoutingML"            # the folder, the windowed executable, the MSI
CLI_NAME = "routing-ml"           # the console twin beside it, for the command line
COMPANY = "Routing ML"
DESCRIPTION = "Routing ML - routings for new items from similar items and shop-floor results"
SHARED_ARCHIVE = "modules.pyz"    # the Python modules, read by both executables (rthook_shared_modules.py)
EXECUTABLE_CEILING_MB = 5         # each executable: its bootloader, icon, version and an empty module archive (< 1 MiB)
SIZE_TARGET_MB = 200              # the target for the unpacked bundle
SIZE_CEILING_MB = 450             # above this the build fails: something big slipped in (430 measured, installer/README.md)

#: bytecode without docstrings and asserts (python -OO), for both the modules' archive and the
#: interpreter (OPTIMIZE_FLAGS), so that libraries which look at sys.flags.optimize know: modules.pyz
#: 17 MiB instead of 22. NumPy, SciPy, scikit-learn, polars and SQLAlchemy support -OO; the self-test
#: and the console run of scripts/build cover the rest of what the program runs
OPTIMIZE = 2
OPTIMIZE_FLAGS = [("O", None, "OPTION")] * OPTIMIZE

#: Python modules the program never uses, though some library names them
EXCLUDES = [
    "tkinter", "_tkinter", "PIL", "IPython", "matplotlib", "pytest", "_pytest", "hypothesis", "pytestqt",
    "PyInstaller", "setuptools", "pip", "pkg_resources", "pydoc_data", "lib2to3", "unittest.mock",
    # Mako (Alembic's templates for writing new migrations, never used to run them) offers Pygments
    # highlighting and test helpers; NumPy's and SciPy's __config__ try YAML for show_config()
    "pygments", "mako.ext", "mako.testing", "yaml", "_yaml",
    # Qt modules that pyqtgraph or PySide6 try to import but the program does not use. pyqtgraph
    # imports QtOpenGLWidgets (it stays: small) and QtOpenGL (8.5 MB, the largest binding) even when
    # it draws without OpenGL, as the program's charts do: rthook_no_qtopengl.py stands in for it
    "PySide6.QtOpenGL", "PySide6.QtTest", "PySide6.QtNetwork",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtPrintSupport",
    "PySide6.QtSql", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtHelp", "PySide6.QtDesigner",
    "PySide6.QtUiTools", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtMultimedia",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore", "pyqtgraph.opengl",
]

#: Qt's own translations: only the Korean one for Qt's dialogs and buttons (app/ui/i18n.py)
QT_TRANSLATIONS_KEPT = {"qtbase_ko.qm"}

#: Qt plugins the window needs, by folder: all others are dropped
QT_PLUGINS_KEPT = {
    "platforms": {"qwindows", "qoffscreen", "qxcb"},     # Windows; the self-test; Linux desktops
    "iconengines": {"qsvgicon"},                          # the SVG application icon
    "imageformats": {"qsvg"},
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "styles": set(),                                      # the program sets Fusion (app/ui/look.py)
}

#: Qt libraries (Qt6Name.dll / libQt6Name.so.6) that no kept module or plugin needs
QT_LIBS_DROPPED = [
    "Qt6Network", "Qt6Test", "Qt6Qml*", "Qt6Quick*", "Qt6Pdf*",
    "Qt6Wayland*", "Qt6Wl*", "Qt6EglFS*", "Qt6EglFs*", "Qt6VirtualKeyboard*", "Qt6Multimedia*",
    "Qt6PrintSupport", "Qt6Sql", "Qt6Xml", "Qt6Concurrent", "Qt6Designer*", "Qt6Help", "Qt6Labs*",
    "Qt6ShaderTools", "Qt63D*", "Qt6WebEngine*", "Qt6Lottie*", "Qt6Charts*", "Qt6Graphs*",
]

#: other files by pattern (on the path inside the bundle)
OTHER_DROPPED = [
    "*/opengl32sw.dll",          # Qt's software OpenGL for Qt Quick; widgets draw without OpenGL
    "PySide6/*.pyi", "PySide6/typesystems/*", "PySide6/include/*", "PySide6/glue/*",
    "shiboken6/*.pyi",
    "PySide6/QtOpenGL.*",        # the binding (EXCLUDES); its library Qt6OpenGL stays: QtOpenGLWidgets links to it
    # collected as data by scikit-learn's hook: its sample data sets (sklearn.datasets, never imported)
    # and the Cython and C sources of its compiled modules
    "sklearn/datasets/*", "sklearn/*.pyx", "sklearn/*.pxd", "sklearn/*.pxi", "sklearn/*.tp",
    "sklearn/*.c", "sklearn/*.cpp", "sklearn/*.h",
    "pyqtgraph/icons/peegee/*",  # pyqtgraph's own application icon, set only when it makes the QApplication
    "PySide6/Qt/qml/*", "PySide6/qml/*", "PySide6/Qt/metatypes/*", "PySide6/metatypes/*",
    "PySide6/Qt/libexec/*", "PySide6/Qt/resources/*", "PySide6/resources/*",
]


def _readelf(path: str, *flags: str) -> str:
    try:
        return subprocess.run(["readelf", *flags, "-W", path], capture_output=True, text=True,
                              check=False).stdout
    except FileNotFoundError:
        raise SystemExit("readelf and strip (Debian package binutils) are needed to build on Linux") from None


def strippable(dest: str, src: str) -> bool:
    """Whether a Linux library may lose its symbols (-60 MB in all, polars' 40 of them).

    Not the libraries auditwheel vendored into `<package>.libs/` or those linking to them: patchelf
    rewrote their layout and `strip` breaks it ("ELF load command address/offset not page-aligned",
    seen with numpy's OpenBLAS)."""
    if _posix(dest).split("/", 1)[0].endswith(".libs"):
        return False
    if ".symtab" not in _readelf(src, "-S"):
        return False
    dynamic = _readelf(src, "-d")
    return not any(".libs" in line for line in dynamic.splitlines() if "RPATH" in line or "RUNPATH" in line)


def strip_copies(binaries: list[tuple], workdir: Path) -> list[tuple]:
    """The TOC with each strippable library replaced by a stripped copy made in `workdir` (Linux)."""
    out = []
    for dest, src, kind in binaries:
        if kind in ("BINARY", "EXTENSION") and strippable(dest, src):
            copy = workdir / _posix(dest)
            if not copy.exists() or copy.stat().st_mtime < Path(src).stat().st_mtime:
                copy.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(["strip", "--strip-unneeded", "-o", str(copy), src], check=True)
            src = str(copy)
        out.append((dest, src, kind))
    return out


def read_version(root: Path = ROOT) -> str:
    """`__version__` of app/__init__.py, the single version source, read without importing the app."""
    path = root / "app" / "__init__.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise SystemExit(f"{path} has no __version__ = '...' line")


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows wants (file version, MSI ProductVersion) from '1.2.3' or '1.2.3.dev4'.

    MSI compares only the first three fields and allows at most 255.255.65535, so a version beyond
    that could never upgrade an installation: it is refused here, at build time."""
    m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not m:
        raise SystemExit(f"__version__ {version!r} does not start with numbers like 1.2.3")
    major, minor, patch, build = (int(x) if x else 0 for x in m.groups())
    if major > 255 or minor > 255 or patch > 65535:
        raise SystemExit(f"__version__ {version!r} is beyond what an MSI can compare (255.255.65535)")
    return major, minor, patch, build


def msi_version(version: str) -> str:
    return ".".join(str(n) for n in numeric_version(version)[:3])


def version_file_text(version: str) -> str:
    """The executables' Windows version resource (Explorer ▸ Properties ▸ Details), in the text
    form PyInstaller's `EXE(version=FILE)` reads (its VSVersionInfo serialization, evaluated with
    PyInstaller's classes). Written as text so it can be built, and checked, off Windows too."""
    numbers = numeric_version(version)
    strings = [
        ("CompanyName", COMPANY),
        ("FileDescription", DESCRIPTION),
        ("FileVersion", version),
        ("InternalName", APP_NAME),
        ("LegalCopyright", f"Copyright {COMPANY}"),
        ("OriginalFilename", f"{APP_NAME}.exe"),
        ("ProductName", "Routing ML"),
        ("ProductVersion", version),
    ]
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings)
    return (
        "# UTF-8\n"
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers!r}, prodvers={numbers!r}, mask=0x3f, flags=0x0,\n"
        "                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        "  kids=[\n"
        "    StringFileInfo([\n"
        "      StringTable('040904B0', [\n"      # U.S. English, Unicode
        f"{table}])]),\n"
        "    VarFileInfo([VarStruct('Translation', [1033, 1200])])\n"
        "  ]\n"
        ")\n"
    )


def imports_in(files: Iterable[Path]) -> list[str]:
    """Modules imported by scripts loaded from files by path (the Alembic migrations), which
    PyInstaller's analysis never reads: they must be bundled as hidden imports."""
    found: set[str] = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"), str(f))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return sorted(found)


def data_files(root: Path = ROOT, plant: Path | None = None) -> list[tuple[str, str]]:
    """(source, folder in the bundle) for every file the program loads by path."""
    out: list[tuple[str, str]] = []
    res = root / "resources"
    for f in sorted(res.rglob("*")):
        if f.is_file() and f.suffix != ".ts" and "__pycache__" not in f.parts:   # .ts: translators' source
            out.append((str(f), str(Path("resources") / f.parent.relative_to(res))))
    mig = root / "app" / "store" / "migrations"
    for f in sorted(mig.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".mako") and "__pycache__" not in f.parts:
            out.append((str(f), str(Path("app/store/migrations") / f.parent.relative_to(mig))))
    if plant is not None:
        out.append((str(plant), "selftest"))
    return out


def _posix(name: str) -> str:
    return name.replace("\\", "/")


def _qt_lib_name(dest: str) -> str | None:
    """'Qt6Gui' for PySide6/Qt6Gui.dll or PySide6/Qt/lib/libQt6Gui.so.6; None for anything else."""
    base = dest.rsplit("/", 1)[-1]
    m = re.match(r"^(?:lib)?(Qt6[A-Za-z0-9]+)\.(?:dll|so(?:\.\d+)*)$", base)
    return m.group(1) if m else None


def dropped_reason(dest: str) -> str | None:
    """Why the file at `dest` (its path inside the bundle) is left out, or None to keep it."""
    dest = _posix(dest)
    if "/translations/" in dest and dest.startswith("PySide6/") and dest.endswith(".qm"):
        return None if dest.rsplit("/", 1)[-1] in QT_TRANSLATIONS_KEPT else "Qt translation"
    m = re.match(r"^PySide6/(?:Qt/)?plugins/([^/]+)/(?:lib)?([^/.]+)", dest)
    if m:
        folder, plugin = m.groups()
        return None if plugin in QT_PLUGINS_KEPT.get(folder, set()) else f"Qt plugin {folder}"
    lib = _qt_lib_name(dest)
    if lib and any(fnmatch.fnmatchcase(lib, p) for p in QT_LIBS_DROPPED):
        return "Qt library"
    if any(fnmatch.fnmatchcase(dest, p) for p in OTHER_DROPPED):
        return "not used"
    return None


def prune(toc: list[tuple]) -> tuple[list[tuple], list[tuple[str, str]]]:
    """(the entries kept, [(dest, reason)] dropped) of a PyInstaller TOC (binaries or datas)."""
    kept, dropped = [], []
    for entry in toc:
        reason = dropped_reason(entry[0])
        if reason:
            dropped.append((_posix(entry[0]), reason))
        else:
            kept.append(entry)
    return kept, dropped


def missing_qt_links(bundle: Path) -> list[str]:
    """On Linux: every ELF file in the bundle whose needed Qt libraries are not in the bundle
    (a pruned library that something kept still links to). Empty when all is well."""
    present = {p.name for p in bundle.rglob("*") if p.is_file()}
    problems = []
    for f in sorted(bundle.rglob("*")):
        if not f.is_file() or f.is_symlink() or ".so" not in f.name:
            continue
        try:
            out = subprocess.run(["readelf", "-d", str(f)], capture_output=True, text=True, check=False).stdout
        except FileNotFoundError:
            raise SystemExit("readelf (Debian package binutils) is needed to check the bundle") from None
        for needed in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
            if needed.startswith("libQt6") and needed not in present:
                problems.append(f"{f.relative_to(bundle)} needs {needed}, which was pruned")
    return problems
