"""The Compare page's rows: the few numbers people compare, one row per model.

Parameters, forward and training FLOPs per token, and the shares of forward FLOPs by
role family (attention over the context, attention projections, FFN, the rest), from
each model's ``by_role``.  Rows are in natural order of name ("Llama 2 7B" before
"Llama 2 70B"); the page's headers sort the table in the browser (``assets/compare.js``).
"""
from __future__ import annotations

import re

from flopdocs.site import plots
from flopdocs.site.gather import SHARES, Model, SiteData
from flopdocs.site.addresses import TITLE

PAGE = "compare.md"



def natural_key(name: str) -> list:
    """Sort key comparing runs of digits as numbers: "7B" < "13B" < "70B"."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
            for p in re.split(r"(\d+)", name) if p]


def _shares(m: Model) -> list[float | None]:
    by_role = m.analysis.by_role
    total = m.analysis.total
    if not by_role or not total:
        return [None] * (len(SHARES) + 1)
    out = [sum(f for r, f in by_role.items() if r in roles) / total for roles in SHARES.values()]
    return out + [max(0.0, 1 - sum(out))]


def rows(data: SiteData, default: str) -> list[dict]:
    out = []
    for m in sorted(data.models, key=lambda m: natural_key(m.config.name)):
        training = m.counts.get((default, "training"))
        out.append({"m": m, "params": m.analysis.params.total,
                    "forward": m.analysis.per_token,
                    "training": None if training is None or isinstance(training, str) else training.per_token,
                    "shares": _shares(m)})
    return out


COLUMNS = list(SHARES) + ["other"]


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The Compare page: its path and Markdown."""
    return PAGE, env.get_template("compare.md.j2").render(
        columns=COLUMNS, rows=rows(data, data.convention.NAME),
        scatter=plots.flops_vs_params([(m.config.name, m.analysis.params.total, m.analysis.per_token)
                                       for m in data.models]),
        convention=data.convention.NAME,
        cite=cite(PAGE, f"{TITLE}: forward FLOPs of published transformers compared", "flopdocs-compare"))
