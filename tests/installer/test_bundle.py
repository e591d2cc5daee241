"""What build.spec puts into the bundle (installer/bundle.py), checked without building it."""
from __future__ import annotations

import pytest

import app
from installer import bundle


def test_the_version_comes_from_app_init_alone():
    assert bundle.read_version() == app.__version__


@pytest.mark.parametrize("version, numbers, msi", [
    ("0.1.0", (0, 1, 0, 0), "0.1.0"),
    ("1.2", (1, 2, 0, 0), "1.2.0"),
    ("2.10.300.7", (2, 10, 300, 7), "2.10.300"),
    ("1.4.2.dev3", (1, 4, 2, 0), "1.4.2"),
])
def test_windows_version_numbers(version, numbers, msi):
    assert bundle.numeric_version(version) == numbers
    assert bundle.msi_version(version) == msi


@pytest.mark.parametrize("version, words", [
    ("256.0.0", "beyond what an MSI can compare"),
    ("1.0.70000", "beyond what an MSI can compare"),
    ("v1.0", "does not start with numbers"),
])
def test_a_version_an_msi_could_not_upgrade_from_is_refused_at_build_time(version, words):
    with pytest.raises(SystemExit, match=words):
        bundle.numeric_version(version)


def test_version_resource_text_is_what_pyinstaller_evaluates():
    """PyInstaller evaluates the file with its VSVersionInfo classes (Windows only); here the same
    text is evaluated with recorders standing in for them."""
    def recorder(name):
        return lambda *args, **kwargs: (name, args, kwargs)
    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct"]
    text = bundle.version_file_text("2.3.4")
    info = eval(text, {n: recorder(n) for n in names})   # noqa: S307 - our own text, as PyInstaller does
    assert info[0] == "VSVersionInfo"
    ffi = info[2]["ffi"]
    assert ffi[0] == "FixedFileInfo" and ffi[2]["filevers"] == (2, 3, 4, 0) == ffi[2]["prodvers"]
    string_file_info, var_file_info = info[2]["kids"]
    table = string_file_info[1][0][0]
    assert table[1][0] == "040904B0"
    strings = {s[1][0]: s[1][1] for s in table[1][1]}
    assert strings["FileVersion"] == strings["ProductVersion"] == "2.3.4"
    assert strings["OriginalFilename"] == "RoutingML.exe" and strings["ProductName"] == "Routing ML"
    assert var_file_info[1][0][0][1] == ("Translation", [1033, 1200])
    assert text.isascii()


@pytest.mark.parametrize("dest", [
    "PySide6/Qt6Core.dll", "PySide6/Qt6Gui.dll", "PySide6/Qt6Widgets.dll", "PySide6/Qt6Svg.dll",
    "PySide6/Qt6OpenGL.dll", "PySide6/Qt6OpenGLWidgets.dll",        # pyqtgraph imports them
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/plugins/platforms/qoffscreen.dll",
    "PySide6/plugins/iconengines/qsvgicon.dll", "PySide6/plugins/imageformats/qsvg.dll",
    "PySide6/translations/qtbase_ko.qm",
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libicudata.so.73",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/d3dcompiler_47.dll", "_polars_runtime_32/_polars_runtime.pyd", "resources/style/routing_ml.qss",
    "PySide6/QtOpenGLWidgets.pyd", "PySide6/QtOpenGLWidgets.abi3.so",   # pyqtgraph's plot widgets import it
    "pyqtgraph/icons/auto.png",                                          # the plots' auto-range button
    "sklearn/tree/_tree.cp311-win_amd64.pyd", "sklearn/tree/_tree.cpython-311-x86_64-linux-gnu.so",
])
def test_kept(dest):
    assert bundle.dropped_reason(dest) is None


@pytest.mark.parametrize("dest, reason", [
    ("PySide6/translations/qtbase_de.qm", "Qt translation"),
    ("PySide6/Qt/translations/qtwebengine_ko.qm", "Qt translation"),
    ("PySide6/plugins/imageformats/qjpeg.dll", "Qt plugin imageformats"),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", "Qt plugin styles"),
    ("PySide6/plugins/tls/qschannelbackend.dll", "Qt plugin tls"),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", "Qt plugin platforms"),
    ("PySide6/Qt6Network.dll", "Qt library"), ("PySide6/Qt6Quick.dll", "Qt library"),
    ("PySide6/Qt6Pdf.dll", "Qt library"), ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "Qt library"),
    ("PySide6/opengl32sw.dll", "not used"), ("PySide6/QtCore.pyi", "not used"),
    ("PySide6\\Qt\\qml\\QtQuick\\qmldir", "not used"),
    ("PySide6/QtOpenGL.pyd", "not used"), ("PySide6/QtOpenGL.abi3.so", "not used"),
    ("sklearn/datasets/data/iris.csv", "not used"), ("sklearn/datasets/images/china.jpg", "not used"),
    ("sklearn/tree/_tree.pyx", "not used"), ("sklearn/svm/src/libsvm/svm.cpp", "not used"),
    ("pyqtgraph/icons/peegee/peegee_512px@2x.png", "not used"),
])
def test_pruned(dest, reason):
    assert bundle.dropped_reason(dest) == reason


def test_prune_splits_a_toc_and_says_why():
    toc = [("PySide6/Qt6Core.dll", "/src/Qt6Core.dll", "BINARY"),
           ("PySide6/plugins/imageformats/qgif.dll", "/src/qgif.dll", "BINARY")]
    kept, dropped = bundle.prune(toc)
    assert kept == toc[:1] and dropped == [("PySide6/plugins/imageformats/qgif.dll", "Qt plugin imageformats")]


def test_what_the_migrations_import_is_bundled_although_no_analysis_sees_it():
    migrations = sorted((bundle.ROOT / "app" / "store" / "migrations").rglob("*.py"))
    found = bundle.imports_in(migrations)
    assert {"alembic.context", "alembic.op", "sqlalchemy"} <= set(found)


def test_data_files_are_the_files_loaded_by_path(tmp_path):
    plant = tmp_path / "plant.sqlite"
    plant.write_bytes(b"")
    pairs = {(src.replace("\\", "/").rsplit("/", 1)[-1], dest.replace("\\", "/"))
             for src, dest in bundle.data_files(plant=plant)}
    assert ("routing_ml_ko.qm", "resources/translations") in pairs
    assert ("routing-ml.ico", "resources/icons") in pairs
    assert ("env.py", "app/store/migrations") in pairs and ("script.py.mako", "app/store/migrations") in pairs
    assert ("plant.sqlite", "selftest") in pairs
    assert not any(name.endswith(".ts") for name, _ in pairs)      # the translators' source stays out


def test_pyqtgraph_draws_without_qt_opengl_which_the_bundle_leaves_out(tmp_path):
    """The bundle leaves out PySide6.QtOpenGL (8.5 MB) and installer/rthook_no_qtopengl.py stands in
    for it: pyqtgraph imports and draws the window's kinds of plot (curves, bars, error bars) without
    it, and a use of OpenGL names what is missing."""
    import subprocess
    import sys
    script = tmp_path / "draw.py"
    script.write_text(f"""
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6.QtOpenGL":
            raise ImportError("left out of the bundle")
sys.meta_path.insert(0, Block())
runpy.run_path({str(bundle.ROOT / "installer" / "rthook_no_qtopengl.py")!r})
import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
app = QApplication([])
pg.setConfigOptions(antialias=True, background="w")
w = pg.PlotWidget()
w.resize(300, 200)
w.addItem(pg.BarGraphItem(x=[1, 2, 3], height=[3, 5, 2], width=0.6, brush="#2f6db5"))
w.addItem(pg.ErrorBarItem(x=np.array([1, 2, 3]), y=np.array([3, 5, 2]), height=np.array([1, 1, 1])))
w.plot([0, 1, 2, 3, 4], [0, 4, 1, 5, 2], pen=pg.mkPen("#c0392b", width=3))
image = w.grab().toImage()
colours = {{image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}}
print("bars" if "#2f6db5" in colours else "no bars", "curve" if "#c0392b" in colours else "no curve")
from PySide6 import QtOpenGL
try:
    QtOpenGL.QOpenGLBuffer
except AttributeError as exc:
    print(exc)
""", encoding="utf-8")
    env = {k: v for k, v in __import__("os").environ.items()}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "bars curve"
    assert lines[1].startswith("PySide6.QtOpenGL.QOpenGLBuffer: Qt's OpenGL classes are left out of this bundle")
