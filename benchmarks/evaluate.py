"""Benchmark: building the symbolic tree and evaluating it exactly for many configs.

Prints figures (no assertions): seconds for the first symbolic build, per-config
evaluation time over the catalogue and over random configs, and peak memory.

    python benchmarks/evaluate.py [--configs 2000]
"""
from __future__ import annotations

import argparse
import random
import resource
import time

from flopdocs.config import catalogue
from flopdocs.counting.analysis import analyse
from flopdocs.config.config import parse


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", type=int, default=2000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    models = catalogue.models()
    first = analyse(models[0]).total  # builds (and caches) the symbolic tree
    t1 = time.perf_counter()
    print(f"load catalogue + first symbolic build + evaluation: {t1 - t0:.3f} s ({first:,} FLOPs)")

    t0 = time.perf_counter()
    for cfg in models:
        analyse(cfg).total
    t1 = time.perf_counter()
    print(f"catalogue: {len(models)} models in {t1 - t0:.3f} s "
          f"({1e3 * (t1 - t0) / len(models):.2f} ms per model)")

    rng = random.Random(0)
    cfgs = []
    for i in range(args.configs):
        h = rng.randint(1, 128)
        cfgs.append(parse({"name": f"r{i}", "l": rng.randint(1, 1 << 17), "d_model": h * rng.randint(1, 256),
                           "d_ff": rng.randint(1, 1 << 16), "n_vocab": rng.randint(1, 1 << 18),
                           "n_layers": rng.randint(1, 200), "n_heads": h}, "<bench>"))
    t0 = time.perf_counter()
    for cfg in cfgs:
        analyse(cfg).total
    t1 = time.perf_counter()
    print(f"random: {len(cfgs)} configs in {t1 - t0:.3f} s ({1e3 * (t1 - t0) / len(cfgs):.2f} ms per config)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.1f} MiB")


if __name__ == "__main__":
    main()
