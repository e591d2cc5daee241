# PyInstaller runtime hook of both executables (build.spec): stands in for PySide6.QtOpenGL, which
# the bundle leaves out (installer/bundle.py: 8.5 MB, its largest Qt binding). pyqtgraph imports
# it at the top of its curve and colour-mesh items but touches it only when its OpenGL drawing is
# switched on (pyqtgraph.setConfigOptions(useOpenGL=True) or enableExperimental), which Routing ML
# never does: its charts are drawn by QPainter. The stand-in imports; any name looked up in it
# raises AttributeError saying what is missing, so a later use of OpenGL fails on its first line
# with that message instead of a bundle that does not start.
import sys
import types


class _LeftOut(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"PySide6.QtOpenGL.{name}: Qt's OpenGL classes are left out of this bundle "
                             f"(installer/bundle.py); pyqtgraph's OpenGL drawing cannot be used")


if "PySide6.QtOpenGL" not in sys.modules:
    sys.modules["PySide6.QtOpenGL"] = _LeftOut("PySide6.QtOpenGL", "stand-in for Qt's OpenGL classes, "
                                               "left out of the bundle (installer/rthook_no_qtopengl.py)")
