"""A seeded SIGKILL fault campaign with real processes (issue 9, invariants 1, 2 and 6).

A private Dovecot, a real database (SQLite, or a fresh schema in PostgreSQL), an
aiosmtpd peer that takes the receipts, the consultation's rules on. Each round
delivers a few ordinary comments, starts real `python -m mailroom poll`, `publish`
or `run` processes and SIGKILLs them at random moments, then restarts a clean
`poll` and `publish` and checks: every delivered message stored exactly once, none
set aside, the public site whole (after every kill, too), each sender given at most
one receipt per comment as they see it (copies with the same Message-ID count once),
and at the end every receipt due sent and the site equal to a full build.

Where a kill lands is chosen, then read back: the process runs with `-v`, each step
of a pass logs a line (mailbox read, records handed out, rules, receipts, site
build), a phase is picked at random, and the kill comes a random time after that
phase's first line (up to a little more than the phase took in the last clean
pass). The phase reported is the last one the killed process logged.

    .venv/bin/python -m tests.fault_campaign --seed 1 --kills 200 [--database postgresql]

`random.Random(seed)` makes every choice; timings, and so the exact moments, differ
from run to run. The exit status is 1 when any invariant broke.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlmodel import select

from store import StoreSettings, open_store
from store.models import Message, Receipt, ReceiptStatus, Submission, SubmissionStatus
from tests.cli import write_config
from tests.dovecot import Dovecot, start_dovecot
from tests.mailroom_runs import PHASES, Run, kill, start_run
from tests.messages import comment
from tests.site_whole import site_files, site_problems
from tests.smtp_peer import PASSWORD, USER, SmtpPeer, smtp_peer

TARGETS = {  # the phases each command passes through, that a kill may aim at
    "poll": ("poll", "parse", "rules", "receipts"),
    "publish": ("publish",),
    "run": ("poll", "parse", "rules", "receipts", "publish"),
}
COMMANDS = (("poll", 5), ("publish", 2), ("run", 3))  # how often each is chosen
RECEIVED = datetime(2010, 11, 10, 12, 0, tzinfo=UTC)  # every comment on time
CLOCK = datetime(2010, 12, 2, 12, 0, tzinfo=UTC)  # after the posting date: the site is due
TICK = timedelta(minutes=11)  # each process runs this much later: a receipt's lease is 10
PROCESS_SECONDS = 180.0  # a process that takes longer is a failure, not a slow machine
WORDS = (
    "governance internet cooperation stakeholders public policy access rights development "
    "security privacy multilingual infrastructure capacity building transparency openness "
    "accountability innovation standards domain names numbering resources regional forum "
    "broadband affordability education women youth rural communities interoperability trust "
    "cybercrime spam consumer protection competition investment regulators parliaments"
).split()


@dataclass
class Options:
    seed: int = 1
    kills: int = 20
    database: str = "sqlite"  # or postgresql
    messages: tuple[int, int] = (1, 5)  # delivered before each kill, at least and at most
    kills_per_round: tuple[int, int] = (3, 6)  # then a clean restart and the checks
    postgres_url: str = os.environ.get(
        "MAILROOM_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
    )
    verbose: bool = False


@dataclass
class Result:
    options: Options
    rounds: int = 0
    delivered: int = 0
    kills: Counter[str] = field(default_factory=Counter)  # by the phase it hit
    kills_by_command: Counter[str] = field(default_factory=Counter)
    missed: int = 0  # processes that finished before the phase aimed at
    lost: int = 0
    duplicated: int = 0
    set_aside: int = 0
    site_checks: int = 0
    site_torn: int = 0
    receipts_sent: int = 0  # distinct receipts the peer got
    receipt_copies: int = 0  # the same receipt (same Message-ID) again: the sender sees one
    receipts_doubled: int = 0  # a comment with two different receipts: the sender sees two
    receipts_missing: int = 0  # at the end, due and never sent
    longest_recovery: float = 0.0
    longest_recovery_after: str = ""
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def table(self) -> str:
        o = self.options
        made = sum(self.kills.values())
        lines = [
            f"Fault campaign: seed {o.seed}, {o.database}, {made} kills in {self.rounds} rounds, "
            f"{self.delivered} messages delivered, {self.seconds:.0f} s",
            "",
            "  kills by phase      " + "  ".join(f"{p} {self.kills[p]}" for p in PHASES),
            "  kills by command    "
            + "  ".join(f"{c} {self.kills_by_command[c]}" for c, _ in COMMANDS)
            + f"  (finished before the kill: {self.missed})",
            f"  kills made          {made}",
            f"  messages lost       {self.lost}",
            f"  duplicated          {self.duplicated}",
            f"  wrongly set aside   {self.set_aside}",
            f"  site checks         {self.site_checks}, torn {self.site_torn}",
            f"  receipts            {self.receipts_sent} sent, {self.receipts_missing} due and "
            f"not sent, {self.receipts_doubled} comments with two receipts as the sender sees "
            f"them, {self.receipt_copies} resent copies (same Message-ID)",
            f"  longest recovery    {self.longest_recovery:.1f} s "
            f"(restart to a clean poll and publish done; {self.longest_recovery_after})",
        ]
        if self.failures:
            lines += ["", f"  FAILED ({len(self.failures)}):"] + [
                f"    {f[:400]}" for f in self.failures[:40]
            ]
        else:
            lines += ["", "  every invariant held"]
        return "\n".join(lines)


class Campaign:
    def __init__(
        self, options: Options, root: Path, dovecot: Dovecot, database: str, peer: SmtpPeer
    ) -> None:
        self.o = options
        self.rng = random.Random(options.seed)
        self.root = root
        self.dovecot = dovecot
        self.database = database
        self.peer = peer
        self.result = Result(options)
        self.folder = dovecot.fresh_folder("campaign")
        self.uids: list[int] = []
        self.message_ids: set[str] = set()
        self.number = 0
        self.ticks = 0
        self.published = False
        self.spans: dict[str, float] = {
            "poll": 0.5,
            "parse": 1.0,
            "rules": 0.5,
            "receipts": 0.5,
            "publish": 3.0,
        }
        os.environ["MAILROOM_TEST_IMAP_PASSWORD"] = dovecot.password
        os.environ["MAILROOM_TEST_SMTP_PASSWORD"] = PASSWORD
        mailbox = (
            f'[[mailbox]]\nname = "comments"\n'
            f'url = "imap://{dovecot.user}@127.0.0.1:{dovecot.imap_port}/{self.folder}"\n'
            'password_env = "MAILROOM_TEST_IMAP_PASSWORD"\nbatch_size = 4\n'
        )
        self.config = write_config(
            root,
            database=database,
            mailboxes=mailbox,
            poll_minutes=60,
            extra=(
                "[receipts]\nenabled = true\n\n"
                f'[smtp]\nhost = "127.0.0.1"\nport = {peer.port}\nuser = "{USER}"\n'
                f'password_env = "MAILROOM_TEST_SMTP_PASSWORD"\nca_file = "{peer.ca_file}"\n'
            ),
        )
        self.site = root / "site"

    # The campaign.

    def run(self) -> Result:
        started = time.monotonic()
        while sum(self.result.kills.values()) < self.o.kills:
            self.round()
        self.final()
        self.result.seconds = time.monotonic() - started
        return self.result

    def round(self) -> None:
        self.result.rounds += 1
        wanted = min(
            self.rng.randint(*self.o.kills_per_round),
            self.o.kills - sum(self.result.kills.values()),
        )
        made = 0
        last = "no kill"
        while made < wanted:
            self.deliver(self.rng.randint(*self.o.messages))
            phase = self.attempt()
            if phase is not None:
                made += 1
                last = phase
                self.check_site(f"round {self.result.rounds}, after a kill in {phase}")
        self.recover(f"round {self.result.rounds}, after a kill in {last}")
        self.check_store(f"round {self.result.rounds}")
        self.check_receipts(f"round {self.result.rounds}", final=False)

    def final(self) -> None:
        self.deliver(self.rng.randint(*self.o.messages))
        self.recover("the final clean pass")
        where = "the end"
        self.check_store(where)
        self.check_receipts(where, final=True)
        self.check_full_build(where)

    def deliver(self, count: int) -> None:
        messages = []
        for _ in range(count):
            self.number += 1
            n = self.number
            words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(30, 90)))
            attachments = None
            if self.rng.random() < 0.25:
                note = f"Annex {n}: {words[:400]}\n".encode()
                attachments = [(f"annex-{n}.txt", "text/plain", note)]
            messages.append(
                comment(
                    n,
                    subject=f"Comment {n} on enhanced cooperation",
                    sender=f"Participant {n}",
                    address=f"participant{n}@example{n % 13}.org",
                    body=f"Comment {n}. {words.capitalize()}.\n",
                    attachments=attachments,
                )
            )
            self.message_ids.add(f"comment-{n}@example.org")
        self.uids += self.dovecot.append(self.folder, messages, internaldate=RECEIVED)
        self.result.delivered += count

    def attempt(self) -> str | None:
        """Start a process, aim a kill at one of its phases; the phase it hit, or None if the
        process ended before the phase came."""
        command = self.rng.choices([c for c, _ in COMMANDS], [w for _, w in COMMANDS])[0]
        target = self.rng.choice(TARGETS[command])
        delay = self.rng.uniform(0.0, 1.2 * self.spans[target])
        whole = self.rng.random() < 0.5  # the daemon and its workers, or the daemon alone
        run = self.start(command)
        try:
            # A daemon that has done its pass before the phase came is killed as it waits.
            waited = (target, "idle") if command == "run" else (target,)
            seen = run.wait_for(waited, PROCESS_SECONDS)
            if seen is None:
                self.finish(run, expect_success=True)
                self.result.missed += 1
                return None
            if seen[0] == "idle":
                delay = 0.0
            time.sleep(max(0.0, seen[1] + delay - time.monotonic()))
            if run.process.poll() is not None:
                self.finish(run, expect_success=True)
                self.result.missed += 1
                return None
            kill(run.process.pid, whole)
            self.finish(run, expect_success=False)
        finally:
            if run.process.poll() is None:
                kill(run.process.pid, True)
                run.process.wait()
        phase = run.phase()
        self.result.kills[phase] += 1
        self.result.kills_by_command[command] += 1
        if self.o.verbose:
            print(
                f"  kill {sum(self.result.kills.values())}: {command} aimed at {target} "
                f"+{delay:.2f} s, hit {phase}{' (with its workers)' if whole else ''}",
                flush=True,
            )
        return phase

    def recover(self, after: str) -> None:
        """Restart as an operator (or systemd) would: a clean poll, then a publish; both must
        succeed. The poll is tried again while a killed poller's lock lingers (PostgreSQL
        notices a dead client's socket a moment later)."""
        started = time.monotonic()
        while True:
            poll = self.start("poll")
            self.finish(poll, expect_success=True, learn=True)
            if "another poller is running" not in poll.stdout:
                break
            if time.monotonic() - started > 120:
                self.fail(f"{after}: the mailbox lock was still held 120 s after the kill")
                break
            time.sleep(0.3)
        publish = self.start("publish")
        self.finish(publish, expect_success=True, learn=True)
        self.published = self.published or publish.process.returncode == 0
        seconds = time.monotonic() - started
        if seconds > self.result.longest_recovery:
            self.result.longest_recovery = seconds
            self.result.longest_recovery_after = after
        self.check_site(after)

    # Processes.

    def start(self, command: str) -> Run:
        self.ticks += 1
        now = (CLOCK + self.ticks * TICK).isoformat()
        return start_run(command, ["--config", str(self.config), "--now", now], self.root)

    def finish(self, run: Run, *, expect_success: bool, learn: bool = False) -> None:
        try:
            out, _ = run.process.communicate(timeout=PROCESS_SECONDS)
        except subprocess.TimeoutExpired:
            kill(run.process.pid, True)
            out, _ = run.process.communicate()
            self.fail(f"`mailroom {run.command}` did not finish in {PROCESS_SECONDS:g} s")
        run.stdout = out or ""
        if self.o.verbose and learn:
            spans = ", ".join(f"{p} {t:.1f}" for p, t in run.durations().items())
            took = time.monotonic() - run.started
            print(f"    {run.command}: {took:.1f} s ({spans})", flush=True)
        assert run.reader is not None
        run.reader.join(timeout=30)
        if expect_success and run.process.returncode != 0:
            tail = "\n".join(line for _, line in run.lines[-15:])
            self.fail(
                f"`mailroom {run.command}` exited {run.process.returncode}: "
                f"{run.stdout[-500:]} {tail}"
            )
        if learn and run.process.returncode == 0:
            for phase, seconds in run.durations().items():
                if phase in self.spans:
                    self.spans[phase] = seconds

    def fail(self, what: str) -> None:
        self.result.failures.append(what)
        if self.o.verbose:
            print(f"  FAILED: {what[:1000]}", flush=True)

    # The checks.

    def check_store(self, where: str) -> None:
        store = open_store(StoreSettings(url=self.database, archive=self.root / "archive"))
        try:
            with store.reader() as session:
                by_uid = Counter(
                    int(uid or 0)
                    for uid in session.exec(
                        select(Message.uid).where(Message.folder == self.folder)
                    )
                )
                by_bytes = Counter(str(sha) for sha in session.exec(select(Submission.sha256)))
                statuses = dict(
                    session.exec(
                        select(Submission.status, func.count()).group_by(Submission.status)
                    ).all()
                )
                set_aside = list(
                    session.exec(
                        select(Submission.reference, Submission.error).where(
                            Submission.status == SubmissionStatus.FAILED
                        )
                    )
                )
        finally:
            store.close()
        lost = [uid for uid in self.uids if by_uid[uid] == 0]
        doubled = sum(n - 1 for n in by_uid.values() if n > 1) + sum(
            n - 1 for n in by_bytes.values() if n > 1
        )
        self.result.lost = len(lost)
        self.result.duplicated = doubled
        self.result.set_aside = len(set_aside)
        if lost:
            self.fail(f"{where}: {len(lost)} messages lost, UIDs {lost[:10]}")
        if doubled:
            self.fail(f"{where}: {doubled} messages stored more than once")
        if set_aside:
            self.fail(f"{where}: {len(set_aside)} ordinary messages set aside: {set_aside[:3]}")
        waiting = statuses.get(SubmissionStatus.RECEIVED, 0)
        if waiting:
            self.fail(f"{where}: {waiting} messages still not parsed after a clean poll")
        if sum(by_bytes.values()) != len(self.uids):
            self.fail(f"{where}: {sum(by_bytes.values())} submissions for {len(self.uids)} sent")

    def check_receipts(self, where: str, *, final: bool) -> None:
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        copies = 0
        for delivered in list(self.peer.delivered):
            mail = message_from_bytes(delivered.data, policy=policy.default)
            answered = str(mail.get("In-Reply-To", "")).strip().strip("<>")
            key = (str(mail.get("To", "")).lower(), answered)
            message_id = str(mail.get("Message-ID", ""))
            if message_id in seen[key]:
                copies += 1
            seen[key].add(message_id)
        doubled = [key for key, ids in seen.items() if len(ids) > 1]
        self.result.receipts_sent = sum(len(ids) for ids in seen.values())
        self.result.receipt_copies = copies
        self.result.receipts_doubled = len(doubled)
        if doubled:
            self.fail(f"{where}: {len(doubled)} comments got two different receipts: {doubled[:3]}")
        strangers = {answered for _, answered in seen} - self.message_ids
        if strangers:
            self.fail(f"{where}: receipts for messages never sent: {sorted(strangers)[:3]}")
        if not final:
            return
        replied = {answered for _, answered in seen}
        missing = sorted(self.message_ids - replied)
        store = open_store(StoreSettings(url=self.database, archive=self.root / "archive"))
        try:
            with store.reader() as session:
                unsent = list(
                    session.exec(
                        select(Receipt.submission_id, Receipt.status, Receipt.reason).where(
                            Receipt.status != ReceiptStatus.SENT
                        )
                    )
                )
        finally:
            store.close()
        self.result.receipts_missing = len(missing)
        if missing or unsent:
            self.fail(
                f"{where}: {len(missing)} comments never got their receipt ({missing[:3]}); "
                f"receipts not sent: {unsent[:3]}"
            )

    def check_site(self, where: str) -> None:
        """The public path is a complete build: the one before or the new one, never half."""
        self.result.site_checks += 1
        problems = site_problems(self.site, must_exist=self.published)
        if problems:
            self.result.site_torn += 1
            self.fail(f"{where}: the site is not whole: {'; '.join(problems[:5])}")

    def check_full_build(self, where: str) -> None:
        """The site, built step by step between kills, is the site one full build makes."""
        other = self.root / "full" / "site"
        other.parent.mkdir()
        config = self.config.read_text(encoding="utf-8").replace(
            'output = "site"', f'output = "{other}"'
        )
        full_config = self.root / "full" / "config.toml"
        full_config.write_text(config, encoding="utf-8")
        now = ["--now", (CLOCK + self.ticks * TICK).isoformat()]
        done = subprocess.run(
            [sys.executable, "-m", "mailroom", "publish", "--config", str(full_config), *now],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            self.fail(f"{where}: the full build failed: {done.stderr[-500:]}")
            return
        ours, theirs = site_files(self.site), site_files(other)
        if set(ours) != set(theirs):
            only = sorted(set(ours) ^ set(theirs))
            self.fail(f"{where}: the site's files differ from a full build's: {only[:5]}")
            return
        changed = [
            name
            for name in ours
            if not name.startswith("pagefind/")  # its fragment names are its own
            and (self.site / name).read_bytes() != (other / name).read_bytes()
        ]
        if changed:
            self.fail(f"{where}: {len(changed)} files differ from a full build's: {changed[:5]}")


@contextlib.contextmanager
def database_for(options: Options, root: Path) -> Iterator[str]:
    """A database no one else uses: a SQLite file, or a fresh PostgreSQL schema (dropped after)."""
    if options.database == "sqlite":
        yield f"sqlite:///{root / 'mailroom.db'}"
        return
    schema = f"campaign_{uuid.uuid4().hex[:12]}"
    admin = create_engine(options.postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in options.postgres_url else "?"
    try:
        yield f"{options.postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_campaign(options: Options, root: Path, dovecot: Dovecot | None = None) -> Result:
    """Run a whole campaign in `root` (with its own Dovecot unless one is given)."""
    with contextlib.ExitStack() as stack:
        if dovecot is None:
            dovecot = start_dovecot()
            stack.callback(dovecot.stop)
        database = stack.enter_context(database_for(options, root))
        peer = stack.enter_context(smtp_peer(root))
        return Campaign(options, root, dovecot, database, peer).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--messages", default="1-5", help="comments delivered before each kill: LOW-HIGH"
    )
    parser.add_argument(
        "--kills-per-round", default="3-6", help="kills before each clean restart: LOW-HIGH"
    )
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--quiet", action="store_true", help="no line per kill")
    args = parser.parse_args()
    options = Options(
        seed=args.seed,
        kills=args.kills,
        database=args.database,
        messages=_range(args.messages),
        kills_per_round=_range(args.kills_per_round),
        verbose=not args.quiet,
    )
    root = Path(tempfile.mkdtemp(prefix="campaign-"))
    try:
        result = run_campaign(options, root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(result.table())
    print(f"\n{' '.join(sys.argv)}")
    sys.exit(0 if result.ok else 1)


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


if __name__ == "__main__":
    main()
