"""Build the whole site into a temporary directory; print the build time and peak memory.

    python benchmarks/build_site.py [--repeat N]

Figures are wall-clock seconds per build (gather, render, MkDocs, rename), the
Python heap's peak during one build (tracemalloc) and the process's peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from flopdocs.site.build import build


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        tracemalloc.start()
        for i in range(args.repeat):
            t0 = time.perf_counter()
            build(out)
            times.append(time.perf_counter() - t0)
            if i == 0:
                _, heap_peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
        files = sum(1 for f in out.rglob("*") if f.is_file())
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"site build: {len(times)} runs, first {times[0]:.2f} s (tracemalloc on), "
          f"best {min(times[1:] or times):.2f} s")
    print(f"output: {files} files, {size / 1e6:.1f} MB")
    print(f"peak Python heap (first build): {heap_peak / 1e6:.1f} MB; peak RSS: {rss_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
