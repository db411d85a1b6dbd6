"""What the published site gives away: every served file searched for email addresses.

    python -m bench.privacy [--corpus ../shared/corpus/peer] [--out bench/out/privacy]

Publishes a mailbox the way a new user would (a config file, `mailroom poll`, `mailroom
publish` with post-moderation and late comments published), then reads every file the
site serves, and every member of the zip files among them (data/attachments.zip, and
the Office documents, which are zips), gzip-compressed files (the search index) and the
deflated streams of PDFs, looking for anything shaped like an email address. Prints the
number of served files, how many hold an address, and the distinct addresses, by folder.

The search here is deliberately broader than the site's own check (publish/privacy.py):
any `local@domain.tld` in the bytes, as `grep` would find it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "peer"
ADDRESS = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
LIMIT = 64 << 20  # bytes read out of one compressed member

CONFIG = """
[consultation]
title = "Privacy audit"
reference = "DESA-10/3078"
address = "unpan@un.org"
timezone = "America/New_York"
deadline = 2010-11-15
posting_date = 2010-12-01

[[mailbox]]
name = "corpus"
url = "maildir:Maildir"

[store]
url = "sqlite:///mailroom.db"
archive = "archive"

[site]
output = "site"

[moderation]
mode = "post"
late = "publish"
"""


def addresses(data: bytes, depth: int = 0) -> set[bytes]:
    """Addresses in the bytes, and in what they hold: zip members, gzip, PDF streams."""
    found = set(ADDRESS.findall(data))
    if depth > 3:
        return found
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    with archive.open(info) as member:
                        found |= addresses(member.read(LIMIT), depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            pass
    elif data.startswith(b"\x1f\x8b"):
        with contextlib.suppress(OSError, EOFError, zlib.error):
            found |= addresses(gzip.decompress(data)[:LIMIT], depth + 1)
    elif data.startswith(b"%PDF"):
        for stream in STREAM.finditer(data):
            try:
                inflated = zlib.decompressobj().decompress(stream.group(1), LIMIT)
            except zlib.error:
                continue
            found |= set(ADDRESS.findall(inflated))
    return found


def audit(site: Path) -> dict[str, object]:
    """Every served file, and what it holds."""
    site = site.resolve()
    files = 0
    holding: dict[str, set[bytes]] = {}
    by_folder: Counter[str] = Counter()
    by_folder_holding: Counter[str] = Counter()
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        folder = name.split("/", 1)[0] if "/" in name else "(top)"
        if folder in ("ar", "en", "es", "fr", "ru", "zh"):
            folder = "pages"
        files += 1
        by_folder[folder] += 1
        found = addresses(path.read_bytes())
        if name == "data/attachments.zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                inside = [m for m in members if addresses(archive.read(m))]
            by_folder["attachments.zip members"] += len(members)
            by_folder_holding["attachments.zip members"] += len(inside)
        if found:
            holding[name] = found
            by_folder_holding[folder] += 1
    distinct = set().union(*holding.values()) if holding else set()
    policies: Counter[str] = Counter()
    data = site / "data" / "submissions.json"
    for row in json.loads(data.read_text(encoding="utf-8")) if data.is_file() else []:
        for file in row["attachments"]:
            served = "served" if file.get("path") else "not served"
            policies[f"{file.get('policy', 'original')}: {served}"] += 1
    return {
        "served_files": files,
        "files_holding_an_address": len(holding),
        "distinct_addresses": len(distinct),
        "by_folder": {k: [by_folder[k], by_folder_holding[k]] for k in sorted(by_folder)},
        "attachments_by_policy": dict(sorted(policies.items())),
        "holding": {k: sorted(v.decode("latin-1") for v in vs) for k, vs in holding.items()},
    }


def publish(corpus: Path, out: Path) -> Path:
    """Poll the corpus from a Maildir and publish it, with the `mailroom` command."""
    if out.exists():
        shutil.rmtree(out)
    maildir = out / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    messages = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    for number, path in enumerate(messages, start=1):
        shutil.copyfile(path, maildir / "new" / f"{1288000000 + number}.M{number}.audit")
    (out / "config.toml").write_text(CONFIG, encoding="utf-8")
    for args in (["poll"], ["publish", "--now", "2010-12-02T09:00"]):
        command = [sys.executable, "-m", "mailroom", *args, "--config", str(out / "config.toml")]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        print(f"$ mailroom {' '.join(args)}\n{run.stdout.strip()}", file=sys.stderr)
        if run.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed:\n{run.stderr}")
    print(f"{len(messages)} messages published", file=sys.stderr)
    return out / "site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "privacy")
    parser.add_argument("--site", type=Path, help="audit this site; do not publish")
    parser.add_argument("--list", action="store_true", help="name each file and its addresses")
    args = parser.parse_args()
    site = args.site or publish(args.corpus, args.out.absolute())
    report = audit(site)
    if not args.list:
        report.pop("holding")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
