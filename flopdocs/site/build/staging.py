"""Build the site: stage the docs, run MkDocs strictly, move the result into place.

``build(out)`` gathers and renders every page into a staging directory next to
``out`` (same filesystem), copies the hand-written ``site_src/`` and the pinned
KaTeX files into it, runs MkDocs in-process with strict validation, and only then
renames the finished site over ``out`` (:mod:`.place`: what is ours to replace, what of
``out`` is kept).  Any failure removes the staging directory and leaves ``out`` exactly
as it was.  Where the templates, ``site_src/``, ``mkdocs.yml`` and KaTeX are (a checkout
or an installed wheel) is :mod:`flopdocs.base.resources`' answer; which commit and date the
site names is :mod:`.provenance`'s.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flopdocs.config.config import ConfigError
from flopdocs.base.resources import CHECKOUT, KATEX, KATEX_FILES, MKDOCS_YML, SITE_SRC, TEMPLATES
from flopdocs.errors import BuildError
from flopdocs.site.pages import calculator
from flopdocs.site.build.finish import finish
from flopdocs.site.gather import SiteData, gather
from flopdocs.site.build.swap import (MARKER, STAGING_LOCK, give_back, into_place, move_kept,
                                 new_staging, check_out, clean_stale, kept)
from flopdocs.site.build.provenance import (FALLBACK_EPOCH, env_epoch, built_year, commit,
                                      source_date_epoch)
from flopdocs.site.render import anchors_of, makers, nav, pages

INSTALL_HINT = "npm ci"
def check_katex() -> None:
    missing = [f for f in KATEX_FILES if not (KATEX / f).exists()]
    if missing:
        fix = (f"run '{INSTALL_HINT}' in {CHECKOUT}" if CHECKOUT is not None
               else "reinstall flopdocs from a complete wheel")
        raise BuildError(f"{KATEX}: KaTeX is not installed (missing {', '.join(missing)}); {fix}")


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


def stage(docs: Path, data: SiteData, built_from: str, stream: bool = True) -> list[str]:
    """Fill ``docs`` with the generated pages, ``site_src/`` and KaTeX; return the nav.

    Writes only what changed (so ``serve`` can watch the directory) and removes files
    no longer generated.  A hand-written page may not shadow a generated one.  ``stream``:
    write each layer and model page as it is rendered (a build, whose staging directory
    is thrown away on failure); else render every page before writing any (``serve``,
    which keeps serving ``docs`` as it was when a page fails).
    """
    check_katex()
    generated = makers(data, built_from, built_year())
    if not stream:
        generated = {rel: (lambda text=make(): text) for rel, make in generated.items()}
    wanted: dict[Path, Callable[[], bytes]] = {}  # each made as it is written, not all held at once
    for path in sorted(SITE_SRC.rglob("*")):
        if path.is_file():
            wanted[path.relative_to(SITE_SRC)] = path.read_bytes
    for rel, make in generated.items():
        if Path(rel) in wanted:
            raise BuildError(f"{SITE_SRC / rel}: a hand-written page has the path of a generated one")
        wanted[Path(rel)] = lambda make=make: make().encode("utf-8")
    for rel, text in calculator.assets(data).items():  # generated JavaScript, not pages
        wanted[Path(rel)] = lambda text=text: text.encode("utf-8")
    for name in KATEX_FILES:
        src = KATEX / name
        files = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
        for f in files:
            wanted[Path("assets/katex") / f.relative_to(KATEX)] = f.read_bytes
    for rel, make in sorted(wanted.items()):
        data_bytes = make()
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


def _mkdocs(docs: Path, site: Path, site_nav: list, epoch: str, overrides: dict | None = None) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    log = logging.getLogger("mkdocs")
    collect = _Collect()
    log.addHandler(collect)
    try:
        with _env("SOURCE_DATE_EPOCH", epoch):
            cfg = load_config(config_file=str(MKDOCS_YML), docs_dir=str(docs), site_dir=str(site),
                              nav=site_nav, strict=True, **(overrides or {}))
            mkdocs_build(cfg)
    except MkDocsException as e:
        first = collect.messages[0] if collect.messages else ""
        detail = f" (first warning: {first})" if first else ""
        raise BuildError(f"mkdocs: {' '.join(str(e).split())}{detail}") from None
    finally:
        log.removeHandler(collect)


def build(out: str | Path = "site", catalogue_dir: str | Path | None = None,
          overrides: dict | None = None) -> Path:
    """Build the whole site into ``out`` atomically; returns its path.

    ``overrides``: mkdocs.yml keys to replace (a versioned build's ``site_url`` and
    ``extra.version``, :mod:`.versions`); none for the single-version site.

    Raises :class:`~flopdocs.config.config.ConfigError` (a bad catalogue config) or
    :class:`~flopdocs.errors.BuildError`; either way ``out`` is untouched.
    """
    out = Path(os.path.abspath(out))  # ".." resolved by name, so a symlinked --out is still refused
    env_epoch()
    check_out(out)
    check_katex()
    prefix = f".{out.name}.staging-"
    clean_stale(out.parent, prefix, out)
    data = gather(catalogue_dir)  # a bad config fails here, before anything is written
    built_from = commit()
    if built_from == "unknown" and CHECKOUT is not None and (CHECKOUT / ".git").exists():
        print(f"flopdocs: warning: {CHECKOUT}: git cannot read the commit; the site will say "
              "'Built from commit unknown'", file=sys.stderr)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging, lock = new_staging(out.parent, prefix)
    except OSError as e:
        raise BuildError(f"--out {out}: cannot create it: {e.strerror} ({e.filename})") from None
    try:
        docs, site = staging / "docs", staging / "site"
        site_nav = stage(docs, data, built_from)
        del data  # the pages are staged: what the models held is MkDocs' to use
        versioned = {"overrides": overrides} if overrides else {}  # the single-version call stays as it was
        _mkdocs(docs, site, site_nav, source_date_epoch(), **versioned)
        finish(site)
        (site / MARKER).write_text("built by flopdocs build; replaced by the next build\n", encoding="utf-8")
        check_out(out)  # again: --out may have been made or changed while the site was built
        if out.is_dir():
            move_kept(out, site, replace=True)  # .git/, CNAME, ... carry over
        into_place(site, out)
    finally:
        try:
            if give_back(staging, out):
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
    pages stay as they were (gather, and every page's render, run before anything is
    written): the last good site is served until the file is fixed.
    """
    try:
        site_nav = stage(docs, gather(catalogue_dir), commit(), stream=False)
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

    Each ``serve`` stages its pages in a directory of its own under the system's temporary
    directory (two at once never share one; never inside the package, which may be
    read-only and is shared, never in the cwd), removed when it stops.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    from flopdocs.config import catalogue

    if env_epoch() is None:  # MkDocs reads it too: an empty one is unset, not int("")
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    check_katex()
    cat = catalogue_dir if catalogue_dir is not None else catalogue.DIRECTORY
    data = gather(cat)
    clean_stale(Path(tempfile.gettempdir()), "flopdocs-serve-")
    staging, lock = new_staging(Path(tempfile.gettempdir()), "flopdocs-serve-")
    try:
        docs = staging / "docs"
        _last_good_nav[str(docs)] = stage(docs, data, commit(), stream=False)
        os.environ["FLOPDOCS_SERVE_CATALOGUE"] = str(cat)
        kwargs = {"dev_addr": dev_addr} if dev_addr else {}
        mkdocs_serve(config_file=str(MKDOCS_YML), docs_dir=str(docs), nav=_last_good_nav[str(docs)],
                     hooks=[str(Path(__file__).with_name("hooks.py"))],
                     watch=[str(TEMPLATES), str(SITE_SRC), str(cat)], **kwargs)
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




__all__ = ["BuildError", "ConfigError", "FALLBACK_EPOCH", "MARKER", "STAGING_LOCK", "build", "built_year", "check_out",
           "clean_stale", "commit", "kept", "published_anchors", "serve", "source_date_epoch"]
