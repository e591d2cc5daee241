"""resources/icons/routing-ml.ico from routing-ml.svg: `python -m installer.icon` after changing the SVG.

Each size is rendered from the SVG itself (a 16 px icon scaled down from 256 px looks blurred),
and Pillow packs them into one .ico, the format the Windows shell, the executable's icon resource
and the MSI's shortcut need. tests/installer/test_icon.py fails when the two drift apart.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "routing-ml.svg"
ICO = ROOT / "resources" / "icons" / "routing-ml.ico"
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def render(size: int, svg: Path = SVG):
    """The SVG drawn at size × size on a transparent background, as a QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG image Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def write_ico(out: Path = ICO, svg: Path = SVG) -> Path:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs it
    images = [Image.open(io.BytesIO(png_bytes(render(s, svg)))) for s in SIZES]
    largest = images[-1]
    largest.save(out, format="ICO", sizes=[(s, s) for s in SIZES], append_images=images[:-1])
    return out


if __name__ == "__main__":
    print(write_ico())
