"""A real OAuth2 authorization server on loopback, for Mailroom and Dovecot to talk to.

`/token` answers the refresh-token grant (RFC 6749 §6) with a new access token; `/introspect`
answers Dovecot's oauth2 passdb (RFC 7662, `introspection_mode = post`). Tokens are random
and kept in memory; a test can revoke any of them, or make refresh tokens rotate.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

HOST = "127.0.0.1"


@dataclass
class AuthServer:
    """What the server knows: its client, the refresh tokens it issued and live access tokens."""

    client_id: str = "mailroom-test"
    client_secret: str = field(default_factory=lambda: "cs-" + secrets.token_urlsafe(12))
    user: str = "test"
    expires_in: int = 3600
    rotate: bool = False
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    refreshes: int = 0
    introspections: int = 0
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return f"http://{HOST}:{self.port}/token"

    @property
    def introspection_url(self) -> str:
        return f"http://{HOST}:{self.port}/introspect"

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(16)
        with self.lock:
            self.refresh_tokens.add(token)
        return token

    def issue_access_token(self) -> str:
        token = "at-" + secrets.token_urlsafe(16)
        with self.lock:
            self.access_tokens.add(token)
        return token

    def revoke(self, token: str) -> None:
        with self.lock:
            self.refresh_tokens.discard(token)
            self.access_tokens.discard(token)

    def revoke_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def _token(self, form: dict[str, list[str]], authorization: str | None) -> tuple[int, Any]:
        client_id, client_secret = _client(form, authorization)
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != ["refresh_token"]:
            return 400, {"error": "unsupported_grant_type"}
        refresh = (form.get("refresh_token") or [""])[0]
        with self.lock:
            self.requests.append(form)
            if refresh not in self.refresh_tokens:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            self.refreshes += 1
            access = "at-" + secrets.token_urlsafe(16)
            self.access_tokens.add(access)
            answer: dict[str, Any] = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
            }
            if self.rotate:
                self.refresh_tokens.discard(refresh)
                answer["refresh_token"] = "rt-" + secrets.token_urlsafe(16)
                self.refresh_tokens.add(answer["refresh_token"])
        return 200, answer

    def _introspect(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        token = (form.get("token") or [""])[0]
        with self.lock:
            self.introspections += 1
            active = token in self.access_tokens
        return 200, {"active": active, "username": self.user} if active else {"active": False}


def _client(form: dict[str, list[str]], authorization: str | None) -> tuple[str, str]:
    if authorization and authorization.startswith("Basic "):
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        return user, password
    return (form.get("client_id") or [""])[0], (form.get("client_secret") or [""])[0]


def _handler(server: AuthServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Dovecot's HTTP client expects

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if self.path == "/token":
                status, body = server._token(form, self.headers.get("Authorization"))
            elif self.path == "/introspect":
                status, body = server._introspect(form)
            else:
                status, body = 404, {"error": "not_found"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test reads the counters instead

    return Handler


@contextmanager
def running_auth_server(**options: Any) -> Iterator[AuthServer]:
    """An AuthServer listening on a free loopback port until the block ends."""
    state = AuthServer(**options)
    httpd = ThreadingHTTPServer((HOST, 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, name="auth-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
