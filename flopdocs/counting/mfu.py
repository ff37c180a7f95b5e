"""Model FLOPs utilisation under every convention: how much an MFU claim depends on whose
count is used.

MFU = training FLOPs per token × tokens per second / (peak FLOP/s × devices), the
training FLOPs without recomputation (Chowdhery et al. 2022, section 4.1 and Appendix B);
HFU counts what is recomputed too, under the ``--recompute`` mode named (``full``,
``selective``, ``layers``), where the convention defines it; one that does not says so.
Nothing here prints but :func:`table`'s text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from flopdocs.base.text import aligned
from flopdocs import conventions
from flopdocs.counting import modes
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.config.config import Config
from flopdocs.errors import ConfigError

#: Utilisations outside these bounds get a word beside them.
IMPLAUSIBLE_ABOVE, IMPLAUSIBLE_BELOW = 1.0, 0.001


@dataclass(frozen=True)
class Row:
    convention: str
    per_token: Fraction | None  # training FLOPs per token (exact), None when refused
    mfu: float | None  # inf past the largest float (1e300 tokens/s over 1e-300 FLOP/s)
    hfu: float | None
    refused: str = ""
    hfu_refused: str = ""  # why there is no HFU (the convention does not define the recompute)
    exact: tuple = ()  # (mfu, hfu) as exact fractions: what the table prints

    @classmethod
    def of(cls, convention: str, per_token: Fraction, mfu: Fraction, hfu: Fraction | None, why: str) -> "Row":
        return cls(convention, per_token, _float(mfu), None if hfu is None else _float(hfu), "", why,
                   (mfu, hfu))


def _float(x: Fraction) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf


def _per_token(cfg: Config, convention: str, mode: str, options: Options) -> Fraction:
    a = analyse(cfg, convention, mode, options)
    return Fraction(a.total, a.tokens * cfg.n_sequences)


def rows(cfg: Config, tokens_per_second: float, peak: float, devices: int,
         first: str = conventions.DEFAULT, recompute: str = "full",
         exclude: tuple[str, ...] | None = None) -> list[Row]:
    """One row per convention, ``first`` first; a convention that cannot count this model's
    training says why instead, and one that does not define ``recompute`` why it has no HFU."""
    capacity = Fraction(peak) * devices
    speed = Fraction(tokens_per_second)
    names = [conventions.get(first).NAME] + [n for n in conventions.CONVENTIONS
                                              if n != conventions.get(first).NAME]
    options = Options(recompute=recompute, exclude=exclude)
    modes.check("training-recompute", options)  # a bad flag is one line, not a row each
    out = []
    for name in names:
        try:
            per_token = _per_token(cfg, name, "training", options)
        except ConfigError as e:
            out.append(Row(name, None, None, None, e.reason))
            continue
        hfu, why = None, ""
        if "training-recompute" not in conventions.get(name).MODES:
            why = "this convention defines no recomputation"
        else:
            try:
                hfu = _per_token(cfg, name, "training-recompute", options) * speed / capacity
            except ConfigError as e:
                why = e.reason
        out.append(Row.of(name, per_token, per_token * speed / capacity, hfu, why))
    return out


_SHOWN_UP_TO = 10**9  # percent: a larger figure is written as a bound, not 600 digits


def percent(x: Fraction) -> str:
    """A utilisation as a percentage with one decimal, computed exactly: any size, no
    float to overflow (1e300 tokens/s over 1e-300 FLOP/s)."""
    p = x * 100
    if p > _SHOWN_UP_TO:
        return f"more than {_SHOWN_UP_TO:,}%"
    tenths = round(p * 10)
    return f"{tenths // 10:,}.{tenths % 10}%"


def warning(utilisation: Fraction | float | None) -> str:
    """A word beside a utilisation no run reaches: above 100 % or below 0.1 % ('' otherwise)."""
    if utilisation is None:
        return ""
    if utilisation > IMPLAUSIBLE_ABOVE:
        return "above 100 %: more than the devices' peak (check the count, throughput and peak)"
    if utilisation < IMPLAUSIBLE_BELOW:
        return "below 0.1 %: check the throughput and the number of devices"
    return ""


def table(head: str, rows: list[Row], recompute: str = "full") -> str:
    """The rows as the terminal table ``flopdocs mfu`` prints, the first one starred."""
    lines = [head, "MFU = training FLOPs per token × tokens/s / (peak × devices); "
             f"HFU adds what --recompute {recompute} recomputes.", ""]
    cells = [("convention", "training FLOPs per token", "MFU", f"HFU ({recompute})", "")]
    for i, r in enumerate(rows):
        name = r.convention + (" *" if i == 0 else "")
        if r.per_token is not None:
            note = "; ".join(dict.fromkeys(w for w in (warning(r.mfu), warning(r.hfu)) if w))
            mfu, hfu = r.exact or (Fraction(r.mfu), None if r.hfu is None else Fraction(r.hfu))
            cells.append((name, f"{round(r.per_token):,}", percent(mfu),
                          percent(hfu) if hfu is not None else "–", note))
    lines += aligned(cells, right=(1, 2, 3))
    first = max(len(c[0]) for c in cells)  # a refusal's line keeps the first column's width
    lines += [f"{r.convention.ljust(first)}  refused: {r.refused}" for r in rows if r.per_token is None]
    lines += [f"{r.convention.ljust(first)}  no HFU: {r.hfu_refused}" for r in rows
              if r.per_token is not None and r.hfu_refused]
    return "\n".join(lines) + "\n"
