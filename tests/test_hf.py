"""Hugging Face config.json import: exact counts from checkpoint configs; clear refusals."""
import json
import re
from pathlib import Path

import pytest
import yaml

from flopdocs.config import hf
from flopdocs.cli.main import main
from flopdocs.config.config import ConfigError, parse
from flopdocs.structure.params import parameters

FIXTURES = Path(__file__).parent / "fixtures" / "hf"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("model, total, active", [
    ("gpt2", 124_439_808, 124_439_808),              # see tests/test_params.py
    ("llama-2-7b", 6_738_415_616, 6_738_415_616),
    ("mistral-7b-v0.1", 7_241_732_096, 7_241_732_096),
    ("mixtral-8x7b-v0.1", 46_702_792_704, 12_879_925_248),
    ("qwen2-7b", 7_615_616_512, 7_615_616_512),       # q/k/v biases, no o_proj bias
    ("bert-base-uncased", 109_482_240, 109_482_240),  # BertModel: token types and pooler
    ("bert-large-uncased", 335_141_888, 335_141_888),
])
def test_report_hf_exact(capsys, model, total, active):
    code, out, err = run(capsys, "report", "--hf", str(FIXTURES / model / "config.json"), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["params"]["total"] == total
    assert data["params"]["active"] == active


def test_gpt2_mapping():
    data = hf.to_data(json.loads((FIXTURES / "gpt2" / "config.json").read_text()), "c.json")
    # n_inner is absent: 4 * n_embd; GPT-2 ties its head by default
    assert data["d_ff"] == 3072 and data["tie_embeddings"] is True and data["l"] == 1024
    assert data["ffn"] == "gelu" and data["attn_bias"] is True


def test_mistral_window_and_l_override(capsys):
    path = str(FIXTURES / "mistral-7b-v0.1" / "config.json")
    cfg = hf.load(path)
    assert cfg.knob("window") == 4096 and cfg["l"] == 32768 and cfg.arch.windowed
    # --set l=4096: the window no longer binds, and the count of full attention returns
    code, out, _ = run(capsys, "report", "--hf", path, "--set", "l=4096", "--format", "json")
    assert code == 0
    assert "WindowedAttention" not in out and json.loads(out)["config"]["l"] == 4096


def test_import_hf_round_trip_and_deterministic(capsys, tmp_path):
    src = str(FIXTURES / "llama-2-7b" / "config.json")
    out_path = tmp_path / "llama.yaml"
    assert run(capsys, "import-hf", src, "-o", str(out_path))[0] == 0
    first = out_path.read_bytes()
    assert run(capsys, "import-hf", src, "-o", str(out_path))[0] == 0
    assert out_path.read_bytes() == first
    assert list(tmp_path.iterdir()) == [out_path]  # no temporary files left behind
    data = yaml.safe_load(first)
    assert list(data)[:8] == ["name", "source", "l", "d_model", "d_ff", "n_vocab", "n_layers", "n_heads"]
    assert data["name"] == "Llama-2-7b-hf"
    code, out, _ = run(capsys, "report", str(out_path), "--format", "json")
    assert json.loads(out)["params"]["total"] == 6_738_415_616
    # stdout without -o: the same text
    _, stdout, _ = run(capsys, "import-hf", src)
    assert stdout.encode() == first


def test_import_hf_set_and_name(capsys):
    code, out, _ = run(capsys, "import-hf", str(FIXTURES / "gpt2" / "config.json"),
                       "--set", "l=128", "--name", "GPT-2 short")
    assert code == 0
    data = yaml.safe_load(out)
    assert data["l"] == 128 and data["name"] == "GPT-2 short"
    # the learned position table keeps its n_positions rows whatever the run's length
    assert data["max_positions"] == 1024
    assert parameters(parse(data, "<t>")).total == 124_439_808
    code, out, err = run(capsys, "report", "--hf", str(FIXTURES / "gpt2" / "config.json"), "--set", "l=2048")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "l=2048 is more than max_positions=1024" in err


BASE_LLAMA = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
              "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
              "max_position_embeddings": 256}


@pytest.mark.parametrize("change, message", [
    ({"model_type": "mamba"}, "model_type: 'mamba' is not supported"),
    ({"model_type": None}, "model_type: None is not supported"),
    ({"hidden_size": None}, "hidden_size: missing"),
    ({"hidden_size": "64"}, "hidden_size: must be a whole number, got '64'"),
    ({"num_key_value_heads": 3}, "num_key_value_heads (n_kv_heads): 3 must divide n_heads=4"),
    ({"hidden_size": 66}, "hidden_size (d_model): 66 is not divisible by n_heads=4"),
    ({"model_type": "mixtral", "num_local_experts": 2, "num_experts_per_tok": 3},
     "num_experts_per_tok (experts_per_token): 3 is more than n_experts=2"),
    ({"_name_or_path": "org/a\u0085b"}, "_name_or_path (name): character 2 ('\\x85') is not printable text"),
    ({"hidden_act": "relu"}, "hidden_act: 'relu' is not supported"),
    ({"tie_word_embeddings": "yes"}, "tie_word_embeddings: must be true or false"),
    ({"model_type": "deepseek_v3"}, "kv_lora_rank: missing"),
    ({"model_type": "qwen2_moe", "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8,
      "decoder_sparse_step": 2, "use_sliding_window": True, "sliding_window": 8, "max_window_layers": 1},
     "mlp_only_layers, decoder_sparse_step, max_window_layers: these layers' kinds overlap otherwise"),
    ({"model_type": "qwen2", "use_sliding_window": True, "sliding_window": 128,
      "max_window_layers": -1}, "max_window_layers: must be a whole number from 0 to 2**53, got -1"),
    # errors name the file's own key, not ours (hidden_size, not d_model)
    ({"hidden_size": 0}, "hidden_size: must be at least 1, got 0"),
    ({"num_attention_heads": -4}, "num_attention_heads: must be at least 1, got -4"),
    ({"vocab_size": 2**60}, "vocab_size: must be at most 2**53"),
    # a long value is shortened: the message stays one short line
    ({"hidden_act": [1] * 3000}, "hidden_act: must be a string, got a list"),
    ({"hidden_size": "9" * 3000}, "hidden_size: must be a whole number, got '999"),
    ({"_name_or_path": [1, 2]}, "_name_or_path: must be a string, got a list"),
    ({"layer_types": ["sliding_attention", "full_attention"]}, "layer_types: layers of different kinds"),
    ({"model_type": "mixtral"}, "num_local_experts: missing"),
])
def test_unhonourable_configs_one_line_exit_2(capsys, tmp_path, change, message):
    p = tmp_path / "config.json"
    p.write_text(json.dumps({**BASE_LLAMA, **change}))
    code, out, err = run(capsys, "report", "--hf", str(p))
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert f"{p}: " in err and message in err


@pytest.mark.parametrize("change, message", [
    ({"n_positions": None, "n_ctx": 0}, "n_ctx: must be at least 1, got 0"),  # the field given
    ({"n_embd": 2**52, "n_head": 1}, "n_embd: 4 · n_embd (the FFN width when n_inner is absent)"),
])
def test_gpt2_messages_name_the_field_at_fault(change, message):
    base = {"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "vocab_size": 10, "n_positions": 16}
    with pytest.raises(ConfigError, match=re.escape(message)):
        hf.to_data({**base, **change}, "c.json")


def test_gpt2_cross_attention_refused():
    with pytest.raises(ConfigError, match="add_cross_attention"):
        hf.to_data({"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "vocab_size": 10,
                    "n_positions": 16, "add_cross_attention": True}, "c.json")


@pytest.mark.parametrize("max_window_layers, window", [
    (2, None),   # BASE_LLAMA has 2 layers: layer i slides iff i >= 2, so none does
    (28, None),  # Qwen2Config's default, more than the layers there are
    (0, 128),    # every layer slides: the model is windowed throughout
])
def test_qwen2_sliding_window_on_all_or_no_layers(max_window_layers, window):
    data = hf.to_data({**BASE_LLAMA, "model_type": "qwen2", "use_sliding_window": True,
                       "sliding_window": 128, "max_window_layers": max_window_layers}, "c.json")
    assert data.get("window") == window


def test_mistral_window_default_when_absent_none_when_null():
    # MistralConfig: sliding_window defaults to 4096 when absent; null (v0.2+) means none.
    absent = {k: v for k, v in {**BASE_LLAMA, "model_type": "mistral"}.items() if k != "sliding_window"}
    assert hf.to_data(absent, "c.json")["window"] == 4096
    assert "window" not in hf.to_data({**absent, "sliding_window": None}, "c.json")


def test_json_with_a_number_too_long_to_read(capsys, tmp_path):
    p = tmp_path / "config.json"
    p.write_text('{"model_type": "llama", "hidden_size": ' + "9" * 5000 + "}")
    code, out, err = run(capsys, "report", "--hf", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{p}: a number is too long to read" in err


def test_qwen2_sliding_window_off_is_ignored():
    data = hf.to_data({**BASE_LLAMA, "model_type": "qwen2", "use_sliding_window": False,
                       "sliding_window": 128, "max_window_layers": 1}, "c.json")
    assert "window" not in data and data["attn_out_bias"] is False


@pytest.mark.parametrize("text, message", [
    ("{", "malformed JSON at line 1"),
    ('{"model_type": "llama", "model_type": "gpt2"}', "model_type: given twice"),
    ('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", "malformed JSON: nested too deeply"),
    ("[1, 2]", "expected a JSON object, got list"),
])
def test_bad_json(capsys, tmp_path, text, message):
    p = tmp_path / "config.json"
    p.write_text(text)
    code, _, err = run(capsys, "import-hf", str(p))
    assert code == 2 and message in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["report"], "give a model (name or YAML path) or --hf"),
    (["report", "seed-512", "--hf", "x.json"], "not both"),
    (["report", "--hf", "/nonexistent/config.json"], "/nonexistent/config.json: no such file"),
    (["import-hf", "/nonexistent/config.json"], "/nonexistent/config.json: no such file"),
])
def test_bad_flags(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_import_hf_missing_output_directory_writes_nothing(capsys, tmp_path):
    target = tmp_path / "nope" / "out.yaml"
    code, _, err = run(capsys, "import-hf", str(FIXTURES / "gpt2" / "config.json"), "-o", str(target))
    assert code == 2 and "no such directory" in err
    assert not target.parent.exists()


@pytest.mark.parametrize("target, message", [
    (".", "is a directory, not a file to write"),
    ("", "is a directory, not a file to write"),
    ("a-file/out.yaml", "no such directory"),
])
def test_import_hf_output_that_cannot_be_a_file(capsys, tmp_path, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("keep me\n")
    code, out, err = run(capsys, "import-hf", str(FIXTURES / "gpt2" / "config.json"), "-o", target)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    # nothing written, nothing left half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert (tmp_path / "a-file").read_text() == "keep me\n"


def test_import_hf_unwritable_directory(capsys, tmp_path, monkeypatch):
    # a read-only directory (simulated: the session may run as root, who can write anyway)
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, out, err = run(capsys, "import-hf", str(FIXTURES / "gpt2" / "config.json"), "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "x.yaml: cannot write there: Permission denied" in err
    assert list(tmp_path.iterdir()) == []


def test_import_hf_output_keeps_the_mode_and_refuses_links(capsys, tmp_path):
    import os
    import stat

    src = str(FIXTURES / "gpt2" / "config.json")
    out = tmp_path / "gpt2.yaml"
    old = os.umask(0o022)
    try:
        assert run(capsys, "import-hf", src, "-o", str(out))[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # 0666 less the umask, not mkstemp's 0600
        out.chmod(0o640)
        assert run(capsys, "import-hf", src, "-o", str(out))[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640  # an existing file keeps its mode
    finally:
        os.umask(old)
    link, fifo = tmp_path / "link.yaml", tmp_path / "fifo.yaml"
    link.symlink_to(out)
    os.mkfifo(fifo)
    for target in (link, fifo):
        code, _, err = run(capsys, "import-hf", src, "-o", str(target))
        assert code == 2 and "exists and is not a regular file; refusing to replace it" in err
    assert link.is_symlink() and stat.S_ISFIFO(fifo.stat().st_mode)


def test_bert_for_masked_lm(capsys):
    # BertForMaskedLM: no pooler; the MLM transform (768² + 768, LayerNorm 2·768) and the
    # decoder's bias (30522); the decoder's matrix is the word embedding
    code, out, _ = run(capsys, "report", "--hf", str(FIXTURES / "bert-base-uncased" / "config.json"),
                       "--set", "lm_head=true", "--format", "json")
    assert code == 0
    assert json.loads(out)["params"]["total"] == 109_482_240 - (768 * 768 + 768) + 590_592 + 1536 + 30522
    assert json.loads(out)["params"]["total"] == 109_514_298


def test_qwen2_sliding_window_on_some_layers_is_a_split_stack():
    # Qwen2Config: layer i slides iff i >= max_window_layers: 1 of BASE_LLAMA's 2 layers
    data = hf.to_data({**BASE_LLAMA, "model_type": "qwen2", "use_sliding_window": True,
                       "sliding_window": 128, "max_window_layers": 1}, "c.json")
    assert (data["window"], data["window_layers"]) == (128, 1)


def test_qwen2_max_window_layers_defaults_to_28(tmp_path):
    # Qwen2Config: layer i slides iff i >= max_window_layers, 28 when the field is absent; so a
    # 28-layer model with use_sliding_window and no max_window_layers has no windowed layer.
    from flopdocs.config.hf import load
    hf = json.loads((FIXTURES / "qwen2-7b" / "config.json").read_text())
    hf.pop("max_window_layers", None)
    hf.update(use_sliding_window=True, sliding_window=4096, num_hidden_layers=28)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(hf))
    assert not load(path).arch.windowed


ZOO_REFUSED = [
    ({"model_type": "olmo", "clip_qkv": 8.0}, "clip_qkv: clamping q, k and v is not modelled"),
    ({"model_type": "opt", "do_layer_norm_before": False, "ffn_dim": 16},
     "do_layer_norm_before: false (post-LN OPT-350m"),
    ({"model_type": "opt", "word_embed_proj_dim": 8, "ffn_dim": 16}, "word_embed_proj_dim: a projection"),
    ({"model_type": "stablelm", "qk_layernorm": True}, "qk_layernorm: per-head LayerNorms"),
    ({"model_type": "falcon", "num_ln_in_parallel_attn": 2}, "num_ln_in_parallel_attn: two norms"),
    ({"model_type": "falcon", "new_decoder_architecture": True, "parallel_attn": False},
     "parallel_attn: false with new_decoder_architecture"),
    ({"model_type": "gpt_neox", "head_dim": 32}, "head_dim: this class's attention heads"),
    ({"model_type": "distilbert", "sinusoidal_pos_embds": True, "dim": 16, "hidden_dim": 32, "n_layers": 1,
      "n_heads": 4}, "sinusoidal_pos_embds: DistilBERT keeps its fixed table"),
    ({"model_type": "gemma2", "layer_types": ["sliding_attention", "chunked_attention"]},
     "layer_types: must list 2 of sliding_attention, full_attention"),
    ({"model_type": "smollm3", "no_rope_layers": [1, 2]}, "no_rope_layers: must list 2 of 0, 1"),
    ({"model_type": "phi", "partial_rotary_factor": 0}, "partial_rotary_factor: must be a number in (0, 1]"),
]


@pytest.mark.parametrize("change, message", ZOO_REFUSED)
def test_zoo_fields_that_change_the_count_are_refused_by_name(capsys, tmp_path, change, message):
    p = tmp_path / "config.json"
    p.write_text(json.dumps({**BASE_LLAMA, "num_hidden_layers": 2, **change}))
    code, out, err = run(capsys, "report", "--hf", str(p))
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1, err
