"""The test suite can be collected on Windows: no test module, conftest or module of the program
uses, while it is imported, a POSIX-only module (pwd, fcntl, …) or call (os.geteuid, signal.SIGKILL, …).

The Windows workflow found none of the tests once, because one test module imported `pwd` at its
top. Here the collection runs with those names taken away from the project's own files, as Windows
has them not (the libraries keep theirs: they check the platform themselves)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

AS_ON_WINDOWS = r'''
import builtins, os, signal, sys, types
ROOT = os.path.normcase(os.path.abspath(sys.argv[1]))
OURS = tuple(os.path.join(ROOT, part) + os.sep for part in ("app", "tests", "installer", "scripts"))
POSIX_MODULES = {"pwd", "grp", "fcntl", "termios", "resource", "pty", "tty", "syslog", "crypt", "posix"}
POSIX_NAMES = {
    os: {"geteuid", "getuid", "getgid", "getegid", "getgroups", "wait3", "wait4", "fork", "forkpty", "killpg",
         "setsid", "getpgid", "setpgid", "sync", "uname", "chown", "lchown", "fchown", "mkfifo", "mknod",
         "getloadavg", "sysconf", "statvfs", "WNOHANG", "O_NOFOLLOW", "O_CLOEXEC"},
    signal: {"SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGPIPE", "SIGSTOP",
             "SIGCONT", "pause", "alarm", "setitimer", "getitimer"},
}


def ours(depth):
    frame = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
        frame = frame.f_back
    return frame is not None and os.path.normcase(frame.f_code.co_filename).startswith(OURS)


real_import = builtins.__import__


def windows_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name.split(".")[0] in POSIX_MODULES and globals is not None:
        if os.path.normcase(globals.get("__file__") or "").startswith(OURS):
            raise ModuleNotFoundError(f"No module named {name!r} (Windows has none)", name=name)
    return real_import(name, globals, locals, fromlist, level)


builtins.__import__ = windows_import


def guarded(module, names):
    class WindowsModule(types.ModuleType):
        def __getattribute__(self, attr):
            if attr in names and ours(2):
                raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r} (Windows)")
            return super().__getattribute__(attr)
    module.__class__ = WindowsModule


for module, names in POSIX_NAMES.items():
    guarded(module, names)

import pytest
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", sys.argv[2]]))
'''


@pytest.mark.slow
def test_every_test_module_is_collected_without_posix_only_names():
    proc = subprocess.run([sys.executable, "-c", AS_ON_WINDOWS, str(ROOT), str(ROOT / "tests")], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=600)
    lines = proc.stdout.strip().splitlines()
    errors = [line for line in lines if line.startswith("ERROR") or "Error" in line]
    assert proc.returncode == 0 and not errors, "\n".join(errors or lines[-30:]) + proc.stderr[-3000:]
    assert lines[-1].endswith(" collected") or " tests collected" in lines[-1], lines[-1]


def test_the_check_itself_notices_a_posix_only_import(tmp_path):
    """The same check over a test module with `import pwd` at its top fails, as on Windows."""
    (tmp_path / "tests").mkdir()
    probe = tmp_path / "tests" / "test_probe.py"
    probe.write_text("import pwd\n\n\ndef test_nothing():\n    assert pwd\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", AS_ON_WINDOWS, str(tmp_path), str(probe)], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300)
    assert proc.returncode != 0
    assert "No module named 'pwd' (Windows has none)" in proc.stdout + proc.stderr
