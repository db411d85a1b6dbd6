"""Real parts only: a private Dovecot, SQLite files and a PostgreSQL schema per test.

`database` is parametrized over sqlite and postgresql; PostgreSQL is the
machine's (127.0.0.1:5432, database `test`, or MAILROOM_TEST_POSTGRES_URL).
A missing Dovecot or PostgreSQL fails the run: these tests never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from ingest import MailboxSettings
from publish import SiteSettings
from store import ConsultationSettings, Store, StoreSettings, open_store

if TYPE_CHECKING:
    from tests.dovecot import Dovecot
    from tests.oauth_server import AuthServer

POSTGRES_URL = os.environ.get(
    "MAILROOM_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
NEW_YORK = ZoneInfo("America/New_York")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peer"
MAIL = Path(__file__).parent / "mail"


# The longest tests (over a minute each), started first so that the two workers finish
# together instead of one running a fault campaign alone at the end.
LONGEST = ("test_fault_campaign.py", "test_hostile.py", "test_faults_disk.py", "test_cli.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, the longest of them at the very front (a stable sort otherwise)."""

    def weight(item: pytest.Item) -> int:
        if item.path.name in LONGEST and item.get_closest_marker("slow"):
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=weight)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    from tests.dovecot import start_dovecot

    server = start_dovecot()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SecureServer:
    """A Dovecot that serves a certificate from a test CA (for `localhost` only) and checks
    OAuth2 tokens with a loopback authorization server."""

    dovecot: Dovecot
    auth: AuthServer
    ca_file: Path
    other_ca_file: Path  # a CA that signed nothing the server shows


@pytest.fixture(scope="session")
def secure_dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureServer]:
    import trustme

    from tests.dovecot import start_dovecot
    from tests.oauth_server import running_auth_server

    ca, other = trustme.CA(), trustme.CA()
    leaf = ca.issue_cert("localhost")
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    files = tmp_path_factory.mktemp("ca")
    ca.cert_pem.write_to_path(str(files / "ca.pem"))
    other.cert_pem.write_to_path(str(files / "other-ca.pem"))
    with running_auth_server() as auth:
        server = start_dovecot(
            introspection_url=auth.introspection_url,
            tls=(chain, leaf.private_key_pem.bytes()),
        )
        try:
            yield SecureServer(server, auth, files / "ca.pem", files / "other-ca.pem")
        finally:
            server.stop()


@pytest.fixture
def consultation() -> ConsultationSettings:
    return ConsultationSettings(
        title="Consultations on enhanced cooperation",
        reference="DESA-10/3078",
        address="unpan@un.org",
        timezone="America/New_York",
        deadline=datetime(2010, 11, 15, 23, 59, 59, tzinfo=NEW_YORK),
        posting_date=datetime(2010, 12, 1, 0, 0, tzinfo=NEW_YORK),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL no other test uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mailroom.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is needed (set MAILROOM_TEST_POSTGRES_URL): {exc}"
        )
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store_settings(database: str, tmp_path: Path) -> StoreSettings:
    return StoreSettings(url=database, archive=tmp_path / "archive")


@pytest.fixture
def store(store_settings: StoreSettings) -> Iterator[Store]:
    opened = open_store(store_settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def site_settings(tmp_path: Path) -> SiteSettings:
    return SiteSettings(output=tmp_path / "public" / "site")


def maildir(path: Path, messages: list[bytes]) -> MailboxSettings:
    """A Maildir holding `messages` (in order), as a [[mailbox]] entry."""
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(messages, start=1):
        (path / "new" / f"{1288000000 + number}.M{number}.test").write_bytes(data)
    return MailboxSettings(name="sample", url=f"maildir:{path}")


def imap_mailbox(server: Dovecot, folder: str, **overrides: object) -> MailboxSettings:
    os.environ["MAILROOM_TEST_IMAP_PASSWORD"] = server.password
    values: dict[str, object] = {
        "name": f"imap-{folder}",
        "url": f"imap://{server.user}@127.0.0.1:{server.imap_port}/{folder}",
        "password_env": "MAILROOM_TEST_IMAP_PASSWORD",
        "batch_size": 4,
    }
    values.update(overrides)
    return MailboxSettings.model_validate(values)
