"""``flopdocs audit`` on a 20-line formula, end to end, as a user runs it (target: under 1 s).

    python benchmarks/audit.py

Writes a Megatron-style formula of 20 lines to a temporary file and times
``flopdocs audit FILE:flops --model llama-2-7b`` in a fresh process (CPU time, best of
five, as benchmarks/run.py measures throughputs on this shared machine; the wall clock beside), with ``python -c "import sympy"`` for scale.  Prints the figures; a
benchmark, not a test: a missed target is reported, not raised.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMULA = '''\
def flops(args, batch_size):
    """A Megatron-style count per global batch: 20 lines."""
    h, s, L = args.hidden_size, args.seq_length, args.num_layers
    groups = args.num_query_groups if args.group_query_attention else args.num_attention_heads
    d = args.kv_channels
    q = d * args.num_attention_heads
    kv = 2 * d * groups
    expansion = 3 if args.swiglu else 2
    qkv = 2 * h * (q + kv)
    out = 2 * q * h
    mlp = 2 * h * args.ffn_hidden_size * expansion
    scores = 2 * q * s / 2 * 2
    logits = 2 * h * args.padded_vocab_size
    per_token = L * (qkv + out + mlp + scores) + logits
    # per global batch: every token of every sequence, forward and backward
    tokens = batch_size * s
    total = 3 * tokens * per_token
    if args.num_experts is not None:
        total = total * 1.0
    return int(total)
'''
ARGS = ["args.hidden_size=d_model", "args.seq_length=l", "args.num_layers=n_layers",
        "args.num_query_groups=n_kv_heads", "args.group_query_attention=gqa",
        "args.num_attention_heads=n_heads", "args.kv_channels=d_head", "args.swiglu=gated",
        "args.ffn_hidden_size=d_ff", "args.padded_vocab_size=n_vocab", "args.num_experts=n_experts",
        "batch_size=N"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "formula.py"
        path.write_text(FORMULA)
        assert len(FORMULA.splitlines()) == 20
        cmd = [sys.executable, "-m", "flopdocs.cli.main", "audit", f"{path}:flops", "--model", "llama-2-7b",
               "--convention", "megatron", "--per", "batch"]
        for a in ARGS:
            cmd += ["--arg", a]
        audit = min(timed(cmd) for _ in range(5))
        sympy = min(timed([sys.executable, "-c", "import sympy"]) for _ in range(5))
    verdict = "target met" if audit[1] < 1.0 else "target MISSED"
    print(f"audit of a 20-line formula: {audit[1]:.3f} s CPU ({audit[0]:.3f} s wall, load average "
          f"{os.getloadavg()[0]:.1f}); import sympy {sympy[1]:.3f} s CPU ({sympy[0]:.3f} s wall) "
          f"[< 1 s CPU: {verdict}]")


if __name__ == "__main__":
    main()
