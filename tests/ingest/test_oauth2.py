"""OAuth2 logins against a real Dovecot whose oauth2 passdb asks a loopback authorization
server about each token: tokens come from a refresh token (or an operator's command), are
kept until shortly before they expire, replaced once after a refusal, and never shown."""

from __future__ import annotations

import logging
import re
import stat
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest import MailboxSettings, poll_once
from ingest.sources.oauth2 import forget_tokens
from store import Store, StoreSettings, open_store
from store.queries import mailbox_status
from tests.conftest import SecureServer, imap_mailbox
from tests.messages import comment

pytestmark = pytest.mark.imap
NOW = datetime(2010, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """SQLite only: what is tested here is the login, not the database."""
    opened = open_store(StoreSettings(url=f"sqlite:///{tmp_path / 'm.db'}", archive=tmp_path))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def no_cached_tokens() -> Iterator[None]:
    forget_tokens()
    yield
    forget_tokens()


def oauth_mailbox(
    server: SecureServer, folder: str, refresh_file: Path, **oauth: object
) -> MailboxSettings:
    import os

    os.environ["MAILROOM_TEST_OAUTH_SECRET"] = server.auth.client_secret
    settings: dict[str, object] = {
        "provider": "custom",
        "token_url": server.auth.token_url,
        "client_id": server.auth.client_id,
        "client_secret_env": "MAILROOM_TEST_OAUTH_SECRET",
        "refresh_token_file": refresh_file,
    }
    settings.update(oauth)
    return imap_mailbox(
        server.dovecot,
        folder,
        name=f"oauth-{folder}",
        url=f"imaps://test@localhost:{server.dovecot.imaps_port}/{folder}",
        ca_file=server.ca_file,
        password_env=None,
        oauth2=settings,
    )


def poll(mailbox: MailboxSettings, store: Store):  # type: ignore[no-untyped-def]
    return poll_once(mailbox, store, prefix="DESA-10-3078", now=lambda: NOW)


def refresh_file(server: SecureServer, tmp_path: Path) -> Path:
    path = tmp_path / "refresh-token"
    path.write_text(server.auth.issue_refresh_token() + "\n")
    return path


def logins(server: SecureServer, method: str) -> int:
    return server.dovecot.log.read_text().count(f"method={method}")


def test_a_refresh_token_logs_in_and_the_access_token_is_kept_until_it_expires(
    secure_dovecot: SecureServer, store: Store, tmp_path: Path
) -> None:
    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    secure_dovecot.dovecot.append(folder, [comment(1)])
    mailbox = oauth_mailbox(secure_dovecot, folder, refresh_file(secure_dovecot, tmp_path))
    before, bearer = auth.refreshes, logins(secure_dovecot, "OAUTHBEARER")
    report = poll(mailbox, store)
    assert (report.new_submissions, report.errors) == (1, [])
    assert auth.refreshes == before + 1
    assert logins(secure_dovecot, "OAUTHBEARER") == bearer + 1  # offered, so preferred
    secure_dovecot.dovecot.append(folder, [comment(2)])
    assert poll(mailbox, store).new_submissions == 1
    assert auth.refreshes == before + 1, "a valid token was fetched again"


def test_a_token_near_its_expiry_is_refreshed_before_use(
    secure_dovecot: SecureServer, store: Store, tmp_path: Path
) -> None:
    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    mailbox = oauth_mailbox(
        secure_dovecot, folder, refresh_file(secure_dovecot, tmp_path), mechanism="xoauth2"
    )
    auth.expires_in = 2  # refreshed once half its life has gone
    try:
        xoauth = logins(secure_dovecot, "XOAUTH2")
        before = auth.refreshes
        assert poll(mailbox, store).errors == []
        time.sleep(1.2)
        assert poll(mailbox, store).errors == []
    finally:
        auth.expires_in = 3600
    assert auth.refreshes == before + 2
    assert logins(secure_dovecot, "XOAUTH2") == xoauth + 2


@pytest.mark.slow  # Dovecot makes the next login after a refusal wait 4 s (its auth penalty)
def test_a_refused_access_token_is_replaced_once_and_the_login_succeeds(
    secure_dovecot: SecureServer, store: Store, tmp_path: Path
) -> None:
    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    mailbox = oauth_mailbox(secure_dovecot, folder, refresh_file(secure_dovecot, tmp_path))
    assert poll(mailbox, store).errors == []
    auth.revoke_access_tokens()  # the cached token is now refused by the server
    before = auth.refreshes
    secure_dovecot.dovecot.append(folder, [comment(3)])
    report = poll(mailbox, store)
    assert (report.new_submissions, report.errors) == (1, [])
    assert auth.refreshes == before + 1


def test_a_revoked_refresh_token_is_a_clear_error_until_a_good_one_is_given(
    secure_dovecot: SecureServer,
    store: Store,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    secure_dovecot.dovecot.append(folder, [comment(4)])
    tokens = refresh_file(secure_dovecot, tmp_path)
    revoked = tokens.read_text().strip()
    auth.revoke(revoked)
    mailbox = oauth_mailbox(secure_dovecot, folder, tokens)
    with caplog.at_level(logging.DEBUG):
        report = poll(mailbox, store)
    assert report.fetched == 0
    with store.reader() as session:
        [state] = [m for m in mailbox_status(session) if m.mailbox == mailbox.name]
    assert state.last_error == (
        f"mailbox {mailbox.name}: the token endpoint {auth.token_url} refused the refresh "
        "token (invalid_grant: Token has been expired or revoked.); sign in again to get a "
        f"new refresh token and put it where refresh_token_file ({tokens}) says"
    )
    # The operator puts a good refresh token in the file: the next poll reads the mail.
    tokens.write_text(auth.issue_refresh_token() + "\n")
    with caplog.at_level(logging.DEBUG):
        report = poll(mailbox, store)
    assert (report.new_submissions, report.errors) == (1, [])
    secrets = [revoked, tokens.read_text().strip(), auth.client_secret, *auth.access_tokens]
    assert not [s for s in secrets if s in caplog.text], "a secret reached the log"


def test_a_rotated_refresh_token_is_kept_and_written_back(
    secure_dovecot: SecureServer, store: Store, tmp_path: Path
) -> None:
    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    tokens = refresh_file(secure_dovecot, tmp_path)
    first = tokens.read_text().strip()
    mailbox = oauth_mailbox(secure_dovecot, folder, tokens, mechanism="xoauth2")
    auth.rotate = True
    try:
        assert poll(mailbox, store).errors == []
    finally:
        auth.rotate = False
    second = tokens.read_text().strip()
    assert second != first and second in auth.refresh_tokens and first not in auth.refresh_tokens
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    forget_tokens()  # as after a restart: the file alone must be enough
    assert poll(mailbox, store).errors == []


def test_an_operators_command_can_supply_the_token(
    secure_dovecot: SecureServer, store: Store, tmp_path: Path
) -> None:
    folder = secure_dovecot.dovecot.fresh_folder()
    secure_dovecot.dovecot.append(folder, [comment(5)])
    token = secure_dovecot.auth.issue_access_token()
    script = tmp_path / "token.py"
    script.write_text(f"print({token!r})\n")
    mailbox = imap_mailbox(
        secure_dovecot.dovecot,
        folder,
        name="by-command",
        url=f"imaps://test@localhost:{secure_dovecot.dovecot.imaps_port}/{folder}",
        ca_file=secure_dovecot.ca_file,
        password_env=None,
        oauth2={"command": [sys.executable, str(script)]},
    )
    assert poll(mailbox, store).new_submissions == 1
    script.write_text("import sys\nsys.exit('no session: run the sign-in again')\n")
    report = poll(mailbox, store)
    assert report.errors == [
        f"mailbox by-command: the oauth2 command {sys.executable} exited with 1 and printed "
        "no token: no session: run the sign-in again"
    ]


def test_ready_settings_for_microsoft_365_and_google_and_clear_refusals() -> None:
    def oauth(**values: object) -> MailboxSettings:
        return MailboxSettings.model_validate(
            {"name": "m", "url": "imaps://unpan%40un.org@outlook.office365.com/INBOX",
             "oauth2": values}
        )  # fmt: skip

    microsoft = oauth(provider="microsoft", tenant="un.org", client_id="c", refresh_token_env="R")
    assert microsoft.oauth2 is not None
    assert microsoft.oauth2.endpoint == "https://login.microsoftonline.com/un.org/oauth2/v2.0/token"
    assert microsoft.oauth2.scopes == (
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    )
    google = oauth(provider="google", client_id="c", refresh_token_file="rt")
    assert google.oauth2 is not None
    assert google.oauth2.endpoint == "https://oauth2.googleapis.com/token"
    assert google.oauth2.scopes is None
    refusals = {
        "http://auth.example.org/token": dict(
            token_url="http://auth.example.org/token", client_id="c", refresh_token_env="R"
        ),
        "command prints the token itself; drop client_id": dict(command=["t"], client_id="c"),
        "exactly one of refresh_token_env or refresh_token_file": dict(
            provider="google", client_id="c"
        ),
        'provider = "custom" needs token_url': dict(client_id="c", refresh_token_env="R"),
    }
    for said, values in refusals.items():
        with pytest.raises(ValueError, match=re.escape(said)):
            oauth(**values)
    with pytest.raises(ValueError, match="give exactly one of password_env or password_file"):
        MailboxSettings.model_validate(
            {"name": "m", "url": "imaps://u@h/INBOX", "password_env": "P",
             "oauth2": {"command": ["t"]}}
        )  # fmt: skip


def test_an_idle_session_logs_in_again_when_its_token_expires(
    secure_dovecot: SecureServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.ingest.test_idle import watching

    auth = secure_dovecot.auth
    folder = secure_dovecot.dovecot.fresh_folder()
    mailbox = oauth_mailbox(
        secure_dovecot, folder, refresh_file(secure_dovecot, tmp_path), mechanism="xoauth2"
    ).model_copy(update={"idle_minutes": 0.01})
    auth.expires_in = 2
    before = auth.refreshes
    try:
        with caplog.at_level(logging.INFO), watching(mailbox) as calls:
            assert calls.wait_for(2, 15), "no second session after the token expired"
    finally:
        auth.expires_in = 3600
    assert auth.refreshes >= before + 2
    assert "the session's access token expired; logging in again" in caplog.text
    assert "connecting again" not in caplog.text  # expected, so no backoff and no warning
