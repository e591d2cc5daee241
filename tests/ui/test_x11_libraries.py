"""On a Linux desktop without the X11 libraries Qt needs, the program says which Debian packages to
install, in one line, instead of Qt's abort ("Could not load the Qt platform plugin xcb")."""
from __future__ import annotations

import ctypes

from app.cli import main
from app.ui.main import missing_x11_packages


def test_missing_xcb_cursor_is_named_as_the_debian_package_before_qt_starts(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    real = ctypes.CDLL

    def without_cursor(name, *args, **kwargs):
        if name == "libxcb-cursor.so.0":
            raise OSError(f"{name}: cannot open shared object file: No such file or directory")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", without_cursor)
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apt-get install" in err[0] and "libxcb-cursor0" in err[0].split()


def test_debian_names_of_the_libraries(monkeypatch):
    def without(*missing):
        def load(name):
            if name in missing:
                raise OSError(name)
        return load
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert missing_x11_packages(without("libX11-xcb.so.1", "libxkbcommon-x11.so.0", "libxcb-icccm.so.4")) == [
        "libxcb-icccm4", "libx11-xcb1", "libxkbcommon-x11-0"]
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")      # no X11 needed: nothing to say
    assert missing_x11_packages(without("libxcb-cursor.so.0")) == []
