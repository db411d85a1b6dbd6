"""A private Dovecot IMAP server for tests (see /work/shared/research/dovecot-recipe.md).

`start_dovecot()` writes a config, a passwd-file and a self-signed certificate into
a fresh short temp dir `D`, starts `dovecot -F -c D/dovecot.conf` in its own
session on loopback ports, and returns a `Dovecot` handle once the IMAP port
greets with `* OK`. `Dovecot.stop()` stops the whole process group and removes `D`.

Nothing here skips: a missing Dovecot raises RuntimeError, so the tests fail.
Works as root (mail stored as uid 65534, login processes as `dovenull`) and as an
ordinary user (own uid, no chroot).
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import ssl as ssl_module
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
APPEND_BATCH = 100  # messages per MULTIAPPEND command
MAIL_UID = 65534  # as root: passwd-file rejects uid 0, so mail belongs to nobody
SBIN_DIRS: tuple[str, ...] = ("/usr/sbin", "/sbin", "/usr/local/sbin")
NOT_FOUND = (
    "dovecot not found: install Debian's dovecot-imapd and dovecot-lmtpd (scripts/test does this)"
)
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]", re.IGNORECASE)


def crlf(message: bytes) -> bytes:
    """Normalise line endings to CRLF, as IMAP APPEND and LMTP DATA want."""
    return message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _uid_set(text: bytes) -> list[int]:
    """Expand an IMAP uid-set such as `5:7,9` in order: [5, 6, 7, 9]."""
    uids: list[int] = []
    for part in text.decode("ascii").split(","):
        if ":" in part:
            first, last = (int(n) for n in part.split(":"))
            uids.extend(range(min(first, last), max(first, last) + 1))
        else:
            uids.append(int(part))
    return uids


@dataclass
class Dovecot:
    """A running private Dovecot; all mail belongs to one user."""

    root: Path  # the temp dir D
    imap_port: int
    imaps_port: int
    lmtp_port: int
    cert: Path  # D/cert.pem: pass as cafile to verify IMAPS
    process: subprocess.Popen[bytes] = field(repr=False, compare=False)
    user: str = "test"
    password: str = "secret"
    host: str = HOST
    stopped: bool = field(default=False, init=False, compare=False)

    @property
    def lmtp_socket(self) -> Path:
        return self.root / "run" / "lmtp"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def ssl_context(self) -> ssl_module.SSLContext:
        return ssl_module.create_default_context(cafile=str(self.cert))

    def client(self, *, ssl: bool = False) -> IMAPClient:
        """A new logged-in client; over IMAPS (cert verified) when `ssl`."""
        if ssl:
            c = IMAPClient(
                self.host,
                port=self.imaps_port,
                ssl=True,
                ssl_context=self.ssl_context(),
                timeout=30,
            )
        else:
            c = IMAPClient(self.host, port=self.imap_port, ssl=False, timeout=30)
        try:
            c.login(self.user, self.password)
        except BaseException:
            with contextlib.suppress(Exception):
                c.shutdown()
            raise
        return c

    @contextlib.contextmanager
    def session(self) -> Iterator[IMAPClient]:
        """A logged-in client that is logged out at the end of the block."""
        c = self.client()
        try:
            yield c
        finally:
            with contextlib.suppress(Exception):
                c.logout()

    def create_folder(self, name: str) -> str:
        with self.session() as c:
            c.create_folder(name)
        return name

    def fresh_folder(self, prefix: str = "t") -> str:
        """Create and return a new uniquely named folder, e.g. `t-1a2b3c4d`."""
        return self.create_folder(f"{prefix}-{uuid.uuid4().hex[:8]}")

    def append(
        self,
        folder: str,
        messages: Iterable[bytes],
        *,
        internaldate: datetime | None = None,
    ) -> list[int]:
        """APPEND messages (LF turned into CRLF) in MULTIAPPEND batches; return their UIDs.

        `internaldate`, an aware datetime, becomes every message's INTERNALDATE.
        """
        items: list[dict[str, object]] = []
        for message in messages:
            item: dict[str, object] = {"msg": crlf(message)}
            if internaldate is not None:
                item["date"] = internaldate
            items.append(item)
        uids: list[int] = []
        with self.session() as c:
            for start in range(0, len(items), APPEND_BATCH):
                batch = items[start : start + APPEND_BATCH]
                typ, data = c.multiappend(folder, batch)
                response = b" ".join(d for d in data if isinstance(d, bytes))
                if typ != "OK":
                    raise RuntimeError(f"APPEND to {folder!r} failed: {typ} {response!r}")
                match = _APPENDUID.search(response)
                if match is None:
                    raise RuntimeError(f"APPEND to {folder!r}: no APPENDUID in {response!r}")
                got = _uid_set(match.group(2))
                if len(got) != len(batch):
                    raise RuntimeError(f"APPEND of {len(batch)} messages returned UIDs {got}")
                uids.extend(got)
        return uids

    def deliver_lmtp(
        self,
        message: bytes,
        rcpt: str = "test@un.example",
        *,
        sender: str = "sender@example.org",
    ) -> None:
        """Deliver one message to INBOX over LMTP (TCP), as an MTA would."""
        with smtplib.LMTP(self.host, self.lmtp_port, timeout=30) as lmtp:
            refused = lmtp.sendmail(sender, [rcpt], crlf(message))
        if refused:
            raise RuntimeError(f"LMTP refused {refused}")

    def recreate_folder(self, folder: str) -> None:
        """Delete and re-create `folder` (now empty) so that its UIDVALIDITY changes."""
        with self.session() as c:
            c.delete_folder(folder)
            c.create_folder(folder)

    def uidvalidity(self, folder: str) -> int:
        with self.session() as c:
            return int(c.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def uids(self, folder: str) -> list[int]:
        with self.session() as c:
            c.select_folder(folder, readonly=True)
            return sorted(int(u) for u in c.search("ALL"))

    def flags(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        """uid -> flags, read without changing anything (EXAMINE).

        `\\Recent` is left out: it depends on which session looked first.
        """
        with self.session() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            if not uids:
                return {}
            fetched = c.fetch(uids, [b"FLAGS"])
            return {
                int(uid): tuple(f for f in data[b"FLAGS"] if f.lower() != b"\\recent")
                for uid, data in sorted(fetched.items())
            }

    def halt(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL), keeping its mail, config and ports."""
        _stop_group(self.process)

    def resume(self) -> None:
        """Start a halted server again: same ports, same mail, same UIDVALIDITY."""
        binary = _find("dovecot")
        if binary is None:
            raise RuntimeError(NOT_FOUND)
        with (self.root / "dovecot.out").open("ab") as output:
            self.process = subprocess.Popen(
                [binary, "-F", "-c", str(self.root / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 6 * START_TIMEOUT  # the machine may be busy
        while not _greeted(self.imap_port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = _tail(self.root / "dovecot.out")
                raise RuntimeError(f"dovecot did not start again: {_tail(self.log)}\n{output}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after 5 s, then remove the temp dir.

        Idempotent; also registered with atexit in case nobody calls it.
        """
        if self.stopped:
            return
        self.stopped = True
        atexit.unregister(self.stop)
        _stop_group(self.process)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) pids in process group `pgid`, read from /proc.

    Zombies are left out: once the master has exited, its dead children wait for
    init to reap them, which on some machines takes a second or two.
    """
    members: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process just went away
            continue
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _group_alive(pgid: int) -> bool:
    """Whether a live process is still in process group `pgid`."""
    if not Path("/proc/self/stat").exists():  # no procfs: zombies count too
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return bool(_group_members(pgid))


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the master and every child (started with start_new_session, so pgid == pid)."""
    pgid = process.pid
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    # The master is reaped; children it left behind keep the group alive.
    deadline = time.monotonic() + STOP_TIMEOUT
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def _find(name: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    return shutil.which(name, path=path)


def _free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (bind to 0, read, close; Dovecot has no port 0)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _config(
    d: Path, imap_port: int, imaps_port: int, lmtp_port: int, introspection_url: str | None = None
) -> str:
    if os.geteuid() == 0:
        identity = "first_valid_uid = 500\n"
        no_chroot = ""
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        identity = (
            f"default_internal_user = {me}\n"
            f"default_internal_group = {group}\n"
            f"default_login_user = {me}\n"
            f"first_valid_uid = {os.getuid()}\n"
            f"first_valid_gid = {os.getgid()}\n"
        )
        no_chroot = "  chroot =\n"
    anvil = "service anvil {\n  chroot =\n}\n" if no_chroot else ""
    mechanisms, oauth2 = "plain login", ""
    if introspection_url is not None:
        # Dovecot's oauth2 passdb asks the test's authorization server about each token.
        mechanisms += " xoauth2 oauthbearer"
        (d / "oauth2.conf").write_text(
            f"introspection_mode = post\nintrospection_url = {introspection_url}\n"
            "force_introspection = yes\nusername_attribute = username\n"
            "active_attribute = active\nactive_value = true\ntimeout_msecs = 5000\n"
        )
        oauth2 = (
            "auth_failure_delay = 0\n"  # a refused token is the point of some tests
            "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
            f"  args = {d}/oauth2.conf\n}}\n"
        )
    return f"""\
base_dir = {d}/run
state_dir = {d}/state
instance_name = dovecot-test-{d.name}
protocols = imap lmtp
listen = {HOST}
log_path = {d}/dovecot.log
{identity}disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Archive {{
    auto = create
  }}
  mailbox Processed {{
    auto = create
  }}
}}
{oauth2}passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%n {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {d}/users
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
{anvil}service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
  inet_listener lmtp {{
    port = {lmtp_port}
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path.name}: missing)"
    return "\n".join(text.splitlines()[-lines:]) or f"({path.name}: empty)"


def _greeted(port: int, timeout: float = 1.0) -> bool:
    """Whether a connection to `port` reads a `* OK` greeting (not just an open port)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            return s.makefile("rb").readline().startswith(b"* OK")
    except OSError:
        return False


def _prepare(
    d: Path, user: str, password: str, openssl: str, tls: tuple[bytes, bytes] | None = None
) -> None:
    root = os.geteuid() == 0
    uid, gid = (MAIL_UID, MAIL_UID) if root else (os.getuid(), os.getgid())
    mail = d / "mail"
    (mail / user).mkdir(parents=True)
    (d / "users").write_text(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::{mail / user}::\n")
    if tls is not None:  # a certificate chain and key the test made (e.g. with trustme)
        (d / "cert.pem").write_bytes(tls[0])
        (d / "key.pem").write_bytes(tls[1])
    else:
        _self_signed(d, openssl)
    # The auth process runs as `dovecot` and must reach D/users (mkdtemp makes D 0700).
    d.chmod(0o711)
    (d / "users").chmod(0o644)
    if root:
        for path in (mail, mail / user):
            os.chown(path, uid, gid)


def _self_signed(d: Path, openssl: str) -> None:
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"),
            "-subj", "/CN=localhost",
            "-addext", f"subjectAltName=DNS:localhost,IP:{HOST}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def start_dovecot(
    base: Path | None = None,
    *,
    attempts: int = 3,
    introspection_url: str | None = None,
    tls: tuple[bytes, bytes] | None = None,
) -> Dovecot:
    """Start a private Dovecot in a new dir `mkdtemp(prefix="dc-", dir=base)`.

    Keep `base` short (unix socket paths must fit in 108 bytes) and, as root,
    traversable by the `dovecot` user. Retries with new ports if one was taken.
    With `introspection_url`, XOAUTH2 and OAUTHBEARER logins are checked there (Dovecot's
    oauth2 passdb); `tls` is a (certificate chain, key) PEM pair to serve instead of a
    self-signed certificate.
    """
    binary = _find("dovecot")
    if binary is None:
        raise RuntimeError(NOT_FOUND)
    openssl = _find("openssl")
    if openssl is None:
        raise RuntimeError("openssl not found: install Debian's openssl")
    for attempt in range(1, attempts + 1):
        try:
            return _start_once(binary, openssl, base, introspection_url, tls)
        except _PortTaken:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _PortTaken(RuntimeError):
    pass


def _start_once(
    binary: str,
    openssl: str,
    base: Path | None,
    introspection_url: str | None = None,
    tls: tuple[bytes, bytes] | None = None,
) -> Dovecot:
    d = Path(tempfile.mkdtemp(prefix="dc-", dir=base))
    try:
        user, password = "test", "secret"
        _prepare(d, user, password, openssl, tls)
        imap_port, imaps_port, lmtp_port = _free_ports(3)
        config = _config(d, imap_port, imaps_port, lmtp_port, introspection_url)
        (d / "dovecot.conf").write_text(config)
        with (d / "dovecot.out").open("wb") as output:
            process = subprocess.Popen(
                [binary, "-F", "-c", str(d / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    except BaseException:
        shutil.rmtree(d, ignore_errors=True)
        raise
    server = Dovecot(
        root=d,
        imap_port=imap_port,
        imaps_port=imaps_port,
        lmtp_port=lmtp_port,
        cert=d / "cert.pem",
        process=process,
        user=user,
        password=password,
    )
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                problem = f"dovecot exited with code {process.returncode}"
                break
            if _greeted(imap_port):
                atexit.register(server.stop)  # safety net if stop() is never called
                return server
            if time.monotonic() > deadline:
                problem = f"no '* OK' greeting on {HOST}:{imap_port} within {START_TIMEOUT:.0f} s"
                break
            time.sleep(0.02)
    except BaseException:
        server.stop()
        raise
    log = _tail(d / "dovecot.log")
    # Early errors (a bad config) reach only stderr; later ones are in both places.
    out = "\n".join(line for line in _tail(d / "dovecot.out").splitlines() if line not in log)
    server.stop()
    message = f"{problem}\n--- {d}/dovecot.log (tail) ---\n{log}"
    if out:
        message += f"\n--- dovecot stdout/stderr (tail) ---\n{out}"
    if "Address already in use" in log + out:
        raise _PortTaken(message)
    raise RuntimeError(message)
