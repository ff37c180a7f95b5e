"""The cross-check: our matmul FLOPs and parameters equal PyTorch's, exactly.

With torch and transformers installed (``pip install 'flopdocs[verify]'``), every
catalogue model with a Hugging Face class and random small configs of every family are
counted by FlopCounterMode on the meta device.  Catalogue models run with ``n_layers``
1 and 2 (matmul FLOPs and parameters are affine in the layers, so the two give the
whole model's count exactly; full depth is slow to trace).  Under CI (``CI=true``) a
missing torch fails, never skips.  Without torch, the recorded counts
(tests/fixtures/torch_counts.json, ``flopdocs verify --record``) are compared instead.
"""
import json
import os
import random
from pathlib import Path

import pytest

from flopdocs.config import catalogue
from flopdocs.cli.main import main
from flopdocs.config.config import ConfigError, parse, parse_override
from flopdocs.structure.params import parameters
from flopdocs.counting.verify import hf_class, our_counts

RECORDED = Path(__file__).parent / "fixtures" / "torch_counts.json"
FIXTURES = Path(__file__).parent / "fixtures" / "hf"

try:
    import torch  # noqa: F401
    import transformers  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI: torch and transformers must be installed (pip install torch==2.13.0, "
                           "then pip install -e '.[verify]')") from None

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch and transformers are not installed")


def _has_class(cfg) -> bool:
    try:
        hf_class(cfg)
        return True
    except ConfigError:
        return False


VERIFIED = [cfg for cfg in catalogue.models() if _has_class(cfg)]


def test_verified_catalogue_models_are_the_expected_ones():
    names = {c.name for c in VERIFIED}
    assert {"GPT-2 small", "BERT base", "BERT large", "Llama 2 7B", "Mistral 7B v0.1",
            "Mixtral 8x7B", "Qwen2 7B", "T5 base", "T5 large", "DeepSeek-V3", "Kimi K2",
            "Qwen3 30B-A3B", "Qwen3 235B-A22B", "Llama 4 Scout", "Llama 4 Maverick", "gpt-oss-120b",
            "gpt-oss-20b", "GLM-4.5"} <= names, names


def _exact(cfg, mode):
    from flopdocs.counting.verify import verify

    check = verify(cfg, mode)
    assert check.total[0] == check.total[1], (cfg.name, mode, check.ours, check.theirs)
    assert check.params[0] == check.params[1], (cfg.name, check.params)
    if mode == "forward":
        assert check.ours == check.theirs, (cfg.name, check.ours, check.theirs)
    return check


@needs_torch
@pytest.mark.parametrize("mode", ["forward", "training"])
@pytest.mark.parametrize("cfg", VERIFIED, ids=lambda c: c.name)
def test_catalogue_model_equals_pytorch(cfg, mode):
    # a stack whose blocks differ: one block of each split's kind (every group present)
    # (and 64 tokens for many experts: each expert's products are traced one by one)
    splits = {k: 1 for k in ("dense_layers", "window_layers", "nope_layers") if cfg.get(k) is not None}
    if (cfg.get("n_experts") or 0) > 8:
        splits["l"] = 64
    for layers in (1, 2) if not splits else (2, 3):
        _exact(cfg.with_values({"n_layers": layers, **splits}, cfg.origin), mode)


def _random(family: str, rng: random.Random) -> dict:
    heads = rng.choice([1, 2, 4])
    d = heads * rng.choice([4, 8])
    base = dict(name=f"random {family}", l=rng.randint(1, 24), d_model=d, d_ff=rng.randint(1, 40),
                n_vocab=rng.randint(2, 50), n_layers=rng.randint(1, 3), n_heads=heads)
    if family == "gpt2":
        head = rng.random() < 0.8
        return dict(base, ffn="gelu", attn_bias=True, max_positions=base["l"] + rng.randint(0, 8),
                    tie_embeddings=head and rng.random() < 0.5, lm_head=head)
    if family == "bert":
        return dict(base, ffn="gelu", attn_bias=True, architecture="encoder",
                    max_positions=base["l"] + rng.randint(0, 8), token_types=rng.randint(1, 3),
                    lm_head=rng.random() < 0.5)
    if family == "t5":  # v1.0 (relu, tied) and v1.1 (gated-gelu, untied), and what lies between
        return dict(base, architecture="encoder-decoder", position="t5-relative", norm="rmsnorm",
                    ffn_bias=False, ffn=rng.choice(["relu", "gelu", "geglu", "swiglu"]),
                    d_head=rng.choice([2, 4, 6]), relative_buckets=rng.randint(4, 40),
                    n_encoder_layers=rng.randint(1, 3), n_decoder_layers=rng.randint(1, 3),
                    l_src=rng.randint(1, 24), l_tgt=rng.randint(1, 24),
                    tie_embeddings=rng.random() < 0.5)
    llama = dict(base, ffn="swiglu", norm="rmsnorm", position="rope", ffn_bias=False,
                 tie_embeddings=rng.random() < 0.3)
    if family == "llama":
        kv = rng.choice([k for k in (1, 2, 4) if heads % k == 0])
        return dict(llama, n_kv_heads=kv, d_head=rng.choice([2, 4, 6]), attn_bias=rng.random() < 0.3)
    if family == "mistral":
        return dict(llama, l=rng.randint(4, 24), window=rng.randint(1, 3))
    if family == "qwen2":
        return dict(llama, attn_bias=True, attn_out_bias=False)
    n = rng.randint(1, 4)
    return dict(llama, n_experts=n, experts_per_token=rng.randint(1, n))  # mixtral


FAMILIES = ("gpt2", "bert", "llama", "mistral", "qwen2", "mixtral", "t5")


@needs_torch
@pytest.mark.parametrize("family", FAMILIES)
def test_random_small_configs_equal_pytorch(family):
    rng = random.Random(f"verify {family}")
    for i in range(20):
        cfg = parse(_random(family, rng), f"<random {family} {i}>")
        for mode in ("forward", "training"):
            _exact(cfg, mode)


@needs_torch
def test_cli_verify_prints_a_zero_difference(capsys):
    assert main(["verify", "--hf", str(FIXTURES / "mixtral-8x7b-v0.1" / "config.json"),
                 "--mode", "training", "--set", "n_layers=1", "--set", "l=64"]) == 0
    out = capsys.readouterr().out
    assert "MixtralForCausalLM" in out and out.rstrip().endswith("difference: 0")


@needs_torch
def test_cli_verify_t5_v1_1_untied(capsys):
    # transformers 5 ties T5's LM head always; v1.1's checkpoints have their own, so verify
    # gives the meta model its own: 247,577,856 = t5-base's 222,903,552 + 32128 · 768
    assert main(["verify", "--hf", str(FIXTURES / "t5-v1_1-base" / "config.json"),
                 "--set", "n_layers=1", "--set", "l_tgt=7"]) == 0
    out = capsys.readouterr().out
    assert "512 source and 7 target tokens" in out and "T5 untied (v1.1)" in out
    assert out.rstrip().endswith("difference: 0")


def test_without_torch_verify_says_how_to_install(capsys, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name.split(".")[0] in ("torch", "transformers"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    assert main(["verify", "llama-2-7b"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "pip install 'flopdocs[verify]'" in err


def test_recorded_pytorch_counts_equal_ours():
    # flopdocs verify --record: PyTorch's counts, kept so the comparison runs without torch
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert len(recorded) >= 10
    for key, want in recorded.items():
        *words, mode = key.split(" ")
        name, sets = words[0], words[1:]
        cfg = catalogue.find(name) if not name.startswith("hf:") else None
        if cfg is None:
            from flopdocs.config import hf
            cfg = hf.load(FIXTURES / name[3:] / "config.json")
        cfg = cfg.with_values(dict(parse_override(s) for s in sets), cfg.origin)
        assert sum(our_counts(cfg, mode).values()) == want["matmul"], key
        assert parameters(cfg).total == want["params"], key


@needs_torch
@pytest.mark.parametrize("family", ("llama", "gpt2", "qwen2", "mistral", "mixtral", "t5"))
def test_recompute_layers_equals_gradient_checkpointing(family):
    """--recompute layers is what model.gradient_checkpointing_enable() runs: the blocks'
    forward again, not the embeddings or the LM head, and not each block's trailing down
    projection (PyTorch's non-reentrant checkpoint stops once every saved tensor is back)."""
    from flopdocs.counting.checkpointing import checkpointed

    rng = random.Random(f"checkpointing {family}")
    for i in range(3):
        data = _random(family, rng)
        if family == "gpt2":
            data["lm_head"] = True
        cfg = parse(data, f"<random {family} {i}>")
        ours, theirs = checkpointed(cfg)
        assert ours == theirs, (cfg.values, cfg.knobs, ours, theirs)
