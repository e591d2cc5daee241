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
        worst = _largest_difference(frames[size], drawn)
        # Qt's SVG renderer may round a few antialiased edge pixels one level differently from the
        # machine that made the .ico (seen: 8 pixels of 65,536 at 256 px); a changed drawing differs by far more
        assert worst <= 1, (f"{icon.ICO} no longer matches {icon.SVG} at {size} px (a channel differs by {worst}): "
                            "run `python -m installer.icon`")


def _largest_difference(a, b) -> int:
    """The largest difference of one colour or alpha channel between two same-sized ARGB32 images."""
    import numpy as np

    assert (a.width(), a.height()) == (b.width(), b.height())
    pa, pb = (np.frombuffer(bytes(im.constBits()), dtype=np.uint8)[:im.sizeInBytes()].astype(int) for im in (a, b))
    return int(np.abs(pa - pb).max())
