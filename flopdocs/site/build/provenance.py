"""Which commit, and which date, a built site names: the checkout's git, or the record an
installed wheel carries; ``SOURCE_DATE_EPOCH`` checked before MkDocs reads it.  Nothing
here builds or writes.
"""
from __future__ import annotations

import json
import os
import subprocess
import time

from flopdocs.base.resources import BUILT_FROM, CHECKOUT
from flopdocs.errors import BuildError

#: SOURCE_DATE_EPOCH when neither git nor the wheel knows the commit: 2020-01-01T00:00:00Z.
FALLBACK_EPOCH = "1577836800"


def _git(*args: str) -> str | None:
    """``git args`` in the source checkout; its output, or None when installed (never the
    cwd's or site-packages').

    ``safe.directory=*`` (for this call only): a checkout owned by another user is read
    all the same (git would refuse, "dubious ownership"), so the site says the same
    commit and dates whoever builds it.  Nothing is run that the checkout's own Python
    code could not run anyway.
    """
    if CHECKOUT is None:
        return None
    try:
        r = subprocess.run(["git", "-c", "safe.directory=*", *args], cwd=CHECKOUT, capture_output=True,
                           text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    out = r.stdout.strip()
    return out if r.returncode == 0 and out else None


def _built_from(key: str) -> str | None:
    """What an installed wheel recorded of the commit it was built from (setup.py)."""
    if BUILT_FROM is None:
        return None
    try:
        value = json.loads(BUILT_FROM.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value else None


def commit() -> str:
    """The commit the site is built from: git's in a checkout, the wheel's record when
    installed; ``"unknown"`` when neither knows (no git, a wheel built outside git)."""
    return _git("rev-parse", "HEAD") or _built_from("commit") or "unknown"


def source_date_epoch() -> str:
    """The commit's time (so two builds of one commit agree), else a fixed date."""
    return (env_epoch() or _git("log", "-1", "--format=%ct")
            or _built_from("source_date_epoch") or FALLBACK_EPOCH)


#: The largest SOURCE_DATE_EPOCH taken: the last second a gzip header (the sitemap's) holds.
MAX_EPOCH = 2**32 - 1


def env_epoch() -> str | None:
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


