"""The set-up scripts as a plant engineer meets them on Windows (read here; run by the Windows CI)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _check_python():
    spec = importlib.util.spec_from_file_location("check_python", SCRIPTS / "check_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _check_python()
ONEDRIVE = r"C:\Users\kim.minsu\OneDrive - Korea Seal Co., Ltd\Documents\GitHub\routing-ml"


@pytest.mark.parametrize("version, bits, words", [
    ((3, 10, 11), 64, "Python 3.10.11 (64-bit) at C:\\Py310\\python.exe is too old"),
    ((3, 12, 1), 32, "Python 3.12.1 (32-bit) at C:\\Py310\\python.exe is 32-bit, and PySide6 exists only for 64-bit"),
])
def test_a_wrong_python_gets_a_message_saying_what_to_install(version, bits, words):
    message = check.problem(version, bits, r"C:\Py310\python.exe")
    assert words in message
    assert "Windows installer (64-bit)" in message and "set PYTHON=" in message


def test_a_64_bit_python_3_11_is_accepted():
    assert check.problem((3, 11, 0), 64, "python") is None


def test_the_environment_of_a_deep_onedrive_folder_goes_where_windows_paths_fit():
    local = r"C:\Users\kim.minsu\AppData\Local"
    venv = check.venv_folder(ONEDRIVE, windows=True, long_paths=False, local_appdata=local)
    assert venv.startswith(local + r"\RoutingML\venvs\routing-ml-")
    assert len(venv) + check.DEEPEST_INSIDE_VENV <= check.MAX_PATH
    assert len(ONEDRIVE + r"\.venv") + check.DEEPEST_INSIDE_VENV > check.MAX_PATH   # why it moved
    assert venv == check.venv_folder(ONEDRIVE, windows=True, long_paths=False, local_appdata=local)  # stable
    assert check.venv_folder(ONEDRIVE, windows=True, long_paths=True, local_appdata=local) == ONEDRIVE + r"\.venv"
    assert check.venv_folder(r"C:\src\routing-ml", windows=True, long_paths=False,
                             local_appdata=local) == r"C:\src\routing-ml\.venv"


def test_the_check_runs_on_this_python_and_names_the_environment():
    root = SCRIPTS.parent
    out = subprocess.run([sys.executable, str(SCRIPTS / "check_python.py"), str(root)], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout
    assert Path(out.stdout.strip()) == root / ".venv"


@pytest.mark.parametrize("name", ["run", "test", "build"])
def test_cmd_files_run_the_powershell_script_whatever_the_execution_policy(name):
    """Typed in cmd.exe, scripts\\run.ps1 opens Notepad; the default policy refuses it in PowerShell."""
    raw = (SCRIPTS / f"{name}.cmd").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "cmd.exe needs CRLF line ends (.gitattributes)"
    text = raw.decode("ascii")
    assert f'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0{name}.ps1" %*' in text
    assert "exit /b %ERRORLEVEL%" in text


def test_test_ps1_gives_the_callers_session_back_as_it_was():
    """Left set, QT_QPA_PLATFORM=offscreen made the next run.ps1 in that window show nothing."""
    text = (SCRIPTS / "test.ps1").read_text(encoding="utf-8")
    body, _, cleanup = text.partition("} finally {")
    assert "$QtPlatform = $env:QT_QPA_PLATFORM" in body and "$Here = Get-Location" in body
    assert "$env:QT_QPA_PLATFORM = $QtPlatform" in cleanup and "Set-Location $Here" in cleanup
    assert "Set-Location $Here" in (SCRIPTS / "run.ps1").read_text(encoding="utf-8").partition("} finally {")[2]


def test_the_readme_gives_the_cmd_files_for_windows():
    readme = (SCRIPTS.parent / "README.md").read_text(encoding="utf-8")
    assert r"scripts\run.cmd" in readme and r"scripts\test.cmd" in readme
    assert r"scripts\run.ps1" not in readme.split("## The window")[0]


def test_the_windows_workflow_runs_the_readme_command_on_windows():
    text = (SCRIPTS.parent / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    test_job = text.split("\n  test:\n", 1)[1]
    assert "runs-on: windows-latest" in test_job
    assert "run: scripts\\test.cmd" in test_job and "architecture: x64" in test_job
