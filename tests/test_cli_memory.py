"""`flopdocs report`'s memory and time, `flopdocs plan` and `flopdocs fit`, through main()."""
import json
from fractions import Fraction

import pytest

from flopdocs import model
from flopdocs.cli.main import main
from flopdocs.counting.modes import Options
from flopdocs.structure.params import parameters
from flopdocs.config.inputs import resolve


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv):
    code, out, err = run(capsys, "report", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


P7B = 6738415616  # Llama 2 7B's parameters


def test_report_json_memory_by_mode(capsys):
    fwd = _json(capsys, "llama-2-7b")["memory"]
    assert fwd == dict(weights=2 * P7B, gradients=None, optimizer=None, activations=None,
                       kv_cache=None, total=2 * P7B)
    train = _json(capsys, "llama-2-7b", "--mode", "training")["memory"]
    # bf16 weights and gradients (2 + 2), AdamW: fp32 master and two moments (12)
    assert (train["weights"], train["gradients"], train["optimizer"]) == (2 * P7B, 2 * P7B, 12 * P7B)
    assert train["total"] == 16 * P7B + train["activations"]
    decode = _json(capsys, "llama-2-7b", "--mode", "decode", "--kv-dtype", "fp8", "--batch", "4")
    # 2 · 32 layers · 32 heads · 128 · 4096 positions (C = 4095, + the new token) · 4 · 1 byte
    assert decode["memory"]["kv_cache"] == 2 * 32 * 32 * 128 * 4096 * 4
    assert decode["config"]["N"] == 4
    assert decode["memory_rules"] == dict(dtype="bf16", kv_dtype="fp8", optimizer="adamw", attention="eager",
                                          recompute="none")


def test_report_time_block(capsys):
    data = _json(capsys, "llama-2-7b", "--mode", "decode", "--accelerator", "h100-sxm")
    t = data["time"]
    assert t["seconds"] >= max(t["compute_seconds"], t["memory_seconds"])
    # a decode step reads every weight once: at least 13.5 GB at 3.35 TB/s
    assert t["memory_seconds"] >= 2 * P7B / 3.35e12
    assert "compute_bound_batch" in t
    fwd = _json(capsys, "llama-2-7b", "--accelerator", "h100-sxm", "--devices", "2")
    assert fwd["time"]["compute_seconds"] == pytest.approx(fwd["total"] / (2 * 989e12))


def test_decode_turns_compute_bound_at_short_context(capsys):
    """At context 0 a step moves about 2 bytes a weight for 2 FLOPs a weight, plus each
    sequence's activations: the batch is above peak / bandwidth = 989e12 / 3.35e12 ≈ 295,
    and it is the first batch whose FLOPs at peak take as long as its bytes."""
    argv = ("llama-2-7b", "--mode", "decode", "--context", "0", "--accelerator", "h100-sxm")
    b = _json(capsys, *argv)["time"]["compute_bound_batch"]
    assert 295 < b < 600
    at = _json(capsys, *argv, "--batch", str(b))["time"]
    below = _json(capsys, *argv, "--batch", str(b - 1))["time"]
    assert at["compute_seconds"] >= at["memory_seconds"] and below["compute_seconds"] < below["memory_seconds"]


def test_table_shows_memory_only_when_asked(capsys):
    _, plain, _ = run(capsys, "report", "llama-2-7b")
    assert "memory (" not in plain
    _, asked, _ = run(capsys, "report", "llama-2-7b", "--mode", "training", "--optimizer", "sgd")
    assert "memory (bf16, sgd): " in asked


def test_notebook_memory():
    r = model("llama-2-7b", mode="training", options=Options(dtype="fp32", optimizer="sgd"))
    m = r.memory
    assert (m.weights, m.gradients, m.optimizer, m.kv_cache) == (4 * P7B, 4 * P7B, 4 * P7B, None)
    from flopdocs.counting import timing

    t = timing.of_analysis(model("llama-2-7b", mode="decode").analysis, timing.accelerator("h100-sxm"))
    assert t.memory_seconds >= 2 * P7B / 3.35e12  # every weight read once a step


def test_plan_prints_every_convention(capsys):
    code, out, err = run(capsys, "plan", "llama-2-7b", "--tokens", "2e12", "--accelerator", "h100-sxm",
                         "--devices", "512", "--mfu", "0.4", "--price", "2")
    assert code == 0, err
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert set(rows) >= {"flopdocs", "6N", "kaplan", "palm", "megatron", "chinchilla", "seed"}
    # 6N: 6 · 6,738,415,616 · 2e12 / (512 · 989e12 · 0.4) s = 110.9 h; 56,778 device-hours at 2
    hours = Fraction(6 * P7B) * 2 * 10**12 / (512 * 989 * 10**12 * Fraction(2, 5)) / 3600
    assert rows["6N"][3] == f"{float(hours):,.1f}" == "110.9"
    assert rows["6N"][5] == f"{float(hours * 512 * 2):,.0f}"


def test_fit(capsys):
    code, out, _ = run(capsys, "fit", "llama-2-7b", "--accelerator", "h100-sxm", "--devices", "8")
    assert code == 0
    # 8 · 80 GB · 0.9 = 576 GB; weights 13.48 GB; per position 2 · 32 · 32 · 128 · 2 = 524,288 bytes
    positions = (576 * 10**9 - 2 * P7B) // 524288
    assert f"can hold {positions:,} positions" in out and "10 % of each device" in out
    code, out, _ = run(capsys, "fit", "llama-2-70b", "--accelerator", "h100-sxm")
    assert "does NOT fit" in out


@pytest.mark.parametrize("argv,needle", [
    (("report", "llama-2-7b", "--dtype", "fp64"), "--dtype: must be one of"),
    (("report", "llama-2-7b", "--kv-dtype", "int2"), "--kv-dtype: must be one of"),
    (("report", "llama-2-7b", "--optimizer", "lion"), "--optimizer: must be one of"),
    (("report", "llama-2-7b", "--accelerator", "h100"), "unknown accelerator 'h100'"),
    (("report", "llama-2-7b", "--batch", "0"), "--batch: must be at least 1"),
    (("plan", "llama-2-7b", "--tokens", "2e12", "--accelerator", "h100-sxm", "--mfu", "1.5"), "--mfu"),
    (("plan", "llama-2-7b", "--tokens", "-1", "--accelerator", "h100-sxm"), "--tokens"),
    (("plan", "llama-2-7b", "--tokens", "1e9"), "--accelerator"),
    (("fit", "llama-2-7b", "--accelerator", "tpu", "--devices", "2"), "unknown accelerator"),
    (("fit", "llama-2-7b", "--accelerator", "a100", "--attention", "paged"), "--attention"),
    (("report", "mixtral-8x7b", "--mode", "training", "--dp", "8", "--ep", "3"),
     "--ep: 3 must divide the data-parallel degree (8) and n_experts (8)"),
    (("report", "llama-2-7b", "--mode", "training", "--dp", "2", "--ep", "2"), "expert parallelism needs experts"),
    (("report", "llama-2-7b", "--zero", "4"), "--zero: must be 0, 1, 2 or 3, got 4"),
    (("report", "llama-2-7b", "--tp", "0"), "--tp: must be at least 1"),
])
def test_bad_flags_one_line_exit_2(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1, err


def test_int4_weights_in_report(capsys):
    data = _json(capsys, "llama-2-7b", "--dtype", "int4")
    assert data["memory"]["weights"] == -(-33 * parameters(resolve("llama-2-7b")).total // 64)


def test_table_memory_columns_equal_report(capsys):
    """The compiled columns equal the report's memory, mode by mode, under other dtypes."""
    import csv
    import io

    every = ("llama-2-7b", "mistral-7b-v0-1", "gpt-2-small")
    for mode, flags, names in (
            ("training", ("--optimizer", "adafactor", "--dtype", "fp8", "--attention", "fused"), every),
            ("decode", ("--kv-dtype", "int4", "--context", "1000"), every),
            ("decode", ("--context", "9000"), ("mistral-7b-v0-1",)),  # the cache capped at w = 4096
            ("forward", ("--dtype", "int4"), every)):
        for name in names:
            code, out, err = run(capsys, "table", name, "--mode", mode, *flags)
            assert code == 0, err
            row = next(csv.DictReader(io.StringIO(out)))
            memory = _json(capsys, name, "--mode", mode, *flags)["memory"]
            assert {k: row["memory_" + k] for k in memory} == {
                k: "" if v is None else str(v) for k, v in memory.items()}, (name, mode)


def test_compute_peak_per_dtype():
    from flopdocs.counting.timing import accelerator, compute_peak

    h100, a100 = accelerator("h100-sxm"), accelerator("a100")
    assert compute_peak(h100, "fp8") == 1979e12 and compute_peak(h100, "bf16") == 989e12
    assert compute_peak(h100, "int4") == 989e12  # weight-only int4: products in bf16
    assert compute_peak(a100, "fp8") == 312e12  # no FP8 units: the training format's peak
    assert compute_peak(a100, "fp32") == 19.5e12


def test_training_recompute_memory(capsys):
    base = _json(capsys, "gpt-2-small", "--mode", "training")["memory"]["activations"]
    selective = _json(capsys, "gpt-2-small", "--mode", "training-recompute", "--recompute", "selective")
    full = _json(capsys, "gpt-2-small", "--mode", "training-recompute", "--recompute", "full")
    # selective drops each head's l x l probabilities: 12 layers x 12 heads x 1024^2 x 2 bytes
    assert base - selective["memory"]["activations"] == 12 * 12 * 1024 * 1024 * 2
    # full keeps each block's input: what is kept outside the blocks + 12 x 1024 x 768 x 2
    assert full["memory"]["activations"] < selective["memory"]["activations"]


def test_plan_reproduces_the_engineers_76_and_53_hours(capsys):
    """The issue's engineer: a Llama-style config (Llama 3.2 3B's shape: d_model 3072, 28
    layers, d_ff 8192, 24 heads, 8 KV heads, a tied 128,256 vocabulary, l = 8192), 2T tokens
    on 512 H100s at 40 % MFU: 76 h under flopdocs, 53 h under 6N.  6N: 6 · 3,212,749,824 ·
    2e12 / (512 · 989e12 · 0.4) / 3600 = 52.9 h."""
    sets = [a for kv in ("d_model=3072", "n_layers=28", "d_ff=8192", "n_heads=24", "n_kv_heads=8",
                         "d_head=128", "tie_embeddings=true") for a in ("--set", kv)]
    code, out, err = run(capsys, "plan", "llama-3-8b", "--tokens", "2e12", "--accelerator", "h100-sxm",
                         "--devices", "512", "--mfu", "0.4", *sets)
    assert code == 0, err
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert rows["flopdocs"][4] == "76.2" and rows["6N"][3] == "52.9"  # the first row is starred
    assert parameters(resolve("llama-3-8b").with_values(
        {"d_model": 3072, "n_layers": 28, "d_ff": 8192, "n_heads": 24, "n_kv_heads": 8, "d_head": 128,
         "tie_embeddings": True}, "<3b>")).total == 3_212_749_824


def test_time_by_role_sums_to_the_whole(capsys):
    t = _json(capsys, "llama-2-7b", "--mode", "prefill", "--prompt", "512", "--accelerator", "a100")["time"]
    roles = t["by_role"]
    assert sum(r["flops"] for r in roles.values()) == t["flops"]
    assert sum(r["bytes"] for r in roles.values()) == t["bytes"]
    assert sum(r["seconds"] for r in roles.values()) == pytest.approx(t["seconds"])
    # a prefill's FFN is a big matmul: far more FLOPs than bytes; its softmax is not
    assert roles["ffn"]["intensity"] > 100 > roles["attention-softmax"]["intensity"]


def test_report_memory_per_device_with_expert_parallelism(capsys):
    d = _json(capsys, "mixtral-8x7b", "--mode", "training", "--dp", "8", "--ep", "8", "--zero", "1")
    m, split = d["memory"], d["memory_per_device"]
    assert split["parallel"] == {"dp": 8, "tp": 1, "pp": 1, "ep": 8, "zero": 1}
    # Mixtral 8x7B: 46,702,792,704 parameters, 45,097,156,608 of them the experts' (32 layers ·
    # 8 experts · 3 · 4096 · 14336); bf16 weights: the rest 2 · 1,605,636,096 whole, the
    # experts' 2 · 45,097,156,608 / 8
    assert m["weights"] == 93_405_585_408
    assert split["weights"] == split["gradients"] == 3_211_272_192 + 11_274_289_152 == 14_485_561_344
    # ZeRO-1 over 8 and the experts over e = 8 with ZeRO over d / e = 1: every optimizer state / 8
    assert split["optimizer"] == m["optimizer"] // 8 == 70_054_189_056
    assert split["activations"] == m["activations"]  # tp 1
    # without --ep the experts' weights and gradients stay whole on every device (ZeRO-1)
    plain = _json(capsys, "mixtral-8x7b", "--mode", "training", "--dp", "8", "--zero", "1")["memory_per_device"]
    assert plain["weights"] == m["weights"] and plain["optimizer"] == split["optimizer"]


def test_a_training_time_block_is_strict_json():
    # training is timed at peak FLOP/s (no bytes counted): its intensity is null, never the
    # Infinity a strict JSON reader refuses
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "flopdocs", "report", "seed-512", "--mode", "training",
                          "--accelerator", "h100-sxm", "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert data["time"]["bytes"] == 0 and data["time"]["intensity"] is None
