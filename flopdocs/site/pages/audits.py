"""The Audits pages: on ``audits.md`` each built-in audit's formula, for each convention it
claims whether it is equal for every config, where its difference passes 1 %, and the public
issue it explains; on ``audits/NAME.md`` the exact difference for each structure.

The differences are their own pages because they are many (11 audits x ~50 structures and
claims): typeset on one page they made ~400,000 elements, 9 s to open on this machine's
Chromium and minutes for an accessibility check.  The index keeps every anchor it had.

The audits are :mod:`flopdocs.counting.builtin_audits` run by :mod:`flopdocs.counting.audit`
over every structure of the site's catalogue, in every build (a page read back from a file
would be text we did not compute reaching the site); within one process they are kept
per catalogue (``serve``'s rebuilds, a test session), never on disk.  Nothing here writes
files.
"""
from __future__ import annotations

import json

from flopdocs.counting import audit, audit_names, builtin_audits
from flopdocs.errors import ConfigError
from flopdocs.site import derive
from flopdocs.site.gather import SiteData
from flopdocs.structure.tree import anchor, slug

PAGE = "audits.md"
TITLE = "Audits"


def page_of(name: str) -> str:
    """An audit's own page: the exact difference of each structure from each claim."""
    return f"audits/{slug(name)}.md"


def names() -> list[str]:
    """The built-in audits' names, in the pages' order."""
    return [b.name for b in builtin_audits.AUDITS.values()]


def context(data: SiteData) -> dict:
    configs = [m.config for m in data.models]
    by_name = {m.config.name: m.slug for m in data.models}
    out = []
    for b in builtin_audits.AUDITS.values():
        claims = []
        for convention in b.conventions:
            try:
                a = audit.audit(b.target(), audit_names.parse_mapping(b.mapping), convention, b.mode, b.per,
                                catalogue_models=configs)
            except ConfigError as e:  # no structure of this catalogue it can count
                claims.append({"convention": convention, "anchor": anchor(f"{b.name} {convention}"),
                               "equal": False, "none": str(e), "structures": [], "worst": []})
                continue
            claims.append({
                "none": None,
                "convention": convention,
                "anchor": anchor(f"{b.name} {convention}"),
                "equal": a.equal,
                "differing": sum(1 for s in a.structures if s.skipped is None and not s.equal),
                "structures": [{
                    "models": [{"name": n, "slug": by_name.get(n, slug(n))} for n in s.models],
                    "skipped": s.skipped,
                    "equal": s.equal,
                    "difference": derive.tex_lines(s.difference) if s.skipped is None else "",
                    "whole": [derive.tex(q) for _, q in s.divisions],
                } for s in a.structures],
                "worst": [{**w.as_dict(), "slug": by_name.get(w.model, slug(w.model)),
                           "formula": _number(w.formula), "flopdocs": _number(w.flopdocs)} for w in a.worst],
            })
        out.append({"name": b.name, "anchor": anchor(b.name), "page": page_of(b.name), "title": b.title, "source": b.source,
                    "issue": b.issue, "latex": b.latex, "per": b.per, "mode": b.mode,
                    "doc": " ".join((b.function.__doc__ or "").split()), "claims": claims})
    return {"audits": out}


def pages(env, data: SiteData, cite) -> dict[str, str]:
    """The Audits index and each audit's page: ``{path: Markdown}`` (the audits kept for the
    process's life, never on disk)."""
    key = json.dumps([m.config.as_data() for m in data.models], sort_keys=True, default=str)
    found = _AUDITED.get(key)
    if found is None:
        if len(_AUDITED) >= 8:
            _AUDITED.clear()
        found = _AUDITED[key] = context(data)
    out = {PAGE: env.get_template("audits.md.j2").render(
        **found, cite=cite(PAGE, "flopdocs: framework FLOPs formulas audited", "flopdocs-audits"))}
    for a in found["audits"]:
        out[a["page"]] = env.get_template("audit.md.j2").render(
            a=a, index=PAGE, cite=cite(a["page"], f"flopdocs: {a['title']} audited", f"flopdocs-audit-{a['anchor']}"))
    return out


#: The audits by catalogue (its configs' data), for this process only: never on disk.
_AUDITED: dict[str, dict] = {}


def _number(text: str) -> str:
    """An exact value as the page prints it: a whole number with thousands separators,
    a fraction as it is."""
    return f"{int(text):,}" if text.lstrip("-").isdigit() else text
