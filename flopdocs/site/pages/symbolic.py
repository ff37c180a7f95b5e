"""The Symbolic page: the transformer's FLOPs as one expression, collected by each
dimension, and the crossover of attention's l² terms with the d² terms per model.  Nothing
here writes files.
"""
from __future__ import annotations

import sympy

from flopdocs.config.keys import DIMENSIONS
from flopdocs.config.symbols import d_model, l
from flopdocs.structure.tree import anchor, leading_term
from flopdocs.site import derive
from flopdocs.site.gather import Model, SiteData
from flopdocs.site.addresses import TITLE
from flopdocs.site.plots import crossover

PAGE = "symbolic.md"


def _symbolic_total(data: SiteData) -> sympy.Expr:
    return sympy.expand(data.convention.build().total)


def crossover_row(m: Model) -> dict:
    """The crossover for one model, from its own tree (GQA, gated FFN, ... included).

    Windowed attention (each query scores w keys) has no l² term: its crossover is None.
    An encoder-decoder's terms are in l_src and l_tgt, not l: nothing is computed (None).
    """
    values = m.config.dims
    length = m.config["l"]
    if m.config.is_encoder_decoder:
        return {"m": m, "l": length, "attn": None, "dsq": None, "ratio": None, "l_star": None}
    a_coef, b_coef, l_star = crossover(m.analysis.symbolic.total)
    attn = int(a_coef.xreplace(values) * length**2)  # the coefficients need not be whole
    dsq = int(b_coef.xreplace(values) * length)
    return {"m": m, "l": length, "attn": attn, "dsq": dsq,
            "ratio": attn / dsq if dsq else None,
            "l_star": float(l_star.xreplace(values)) if l_star is not None else None}


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The Symbolic page: the default convention's total collected by each dimension, and
    where attention overtakes the d² terms, for every model."""
    total = _symbolic_total(data)
    sections = []
    for key, sym in DIMENSIONS.items():
        sections.append({
            "key": key, "anchor": f"by-{anchor(key)}", "symbol": derive.tex(sym),
            "collected": derive.tex_lines(sympy.collect(total, sym)),
            "degree": sympy.degree(total, sym),
            "leading": derive.tex(leading_term(total, sym)),
        })
    a_coef, b_coef, l_star = crossover(total)
    per_model = [crossover_row(m) for m in data.models]
    return PAGE, env.get_template("symbolic.md.j2").render(
        expanded=derive.tex_lines(total), sections=sections,
        lead_l=derive.tex(leading_term(total, l)), lead_d=derive.tex(leading_term(total, d_model)),
        attn_term=derive.tex(sympy.expand(a_coef * l**2)), dsq_term=derive.tex(sympy.expand(b_coef * l)),
        l_star=derive.tex(l_star), per_model=per_model,
        cite=cite(PAGE, f"{TITLE}: the transformer's FLOPs collected by each dimension",
                  "flopdocs-symbolic"),
    )
