"""Model FLOPs utilisation under every convention: how much an MFU claim depends on whose
count is used.

MFU = training FLOPs per token × tokens per second / (peak FLOP/s × devices), the
training FLOPs without recomputation (Chowdhery et al. 2022, Appendix B); HFU counts the
recomputed forward too, where the convention defines it.  Nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flopdocs.base.text import aligned
from flopdocs import conventions
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError


@dataclass(frozen=True)
class Row:
    convention: str
    per_token: Fraction | None  # training FLOPs per token (exact), None when refused
    mfu: float | None
    hfu: float | None
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
            hfu = float(_per_token(cfg, name, "training-recompute") * speed / capacity)
        out.append(Row(name, per_token, float(per_token * speed / capacity), hfu))
    return out


def table(head: str, rows: list[Row]) -> str:
    """The rows as the terminal table ``flopdocs mfu`` prints, the first one starred."""
    lines = [head, "MFU = training FLOPs per token × tokens/s / (peak × devices); HFU adds recomputation.",
             ""]
    cells = [("convention", "training FLOPs per token", "MFU", "HFU")]
    for i, r in enumerate(rows):
        name = r.convention + (" *" if i == 0 else "")
        if r.per_token is not None:
            cells.append((name, f"{round(r.per_token):,}", f"{100 * r.mfu:.1f}%",
                          f"{100 * r.hfu:.1f}%" if r.hfu is not None else "–"))
    lines += aligned(cells, right=(1, 2, 3))
    first = max(len(c[0]) for c in cells)  # a refusal's line keeps the first column's width
    lines += [f"{r.convention.ljust(first)}  refused: {r.refused}" for r in rows if r.per_token is None]
    return "\n".join(lines) + "\n"
