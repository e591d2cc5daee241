"""The MSI built from installer/RoutingML.wxs over a bundle: read back with msitools, it holds what
IT is promised (docs/deploy.md), and the check notices when it does not."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from installer import msi

VERSION = "1.4.2"


def _need_msitools():
    """wixl and msiinfo as the build finds them: on PATH, or MSYS2's on Windows (the Windows workflow
    installs mingw-w64-ucrt-x86_64-msitools into MSYS2)."""
    try:
        msi.tool("wixl"), msi.tool("msiinfo")
        return
    except msi.MsiError:
        pass
    if os.environ.get("CI") == "true":
        pytest.fail("wixl/msiinfo missing: .ci/run (Debian: wixl msitools) or the Windows workflow (MSYS2: "
                    "mingw-w64-ucrt-x86_64-msitools) must install them")
    pytest.skip("needs msitools (Debian packages wixl msitools; Windows: MSYS2's mingw-w64-ucrt-x86_64-msitools)")


@pytest.fixture
def small_bundle(tmp_path) -> Path:
    """A stand-in for dist/RoutingML: the two executables, nested folders, a name with spaces."""
    b = tmp_path / "dist" / "RoutingML"
    (b / "_internal" / "resources" / "icons").mkdir(parents=True)
    (b / "RoutingML.exe").write_bytes(b"MZ windowed" + bytes(range(256)))
    (b / "routing-ml.exe").write_bytes(b"MZ console")
    (b / "_internal" / "resources" / "icons" / "routing-ml.ico").write_bytes(msi.ICON.read_bytes())
    (b / "_internal" / "CC0 legal code.txt").write_text("licence text\n", encoding="utf-8")
    (b / "_internal" / "empty.dat").write_bytes(b"")
    return b


@pytest.fixture
def built(tmp_path, small_bundle) -> Path:
    _need_msitools()
    return msi.build(small_bundle, VERSION, tmp_path / "out" / "RoutingML.msi", tmp_path / "work")


def test_msi_holds_the_bundle_and_the_deployment_promises(built, small_bundle):
    findings = msi.check(built, small_bundle, VERSION)
    assert findings.problems == []
    props = {k: v[0] for k, v in msi.read_table(built, "Property").items()}
    assert props["UpgradeCode"] == msi.UPGRADE_CODE and props["ProductVersion"] == "1.4.2"
    # the properties IT passes survive a per-machine install and are written per machine or user
    assert {"SERVER", "DATABASE", "LDAP_URL", "STORE"} <= set(props["SecureCustomProperties"].split(";"))
    roots = {r[3]: int(r[1]) for r in msi.read_rows(built, "Registry")}
    assert roots["SERVER"] == -1 and roots["InstallDir"] == -1


def test_check_names_a_file_that_changed_after_the_build(built, small_bundle):
    (small_bundle / "_internal" / "CC0 legal code.txt").write_text("edited\n", encoding="utf-8")
    (small_bundle / "_internal" / "added.txt").write_text("new\n", encoding="utf-8")
    problems = msi.check(built, small_bundle, VERSION).problems
    assert "differs from the bundle: _internal/CC0 legal code.txt" in problems
    assert "missing from the MSI: _internal/added.txt" in problems


def test_check_names_what_wixl_alone_gets_wrong(tmp_path, small_bundle):
    """Without fix_wixl_output, the properties would be dropped by a per-machine install and the
    registry root would be invalid: the check must say so."""
    _need_msitools()
    original = msi.fix_wixl_output
    try:
        msi.fix_wixl_output = lambda path: None
        raw = msi.build(small_bundle, VERSION, tmp_path / "raw" / "RoutingML.msi", tmp_path / "raw-work")
    finally:
        msi.fix_wixl_output = original
    problems = msi.check(raw, small_bundle, VERSION).problems
    assert any("SERVER is not in SecureCustomProperties" in p for p in problems)
    assert any("Registry row SERVER has Root 4" in p for p in problems)


def test_check_knows_the_version_it_expects(built, small_bundle):
    problems = msi.check(built, small_bundle, "1.5.0").problems
    assert "property ProductVersion is '1.4.2', not '1.5.0'" in problems


def test_wixl_missing_is_said_with_the_way_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(msi.sys, "platform", "linux")
    with pytest.raises(msi.MsiError, match="apt-get install wixl msitools"):
        msi.tool("wixl")


def test_msiinfo_shows_the_registry_rows_it_will_write(built):
    """msiinfo's export is what IT sees too (docs/deploy.md); the rows name the key exactly."""
    out = subprocess.run([msi.tool("msiinfo"), "export", str(built), "Registry"], capture_output=True, text=True,
                         check=True).stdout
    assert "Software\\RoutingML\tSERVER\t[SERVER]" in out
