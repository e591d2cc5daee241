"""Create or update the Python environment from pyproject.toml, then run the program or the tests in it.

Windows' scripts\\run.cmd and scripts\\test.cmd run this with the bare Python (`py -3-64`, or
%PYTHON%): it needs no PowerShell script, so no execution policy can refuse it, not even one IT sets
by Group Policy (which `powershell -ExecutionPolicy Bypass` cannot override). scripts\\_venv.ps1 uses
it too. Standard library only:

    python scripts/setup_env.py --print                    # the environment's python, in UTF-8
    python scripts/setup_env.py -- app [ARG...]            # python -m app ARG... in the environment
    python scripts/setup_env.py --offscreen -- pytest [ARG...]

The environment is `ROOT/.venv` (or a short folder, see check_python.venv_folder); it is
(re)installed with the `dev` extras when pyproject.toml changed since the last install, marked by
`.installed-HASH` as scripts/_venv.sh does.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import check_python   # beside this file (a script's own folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]


def environment_python(venv: Path, windows: bool | None = None) -> Path:
    windows = sys.platform == "win32" if windows is None else windows
    return venv / ("Scripts/python.exe" if windows else "bin/python")


def stamp_name(pyproject: Path) -> str:
    """The mark of an install from this pyproject.toml (sha256sum's first 16 hex digits)."""
    return f".installed-{hashlib.sha256(pyproject.read_bytes()).hexdigest()[:16]}"


def ensure(root: Path = ROOT) -> Path:
    """The environment's python, made and installed first when needed. Messages go to stderr."""
    message = check_python.problem(tuple(sys.version_info), 64 if sys.maxsize > 2**32 else 32, sys.executable)
    if message:
        raise SystemExit(message)
    windows = sys.platform == "win32"
    venv = Path(check_python.venv_folder(str(root), windows=windows,
                                         long_paths=windows and check_python.long_paths_enabled(),
                                         local_appdata=os.environ.get("LOCALAPPDATA")))
    if venv != root / ".venv":
        print(f"Routing ML: the folder is too deep for Windows' path limit; its Python environment goes "
              f"to {venv}", file=sys.stderr)
    python = environment_python(venv)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    stamp = venv / stamp_name(root / "pyproject.toml")
    if not stamp.exists():
        print("Routing ML: installing its Python packages (a few minutes the first time)...", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True,
                       cwd=root, stdout=subprocess.DEVNULL)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", ".[dev]"], check=True, cwd=root)
        for old in venv.glob(".installed-*"):
            old.unlink()
        stamp.touch()
    return python


def main(argv: list[str]) -> int:
    offscreen = "--offscreen" in argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    try:
        python = ensure()
    except subprocess.CalledProcessError as exc:
        print(f"Routing ML: setting up the Python environment failed ({' '.join(map(str, exc.cmd[1:5]))} "
              f"exited with {exc.returncode})", file=sys.stderr)
        return exc.returncode or 1
    if "--print" in argv or not command:
        sys.stdout.reconfigure(encoding="utf-8")   # read as UTF-8 by _venv.ps1, whatever the code page
        print(python)
        return 0
    env = dict(os.environ)
    if offscreen:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")   # in the child only: the caller's window keeps its own
    child = subprocess.Popen([str(python), "-m", *command], cwd=ROOT, env=env)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:   # Ctrl+C reached the child too; wait for it to end
            continue


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            sys.exit(1)
        raise
