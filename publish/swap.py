"""A site is built in a fresh folder and swapped in with one rename: readers never see half.

The public path (`site.output`) is a symlink to the `public/` folder of the
current build in a sibling `.<name>.builds/` folder; beside `public/` each build
keeps its `manifest/` (what each page was made from), which the next build reads
to render only what changed. Replacing a symlink with `rename` is atomic on POSIX,
which replacing a directory is not. Builds into one output take turns (`one_build_at_a_time`),
across processes: two daemons publishing one site must not prune each other's build in
progress, nor swap an older build in over a newer one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.archive import fsync_dir


class OutputInUse(Exception):
    """The output path holds something Mailroom did not make."""


def builds_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.builds"


@contextmanager
def one_build_at_a_time(output: Path) -> Iterator[None]:
    """Hold the output's build lock (an flock beside it; it vanishes with the process)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with (output.parent / f".{output.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a build takes seconds to minutes: wait for it
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fresh_build(output: Path, label: str) -> Path:
    """A new build folder beside `output`, with empty `public/` and `manifest/` in it."""
    _check_output(output)
    directory = builds_dir(output)
    directory.mkdir(parents=True, exist_ok=True)
    attempt = 1
    build = directory / f"{label}-{os.getpid()}"
    while build.exists():  # never the current build: a rebuild in the same second is new
        attempt += 1
        build = directory / f"{label}-{os.getpid()}-{attempt}"
    (build / "public").mkdir(parents=True)
    (build / "manifest").mkdir()
    return build


def current_build(output: Path) -> Path | None:
    """The build (holding `public/` and `manifest/`) the public path points at now, if any."""
    if output.is_symlink():
        target = (output.parent / output.readlink()).resolve()
        if target.name == "public" and target.is_dir():
            return target.parent
    return None


def swap_in(output: Path, build: Path, keep: int = 2) -> None:
    """Point `output` at `build/public` in one atomic rename, then prune old builds."""
    _check_output(output)
    if output.exists() and not output.is_symlink():
        output.rmdir()  # an empty folder made by hand: _check_output allowed it
    link = output.parent / f".{output.name}.swap-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(build / "public", output.parent))
    link.replace(output)
    fsync_dir(output.parent)
    _prune(output, build, keep)


def _check_output(output: Path) -> None:
    if output.is_symlink() or not output.exists():
        return
    if output.is_dir() and not any(output.iterdir()):
        return
    raise OutputInUse(
        f"site.output {output} is a folder or file that Mailroom did not make; move it away "
        "or point site.output somewhere else (Mailroom keeps builds beside it and links the "
        "current one there)"
    )


TRASH = ".trash"


def _prune(output: Path, current: Path, keep: int) -> None:
    """Old builds beyond `keep` go to the trash: one rename each, so the swap returns at once."""
    directory = builds_dir(output)
    builds = sorted(
        (b for b in directory.iterdir() if b.is_dir() and b.name != TRASH),
        key=lambda b: b.stat().st_mtime,
        reverse=True,
    )
    survivors = {current.resolve()}
    for build in builds:
        if len(survivors) >= keep:
            break
        survivors.add(build.resolve())
    trash = directory / TRASH
    for build in builds:
        if build.resolve() not in survivors:
            trash.mkdir(exist_ok=True)
            build.rename(trash / build.name)


def empty_trash(output: Path) -> None:
    """Delete pruned builds. Tens of thousands of unlinks take a while on a busy disk, so the
    next build does it in a thread while it renders (see build_site)."""
    trash = builds_dir(output) / TRASH
    if trash.is_dir():
        for build in sorted(trash.iterdir()):
            shutil.rmtree(build, ignore_errors=True)
