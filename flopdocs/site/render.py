"""Render the gathered data to Markdown pages with our own Jinja2 environment: the
environment, the Cite box, which pages there are and in what order, the navigation.  What
a page says is its page kind's module in :mod:`flopdocs.site.pages` (``page(env, data,
cite)`` -> its path and Markdown).

Templates are read from :data:`flopdocs.base.resources.TEMPLATES`.  sympy's LaTeX only
ever enters a page through a variable, never as template text; user-supplied text
(model names, sources) only through the ``text`` filter, which escapes it for
Markdown and HTML.  :func:`pages` returns ``{relative path: Markdown}``, sorted;
nothing here writes files.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import jinja2

from flopdocs import __version__
from flopdocs.api.report import human, human_params
from flopdocs.base.resources import CHANGELOG, NOTEBOOK, TEMPLATES
from flopdocs.site import derive
from flopdocs.site.addresses import REPO_URL, SITE_URL, release_path
from flopdocs.site.gather import SiteData
from flopdocs.site.pages import (audits, calculator, changes, compare, conventions as conventions_pages,
                                 conventions_index, errata, home, layer, memory, model as model_page,
                                 modes as modes_page, notebook, symbolic)
from flopdocs.site.text import bibtex_text, front_matter_text, md_text, num, pct, signed_pct, times

_ANCHOR = re.compile(r"\{ #([a-z0-9-]+) \}")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML: user text goes through |text explicitly
    )
    env.filters.update(text=md_text, num=num, pct=pct, signed_pct=signed_pct, times=times, human=human,
                       human_params=human_params, tex=derive.tex,
                       bibtex=bibtex_text, title=front_matter_text)
    return env


def url_of(page: str, version: str = "latest") -> str:
    """The published URL of a page in one version of the site (``0.2``, ``latest``;
    ``use_directory_urls: false``)."""
    base = f"{SITE_URL}{version}/"
    return base if page == "index.md" else base + page[: -len(".md")] + ".html"


def _cite(page: str, title: str, key: str, commit: str, year: str) -> dict:
    """A Cite box: the page in this release (permanent: ``/0.2/...``), and in ``latest``."""

    pinned = f"{REPO_URL}/tree/{commit}" if re.fullmatch(r"[0-9a-f]{40}", commit) else ""
    return {"url": url_of(page, release_path(__version__)), "latest": url_of(page), "title": title,
            "key": key, "commit": commit, "year": year, "pinned": pinned, "version": __version__,
            "changes": "../" * page.count("/") + changes.PAGE}


def pages(data: SiteData, commit: str, year: str = "") -> dict[str, str]:
    """Every generated page, ``{relative path: Markdown}``, in sorted order.

    ``commit`` and ``year`` (the commit's) go into every Cite box's BibTeX.
    """
    return {path: make() for path, make in makers(data, commit, year).items()}


def makers(data: SiteData, commit: str, year: str = "") -> dict[str, Callable[[], str]]:
    """Every generated page's path and how to render it, in sorted order: a layer's or a
    model's page is rendered when called (``stage`` writes each as it is made, so a large
    catalogue's pages are never all in memory), the site-wide pages now."""
    env = environment()
    anchors = derive.anchor_map(data.layers)
    env.get_template("layer.md.j2"), env.get_template("model.md.j2")  # a syntax error: now

    def cite(page: str, title: str, key: str) -> dict:
        return _cite(page, title, key, commit, year)

    made = dict([home.page(env, data), symbolic.page(env, data, cite), compare.page(env, data, cite),
                 conventions_index.page(env, data, cite), modes_page.page(env, data, cite),
                 memory.page(env, data, cite), errata.page(env, data, cite),
                 calculator.page(env, data)])
    made.update(conventions_pages.pages(env, data, cite))
    made.update(audits.pages(env, data, cite))
    made[notebook.PAGE] = notebook.page(NOTEBOOK)
    made[changes.PAGE] = changes.page(CHANGELOG)
    out: dict[str, Callable[[], str]] = {path: (lambda text=text: text) for path, text in made.items()}
    for one in data.layers:
        out[f"layers/{one.slug}.md"] = lambda one=one: layer.page(env, one, cite)[1]
    for m in data.models:
        out[f"models/{m.slug}.md"] = lambda m=m: model_page.render(env, m, anchors, cite)
    return dict(sorted(out.items()))


def nav(data: SiteData, extra: list[str] = ()) -> list:
    """The site's navigation: titles of generated pages come from their front matter."""
    items = [
        {"Home": "index.md"},
        {"Layers": [f"layers/{layer.slug}.md" for layer in data.layers]},
        {"Symbolic": "symbolic.md"},
        {"Models": [f"models/{m.slug}.md" for m in data.models]},
        {"Compare": "compare.md"},
        {calculator.TITLE: calculator.PAGE},
        {"Conventions": ["conventions.md",
                         *[conventions_pages.page_of(c) for c in data.conventions], "errata.md"]},
        {"Modes": "modes.md"},
        {"Memory": memory.PAGE},
        {audits.TITLE: [audits.PAGE, *[audits.page_of(name) for name in audits.names()]]},
        {notebook.TITLE: notebook.PAGE},
        {changes.TITLE: changes.PAGE},
    ]
    return items + list(extra)


def anchors_of(pages: dict[str, str]) -> list[str]:
    """Every published ``page#anchor`` (and every page) the Markdown declares, sorted."""
    out = []
    for path, text in pages.items():
        out.append(path)
        out.extend(f"{path}#{a}" for a in _ANCHOR.findall(text))
    return sorted(set(out))
