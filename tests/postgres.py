"""A private PostgreSQL for tests that stop and start the server: never the shared one.

`start_postgres()` runs Debian's `initdb` into a fresh temp dir owned by the `postgres`
user (PostgreSQL refuses to run as root), then `pg_ctl start` on a free loopback port with
trust authentication and its socket in the data dir. `stop()` is `pg_ctl stop -m immediate`
by default, what a crash or a pulled cable looks like to a client; `start()` brings the same
cluster back on the same port. `destroy()` stops it and removes the dir.

Nothing here skips: a missing PostgreSQL raises RuntimeError, so the tests fail.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.dovecot import _free_ports

BIN = Path(os.environ.get("MAILROOM_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
OWNER = "postgres"


def _as_owner(*command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool as the `postgres` user when we are root, else as ourselves."""
    prefix = ["runuser", "-u", OWNER, "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass
class Postgres:
    root: Path  # holds data/ and server.log
    port: int
    running: bool = field(default=False, init=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        """The `postgres` database, as the superuser: trust authentication on loopback."""
        return f"postgresql+psycopg://{OWNER}@{HOST}:{self.port}/postgres?connect_timeout=5"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -c unix_socket_directories={self.data} "
            "-c fsync=off -c full_page_writes=off"
        )
        result = _as_owner(
            str(BIN / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
            "-l", str(self.log), "-o", options,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed ({result.returncode}): {result.stdout}{result.stderr}\n"
                f"--- {self.log} ---\n{_tail(self.log)}"
            )
        self.running = True

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; `immediate` drops every connection at once, as a crash would."""
        result = _as_owner(str(BIN / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(self.data))
        if result.returncode != 0 and self.running:
            raise RuntimeError(f"pg_ctl stop failed: {result.stdout}{result.stderr}")
        self.running = False

    def destroy(self) -> None:
        atexit.unregister(self.destroy)
        if self.running:
            with contextlib.suppress(Exception):
                self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(missing)"


def start_postgres() -> Postgres:
    """A fresh cluster, started; call `destroy()` when done (atexit does it otherwise)."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"{BIN}/initdb not found: install Debian's postgresql-15")
    root = Path(tempfile.mkdtemp(prefix="pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        owner = pwd.getpwnam(OWNER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    [port] = _free_ports(1)
    server = Postgres(root, port)
    atexit.register(server.destroy)
    result = _as_owner(
        str(BIN / "initdb"), "-D", str(server.data), "-U", OWNER, "--auth=trust",
        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
    )  # fmt: skip
    if result.returncode != 0:
        server.destroy()
        raise RuntimeError(f"initdb failed: {result.stdout}{result.stderr}")
    try:
        server.start()
    except BaseException:
        server.destroy()
        raise
    return server
