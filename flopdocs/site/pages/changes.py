"""The "What changed" page: ``CHANGELOG.md`` as it is, each release's heading anchored.

The changelog's tables are ``flopdocs diff``'s output (generated, not typed), so the page
shows, per release, every published number that changed, with its old and new value and
why.  A release's heading ``## 0.2.0 (2026-11-29)`` gets the anchor ``#v0-2-0``.
"""
from __future__ import annotations

import re
from pathlib import Path

from flopdocs.errors import BuildError

TITLE = "What changed"
PAGE = "changes.md"
_RELEASE = re.compile(r"^## +([0-9]+)\.([0-9]+)\.([0-9]+)\b(.*?) *$", re.M)


def page(path: Path) -> str:
    """The page's Markdown, from the changelog at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise BuildError(f"{path}: cannot read the changelog: {e.strerror}") from None
    body = re.sub(r"\A# .*\n", "", text)  # the page's own title replaces the file's
    body = _RELEASE.sub(lambda m: f"## {m[1]}.{m[2]}.{m[3]}{m[4]} {{ #v{m[1]}-{m[2]}-{m[3]} }}", body)
    return f"---\ntitle: {TITLE}\n---\n\n# {TITLE} {{ #what-changed }}\n{body}"
