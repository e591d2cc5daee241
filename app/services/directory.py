"""Roles from Active Directory (or any LDAP directory) groups, read with ldap3.

- Bind: Kerberos (SASL GSSAPI) on a Windows domain, with the signed-in user's own ticket and no
  password (ldap3 uses the `winkerberos` package there, `gssapi` elsewhere); or a simple bind of a
  service account over LDAPS (ldaps://), its password in the OS keyring. A simple bind over plain
  ldap:// is refused: it would send the password in clear.
- The user is found by `user_attribute` (sAMAccountName on AD, uid on OpenLDAP) under `base_dn`.
- Nested groups: on Active Directory one search with LDAP_MATCHING_RULE_IN_CHAIN
  (1.2.840.113556.1.4.1941); elsewhere the groups that list the user, then the groups that list
  those, until no new group appears.
- Every value put into a filter passes ldap3's escape_filter_chars, so a name such as `*`,
  `kim)(uid=*` or `back\\slash` matches only itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from urllib.parse import urlparse

from app.domain.access import NO_ROLE, ROLES, role_rank
from app.domain.routing import RoutingError

AD_CAPABILITY = "1.2.840.113556.1.4.800"     # rootDSE supportedCapabilities of Active Directory
IN_CHAIN = "1.2.840.113556.1.4.1941"         # LDAP_MATCHING_RULE_IN_CHAIN
MAX_NESTING = 20
GROUP_CLASSES = "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"


class DirectoryError(RoutingError):
    """The directory settings are wrong or the directory refused us; the message says which."""


class DirectoryUnavailable(DirectoryError):
    """The directory cannot be reached now (network, server down): a cached role may be used."""


@dataclass
class DirectoryConfig:
    server: str                                   # "ldaps://dc01.ksm.local", several separated by spaces
    base_dn: str                                  # "DC=ksm,DC=local"
    groups: dict[str, str] = field(default_factory=dict)   # group DN or CN -> role
    bind: str = "kerberos"                        # "kerberos" | "simple"
    bind_user: str = ""                           # simple bind: the service account's DN or UPN
    user_attribute: str = "sAMAccountName"
    ca_file: str = ""                             # LDAPS: a PEM file of the CA to trust (default: the system's)
    timeout_s: float = 5.0
    domain: str = ""                              # the Windows domain (NetBIOS) whose accounts it answers for;
                                                  # "" = the first DC= of base_dn ("DC=ksm,DC=local" -> KSM)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> DirectoryConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def domain_name(self) -> str:
        """The domain whose accounts (`DOMAIN\\user`) this directory knows, upper-case."""
        if self.domain.strip():
            return self.domain.strip().upper()
        for attribute, value in _rdns(self.base_dn):
            if attribute == "dc":
                return value.upper()
        return ""

    def serves(self, account: str) -> bool:
        """Whether `account` is one of this directory's: `KSM\\kim` is, `OTHER\\kim` and a PC's local
        `PC-07\\kim` are not (the same login in another domain is another person). An account without
        a domain (the OS account on Linux or macOS) is looked up as it is."""
        if "\\" not in account:
            return True
        domain = account.split("\\", 1)[0].strip().upper()
        mine = self.domain_name()
        return bool(mine) and (domain == mine or domain.split(".", 1)[0] == mine)

    def urls(self) -> list[str]:
        return [u for u in self.server.replace(",", " ").split() if u]

    def problems(self) -> list[str]:
        """What is wrong with these settings, in words ([] when they can be tried)."""
        out = []
        urls = self.urls()
        if not urls:
            out.append("enter the directory server (ldaps://server)")
        for u in urls:
            if urlparse(u).scheme not in ("ldap", "ldaps"):
                out.append(f"server {u}: write it as ldaps://host or ldap://host")
        if not self.base_dn.strip():
            out.append("enter the base DN (e.g. DC=ksm,DC=local)")
        if self.bind not in ("kerberos", "simple"):
            out.append(f"bind {self.bind!r} is neither kerberos nor simple")
        if self.bind == "simple":
            if not self.bind_user.strip():
                out.append("a simple bind needs the service account (bind user)")
            if any(urlparse(u).scheme != "ldaps" for u in urls):
                out.append("a simple bind sends the password: use ldaps:// servers only")
        for group, role in self.groups.items():
            if role not in ROLES:
                out.append(f"group {group}: role {role!r} is not one of {', '.join(ROLES)}")
        if not self.groups:
            out.append("map at least one group to a role")
        return out


    def warnings(self) -> list[str]:
        """What works but is not safe, in words (shown when the settings are saved)."""
        out = []
        if self.bind == "kerberos" and any(urlparse(u).scheme == "ldap" for u in self.urls()):
            out.append("a Kerberos bind over ldap:// is neither signed nor sealed (ldap3 does not sign the session), "
                       "so someone on the network could change the groups the directory answers; use ldaps://")
        return out


@dataclass(frozen=True)
class DirectoryAnswer:
    user_dn: str | None          # None: no such user in the directory
    groups: tuple[str, ...]      # every group the user is in, nested ones included (DNs)
    role: str                    # the highest role of the mapped groups, NO_ROLE when none


def _escape(value: str) -> str:
    from ldap3.utils.conv import escape_filter_chars
    return escape_filter_chars(value)


def user_filter(attribute: str, login: str) -> str:
    return f"(&(objectClass=person)({attribute}={_escape(login)}))"


def in_chain_filter(user_dn: str) -> str:
    """Active Directory: every group `user_dn` is in, directly or through other groups."""
    return f"(&(objectClass=group)(member:{IN_CHAIN}:={_escape(user_dn)}))"


def members_filter(dns: list[str]) -> str:
    """Any directory: the groups that list one of `dns` as a member."""
    parts = "".join(f"(member={_escape(dn)})(uniqueMember={_escape(dn)})" for dn in dns)
    return f"(&{GROUP_CLASSES}(|{parts}))"


def _unescape(value: str) -> str:
    """A DN attribute value without its escapes (`\\28` and `\\(` are both "(")."""
    out, i = bytearray(), 0
    while i < len(value):
        ch = value[i]
        pair = value[i + 1:i + 3]
        if ch == "\\" and len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
            out.append(int(value[i + 1:i + 3], 16))
            i += 3
        elif ch == "\\" and i + 1 < len(value):
            out.extend(value[i + 1].encode("utf-8"))
            i += 2
        else:
            out.extend(ch.encode("utf-8"))
            i += 1
    return out.decode("utf-8", errors="replace")


def _rdns(dn: str) -> list[tuple[str, str]]:
    from ldap3.utils.dn import parse_dn
    try:
        return [(a.strip().lower(), _unescape(v.strip()).lower()) for a, v, _sep in parse_dn(dn, escape=False, strip=True)]
    except Exception:  # noqa: BLE001 - not a DN
        return []


def _norm_dn(dn: str) -> str:
    rdns = _rdns(dn)
    return ",".join(f"{a}={v}" for a, v in rdns) if rdns else dn.strip().lower()


def _cn(dn: str) -> str:
    rdns = _rdns(dn)
    return rdns[0][1] if rdns and rdns[0][0] == "cn" else ""


def role_of_groups(mapping: dict[str, str], groups: list[str] | tuple[str, ...]) -> str:
    """The highest role any of `groups` (DNs) maps to; a mapping key is a group's DN or its CN."""
    by_dn = {_norm_dn(k): r for k, r in mapping.items() if "=" in k}
    by_cn = {k.strip().lower(): r for k, r in mapping.items() if "=" not in k}
    best = NO_ROLE
    for g in groups:
        for role in (by_dn.get(_norm_dn(g)), by_cn.get(_cn(g))):
            if role and role_rank(role) > role_rank(best):
                best = role
    return best


def _whole_seconds(timeout: float) -> int:
    """ldap3 packs the receive timeout into a C struct of whole seconds (a float such as the default
    5.0 fails there with struct.error on Linux)."""
    return max(1, int(-(-timeout // 1)))


def _connect(cfg: DirectoryConfig, password: str | None):
    import ssl

    import ldap3
    from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPSocketReceiveError
    problems = cfg.problems()
    if problems:
        raise DirectoryError("directory settings: " + "; ".join(problems))
    servers = []
    for url in cfg.urls():
        u = urlparse(url)
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cfg.ca_file or None) if u.scheme == "ldaps" else None
        servers.append(ldap3.Server(u.hostname, port=u.port, use_ssl=u.scheme == "ldaps", tls=tls,
                                    get_info=ldap3.DSA, connect_timeout=cfg.timeout_s))
    pool = ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True) if len(servers) > 1 else servers[0]
    try:
        if cfg.bind == "kerberos":
            conn = ldap3.Connection(pool, authentication=ldap3.SASL, sasl_mechanism=ldap3.KERBEROS,
                                    receive_timeout=_whole_seconds(cfg.timeout_s), raise_exceptions=False)
        else:
            if not password:
                raise DirectoryError(f"no password for the bind user {cfg.bind_user} in the OS keyring; enter it in "
                                     f"Settings ▸ Roles")
            conn = ldap3.Connection(pool, user=cfg.bind_user, password=password, authentication=ldap3.SIMPLE,
                                    receive_timeout=_whole_seconds(cfg.timeout_s), raise_exceptions=False)
        if not conn.bind():
            raise DirectoryError(f"the directory {cfg.server} refused the {cfg.bind} bind"
                                 f"{' of ' + cfg.bind_user if cfg.bind == 'simple' else ''}: "
                                 f"{conn.result.get('description')} {conn.result.get('message') or ''}".strip())
        return conn
    except (LDAPSocketOpenError, LDAPSocketReceiveError) as exc:
        if _certificate_problem(exc):
            raise DirectoryError(f"the directory {cfg.server} answered, but its certificate is not trusted on this "
                                 f"PC ({_certificate_problem(exc)}): name its CA's certificate (PEM) in Settings ▸ "
                                 f"Roles, or have IT install that CA on this PC") from None
        raise DirectoryUnavailable(f"the directory {cfg.server} cannot be reached: {exc}") from None
    except ldap3.core.exceptions.LDAPPackageUnavailableError as exc:
        raise DirectoryError(f"Kerberos bind is not available on this PC ({exc}); use a simple bind over "
                             f"LDAPS") from None
    except LDAPException as exc:
        raise DirectoryError(f"the directory {cfg.server}: {exc}") from None


def _certificate_problem(exc: Exception) -> str:
    """The certificate complaint inside ldap3's socket error ('' when it is not about a certificate)."""
    text = str(exc)
    for marker in ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "doesn't match", "hostname mismatch",
                   "certificate"):
        if marker.lower() in text.lower():
            start = text.lower().find("certificate verify failed")
            return text[start:start + 120].split("]")[0].split("(_ssl")[0].strip() if start >= 0 else marker
    return ""


def _search(conn, base: str, flt: str, limit: int = 0) -> list[str]:
    import ldap3
    ok = conn.search(base, flt, search_scope=ldap3.SUBTREE, attributes=[], size_limit=limit)
    if not ok and conn.result.get("result") not in (0, 4, 32):   # 4: size limit hit, 32: no such object
        raise DirectoryError(f"directory search failed: {conn.result.get('description')} "
                             f"{conn.result.get('message') or ''}".strip())
    return [e.entry_dn for e in conn.entries]


def _is_active_directory(conn) -> bool:
    info = getattr(conn.server, "info", None)
    caps = (getattr(info, "other", None) or {}).get("supportedCapabilities", []) if info else []
    return AD_CAPABILITY in caps


def lookup(cfg: DirectoryConfig, login: str, password: str | None = None) -> DirectoryAnswer:
    """Find `login` and every group it is in; DirectoryUnavailable when the server cannot be reached."""
    from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPSocketReceiveError
    conn = _connect(cfg, password)
    try:
        found = _search(conn, cfg.base_dn, user_filter(cfg.user_attribute, login), limit=2)
        if not found:
            return DirectoryAnswer(None, (), NO_ROLE)
        if len(found) > 1:
            raise DirectoryError(f"the directory has several entries with {cfg.user_attribute}={login}")
        user_dn = found[0]
        if _is_active_directory(conn):
            groups = set(_search(conn, cfg.base_dn, in_chain_filter(user_dn)))
        else:
            groups, frontier = set(), [user_dn]
            for _ in range(MAX_NESTING):
                new = [g for g in _search(conn, cfg.base_dn, members_filter(frontier)) if g not in groups]
                if not new:
                    break
                groups.update(new)
                frontier = new
        ordered = tuple(sorted(groups))
        return DirectoryAnswer(user_dn, ordered, role_of_groups(cfg.groups, ordered))
    except (LDAPSocketOpenError, LDAPSocketReceiveError) as exc:
        raise DirectoryUnavailable(f"the directory {cfg.server} stopped answering: {exc}") from None
    except LDAPException as exc:
        raise DirectoryError(f"the directory {cfg.server}: {exc}") from None
    finally:
        conn.unbind()
