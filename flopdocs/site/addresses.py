"""Where the published site lives: its root, the repository, a release's path.

The one place these addresses are declared (``mkdocs.yml``'s ``site_url`` and footer link say
the same, and a test keeps them equal).  Nothing here builds or renders.
"""
from __future__ import annotations

import re

from flopdocs.errors import BuildError

SITE_URL = "https://flopdocs.github.io/flopdocs/"  # mkdocs.yml site_url
REPO_URL = "https://github.com/flopdocs/flopdocs"  # the footer link in mkdocs.yml (extra.social)


def release_path(version: str) -> str:
    """A release's path on the site: ``0.2.0`` -> ``0.2`` (a patch release replaces its minor's pages)."""
    m = re.fullmatch(r"([0-9]+)\.([0-9]+)(\.[0-9]+)?([a-z0-9.+-]*)", version)
    if not m:
        raise BuildError(f"version {version!r}: expected MAJOR.MINOR.PATCH, e.g. 0.2.0")
    return f"{m[1]}.{m[2]}"

#: The site's name, first in every page's Cite title.
TITLE = "flopdocs"
