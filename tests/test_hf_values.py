"""One list of rules for a config.json's values (flopdocs/config/hf_values.py), run by
``flopdocs import-hf`` and by the calculator's paste (site_src/assets/calculator-hf.js,
run here in node with the page's own generated data): each refuses exactly what the
other refuses, and both read every fixture alike."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flopdocs.base.resources import SITE_SRC
from flopdocs.cli.main import main
from flopdocs.config import hf
from flopdocs.site.pages import calculator
from flopdocs.site.gather import gather

FIXTURES = Path(__file__).parent / "fixtures" / "hf"
LLAMA = (FIXTURES / "llama-2-7b" / "config.json").read_text()
GPT2 = (FIXTURES / "gpt2" / "config.json").read_text()


def _with(text: str, field: str, raw: str) -> str:
    """The config.json ``text`` with ``field``'s value written as ``raw`` (JSON text)."""
    new, n = re.subn(rf'("{field}":\s*)[^,\n}}]+', lambda m: m[1] + raw, text)
    if n == 0:
        new = text.replace("{", "{" + f'\n  "{field}": {raw},', 1)
    return new


#: (config.json text, the field named): every one refused by import-hf and by the paste.
REFUSED = [
    (_with(LLAMA, "vocab_size", "9007199254740993"), "vocab_size"),  # 2**53 + 1: JSON.parse reads 2**53
    (_with(LLAMA, "hidden_size", "4096.0"), "hidden_size"),
    (_with(LLAMA, "intermediate_size", "1.1008e4"), "intermediate_size"),
    (_with(LLAMA, "num_hidden_layers", '"32"'), "num_hidden_layers"),
    (_with(LLAMA, "num_attention_heads", "true"), "num_attention_heads"),
    (_with(LLAMA, "num_attention_heads", "0"), "num_attention_heads"),
    (_with(LLAMA, "num_attention_heads", "-32"), "num_attention_heads"),
    (_with(LLAMA, "max_position_embeddings", "[4096]"), "max_position_embeddings"),
    (_with(LLAMA, "layer_types", '[{"a": 1}, {"b": 2}]'), "layer_types"),
    (_with(LLAMA, "layer_types", '[{"a": 1}, {"a": 1}]'), "layer_types"),
    (_with(LLAMA, "layer_types", '"full_attention"'), "layer_types"),
    (_with(LLAMA, "tie_word_embeddings", '"false"'), "tie_word_embeddings"),
    (_with(LLAMA, "attention_bias", "1"), "attention_bias"),
    (_with(LLAMA, "hidden_act", "1"), "hidden_act"),
    (_with(LLAMA, "num_key_value_heads", "8.5"), "num_key_value_heads"),
    (_with(GPT2, "n_ctx", "1024.0"), "n_ctx"),  # the second of l's fields: checked too
    (_with(GPT2, "add_cross_attention", '"no"'), "add_cross_attention"),
    (_with(LLAMA, "vocab_size", "32000, \"vocab_size\": 32001"), "vocab_size"),  # given twice
    (LLAMA.replace('"rope_scaling": null', '"rope_scaling": {"type": 1, "type": 2}'), "type"),
    (_with(LLAMA, "initializer_range", "NaN"), "NaN"),
    (_with(LLAMA, "rope_scaling", "[" * 65 + "]" * 65), "nested too deeply (more than 64 levels)"),
    (_with(LLAMA, "rope_scaling", "[" * 100_000 + "]" * 100_000), "nested too deeply (more than 64 levels)"),
]


def _names():
    return [f"{i} {field}" for i, (_, field) in enumerate(REFUSED)]


@pytest.mark.parametrize("text, field", REFUSED, ids=_names())
def test_import_hf_refuses_it_in_one_line(tmp_path, capsys, text, field):
    p = tmp_path / "config.json"
    p.write_text(text)
    assert main(["import-hf", str(p)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and field in err, err


def test_every_fixture_passes_the_rules():
    for p in FIXTURES.glob("*/config.json"):
        hf.load(p)  # raises if a rule refused a real checkpoint's config


NODE = r"""
const fs = require("fs");
const [data, hfjs] = [JSON.parse(fs.readFileSync(0, "utf8")), fs.readFileSync(process.argv[1], "utf8")];
global.window = {};
eval(hfjs);
const KEY = {};
data.index.keys.forEach((k) => { KEY[k.name] = k; });
const fromHf = window.flopdocsCalculatorParts.hf(data.index, KEY);
const out = data.texts.map((t) => {
  try { return { values: fromHf.read(t), parsed: fromHf(JSON.parse(t)) }; }
  catch (e) { return { error: (e instanceof SyntaxError ? "not JSON: " : "") + e.message }; }
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def paste():
    """The calculator's paste over texts, in node, with the page's generated data."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    index_js = calculator.assets(gather())["assets/calculator/index.js"]
    index = json.loads(index_js.split("window.flopdocsCalculator.data(", 1)[1].rsplit(");", 1)[0])

    def run(texts):
        r = subprocess.run(["node", "-e", NODE, str(SITE_SRC / "assets" / "calculator-hf.js")],
                           input=json.dumps({"index": index, "texts": texts}), capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return run


def test_the_paste_refuses_what_import_hf_refuses(paste):
    got = paste([text for text, _ in REFUSED])
    for (text, field), g in zip(REFUSED, got):
        assert "error" in g and field in g["error"], (field, g)


def test_the_paste_reads_every_fixture_as_import_hf(paste):
    paths = sorted(FIXTURES.glob("*/config.json"))
    got = paste([p.read_text() for p in paths])
    for p, g in zip(paths, got):
        want = {k: "true" if v is True else "false" if v is False else str(v)
                for k, v in hf.to_data(json.loads(p.read_text()), str(p)).items() if k not in ("name", "source")}
        assert g.get("values") == g.get("parsed") == want, (p, g)


def test_a_pasted_text_over_1_mib_is_refused_as_a_file_is(paste, tmp_path):
    text = LLAMA.replace("{", "{" + '"pad": "' + "x" * 2**20 + '",', 1)
    p = tmp_path / "config.json"
    p.write_text(text)
    with pytest.raises(Exception, match="larger than 1 MiB"):
        hf.load(p)
    assert "larger than 1 MiB" in paste([text])[0]["error"]
