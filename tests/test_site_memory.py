"""The Memory page and the model pages' memory answers: the library's numbers, laid out."""
from fractions import Fraction
from functools import lru_cache

from flopdocs.counting import memory, timing
from flopdocs.counting.analysis import analyse
from flopdocs.site import render
from flopdocs.site.pages import memory as memory_page
from flopdocs.site.gather import gather

P7B = 6738415616


@lru_cache(maxsize=None)
def _data():
    return gather()


def test_memory_page_numbers_are_the_library_numbers():
    ex = memory_page.context(_data())["ex"]
    assert ex["m"].slug == "llama-2-7b"
    cfg = ex["m"].config
    assert ex["train"] == analyse(cfg, mode="training").memory.as_dict()
    assert ex["train"]["optimizer"] == 12 * P7B and ex["weights"]["int4"] == -(-33 * P7B // 64)
    # one block's kept leaves sum to the block's share of the activations (bf16, one sequence)
    outside = ex["train"]["activations"] - 32 * sum(k["bytes"] for k in ex["kept"])
    assert 0 < outside < 4096 * 4096 * 2 * 4  # token ids, final norm and LM head inputs only
    assert ex["korthikanti"] == 34 * 4096 * 4096 + 5 * 32 * 4096 * 4096
    assert [z["optimizer"] for z in ex["zero"]] == [12 * P7B, 12 * P7B // 8, 12 * P7B // 8, 12 * P7B // 8]
    hours = {r.convention: r.seconds / 3600 for r in ex["plan"]}
    assert round(hours["6N"], 1) == 110.9 and round(hours["flopdocs"], 1) == 126.5


def test_model_page_fits_and_answers():
    m = next(m for m in _data().models if m.slug == "llama-2-7b")
    fits = {f["chip"]: f for f in memory_page.fits(m)}
    h100 = fits["NVIDIA H100 SXM"]
    assert h100["serve"] == 1 and h100["positions"] == (8 * 72 * 10**9 - 2 * P7B) // 524288
    answers = {r["label"]: r for r in memory_page.answers(m)}
    assert answers["weights in bf16"]["value"] == 2 * P7B
    assert answers["decode step on one NVIDIA H100 SXM"]["value"] is None  # a time is not exact
    from flopdocs.site import derive
    from flopdocs.site.pages import model as model_page

    page = model_page.render(render.environment(), m, derive.anchor_map(_data().layers),
                             lambda *a: dict(url="u", latest="u", title=a[1], key=a[2], commit="abc", year="2026",
                                            pinned="", version="0", changes="../changes.md"))
    assert "### Fits on { #fits }" in page and "| NVIDIA H100 SXM | 80 GB | 1 | 1,072,927 | 1 |" in page


def test_fit_devices_for_the_weights():
    big = next(m for m in _data().models if m.slug == "llama-3-1-405b")
    fits = {f["chip"]: f for f in memory_page.fits(big)}
    w = memory.weight_bytes(big.config, "bf16")
    assert fits["NVIDIA H100 SXM"]["serve"] == -(-w // (72 * 10**9)) > 8
    assert fits["NVIDIA H100 SXM"]["positions"] == 0 and timing.RESERVE == Fraction(1, 10)


def test_an_encoder_decoder_page_has_its_serving_answers():
    from flopdocs.site.pages import answers as card

    m = next(m for m in _data().models if m.slug == "t5-base")
    answers = {r["label"]: r for r in memory_page.answers(m)}
    assert "source tokens and a prompt of 512 target tokens" in answers["prefill time on one NVIDIA H100 SXM"]["note"]
    assert answers["decode step on one NVIDIA H100 SXM"]["human"].endswith(" s")
    rows = {r["label"]: r for r in card.rows(m)}
    # T5 base: 12 decoder layers, 12 heads of 64: K and V of one target token in 16 bits
    assert rows["KV cache bytes per token"]["value"] == 2 * 12 * 12 * 64 * 2 == 36_864
    assert "cross-attention" in rows["KV cache bytes per token"]["note"]
    step = rows["decode FLOPs per token at C = 511"]
    assert step["value"] == analyse(m.config, mode="decode").per_token
    assert "512 cached source tokens" in step["note"]


def test_the_mfu_example_is_what_flopdocs_mfu_prints(capsys):
    """The Memory page's MFU table: the throughput at which flopdocs' count is 40 % MFU on
    512 H100s, read under every convention; the page's own command prints the same figures."""
    from flopdocs.cli.main import main

    ex = memory_page.context(_data())["ex"]
    m = ex["mfu"]
    # 0.4 x 512 x 989e12 FLOP/s / 46,135,718,278 FLOPs per token = 4,390,247 tokens/s
    # (H100 SXM's dense bf16 peak from the accelerator table)
    rows = {r["convention"]: r for r in m["rows"]}
    assert m["tokens_per_second"] == 4_390_247 and rows["flopdocs"]["mfu"] == "40.0%"
    # 6N: 40,430,493,696 / 46,135,718,278 x 40 % = 35.05 %
    assert rows["6N"]["mfu"] == "35.1%" and rows["6N"]["hfu"] == "–"
    main(["mfu", "llama-2-7b", "--tokens-per-second", str(m["tokens_per_second"]),
          "--accelerator", "h100-sxm", "--devices", str(m["devices"])])
    out = capsys.readouterr().out
    for r in m["rows"]:
        line = next(x for x in out.splitlines() if x.split()[:1] == [r["convention"]])
        assert f"{round(r['per_token']):,}" in line and r["mfu"] in line, (r, line)
