"""One model's breakdown as a terminal table, Markdown, JSON or CSV.

Each formatter is a pure function from an :class:`~flopdocs.counting.analysis.Analysis`
(and the tree to show) to a string; the CLI prints it.
"""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from flopdocs.base.text import aligned, markdown_text
from flopdocs.counting.analysis import Analysis
from flopdocs.structure.tree import Node, share, to_dict, walk

FORMATS = ("table", "md", "json", "csv")
PATH_SEPARATOR = " > "

_PREFIXES = ["", "K", "M", "G", "T", "P", "E", "Z", "Y"]


def _scaled(n: int, prefixes: list[str]) -> tuple[str, str]:
    """Three significant digits of ``n`` in the largest unit that keeps it under 1000.

    Exact decimal arithmetic (no float): any int formats, however large, and the rounding
    is of the true value (half to even), the same on every machine.
    """
    value, i = Decimal(n), 0
    while abs(value) >= Decimal("999.5") and i < len(prefixes) - 1:
        value = value.scaleb(-3)
        i += 1
    mantissa, e, exponent = f"{value:.3g}".partition("e")
    if "." in mantissa:  # 51.2; 2.00 -> 2; 1.50 -> 1.5 (as float's :.3g)
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa + e + exponent, prefixes[i]


def human(flops: int, unit: str = "FLOP") -> str:
    """``51248964096`` -> ``51.2 GFLOP`` (SI prefixes, three significant digits)."""
    text, prefix = _scaled(flops, _PREFIXES)
    return f"{text} {prefix}{unit}"


def human_params(n: int) -> str:
    """``6738415616`` -> ``6.74B`` (parameter counts: K, M, B, T; three significant digits)."""
    text, suffix = _scaled(n, ["", "K", "M", "B", "T"])
    return f"{text}{suffix}"


def as_json(a: Analysis, tree: Node, time: Any = None) -> dict[str, Any]:
    """The report as plain data: exactly the keys of ``--format json`` (``time``: the
    roofline of ``--accelerator``, :class:`flopdocs.counting.timing.Time`)."""
    out = {
        "name": a.config.name,
        "convention": a.convention,
        "mode": a.mode,
        "rules": a.rules,
        "config": a.config.echo(),
        "total": a.total,
        "per_token": a.per_token,
        "breakdown": to_dict(tree),
        "fractions": to_dict(a.fractions(tree)),
        "params": a.params.as_dict(),
        "by_kind": a.by_kind,
        "by_role": a.by_role,
    }
    if a.excluded:
        out["excluded"] = a.excluded
    if a.kv_cache_bytes is not None:
        out["kv_cache_bytes"] = a.kv_cache_bytes
    out["memory"] = a.memory.as_dict()
    from flopdocs.counting import memory

    out["memory_rules"] = memory.rules(a)
    if time is not None:
        out["time"] = time.as_dict()
    return out


def excluded_line(a: Analysis) -> str:
    """The roles left out and their FLOPs, shown beside the total ('' when none)."""
    if not a.excluded:
        return ""
    parts = " · ".join(f"{role} {flops:,}" for role, flops in a.excluded.items())
    return f"Left out of the total (--exclude; --exclude none counts them): {parts}\n"


def table_rows(a: Analysis, tree: Node):
    total = a.total
    for path, n in walk(tree):
        yield path, n, n.total, share(n.total, total)


def table(a: Analysis, tree: Node) -> str:
    rows = [("operation", "FLOPs", "share", "")]
    for path, n, flops, frac in table_rows(a, tree):
        label = "  " * len(path) + (n.name if path else a.config.name)
        if n.times != 1 and path:
            label += f"  (×{n.times})"
        rows.append((label, f"{flops:,}", f"{100 * frac:.4f}%", human(flops)))
    lines = aligned(rows, right=(1, 2), rule=True)
    head = (f"{a.config.name} · convention {a.convention} · {human(a.total)} {a.mode} · "
            f"{human_params(a.params.total)} parameters")
    beside = excluded_line(a)
    return head + "\n\n" + "\n".join(lines) + "\n" + ("\n" + beside if beside else "")


def md_escape(text: str) -> str:
    """Plain text for a Markdown table or heading (:func:`flopdocs.base.text.markdown_text`:
    ``<script>`` shows as typed)."""
    return markdown_text(text)


def markdown(a: Analysis, tree: Node) -> str:
    out = [f"# {md_escape(a.config.name)}", "",
           f"Convention `{a.convention}`, mode `{a.mode}`; total **{a.total:,}** FLOPs "
           f"({human(a.total)}), {a.per_token:,} per token.", "",
           f"Parameters: **{a.params.total:,}** total, {a.params.non_embedding:,} non-embedding, "
           f"{a.params.active:,} active per token.", "",
           "| operation | FLOPs | share |", "|---|---:|---:|"]
    for path, n, flops, frac in table_rows(a, tree):
        name = md_escape(n.name) if path else "**total**"
        indent = "&nbsp;&nbsp;" * max(len(path) - 1, 0)
        out.append(f"| {indent}{name} | {flops:,} | {100 * frac:.4f}% |")
    beside = excluded_line(a)
    return "\n".join(out) + "\n" + ("\n" + beside if beside else "")


def as_csv(a: Analysis, tree: Node) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["path", "name", "depth", "leaf", "flops", "share"])
    for path, n, flops, frac in table_rows(a, tree):
        w.writerow([PATH_SEPARATOR.join(path), n.name if path else "", len(path),
                    int(n.is_leaf), flops, repr(frac)])
    return buf.getvalue()


def render(a: Analysis, tree: Node, fmt: str, time: Any = None, memory: bool = False,
           per_device: Any = None) -> str:
    """``memory``: the table format ends with the memory (and ``time``) lines;
    ``per_device``: (the parallel degrees, the memory on one device), JSON's
    ``memory_per_device``."""
    if fmt == "json":
        out = as_json(a, tree, time)
        if per_device is not None:
            par, m = per_device
            out["memory_per_device"] = {**m.as_dict(), "parallel": {
                "dp": par.data, "tp": par.tensor, "pp": par.pipeline, "ep": par.expert, "zero": par.zero}}
        return json.dumps(out, indent=2) + "\n"
    text = {"table": table, "md": markdown, "csv": as_csv}[fmt](a, tree)
    if fmt == "table" and (memory or time is not None):
        text += memory_lines(a, time)
        if per_device is not None:
            par, m = per_device
            parts = [f"{k} {human_bytes(v)}" for k, v in m.as_dict().items() if v is not None and k != "total"]
            text += (f"per device (dp {par.data}, tp {par.tensor}, pp {par.pipeline}, ep {par.expert}, "
                     f"ZeRO {par.zero}): {human_bytes(m.total)} = " + " + ".join(parts) + "\n")
    return text


def human_bytes(n: int) -> str:
    """``13476831232`` -> ``13.5 GB`` (decimal prefixes, three significant digits)."""
    return human(n, "B")


def memory_lines(a: Analysis, time: Any = None) -> str:
    """The table format's memory (and time) lines, after the breakdown."""
    m = a.memory.as_dict()
    o = a.options
    parts = [f"{k} {human_bytes(v)}" for k, v in m.items() if v is not None and k != "total"]
    out = [f"\nmemory ({o.dtype}{', KV ' + o.kv_dtype if o.kv_dtype else ''}"
           f"{', ' + o.optimizer if a.mode.startswith('training') else ''}): "
           f"{human_bytes(m['total'])} = " + " + ".join(parts)]
    if time is not None:
        line = (f"time: {time.seconds:.4g} s roofline ({time.compute_seconds:.4g} s at peak FLOP/s, "
                f"{time.memory_seconds:.4g} s at peak bandwidth"
                + (f"; {time.intensity:.3g} FLOP/byte)" if time.intensity is not None else ")"))
        if time.decode:
            b = time.compute_bound_batch
            line += f"; decode turns compute-bound at batch {b:,}" if b else "; decode stays memory-bound at any batch"
        out.append(line)
    return "\n".join(out) + "\n"
