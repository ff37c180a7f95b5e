"""A layer's page: its derivation sections, its expanded total, its computation and the
call that builds the example.  The derivations themselves are :mod:`flopdocs.site.derive`'s;
nothing here writes files.
"""
from __future__ import annotations

import inspect

import sympy

from flopdocs.structure.layers import LAYERS
from flopdocs.site import derive
from flopdocs.site.addresses import TITLE


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


def page(env, layer, cite) -> tuple[str, str]:
    """A layer's page: its path and Markdown."""
    secs = derive.sections(layer)
    root = derive.example(layer)
    page = f"layers/{layer.slug}.md"
    return page, env.get_template("layer.md.j2").render(
        layer=layer, sections=secs, total=derive.tex_expanded(root.total),
        computation=_gathered(layer.computation), instance=_instance(layer), notes=layer.notes,
        layers=LAYERS, kinds=derive.KIND_TEXT,
        cite=cite(page, f"{TITLE}: FLOPs of {layer.name}", f"flopdocs-{layer.slug}"),
    )
