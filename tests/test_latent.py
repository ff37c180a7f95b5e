"""Multi-head latent attention's absorbed form, the MoE variants' rules and the zoo's
config.json refusals: one line each."""
import pytest

from flopdocs.config import hf
from flopdocs.config.config import parse
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.errors import ConfigError
from flopdocs.structure.params import parameters

MLA = dict(name="mla", l=64, d_model=64, d_ff=96, n_vocab=50, n_layers=2, n_heads=4, position="rope",
           norm="rmsnorm", ffn="swiglu", ffn_bias=False, kv_lora_rank=32, q_lora_rank=24,
           qk_nope_head_dim=16, qk_rope_head_dim=8, v_head_dim=12)


def _matmul_slope(data, absorb):
    """Matmul FLOPs a decode step adds per cached key (contexts 20 and 21)."""
    cfg = parse({**data, "mla_absorb": absorb}, "<t>")
    one, two = (analyse(cfg, "flopdocs", "decode", Options(context=c)).by_kind["matmul"] for c in (20, 21))
    return two - one


def test_absorbed_form_same_parameters_cached_keys_cost_only_scores():
    assert parameters(parse({**MLA, "mla_absorb": True}, "a")).total == parameters(parse(MLA, "m")).total
    h, r, nope, rope, v = 4, 32, 16, 8, 12
    # Hugging Face's: W_UKV on the new cached position (2·r·h(nope + v)) and each head's
    # scores and values (2(nope + rope) + 2v), per layer
    assert _matmul_slope(MLA, False) == 2 * (2 * r * h * (nope + v) + h * (2 * (nope + rope) + 2 * v))
    # absorbed: each head scores r + rope wide keys and reads r wide values, nothing projected
    assert _matmul_slope(MLA, True) == 2 * h * (2 * (r + rope) + 2 * r)


@pytest.mark.parametrize("change, message", [
    ({"kv_lora_rank": None}, "q_lora_rank: needs kv_lora_rank"),
    ({"v_head_dim": None}, "v_head_dim: missing: required with kv_lora_rank"),
    ({"position": "learned"}, "position: learned: multi-head latent attention (kv_lora_rank) needs position: rope"),
    ({"n_kv_heads": 2}, "n_kv_heads: does not apply to multi-head latent attention"),
    ({"attn_bias": True}, "attn_bias: does not apply to multi-head latent attention"),
    ({"architecture": "encoder"}, "kv_lora_rank: multi-head latent attention is modelled for architecture decoder only"),
    ({"shared_expert_gate": True}, "shared_expert_gate: needs n_experts"),
    ({"n_experts": 4, "experts_per_token": 2, "shared_expert_gate": True},
     "shared_expert_gate: needs d_ff_shared"),
    ({"router_bias": True}, "router_bias: needs n_experts"),
])
def test_bad_latent_and_expert_keys_are_one_line(change, message):
    data = {k: v for k, v in {**MLA, **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        parse(data, "<t>")
    assert "\n" not in str(e.value)


DEEPSEEK = {"model_type": "deepseek_v3", "hidden_size": 64, "intermediate_size": 96, "vocab_size": 50,
            "num_hidden_layers": 4, "num_attention_heads": 4, "max_position_embeddings": 32,
            "kv_lora_rank": 16, "q_lora_rank": 8, "qk_nope_head_dim": 8, "qk_rope_head_dim": 4,
            "v_head_dim": 8, "n_routed_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 16,
            "n_shared_experts": 1, "first_k_dense_replace": 1}


@pytest.mark.parametrize("change, message", [
    ({"attention_bias": True}, "attention_bias: biases in multi-head latent attention are not modelled"),
    ({"num_key_value_heads": 2}, "num_key_value_heads: multi-head latent attention with fewer"),
    ({"moe_layer_freq": 2}, "moe_layer_freq: routed layers at a frequency other than 1"),
    ({"kv_lora_rank": None}, "kv_lora_rank: missing"),
    ({"model_type": "llama4_text", "intermediate_size_mlp": 96, "num_local_experts": 4,
      "intermediate_size": 16, "moe_layers": [0, 1], "no_rope_layers": [1, 1, 0, 0]},
     "these layers' kinds overlap otherwise than counted"),
    ({"model_type": "gpt_oss", "num_local_experts": 4, "sliding_window": 8,
      "layer_types": ["sliding_attention"] * 3}, "layer_types: names 3 layers, not num_hidden_layers=4"),
])
def test_zoo_config_json_refusals_name_the_field(change, message):
    data = {k: v for k, v in {**DEEPSEEK, **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        hf.to_data(data, "config.json")
    assert "\n" not in str(e.value) and str(e.value).startswith("config.json: ")


def test_deepseek_config_json_reads_as_its_structure():
    data = hf.to_data(DEEPSEEK, "config.json")
    assert {k: data[k] for k in ("kv_lora_rank", "q_lora_rank", "d_ff_expert", "d_ff_shared", "dense_layers")} \
        == {"kv_lora_rank": 16, "q_lora_rank": 8, "d_ff_expert": 16, "d_ff_shared": 16, "dense_layers": 1}
    names = [n.name for n in analyse(parse(data, "c")).tree if n.name.startswith("Blocks")]
    assert names == ["Blocks, dense", "Blocks, MoE"]


@pytest.mark.parametrize("mode", ["decode", "generate", "training"])
def test_table_rows_of_latent_attention_equal_the_reference(mode):
    """The compiled rows (FLOPs, parameters, the memory columns: the cache is the latent and
    the rotary key) equal the reference, for DeepSeek-V3 at a few lengths."""
    from flopdocs.cli.table import sweeps
    from flopdocs.config.catalogue import find
    from flopdocs.counting.grid import parse_grid
    from flopdocs.counting.rows import Counting, reference_row

    counting = Counting("flopdocs", mode, Options(context=300, prompt=50, generate=20))
    axes = [parse_grid("l=64,4096")]
    (sweep,) = sweeps([find("deepseek-v3")], axes, {}, counting)
    for (l,), row in zip([(64,), (4096,)], sweep.rows()):
        assert row == reference_row(sweep.config((l,)), counting)
