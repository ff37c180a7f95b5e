"""Encoder-decoder serving beside Hugging Face's T5ForConditionalGeneration, exactly.

On random small T5 configs (v1.0 and v1.1 and what lies between, tests/test_verify.py's
``_random``), built on CPU with eager attention, with N sequences:

- prefill: the encoder over l_src source tokens, then the decoder over P target tokens
  with ``use_cache=True``: FlopCounterMode's matmul FLOPs equal our prefill's, and the
  ``nbytes`` of the EncoderDecoderCache it returns (self-attention: P positions; cross:
  l_src) equal our ``kv_cache`` (fp32);
- decode: one more target token with ``encoder_outputs`` and that cache
  (``past_key_values``): FlopCounterMode's FLOPs equal our decode step's at context P
  (transformers' T5Attention reads the cross K and V from the cache once ``is_updated``,
  and the encoder does not run);
- generate: G such steps after the prefill, summed by FlopCounterMode, equal our generate.
"""
import random

import pytest

from flopdocs.config.config import parse
from flopdocs.counting import memory
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.counting.verify import build
from flopdocs.structure.tree import walk

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_verify import _random  # noqa: E402

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


def _ours(cfg, mode, **numbers) -> int:
    a = analyse(cfg, mode=mode, options=Options(**numbers))
    return sum(n.value for _, n in walk(a.tree) if n.is_leaf and n.kind == "matmul")


def _flops(fn):
    counter = FlopCounterMode(display=False)
    with counter:
        out = fn()
    return counter.get_total_flops(), out


def _cache_bytes(cache) -> tuple[int, int]:
    def held(c):
        return sum(layer.keys.nbytes + layer.values.nbytes for layer in c.layers)
    return held(cache.self_attention_cache), held(cache.cross_attention_cache)


def test_t5_prefill_decode_generate_and_cache_equal_pytorch():
    rng = random.Random("encoder-decoder serving")
    for i in range(6):
        d = dict(_random("t5", rng), N=1 + i % 2)
        cfg = parse(d, f"<random t5 {i}>")
        n, l_src = cfg.n_sequences, cfg.get("l_src")
        prompt, steps = rng.randint(1, cfg.get("l_tgt")), rng.randint(1, 3)
        _, model = build(cfg, device="cpu")
        model.eval()
        src = torch.randint(0, d["n_vocab"], (n, l_src))
        tgt = torch.randint(0, d["n_vocab"], (n, prompt))
        with torch.no_grad():
            def prefill():
                enc = model.get_encoder()(input_ids=src)
                return enc, model(encoder_outputs=enc, decoder_input_ids=tgt, use_cache=True)

            flops, (enc, out) = _flops(prefill)
            assert flops == _ours(cfg, "prefill", prompt=prompt), (d, prompt)
            cache = out.past_key_values
            self_bytes, cross_bytes = _cache_bytes(cache)
            # K and V, every decoder layer, n_heads of d_head, fp32: P target, l_src source positions
            per_position = 2 * cfg.get("n_decoder_layers") * d["n_heads"] * cfg.get("d_head") * n * 4
            assert (self_bytes, cross_bytes) == (per_position * prompt, per_position * l_src), d
            assert self_bytes + cross_bytes == memory.kv_cache_bytes(cfg, prompt, "fp32"), d
            assert self_bytes + cross_bytes == analyse(
                cfg, mode="prefill", options=Options(prompt=prompt, dtype="fp32")).memory.kv_cache

            total = flops
            for step in range(steps):
                token = torch.randint(0, d["n_vocab"], (n, 1))
                flops, out = _flops(lambda: model(decoder_input_ids=token, encoder_outputs=enc,
                                                  past_key_values=cache, use_cache=True))
                assert flops == _ours(cfg, "decode", context=prompt + step), (d, prompt, step)
                cache = out.past_key_values
                total += flops
            assert _cache_bytes(cache) == (per_position * (prompt + steps), per_position * l_src)
            assert total == _ours(cfg, "generate", prompt=prompt, generate=steps), d
