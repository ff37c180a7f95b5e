"""``flopdocs audit``: formulas written by hand, each equal to a convention or reported
with its exact difference; the built-in transcriptions; bad input as one line, exit 2."""
import json
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings, strategies as st
from sympy import Symbol, parse_expr

from flopdocs.cli.main import main
from flopdocs.config import catalogue
from flopdocs.config.config import parse
from flopdocs.config.keys import KEYS
from flopdocs.config import symbols as S
from flopdocs.counting import audit, audit_count, audit_names, builtin_audits, formula_source, symbolic_value
from flopdocs.structure import params

FORMULAS = Path(__file__).parent / "fixtures" / "audit_formulas.py"
NANO = ["num_params=params", "n_layer=n_layers", "n_head=n_heads", "n_embd=d_model", "block_size=l"]
WINDOW = ["num_params=params", "n_layer=n_layers", "n_head=n_heads", "head_dim=d_head", "seq_len=l",
          "window=window"]
#: The README's key names as plain symbols (N too: sympy's own N is a function).
NAMES = {k.name: Symbol(k.name) for k in KEYS if k.symbol is not None}
d_model, l, n_layers, n_heads, d_head, d_ff, n_vocab, N, window = (
    NAMES[k] for k in ("d_model", "l", "n_layers", "n_heads", "d_head", "d_ff", "n_vocab", "N", "window"))


def run(function, mapping, model=None, convention="palm", mode="training", per="token", **kw):
    target = formula_source.load(f"{FORMULAS}:{function}")
    cfg = catalogue.find(model) if isinstance(model, str) else model
    return audit.audit(target, audit_names.parse_mapping(mapping), convention, mode, per, cfg, **kw)


def difference(result) -> sympy.Expr:
    """The JSON's difference, parsed back with the README's key names."""
    return parse_expr(audit.text(result.difference), local_dict=NAMES)


def test_nanogpt_form_with_every_parameter_is_palm_for_every_structure():
    a = run("palm_like", NANO)  # every structure of the catalogue
    audited = [s for s in a.structures if s.skipped is None]
    assert len(audited) >= 8 and a.equal is False  # PaLM's heads have their own width: below
    for s in audited:
        if s.arch.explicit_d_head:  # Q = n_embd // n_head is not d_head there
            assert s.difference != 0
        else:
            assert s.equal, s.models
    # closed-form PaLM does not count a MoE or an encoder-decoder: skipped, with the reason
    assert any("mixture of experts" in (s.skipped or "") for s in a.structures)


@pytest.mark.parametrize("function, expected", [
    ("palm_like", 0),
    ("wrong_coefficient", -2 * n_layers * d_model * l),  # 10 for 12: 2·L·H·Q·T short, H·Q = d_model
    ("missing_term", -12 * n_layers * d_model * l),
    ("causal_half", -6 * n_layers * d_model * l),
])
def test_hand_formulas_against_palm(function, expected):
    a = run(function, NANO, "gpt-2-small")
    assert a.equal == (expected == 0)
    assert sympy.expand(difference(a) - expected) == 0


def test_an_integer_division_where_heads_have_their_own_width():
    # PaLM 540B: d_model 18432, 48 heads of 256: n_embd // n_head = 384, not 256
    a = run("head_width_by_division", NANO, "palm-540b")
    assert sympy.expand(difference(a) - 12 * n_layers * l * (d_model - n_heads * d_head)) == 0
    s = a.structures[0]
    assert [audit.text(q) for _, q in s.divisions] == ["d_model/n_heads"]
    w = s.worst[0]  # at its own l = 2048 the gap is 0.55 %: the first above 1 % is l = 8192
    assert (w.model, w.l) == ("PaLM 540B", 8192)
    assert int(w.formula) - int(w.flopdocs) == 12 * 118 * 8192 * (18432 - 48 * 256)


def test_a_floor_is_audited_config_by_config():
    cfg = parse({"name": "odd", "l": 4096, "d_model": 1000, "n_heads": 3, "d_head": 64, "d_ff": 4000,
                 "n_vocab": 1000, "n_layers": 2}, "<test>")
    a = run("head_width_by_division", NANO, cfg)
    own = [w for w in a.structures[0].worst if w.l == 4096][0]
    p = params.parameters(cfg).total
    # plain Python's floor: 1000 // 3 = 333 (the symbolic difference keeps 1000/3)
    assert int(own.formula) == 6 * p + 12 * 2 * 3 * (1000 // 3) * 4096
    assert int(own.flopdocs) == 6 * p + 12 * 2 * 3 * 64 * 4096


def test_a_window_ignored_is_the_window_term_exactly():
    right = run("windowed", WINDOW, "mistral-7b-v0-1", convention="flopdocs")
    ignored = run("window_ignored", WINDOW, "mistral-7b-v0-1", convention="flopdocs")
    gap = sympy.expand(difference(ignored) - difference(right))
    # Mistral's d_head is d_model / n_heads: the difference is written in the structure's own keys
    assert gap == sympy.expand(12 * n_layers * d_model * (l - window))
    assert ignored.worst and all(w.relative > right.structures[0].worst[0].relative
                                 for w in ignored.worst[:1])


def test_against_flopdocs_the_difference_is_split_by_role():
    a = run("palm_like", NANO, "gpt-2-small", convention="flopdocs")
    assert not a.equal
    roles = a.by_role
    assert sympy.expand(sum(roles.values(), sympy.Integer(0)) - a.difference) == 0
    # the flopdocs count has the softmax: 11 FLOPs per score forward and backward, missing from 6N + 12LHQT
    assert any(k.startswith("attention-scores") for k in roles)
    assert "ffn" in roles


def test_kaplan_table_1_written_by_hand_equals_kaplan_forward():
    a = run("kaplan_forward", ["d_model=d_model", "n_layers=n_layers", "d_ff=d_ff", "n_vocab=n_vocab",
                               "l=l", "d_attn=d_attn"], "gpt-2-small", convention="kaplan", mode="forward")
    assert a.equal
    wrong = run("kaplan_forward", ["d_model=d_model", "n_layers=n_layers", "d_ff=d_ff", "n_vocab=n_vocab",
                                   "l=l", "d_attn=d_attn"], "gpt-2-small", convention="kaplan")
    # training is 3× the forward: the forward-only formula is short by twice itself
    assert not wrong.equal
    assert sympy.expand(wrong.difference + 2 * wrong.structures[0].formula) == 0


def test_an_if_on_a_structural_flag_runs_per_structure():
    m = ["args.swiglu=gated", "args.hidden_size=d_model", "args.ffn_hidden_size=d_ff", "args.seq_length=l",
         "args.num_layers=n_layers", "batch_size=N"]
    gated = run("megatron_style", m, "llama-2-7b", convention="6N", per="batch").structures[0].formula
    plain = run("megatron_style", m, "gpt-2-small", convention="6N", per="batch").structures[0].formula
    assert audit.text(gated) == "18*N*d_ff*d_model*l*n_layers"
    assert audit.text(plain) == "12*N*d_ff*d_model*l*n_layers"


def test_floats_are_exact_and_sqrt_follows_symbols():
    a = run("float_and_sqrt", ["d_model=d_model", "l=l"], "gpt-2-small", convention="6N")
    # 0.5 -> 1/2, sqrt(d)² / 3 -> d/3, int(1.5 l) -> 3l/2 (recorded: not whole for odd l)
    assert audit.text(a.structures[0].formula) == "d_model*l/2 + d_model/3 + 3*l/2"
    assert [audit.text(q) for _, q in a.structures[0].divisions] == ["3*l/2"]


def test_default_arguments_are_kept():
    a = run("with_default", ["d_model=d_model", "l=l"], "gpt-2-small", convention="6N")
    assert audit.text(a.structures[0].formula) == "6*d_model*l"


def test_comparisons_are_decided_by_the_structure():
    decide = audit_count.decider(catalogue.find("mistral-7b-v0-1").arch)  # windowed: w < l
    ctx = symbolic_value.Context(decide=decide)
    L, W = symbolic_value.Value(S.l, ctx), symbolic_value.Value(S.window, ctx)
    assert min(L, W) is W and max(L, W) is L
    with pytest.raises(symbolic_value.Refused):
        _ = symbolic_value.Value(S.d_model, ctx) > L  # d_model vs l differs between configs


@pytest.mark.parametrize("name", list(builtin_audits.AUDITS))
def test_every_builtin_runs_against_each_convention_it_claims(name):
    b = builtin_audits.get(name)
    assert b.source.count(",") >= 2 and "commit" in b.source and b.issue
    for convention in b.conventions:
        a = audit.audit(b.target(), audit_names.parse_mapping(b.mapping), convention, b.mode, b.per,
                        catalogue.find("gpt-2-small"))
        assert a.structures[0].skipped is None


@pytest.mark.parametrize("name, model, convention, expected", [
    # f = 4h written into the 60: Narayanan eq. 3 (3×, no recomputation) exactly
    ("megatron-2023", "llama-2-7b", "megatron", 0),
    # 2026: the causal half of the scores (−6·B·s²·L·h), f = d_ff, SwiGLU 3 matrices
    ("megatron", "gpt-2-small", "megatron",
     12 * N * d_ff * d_model * l * n_layers - 48 * N * d_model ** 2 * l * n_layers - 6 * N * d_model * l ** 2 * n_layers),
    # before PR #1988 the scores are not halved: eq. 3's attention exactly (issue #1972)
    ("maxtext-2025", "gpt-2-small", "megatron",
     12 * N * d_ff * d_model * l * n_layers - 48 * N * d_model ** 2 * l * n_layers),
    ("maxtext", "gpt-2-small", "megatron",
     12 * N * d_ff * d_model * l * n_layers - 48 * N * d_model ** 2 * l * n_layers - 6 * N * d_model * l ** 2 * n_layers),
    # the token table left out of N (PR #280): its LM head use is kept by an untied output
    ("torchtitan", "llama-2-7b", "palm", -6 * d_model * n_vocab),
    ("olmo-core", "llama-2-7b", "palm", -6 * d_model * n_vocab),
    # every nn.Embedding left out: the token table here (RoPE: no position table)
    ("hf-transformers", "llama-2-7b", "6N", -6 * N * l * d_model * n_vocab),
])
def test_builtin_differences_are_pinned(name, model, convention, expected):
    b = builtin_audits.get(name)
    a = audit.audit(b.target(), audit_names.parse_mapping(b.mapping), convention, b.mode, b.per, catalogue.find(model))
    assert sympy.expand(difference(a) - expected) == 0


def test_json_carries_the_fields(capsys):
    assert main(["audit", f"{FORMULAS}:causal_half", *sum((["--arg", m] for m in NANO), []),
                 "--convention", "palm", "--model", "gpt-2-small", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["equal"] is False
    assert parse_expr(out["difference"], local_dict=NAMES) == -6 * d_model * l * n_layers
    assert set(out) >= {"equal", "difference", "by_role", "worst", "structures"}


def test_text_says_equal_for_every_config(capsys):
    assert main(["audit", f"{FORMULAS}:palm_like", *sum((["--arg", m] for m in NANO), []),
                 "--convention", "palm", "--model", "gpt-2-small"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("equal for every config")


def test_builtin_from_the_cli(capsys):
    assert main(["audit", "--builtin", "megatron-2023", "--model", "llama-2-7b", "--convention", "megatron"]) == 0
    out = capsys.readouterr().out
    assert "PR #682" in out and "2748e7c7d4" in out and out.rstrip().endswith("equal for every config")


@pytest.mark.parametrize("argv, message", [
    ([f"{FORMULAS}:nope"], "no function 'nope'"),
    ([f"{FORMULAS}:palm_like", "--arg", "n_layer=n_layers"], "line 10: argument n_embd is not mapped (give --arg n_embd=KEY)"),
    ([f"{FORMULAS}:loop_over_layers", "--arg", "n_layers=n_layers", "--arg", "d_model=d_model"],
     "line 57: a loop or index over a symbol (n_layers) cannot run symbolically"),
    ([f"{FORMULAS}:undecided_if", "--arg", "d_model=d_model", "--arg", "l=l"],
     "line 63: a comparison d_model > l that differs between configs"),
    ([f"{FORMULAS}:prints", "--arg", "d_model=d_model"], "line 69: I/O (print) cannot run symbolically"),
    ([f"{FORMULAS}:returns_text", "--arg", "d_model=d_model"], "returned a str, not a number"),
    ([f"{FORMULAS}:raises", "--arg", "d_model=d_model"], "RuntimeError: no"),
    (["NOTAFILE.py:f"], "NOTAFILE.py: no such file"),
    (["no_such_module_xyz:f"], "cannot import no_such_module_xyz"),
    ([f"{FORMULAS}"], "expected FILE.py:FUNCTION"),
    ([f"{FORMULAS}:palm_like", "--arg", "n_layer"], "expected NAME=KEY"),
    ([f"{FORMULAS}:palm_like", "--arg", "n_layer=layers"], "unknown name 'layers'"),
    ([f"{FORMULAS}:palm_like", "--arg", "n_layer=l", "--arg", "n_layer=l"], "mapped twice"),
    ([f"{FORMULAS}:palm_like", "--mode", "decode"], "--mode: must be one of forward, training"),
    ([f"{FORMULAS}:palm_like", "--per", "step"], "--per: must be one of token, sequence, batch"),
    (["--builtin", "megatronn"], "unknown built-in audit 'megatronn'"),
    ([f"{FORMULAS}:palm_like", "--builtin", "megatron"], "one of them"),
    (["--builtin", "nanogpt", "--convention", "palm", "--model", "t5-base"],
     "PaLM's Appendix B counts a decoder-only model"),
])
def test_bad_input_is_one_line_exit_2(argv, message, capsys):
    assert main(["audit", "--model", "gpt-2-small", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("flopdocs: error: ") and message in err, err


def test_a_file_that_is_not_python_is_not_run(tmp_path, capsys):
    p = tmp_path / "formula.py"
    p.write_text("import os\nos.system('touch HACKED')\ndef f(:\n")
    assert main(["audit", f"{p}:f", "--model", "gpt-2-small"]) == 2
    assert capsys.readouterr().err == f"flopdocs: error: {p}: not Python (line 3: invalid syntax)\n"
    binary = tmp_path / "blob.py"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["audit", f"{binary}:f"]) == 2
    assert "not Python (not UTF-8 text)" in capsys.readouterr().err


def test_a_tensor_library_is_refused_before_running(tmp_path, capsys):
    p = tmp_path / "t.py"
    # a module object named torch (importing the real one takes seconds; the check reads the name)
    p.write_text("import types\ntorch = types.ModuleType('torch')\ndef f(d_model):\n"
                 "    return torch.tensor(d_model) * 2\n")
    assert main(["audit", f"{p}:f", "--arg", "d_model=d_model", "--model", "gpt-2-small"]) == 2
    assert "line 4: module torch (a tensor library) cannot run symbolically" in capsys.readouterr().err


def test_only_the_named_function_runs(tmp_path):
    p = tmp_path / "side.py"
    marker = tmp_path / "ran"
    p.write_text(f"def other():\n    open({str(marker)!r}, 'w').close()\n\n"
                 "def f(d_model):\n    return 2 * d_model\n")
    a = audit.audit(formula_source.load(f"{p}:f"), audit_names.parse_mapping(["d_model=d_model"]), "6N",
                    "training", "token", catalogue.find("gpt-2-small"))
    assert audit.text(a.structures[0].formula) == "2*d_model" and not marker.exists()


def test_the_readme_lists_every_derived_name():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = "\n".join("  " + line for line in audit_names.derived_table().splitlines())
    assert table in readme
    assert set(audit_names.DERIVED) <= set(audit_names.NAME_LIST)


def test_a_method_on_self_with_a_nested_config_and_a_mapped_call():
    a = run("GPT.estimate_flops", ["self.get_num_params()=params", "config.n_layer=n_layers",
                                   "config.n_head=n_heads", "config.n_embd=d_model", "config.block_size=l",
                                   "fwdbwd_per_iter=N"], "gpt-2-small", per="batch")
    assert a.equal


def test_every_name_a_mapping_may_use_has_a_value_in_every_structure():
    assert len(set(audit_names.NAME_LIST)) == len(audit_names.NAME_LIST)
    for arch in {cfg.arch for cfg in catalogue.models()}:
        assert set(audit_names.names(arch)) == set(audit_names.NAME_LIST)


@settings(max_examples=25, deadline=None)
@given(a=st.integers(-20, 20), b=st.integers(-30, 30), half=st.booleans())
def test_any_coefficients_give_their_exact_difference_from_palm(a, b, half):
    """a·P + b·L·H·Q·T (÷ 2 when ``half``) minus PaLM's 6·P + 12·L·H·Q·T, exactly."""
    def formula(P, L, H, Q, T):
        attention = b * L * H * Q * T
        return a * P + (attention / 2 if half else attention)

    target = formula_source.Target(formula, "formula", formula.__code__.co_filename)
    result = audit.audit(target, audit_names.parse_mapping(["P=params", "L=n_layers", "H=n_heads", "Q=d_head",
                                                       "T=l"]), "palm", "training", "token",
                         catalogue.find("llama-2-7b"))
    P = parse_expr(audit.text(audit_names.names(catalogue.find("llama-2-7b").arch)["params"]), local_dict=NAMES)
    b_eff = sympy.Rational(b, 2) if half else b
    expected = (a - 6) * P + (b_eff - 12) * n_layers * d_model * l  # H·Q = d_model here
    assert sympy.expand(difference(result) - expected) == 0
    assert result.equal == (a == 6 and b_eff == 12)


def test_parameters_named_as_keys_need_no_mapping():
    assert run("named_as_keys", [], "gpt-2-small").equal


def test_without_a_model_the_answer_shows_the_commonest_structure_that_differs():
    a = run("palm_like", NANO, convention="flopdocs")
    differing = [s for s in a.structures if s.skipped is None and s.difference != 0]
    assert len({s.difference for s in differing}) > 1  # BERT's, GPT's, LLaMA's... differ
    assert a.difference == max(differing, key=lambda s: len(s.models)).difference
    assert "GPT-2 small" in a.shown.models  # the GPT-2/GPT-3 structure: 12 catalogue models


# -- memory: DeepSpeed's ZeRO estimators ---------------------------------------------------------

def test_zero_estimators_differences_are_pinned():
    from flopdocs.counting import memory, parallel

    cfg = catalogue.find("llama-2-7b")
    psi = parse_expr(audit.text(params.symbolic(cfg.arch).total), local_dict=NAMES)
    devices = Symbol("devices")
    results = {}
    for name in ("deepspeed-zero2", "deepspeed-zero3"):
        b = builtin_audits.get(name)
        results[name] = a = audit.audit(b.target(), audit_names.parse_mapping(b.mapping), "flopdocs",
                                        b.mode, b.per, cfg)
        assert a.structures[0].divisions  # int(18·Ψ / N_d): floored model by model
    # ZeRO-2: 2Ψ + 18Ψ/D against ours 2Ψ (bf16 weights) + 2Ψ/D (bf16 gradients) + 12Ψ/D (fp32
    # master and Adam's two moments): DeepSpeed's 4 bytes of fp32 gradients a parameter more
    assert sympy.expand(difference(results["deepspeed-zero2"]) - 4 * psi / devices) == 0
    # ZeRO-3: 4·P_max + 18Ψ/D against ours 16Ψ/D: 2Ψ/D, and the largest layer (the token
    # table) gathered in 16 bits with its 16-bit gradient
    assert sympy.expand(difference(results["deepspeed-zero3"]) - 2 * psi / devices
                        - 4 * n_vocab * d_model) == 0
    # at D = 8: Ψ = 6,738,415,616; ours 2Ψ + 14Ψ/8 = 25,269,058,560 bytes, DeepSpeed's
    # 2Ψ + ⌊18Ψ/8⌋ = 28,638,266,368 (+13.33 %)
    [w] = results["deepspeed-zero2"].worst
    assert (int(w.formula), int(w.flopdocs)) == (28_638_266_368, 25_269_058_560)
    # ours is the memory model's: the ZeRO-2 split of the training footprint over 8 devices
    split = parallel.per_device(memory.footprint(cfg, "training", memory.Settings()),
                                parallel.Parallel(data=8, zero=2))
    assert split.weights + split.gradients + split.optimizer == 25_269_058_560


@pytest.mark.parametrize("argv, message", [
    (["--builtin", "deepspeed-zero2", "--per", "token"], "--per: must be one of token, sequence, batch, device"),
    (["--builtin", "nanogpt", "--per", "device"], "(device for a memory quantity, only)"),
])
def test_memory_audits_take_per_device_only(argv, message, capsys):
    assert main(["audit", "--model", "llama-2-7b", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
