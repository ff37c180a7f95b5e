"""Line and scatter figures as inline SVG: deterministic text, log axes, no plotting library.

* :func:`shares_by_length`: one model's shares of forward FLOPs by role family as the
  sequence length l runs from 128 to 131,072 (log axis), the crossover l* (where the l²
  attention term overtakes the d² terms) marked.
* :func:`flops_vs_params`: every catalogue model's forward FLOPs per token against its
  parameters (log-log), with the line 2N.

Colours and dash patterns come from CSS classes (``fd-s0`` ... ``fd-s3``, ``fd-axis``), so the
figures follow the light/dark palette and no line is told from another by colour alone;
each line is named at its right end as well as in the legend; each scatter point is a
keyboard (and tap) stop with its model's name.  Every label is escaped.  Drawn 480 units wide, shown at most 480 px
(text 14 px, at least 10 px on a phone).
"""
from __future__ import annotations

import math
from functools import lru_cache

import sympy

from flopdocs.compile.codegen import NotCompilable, compile_exprs
from flopdocs.structure.grouping import by
from flopdocs.config.keys import KNOBS
from flopdocs.base.memo import by_identity
from flopdocs.config.symbols import d_ff, d_model, l
from flopdocs.site.gather import SHARES
from flopdocs.site.figures import svg_num
from flopdocs.site.text import md_text, num

W, H = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 62
LENGTHS = [2 ** k for k in range(7, 18)]  # 128 ... 131,072


#: The widths whose squares make a layer's "d² terms" (projections and FFN).
_WIDTHS = (d_model, d_ff, KNOBS["d_head"], KNOBS["d_ff_expert"])


@lru_cache(maxsize=None)
def crossover(total: sympy.Expr):
    """Attention's l² term against the d² terms (of the l-linear coefficient), once per
    expression (the models of one structure share it).

    Returns (l² coefficient A, d² part B of the l coefficient, l* = B / A).
    """
    e = sympy.expand(total)
    a_coef = sympy.expand(e.coeff(l, 2))
    lin = sympy.expand(e.coeff(l, 1))
    b_coef = sympy.Add(*[t for t in sympy.Add.make_args(lin)
                         if sympy.Poly(t, *_WIDTHS).total_degree() == 2])
    return a_coef, b_coef, (sympy.cancel(b_coef / a_coef) if a_coef != 0 else None)


def length_figure(m) -> str:
    """The model's shares by sequence length (empty for an encoder-decoder or a closed form)."""
    a = m.analysis
    if m.config.is_encoder_decoder or a.symbolic is None:
        return ""
    shares = family_shares(a.symbolic, m.config.dims, LENGTHS)
    if shares is None:
        return ""
    _, _, l_star = crossover(a.symbolic.total)
    star = float(l_star.xreplace(m.config.dims)) if l_star is not None else None
    return shares_by_length(m.config.name, shares, star, m.config["l"])


def _open(title: str, desc: str, role: str = "img") -> list[str]:
    """The figure's opening; ``role="group"`` when its points are focusable (an image's
    children are hidden from assistive technology)."""
    return [f'<svg class="fd-chart fd-figure" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" '
            f'width="100%" role="{role}" aria-label="{md_text(title)}">',
            f"<title>{md_text(title)}</title><desc>{md_text(desc)}</desc>"]


def _x(v: float, lo: float, hi: float) -> float:
    return LEFT + (W - LEFT - RIGHT) * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))


def _y(v: float, lo: float, hi: float, log: bool = False) -> float:
    if log:
        v, lo, hi = math.log10(v), math.log10(lo), math.log10(hi)
    return TOP + (H - TOP - BOTTOM) * (1 - (v - lo) / (hi - lo))


def _axes(parts: list[str]) -> None:
    parts.append(f'<path class="fd-axis" d="M{LEFT} {TOP}V{H - BOTTOM}H{W - RIGHT}" fill="none"/>')


def _text(x: float, y: float, s: str, anchor: str = "middle", cls: str = "fd-label") -> str:
    return f'<text class="{cls}" x="{svg_num(x)}" y="{svg_num(y)}" text-anchor="{anchor}">{md_text(s)}</text>'


def _short(n: int) -> str:
    for div, unit in ((10 ** 12, "T"), (10 ** 9, "G"), (10 ** 6, "M"), (10 ** 3, "K")):
        if n >= div:
            return f"{n / div:g}{unit}"
    return str(n)


def _spread(ends: list[tuple[float, int, str]], gap: float, low: float, high: float):
    """Labels' baselines (each ``(y of its line's end, series, text)``) just above their
    line's end, at least ``gap`` apart and inside [low, high], in the same order."""
    placed = []
    for y, i, key in sorted(ends):
        y = max(y - 5, low, placed[-1][0] + gap if placed else low)
        placed.append((y, i, key))
    over = placed[-1][0] - high if placed else 0
    if over > 0:  # the lowest ran off the plot: move the run up, keeping the gaps
        placed = [(y - over, i, k) for y, i, k in placed]
    return placed


def family_shares(symbolic, dims: dict, lengths: list[int]) -> dict[str, list[float]] | None:
    """The shares of each Compare family (and "other") at each length, exactly evaluated
    (the families' sums compiled once per tree: :mod:`flopdocs.compile.codegen`)."""
    compiled = _families(symbolic)
    if compiled is None:
        return None
    names, exprs, program = compiled
    out: dict[str, list[float]] = {name: [] for name in [*names, "other"]}
    for length in lengths:
        values = {**dims, l: length}
        answer = None if program is None else program.function(*(values[s] for s in program.symbols))
        *parts, t = answer or [int(e.xreplace(values)) for e in exprs]  # the reference: its error
        for name, v in zip(names, parts):
            out[name].append(v / t)
        out["other"].append((t - sum(parts)) / t)
    return out


@by_identity
def _families(symbolic):
    """(family names, their FLOPs and the total as expressions, and compiled), once per
    tree object; None when a leaf has no role."""
    try:
        by_role = by(symbolic, "role")
    except ValueError:
        return None
    exprs = [*(sympy.Add(*[e for r, e in by_role.items() if r in roles]) for roles in SHARES.values()),
             sympy.Add(*by_role.values())]
    try:
        program = compile_exprs(exprs)
    except NotCompilable:  # a form the compiler does not take: evaluated one by one
        program = None
    return tuple(SHARES), exprs, program


def shares_by_length(name: str, shares: dict[str, list[float]], l_star: float | None, at: int) -> str:
    title = f"Shares of {name}'s forward FLOPs as the sequence length l grows"
    desc = ("Lines: " + "; ".join(f"{k} from {100 * v[0]:.1f}% at l = 128 to {100 * v[-1]:.1f}% at "
                                   f"l = 131,072" for k, v in shares.items())
            + (f". The l² attention term overtakes the d² terms at l* ≈ {num(round(l_star))}." if l_star else "."))
    lo, hi = LENGTHS[0], LENGTHS[-1]
    parts = _open(title, desc)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = _y(tick, 0, 1)
        parts.append(f'<path class="fd-grid" d="M{LEFT} {svg_num(y)}H{W - RIGHT}"/>')
        parts.append(_text(LEFT - 6, y + 5, f"{int(100 * tick)}%", "end"))
    for length in LENGTHS[::2]:
        tick = f"{length // 1024}K" if length >= 1024 else str(length)  # 2K = 2,048 tokens
        parts.append(_text(_x(length, lo, hi), H - BOTTOM + 18, tick, "end" if length == hi else "middle"))
    parts.append(_text((LEFT + W - RIGHT) / 2, H - BOTTOM + 36, "sequence length l (log scale)"))
    _axes(parts)
    if l_star and lo <= l_star <= hi:
        x = _x(l_star, lo, hi)
        parts.append(f'<path class="fd-mark" d="M{svg_num(x)} {TOP}V{H - BOTTOM}"/>')
        parts.append(_text(x + (4 if x < W / 2 else -4), TOP + 14, f"l* ≈ {num(round(l_star))}",
                           "start" if x < W / 2 else "end"))
    if lo <= at <= hi:
        x = _x(at, lo, hi)
        parts.append(f'<path class="fd-here" d="M{svg_num(x)} {TOP}V{H - BOTTOM}"/>')
    legend_y, lx = H - 8, LEFT
    for i, (key, values) in enumerate(shares.items()):
        pts = " ".join(f"{svg_num(_x(n, lo, hi))},{svg_num(_y(v, 0, 1))}" for n, v in zip(LENGTHS, values))
        parts.append(f'<polyline class="fd-line fd-s{i}" points="{pts}" fill="none"/>')
        key = key.replace("attention ", "attn. ")
        parts.append(f'<path class="fd-line fd-s{i}" d="M{svg_num(lx)} {legend_y - 5}h22"/>')
        parts.append(_text(lx + 26, legend_y, key, "start"))
        lx += 26 + 7.5 * len(key) + 12  # about 7.5 units a character at 14 px
    # each line named at its right end, not only in the legend: labels in the series'
    # colour above the end point, pushed apart where the ends crowd
    ends = [(_y(v[-1], 0, 1), i, k.replace("attention ", "attn. ")) for i, (k, v) in enumerate(shares.items())]
    for y, i, key in _spread(ends, gap=15, low=TOP + 12, high=H - BOTTOM - 3):
        parts.append(_text(W - RIGHT - 2, y, key, "end", f"fd-end fd-s{i}"))
    parts.append("</svg>")
    return "".join(parts)


def flops_vs_params(points: list[tuple[str, int, int]]) -> str:
    """``points``: (model name, parameters, forward FLOPs per token)."""
    title = "Forward FLOPs per token against parameters, every catalogue model (log-log), with the line 2N"
    desc = "; ".join(f"{n}: {num(p)} parameters, {num(f)} FLOPs per token" for n, p, f in points)
    xs = [p for _, p, _ in points]
    ys = [f for _, _, f in points]
    lo = 10 ** math.floor(math.log10(min(xs + ys) / 2))
    hi = 10 ** math.ceil(math.log10(max(xs + ys) * 2))
    parts = _open(title, desc, role="group")
    decade = lo
    while decade <= hi:
        x, y = _x(decade, lo, hi), _y(decade, lo, hi, log=True)
        parts.append(f'<path class="fd-grid" d="M{svg_num(x)} {TOP}V{H - BOTTOM}M{LEFT} {svg_num(y)}H{W - RIGHT}"/>')
        parts.append(_text(x, H - BOTTOM + 18, _short(decade)))
        parts.append(_text(LEFT - 6, y + 5, _short(decade), "end"))
        decade *= 100
    parts.append(_text((LEFT + W - RIGHT) / 2, H - BOTTOM + 36, "parameters N (log scale)"))
    parts.append(_text(LEFT + 4, TOP + 14, "FLOPs per token (log scale)", "start"))
    _axes(parts)
    a, b = lo, hi / 2
    parts.append(f'<path class="fd-mark" d="M{svg_num(_x(a, lo, hi))} {svg_num(_y(2 * a, lo, hi, True))}'
                 f'L{svg_num(_x(b, lo, hi))} {svg_num(_y(2 * b, lo, hi, True))}"/>')
    parts.append(_text(_x(b, lo, hi) - 4, _y(2 * b, lo, hi, True) + 16, "2N", "end"))
    # each point a stop for the keyboard (and a tap) with its name; focused, it shows it
    for name, p, f in points:
        x, y = _x(p, lo, hi), _y(f, lo, hi, True)
        said = f"{name}: {num(p)} parameters, {num(f)} FLOPs per token"
        right = x < W / 2
        parts.append(f'<g class="fd-point" tabindex="0" role="img" aria-label="{md_text(said)}">'
                     f'<title>{md_text(said)}</title>'
                     f'<circle class="fd-dot" cx="{svg_num(x)}" cy="{svg_num(y)}" r="3.5"/>'
                     + _text(x + (8 if right else -8), max(y - 8, 14), name, "start" if right else "end", "fd-label fd-tip")
                     + "</g>")
    parts.append("</svg>")
    return "".join(parts)
