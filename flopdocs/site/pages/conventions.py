"""One page per convention, computed: its rules or terms, and the reconciliation with ours.

A closed form's terms are mapped to our leaves by role: a term with a role stands for
that role; a term without one (PaLM's and 6N's 2·P, Megatron's layers) stands for the
roles declared in :data:`TERM_ROLES`.  Terms standing for the same roles share a row.
Each row shows the form's value and ours (the default convention's forward tree, one
sequence) for those roles, the difference, and why: computed from the kinds of our
leaves (the same matrix products, plus the elementwise steps ours counts) or, where the
form counts the same roles differently, declared next to the mapping (:data:`NOTES`).
Roles ours counts and the form leaves out are rows of their own.  Nothing here writes files.
"""
from __future__ import annotations

from types import ModuleType

from flopdocs import conventions
from flopdocs.conventions import formula
from flopdocs.counting import reproduced
from flopdocs.errors import ConfigError
from flopdocs.structure.roles import ROLES
from flopdocs.structure.tree import anchor, leaves
from flopdocs.site.gather import Model, SiteData
from flopdocs.site.addresses import TITLE

#: The roles of the weights a 2·P term stands for (every role whose leaves hold parameters).
WEIGHT_ROLES = ("embedding", "position", "attention-projection", "router", "ffn", "norm", "lm-head")
#: Every role inside a transformer layer (Megatron's per-layer term).
LAYER_ROLES = ("position", "attention-projection", "attention-scores", "attention-softmax",
               "attention-values", "router", "ffn", "norm", "residual")

#: (convention, term) -> the roles a term without a role stands for, declared once.
TERM_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("palm", "weights: 2·P"): WEIGHT_ROLES,
    ("palm", "attention: 4·L·H·Q·T"): ("attention-scores", "attention-values"),
    ("6N", "weights: 2·N"): WEIGHT_ROLES,
}

_TWO_P = ("2 FLOPs per parameter: the embedding tables (a lookup and an addition here), "
          "biases and norm gains included at 2 FLOPs each")
#: (convention, term) -> why the form's count of its roles differs from ours, where it is
#: not the same matrix products (the computed explanation).
NOTES: dict[tuple[str, str], str] = {
    ("kaplan", "embed"): "Kaplan counts 4·d_model per token for the embedding; ours is a free "
                         "lookup and the position addition",
    ("chinchilla", "embeddings"): "Chinchilla counts the embedding as a product with a one-hot "
                                  "matrix, 2·vocab·d_model per token; ours is a free lookup",
    ("palm", "weights: 2·P"): "PaLM includes embeddings: " + _TWO_P,
    ("6N", "weights: 2·N"): _TWO_P + " (N the parameters active per token)",
    ("megatron", "layers: MLP"): "Megatron's 16·s·h² assumes d_ff = 4h and one non-gated FFN",
    ("megatron", "layers: Q, K, V"): "Megatron's 6·s·h² assumes n_heads·d_head = h and as many "
                                     "key-value heads as heads",
    ("kaplan", "feedforward"): "Kaplan counts two d_model × d_ff matrices; a gated FFN has three",
    ("chinchilla", "dense block"): "Chinchilla counts two d_model × ffw_size matrices; a gated "
                                   "FFN has three",
    ("chinchilla", "attention: softmax"): "Chinchilla counts 3 FLOPs per score; ours counts each "
                                          "step of the Softmax layer",
}

#: The models a reconciliation is shown for, the first the convention counts.
EXAMPLES = ("gpt-2-xl", "llama-2-7b")


def roles_of(conv: ModuleType, term: formula.Term) -> tuple[str, ...]:
    """The roles a closed form's term stands for (its own, or the declared ones)."""
    if term.role is not None:
        return (term.role,)
    try:
        return TERM_ROLES[conv.NAME, term.name]
    except KeyError:
        raise ValueError(f"{conv.NAME}: term {term.name!r} has no role and none is declared "
                         f"in TERM_ROLES") from None


def ours_by_role_kind(m: Model) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """Our forward tree (default convention, one sequence): role -> kind -> FLOPs, and
    role -> the names of its leaves that are not matrix products."""
    out: dict[str, dict[str, int]] = {}
    names: dict[str, list[str]] = {}
    for _, n in leaves(m.analysis.per_sequence):
        kinds = out.setdefault(n.role, {})
        kinds[n.kind] = kinds.get(n.kind, 0) + n.value
        if n.kind != "matmul" and n.value and n.name not in names.setdefault(n.role, []):
            names[n.role].append(n.name)
    return out, names


def ours_by_role(m: Model) -> dict[str, int]:
    """Our forward tree (one sequence) by role, every role of the closed list."""
    kinds, _ = ours_by_role_kind(m)
    return {r: sum(kinds.get(r, {}).values()) for r in ROLES}


def _explain(conv, terms, value: int, ours: int, matmul: int, extra: list[str]) -> tuple[str, list[str]]:
    """Why a row differs, and the names of our leaves it names: the same count; the same
    matrix products (ours adds the named steps); else the note declared for the term."""
    if value == ours:
        return "the same count", []
    if value == matmul:
        return "the same matrix products; ours also counts", extra[:4] + (["…"] if len(extra) > 4 else [])
    note = next((NOTES[conv.NAME, t.name] for t in terms if (conv.NAME, t.name) in NOTES), "")
    return note or "counted differently (the term's formula against our leaves of these roles)", []


def reconcile(conv: ModuleType, m: Model) -> dict:
    """A closed form's terms against our leaves, by role, for one model (one sequence)."""
    cfg = m.config
    forward = m.analysis.per_sequence
    tokens = m.analysis.tokens
    model = formula.model_of(cfg, m.analysis.params)
    terms = formula.sequence_terms(conv, model, model.tokens)
    ours, extra = ours_by_role_kind(m)
    groups: dict[tuple[str, ...], list[formula.Term]] = {}
    for t in terms:
        groups.setdefault(roles_of(conv, t), []).append(t)
    covered = [r for roles in groups for r in roles]
    if len(covered) != len(set(covered)):
        raise ValueError(f"{conv.NAME}: two groups of terms stand for the same role")
    rows = []
    beside = set(getattr(conv, "EXCLUDE", ()))  # terms printed beside the total, not in it
    for roles, ts in groups.items():
        value = sum(t.value for t in ts)
        mine = sum(sum(ours.get(r, {}).values()) for r in roles)
        matmul = sum(ours.get(r, {}).get("matmul", 0) for r in roles)
        names = [x for r in roles for x in extra.get(r, [])]
        if set(roles) <= beside:
            row = _row(ts, roles, value, mine, tokens, forward.total,
                       "printed beside the total, not in it (--exclude none counts it)", [])
            row["effect"], row["beside"] = -mine / forward.total, True
            rows.append(row)
            continue
        rows.append(_row(ts, roles, value, mine, tokens, forward.total,
                         *_explain(conv, ts, value, mine, matmul, names)))
    left_out = [r for r in ROLES if r not in covered and sum(ours.get(r, {}).values())]
    for r in left_out:
        mine = sum(ours[r].values())
        rows.append(_row([], (r,), 0, mine, tokens, forward.total, f"not counted: {ROLES[r]}", []))
    total = sum(t.value for t in terms if not {t.role} <= beside)
    diff = (total - forward.total) / forward.total
    if left_out:
        summary = f"{_name(conv)} omits {', '.join(left_out)}"
    else:
        summary = f"{_name(conv)} covers every role ours counts"
    return {"m": m, "rows": rows, "form": total, "ours": forward.total, "tokens": tokens,
            "form_token": total // tokens, "ours_token": forward.total // tokens, "diff": diff,
            "summary": f"{summary}: {100 * diff:+.2f} % in all, forward"}


#: What the one-line summaries call each closed form.
SHORT = {"kaplan": "Kaplan", "chinchilla": "Chinchilla", "palm": "PaLM", "megatron": "Megatron-LM"}


def _name(conv) -> str:
    return SHORT.get(conv.NAME, conv.TITLE)


def _row(terms, roles, value: int, ours: int, tokens: int, of: int, why: str, names: list) -> dict:
    """One reconciliation row; ``diff`` is relative to ours for these roles (``None`` when
    ours is 0 or the form has no term for them), ``effect`` to our whole forward pass (the
    rows' effects sum to the total's difference)."""
    return {"terms": [t.name for t in terms], "formulas": [t.formula for t in terms],
            "roles": list(roles), "form": value, "ours": ours,
            "form_token": value // tokens, "ours_token": ours // tokens,
            "diff": (value - ours) / ours if ours and terms else None,
            "effect": (value - ours) / of, "why": why, "names": names}


def modes_rows(conv: ModuleType, m: Model, default: str) -> list[dict]:
    """The training modes the form defines, per token, against ours in the same mode."""
    out = []
    for mode in ("forward", "training", "training-recompute"):
        if mode not in conv.MODES:
            continue
        form, ours = m.counts[conv.NAME, mode], m.counts[default, mode]
        if isinstance(form, str) or isinstance(ours, str):
            continue
        out.append({"mode": mode, "form": form.per_token, "ours": ours.per_token,
                    "diff": (form.total - ours.total) / ours.total, "note": _mode_note(conv, mode, m)})
    return out


def versus(conv: ModuleType, data: SiteData) -> dict:
    """Every catalogue model's forward FLOPs per token under this convention, and each other
    convention's as a ratio to it (``None`` where either refuses the model)."""
    names = [n for n in conventions.CONVENTIONS if n != conv.NAME]
    rows = []
    for m in data.models:
        mine = m.counts[conv.NAME, "forward"]
        cells = []
        for n in names:
            other = m.counts[n, "forward"]
            ok = not isinstance(mine, str) and not isinstance(other, str) and mine.per_token
            cells.append(other.per_token / mine.per_token if ok else None)
        rows.append({"m": m, "per_token": None if isinstance(mine, str) else mine.per_token,
                     "refused": mine if isinstance(mine, str) else "", "cells": cells})
    return {"names": names, "rows": rows}


def examples(conv: ModuleType, data: SiteData) -> list[Model]:
    """The models a convention's page reconciles: those of :data:`EXAMPLES` it counts, else
    the first catalogue model it counts."""
    counted = [m for m in data.models if not isinstance(m.counts[conv.NAME, "forward"], str)]
    chosen = [m for s in EXAMPLES for m in counted if m.slug == s]
    return chosen or counted[:1]


def _mode_note(conv: ModuleType, mode: str, m: Model) -> str:
    """How the form and ours count a mode's extra passes."""
    if mode == "forward":
        return ""
    if not hasattr(conv, "BACKWARD"):  # a tree convention: the same modes as ours
        return "the backward by kind, as ours, of its own forward"
    note = f"backward {conv.BACKWARD}× every term; ours by kind (2× the matrix products, less elsewhere)"
    if mode == "training-recompute":
        model = formula.model_of(m.config, m.analysis.params)
        terms = formula.sequence_terms(conv, model, model.tokens)
        kept = [t.name for t in terms if not t.recomputed]
        note += ("; recomputation (--recompute full): one more forward of every term"
                 + (f" except the {', '.join(kept)}" if kept else "") + ", ours of everything")
        if "selective" in getattr(conv, "RECOMPUTE", ()):
            note += "; --recompute selective as Korthikanti et al. 2022, App. A"
    return note


def example(conv: ModuleType, data: SiteData) -> Model | None:
    """The first model a convention's page works on (:func:`examples`)."""
    return next(iter(examples(conv, data)), None)


def page_of(conv: ModuleType) -> str:
    return f"conventions/{anchor(conv.NAME)}.md"


def rules_rows(conv: ModuleType) -> list[dict]:
    """A tree convention's rule table: layer, leaf, what the rule does, why."""
    return [{"layer": layer, "leaf": leaf, "rule": type(rule).__name__.lower(), "note": rule.note}
            for (layer, leaf), rule in conv.RULES.items()]


def context(conv: ModuleType, data: SiteData) -> dict:
    """Everything one convention's page shows."""
    tree = conventions.is_tree(conv)
    m = example(conv, data)
    default = data.convention.NAME
    out = {"name": conv.NAME, "anchor": anchor(conv.NAME), "title": conv.TITLE,
           "citation": conv.CITATION, "summary": conv.SUMMARY, "modes": ", ".join(conv.MODES),
           "tree": tree, "default": conv is data.convention, "default_name": default,
           "aliases": [a for a, n in conventions.ALIASES.items() if n == conv.NAME],
           "m": m, "rules": rules_rows(conv) if tree else [], "terms": [], "rec": None, "recs": [],
           "by_role": [],
           "modes_rows": modes_rows(conv, m, default) if m is not None else []}
    if conv is data.convention and m is not None:
        a = m.analysis
        out["by_role"] = [{"role": r, "what": ROLES[r], "flops": v // a.tokens, "share": v / a.per_sequence.total}
                          for r, v in ours_by_role(m).items() if v]
    out["reproduced"] = [row for f in reproduced.of(conv.NAME) if (row := _figure(f)) is not None]
    out["excluded"] = list(getattr(conv, "EXCLUDE", ()))
    out["versus"] = versus(conv, data)
    if not tree and m is not None:
        model = formula.model_of(m.config, m.analysis.params)
        out["terms"] = [{"name": t.name, "formula": t.formula, "roles": roles_of(conv, t),
                         "recomputed": t.recomputed}
                        for t in formula.sequence_terms(conv, model, model.tokens)]
        out["backward"] = conv.BACKWARD
        out["recs"] = [reconcile(conv, x) for x in examples(conv, data)]
        out["rec"] = out["recs"][0]
    return out


def pages(env, data: SiteData, cite) -> dict[str, str]:
    """One page per convention: its rules or terms, and the reconciliation with ours."""
    out = {}
    for conv in data.conventions:
        page = page_of(conv)
        out[page] = env.get_template("convention.md.j2").render(
            c=context(conv, data),
            cite=cite(page, f"{TITLE}: the {conv.NAME} convention", f"flopdocs-convention-{anchor(conv.NAME)}"))
    return out


def _figure(f) -> dict | None:
    """A published figure's row, or None where the built-in catalogue lacks its model (a
    checkout trimmed to a few models, as the release test makes)."""
    try:
        return {"where": f.where, "published": f.published, "ours": f.shown, "ratio": f.ratio,
                "command": f.command, "reason": f.reason}
    except ConfigError:
        return None
