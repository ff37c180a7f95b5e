"""The zoo's mixture-of-experts and latent-attention families against PyTorch, exactly.

Random small configs of each family: forward and training matmul FLOPs and parameters equal
FlopCounterMode and ``numel`` (the class on the meta device, experts dealt round-robin, as
``flopdocs verify`` does); a few on the CPU with real weights, real routing and
``experts_implementation="eager"``, which shows the round-robin deal counts what routing
computes.  And transformers' own default config of each type (the original checkpoint's
sizes) imports and gives ``numel``'s parameter count at full size.
"""
import random

import pytest

from flopdocs.config import hf
from flopdocs.config.config import parse
from flopdocs.counting.verify import our_counts
from flopdocs.structure.params import parameters

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _random(family: str, rng: random.Random) -> dict:
    heads = rng.choice([2, 4])
    n = rng.randint(2, 4)
    e = rng.randint(2, 5)
    base = dict(name=f"random {family}", l=rng.randint(2, 20), d_model=heads * rng.choice([4, 8]),
                d_ff=rng.randint(4, 40), n_vocab=rng.randint(8, 50), n_layers=n, n_heads=heads,
                ffn="swiglu", norm="rmsnorm", position="rope", ffn_bias=False,
                n_experts=e, experts_per_token=rng.randint(1, e), d_ff_expert=rng.randint(2, 24),
                tie_embeddings=rng.random() < 0.3)
    kv = rng.choice([k for k in (1, 2) if heads % k == 0])
    dense = rng.randint(0, n - 1)
    split = {"dense_layers": dense} if dense else {}
    if family == "deepseek":
        latent = dict(kv_lora_rank=rng.randint(2, 16), qk_nope_head_dim=rng.randint(1, 8),
                      qk_rope_head_dim=rng.choice([2, 4]), v_head_dim=rng.randint(1, 8))
        if rng.random() < 0.7:
            latent["q_lora_rank"] = rng.randint(2, 16)
        shared = rng.randint(0, 2)
        return dict(base, **latent, **split, **({"d_ff_shared": shared * base["d_ff_expert"]} if shared else {}))
    if family == "qwen2_moe":
        return dict(base, **split, n_kv_heads=kv, attn_bias=True, attn_out_bias=False,
                    d_ff_shared=rng.randint(2, 24), shared_expert_gate=True)
    if family == "qwen3_moe":
        return dict(base, **split, n_kv_heads=kv, d_head=rng.choice([2, 4, 6]), qk_norm="head")
    if family == "gpt_oss":
        base.pop("d_ff_expert")
        window = {"window": rng.randint(1, 6), "window_layers": rng.randint(1, n)}
        return dict(base, **window, n_kv_heads=kv, d_head=rng.choice([2, 4, 6]), attn_bias=True,
                    ffn_bias=True, router_bias=True, attention_sinks=True)
    if family == "llama4":
        nope = rng.randint(0, n - 1 - dense)
        return dict(base, **split, **({"nope_layers": nope} if nope else {}), n_kv_heads=kv,
                    d_head=rng.choice([2, 4, 6]), d_ff_shared=base["d_ff_expert"])
    d_head = rng.choice([4, 8])
    return dict(base, **split, n_kv_heads=kv, d_head=d_head, rotary_dim=d_head // 2,  # glm4_moe
                d_ff_shared=base["d_ff_expert"] * rng.randint(1, 2),
                **({"attn_bias": True, "attn_out_bias": False} if rng.random() < 0.5 else {}),
                **({"qk_norm": "head"} if rng.random() < 0.5 else {}))


FAMILIES = {"deepseek": "DeepseekV3ForCausalLM", "qwen2_moe": "Qwen2MoeForCausalLM",
            "qwen3_moe": "Qwen3MoeForCausalLM", "gpt_oss": "GptOssForCausalLM",
            "llama4": "Llama4ForCausalLM", "glm4_moe": "Glm4MoeForCausalLM"}


@pytest.mark.parametrize("family", FAMILIES)
def test_random_small_configs_equal_pytorch(family):
    from flopdocs.counting.verify import verify

    rng = random.Random(f"verify zoo {family}")
    for i in range(4):
        cfg = parse(_random(family, rng), f"<random {family} {i}>")
        for mode in ("forward", "training"):
            check = verify(cfg, mode)
            assert check.model == FAMILIES[family]
            assert check.total[0] == check.total[1], (cfg.echo(), mode, check.ours, check.theirs)
            assert check.params[0] == check.params[1], (cfg.echo(), check.params)


@pytest.mark.parametrize("family", ["deepseek", "qwen2_moe", "gpt_oss"])
def test_real_routing_on_cpu_equals_the_count(family):
    """Real weights, real routing, eager experts: the matmul FLOPs are what we count."""
    from torch.utils.flop_counter import FlopCounterMode

    from flopdocs.counting.verify import hf_class

    rng = random.Random(f"cpu {family}")
    cfg = parse(_random(family, rng), family)
    name, fields = hf_class(cfg)
    config = transformers.AutoConfig.for_model(fields.pop("model_type"), **fields)
    torch.manual_seed(0)
    model = getattr(transformers, name)._from_config(config, attn_implementation="eager",
                                                     experts_implementation="eager")
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(input_ids=torch.randint(0, cfg["n_vocab"], (1, cfg["l"])))
    assert counter.get_total_flops() == sum(our_counts(cfg, "forward").values())
    assert sum(p.numel() for p in model.parameters()) == parameters(cfg).total


#: transformers' default config of each type: the original checkpoint's sizes.  The total is
#: numel of the class on the meta device (/work notes: hf_zoo.md; checked again below).
DEFAULTS = ["qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gpt_oss", "llama4_text", "glm4_moe",
            "mixtral", "llama4", "mistral3"]


@pytest.mark.parametrize("model_type", DEFAULTS)
def test_default_configs_import_and_equal_numel_at_full_size(model_type):
    config = transformers.AutoConfig.for_model(model_type)
    cfg = parse(hf.to_data(config.to_dict(), f"<{model_type}>"), model_type)
    text = config.get_text_config() if model_type in hf.MULTIMODAL else config
    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(text)
    assert parameters(cfg).total == sum(p.numel() for p in model.parameters())
    if model_type in hf.MULTIMODAL:
        assert "its text_config, read as its text model" in cfg.source


def test_deepseek_v3_is_671b_total_37b_active():
    cfg = parse(hf.to_data(transformers.AutoConfig.for_model("deepseek_v3").to_dict(), "v3"), "v3")
    p = parameters(cfg)
    assert p.total == 671_026_404_352  # numel of DeepseekV3ForCausalLM (the MTP layer is not built)
    # active: 8 of 256 routed experts per MoE layer: 58 layers · 248 · 3·7168·2048 fewer
    assert p.total - p.active == 58 * 248 * 3 * 7168 * 2048
    assert p.active == 37_552_282_624  # 671,026,404,352 − 633,474,121,728: "37B activated"


@pytest.mark.parametrize("q_lora", [True, False])
def test_latent_attention_decode_and_cache_equal_hugging_face(q_lora):
    """A decode step after C cached tokens: Hugging Face applies kv_b_proj to every cached
    latent (C + 1 rows), as we count it; its cache holds the latent and the rotary key."""
    from torch.utils.flop_counter import FlopCounterMode

    from flopdocs.counting.analysis import analyse
    from flopdocs.counting.modes import Options
    from flopdocs.counting.verify import hf_class

    data = dict(name="mla", l=32, d_model=64, d_ff=96, n_vocab=50, n_layers=2, n_heads=4, position="rope",
                norm="rmsnorm", ffn="swiglu", ffn_bias=False, kv_lora_rank=32, qk_nope_head_dim=16,
                qk_rope_head_dim=8, v_head_dim=12, **({"q_lora_rank": 24} if q_lora else {}))
    cfg = parse(data, "mla")
    name, fields = hf_class(cfg)
    config = transformers.AutoConfig.for_model(fields.pop("model_type"), **fields)
    model = getattr(transformers, name)._from_config(config, attn_implementation="eager").eval()
    context = 10
    with torch.no_grad():
        cache = model(input_ids=torch.zeros((1, context), dtype=torch.long), use_cache=True).past_key_values
        counter = FlopCounterMode(display=False)
        with counter:
            model(input_ids=torch.zeros((1, 1), dtype=torch.long), past_key_values=cache, use_cache=True)
    a = analyse(cfg, "flopdocs", "decode", Options(context=context, dtype_bytes=4))
    assert counter.get_total_flops() == a.by_kind["matmul"]
    held = sum(t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values))
    assert held == a.kv_cache_bytes == 2 * (32 + 8) * (context + 1) * 4  # layers · (r_kv + d_rope) · keys · 4
