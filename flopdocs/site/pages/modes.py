"""The Modes page, computed: the backward per kind, recomputation, prefill, decode, the KV
cache, each with a worked example on one catalogue model (``templates/modes.md.j2`` lays
it out).  Nothing here writes files.
"""
from __future__ import annotations

from flopdocs.counting import modes
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.structure.roles import KINDS, ROLES
from flopdocs.site.pages import answers
from flopdocs.site.gather import Model, SiteData, decode_contexts
from flopdocs.site.addresses import TITLE

PAGE = "modes.md"

#: Why each kind's backward is the multiple :data:`flopdocs.counting.modes.BACKWARD` says.
WHY = {"matmul": "the gradients of both operands: two products of the same size",
       "elementwise": "one multiply by the local derivative per element",
       "transcendental": "one multiply by the local derivative per element",
       "reduction": "the gradient of a sum is a broadcast: no arithmetic",
       "comparison": "the gradient of a maximum or top-k is a selection: no arithmetic",
       "lookup": "the gradient of a lookup is a scatter into the table: no arithmetic"}

#: The worked example, the first of these in the catalogue (else its first decoder).
EXAMPLES = ("llama-2-7b", "gpt-2-xl")


def example(data: SiteData) -> Model | None:
    """The model the page works its examples on: a decoder that every mode counts."""
    by_slug = {m.slug: m for m in data.models}
    for s in EXAMPLES:
        if s in by_slug:
            return by_slug[s]
    for m in data.models:
        if answers.kv_bytes_per_token(m) is not None:
            return m
    return None


def _worked(m: Model) -> dict:
    cfg = m.config
    name = m.analysis.convention
    forward = m.counts[name, "forward"]
    training = m.counts[name, "training"]
    by_kind = m.analysis.by_kind  # the default convention's forward (the count above)
    kinds = [{"kind": k, "forward": by_kind[k], "times": modes.BACKWARD[k],
              "backward": modes.BACKWARD[k] * by_kind[k]} for k in KINDS]
    full = analyse(cfg, name, "training-recompute", Options(recompute="full"))
    selective = analyse(cfg, name, "training-recompute", Options(recompute="selective"))
    layers = analyse(cfg, name, "training-recompute", Options(recompute="layers"))
    half, last = decode_contexts(cfg["l"])
    steps = 128
    generate = analyse(cfg, name, "generate", Options(prompt=half, generate=steps))
    return {
        "m": m, "l": cfg["l"], "tokens": cfg.tokens,
        "forward": forward.sequence_total, "forward_per_token": forward.per_token,
        "kinds": kinds, "backward": sum(k["backward"] for k in kinds),
        "training": training.sequence_total, "training_per_token": training.per_token,
        "full": full.per_sequence.total, "selective": selective.per_sequence.total,
        "selective_extra": selective.per_sequence.total - training.sequence_total,
        "layers": layers.per_sequence.total, "layers_extra": layers.per_sequence.total - training.sequence_total,
        "prefill_prompt": half,
        "prefill": analyse(cfg, name, "prefill", Options(prompt=half)).per_sequence.total,
        "decode": [{"context": c, "scored": modes.decode_keys(cfg, c),
                    "flops": step.per_token} for c, step in m.decode],
        "generate_steps": steps, "generate": generate.per_sequence.total,
        "kv_token": answers.kv_bytes_per_token(m),
        "kv_full": modes.kv_cache_bytes(cfg, last + 1, answers.DTYPE_BYTES) // cfg.n_sequences,
        "n_layers": cfg["n_layers"], "n_kv": cfg.get("n_kv_heads"), "d_head": cfg.get("d_head"),
        "window": cfg.get("window"),
    }


def context(data: SiteData) -> dict:
    m = example(data)
    return {
        "backward": [{"kind": k, "what": KINDS[k], "times": modes.BACKWARD[k], "why": WHY[k]}
                     for k in KINDS],
        "selective": [{"role": r, "what": ROLES[r]} for r in ROLES if r in modes.SELECTIVE_ROLES],
        "dtype_bytes": answers.DTYPE_BYTES, "dtype": answers.DTYPE,
        "ex": _worked(m) if m is not None else None,
    }


def page(env, data: SiteData, cite) -> tuple[str, str]:
    """The Modes page: its path and Markdown."""
    return PAGE, env.get_template("modes.md.j2").render(
        **context(data),
        cite=cite(PAGE, f"{TITLE}: training, recomputation, prefill, decode and the KV cache",
                  "flopdocs-modes"))
