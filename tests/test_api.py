"""The notebook API (flopdocs.model and its result): the seed's verbs, exact numbers, one-line
errors the CLI also gives, rich display with user text escaped."""
import json
import sys
from pathlib import Path

import pytest
import sympy

import flopdocs
from flopdocs import ConfigError, InputTypeError
from flopdocs import compare as _compare, layer as _layer, model as _model


# These tests pin the seed notebook's numbers: each call counts under the seed's convention
# unless it names one (the package's default is flopdocs; test_the_default_is_flopdocs).
def model(*args, **kwargs):
    if not (args and isinstance(args[0], flopdocs.Result)):
        kwargs.setdefault("convention", "seed")
    return _model(*args, **kwargs)


def layer(*args, **kwargs):
    kwargs.setdefault("convention", "seed")
    return _layer(*args, **kwargs)


def compare(*args, **kwargs):
    kwargs.setdefault("conventions", ["seed"])
    return _compare(*args, **kwargs)


def test_the_default_is_flopdocs():
    assert _model("seed-512").convention == "flopdocs" and _model("seed-512").total == 51_279_076_352
    assert _model("seed-512", convention="corrected").convention == "flopdocs"  # the old name
from flopdocs.counting.analysis import SEED_GROUPS
from flopdocs.cli.main import main
from flopdocs.config.symbols import SHORT, d_ff, d_model, l, n_heads, n_layers, n_vocab

HF = Path(__file__).parent / "fixtures" / "hf"
TINY = {"name": "tiny", "l": 8, "d_model": 8, "d_ff": 32, "n_vocab": 100, "n_layers": 1, "n_heads": 2}
d, f, v, h, n = (SHORT[s] for s in (d_model, d_ff, n_vocab, n_heads, n_layers))


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- the pinned numbers ------------------------------------------------------------


def test_llama_2_7b_seed_and_corrected_totals():
    seed = model("llama-2-7b", convention="seed")
    corrected = model("llama-2-7b", convention="corrected")
    assert seed.total == 63017270915072
    assert corrected.total == 63_034_450_784_256
    # the softmax's division by the row sum: l² · n_heads · n_layers = 4096² · 32 · 32
    assert corrected.total - seed.total == 4096**2 * 32 * 32 == 17_179_869_184
    assert type(seed.total) is int


def test_analyse_is_the_same_front_door():
    # was an AttributeError; the flopdocs count: the seed's 63,017,270,915,072 + '/ sum'
    # l²·n_heads·n_layers = 4096²·32·32 = 17,179,869,184
    assert flopdocs.analyse("llama-2-7b").total == 63_034_450_784_256
    assert flopdocs.analyse is flopdocs.model


def test_seed_numbers_by_the_seed_verbs():
    r = model("seed-512")
    assert r.total == 51_248_964_096  # In [44]
    assert r.breakdown["Blocks"]["PositionWiseFFN"]["+ b1"] == 24576  # In [52]
    assert r.shares["ProjectToVocab"] == pytest.approx(0.3069064961105746, abs=1e-15)  # In [62]
    assert r.shares["Blocks"]["MultiHeadAttention"]["Q * WQ"] == pytest.approx(0.031427225201722836, abs=1e-15)
    # In [75] (Seed 1024): analysis(keys)[1], by .group(set of keys) as the seed passes them
    g = model("seed-1024").group(set(SEED_GROUPS))
    assert g.shares["Blocks"]["PositionWiseFFN"] == pytest.approx(0.44032402484598815, abs=1e-15)
    assert g.shares["Blocks"]["MultiHeadAttention"]["ScaledDotProductAttention"] == pytest.approx(
        0.2244620182806835, abs=1e-15)
    assert g.breakdown["Blocks"]["PositionWiseFFN"] == 24 * (4 * 2048 * 4096 * 1024 + 4096 + 1024)
    assert g.total == 1_872_788_667_392  # the seed's formula at In [75]'s dimensions, by hand


# -- the front door's inputs -------------------------------------------------------------


def test_every_kind_of_source_gives_the_same_model(tmp_path):
    by_name = model("llama-2-7b")
    yaml_path = Path(flopdocs.config.catalogue.DIRECTORY) / "llama-2-7b.yaml"
    assert model(str(yaml_path)).total == model(yaml_path).total == by_name.total
    assert model(HF / "llama-2-7b" / "config.json").total == by_name.total  # a config.json
    assert model(str(HF / "llama-2-7b" / "config.json")).params.total == 6_738_415_616
    assert model(by_name.config).total == by_name.total
    assert model(TINY).total == 29328  # the seed's formula at l=d=8, f=32, v=100, n=1, h=2


def test_a_result_keeps_its_convention_unless_told():
    corrected = model("seed-512", convention="corrected")
    assert model(corrected).convention == "flopdocs"
    assert model(corrected).total == 51_279_076_352
    assert model(corrected, convention="seed").total == 51_248_964_096


def test_overrides_are_set_semantics():
    # Seed 512 with In [75]'s dimensions is Seed 1024
    r = model("seed-512", l=2048, d_model=1024, n_vocab=51200, n_layers=24, n_heads=16)
    assert r.total == 1_872_788_667_392
    assert model("seed-512", N=3).total == 3 * 51_248_964_096
    assert model("seed-512", name="renamed").name == "renamed"  # text is checked as YAML text
    swiglu = model("seed-512", ffn="swiglu", ffn_bias=False)
    assert "GatedFFN" in swiglu.breakdown["Blocks"]


@pytest.mark.parametrize("bad", [None, 3, 3.5, ["seed-512"], b"seed-512", object()])
def test_a_wrong_typed_source_is_one_line(bad):
    with pytest.raises(InputTypeError) as e:
        model(bad)
    assert isinstance(e.value, ConfigError) and isinstance(e.value, TypeError)
    assert str(e.value).startswith("model: expected a catalogue name, a path to a YAML file or "
                                   "config.json, a dict or a Config, got ")
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("call, argv", [
    (lambda: model("no-such-model"), ["report", "no-such-model"]),
    (lambda: model("seed-512", convention="nope"), ["report", "seed-512", "--convention", "nope"]),
    (lambda: model("seed-512", l=0), ["report", "seed-512", "--set", "l=0"]),
    (lambda: model("seed-512", bogus=3), ["report", "seed-512", "--set", "bogus=3"]),
    (lambda: model("seed-512", ffn="tanh"), ["report", "seed-512", "--set", "ffn=tanh"]),
    (lambda: model("seed-512", n_kv_heads=3), ["report", "seed-512", "--set", "n_kv_heads=3"]),
    (lambda: model("missing.yaml"), ["report", "missing.yaml"]),
    (lambda: model("missing/config.json"), ["report", "--hf", "missing/config.json"]),
])
def test_bad_input_gives_the_cli_message(capsys, call, argv):
    with pytest.raises(ConfigError) as e:
        call()
    code, _, err = cli(capsys, *argv)
    assert code == 2
    ours = str(e.value).replace("with overrides", "with --set")
    assert err == f"flopdocs: error: {ours}\n"


def test_wrong_typed_keywords_are_one_line():
    for call, start in [
        (lambda: model("seed-512", convention=["seed"]), "convention: expected a name (str), got a list"),
        (lambda: model("seed-512", mode=1), "mode: expected a name (str), got 1"),
        (lambda: model("seed-512", l="512"), "with overrides: l: must be a whole number, got '512'"),
        (lambda: model("seed-512", l=True), "with overrides: l: must be a whole number, got True (bool)"),
        (lambda: model("seed-512").group(3), "group: expected node names, roles or families (str), got 3"),
        (lambda: model("seed-512").collect(3), "collect: expected a name (str), got 3"),
        (lambda: compare("seed-512"), "compare: expected a list of models, got 'seed-512'"),
    ]:
        with pytest.raises(ConfigError) as e:
            call()
        assert start in str(e.value) and "\n" not in str(e.value)


def test_modes_are_the_clis():
    assert model("seed-512", mode="forward").mode == "forward"
    assert model("seed-512", mode="training").total == \
        flopdocs.counting.analysis.analyse(flopdocs.config.catalogue.find("seed-512"), "seed", "training").total
    decode = _model("llama-2-7b", mode="decode", options=flopdocs.Options(context=4095))
    assert decode.analysis.kv_cache_bytes == 2**31  # 2 · 32 layers · 32 heads · 128 · 4096 · 2 bytes
    with pytest.raises(ConfigError, match=r"^--mode: must be one of forward, training"):
        model("llama-2-7b", l=8192, mode="backward")
    with pytest.raises(ConfigError, match=r"^--mode: the kaplan convention does not define mode training-recompute"):
        model("llama-2-7b", convention="kaplan", mode="training-recompute")


def test_the_cli_reads_a_json_path_as_a_hugging_face_config(capsys):
    code, out, _ = cli(capsys, "report", str(HF / "llama-2-7b" / "config.json"), "--format", "json")
    assert code == 0 and json.loads(out)["params"]["total"] == 6_738_415_616


# -- group -------------------------------------------------------------------------------


def test_group_by_names_as_separate_arguments_or_one_set():
    r = model("seed-8192")
    a, b = r.group(*SEED_GROUPS), r.group(set(SEED_GROUPS))
    assert a.breakdown == b.breakdown
    assert a.shares["Blocks"]["LayerNorms"] == pytest.approx(5.81461400099706e-05, abs=1e-15)  # In [74]
    assert list(r.group("Blocks").breakdown) == ["Embeddings", "LayerNorm_Final", "ProjectToVocab", "Blocks"]
    assert r.group("Blocks").breakdown["Blocks"] == r.tree["Blocks"].total


def test_group_by_family_and_role():
    r = model("seed-512")
    attn = r.group("attention").breakdown["Blocks"]["MultiHeadAttention"]
    # the head's attention, one sum: 2·l·d_k·l·h·n twice plus 5·l²·h·n
    assert attn["ScaledDotProductAttention"] == 2 * 1_610_612_736 + 5 * 512 * 512 * 8 * 6
    assert attn["Q * WQ"] == 1_610_612_736  # projections are not the attention family
    norm = r.group("norm").breakdown
    assert norm["LayerNorm_Final"] == 6 * 512 * 512 + 7 * 512
    assert norm["Blocks"]["LayerNorms"] == 12 * (6 * 512 * 512 + 7 * 512)
    # a role, not a family: only the softmax's subtree
    soft = r.group("attention-softmax").breakdown["Blocks"]["MultiHeadAttention"]["ScaledDotProductAttention"]
    assert soft["Softmax"] == 3 * 512 * 512 * 8 * 6 and soft["+ mask"] == 512 * 512 * 8 * 6
    # leaves are never collapsed into anything: the LM head is one already
    assert r.group("lm-head").breakdown == r.breakdown
    # the ffn family takes the router too: Mixtral's whole MixtureOfExperts is one sum
    moe = model("mixtral-8x7b").group("ffn").breakdown["Blocks"]
    assert isinstance(moe["MixtureOfExperts"], int)
    assert moe["MixtureOfExperts"] == model("mixtral-8x7b").tree["Blocks", "MixtureOfExperts"].total


def test_group_by_every_role_collapses_each_child_of_the_root_never_the_root():
    from flopdocs.structure.roles import ROLES

    everything = model("seed-512").group(*ROLES).breakdown
    assert everything == {"Embeddings": 262144, "LayerNorm_Final": 1576448, "ProjectToVocab": 15728640000,
                          "Blocks": 51248964096 - 262144 - 1576448 - 15728640000}


def test_group_without_keys_is_the_grouped_analysis():
    r = model("llama-2-7b")
    assert r.group().tree == r.analysis.grouped_default
    assert r.group().total == r.total


def test_group_unknown_key_is_one_line():
    with pytest.raises(ConfigError, match=r"^group: nope: no such node, role or family \(nodes e\.g\. "
                                          r"Embeddings, .*; roles embedding, .*; families embedding, .*\)$"):
        model("seed-512").group("Embeddings", "nope")
    with pytest.raises(ConfigError, match="Transformer: no such node"):  # the root is never collapsed
        model("seed-512").group("Transformer")


# -- symbolic ----------------------------------------------------------------------------


def test_symbolic_is_the_seed_in_18_and_collects_like_in_21():
    r = model("seed-512")
    printed_18 = (4 * d_ff * d_model * l * n_layers + d_ff * n_layers + 8 * d_model**2 * l * n_layers
                  + 4 * d_model * l**2 * n_layers + 12 * d_model * l * n_layers + 2 * d_model * l * n_vocab
                  + 7 * d_model * l + 13 * d_model * n_layers + 7 * d_model + 5 * l**2 * n_heads * n_layers
                  + n_layers * (2 * d_model * l + 2 * d_model))
    assert sympy.expand(r.symbolic - printed_18) == 0
    short = r.collect("l").xreplace(SHORT)
    printed_21 = (13 * d * n + 7 * d + f * n + l**2 * (4 * d * n + 5 * h * n)
                  + l * (8 * d**2 * n + 4 * d * f * n + 12 * d * n + 2 * d * v + 7 * d) + n * (2 * d * l + 2 * d))
    assert sympy.expand(short - printed_21) == 0
    assert short.coeff(l, 2) == 4 * d * n + 5 * h * n  # collected, not merely equal
    assert r.collect(l) == r.collect("l")
    assert r.leading("l") == l**2 * (4 * d_model * n_layers + 5 * n_heads * n_layers)
    assert r.leading(d_model) == 8 * d_model**2 * l * n_layers
    assert int(r.symbolic.xreplace(r.config.dims)) == r.total
    assert r.symbolic._repr_latex_().startswith("$\\displaystyle ") and "d_{model}" in r.symbolic._repr_latex_()


def test_symbolic_names_are_looked_up_not_parsed():
    with pytest.raises(ConfigError, match=r"^collect: 'l\+1' is not a dimension \(known: l, d_model"):
        model("seed-512").collect("l+1")
    with pytest.raises(ConfigError, match="is not a dimension"):
        model("seed-512").leading("__import__('os')")


def test_layer_reproduces_the_seed_per_layer_cells():
    # In [6], [8], [10], [12], [14], [16], [18], as printed
    assert layer("Embeddings", l, d_model, n_vocab).total == d_model * l
    assert layer("ScaledDotProductAttention", l, l, d_model, d_model).total == 4 * d_model * l**2 + 5 * l**2
    assert layer("MultiHeadAttention", l, l, d_model, d_model, d_model, n_heads).total == sympy.expand(
        8 * d_model**2 * l * n_heads + 4 * d_model * l**2 * n_heads + 5 * l**2 * n_heads)
    assert layer("PositionWiseFFN", l, d_model, d_ff, d_model).total == 4 * d_ff * d_model * l + d_ff + d_model
    assert layer("LayerNorm", l, d_model).total == 6 * d_model * l + 7 * d_model
    assert sympy.expand(layer("Block", l, d_model, d_ff, n_heads).total - (
        4 * d_ff * d_model * l + d_ff + 8 * d_model**2 * l + 4 * d_model * l**2 + 14 * d_model * l
        + 15 * d_model + 5 * l**2 * n_heads)) == 0
    # the corrected convention counts the softmax's '/ sum': one more l² per head
    assert sympy.expand(layer("ScaledDotProductAttention", l, l, d_model, d_model, convention="corrected").total
                        - layer("ScaledDotProductAttention", l, l, d_model, d_model).total) == l**2
    assert layer("Softmax", l, l).breakdown == {"x - max(x)": l**2, "e^x": l**2, "sum": l**2}
    assert layer("LayerNorm", l, d_model)._repr_latex_() == "$\\displaystyle 6 d_{model} l + 7 d_{model}$"


def test_layer_bad_input_is_one_line():
    for call, message in [
        (lambda: layer("Attention", l), "layer: 'Attention' is not a layer (known: Block, "),
        (lambda: layer("Block", l), "layer: Block takes (l, d_model, d_ff, n_heads): missing a required argument"),
        (lambda: layer("Block", "l", 1, 1, 1), "layer: Block: a dimension must be an int or a sympy expression"),
        (lambda: layer("Block", True, 1, 1, 1), "layer: Block: a dimension must be an int"),
        (lambda: layer(3), "layer: expected a name (str), got 3"),
    ]:
        with pytest.raises(ConfigError) as e:
            call()
        assert str(e.value).startswith(message), str(e.value)


# -- output ------------------------------------------------------------------------------


def test_print_and_json_are_the_cli_outputs(capsys):
    r = model("seed-512", convention="corrected", l=1024)
    _, table, _ = cli(capsys, "report", "seed-512", "--convention", "corrected", "--set", "l=1024")
    assert str(r) + "\n" == table  # print(r) prints the CLI's output
    _, out, _ = cli(capsys, "report", "seed-512", "--convention", "seed", "--format", "json",
                    "--group", "PositionWiseFFN,Embeddings")
    assert model("seed-512").group("PositionWiseFFN", "Embeddings").to_json() == out
    assert model("seed-512").to_dict()["total"] == 51_248_964_096
    _, md, _ = cli(capsys, "report", "seed-512", "--convention", "seed", "--format", "md")
    assert model("seed-512")._repr_markdown_() == md


def test_repr_is_short():
    assert repr(model("seed-512")) == ("<flopdocs Result: Seed 512, convention seed, forward, "
                                       "51,248,964,096 FLOPs>")


def test_html_shows_the_summary_and_every_row():
    r = model("seed-512")
    page = r._repr_html_()
    assert "<strong>51,248,964,096</strong> FLOPs (51.2 GFLOP)" in page
    assert page.count("<tr>") == 1 + sum(1 for _ in flopdocs.structure.tree.walk(r.tree))  # header + rows
    assert "<td style=\"text-align:left;padding-left:2.4em\">LayerNorms  (×2)</td>" in page
    assert "15,728,640,000" in page  # ProjectToVocab


def test_user_text_is_escaped_in_html_and_markdown():
    r = model({**TINY, "name": "<script>alert('x')</script> & co"})
    page = r._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in page
    assert "<script>" not in r._repr_markdown_() and "\\<script\\>" in r._repr_markdown_()
    rows = compare([{**TINY, "name": "<script>"}])
    assert "<script>" not in rows._repr_html_() and "&lt;script&gt;" in rows._repr_html_()
    assert "\\<script\\>" in rows._repr_markdown_()


def test_compare_rows():
    rows = compare(["seed-512", model("llama-2-7b", convention="corrected")],
                   conventions=["seed", "corrected"])
    assert [(r["model"], r["convention"], r["total"]) for r in rows] == [
        ("Seed 512", "seed", 51_248_964_096), ("Seed 512", "flopdocs", 51_279_076_352),
        ("Llama 2 7B", "seed", 63_017_270_915_072), ("Llama 2 7B", "flopdocs", 63_034_450_784_256)]
    assert rows[2]["params"] == 6_738_415_616 and rows[2]["per_token"] == 63_017_270_915_072 // 4096
    # a Result keeps its convention when none is given; overrides apply to every model
    kept = _compare([model("seed-512"), "seed-512"], N=2)  # a seed Result, then the default
    assert [(r["convention"], r["total"]) for r in kept] == [("seed", 2 * 51_248_964_096),
                                                            ("flopdocs", 2 * 51_279_076_352)]
    text = str(compare(["seed-512"]))
    assert text.splitlines()[2].split() == ["Seed", "512", "seed", "forward", "51,248,964,096",
                                            "100,095,633", "62,480,384", "62,480,384"]
    with pytest.raises(ConfigError, match="unknown convention 'x'"):
        compare(["seed-512"], conventions=["x"])
    with pytest.raises(InputTypeError, match="conventions: expected a list, got 'seed'"):
        compare(["seed-512"], conventions="seed")


def test_to_frame_without_pandas_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(ImportError, match=r"^to_frame\(\) needs pandas, which flopdocs does not install: "
                                          r"pip install pandas"):
        model("seed-512").to_frame()
    with pytest.raises(ImportError, match="needs pandas"):
        compare(["seed-512"]).to_frame()


def test_to_frame_with_pandas():
    pd = pytest.importorskip("pandas")
    frame = model("seed-512").to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["path", "name", "depth", "leaf", "flops", "share"]
    ffn = frame[frame["path"] == "Blocks > PositionWiseFFN > + b1"]
    assert ffn["flops"].tolist() == [24576]
    assert int(frame[frame["leaf"]]["flops"].sum()) == 51_248_964_096
    rows = compare(["seed-512", "seed-1024"]).to_frame()
    assert rows["total"].tolist() == [51_248_964_096, 1_872_788_667_392]
