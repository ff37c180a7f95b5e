"""Generated text kept between builds, keyed by everything that generates it.

The calculator's programs (:mod:`flopdocs.site.pages.calculator`) are a pure function of
flopdocs' own source, sympy's version and the structure compiled; compiling the grid costs
seconds per build, reading it back milliseconds.  So are a model's counts under every
convention and mode (:func:`flopdocs.site.gather.counts`), of its config.  An entry's key
is that function's input: :func:`source_key` (a hash of every ``.py`` file of the package,
the version of sympy and of Python) and the caller's key (the structure's signature; the
config); a change to any of them is a miss, so a cached build writes the same bytes as an
uncached one (tests build both).

Where: ``$FLOPDOCS_CACHE_DIR``, else ``$XDG_CACHE_HOME/flopdocs``, else
``~/.cache/flopdocs`` (as pip and pytest keep theirs); ``FLOPDOCS_CACHE_DIR=off`` turns the
cache off.  Entries live under ``<where>/<namespace>/<source key>/``; when a new source key
is written, the namespace's other source-key directories (ours: 16 hex digits, nothing
else) are removed.  A cache that cannot be read or written is skipped: it is never a
reason for a build to fail.  Nothing here compiles anything or knows what it caches.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from flopdocs.errors import ConfigError
from flopdocs.base.writing import write_atomic

ENV = "FLOPDOCS_CACHE_DIR"
OFF = "off"
_KEY = re.compile(r"[0-9a-f]{16}")


def directory() -> Path | None:
    """Where the cache is, or None when it is off (a bad value: one line, exit 2)."""
    value = os.environ.get(ENV)
    if value is not None:
        if value == OFF:
            return None
        if not value or "\0" in value:
            raise ConfigError(f"{ENV}={value!r}: expected a directory, or {OFF!r} to turn the cache off")
        path = Path(value)
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{ENV}={value}: not a directory")
        return path
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "flopdocs"


@lru_cache(maxsize=1)
def source_key() -> str:
    """A hash of what generated text depends on: the package's source, sympy, Python."""
    import sympy

    import flopdocs

    package = Path(flopdocs.__file__).resolve().parent  # the whole package, not this stage
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(f"sympy {sympy.__version__}; python {sys.version_info[:3]}".encode())
    return h.hexdigest()[:16]


def cached(namespace: str, key: str, make: Callable[[], str], where: Path | None = None) -> str:
    """``make()``, or the text it returned before for the same key and source."""
    where = directory() if where is None else where
    if where is None:
        return make()
    folder = where / namespace / source_key()
    entry = folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".txt")
    try:
        return entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = make()
    try:
        if not folder.is_dir():
            _prune(where / namespace)
            folder.mkdir(parents=True, exist_ok=True)
        write_atomic(entry, text)
    except (OSError, ConfigError):
        pass  # a read-only or full disk: the build goes on uncached
    return text


def _prune(namespace: Path) -> None:
    """Remove the entries of other sources (directories named like ours only)."""
    try:
        stale = [p for p in namespace.iterdir() if p.is_dir() and _KEY.fullmatch(p.name)]
    except OSError:
        return
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
