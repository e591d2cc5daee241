"""The set-up scripts as a plant engineer meets them on Windows (read here; run by the Windows CI)."""
from __future__ import annotations

import importlib.util
import os
import re
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


@pytest.mark.parametrize("name, command", [("run", "-- app %*"), ("test", "--offscreen -- pytest %*")])
def test_cmd_files_need_no_powershell_so_no_execution_policy_refuses_them(name, command):
    """Typed in cmd.exe, scripts\\run.ps1 opens Notepad; PowerShell refuses it under the default policy,
    and a policy set by Group Policy beats `-ExecutionPolicy Bypass`. The .cmd files set up and run
    through Python alone."""
    raw = (SCRIPTS / f"{name}.cmd").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "cmd.exe needs CRLF line ends (.gitattributes)"
    text = raw.decode("ascii")
    code = [line for line in text.splitlines() if not line.lower().startswith("rem ")]
    assert not any("powershell" in line.lower() or ".ps1" in line for line in code)
    assert f'py -3-64 "%SETUP%" {command}' in code           # the newest 64-bit Python 3
    assert f'"%PYTHON%" "%SETUP%" {command}' in code         # or the one PYTHON names
    assert 'set "SETUP=%~dp0setup_env.py"' in code and "exit /b %ERRORLEVEL%" in code
    assert any(line.startswith("echo Routing ML needs a 64-bit Python 3.11") for line in code)


def test_build_cmd_runs_its_powershell_script():
    text = (SCRIPTS / "build.cmd").read_bytes().decode("ascii")
    assert 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0build.ps1" %*' in text


def test_venv_ps1_reads_the_environment_path_in_utf8_and_asks_for_a_64_bit_python():
    """Windows PowerShell decodes a program's output in the OEM code page: a Korean user name in the
    environment's path came back garbled. Both encodings are UTF-8 for that call, and restored."""
    text = (SCRIPTS / "_venv.ps1").read_text(encoding="utf-8")
    setup, _, rest = text.partition("setup_env.py\" --print")
    assert '$PyArgs = @("-3-64")' in text and '@("-3")' not in text
    assert "[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false" in setup
    assert "$OutputEncoding = New-Object System.Text.UTF8Encoding $false" in setup
    restore = rest.partition("} finally {")[2].partition("}")[0]
    assert "[Console]::OutputEncoding = $SavedConsoleEncoding" in restore
    assert "$OutputEncoding = $SavedOutputEncoding" in restore


@pytest.fixture
def project(tmp_path):
    """A project folder (with Korean in its path) whose environment is set up already."""
    root = tmp_path / "라우팅 프로젝트"
    (root / "scripts").mkdir(parents=True)
    for name in ("setup_env.py", "check_python.py"):
        (root / "scripts" / name).write_bytes((SCRIPTS / name).read_bytes())
    (root / "pyproject.toml").write_text("[project]\nname = 'probe'\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    setup = _load(root / "scripts" / "setup_env.py")
    (root / ".venv" / setup.stamp_name(root / "pyproject.toml")).touch()
    (root / "probe.py").write_text("import os, sys\nprint(os.environ.get('QT_QPA_PLATFORM'), *sys.argv[1:])\n"
                                   "sys.exit(3)\n", encoding="utf-8")
    return root, setup


def _load(path: Path):
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(f"setup_env_{id(path)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def test_setup_env_prints_the_environments_python_in_utf8(project):
    root, setup = project
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONIO")}
    env["PYTHONIOENCODING"] = "cp1252"          # an English Windows' pipe; the path has Korean in it
    out = subprocess.run([sys.executable, str(root / "scripts" / "setup_env.py"), "--print"], env=env,
                         capture_output=True, check=True).stdout
    assert Path(out.decode("utf-8").strip()) == setup.environment_python(root / ".venv")


def test_setup_env_runs_the_command_in_the_environment_and_passes_its_exit_code(project):
    root, _ = project
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    ran = subprocess.run([sys.executable, str(root / "scripts" / "setup_env.py"), "--offscreen", "--", "probe",
                          "-q", "tests/x.py"], env=env, capture_output=True, text=True, encoding="utf-8")
    assert ran.returncode == 3, ran.stderr
    assert ran.stdout.split() == ["offscreen", "-q", "tests/x.py"]
    assert "QT_QPA_PLATFORM" not in env                      # the caller's own environment is untouched


def test_test_ps1_gives_the_callers_session_back_as_it_was():
    """Left set, QT_QPA_PLATFORM=offscreen made the next run.ps1 in that window show nothing."""
    text = (SCRIPTS / "test.ps1").read_text(encoding="utf-8")
    body, _, cleanup = text.partition("} finally {")
    assert "$QtPlatform = $env:QT_QPA_PLATFORM" in body and "$Here = Get-Location" in body
    assert "$env:QT_QPA_PLATFORM = $QtPlatform" in cleanup and "Set-Location $Here" in cleanup
    assert "Set-Location $Here" in (SCRIPTS / "run.ps1").read_text(encoding="utf-8").partition("} finally {")[2]


def test_no_readme_example_redirects_output_with_a_greater_than_sign():
    """Windows PowerShell 5.1 writes `>` in UTF-16; the README sends file output through --out FILE."""
    readme = (SCRIPTS.parent / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if "routing-ml " in line or "scripts" in line]
    assert not [line for line in commands if re.search(r"(^|[\s`])(>>?|1>|2>)\s*[\w.\\/%$-]", line)]
    assert "--out FILE" in readme and "UTF-16" in readme


def test_the_readme_gives_the_cmd_files_for_windows():
    readme = (SCRIPTS.parent / "README.md").read_text(encoding="utf-8")
    assert r"scripts\run.cmd" in readme and r"scripts\test.cmd" in readme
    assert r"scripts\run.ps1" not in readme.split("## The window")[0]


def test_the_windows_workflow_parses_and_runs_the_readme_command_with_postgresql():
    """The workflow file as GitHub reads it: its test job runs scripts\\test.cmd on windows-latest
    with a 64-bit Python, after starting the runner's PostgreSQL, and tells the tests where it is."""
    import yaml
    from sqlalchemy.engine import make_url

    flow = yaml.safe_load((SCRIPTS.parent / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8"))
    assert set(flow.get("on", flow.get(True))) >= {"push", "pull_request"}   # YAML 1.1 reads `on` as true
    job = flow["jobs"]["test"]
    assert job["runs-on"] == "windows-latest"
    steps = job["steps"]
    assert all("@v" in s["uses"] for s in steps if "uses" in s)
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["architecture"] == "x64" and python["id"] == "python"
    (tests,) = [s for s in steps if "test.cmd" in s.get("run", "")]
    assert tests["shell"] == "cmd" and tests["run"].split()[0] == "scripts\\test.cmd"
    assert tests["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    pg = make_url(tests["env"]["ROUTING_ML_TEST_PG"])
    assert (pg.get_backend_name(), pg.host, pg.port, pg.username, pg.password) == (
        "postgresql", "127.0.0.1", 5432, "postgres", "root")    # the runner image's documented login
    before = steps[:steps.index(tests)]
    start = next(s for s in before if "Start-Service" in s.get("run", ""))
    assert "postgresql" in start["run"] and "pg_isready" in start["run"]
    msys2 = next(s for s in before if s.get("uses", "").startswith("msys2/setup-msys2@"))
    assert "msitools" in msys2["with"]["install"]
    assert tests["env"]["MSYS2_ROOT"] == "${{ steps.%s.outputs.msys2-location }}" % msys2["id"]
