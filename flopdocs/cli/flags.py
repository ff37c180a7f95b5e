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


def add_memory(p: argparse.ArgumentParser) -> None:
    """The dtypes and training rules memory and time are counted under."""
    p.add_argument("--dtype",
                   help="weights and activations: fp32, bf16 (default), fp16, fp8, int8, int4")
    p.add_argument("--kv-dtype", help="the KV cache's dtype (default: --dtype)")
    p.add_argument("--optimizer", help="training: adamw (default), sgd, adafactor")
    p.add_argument("--attention",
                   help="training: eager (default: the probabilities kept) or fused (a log-sum-exp)")
