# PyInstaller runtime hook of both executables (build.spec), run before any other: the program's
# Python modules are in one archive, _internal/modules.pyz, shared by RoutingML and routing-ml,
# instead of a 23 MB copy inside each executable (each executable carries an empty one).
#
# PyInstaller's importer (pyimod02_importers, PyInstaller 6) reads the archive its bootloader found
# in the executable; here it is pointed at the shared file instead, and the finders made so far
# are dropped so that the next import makes them anew over that file. The bootloader's attempt to
# install its ctypes hooks found no ctypes in the empty archive: they are installed here, now that
# ctypes can be imported (they let ctypes find the bundle's libraries). If a PyInstaller release
# changes these internals, the program stops here, naming the file, at the build's `--version`
# step, instead of failing later on some import.
import os
import sys


def _use_shared_archive() -> None:
    path = os.path.join(sys._MEIPASS, "modules.pyz")
    try:
        import pyimod01_archive
        import pyimod02_importers
        import pyimod03_ctypes
        archive = pyimod01_archive.ZlibArchiveReader(path, check_pymagic=True)
        for module, name in ((pyimod02_importers, "pyz_archive"), (pyimod02_importers, "PyiFrozenFinder"),
                             (pyimod03_ctypes, "install")):
            if not hasattr(module, name):
                raise RuntimeError(f"{module.__name__} has no {name}")
    except Exception as exc:  # noqa: BLE001 - anything here means the bundle cannot start
        # an exception, not SystemExit: the windowed RoutingML.exe shows it in a dialog
        raise RuntimeError(f"Routing ML cannot load its modules from {path}: {exc} "
                         f"(a damaged installation, or a PyInstaller this build.spec does not know: "
                         f"installer/README.md)") from exc
    pyimod02_importers.pyz_archive = archive
    pyimod02_importers._pyz_tree = None   # rebuilt from the shared archive when pkgutil asks for it
    for entry, finder in list(sys.path_importer_cache.items()):
        if isinstance(finder, pyimod02_importers.PyiFrozenFinder):
            del sys.path_importer_cache[entry]
    if "ctypes" not in sys.modules:
        pyimod03_ctypes.install()


_use_shared_archive()
del _use_shared_archive
