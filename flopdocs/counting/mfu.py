"""Model FLOPs utilisation under every convention: how much an MFU claim depends on whose
count is used.

MFU = training FLOPs per token × tokens per second / (peak FLOP/s × devices), the
training FLOPs without recomputation (Chowdhery et al. 2022, Appendix B); HFU counts the
recomputed forward too, where the convention defines it.  Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flopdocs import conventions
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError


@dataclass(frozen=True)
class Row:
    convention: str
    per_token: Fraction | None  # training FLOPs per token (exact), None when refused
    mfu: Fraction | None  # exact: a float overflows on 1e300 tokens/s over 1e-300 FLOP/s
    hfu: Fraction | None
    refused: str = ""


def _per_token(cfg: Config, convention: str, mode: str) -> Fraction:
    a = analyse(cfg, convention, mode)
    return Fraction(a.total, a.tokens * cfg.n_sequences)


def rows(cfg: Config, tokens_per_second: float, peak: float, devices: int,
         first: str = conventions.DEFAULT) -> list[Row]:
    """One row per convention, ``first`` first; a convention that cannot count this model's
    training says why instead."""
    capacity = Fraction(peak) * devices
    speed = Fraction(tokens_per_second)
    names = [conventions.get(first).NAME] + [n for n in conventions.CONVENTIONS
                                              if n != conventions.get(first).NAME]
    out = []
    for name in names:
        try:
            per_token = _per_token(cfg, name, "training")
        except ConfigError as e:
            out.append(Row(name, None, None, None, e.reason))
            continue
        hfu = None
        if "training-recompute" in conventions.get(name).MODES:
            hfu = _per_token(cfg, name, "training-recompute") * speed / capacity
        out.append(Row(name, per_token, per_token * speed / capacity, hfu))
    return out


#: Beyond these a utilisation is not a measurement: said beside the figure.
HIGHEST, LOWEST = Fraction(1), Fraction(1, 1000)
_SHOWN_UP_TO = 10**9  # percent: a larger figure is written as a bound, not 600 digits


def percent(x: Fraction) -> str:
    """A utilisation as a percentage with one decimal, computed exactly (any size), and
    what is wrong with it when it is above 100 % (more than the hardware's peak) or below
    0.1 % (most likely a unit: tokens/s of the whole job, FLOP/s of one device)."""
    p = x * 100
    if p > _SHOWN_UP_TO:
        text = f"more than {_SHOWN_UP_TO:,}%"
    else:
        tenths = round(p * 10)
        text = f"{tenths // 10:,}.{tenths % 10}%"
    if x > HIGHEST:
        return f"{text} (above 100%: impossible)"
    if x < LOWEST:
        return f"{text} (below 0.1%: check the units)"
    return text


def table(head: str, rows: list[Row]) -> str:
    """The rows as the terminal table ``flopdocs mfu`` prints, the first one starred."""
    lines = [head, "MFU = training FLOPs per token × tokens/s / (peak × devices); HFU adds recomputation.",
             ""]
    cells = [("convention", "training FLOPs per token", "MFU", "HFU")]
    for i, r in enumerate(rows):
        name = r.convention + (" *" if i == 0 else "")
        if r.per_token is not None:
            cells.append((name, f"{round(r.per_token):,}", percent(r.mfu),
                          percent(r.hfu) if r.hfu is not None else "–"))
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    for c in cells:
        lines.append("  ".join([c[0].ljust(widths[0]), *(x.rjust(w) for x, w in zip(c[1:], widths[1:]))]))
    lines += [f"{r.convention.ljust(widths[0])}  refused: {r.refused}" for r in rows if r.per_token is None]
    shown = [r.mfu for r in rows if r.mfu is not None]
    if any(x > HIGHEST for x in shown):
        lines.append("Above 100%: more FLOP/s than the devices' peak; check --tokens-per-second "
                     "(the whole job's), --peak-flops or --accelerator (one device's) and --devices.")
    elif any(x < LOWEST for x in shown):
        lines.append("Below 0.1%: check the units: --tokens-per-second is the whole job's, "
                     "--peak-flops one device's FLOP/s (e.g. 3.12e14, not 312).")
    return "\n".join(lines) + "\n"
