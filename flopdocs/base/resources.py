"""Where the site's sources are: the templates, ``site_src/``, ``mkdocs.yml``, KaTeX and the
tutorial notebook (``examples/seed.ipynb``, the "Use it from Python" page).

The one place that answers it.  In a source checkout (an editable install, or the tree
on ``sys.path``) they are the top-level ``templates/``, ``site_src/`` and ``mkdocs.yml``
and ``node_modules/katex/dist`` (after ``npm ci``), read in place.  Installed from a
wheel they are package data under ``flopdocs/_site/``: ``setup.py``'s ``build_py``
copies them there, as :data:`LAYOUT` lays them out, when the wheel is built.  git holds
only the top-level copies; ``_site/`` exists in a build directory and in an installed
package, never in the checkout, so its presence is what says "installed".

This module only names paths.  It reads, writes and checks nothing: whether KaTeX is
there is ``site.build.check_katex``'s question, and where a site is written is the
caller's.  It imports nothing of flopdocs, so ``setup.py`` can load it by path.
"""
from __future__ import annotations

from pathlib import Path

#: What the site loads from KaTeX, relative to its ``dist/`` (served at ``assets/katex/``).
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts")
_KATEX = ("katex", "node_modules/katex/dist")

#: Every file or folder a wheel carries for the site: (its path under ``flopdocs/_site/``,
#: its path in a checkout).  KaTeX's LICENSE goes with its files: MIT asks that it does.
LAYOUT: tuple[tuple[str, str], ...] = (
    ("templates", "templates"),
    ("site_src", "site_src"),
    ("mkdocs.yml", "mkdocs.yml"),
    ("examples/seed.ipynb", "examples/seed.ipynb"),  # the "Use it from Python" page
    ("CHANGELOG.md", "CHANGELOG.md"),  # the "What changed" page
    *((f"{_KATEX[0]}/{f}", f"{_KATEX[1]}/{f}") for f in KATEX_FILES),
    (f"{_KATEX[0]}/LICENSE", "node_modules/katex/LICENSE"),
)
#: Under ``_site/`` (and at the top of an sdist): the commit a wheel was built from and
#: its time, as JSON ``{"commit": ..., "source_date_epoch": ...}``; written by setup.py.
BUILD_INFO = "build-info.json"

PACKAGE = Path(__file__).resolve().parents[1]
BUNDLE = PACKAGE / "_site"
#: The checkout's root (where git and ``npm ci`` run), or None when installed from a wheel.
CHECKOUT: Path | None = None if BUNDLE.is_dir() else PACKAGE.parent


def _where(bundled: str, in_checkout: str) -> Path:
    return CHECKOUT / in_checkout if CHECKOUT is not None else BUNDLE / bundled


TEMPLATES = _where("templates", "templates")
SITE_SRC = _where("site_src", "site_src")
MKDOCS_YML = _where("mkdocs.yml", "mkdocs.yml")
NOTEBOOK = _where("examples/seed.ipynb", "examples/seed.ipynb")
CHANGELOG = _where("CHANGELOG.md", "CHANGELOG.md")
KATEX = _where(*_KATEX)
#: The wheel's record of its commit; None in a checkout, where git answers.
BUILT_FROM = BUNDLE / BUILD_INFO if CHECKOUT is None else None
