"""The Windows bundle's estimate (installer/windows_size.py): each Linux file found in the Windows wheels."""
from __future__ import annotations

import zipfile

import pytest

from installer import windows_size

WINDOWS = {"PySide6/Qt6Gui.dll": 1, "PySide6/QtCore.pyd": 1, "PySide6/plugins/platforms/qwindows.dll": 1,
           "PySide6/translations/qtbase_ko.qm": 1, "numpy/_core/_multiarray_umath.cp312-win_amd64.pyd": 1,
           "_polars_runtime_32/_polars_runtime.pyd": 1, "pyodbc.cp312-win_amd64.pyd": 1}


@pytest.mark.parametrize("linux, windows", [
    ("PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt6Gui.dll"),
    ("PySide6/QtCore.abi3.so", "PySide6/QtCore.pyd"),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/plugins/platforms/qwindows.dll"),
    ("PySide6/Qt/translations/qtbase_ko.qm", "PySide6/translations/qtbase_ko.qm"),
    ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
     "numpy/_core/_multiarray_umath.cp312-win_amd64.pyd"),
    ("_polars_runtime_32/_polars_runtime.abi3.so", "_polars_runtime_32/_polars_runtime.pyd"),
    ("pyodbc.cpython-311-x86_64-linux-gnu.so", "pyodbc.cp312-win_amd64.pyd"),
    ("PySide6/Qt/lib/libicudata.so.73", None),                         # Windows' Qt uses the system's ICU
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", None),
    ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", None),   # the runtime: assumed
])
def test_each_linux_file_is_found_under_its_windows_name(linux, windows):
    assert windows_size.windows_name(linux, WINDOWS) == windows


def test_the_estimate_sums_what_the_bundle_keeps_at_the_windows_sizes(tmp_path):
    inner = tmp_path / "RoutingML" / "_internal"
    (inner / "numpy" / "_core").mkdir(parents=True)
    (inner / "numpy" / "_core" / "_multiarray_umath.cpython-311-x86_64-linux-gnu.so").write_bytes(b"x" * 10)
    (inner / "numpy.libs").mkdir()
    (inner / "numpy.libs" / "libscipy_openblas64_.so").write_bytes(b"x" * 10)
    (inner / "modules.pyz").write_bytes(b"x" * 2**20)
    (tmp_path / "RoutingML" / "RoutingML").write_bytes(b"x" * 2**19)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with zipfile.ZipFile(wheels / "numpy-2.5.5-cp312-cp312-win_amd64.whl", "w") as z:
        z.writestr("numpy/_core/_multiarray_umath.cp312-win_amd64.pyd", b"y" * 3 * 2**20)
        z.writestr("numpy.libs/libscipy_openblas64_-abc.dll", b"y" * 20 * 2**20)
        z.writestr("numpy/_core/unused.cp312-win_amd64.pyd", b"y" * 50 * 2**20)   # not kept on Linux
    parts, unmatched = windows_size.estimate(tmp_path / "RoutingML", wheels)
    assert parts["numpy"] == 3 and parts["numpy.libs"] == 20
    assert parts["data and the modules' archive"] == 1
    assert parts["the two executables (as on Linux)"] == 0.5
    assert parts["Python runtime (assumed)"] == windows_size.PYTHON_RUNTIME_MIB
    assert unmatched == []
