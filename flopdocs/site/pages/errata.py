"""The errata page, computed: the seed's slips and their size for every catalogue model.

A slip is the seed's rules on one layer (:data:`flopdocs.conventions.seed.RULES`, grouped
by the layer they name: LayerNorm, PositionWiseFFN, Softmax).  Its size for a model is the
default convention's forward count minus the structure counted with that slip's rules
alone (:func:`flopdocs.conventions.rules.apply`); the rules touch disjoint leaves, so the
sizes sum to flopdocs − seed.  Nothing here writes files.
"""
from __future__ import annotations

from functools import lru_cache

import sympy

from flopdocs.config.arch import SEED, Arch
from flopdocs.conventions import seed
from flopdocs.conventions.rules import apply
from flopdocs.structure.build import structure
from flopdocs.structure.layers import LAYERS
from flopdocs.structure.tree import anchor
from flopdocs.site import derive
from flopdocs.site.gather import Model, SiteData
from flopdocs.site.addresses import TITLE

PAGE = "errata.md"

#: What each slip is, by the layer its rules name.
WHAT = {
    "LayerNorm": "LayerNorm's per-position steps (the mean's division, μ², the subtraction, the "
                 "square root) counted d_model times instead of once per position, and X − μ "
                 "d_model times instead of l·d_model",
    "PositionWiseFFN": "the FFN's two biases added once per layer instead of at every position",
    "Softmax": "the division of each exponential by its row's sum not counted",
}


def slips() -> dict[str, dict]:
    """layer -> {leaf: rule} of the seed's rules, in the order the rules are written."""
    out: dict[str, dict] = {}
    for (layer, leaf), rule in seed.RULES.items():
        out.setdefault(layer, {})[(layer, leaf)] = rule
    return out


@lru_cache(maxsize=None)
def _difference(arch: Arch, layer: str) -> sympy.Expr:
    """flopdocs − (the structure with only ``layer``'s seed rules), one forward sequence."""
    base = structure(arch)
    return sympy.expand(base.total - apply(base, slips()[layer]).total)


def sizes(m: Model) -> dict[str, int]:
    """Each slip's size for a model: the FLOPs (all N sequences) flopdocs counts and the
    seed does not, because of that slip alone."""
    cfg = m.config
    return {layer: int(_difference(cfg.arch, layer).xreplace(cfg.dims)) * cfg.n_sequences
            for layer in slips()}


def context(data: SiteData) -> dict:
    default = data.convention.NAME
    layers = list(slips())
    rows = []
    for m in data.models:
        ours, theirs = m.counts[default, "forward"].total, m.counts["seed", "forward"].total
        each = sizes(m)
        rows.append({"m": m, "seed": theirs, "ours": ours, "diff": ours - theirs,
                     "sizes": [each[x] for x in layers], "rel": (ours - theirs) / theirs})
    return {
        "default": default,
        "slips": [{"layer": layer, "anchor": anchor(layer), "what": WHAT.get(layer, ""),
                   "page": f"layers/{LAYERS[layer].slug}.md",
                   "symbolic": derive.tex_lines(_difference(SEED, layer)),
                   "rules": [{"leaf": leaf, "rule": type(r).__name__.lower(), "note": r.note}
                             for (_, leaf), r in rules.items()]}
                  for layer, rules in slips().items()],
        "layers": layers, "rows": rows,
    }


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The errata page: its path and Markdown."""
    return PAGE, env.get_template("errata.md.j2").render(
        **context(data), cite=cite(PAGE, f"{TITLE}: errata of the seed notebook", "flopdocs-errata"))
