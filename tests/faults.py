"""What the fault tests share: a small tmpfs to fill, waiting with a deadline, and a walk of
the served site that follows every local link from the home page.

The tmpfs needs root (CI runs as root, scripts/test); without it the tests fail, saying so,
rather than skip.
"""

from __future__ import annotations

import contextlib
import html.parser
import http.server
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.cli import mailroom


def until(condition: Callable[[], bool], seconds: float, step: float = 0.2) -> bool:
    """Poll `condition` until it holds or `seconds` pass (generous: the machine is shared)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "2m") mounted on `path`, unmounted afterwards even on failure."""
    if os.geteuid() != 0:
        pytest.fail("the disk-full tests mount a tmpfs and must run as root (as CI does)")
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        done = subprocess.run(["umount", str(path)], capture_output=True, check=False)
        if done.returncode != 0:  # something still holds a file open: detach it anyway
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def resize(path: Path, size: str) -> None:
    """Grow (or shrink, down to what it holds) the tmpfs on `path`."""
    subprocess.run(
        ["mount", "-o", f"remount,size={size}", str(path)], check=True, capture_output=True
    )


def fill(path: Path, leave: int = 0) -> Path:
    """Fill the filesystem of `path` with one file, leaving about `leave` bytes free."""
    filler = path / "filler"
    stats = os.statvfs(path)
    free = stats.f_bavail * stats.f_frsize
    chunk = b"\0" * (1 << 16)
    with filler.open("ab", buffering=0) as out:  # unbuffered: nothing left to fail at close
        remaining = max(0, free - leave)
        with contextlib.suppress(OSError):
            while remaining > 0:
                remaining -= out.write(chunk[: min(len(chunk), remaining)]) or 0
    return filler


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def status_of(config: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    """`mailroom status` as text and as JSON."""
    text = mailroom("status", "--config", str(config), *extra)
    assert text.returncode == 0, text.stderr
    as_json = mailroom("status", "--json", "--config", str(config), *extra)
    assert as_json.returncode == 0, as_json.stderr
    return text.stdout, json.loads(as_json.stdout)


def listed(config: Path) -> list[dict[str, Any]]:
    result = mailroom("list", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    loaded: list[dict[str, Any]] = json.loads(result.stdout)
    return loaded


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.links.append(value)
            elif value and name == "srcset":
                self.links += [part.strip().split(" ")[0] for part in value.split(",")]


@dataclass
class Walk:
    """What a walk of the site found: every page reached, and each link that did not resolve."""

    pages: set[str] = field(default_factory=set)
    broken: list[tuple[str, str, int]] = field(default_factory=list)  # (page, link, status)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP as a static host would (the symlink is followed at each request,
    so a swap shows at once); yields the base URL."""
    handler = partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def walk_site(base: str, limit: int = 20_000) -> Walk:
    """Fetch the home page and follow every local link (href, src) of every HTML page reached."""
    walk = Walk()
    host = urllib.parse.urlsplit(base).netloc
    queue: list[tuple[str, str, str]] = [(base, "-", base)]  # (url, from page, link as written)
    seen = {base}
    while queue and len(seen) < limit:
        url, origin, written = queue.pop()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (http only)
                kind = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as exc:
            walk.broken.append((origin, written, exc.code))
            continue
        path = urllib.parse.urlsplit(url).path
        walk.pages.add(path)
        if kind != "text/html":
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        for link in parser.links:
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(url, link))
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue  # another site, mailto:, data:
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
            if target not in seen:
                seen.add(target)
                queue.append((target, path, link))
    return walk
