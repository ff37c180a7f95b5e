"""The model page's first screen: the answers, under the default convention, as plain rows.

Parameters, forward and training FLOPs per token (and per sequence), decode FLOPs per
token at two contexts, KV cache bytes per token.  Every number is gathered (a ``Count`` of
``Model.counts`` or ``Model.decode``) or read from :mod:`flopdocs.counting.modes`; what does not
apply to a model (an encoder does not decode) is a one-line reason in its place; an
encoder-decoder decodes its target, over the cached source.  ``templates/model.md.j2`` only lays the rows out.
"""
from __future__ import annotations

from flopdocs.api.report import human, human_params
from flopdocs.counting import modes
from flopdocs.site.gather import Model

#: Bytes per cached number the card assumes (16-bit: bf16 or fp16).
DTYPE_BYTES = 2
DTYPE = "bf16/fp16"
#: Where each answer is derived (the Modes page's anchors).
MODES_PAGE = "../modes.md"


def kv_bytes_per_token(m: Model) -> int | None:
    """K and V of every layer for one cached token of one sequence
    (:func:`~flopdocs.counting.modes.kv_bytes_per_key`); ``None`` where no KV cache is modelled."""
    cfg = m.config
    if cfg.get("architecture") == "encoder":
        return None
    return modes.kv_bytes_per_key(cfg, DTYPE_BYTES)


def _row(label: str, value, anchor: str, unit: str = "FLOPs", note: str = "") -> dict:
    refused = value if isinstance(value, str) else ""
    shown = "" if refused else (human_params(value) if unit == "parameters"
                                else human(value, "B" if unit == "bytes" else "FLOP"))
    return {"label": label, "value": None if refused else value, "unit": unit, "human": shown,
            "note": note or refused, "link": f"{MODES_PAGE}#{anchor}"}


def rows(m: Model) -> list[dict]:
    """The card's rows, in order: label, value (``None``: not applicable, with the reason
    as ``note``), unit, link to where it is derived."""
    cfg, a = m.config, m.analysis
    name = a.convention
    p = a.params
    out = [_row("parameters", p.total, "parameters", "parameters")]
    if p.active != p.total:
        out.append(_row("parameters active per token", p.active, "parameters", "parameters"))
    tokens = f"{cfg.tokens:,}"
    forward = m.counts[name, "forward"]
    out.append(_row("forward FLOPs per token", forward.per_token, "forward",
                    note=f"rounded down; one sequence of {tokens} tokens"))
    training = m.counts[name, "training"]
    out.append(_row("training FLOPs per token", training.per_token, "training",
                    note="forward + backward, rounded down"))
    out.append(_row("training FLOPs per sequence", training.sequence_total, "training",
                    note=f"{tokens} tokens"))
    source = f" and the {cfg.get('l_src'):,} cached source tokens" if cfg.is_encoder_decoder else ""
    for context, step in m.decode:
        value = step if isinstance(step, str) else step.per_token
        out.append(_row(f"decode FLOPs per token at C = {context:,}", value, "decode",
                        note="" if isinstance(step, str) else f"{context:,} cached tokens, the new one scores "
                                                               f"{modes.decode_keys(cfg, context):,} keys{source}"))
    kv = kv_bytes_per_token(m)
    layers = "n_dec" if cfg.is_encoder_decoder else "n_layers"
    cross = (f"; plus the cross-attention's K and V of the source, 2·n_dec·n_kv_heads·d_head·l_src·"
             f"{DTYPE_BYTES} per sequence" if cfg.is_encoder_decoder else "")
    out.append(_row("KV cache bytes per token", kv if kv is not None else _no_cache(m), "kv-cache", "bytes",
                    note=f"{DTYPE}: 2·{layers}·n_kv_heads·d_head·{DTYPE_BYTES}{cross}" if kv is not None else ""))
    return out


def _no_cache(m: Model) -> str:
    return "an encoder does not generate tokens one at a time: no KV cache"
