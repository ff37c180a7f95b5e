"""`flopdocs report` and `flopdocs list`, good and bad input, through the real entry point."""
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flopdocs.counting.analysis import analyse
from flopdocs.config.catalogue import find
from flopdocs.cli.main import main
from flopdocs.structure.tree import walk

SEED = "name: seed-check\nl: 512\nd_model: 512\nd_ff: 4096\nn_vocab: 30000\nn_layers: 6\nn_heads: 8\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seed_file(tmp_path):
    p = tmp_path / "seed.yaml"
    p.write_text(SEED)
    return p


def test_json_shape_and_total(capsys, seed_file):
    code, out, err = run(capsys, "report", str(seed_file), "--convention", "seed", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["name", "convention", "mode", "rules", "config", "total", "per_token",
                          "breakdown", "fractions", "params", "by_kind", "by_role", "memory",
                          "memory_rules"]
    assert data["mode"] == "forward" and data["rules"] == {"scores": "dense", "macs": False}
    assert data["per_token"] == 51248964096 // 512 == 100_095_633
    # by_kind.matmul is the seed's matmul operations summed: per layer Q, K, V, O
    # 4 * 2*512*512*512 = 1,073,741,824, Q*K.T and *V 2 * 8 heads * 2*512*64*512 = 536,870,912,
    # W1 and W2 2 * 2*512*512*4096 = 4,294,967,296 -> 5,905,580,032, x 6 = 35,433,480,192;
    # the LM head 2*512*512*30000 = 15,728,640,000: 51,162,120,192
    assert data["by_kind"]["matmul"] == 35_433_480_192 + 15_728_640_000 == 51_162_120_192
    matmuls = [n.value for _, n in walk(analyse(find("seed-512")).tree) if n.op and n.op.form == "matmul"]
    assert data["by_kind"]["matmul"] == sum(matmuls)
    assert sum(data["by_kind"].values()) == sum(data["by_role"].values()) == data["total"]
    # the seed's non-matmul work: LayerNorm, softmax, scale, mask, residuals, embedding addition
    assert data["by_role"]["lm-head"] == 15_728_640_000
    assert data["by_role"]["residual"] == 6 * 2 * 512 * 512
    # X_word 30000*512 + X_pos 512*512 + LM head 30000*512 + final norm 1024
    # + 6 blocks x (norms 2048 + attention 4*512^2 + FFN 2*512*4096 + 4096 + 512)
    assert data["params"] == {"total": 62480384, "non_embedding": 31498240, "active": 62480384}
    assert data["total"] == 51248964096
    assert '"total": 51248964096' in out
    assert data["config"] == {"l": 512, "d_model": 512, "d_ff": 4096, "n_vocab": 30000,
                              "n_layers": 6, "n_heads": 8, "N": 1}
    assert data["breakdown"]["Blocks"]["MultiHeadAttention"]["Q * WQ"] == 1610612736
    assert "1610612736.0" not in out  # the seed printed a float; we print an int
    assert data["fractions"]["ProjectToVocab"] == pytest.approx(0.3069064961105746, abs=1e-12)


def test_catalogue_name_and_group(capsys):
    code, out, _ = run(capsys, "report", "--convention", "seed", "seed-1024", "--format", "json",
                       "--group", "Embeddings,PositionWiseFFN")
    assert code == 0
    data = json.loads(out)
    # grouped keys hold their sums: 2048 * 1024 for the embeddings
    assert data["breakdown"]["Embeddings"] == 2097152
    assert data["breakdown"]["Blocks"]["PositionWiseFFN"] == 24 * (4 * 2048 * 4096 * 1024 + 4096 + 1024)
    assert data["fractions"]["Embeddings"] == pytest.approx(1.119801735515862e-06, abs=1e-12)


def test_set_overrides_a_dimension(capsys, seed_file):
    code, out, _ = run(capsys, "report", "--convention", "seed", str(seed_file), "--set", "n_vocab=1", "--set", "N=2",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    # ProjectToVocab drops from 2*512*512*30000 to 2*512*512*1; then x2 sequences
    assert data["total"] == 2 * (51248964096 - 2 * 512 * 512 * 29999)
    assert data["config"]["N"] == 2


def test_table_has_human_suffix(capsys):
    code, out, _ = run(capsys, "report", "--convention", "seed", "Seed 512")
    assert code == 0
    assert "51.2 GFLOP" in out
    assert "51,248,964,096" in out
    assert "Q * WQ" in out


def test_table_labels_each_repeated_subtree_with_its_repetition(capsys):
    # seed-512: 6 blocks, each with repeat(LayerNorm, 2) and 8 heads of attention; the
    # rows show all N sequences' FLOPs, so a reader needs the factor to read them per unit.
    code, out, _ = run(capsys, "report", "--convention", "seed", "seed-512")
    assert code == 0
    assert re.findall(r"^ +(\S+)  \(×(\d+)\)", out, re.M) == [
        ("Blocks", "6"), ("LayerNorms", "2"), ("ScaledDotProductAttention", "8")]
    # the heads' row: per head and layer QK^T (2·l²·d_k = 2·512²·64 = 33,554,432) + scale,
    # mask and 3 softmax steps (5·l² = 1,310,720) + AV (33,554,432) = 68,419,584;
    # x 8 heads x 6 layers = 3,284,140,032, 6.4082% of 51,248,964,096 (3.28 GFLOP)
    assert re.search(r"^      ScaledDotProductAttention  \(×8\) +3,284,140,032 +6\.4082% +3\.28 GFLOP$",
                     out, re.M), out


def test_set_on_a_catalogue_model_keeps_its_metadata():
    # `report NAME --set k=v` rebuilds the config from its data: the name, source, notes
    # and published count (the model page shows them) must survive, only k changes.
    from dataclasses import replace

    from flopdocs.config import catalogue
    from flopdocs.config.config import parse

    for cfg in catalogue.models():
        assert replace(parse(cfg.as_data(), cfg.origin), origin=cfg.origin) == cfg, cfg.name
        shorter = cfg.with_values({"l": cfg["l"] // 2}, "<--set>")
        assert (shorter.name, shorter.source, shorter.notes, shorter.params_published, shorter.knobs) == \
            (cfg.name, cfg.source, cfg.notes, cfg.params_published, cfg.knobs), cfg.name
        assert shorter["l"] == cfg["l"] // 2
    gpt2 = catalogue.find("gpt-2-small").with_values({"l": 512}, "<--set>")
    assert gpt2.notes.startswith("The paper's Table 2 prints 117M; the released checkpoint has exactly")


def test_markdown_and_csv(capsys):
    _, md, _ = run(capsys, "report", "--convention", "seed", "seed-512", "--format", "md")
    assert "| operation | FLOPs | share |" in md
    assert "15,728,640,000" in md  # ProjectToVocab
    _, out, _ = run(capsys, "report", "--convention", "seed", "seed-512", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    by_path = {r["path"]: r for r in rows}
    assert by_path[""]["flops"] == "51248964096"
    assert by_path["Blocks > MultiHeadAttention > Q * WQ"]["flops"] == "1610612736"
    assert by_path["Blocks > MultiHeadAttention > Q * WQ"]["leaf"] == "1"
    leaf_sum = sum(int(r["flops"]) for r in rows if r["leaf"] == "1")
    assert leaf_sum == 51248964096


def test_list_shows_the_seed_configs(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for slug in ("seed-512", "seed-1024", "seed-8192"):
        assert slug in out
    assert "51.3 GFLOP" in out  # the flopdocs count of seed-512, 51,279,076,352


BAD = [
    ("missing key", SEED.replace("n_heads: 8\n", ""), "n_heads: missing required key"),
    ("unknown key", SEED + "n_expertz: 8\n", "n_expertz: unknown key"),
    ("float", SEED.replace("l: 512", "l: 512.5"), "l: must be a whole number"),
    ("bool", SEED.replace("n_layers: 6", "n_layers: true"), "n_layers: must be a whole number"),
    ("zero", SEED.replace("n_layers: 6", "n_layers: 0"), "n_layers: must be at least 1"),
    ("negative", SEED.replace("d_ff: 4096", "d_ff: -1"), "d_ff: must be at least 1"),
    ("string number", SEED.replace("l: 512", "l: '512'"), "l: must be a whole number, got '512'"),
    ("expression", SEED.replace("l: 512", "l: 2**9"), "l: must be a whole number"),
    ("malformed", SEED + "d_model: [\n", "malformed YAML"),
    ("not a mapping", "- 1\n- 2\n", "expected a mapping"),
    ("indivisible", SEED.replace("n_heads: 8", "n_heads: 7"), "d_model: 512 is not divisible by n_heads=7"),
    # a key given twice: PyYAML alone keeps the last one silently
    ("duplicate key", SEED + "l: 1024\n", "l: given twice (lines 2 and 8)"),
    # 5000 digits: Python refuses to read ints of more than 4300 digits (sys.int_info)
    ("too long to read", SEED.replace("l: 512", "l: " + "9" * 5000), "a number is too long to read"),
    # 2**53 + 1: beyond MAX_INT
    ("too large", SEED.replace("l: 512", "l: 9007199254740993"),
     "l: must be at most 2**53 = 9007199254740992, got 9007199254740993"),
    # YAML 1.1 would read these as 512 (hex) and 512 (base 60: 8 * 60 + 32), 8 (octal)
    ("hex", SEED.replace("l: 512", "l: 0x200"), "line 2, column 4: '0x200': write whole numbers in decimal"),
    ("base 60", SEED.replace("l: 512", "l: 8:32"), "'8:32': write whole numbers in decimal"),
    ("octal", SEED.replace("l: 512", "l: 010"), "'010': write whole numbers in decimal"),
    ("deep nesting", "a: " + "[" * 20000 + "]" * 20000 + "\n", "malformed YAML: nested too deeply"),
    # nine levels of nine aliases stand for 9**9 items: counted toward the 1 MiB cap, expanded
    ("aliases", "name: [&a0 [x,x,x,x,x,x,x,x,x], " + ", ".join(
        f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)) + "]\n"
     + SEED.split("\n", 1)[1], "its aliases expand to more than 1 MiB"),
    # a few aliases of a small map: well under the cap, read as ever
    ("few aliases", "x: &m {a: 1}\ny: [*m, *m, *m]\n" + SEED, "x: unknown key"),
    ("newline in name", SEED.replace("name: seed-check", 'name: "Evil\\n<img>"'),
     "name: character 5 ('\\n') is not printable text"),
    ("surrogate in name", SEED.replace("name: seed-check", 'name: "x\\ud800"'),
     "name: character 2 ('\\ud800') is not printable text"),
    ("bidi override in source", SEED + 'source: "a\\u202eb"\n', "source: character 2 ('\\u202e')"),
    ("C1 control", SEED.replace("seed-check", "seed\x80check"), "line 1, column 11: character '\\x80' is not allowed"),
    ("newline in a key", SEED + '"a\\nb": 3\n', "'a\\nb': unknown key"),
    ("impossible date", SEED + "notes: 2024-13-45\n", "malformed YAML: 'month must be in 1..12'"),
    ("duplicate inside a merged map", SEED.replace("\nl: 512\n", "\n<<: {l: 4, l: 6}\n"), "l: given twice (lines 2 and 2)"),
    # the anchored map is checked as written, not after PyYAML flattened its own merge
    ("unknown key holding a merge", SEED.replace("\nl: 512\n", "\nx: &a {<<: {l: 2}, l: 4}\n<<: *a\n"),
     "x: unknown key"),
]


@pytest.mark.parametrize("label, text, message", BAD, ids=[b[0] for b in BAD])
def test_bad_config_one_line_exit_2(capsys, tmp_path, label, text, message):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    code, out, err = run(capsys, "report", str(p))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert str(p) in err and message in err


@pytest.mark.parametrize("argv, message", [
    (["report", "/nonexistent/model.yaml"], "/nonexistent/model.yaml: no such file"),
    (["report", "gpt-17"], "gpt-17: unknown model"),
    (["report", "seed"], "seed: unknown model"),  # no substring matching
    (["report", "seed-512", "--convention", "gopher"], "--convention: unknown convention 'gopher'"),
    (["report", "seed-512", "--convention", "chinchilla", "--mode", "decode"],
     "--mode: the chinchilla convention does not define mode decode"),
    (["report", "mixtral-8x7b", "--convention", "kaplan"], "kaplan: Kaplan et al.'s Table 1 counts a dense model (no mixture of experts)"),
    (["report", "transformer-base", "--mode", "decode", "--convention", "6N"],
     "mode decode of an encoder-decoder is counted by the tree conventions, not by 6N's closed form"),
    (["report", "bert-base", "--mode", "generate"], "an encoder does not generate tokens one at a time"),
    (["report", "seed-512", "--mode", "backward"], "--mode: must be one of forward, training"),
    (["report", "seed-512", "--scores", "sparse"], "--scores: must be one of dense, exact, half"),
    (["report", "seed-512", "--convention", "6N", "--macs"], "--scores and --macs apply to the tree conventions"),
    (["report", "seed-512", "--mode", "decode", "--context", "-1"], "--context: must be a whole number, got '-1'"),
    (["report", "seed-512", "--mode", "generate", "--generate", "0"], "--generate: must be at least 1, got 0"),
    (["report", "seed-512", "--prompt", "٥"], "--prompt: must be a whole number"),
    # every typed whole number reads through config.checks.parse_whole: the flags, --set, --grid
    (["report", "seed-512", "--mode", "decode", "--context", "9" * 17],
     "--context: must be at most 2**53 = 9007199254740992, got '99999999999999999'"),
    (["report", "seed-512", "--set", "l=9" + "0" * 16], "--set l=90000000000000000: l: must be at most 2**53 = "
     "9007199254740992, got '90000000000000000'"),
    (["mfu", "seed-512", "--tokens-per-second", "nan", "--accelerator", "a100"], "--tokens-per-second: must be a number above 0"),
    (["mfu", "seed-512", "--tokens-per-second", "1e9999", "--accelerator", "a100"], "--tokens-per-second: must be a number above 0"),
    (["mfu", "seed-512", "--tokens-per-second", "100", "--accelerator", "tpu-v9"], "--accelerator: unknown accelerator 'tpu-v9'"),
    (["mfu", "seed-512", "--tokens-per-second", "100"], "give --accelerator NAME or --peak-flops"),
    (["mfu", "seed-512", "--tokens-per-second", "100", "--peak-flops", "0", ], "--peak-flops: must be a number above 0"),
    (["report", "seed-512", "--set", "l=abc"], "l: must be a whole number, got 'abc'"),
    (["report", "seed-512", "--set", "l=1e3"], "l: must be a whole number, got '1e3'"),
    (["report", "seed-512", "--set", "l"], "expected key=value"),
    (["report", "seed-512", "--set", "bogus=3"], "bogus: unknown key"),
    (["report", "seed-512", "--set", "l=0"], "l: must be at least 1"),
    (["report", "seed-512", "--set", "l=-1"], "l: must be at least 1, got -1"),
    (["report", "seed-512", "--set", "l=" + "9" * 5000], "l: must be at most 2**53"),
    (["report", "seed-512", "--set", "tie_embeddings=yes"], "tie_embeddings: must be true or false, got 'yes'"),
    (["report", "seed-512", "--set", "name=foo"], "name: only dimensions and architecture knobs"),
    (["report", "seed-512", "--set", "ffn=tanh"], "ffn: must be one of relu, gelu, swiglu, geglu"),
    (["report", "seed-512", "--group", "Nope"], "--group: Nope: no such node"),
    (["report", "seed-512", "--format", "xml"], "invalid choice: 'xml'"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_flags_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert message in err


def test_yaml_merge_keys_merge_and_written_keys_override(capsys, tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("base: &b {l: 512, d_model: 512, d_ff: 4096, n_vocab: 30000, n_layers: 6, n_heads: 8}\n"
                 .replace("base: &b ", "name: m\n<<: ") + "l: 1024\n")
    code, out, err = run(capsys, "report", str(p), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["config"]["l"] == 1024 and json.loads(out)["config"]["n_heads"] == 8


def test_markdown_escapes_names(capsys, tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text(SEED.replace("name: seed-check", "name: '<script>x</script>[a](javascript:y)'"))
    code, out, _ = run(capsys, "report", str(p), "--format", "md")
    assert code == 0
    first = out.splitlines()[0]
    # every character Markdown or inline HTML acts on is backslash-escaped
    assert first == "# \\<script\\>x\\</script\\>\\[a\\]\\(javascript:y\\)"
    assert "&nbsp;\\+ b1 |" in out  # node names too: '+ b1' (not a list item)


@pytest.mark.parametrize("name", ["👩\u200d💻 coder", "می\u200cخواهم", "模型 7B", "Ünïcödé\u00a0model"])
def test_real_names_with_joiners_and_scripts_are_accepted(capsys, tmp_path, name):
    p = tmp_path / "n.yaml"
    p.write_text(SEED.replace("name: seed-check", f'name: "{name}"'), encoding="utf-8")
    code, out, err = run(capsys, "report", str(p), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["name"] == name


def test_os_errors_are_one_line(capsys, tmp_path):
    long = "a" * 300  # longer than a file name may be (ENAMETOOLONG)
    for argv in (["report", long], ["build", "--out", str(tmp_path / long)],
                 ["build", "--catalogue", str(tmp_path / long), "--out", str(tmp_path / "s")]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1, (argv, err)
        assert "File name too long" in err or "does not exist" in err, err


def test_a_newline_in_a_path_stays_on_one_line(capsys, tmp_path):
    from pathlib import Path

    gpt2 = Path(__file__).parent / "fixtures" / "hf" / "gpt2" / "config.json"
    code, out, err = run(capsys, "import-hf", str(gpt2), "-o", str(tmp_path / "nod\nir" / "x.yaml"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "nod\\nir/x.yaml: no such directory" in err


def test_group_is_repeatable(capsys):
    # two --group flags collapse both keys (the second does not replace the first)
    _, one, _ = run(capsys, "report", "seed-512", "--format", "json", "--group", "Embeddings,PositionWiseFFN")
    _, two, _ = run(capsys, "report", "seed-512", "--format", "json",
                    "--group", "Embeddings", "--group", "PositionWiseFFN")
    assert one == two
    # Embeddings collapsed to its sum: X_word + X_pos, one addition per element, l * d_model
    assert json.loads(two)["breakdown"]["Embeddings"] == 512 * 512


def test_huge_but_valid_dimensions_format(capsys, seed_file):
    # every dimension at 2**53: the totals have ~100 digits, far beyond a float's
    # exact range; the human suffix is computed with exact decimals, not floats
    big = [f"--set={k}={2**53}" for k in ("l", "d_model", "d_ff", "n_vocab", "n_layers", "N")]
    for fmt in ("table", "md", "csv", "json"):
        code, out, err = run(capsys, "report", str(seed_file), "--set", "n_heads=1", *big, "--format", fmt)
        assert code == 0, err
    assert "YFLOP" in run(capsys, "report", str(seed_file), "--set", "n_heads=1", *big)[1]


@pytest.mark.parametrize("addr", ["bogus", "127.0.0.1:99999", ":8000", "127.0.0.1:", "bad host:8011",
                                  "256.1.1.1:8012"])
def test_serve_bad_dev_addr(capsys, addr):
    code, out, err = run(capsys, "serve", "--dev-addr", addr)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"--dev-addr {addr}: expected IP:PORT" in err


def test_console_script_no_traceback(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\n")
    r = subprocess.run([sys.executable, "-m", "flopdocs", "report", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("flopdocs: error:")


def test_interrupt_is_one_line_exit_130(capsys, monkeypatch):
    import flopdocs.cli.main as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_list", interrupted)
    code, out, err = run(capsys, "list")
    assert code == 130 and out == "" and err == "flopdocs: interrupted\n"


# -- output that cannot be written --------------------------------------------------------

GPT2 = str(Path(__file__).parent / "fixtures" / "hf" / "gpt2" / "config.json")


def _closed_pipe():
    r, w = os.pipe()
    os.close(r)  # the reader is gone before anything is written
    return open(w, "w", encoding="utf-8")


def _full_disk():
    return open("/dev/full", "w", encoding="utf-8")


def _ascii():
    return io.TextIOWrapper(io.BytesIO(), encoding="ascii")


def _closed():  # started with stdout closed (>&-): Python's sys.stdout is None
    return None


@pytest.mark.parametrize("argv, stdout, code, message", [
    (["report", "seed-512", "--format", "json"], _closed_pipe, 141, ""),
    (["list"], _closed_pipe, 141, ""),
    (["import-hf", GPT2], _closed_pipe, 141, ""),
    (["report", "seed-512", "--format", "json"], _closed, 141, ""),
    (["list"], _closed, 141, ""),
    (["report", "seed-512", "--format", "json"], _full_disk, 2,
     "flopdocs: error: stdout: cannot write the output: No space left on device\n"),
    (["list"], _full_disk, 2, "flopdocs: error: stdout: cannot write the output: No space left on device\n"),
    (["import-hf", GPT2], _full_disk, 2, "flopdocs: error: stdout: cannot write the output: No space left on device\n"),
    (["report", "seed-512"], _ascii, 0, ""),  # the table's own · and × spelled * and x
    (["import-hf", GPT2, "--name", "模型"], _ascii, 2,
     "flopdocs: error: stdout: character '\\u6a21' cannot be written in ascii (set PYTHONIOENCODING=utf-8)\n"),
], ids=["report-closed-pipe", "list-closed-pipe", "import-hf-closed-pipe", "report-stdout-closed",
        "list-stdout-closed", "report-full-disk",
        "list-full-disk", "import-hf-full-disk", "report-ascii", "import-hf-ascii-name"])
def test_output_that_cannot_be_written(capsys, monkeypatch, argv, stdout, code, message):
    stream = stdout()
    monkeypatch.setattr(sys, "stdout", stream)
    try:
        assert main(argv) == code
    finally:
        monkeypatch.undo()
        if stream is not None:
            stream.close()  # flushes what is left: must not raise either
    assert capsys.readouterr().err == message


def test_a_reader_that_is_gone_ends_quietly_at_exit_too():
    # in a real process: the interpreter's last flush must not print a traceback either
    def spawn(fmt, shell_redirect="", **kwargs):
        return subprocess.Popen(f"exec {sys.executable} -m flopdocs report seed-512 --format {fmt} "
                                + shell_redirect, shell=True, stderr=subprocess.PIPE, **kwargs)

    r, w = os.pipe()
    os.close(r)
    runs = {"closed reader": spawn("json", stdout=w), "full disk": spawn("csv", ">/dev/full")}
    os.close(w)
    got = {label: (p.wait(), p.stderr.read().decode()) for label, p in runs.items()}
    assert got == {
        "closed reader": (141, ""),
        "full disk": (2, "flopdocs: error: stdout: cannot write the output: No space left on device\n"),
    }


# -- inputs that are not regular files, or too large -------------------------------------

@pytest.fixture
def fifo(tmp_path):
    """A named pipe no one writes to.  Should a reader block on it (the bug), a helper
    opens and closes the writing end after a few seconds, so the test fails, not hangs."""
    import threading
    import time

    path = tmp_path / "pipe" / "fifo.yaml"
    path.parent.mkdir()
    os.mkfifo(path)
    done = threading.Event()

    def unblock():
        deadline = time.monotonic() + 5
        while not done.wait(0.1):
            if time.monotonic() > deadline:
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:  # no reader: nothing is blocked
                    pass

    threading.Thread(target=unblock, daemon=True).start()
    yield path
    done.set()


def _junk(size):
    """A YAML file of ``size`` bytes: the seed padded with unknown keys."""
    text = SEED + "".join(f"junk{i}: 1\n" for i in range(size // 8))
    return text[:size - 1] + "\n"


@pytest.mark.parametrize("case", ["fifo", "fifo in a catalogue", "fifo as --hf", "/dev/zero",
                                  "/dev/zero as import-hf", "1 MiB + 1"])
def test_inputs_that_are_not_regular_files_or_too_large(capsys, tmp_path, fifo, case):
    big = tmp_path / "big.yaml"
    big.write_text(_junk(2**20 + 1))
    argv, message = {
        "fifo": (["report", str(fifo)], f"{fifo}: is a named pipe (FIFO), not a YAML file"),
        "fifo in a catalogue": (["build", "--out", str(tmp_path / "site"), "--catalogue", str(fifo.parent)],
                                f"{fifo}: is a named pipe (FIFO), not a YAML file"),
        "fifo as --hf": (["report", "--hf", str(fifo)], f"{fifo}: is a named pipe (FIFO), not a config.json"),
        "/dev/zero": (["report", "/dev/zero"], "/dev/zero: is a character device, not a YAML file"),
        "/dev/zero as import-hf": (["import-hf", "/dev/zero"], "/dev/zero: is a character device, not a config.json"),
        "1 MiB + 1": (["report", str(big)], f"{big}: is larger than 1 MiB (1048576 bytes), too large for a YAML file"),
    }[case]
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (2, "", f"flopdocs: error: {message}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml", "pipe"]  # no site, no staging


def test_a_config_of_exactly_1_mib_is_read(tmp_path):
    from flopdocs.config.config import read_text

    p = tmp_path / "padded.yaml"
    p.write_text(SEED + "#" * (2**20 - len(SEED)))
    assert p.stat().st_size == 2**20
    assert read_text(p, "a YAML file") == SEED + "#" * (2**20 - len(SEED))


def test_leftovers_of_a_killed_import_hf_are_removed_ours_only(capsys, tmp_path):
    import fcntl

    out = tmp_path / "model.yaml"
    ours = "# Imported from a Hugging Face config.json by `flopdocs import-hf`.\nname: \"half"
    (tmp_path / ".model.yaml.abcd1234.tmp").write_text(ours)  # kill -9 while writing
    (tmp_path / ".model.yaml.running1.tmp").write_text(ours)
    lock = os.open(tmp_path / ".model.yaml.running1.tmp", os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # an import-hf still writing holds its lock
    (tmp_path / ".model.yaml.notours1.tmp").write_text("the user's own notes")
    (tmp_path / ".model.yaml.abcd12345.tmp").write_text(ours)  # not mkstemp's name
    (tmp_path / ".other.yaml.abcd1234.tmp").write_text(ours)  # another -o's
    try:
        code, out_text, err = run(capsys, "import-hf", GPT2, "-o", str(out))
    finally:
        os.close(lock)
    assert (code, out_text, err) == (0, "", "")
    assert out.read_text().startswith("# Imported from a Hugging Face config.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".model.yaml.abcd12345.tmp", ".model.yaml.notours1.tmp", ".model.yaml.running1.tmp",
        ".other.yaml.abcd1234.tmp", "model.yaml"]


def test_our_own_typography_is_spelled_in_ascii_when_stdout_cannot_hold_it(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["mfu", "seed-512", "--tokens-per-second", "1e5", "--accelerator", "a100"]) == 0
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")
    monkeypatch.undo()
    assert "on 1 x NVIDIA A100" in text and "tokens/s / (peak x devices)" in text


@pytest.mark.parametrize("shell", ["flopdocs table seed-512 >&-", "flopdocs table seed-512 --grid l=1..3 >&-"])
def test_table_with_stdout_closed_ends_quietly(shell):
    r = subprocess.run(["bash", "-c", shell.replace("flopdocs", f"{sys.executable} -m flopdocs", 1)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 141 and r.stderr == ""


def test_table_of_a_name_stdout_cannot_hold_is_one_line(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text('name: "Modèle"\nl: 8\nd_model: 8\nd_ff: 8\nn_vocab: 10\nn_layers: 1\nn_heads: 1\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "flopdocs", "table", str(p)], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert r.returncode == 2 and r.stderr == ("flopdocs: error: stdout: character '\\xe8' cannot be written in "
                                              "ascii (set PYTHONIOENCODING=utf-8)\n")
