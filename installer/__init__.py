"""Build-time tools for the Windows executable and the MSI (never part of the program itself).

`scripts/build` runs `python -m installer.build`; build.spec imports `installer.bundle`.
"""
