"""The command line's value types and shared flags: plain decimal numbers (never
evaluated), one-line errors; the memory flags of report, table and fit.  Nothing here
counts."""
from __future__ import annotations

import argparse
import math
import re

from flopdocs.config.checks import parse_whole


def whole(least: int = 1):
    """An argparse type: a plain decimal whole number (never evaluated), one-line errors."""
    def parse(text: str) -> int:
        try:
            return parse_whole(text, least)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return parse


NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]{1,3})?|\.[0-9]+([eE][+-]?[0-9]{1,3})?")


def rate():
    """An argparse type: a positive decimal number (``238300``, ``2.75e14``), one-line errors."""
    def parse(text: str) -> float:
        value = float(text) if NUMBER.fullmatch(text) else None
        if value is None or not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a number above 0 (e.g. 238300 or 2.75e14), got {text!r}")
        return value
    return parse


def fraction():
    """An argparse type: a number in (0, 1]."""
    def parse(text: str) -> float:
        value = float(text) if NUMBER.fullmatch(text) else None
        if value is None or not 0 < value <= 1:
            raise argparse.ArgumentTypeError(f"must be a number above 0 and at most 1, got {text!r}")
        return value
    return parse


def add_parallel(p: argparse.ArgumentParser) -> None:
    """The per-device split of the memory (report): any of them adds ``memory_per_device``."""
    for flag, what in (("--dp", "data-parallel devices"), ("--tp", "tensor-parallel degree"),
                       ("--pp", "pipeline stages"),
                       ("--ep", "expert-parallel degree: the routed experts' states split e ways more, "
                                "ZeRO over dp / e (e divides dp and n_experts)")):
        p.add_argument(flag, type=whole(), help=f"memory per device: {what} (default 1)")
    p.add_argument("--zero", type=whole(0), help="memory per device: the ZeRO stage, 0 to 3 (default 0)")


def parallel_of(args):
    """The :class:`~flopdocs.counting.parallel.Parallel` of :func:`add_parallel`'s flags, or
    None when none is given."""
    given = (args.dp, args.tp, args.pp, args.ep, args.zero)
    if all(v is None for v in given):
        return None
    from flopdocs.counting.parallel import Parallel

    return Parallel(data=args.dp or 1, tensor=args.tp or 1, pipeline=args.pp or 1, zero=args.zero or 0,
                    expert=args.ep or 1)


def add_memory(p: argparse.ArgumentParser) -> None:
    """The dtypes and training rules memory and time are counted under."""
    p.add_argument("--dtype",
                   help="weights and activations: fp32, bf16 (default), fp16, fp8, int8, int4")
    p.add_argument("--kv-dtype", help="the KV cache's dtype (default: --dtype)")
    p.add_argument("--optimizer", help="training: adamw (default), sgd, adafactor")
    p.add_argument("--attention",
                   help="training: eager (default: the probabilities kept) or fused (a log-sum-exp)")
