"""Render the gathered data to Markdown pages with our own Jinja2 environment.

Templates are read from :data:`flopdocs.base.resources.TEMPLATES`.  sympy's LaTeX only
ever enters a page through a variable, never as template text; user-supplied text
(model names, sources) only through the ``text`` filter, which escapes it for
Markdown and HTML.  :func:`pages` returns ``{relative path: Markdown}``, sorted;
nothing here writes files.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import jinja2
import sympy

from flopdocs.structure.layers import LAYERS
from flopdocs.api.report import human, human_params
from flopdocs import __version__, conventions
from flopdocs.config.keys import DIMENSIONS
from flopdocs.base.resources import CHANGELOG, NOTEBOOK, TEMPLATES
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import anchor, leading_term
from flopdocs.site import (audits_page, calculator, changes, compare, conventions_pages, derive, errata, figures,
                           memory_page, model_page, modes_page, notebook, papers)
from flopdocs.site import plots
from flopdocs.site.plots import crossover as _crossover
from flopdocs.site.addresses import REPO_URL, SITE_URL, release_path
from flopdocs.site.gather import Model, SiteData
from flopdocs.site.text import bibtex_text, front_matter_text, md_text, num, pct, signed_pct, times

TITLE = model_page.TITLE

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


def _symbolic_total(data: SiteData) -> sympy.Expr:
    return sympy.expand(data.convention.build().total)


def _gathered(lines) -> str:
    """The computation's lines as one centred LaTeX block."""
    return "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"


def _param_tex(name: str) -> str:
    """A build parameter's name in LaTeX: ``d_model`` -> ``d_{model}``; a name with more
    underscores keeps them, ``n_kv_heads`` -> ``n_{kv\\_heads}`` (not "n_{kv heads}")."""
    head, _, rest = name.partition("_")
    if "_" not in rest:
        return derive.tex(sympy.Symbol(name))
    return f"{head}_{{{rest.replace('_', chr(92) + '_')}}}"


def _instance(layer) -> str:
    """``MultiHeadAttention(n_q = l, ..., d_k = d_model / n_heads, ...)`` in LaTeX."""
    params = list(inspect.signature(layer.build).parameters)
    args = layer.example_args()
    if not args:
        return ""
    # a parameter given its own dimension ("d_model = d_model") says nothing: left out
    pairs = [f"{_param_tex(p)} = {derive.tex(a)}" for p, a in zip(params, args)
             if _param_tex(p) != derive.tex(a)]
    return f"\\mathrm{{{layer.name}}}(" + ",\\ ".join(pairs) + ")"


def layer_page(env, layer, cite) -> str:
    secs = derive.sections(layer)
    root = derive.example(layer)
    page = f"layers/{layer.slug}.md"
    return env.get_template("layer.md.j2").render(
        layer=layer, sections=secs, total=derive.tex_expanded(root.total),
        computation=_gathered(layer.computation), instance=_instance(layer), notes=layer.notes,
        layers=LAYERS, kinds=derive.KIND_TEXT,
        cite=cite(page, f"{TITLE}: FLOPs of {layer.name}", f"flopdocs-{layer.slug}"),
    )


def _crossover_row(m: Model) -> dict:
    """The crossover for one model, from its own tree (GQA, gated FFN, ... included).

    Windowed attention (each query scores w keys) has no l² term: its crossover is None.
    An encoder-decoder's terms are in l_src and l_tgt, not l: nothing is computed (None).
    """
    values = m.config.dims
    length = m.config["l"]
    if m.config.is_encoder_decoder:
        return {"m": m, "l": length, "attn": None, "dsq": None, "ratio": None, "l_star": None}
    a_coef, b_coef, l_star = _crossover(m.analysis.symbolic.total)
    attn = int(a_coef.xreplace(values) * length**2)  # the coefficients need not be whole
    dsq = int(b_coef.xreplace(values) * length)
    return {"m": m, "l": length, "attn": attn, "dsq": dsq,
            "ratio": attn / dsq if dsq else None,
            "l_star": float(l_star.xreplace(values)) if l_star is not None else None}


def symbolic_page(env, data: SiteData, cite) -> str:
    total = _symbolic_total(data)
    sections = []
    for key, sym in DIMENSIONS.items():
        sections.append({
            "key": key, "anchor": f"by-{anchor(key)}", "symbol": derive.tex(sym),
            "collected": derive.tex_lines(sympy.collect(total, sym)),
            "degree": sympy.degree(total, sym),
            "leading": derive.tex(leading_term(total, sym)),
        })
    a_coef, b_coef, l_star = _crossover(total)
    per_model = [_crossover_row(m) for m in data.models]
    return env.get_template("symbolic.md.j2").render(
        expanded=derive.tex_lines(total), sections=sections,
        lead_l=derive.tex(leading_term(total, l)), lead_d=derive.tex(leading_term(total, d_model)),
        attn_term=derive.tex(sympy.expand(a_coef * l**2)), dsq_term=derive.tex(sympy.expand(b_coef * l)),
        l_star=derive.tex(l_star), per_model=per_model,
        cite=cite("symbolic.md", f"{TITLE}: the transformer's FLOPs collected by each dimension",
                  "flopdocs-symbolic"),
    )


def conventions_page(env, data: SiteData, cite) -> str:
    default = data.convention
    base_total = sympy.expand(default.build().total)
    sections = []
    for conv in data.conventions:
        tree = conventions.is_tree(conv)
        diff = sympy.expand(conv.build().total - base_total) if tree else 0
        sections.append({"name": conv.NAME, "anchor": anchor(conv.NAME), "title": conv.TITLE,
                         "citation": conv.CITATION, "summary": conv.SUMMARY,
                         "modes": ", ".join(conv.MODES), "tree": tree,
                         "aliases": [a for a, n in conventions.ALIASES.items() if n == conv.NAME],
                         "default": conv is default, "page": conventions_pages.page_of(conv),
                         "diff": derive.tex_lines(diff) if diff != 0 else ""})
    names = [c.NAME for c in data.conventions]
    rows = []
    for m in data.models:
        base = m.counts[default.NAME, "training"]
        cells = []
        for name in names:
            a = m.counts[name, "training"]
            if isinstance(a, str):
                cells.append({"value": None, "ratio": None, "refused": a})
            else:
                cells.append({"value": a.per_token, "ratio": a.total / base.total, "refused": ""})
        rows.append({"m": m, "cells": cells})
    links = {c.NAME: conventions_pages.page_of(c) for c in data.conventions}
    claims = [{**p, "page": links.get(p["convention"], "")} for p in papers.PAPERS]
    return env.get_template("conventions.md.j2").render(
        sections=sections, rows=rows, names=names, papers=claims, as_of=papers.AS_OF, links=links,
        cite=cite("conventions.md", f"{TITLE}: FLOP counting conventions", "flopdocs-conventions"))


def home_page(env, data: SiteData) -> str:
    rows = []
    for m in data.models:
        name, frac = model_page.largest(m)
        rows.append({"m": m, "largest": name, "largest_label": figures.label(name), "share": frac})
    return env.get_template("index.md.j2").render(
        summary=data.convention.SUMMARY, convention=data.convention.NAME, rows=rows,
        layers=data.layers,
    )


def compare_page(env, data: SiteData, cite) -> str:
    return env.get_template("compare.md.j2").render(
        columns=compare.COLUMNS, rows=compare.rows(data, data.convention.NAME),
        scatter=plots.flops_vs_params([(m.config.name, m.analysis.params.total, m.analysis.per_token)
                                       for m in data.models]),
        convention=data.convention.NAME,
        cite=cite("compare.md", f"{TITLE}: forward FLOPs of published transformers compared", "flopdocs-compare"))


def convention_pages(env, data: SiteData, cite) -> dict[str, str]:
    """One page per convention: its rules or terms, and the reconciliation with ours."""
    out = {}
    for conv in data.conventions:
        page = conventions_pages.page_of(conv)
        out[page] = env.get_template("convention.md.j2").render(
            c=conventions_pages.context(conv, data),
            cite=cite(page, f"{TITLE}: the {conv.NAME} convention", f"flopdocs-convention-{anchor(conv.NAME)}"))
    out["errata.md"] = env.get_template("errata.md.j2").render(
        **errata.context(data), cite=cite("errata.md", f"{TITLE}: errata of the seed notebook", "flopdocs-errata"))
    return out


def modes(env, data: SiteData, cite) -> str:
    return env.get_template("modes.md.j2").render(
        **modes_page.context(data),
        cite=cite("modes.md", f"{TITLE}: training, recomputation, prefill, decode and the KV cache",
                  "flopdocs-modes"))


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

    made = {
        "index.md": home_page(env, data),
        "symbolic.md": symbolic_page(env, data, cite),
        "compare.md": compare_page(env, data, cite),
        "conventions.md": conventions_page(env, data, cite),
        "modes.md": modes(env, data, cite),
        memory_page.PAGE: env.get_template("memory.md.j2").render(
            **memory_page.context(data),
            cite=cite(memory_page.PAGE, f"{TITLE}: memory, time and fit", "flopdocs-memory")),
        audits_page.PAGE: audits_page.page(env, data, cite),
        **convention_pages(env, data, cite),
        calculator.PAGE: env.get_template("calculator.md.j2").render(**calculator.context(data)),
        notebook.PAGE: notebook.page(NOTEBOOK),
        changes.PAGE: changes.page(CHANGELOG),
    }
    out: dict[str, Callable[[], str]] = {path: (lambda text=text: text) for path, text in made.items()}
    for layer in data.layers:
        out[f"layers/{layer.slug}.md"] = lambda layer=layer: layer_page(env, layer, cite)
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
        {"Memory": memory_page.PAGE},
        {audits_page.TITLE: audits_page.PAGE},
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
