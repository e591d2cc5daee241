"""The Windows icon (.ico) is the SVG drawn at every size the shell asks for."""
from __future__ import annotations

from installer import icon


def test_ico_holds_every_size_drawn_from_the_svg(qapp):
    from PySide6.QtGui import QImage, QImageReader

    reader = QImageReader(str(icon.ICO))
    assert reader.canRead(), f"{icon.ICO} is not an icon Qt can read"
    frames = {}
    for i in range(reader.imageCount()):
        reader.jumpToImage(i)
        image = reader.read()
        frames[image.width()] = image.convertToFormat(QImage.Format.Format_ARGB32)
    assert sorted(frames) == sorted(icon.SIZES)
    for size in (16, 32, 256):
        drawn = icon.render(size).convertToFormat(QImage.Format.Format_ARGB32)
        assert frames[size] == drawn, (f"{icon.ICO} no longer matches {icon.SVG} at {size} px: "
                                       "run `python -m installer.icon`")
