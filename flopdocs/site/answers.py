"""The model page's first screen: the answers, under the default convention, as plain rows.

Parameters, forward and training FLOPs per token (and per sequence), decode FLOPs per
token at two contexts, KV cache bytes per token.  Every number is from an :func:`analyse`
result (a ``Count`` of ``Model.counts``, or one more decode analysis); what does not
apply to a model (an encoder does not decode) is a one-line reason in its place; an
encoder-decoder decodes its target, over the cached source.  ``templates/model.md.j2`` only lays the rows out.
"""
from __future__ import annotations

from flopdocs.counting.analysis import analyse
from flopdocs.config.config import ConfigError
from flopdocs.api.report import human, human_params
from flopdocs.counting.modes import Options
from flopdocs.site.gather import Model

#: Bytes per cached number the card assumes (16-bit: bf16 or fp16).
DTYPE_BYTES = 2
DTYPE = "bf16/fp16"
#: Where each answer is derived (the Modes page's anchors).
MODES_PAGE = "../modes.md"


def contexts(length: int) -> tuple[int, int]:
    """The two decode contexts the card shows: half the context, and the full one (l − 1
    cached tokens, so the new token's query scores l keys)."""
    return length // 2, length - 1


def decode(m: Model, context: int):
    """The default convention's decode step at ``context`` cached tokens, or the reason
    there is none (one line)."""
    name = m.analysis.convention
    try:
        return analyse(m.config, name, "decode", Options(context=context))
    except ConfigError as e:
        return e.reason


def kv_bytes_per_token(m: Model) -> int | None:
    """K and V of every layer for one cached token of one sequence:
    2·n_layers·n_kv_heads·d_head·bytes (an encoder-decoder's decoder layers, per target
    token); ``None`` where no KV cache is modelled."""
    cfg = m.config
    if cfg.get("architecture") == "encoder":
        return None
    layers = cfg.get("n_decoder_layers") if cfg.is_encoder_decoder else cfg["n_layers"]
    return 2 * layers * cfg.get("n_kv_heads") * cfg.get("d_head") * DTYPE_BYTES


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
    for context in contexts(cfg.get("l_tgt") if cfg.is_encoder_decoder else cfg["l"]):
        step = decode(m, context)
        value = step if isinstance(step, str) else step.per_token
        out.append(_row(f"decode FLOPs per token at C = {context:,}", value, "decode",
                        note="" if isinstance(step, str) else f"{context:,} cached tokens, the new one scores "
                                                               f"{_keys(m, context):,} keys{source}"))
    kv = kv_bytes_per_token(m)
    layers = "n_dec" if cfg.is_encoder_decoder else "n_layers"
    cross = (f"; plus the cross-attention's K and V of the source, 2·n_dec·n_kv_heads·d_head·l_src·"
             f"{DTYPE_BYTES} per sequence" if cfg.is_encoder_decoder else "")
    out.append(_row("KV cache bytes per token", kv if kv is not None else _no_cache(m), "kv-cache", "bytes",
                    note=f"{DTYPE}: 2·{layers}·n_kv_heads·d_head·{DTYPE_BYTES}{cross}" if kv is not None else ""))
    return out


def _keys(m: Model, context: int) -> int:
    window = m.config.get("window")
    return context + 1 if window is None else min(context + 1, window)


def _no_cache(m: Model) -> str:
    return "an encoder does not generate tokens one at a time: no KV cache"
