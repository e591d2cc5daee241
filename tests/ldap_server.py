"""A real OpenLDAP server (slapd) for the directory tests, started on 127.0.0.1 in a temporary folder.

It serves ldap:// and ldaps:// (a throw-away CA and server certificate made here) over a small plant
directory: people, groups nested two levels deep, a cycle, a user in no group, and names with `*`,
`(` and `\\` that a careless filter would turn into wildcards or break.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "dc=ksm,dc=test"
BIND_DN = f"uid=routing-svc,ou=people,{SUFFIX}"
BIND_PASSWORD = "svc-Pa55word!"
USER_PASSWORD = "user-pw"
PEOPLE = ["routing-svc", "kim", "park", "lee", "nogroup", "star*", "starlight", "o(brien", "back\\slash"]

# group cn -> members (people by uid, groups by cn)
GROUPS = {
    "routing-engineers": ["kim", "star*"],
    "seal-leads": ["park", "o(brien"],
    "routing-approvers": ["cn:seal-leads"],
    "it-ops": ["lee"],
    "platform-team": ["cn:it-ops"],
    "routing-admins": ["cn:platform-team", "starlight"],
    "R&D (seals)": ["back\\slash"],
    "loop-a": ["cn:loop-b", "kim"],
    "loop-b": ["cn:loop-a"],
}


def _dn_value(value: str) -> str:
    """RFC 4514: escape what a DN's attribute value may not hold as is."""
    out = value.replace("\\", "\\\\")
    for ch in ',+"<>;=':
        out = out.replace(ch, "\\" + ch)
    return out


def person_dn(uid: str) -> str:
    return f"uid={_dn_value(uid)},ou=people,{SUFFIX}"


def group_dn(cn: str) -> str:
    return f"cn={_dn_value(cn)},ou=groups,{SUFFIX}"


def _ldif() -> str:
    parts = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: ksm\no: KSM test plant\n",
             f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
             f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n"]
    for uid in PEOPLE:
        pw = BIND_PASSWORD if uid == "routing-svc" else USER_PASSWORD
        parts.append(f"dn: {person_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
                     f"userPassword: {pw}\n")
    for cn, members in GROUPS.items():
        lines = "".join(f"member: {group_dn(m[3:]) if m.startswith('cn:') else person_dn(m)}\n" for m in members)
        parts.append(f"dn: {group_dn(cn)}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}")
    return "\n".join(parts)


def _certificates(folder: Path) -> Path:
    """A CA and a server certificate for 127.0.0.1 and localhost; returns the CA's PEM file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Routing ML test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.TraditionalOpenSSL,
                                                          serialization.NoEncryption()))
    return folder / "ca.pem"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_slapd() -> tuple[str | None, str | None]:
    slapd = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
    slapadd = shutil.which("slapadd") or ("/usr/sbin/slapadd" if os.path.exists("/usr/sbin/slapadd") else None)
    return slapd, slapadd


@dataclass
class Slapd:
    folder: Path
    ldap_url: str
    ldaps_url: str
    ca_file: Path
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


def start(folder: Path) -> Slapd:
    slapd, slapadd = find_slapd()
    assert slapd and slapadd
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "db").mkdir(exist_ok=True)
    ca = _certificates(folder)
    modules = next((p for p in ("/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib64/openldap")
                    if os.path.exists(os.path.join(p, "back_mdb.so")) or os.path.exists(os.path.join(p, "back_mdb.la"))),
                   None)
    conf = folder / "slapd.conf"
    conf.write_text("\n".join([
        *(f"include /etc/ldap/schema/{s}.schema" for s in ("core", "cosine", "inetorgperson")),
        *([f"modulepath {modules}", "moduleload back_mdb"] if modules else []),
        f"pidfile {folder / 'slapd.pid'}", f"argsfile {folder / 'slapd.args'}",
        f"TLSCertificateFile {folder / 'server.pem'}", f"TLSCertificateKeyFile {folder / 'server.key'}",
        "database mdb", "maxsize 10485760", f'suffix "{SUFFIX}"', f'rootdn "cn=admin,{SUFFIX}"', "rootpw admin-pw",
        f"directory {folder / 'db'}", "index objectClass eq", "index uid eq", "index member eq",
        "access to attrs=userPassword by self write by anonymous auth by * none",
        "access to * by users read by * none",   # reading the directory needs a bind, as on AD
        ""]), encoding="utf-8")
    (folder / "plant.ldif").write_text(_ldif(), encoding="utf-8")
    done = subprocess.run([slapadd, "-f", str(conf), "-l", str(folder / "plant.ldif")], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"slapadd failed: {done.stderr}")
    port, tls_port = _free_port(), _free_port()
    server = Slapd(folder, f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}", ca)
    log = open(folder / "slapd.log", "w")
    server.process = subprocess.Popen([slapd, "-f", str(conf), "-h", f"{server.ldap_url}/ {server.ldaps_url}/",
                                       "-d", "0"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"slapd stopped at start: {(folder / 'slapd.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", tls_port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"slapd did not listen within 20 s: {(folder / 'slapd.log').read_text()}")
