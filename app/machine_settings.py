"""Machine-wide settings that IT sets once per PC when it deploys Routing ML.

The MSI writes them from its properties (`msiexec /i RoutingML.msi SERVER=… DATABASE=… /qn`) to
`HKLM\\Software\\RoutingML` (`HKCU\\Software\\RoutingML` for a per-user install); on other systems
they live in `/etc/routing-ml/settings.ini` (section `[RoutingML]`, the same names). The
environment variable `ROUTING_ML_MACHINE_SETTINGS=FILE` points the program at another such file
instead, on any system (tests, or a PC whose registry IT cannot write).

They are defaults only: the program starts from them where the user has not chosen otherwise
(Settings ▸ Data source, `--store`, `ROUTING_ML_STORE`). No password is ever among them.
"""
from __future__ import annotations

import configparser
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: the MSI property names, which are also the registry value names and the INI keys
PROPERTIES = ("SERVER", "DATABASE", "LDAP_URL", "STORE")
REGISTRY_KEY = r"Software\RoutingML"
SECTION = "RoutingML"
FILE_ENV = "ROUTING_ML_MACHINE_SETTINGS"
DEFAULT_FILE = Path("/etc/routing-ml/settings.ini")


@dataclass(frozen=True)
class MachineSettings:
    """SERVER: the ERP's SQL Server (`host`, `host\\instance` or `host,port`); DATABASE: its
    database; LDAP_URL: the directory for sign-in roles (`ldap://…` or `ldaps://…`); STORE: the
    shared store (a SQLAlchemy URL or a file path). An empty string means "not set"."""

    server: str = ""
    database: str = ""
    ldap_url: str = ""
    store: str = ""
    origin: str = "none"                   # where they were read, for the self-test and the log
    problems: tuple[str, ...] = field(default=())   # what could not be read, naming the place

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name.lower()) for name in PROPERTIES}

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.values().items() if v) or "nothing set"
        return f"{self.origin}: {shown}"


def load(environ: dict[str, str] | None = None, winreg_module=None,
         platform: str | None = None) -> MachineSettings:
    """Read the machine-wide settings now (see the module's docstring for where from).

    Never raises: a missing place means nothing is set; an unreadable one is named in `problems`.
    `winreg_module` and `platform` let tests stand in for Windows."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    override = env.get(FILE_ENV, "").strip()
    if override:
        return _from_file(Path(override), required=True)
    if platform == "win32":
        if winreg_module is None:
            import winreg as winreg_module
        return _from_registry(winreg_module)
    return _from_file(DEFAULT_FILE, required=False)


@functools.lru_cache(maxsize=1)
def current() -> MachineSettings:
    """The settings of this process, read once (IT changes them by reinstalling, not while it runs)."""
    return load()


def _settings(values: dict[str, str], origin: str, problems: list[str]) -> MachineSettings:
    clean = {k: (values.get(k) or "").strip() for k in PROPERTIES}
    ldap_url = clean["LDAP_URL"]
    if ldap_url and not ldap_url.lower().startswith(("ldap://", "ldaps://")):
        problems.append(f"LDAP_URL {ldap_url!r} in {origin} is not an ldap:// or ldaps:// address; "
                        "it is ignored")
        clean["LDAP_URL"] = ""
    return MachineSettings(server=clean["SERVER"], database=clean["DATABASE"], ldap_url=clean["LDAP_URL"],
                           store=clean["STORE"], origin=origin, problems=tuple(problems))


def _from_file(path: Path, required: bool) -> MachineSettings:
    if not path.exists():
        problems = [f"{path} (named by {FILE_ENV}) does not exist"] if required else []
        return _settings({}, str(path) if required else "none", problems)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _settings({}, str(path), [f"{path} cannot be read: {exc.strerror or exc}"])
    for encoding in ("utf-8-sig", "cp949"):   # Notepad on a Korean PC saves CP949
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return _settings({}, str(path), [f"{path} is neither UTF-8 nor CP949 text"])
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str.upper   # keys as the MSI spells them, whatever case the file uses
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        return _settings({}, str(path), [f"{path} is not a settings file: {first}"])
    if not parser.has_section(SECTION):
        return _settings({}, str(path), [f"{path} has no [{SECTION}] section"])
    return _settings(dict(parser.items(SECTION)), str(path), [])


def _from_registry(winreg) -> MachineSettings:
    """HKLM (what a per-machine MSI writes), then HKCU (a per-user install) for what HKLM lacks.
    The 64-bit view is read explicitly: the MSI's components are 64-bit."""
    values: dict[str, str] = {}
    origins: list[str] = []
    problems: list[str] = []
    for hive, hive_name in ((winreg.HKEY_LOCAL_MACHINE, "HKLM"), (winreg.HKEY_CURRENT_USER, "HKCU")):
        place = f"{hive_name}\\{REGISTRY_KEY}"
        try:
            key = winreg.OpenKey(hive, REGISTRY_KEY, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(f"{place} cannot be read: {exc.strerror or exc}")
            continue
        found = False
        with key:
            for name in PROPERTIES:
                if values.get(name):
                    continue
                try:
                    value, kind = winreg.QueryValueEx(key, name)
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    problems.append(f"{place}\\{name} cannot be read: {exc.strerror or exc}")
                    continue
                if kind == winreg.REG_EXPAND_SZ:
                    value = winreg.ExpandEnvironmentStrings(value)
                elif kind != winreg.REG_SZ:
                    problems.append(f"{place}\\{name} is not a text value (REG_SZ); it is ignored")
                    continue
                if value.strip():
                    values[name] = value
                    found = True
        if found:
            origins.append(place)
    return _settings(values, " + ".join(origins) or "none", problems)


def trusted_value(name: str, winreg_module=None, platform: str | None = None,
                  path: Path | None = None) -> tuple[str, str, list[str]]:
    """(text, where, problems) of a value only an administrator of the PC can set: on Windows from
    HKLM alone (never HKCU, which the user writes), elsewhere from /etc/routing-ml/settings.ini; the
    ROUTING_ML_MACHINE_SETTINGS file is not read for it, since anyone can point that variable
    anywhere. Used for the pinned audit signer keys (app.services.trust)."""
    platform = platform or sys.platform
    if platform == "win32":
        if winreg_module is None:
            import winreg as winreg_module
        winreg = winreg_module
        place = f"HKLM\\{REGISTRY_KEY}\\{name}"
        try:
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, REGISTRY_KEY, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
        except FileNotFoundError:
            return "", place, []
        except OSError as exc:
            return "", place, [f"{place} cannot be read: {exc.strerror or exc}"]
        with key:
            try:
                value, kind = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                return "", place, []
            except OSError as exc:
                return "", place, [f"{place} cannot be read: {exc.strerror or exc}"]
        if kind == getattr(winreg, "REG_MULTI_SZ", 7) and isinstance(value, (list, tuple)):
            value = "\n".join(value)
        elif kind not in (winreg.REG_SZ, winreg.REG_EXPAND_SZ):
            return "", place, [f"{place} is not a text value (REG_SZ or REG_MULTI_SZ); it is ignored"]
        return str(value), place, []
    path = path or DEFAULT_FILE
    place = f"{path} [{SECTION}] {name}"
    if not path.exists():
        return "", place, []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return "", place, [f"{path} cannot be read: {exc.strerror or exc}"]
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str.upper
    try:
        parser.read_string(raw.decode("utf-8-sig", errors="replace"), source=str(path))
    except configparser.Error as exc:
        return "", place, [f"{path} is not a settings file: {str(exc).splitlines()[0]}"]
    if not parser.has_section(SECTION):
        return "", place, []
    return parser.get(SECTION, name.upper(), fallback=""), place, []
