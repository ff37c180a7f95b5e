"""`flopdocs table`: grids in order, rows equal to `report`, CSV and JSON lines that parse, bad input."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from flopdocs.counting.memory_rows import COLUMNS as MEMORY_COLUMNS
from hypothesis import given, settings, strategies as st

from flopdocs.cli import table
from flopdocs.config.catalogue import find, models
from flopdocs.cli.main import main
from flopdocs.config.config import parse
from flopdocs.counting.rows import COUNT_COLUMNS, KEY_COLUMNS, Counting, reference_row
from flopdocs.errors import ConfigError
from flopdocs.counting.modes import MODES, Options
from flopdocs.counting.grid import parse_grid, product
from flopdocs.structure.roles import ROLES
from flopdocs.cli.table import columns, sweeps
from flopdocs.structure.tree import share

SEED = "name: seed-check\nl: 512\nd_model: 512\nd_ff: 4096\nn_vocab: 30000\nn_layers: 6\nn_heads: 8\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_grid_size_and_order(capsys):
    # the example: no model, so the seed's; the product in flag order, last fastest
    code, out, err = run(capsys, "table", "--grid", "d_model=512,1024,2048", "--grid", "n_layers=12,24",
                         "--set", "l=2048")
    assert code == 0 and err == ""
    rows = csv_rows(out)
    assert [(r["d_model"], r["n_layers"]) for r in rows] == [
        ("512", "12"), ("512", "24"), ("1024", "12"), ("1024", "24"), ("2048", "12"), ("2048", "24")]
    assert {r["l"] for r in rows} == {"2048"} and {r["name"] for r in rows} == {"Seed 512"}
    assert list(rows[0]) == list(columns(Counting()))
    # d_head, not given, follows d_model / n_heads in every row
    assert [r["d_head"] for r in rows] == ["64", "64", "128", "128", "256", "256"]


@pytest.mark.parametrize("spec, values", [
    ("l=128..131072x2", [128 * 2**i for i in range(11)]),
    ("l=100..1000x3", [100, 300, 900]),
    ("n_layers=12..48+12", [12, 24, 36, 48]),
    ("n_layers=1..4", [1, 2, 3, 4]),
    ("d_model=2048,512,1..2", [2048, 512, 1, 2]),  # kept in the order given
    ("N=007", [7]),
])
def test_grid_values(spec, values):
    assert list(parse_grid(spec).values) == values


def test_a_long_range_is_not_materialised():
    axis = parse_grid("l=1..9007199254740992")
    assert isinstance(axis.values, range) and len(axis.values) == 2**53
    joined = parse_grid("l=5,1..9007199254740992,3").values
    assert len(joined) == 2**53 + 2 and (joined[0], joined[1], joined[2**53 + 1]) == (5, 1, 3)
    assert next(iter(product([parse_grid("d_model=8").values, axis.values]))) == (8, 1)
    assert list(table.check_size(1, [parse_grid("l=1..3")], yes=False) for _ in "x") == [3]


def test_a_row_equals_report(capsys):
    code, out, _ = run(capsys, "table", "llama-2-7b", "--grid", "n_kv_heads=8,32", "--grid", "l=2048,4096",
                       "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 4
    for line in lines:
        row = json.loads(line)
        code, rep, _ = run(capsys, "report", "llama-2-7b", "--set", f"n_kv_heads={row['n_kv_heads']}",
                           "--set", f"l={row['l']}", "--format", "json")
        report = json.loads(rep)
        assert row["total"] == report["total"]
        assert row["params_total"] == report["params"]["total"]
        assert row["params_non_embedding"] == report["params"]["non_embedding"]
        assert row["params_active"] == report["params"]["active"]
        assert all(row[f"share_{r}"] == share(v, report["total"]) for r, v in report["by_role"].items())
        assert all(row[k] == v for k, v in report["config"].items())
    # n_kv_heads 32 = n_heads is full attention: more K and V FLOPs than 8 groups
    assert json.loads(lines[2])["total"] > json.loads(lines[0])["total"]


def test_csv_parses_and_equals_the_json_lines(capsys):
    _, text, _ = run(capsys, "table", "--all", "--set", "N=3")
    _, lines, _ = run(capsys, "table", "--all", "--set", "N=3", "--format", "jsonl")
    rows, objs = csv_rows(text), [json.loads(x) for x in lines.splitlines()]
    assert len(rows) == len(objs) == len(models())
    for r, o in zip(rows, objs):
        assert list(r) == list(o)
        for k, v in o.items():
            want = "" if v is None else ("true" if v is True else "false" if v is False else str(v))
            assert r[k] == want, k
        assert float(r["share_ffn"]) == o["share_ffn"]  # floats written to round-trip


def test_json_lines_round_trip(capsys):
    _, out, _ = run(capsys, "table", "--all", "--format", "jsonl", "--convention", "corrected")
    for line, cfg in zip(out.splitlines(), models()):
        obj = json.loads(line)
        assert json.dumps(obj) == line  # written as json.dumps writes it
        assert obj == reference_row(cfg, Counting("corrected"))


def test_every_catalogue_model_under_every_convention_equals_its_reference():
    axes = [parse_grid("l=100,512"), parse_grid("n_layers=1,7")]  # l within every max_positions
    splits = ("dense_layers", "window_layers", "nope_layers")
    split = [m for m in models() if any(k in m.knobs for k in splits)]
    for convention in ("seed", "corrected"):
        counting = Counting(convention)
        for sweep in sweeps([m for m in models() if m not in split], axes, {}, counting):
            for combo, row in zip(product([a.values for a in axes]), sweep.rows()):
                assert row == reference_row(sweep.config(combo), counting)
        # a stack whose blocks differ: one block of each kind, the rest global and routed
        for m in split:
            sets = {k: 1 for k in splits if k in m.knobs}
            for sweep in sweeps([m], [axes[0], parse_grid("n_layers=3,7")], sets, counting):
                for combo, row in zip(product([axes[0].values, (3, 7)]), sweep.rows()):
                    assert row == reference_row(sweep.config(combo), counting)


def test_reference_shares_are_the_report_shares():
    for cfg in models()[:8]:
        row = reference_row(cfg, Counting())
        from flopdocs.counting.analysis import analyse

        a = analyse(cfg)
        assert [row[f"share_{r}"] for r in ROLES] == [share(a.by_role[r], a.total) for r in ROLES]


@st.composite
def bases_and_grids(draw):
    """A random base (every knob drawn) and a small grid over the keys that change structure."""
    heads = draw(st.sampled_from([4, 8, 12]))
    data = dict(name="b", l=draw(st.integers(1, 64)), d_model=heads * draw(st.integers(1, 16)),
                d_ff=draw(st.integers(1, 128)), n_vocab=draw(st.integers(1, 999)),
                n_layers=draw(st.integers(1, 4)), n_heads=heads,
                architecture=draw(st.sampled_from(["decoder", "encoder", "encoder-decoder"])),
                ffn=draw(st.sampled_from(["relu", "swiglu"])), norm=draw(st.sampled_from(["layernorm", "rmsnorm"])),
                position=draw(st.sampled_from(["learned", "rope", "alibi", "relative", "t5-relative", "none"])),
                attn_bias=draw(st.booleans()))
    axes = {"l": [1, 7, 64], "N": [1, 2]}
    if draw(st.booleans()):
        axes["n_kv_heads"] = [1, 2, 4]
    if draw(st.booleans()):
        axes["d_head"] = [1, 4, 8]  # 4 and 8 times some head counts are d_model: not explicit
    if draw(st.booleans()):
        data["n_experts"], data["experts_per_token"] = 4, 2
        axes["d_ff_expert"] = [draw(st.integers(1, 128)), data["d_ff"]]
    if data["architecture"] == "encoder-decoder":
        if draw(st.booleans()):
            axes["l_src"] = [3, 64]
        if draw(st.booleans()):
            data["n_decoder_layers"] = 2
    elif draw(st.booleans()):
        axes["window"] = [7, 64]  # below, at and above l: windowed or not, by row
    keys = draw(st.permutations(list(axes)))
    return data, [table.Axis(k, axes[k], k) for k in keys[:4]]


@settings(max_examples=20, deadline=None)
@given(bases_and_grids(), st.sampled_from(["seed", "corrected"]))
def test_random_grids_equal_the_reference_row_by_row(base_and_axes, convention):
    data, axes = base_and_axes
    counting = Counting(convention)
    (sweep,) = sweeps([parse(data, "<base>")], axes, {}, counting)
    rows = list(sweep.rows())
    assert len(rows) == len(sweep)
    for combo, row in zip(product([a.values for a in axes]), rows):
        cfg = parse({**data, **dict(zip((a.key for a in axes), combo))}, "<row>")
        assert row == reference_row(cfg, counting)
    # and as written: each format's template puts each value in its column
    for fmt in ("jsonl", "csv"):
        buf = io.StringIO()
        assert table.write(buf, [sweep], fmt) == len(rows)
        written = ([json.loads(x) for x in buf.getvalue().splitlines()] if fmt == "jsonl"
                   else csv_rows(buf.getvalue()))
        expect = rows if fmt == "jsonl" else [{k: ("" if v is None else str(v).lower() if isinstance(v, bool)
                                                   else str(v)) for k, v in r.items()} for r in rows]
        assert written == expect


@settings(max_examples=40, deadline=None)
@given(bases_and_grids(), st.sampled_from(["seed", "flopdocs"]), st.sampled_from(MODES),
       st.builds(Options, scores=st.sampled_from(["dense", "exact", "half"]), macs=st.booleans(),
                 recompute=st.sampled_from(["full", "selective"]), prompt=st.none() | st.integers(1, 80),
                 context=st.none() | st.integers(0, 80), generate=st.none() | st.integers(1, 80)))
def test_every_mode_equals_the_reference_row_by_row(base_and_axes, convention, mode, options):
    data, axes = base_and_axes
    if data["position"] == "learned":  # a table with a row for every prompt and cache position drawn
        data = {**data, "max_positions": 256}
    counting = Counting(convention, mode, options)
    refused = data["architecture"] == "encoder" and mode in ("decode", "generate")
    if refused:  # before any row is written
        with pytest.raises(ConfigError, match=f"mode {mode}"):
            sweeps([parse(data, "<base>")], axes, {}, counting)
        return
    (sweep,) = sweeps([parse(data, "<base>")], axes, {}, counting)
    for combo, row in zip(product([a.values for a in axes]), sweep.rows()):
        cfg = parse({**data, **dict(zip((a.key for a in axes), combo))}, "<row>")
        assert row == reference_row(cfg, counting)


def test_modes_in_the_table_equal_report(capsys):
    """The mode's numbers are columns; each row is what report prints for that config."""
    argv = ["mistral-7b-v0-1", "--grid", "l=1024,8192", "--mode", "generate", "--generate", "1000"]
    code, out, err = run(capsys, "table", *argv, "--format", "jsonl")
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [(r["l"], r["prompt"], r["generate"], r["mode"]) for r in rows] == [
        (1024, 1024, 1000, "generate"), (8192, 8192, 1000, "generate")]
    for r in rows:
        code, out, err = run(capsys, "report", "mistral-7b-v0-1", "--set", f"l={r['l']}", "--mode", "generate",
                             "--generate", "1000", "--format", "json")
        report = json.loads(out)
        assert (r["total"], r["per_token"]) == (report["total"], report["per_token"])
    # 8,192-token prompt + 1,000 decode steps under the 4,096-token window: 168,507,754,502,584
    assert rows[1]["total"] == 168_507_754_502_584
    # a prompt shorter than the window is not windowed, though the run's l is longer
    for argv in (["--mode", "prefill", "--prompt", "1000", "--scores", "exact"],
                 ["--mode", "decode", "--context", "100", "--scores", "exact"]):
        code, out, err = run(capsys, "table", "mistral-7b-v0-1", "--set", "l=8192", *argv, "--format", "jsonl")
        (row,) = [json.loads(x) for x in out.splitlines()]
        code, out, err = run(capsys, "report", "mistral-7b-v0-1", "--set", "l=8192", *argv, "--format", "json")
        assert (row["total"], row["per_token"]) == (json.loads(out)["total"], json.loads(out)["per_token"])


def test_closed_forms_count_every_model_they_can(capsys):
    """``--all`` under a closed form: each dense model's row is the reference's; the
    models it refuses are named on stderr, one line each."""
    code, out, err = run(capsys, "table", "--all", "--convention", "kaplan", "--mode", "training")
    rows = csv_rows(out)
    assert code == 0
    skipped = [line.removeprefix("flopdocs table: skipped ").split(": ")[0] for line in err.splitlines()]
    moe = ["DeepSeek-V3", "GLM-4.5", "gpt-oss-120b", "gpt-oss-20b", "Kimi K2", "Llama 4 Maverick",
           "Llama 4 Scout", "Mixtral 8x7B", "Qwen3 235B-A22B", "Qwen3 30B-A3B"]
    assert skipped == [*moe, "T5 base", "T5 large", "Transformer base", "Transformer big"]
    assert len(rows) + len(skipped) == len(models())
    counting = Counting("kaplan", "training")
    by_name = {c.name: c for c in models()}
    for r in rows:
        ref = reference_row(by_name[r["name"]], counting)
        assert r["total"] == str(ref["total"]) and r["per_token"] == str(ref["per_token"])
        assert r["share_ffn"] == repr(ref["share_ffn"])  # Kaplan's terms each have a role
    gpt3 = next(r for r in rows if r["name"] == "GPT-3 175B")
    # Kaplan's Table 1 total (non-embedding) per token: 2N + 2·n_layer·n_ctx·d_attn (the embed
    # and de-embed rows left out); x3 for training: 3·(347,892,350,976 + 4,831,838,208)
    # = 1,058,172,567,552
    n = 12 * 96 * 12288 ** 2  # Kaplan's N (non-embedding, no biases or norms)
    assert int(gpt3["per_token"]) == 3 * (2 * n + 2 * 96 * 2048 * 12288) == 1_058_172_567_552
    assert gpt3["exclude"] == "embedding,lm-head"
    # PaLM's 6·P term mixes roles: no shares, an empty cell (null in JSON lines)
    code, out, err = run(capsys, "table", "palm-540b", "--convention", "palm", "--format", "jsonl")
    (palm,) = [json.loads(x) for x in out.splitlines()]
    assert palm["share_ffn"] is None and palm["total"] == reference_row(find("palm-540b"), Counting("palm"))["total"]


def test_a_yaml_list_of_configs(capsys, tmp_path):
    p = tmp_path / "two.yaml"
    p.write_text("- " + SEED.replace("\n", "\n  ").rstrip() + "\n- " +
                 SEED.replace("seed-check", "wide").replace("d_model: 512", "d_model: 1024").replace("\n", "\n  ").rstrip()
                 + "\n")
    code, out, err = run(capsys, "table", str(p), "--grid", "N=1,2", "--convention", "seed")
    assert code == 0, err
    rows = csv_rows(out)
    assert [(r["name"], r["d_model"], r["N"]) for r in rows] == [
        ("seed-check", "512", "1"), ("seed-check", "512", "2"), ("wide", "1024", "1"), ("wide", "1024", "2")]
    assert rows[0]["total"] == "51248964096" and rows[1]["total"] == str(2 * 51248964096)
    one = tmp_path / "one.yaml"
    one.write_text(SEED)
    assert csv_rows(run(capsys, "table", str(one), "seed-1024")[1])[1]["name"] == "Seed 1024"


BAD = [
    (["--grid", "l="], "--grid l=: l: no values"),
    (["--grid", "l=1,,2"], "an empty value between commas"),
    (["--grid", "l=1.5"], "--grid l=1.5: l: must be a whole number, got '1.5'"),
    (["--grid", "l=abc"], "l: must be a whole number, got 'abc'"),
    (["--grid", "l=0"], "l: must be at least 1, got 0"),
    (["--grid", "l=-4"], "l: must be a whole number, got '-4'"),
    (["--grid", "l=" + "9" * 30], "l: must be at most 2**53"),
    (["--grid", "l=9007199254740993"], "l: must be at most 2**53 = 9007199254740992, got '9007199254740993'"),
    (["--grid", "l=64..8"], "64..8: an empty range"),
    (["--grid", "l=5..4"], "5..4: an empty range"),
    (["--grid", "l=8..64x1"], "a geometric range needs a factor of at least 2"),
    (["--grid", "l"], "--grid l: expected key=values"),
    (["--grid", "ffn=relu"], "ffn: not a whole-number key"),
    (["--grid", "name=1"], "name: not a whole-number key"),
    (["--grid", "bogus=1"], "bogus: unknown key"),
    (["--grid", "l=1", "--grid", "l=2"], "--grid l: given twice"),
    (["--grid", "l=1", "--set", "l=2"], "l is also given by --set"),
    (["--grid", "n_heads=7,8"], "with --grid n_heads=7: d_model: 512 is not divisible by n_heads=7"),
    (["--grid", "n_kv_heads=3"], "n_kv_heads: 3 must divide n_heads=8"),
    # the structure does not read experts_per_token: the rules across keys do
    (["mixtral-8x7b", "--grid", "experts_per_token=1,2,9"], "experts_per_token: 9 is more than n_experts=8"),
    (["--grid", "l=1..100000", "--grid", "d_model=1..1001"], "100,100,000 rows is over 10**8; add --yes"),
    (["--set", "l=x"], "l: must be a whole number"),
    (["nope-7b", "--grid", "l=1"], "nope-7b: unknown model"),
    (["--convention", "gopher", "--grid", "l=1"], "unknown convention 'gopher'"),
    (["--convention", "palm", "--mode", "decode", "--grid", "l=1"],
     "--mode: the palm convention does not define mode decode (it defines forward, training, prefill)"),
    (["--convention", "kaplan", "--scores", "exact", "--grid", "l=1"], "--scores and --macs apply to the tree conventions"),
    (["--mode", "decoding", "--grid", "l=1"], "--mode: must be one of forward, training"),
    (["--mode", "training-recompute", "--recompute", "some"], "--recompute: must be one of full, selective"),
    (["--mode", "generate", "--generate", "0"], "--generate: must be at least 1"),
    (["mixtral-8x7b", "--convention", "palm", "--grid", "l=1"], "palm: PaLM's Appendix B counts a dense model"),
    (["bert-base", "--mode", "decode"], "mode decode: an encoder does not generate tokens one at a time"),
    (["transformer-base", "--mode", "prefill", "--convention", "6N"],
     "mode prefill of an encoder-decoder is counted by the tree conventions, not by 6N"),
    # the prompt is the run's length: the learned table of GPT-2 has 1,024 rows
    (["gpt-2-small", "--mode", "prefill", "--prompt", "2048", "--grid", "l=1"],
     "--prompt 2048: more than max_positions=1024"),
    (["--mode", "prefill", "--dtype-bytes", "4"], "unrecognized arguments: --dtype-bytes"),
    # positions past a learned table, under a closed form too (report refuses them the same way)
    (["gpt-2-small", "--convention", "kaplan", "--mode", "prefill", "--prompt", "2000"],
     "--prompt 2000: more than max_positions=1024"),
    (["gpt-2-small", "--mode", "decode", "--context", "1024"],
     "--context 1024 and the new token (1025 positions): more than max_positions=1024"),
    (["gpt-2-small", "--convention", "6N", "--mode", "generate", "--prompt", "1025"],
     "--prompt 1025: more than max_positions=1024"),
    (["--format", "xml", "--grid", "l=1"], "invalid choice: 'xml'"),
    ([], "table: give a model, --all, a YAML file of configs, or a --grid"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, argv, message):
    code, out, err = run(capsys, "table", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


@pytest.mark.parametrize("name", ['Comma, "quoted" model', "100% model", "  spaced  ", "模型 7B"])
def test_names_that_need_quoting_or_escaping(capsys, tmp_path, name):
    p = tmp_path / "m.yaml"
    p.write_text(SEED.replace("name: seed-check", f"name: {json.dumps(name)}"), encoding="utf-8")
    _, text, _ = run(capsys, "table", str(p), "--grid", "l=1,2")
    _, lines, _ = run(capsys, "table", str(p), "--grid", "l=1,2", "--format", "jsonl")
    assert [r["name"] for r in csv_rows(text)] == [name.strip()] * 2
    assert [json.loads(x)["name"] for x in lines.splitlines()] == [name.strip()] * 2
    assert [r["l"] for r in csv_rows(text)] == ["1", "2"]


def test_a_bad_row_anywhere_in_the_grid_writes_nothing(capsys):
    # only the last combination is bad (n_kv_heads 3 does not divide 8): nothing is written
    code, out, err = run(capsys, "table", "--grid", "d_model=512,1024", "--grid", "n_kv_heads=1,2,4,3")
    assert code == 2 and out == ""
    assert "with --grid d_model=512 --grid n_kv_heads=3: n_kv_heads: 3 must divide n_heads=8" in err


def test_a_row_whose_count_is_not_whole_writes_nothing(capsys):
    """Only counting finds it (half of the l·l scores with odd l, one head, one layer: 9/2
    for l = 3): every row is counted before the header is written."""
    argv = ["table", "--set", "n_heads=1", "--set", "n_layers=1", "--scores", "half"]
    code, out, err = run(capsys, *argv, "--grid", "l=2..8194+2,3")  # 4,097 good rows, then l = 3
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "with --set with --grid l=3: '/ sqrt(d_k)' evaluates to 9/2, not a whole number" in err
    code, out, err = run(capsys, *argv, "--grid", "l=2..8194+2")
    assert code == 0 and len(csv_rows(out)) == 4097


def test_all_skips_what_the_convention_refuses_after_set(capsys):
    # --set max_positions=4096 lets GPT-2 and BERT take a 2,000-token prompt: none is skipped for it
    code, out, err = run(capsys, "table", "--all", "--mode", "prefill", "--prompt", "2000",
                         "--set", "max_positions=4096")
    assert code == 0 and err == ""  # the encoder-decoders' prefill too
    # 6N's closed form does not serve an encoder-decoder: those are skipped, each named
    code, out, err = run(capsys, "table", "--all", "--mode", "prefill", "--prompt", "2000",
                         "--convention", "6N", "--set", "max_positions=4096")
    assert code == 0 and "max_positions" not in err
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        f"skipped {m}" for m in ("T5 base", "T5 large", "Transformer base", "Transformer big")]
    # every model a mixture of experts: Kaplan counts none of them, one line, exit 2
    code, out, err = run(capsys, "table", "--all", "--convention", "kaplan", "--set", "n_experts=8",
                         "--set", "experts_per_token=2")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == ("flopdocs: error: --all: the kaplan convention in mode forward counts "
                                    "none of the catalogue's models (each is named above)")


@pytest.mark.parametrize("text, message", [
    ("[]\n", "an empty list: no configs"),
    ("- " + SEED.replace("\n", "\n  ").rstrip() + "\n- {name: x}\n", "config 2: l: missing required key"),
    ("7\n", "expected a mapping"),
])
def test_bad_list_files(capsys, tmp_path, text, message):
    p = tmp_path / "list.yaml"
    p.write_text(text)
    code, out, err = run(capsys, "table", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_more_than_the_limit_needs_yes():
    axes = [parse_grid("l=1..100000"), parse_grid("d_model=1..1001")]
    assert table.check_size(1, axes, yes=True) == 100_100_000
    with pytest.raises(table.ConfigError):
        table.check_size(1, axes, yes=False)


def test_progress_bar_only_for_a_large_sweep_into_a_pipe(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(table, "PROGRESS_ROWS", 3)
    err, out = Tty(), io.StringIO()
    bar = table.progress_for(5, stdout=out, stderr=err)
    assert bar is not None
    assert table.progress_for(2, stdout=out, stderr=err) is None  # small
    assert table.progress_for(5, stdout=Tty(), stderr=err) is None  # stdout is a terminal
    assert table.progress_for(5, stdout=out, stderr=io.StringIO()) is None  # nobody watches stderr
    n = table.write(out, sweeps([find("seed-512")], [parse_grid("l=1..5")], {}, Counting()), "csv", bar, chunk=2)
    assert n == 5 and len(out.getvalue().splitlines()) == 6
    assert "of 5 rows" in err.getvalue() and err.getvalue().endswith("\r\033[K")


def test_a_closed_pipe_ends_quietly():
    p = subprocess.Popen([sys.executable, "-m", "flopdocs", "table", "--grid", "l=1..2000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline().startswith(b"name,convention,")
    p.stdout.close()  # as `| head -1` does
    assert p.wait(timeout=60) == 141  # what a shell reports for SIGPIPE (as report does)
    assert p.stderr.read() == b""


def test_report_and_table_import_no_site_machinery():
    code = ("import sys, io, contextlib\n"
            "from flopdocs.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['report', 'seed-512', '--format', 'json']) == 0\n"
            "    assert main(['table', '--grid', 'l=1,2']) == 0\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'mkdocs', 'jinja2', 'material', 'markdown', 'pymdownx'}))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_columns_are_the_keys_and_counts():
    cols = columns(Counting())
    assert cols[:5] == ("name", "convention", "mode", "scores", "macs")
    assert cols[5:5 + len(KEY_COLUMNS)] == KEY_COLUMNS
    n = len(MEMORY_COLUMNS)
    assert cols[-n - len(COUNT_COLUMNS):-n] == COUNT_COLUMNS and cols[-n:] == MEMORY_COLUMNS
    # the flags that apply, and the mode's own numbers between the keys and the counts
    assert columns(Counting("seed", "training-recompute"))[:6] == (
        "name", "convention", "mode", "scores", "macs", "recompute")
    assert columns(Counting("kaplan"))[:5] == ("name", "convention", "mode", "exclude", "l")
    assert columns(Counting("palm"))[:4] == ("name", "convention", "mode", "l")
    for mode, numbers in (("prefill", ("prompt",)), ("decode", ("context",)), ("generate", ("prompt", "generate"))):
        cols = columns(Counting(mode=mode))
        assert cols[5 + len(KEY_COLUMNS):-len(COUNT_COLUMNS) - len(MEMORY_COLUMNS)] == numbers
    assert [c for c in cols if c.startswith("share_")] == [f"share_{r}" for r in ROLES]


def test_finding_a_model_by_slug_reads_one_file():
    from flopdocs.config import catalogue

    catalogue.models.cache_clear()
    assert catalogue.find("gpt-3-175b").name == "GPT-3 175B"
    assert catalogue.find("GPT-3-175B").name == "GPT-3 175B"
    assert catalogue.models.cache_info().currsize == 0  # the cold report's start-up
    assert catalogue.find("GPT-3 175B").name == "GPT-3 175B"  # a name: the whole catalogue
    assert catalogue.models.cache_info().currsize == 1


def test_a_forward_sweep_does_not_check_each_length_again():
    """Checks read only what the mode needs: a forward sweep over 1,000 lengths of the seed's
    model (no window, no given max_positions) has one structure, read from no axis; a
    prefill reads l (its prompt defaults to l)."""
    (sweep,) = sweeps([find("seed-512")], [parse_grid("l=1..1000")], {}, Counting())
    assert sweep.structure.indices == ()
    (sweep,) = sweeps([find("gpt-2-small")], [parse_grid("l=1..4")], {}, Counting(mode="prefill"))
    assert sweep.structure.indices == (0,)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x", "y")', "+1+2", "-2+3", "@SUM(A1)"])
def test_a_name_a_spreadsheet_would_run_is_written_as_text(capsys, tmp_path, name):
    p = tmp_path / "m.yaml"
    p.write_text(SEED.replace("name: seed-check", f"name: {json.dumps(name)}"), encoding="utf-8")
    _, text, _ = run(capsys, "table", str(p), "--grid", "l=1,2")
    assert [r["name"] for r in csv_rows(text)] == ["'" + name] * 2  # a leading ' : text, not a formula
    _, lines, _ = run(capsys, "table", str(p), "--grid", "l=1,2", "--format", "jsonl")
    assert [json.loads(x)["name"] for x in lines.splitlines()] == [name] * 2  # JSON is data: as given


@pytest.mark.parametrize("argv", [
    ["--grid", "d_model=8..800+8", "--grid", "n_layers=1,2"],
    ["llama-2-7b", "--grid", "n_kv_heads=1,2,4,8,32", "--grid", "l=1..40"],
    ["--mode", "decode", "--grid", "l=2..60", "--grid", "d_model=64,128"],
    ["--mode", "generate", "--generate", "3", "--grid", "l=2..30", "--format", "jsonl"],
    ["bert-base", "--grid", "l=2..90", "--convention", "kaplan"],
])
def test_rows_computed_per_row_are_the_tabulated_ones(capsys, monkeypatch, argv):
    """A default read from a long axis is worked out per row (no table of every value up
    front); the rows are byte for byte the tabulated ones."""
    from flopdocs.counting import determined

    code, tabulated, _ = run(capsys, "table", *argv)
    monkeypatch.setattr(determined, "TABULATED", 4)
    code2, per_row, _ = run(capsys, "table", *argv)
    assert code == code2 == 0 and per_row == tabulated and len(tabulated.splitlines()) > 25


def test_a_bad_row_of_a_streamed_grid_ends_it_with_one_line(capsys, monkeypatch):
    from flopdocs.counting import determined

    argv = ["table", "--grid", "d_model=8..800+8,12"]  # 100 good rows, then 12 (not divisible by 8 heads)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and "d_model" in err  # checked up front
    monkeypatch.setattr(determined, "TABULATED", 4)
    code, out, err = run(capsys, *argv)
    assert code == 2 and len(csv_rows(out)) == 100 and err.count("\n") == 1 and "d_model" in err, err


def test_a_grid_of_ten_million_streams_at_once_in_bounded_memory():
    """The review's case: every row has its own d_head (d_model / 8); 10**7 rows once took
    334 s before the first and died at 2 GB.  Now the first rows come at once, and the
    memory stays flat while 20,000 rows stream."""
    import time

    p = subprocess.Popen([sys.executable, "-m", "flopdocs", "table", "--grid", "d_model=8..80000000+8"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        start = time.monotonic()
        header, first = p.stdout.readline(), p.stdout.readline()
        took = time.monotonic() - start
        assert header.startswith("name,") and ",8,4096," in first and took < 20, (took, p.stderr.read())
        for _ in range(20_000):
            p.stdout.readline()
        with open(f"/proc/{p.pid}/status") as f:
            rss_kb = int(next(line for line in f if line.startswith("VmRSS")).split()[1])
        assert rss_kb < 300_000, rss_kb
    finally:
        p.kill()
        p.wait()


def test_a_list_of_200000_aliases_is_refused_quickly(capsys, tmp_path):
    """1 MB of YAML standing for 200,000 configs (one anchored, the rest aliases): once
    1.6 GB and 70 s; the aliases count toward the 1 MiB cap, refused as they are read."""
    import time

    p = tmp_path / "aliases.yaml"
    p.write_text("- &a {name: x, l: 8, d_model: 8, d_ff: 8, n_vocab: 10, n_layers: 1, n_heads: 1}\n"
                 + "- *a\n" * 200_000)
    start = time.monotonic()
    code, out, err = run(capsys, "table", str(p))
    assert code == 2 and out == "" and "its aliases expand to more than 1 MiB" in err
    assert time.monotonic() - start < 20
