"""Putting a built site into place: what ``--out`` may be, what of it is kept, staging
directories and their locks, atomic exchange.  Nothing here renders or runs MkDocs.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from flopdocs.errors import BuildError

_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def into_place(new: Path, out: Path) -> None:
    """Put the finished site ``new`` at ``out`` in one step.

    Where the kernel and filesystem support it the old and new sites are exchanged
    atomically, so ``out`` is never missing; otherwise the old one is renamed aside
    first (two renames).  The previous site ends up at ``new``, which the caller removes.
    """
    if not os.path.lexists(out):
        try:
            os.rename(new, out)  # fails (ENOTEMPTY) if a directory with files appeared there
        except OSError as e:
            raise BuildError(f"--out {out}: appeared while the site was built; refusing to "
                             f"replace it ({e.strerror})") from None
    elif not _exchange(new, out):
        aside = new.with_name(new.name + "-previous")
        os.rename(out, aside)
        os.rename(new, out)
        os.rename(aside, new)


#: Written into every built site; only a directory holding it (or an empty one) is
#: ever replaced, so ``--out .`` or ``--out src/`` cannot swap away anything else.
MARKER = ".flopdocs-site"


def check_out(out: Path) -> None:
    """Refuse an output path that is not ours to replace."""
    if not out.exists():
        return
    if not out.is_dir() or out.is_symlink():
        raise BuildError(f"--out {out}: exists and is not a directory; refusing to replace it")
    if any(out.iterdir()) and not (out / MARKER).is_file():
        raise BuildError(f"--out {out}: a non-empty directory that flopdocs did not build "
                         f"(no {MARKER}); refusing to replace it")


def kept(name: str) -> bool:
    """Whether a rebuild carries this entry of ``--out`` over: it is not ours.

    Dot-entries (``.git/``, ``.nojekyll``; our :data:`MARKER` aside) and ``CNAME``: what
    a gh-pages checkout holds besides the site.  Everything else at the top of a built
    site (the pages, ``assets/``, ``search/``, ...) is what MkDocs wrote, and is replaced.
    """
    return name == "CNAME" or (name.startswith(".") and name != MARKER)


def move_kept(src: Path, dst: Path, *, replace: bool) -> bool:
    """Move every :func:`kept` entry of ``src`` into ``dst`` (renames, one filesystem).

    With ``replace`` an entry of the same name in ``dst`` (one we just built) gives way;
    without, it stays and so does ours: returns False if anything was left in ``src``.
    """
    left = False
    for name in sorted(os.listdir(src)):
        if not kept(name):
            continue
        target = dst / name
        if target.exists() or target.is_symlink():
            if not replace:
                left = True
                continue
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        os.rename(src / name, target)
    return not left


def give_back(staging: Path, out: Path) -> bool:
    """Return to ``out`` what of the user's an interrupted build left in ``staging``.

    A build moves the kept entries into the new site just before the swap, so a build
    stopped between the two holds them in ``staging/site``; the fallback swap (two
    renames) can leave the previous site in ``staging/site-previous``.  True when
    ``staging`` holds nothing of the user's any more (and may be deleted).
    """
    previous = staging / "site-previous"
    if previous.is_dir() and not os.path.lexists(out):
        os.rename(previous, out)
    site = staging / "site"
    if not site.is_dir() or not any(kept(n) for n in os.listdir(site)):
        return True
    if not out.is_dir() or out.is_symlink():
        return False
    return move_kept(site, out, replace=False)


#: In every staging directory, and locked (``flock``) by its build or ``serve`` for as long
#: as it runs: a staging directory whose lock can be taken is a leftover of a killed one.
STAGING_LOCK = ".flopdocs-staging"


def new_staging(parent: Path, prefix: str) -> tuple[Path, int]:
    """A new staging directory ``parent/<prefix>XXXXXXXX`` and the descriptor holding its
    lock (close it after removing the directory).

    The lock file is created and locked under another name, then renamed: a directory
    that has :data:`STAGING_LOCK` has it locked until its process ends.
    """
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    fd = -1
    try:
        new = staging / (STAGING_LOCK + ".new")
        fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, b"flopdocs staging directory: removed when its build ends, "
                     b"or by the next build if that one was killed\n")
        os.rename(new, staging / STAGING_LOCK)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, fd


def clean_stale(parent: Path, prefix: str, out: Path | None = None) -> None:
    """Remove what killed builds (``kill -9``) left in ``parent``: ours only.

    A leftover is a directory of ours (owned by this user) named ``<prefix>`` and
    :func:`tempfile.mkdtemp`'s eight characters, holding :data:`STAGING_LOCK` with no
    process holding its lock.  Anything of the user's in it goes back to ``out`` first
    (:func:`give_back`); if that is not possible, the leftover stays.
    """
    try:
        entries = sorted(os.scandir(parent), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and len(name) == len(prefix) + 8
                and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name[len(prefix):])):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
            fd = os.open(Path(entry.path) / STAGING_LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its build runs
            if out is None or give_back(Path(entry.path), out):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(fd)


