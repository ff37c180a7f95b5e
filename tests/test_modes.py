"""counting/modes.py: the decode step's defaults and the KV cache, pinned by hand."""
from __future__ import annotations

import contextlib
import io
import json

from flopdocs.cli.main import main


def _report(*argv: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["report", *argv, "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_decode_defaults_to_a_context_of_l_minus_1():
    # seed-512: l = 512, so the default decode step reads a cache of 511 tokens and scores
    # 511 + 1 = 512 keys (the learned table's 512 rows: --context 512 is refused); --context
    # 510 scores 511.
    r = _report("seed-512", "--mode", "decode")
    assert r["rules"]["context"] == 511
    assert r == _report("seed-512", "--mode", "decode", "--context", "511")
    assert r["by_role"]["attention-scores"] != _report("seed-512", "--mode", "decode", "--context",
                                                      "510")["by_role"]["attention-scores"]


def test_kv_cache_bytes_count_every_sequence():
    # 2 (K and V) x n_layers 6 x n_kv_heads 8 x d_head 64 x keys 512 x 2 bytes = 6,291,456 per
    # sequence; N = 3 sequences hold three caches: 18,874,368.
    one = _report("seed-512", "--mode", "decode")["kv_cache_bytes"]
    three = _report("seed-512", "--mode", "decode", "--set", "N=3")["kv_cache_bytes"]
    assert (one, three) == (6_291_456, 18_874_368)
