"""Build the site: stage the docs, run MkDocs strictly, move the result into place.

``build(out)`` gathers and renders every page into a staging directory next to
``out`` (same filesystem), copies the hand-written ``site_src/`` and the pinned
KaTeX files into it, runs MkDocs in-process with strict validation, and only then
renames the finished site over ``out``, carrying ``out``'s dot-entries and ``CNAME``
over (:func:`kept`).  Any failure removes the staging directory and leaves ``out``
exactly as it was.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..config import ConfigError
from . import BuildError
from .gather import SiteData, gather
from .render import ROOT, anchors_of, nav, pages

MKDOCS_YML = ROOT / "mkdocs.yml"
SITE_SRC = ROOT / "site_src"
KATEX = ROOT / "node_modules" / "katex" / "dist"
#: What the pages load from KaTeX, relative to its dist/ (copied to assets/katex/).
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts")
INSTALL_HINT = "npm ci"
#: SOURCE_DATE_EPOCH when not in a git checkout: 2020-01-01T00:00:00Z.
FALLBACK_EPOCH = "1577836800"


def _git(*args: str) -> str | None:
    """``git args`` in the source checkout; its output, or None.

    ``safe.directory=*`` (for this call only): a checkout owned by another user is read
    all the same (git would refuse, "dubious ownership"), so the site says the same
    commit and dates whoever builds it.  Nothing is run that the checkout's own Python
    code could not run anyway.
    """
    try:
        r = subprocess.run(["git", "-c", "safe.directory=*", *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    out = r.stdout.strip()
    return out if r.returncode == 0 and out else None


def commit() -> str:
    """The commit the site is built from, or ``"unknown"`` outside a git checkout."""
    return _git("rev-parse", "HEAD") or "unknown"


def source_date_epoch() -> str:
    """The commit's time (so two builds of one commit agree), else a fixed date."""
    return _env_epoch() or _git("log", "-1", "--format=%ct") or FALLBACK_EPOCH


#: The largest SOURCE_DATE_EPOCH taken: the last second a gzip header (the sitemap's) holds.
MAX_EPOCH = 2**32 - 1


def _env_epoch() -> str | None:
    """``SOURCE_DATE_EPOCH`` if set and not empty, checked: MkDocs reads it with ``int()``
    and would fail with a traceback on ``abc``, ``-1`` or 20 digits."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_EPOCH):
        raise BuildError(f"SOURCE_DATE_EPOCH={value[:40]!r}: expected a whole number of seconds "
                         f"since 1970, from 0 to {MAX_EPOCH}")
    return value


def built_year() -> str:
    """The year of :func:`source_date_epoch` (UTC), for the BibTeX ``year`` field."""
    try:
        return time.strftime("%Y", time.gmtime(int(source_date_epoch())))
    except (ValueError, OverflowError, OSError):
        return time.strftime("%Y", time.gmtime(int(FALLBACK_EPOCH)))


def check_katex() -> None:
    missing = [f for f in KATEX_FILES if not (KATEX / f).exists()]
    if missing:
        raise BuildError(f"{KATEX}: KaTeX is not installed (missing {', '.join(missing)}); "
                         f"run '{INSTALL_HINT}' in {ROOT}")


def _copy_tree(src: Path, dst: Path) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file():
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _write(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; True if written."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def stage(docs: Path, data: SiteData, built_from: str) -> list[str]:
    """Fill ``docs`` with the generated pages, ``site_src/`` and KaTeX; return the nav.

    Writes only what changed (so ``serve`` can watch the directory) and removes files
    no longer generated.  A hand-written page may not shadow a generated one.
    """
    check_katex()
    generated = pages(data, built_from, built_year())
    wanted: dict[Path, bytes | Path] = {}
    for path in sorted(SITE_SRC.rglob("*")):
        if path.is_file():
            wanted[path.relative_to(SITE_SRC)] = path
    for rel, text in generated.items():
        if Path(rel) in wanted:
            raise BuildError(f"{SITE_SRC / rel}: a hand-written page has the path of a generated one")
        wanted[Path(rel)] = text.encode("utf-8")
    for name in KATEX_FILES:
        src = KATEX / name
        files = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
        for f in files:
            wanted[Path("assets/katex") / f.relative_to(KATEX)] = f
    for rel, content in sorted(wanted.items()):
        data_bytes = content.read_bytes() if isinstance(content, Path) else content
        target = docs / rel
        if not (target.is_file() and target.read_bytes() == data_bytes):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data_bytes)
    if docs.is_dir():
        for path in sorted(docs.rglob("*"), reverse=True):
            rel = path.relative_to(docs)
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    extra = sorted(str(p) for p in wanted if p.suffix == ".md" and str(p) not in generated)
    return nav(data, extra)


@contextlib.contextmanager
def _env(key: str, value: str):
    old = os.environ.get(key)
    os.environ[key] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


class _Collect(logging.Handler):
    """Keep MkDocs' warnings, so a strict failure can name the first one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def _mkdocs(docs: Path, site: Path, site_nav: list, epoch: str) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    log = logging.getLogger("mkdocs")
    collect = _Collect()
    log.addHandler(collect)
    try:
        with _env("SOURCE_DATE_EPOCH", epoch):
            cfg = load_config(config_file=str(MKDOCS_YML), docs_dir=str(docs), site_dir=str(site),
                              nav=site_nav, strict=True)
            mkdocs_build(cfg)
    except MkDocsException as e:
        first = collect.messages[0] if collect.messages else ""
        detail = f" (first warning: {first})" if first else ""
        raise BuildError(f"mkdocs: {' '.join(str(e).split())}{detail}") from None
    finally:
        log.removeHandler(collect)


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


def _into_place(new: Path, out: Path) -> None:
    """Put the finished site ``new`` at ``out`` in one step.

    Where the kernel and filesystem support it the old and new sites are exchanged
    atomically, so ``out`` is never missing; otherwise the old one is renamed aside
    first (two renames).  The previous site ends up at ``new``, which the caller removes.
    """
    if not out.exists():
        os.rename(new, out)
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


def _move_kept(src: Path, dst: Path, *, replace: bool) -> bool:
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


def _give_back(staging: Path, out: Path) -> bool:
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
    return _move_kept(site, out, replace=False)


#: In every staging directory, and locked (``flock``) by its build or ``serve`` for as long
#: as it runs: a staging directory whose lock can be taken is a leftover of a killed one.
STAGING_LOCK = ".flopdocs-staging"


def _new_staging(parent: Path, prefix: str) -> tuple[Path, int]:
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
    (:func:`_give_back`); if that is not possible, the leftover stays.
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
            if out is None or _give_back(Path(entry.path), out):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(fd)


def build(out: str | Path = "site", catalogue_dir: str | Path | None = None) -> Path:
    """Build the whole site into ``out`` atomically; returns its path.

    Raises :class:`~flopdocs.config.ConfigError` (a bad catalogue config) or
    :class:`~flopdocs.site.BuildError`; either way ``out`` is untouched.
    """
    out = Path(os.path.abspath(out))  # ".." resolved by name, so a symlinked --out is still refused
    _env_epoch()
    check_out(out)
    check_katex()
    prefix = f".{out.name}.staging-"
    clean_stale(out.parent, prefix, out)
    data = gather(catalogue_dir)  # a bad config fails here, before anything is written
    built_from = commit()
    if built_from == "unknown" and (ROOT / ".git").exists():
        print(f"flopdocs: warning: {ROOT}: git cannot read the commit; the site will say "
              "'Built from commit unknown'", file=sys.stderr)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging, lock = _new_staging(out.parent, prefix)
    except OSError as e:
        raise BuildError(f"--out {out}: cannot create it: {e.strerror} ({e.filename})") from None
    try:
        docs, site = staging / "docs", staging / "site"
        site_nav = stage(docs, data, built_from)
        _mkdocs(docs, site, site_nav, source_date_epoch())
        (site / MARKER).write_text("built by flopdocs build; replaced by the next build\n", encoding="utf-8")
        if out.is_dir():
            _move_kept(out, site, replace=True)  # .git/, CNAME, ... carry over
        _into_place(site, out)
    finally:
        try:
            if _give_back(staging, out):
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            os.close(lock)
    return out


def published_anchors(catalogue_dir: str | Path | None = None) -> list[str]:
    """Every ``page#anchor`` (and page) the site publishes, sorted: tests/anchors.txt."""
    hand_written = {str(p.relative_to(SITE_SRC)): p.read_text(encoding="utf-8")
                    for p in sorted(SITE_SRC.rglob("*.md"))}
    return anchors_of({**pages(gather(catalogue_dir), "unknown"), **hand_written})


#: ``serve``: the nav of the last pages staged without error, by docs directory.
_last_good_nav: dict[str, list] = {}


def restage(docs: Path, catalogue_dir: str | Path) -> list:
    """``serve``'s rebuild (from the MkDocs hook): stage the pages again; the nav.

    A catalogue model that turned invalid while serving is one line on stderr, and the
    pages stay as they were (gather fails before anything is written): the last good
    site is served until the file is fixed.
    """
    try:
        site_nav = stage(docs, gather(catalogue_dir), commit())
    except (ConfigError, BuildError) as e:
        if str(docs) not in _last_good_nav:
            raise
        message = " ".join(str(e).replace("\r", "\\r").replace("\n", "\\n").split())
        print(f"flopdocs: error: {message} (still serving the last good site)", file=sys.stderr)
        return _last_good_nav[str(docs)]
    _last_good_nav[str(docs)] = site_nav
    return site_nav


def serve(catalogue_dir: str | Path | None = None, dev_addr: str | None = None) -> None:
    """Preview with live reload: re-render the pages before every MkDocs rebuild.

    Each ``serve`` stages its pages in a directory of its own (two at once never share
    one), removed when it stops.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    from .. import catalogue

    if _env_epoch() is None:  # MkDocs reads it too: an empty one is unset, not int("")
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    check_katex()
    cat = catalogue_dir if catalogue_dir is not None else catalogue.DIRECTORY
    data = gather(cat)
    clean_stale(Path(tempfile.gettempdir()), "flopdocs-serve-")
    staging, lock = _new_staging(Path(tempfile.gettempdir()), "flopdocs-serve-")
    try:
        docs = staging / "docs"
        _last_good_nav[str(docs)] = stage(docs, data, commit())
        os.environ["FLOPDOCS_SERVE_CATALOGUE"] = str(cat)
        kwargs = {"dev_addr": dev_addr} if dev_addr else {}
        mkdocs_serve(config_file=str(MKDOCS_YML), docs_dir=str(docs), nav=_last_good_nav[str(docs)],
                     hooks=[str(Path(__file__).with_name("hooks.py"))],
                     watch=[str(ROOT / "templates"), str(SITE_SRC), str(cat)], **kwargs)
    except OSError as e:
        if e.filename is not None:  # a file, not the address
            raise
        # the address is in use, or not this machine's
        raise BuildError(f"serve: cannot listen on {dev_addr or '127.0.0.1:8000'}: {e.strerror}") from None
    except MkDocsException as e:
        raise BuildError(f"serve: {' '.join(str(e).split())}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(lock)


__all__ = ["BuildError", "ConfigError", "build", "published_anchors", "serve"]
