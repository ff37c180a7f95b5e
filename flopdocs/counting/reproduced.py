"""Published figures against ours: every figure a convention's source prints that flopdocs
reproduces (its table and row, the printed value, ours, the command that prints ours), and
the ones it cannot, each with the reason.

One record per figure (:data:`FIGURES`), declared once: the site's convention pages lay
them out ("Reproduced") and ``tests/test_reproduced.py`` checks every one (a reproduced
figure rounds to the printed digits; one that is not, does not, for the reason given).
Sources and caveats: Kaplan et al. 2020 Table 1; Hoffmann et al. 2022 App. F and Table A4
(ratios only); Chowdhery et al. 2022 §4.1 Table 3, App. B and Table 22; Narayanan et al.
2021 eq. 3-4; Korthikanti et al. 2022 Table 5; Brown et al. 2020 Table D.1.  Nothing here
formats a page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from flopdocs.config.catalogue import find
from flopdocs.config.config import Config, parse
from flopdocs.config.inputs import apply_sets, resolve
from flopdocs.counting import mfu
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.errors import ConfigError


@dataclass(frozen=True)
class Figure:
    convention: str  # the convention whose source prints it
    where: str  # table and row, as the source names them
    published: str  # the printed value, as printed
    ours: Callable[[], float]  # our value, in the printed unit
    command: str  # the command that prints ours
    digits: str  # how the printed value is rounded: a format spec for ours ("{:.1f}")
    reason: str = ""  # why ours does not round to it ("" when it does)

    @property
    def value(self) -> float:
        return float(self.ours())

    @property
    def shown(self) -> str:
        """Ours, rounded as the source rounds."""
        return self.digits.format(self.value)

    @property
    def ratio(self) -> float:
        return self.value / float(self.published.replace(",", "").rstrip("%"))

    @property
    def reproduced(self) -> bool:
        return not self.reason


def _per_token(cfg: Config, convention: str, mode: str = "training", **options) -> Fraction:
    a = analyse(cfg, convention, mode, Options(**options))
    return Fraction(a.total, a.tokens * cfg.n_sequences)


def _mfu(cfg: Config, convention: str, tokens_per_second: float, peak: float, devices: int,
         recompute: str = "full", hfu: bool = False) -> float:
    row = next(r for r in mfu.rows(cfg, tokens_per_second, peak, devices, convention, recompute)
               if r.convention == convention)
    return 100 * (row.hfu if hfu else row.mfu)


# -- the models the sources describe, where the catalogue has none -------------------------

#: MT-NLG 530B (Smith et al. 2022): GPT-3 175B's structure at 105 layers of 20,480, 128
#: heads, a 51,200 vocabulary, tied embeddings (Narayanan et al.'s 529.6B).
MT_NLG_SETS = ("d_model=20480", "n_layers=105", "n_heads=128", "d_ff=81920", "n_vocab=51200",
               "tie_embeddings=true")
_MT_NLG = " ".join(f"--set {s}" for s in MT_NLG_SETS)


def mt_nlg() -> Config:
    return apply_sets(resolve("gpt-3-175b"), list(MT_NLG_SETS))


#: Korthikanti et al. 2022, Table 3: name -> (heads, hidden, layers, GPUs, batch), s 2048,
#: V 51,200; Table 5: seconds per iteration with selective recomputation, MFU, HFU.
KORTHIKANTI = {"22B": ((64, 6144, 48, 8, 4), "1.10", "41.5", "43.7"),
               "175B": ((96, 12288, 96, 64, 64), "13.75", "51.4", "52.8"),
               "530B": ((128, 20480, 105, 280, 280), "37.83", "56.0", "57.0"),
               "1T": ((160, 25600, 128, 512, 512), "71.49", "56.3", "57.0")}


def korthikanti(name: str) -> Config:
    (heads, h, layers, _, batch), *_ = KORTHIKANTI[name]
    return parse({"name": f"Korthikanti {name}", "l": 2048, "d_model": h, "d_ff": 4 * h,
                  "n_vocab": 51200, "n_layers": layers, "n_heads": heads, "N": batch}, "<Korthikanti et al. 2022>")


def _korthikanti_sets(name: str) -> str:
    (heads, h, layers, _, batch), *_ = KORTHIKANTI[name]
    return (f"--set d_model={h} --set d_ff={4 * h} --set n_layers={layers} --set n_heads={heads} "
            f"--set n_vocab=51200 --set N={batch}")


#: Hoffmann et al. 2022, Table A4: (layers, d_model, ffw_size, heads, k/q size), the printed
#: ratio, and N as nanoGPT's scaling_laws.ipynb counts it (the paper prints no N).
CHINCHILLA_A4 = {"73M": ((10, 640, 2560, 10, 64), "1.03", 73_825_280),
                 "305M": ((20, 1024, 4096, 16, 64), "1.10", 305_707_008),
                 "552M": ((24, 1280, 5120, 10, 128), "1.08", 552_604_160),
                 "1.1B": ((26, 1792, 7168, 14, 128), "1.04", 1_143_453_696),
                 "1.6B": ((28, 2048, 8192, 16, 128), "1.03", 1_593_126_912),
                 "6.8B": ((40, 3584, 14336, 28, 128), "0.99", 6_796_274_688)}


def chinchilla_a4(name: str) -> Config:
    (layers, d, ffw, heads, kq), _, _ = CHINCHILLA_A4[name]
    return parse({"name": f"Chinchilla A4 {name}", "l": 2048, "d_model": d, "d_ff": ffw, "n_vocab": 32000,
                  "n_layers": layers, "n_heads": heads, "d_head": kq}, "<Hoffmann et al. 2022, Table A4>")


def _a4_ratio(name: str) -> float:
    _, _, n = CHINCHILLA_A4[name]
    per_token = _per_token(chinchilla_a4(name), "chinchilla", exclude=("embedding", "lm-head"))
    return float(per_token / (6 * n))


def _a4_command(name: str) -> str:
    (layers, d, ffw, heads, kq), _, n = CHINCHILLA_A4[name]
    return (f"flopdocs report chinchilla-70b --set n_layers={layers} --set d_model={d} --set d_ff={ffw} "
            f"--set n_heads={heads} --set d_head={kq} --set position=learned --set max_positions=2048 "
            f"--convention chinchilla --mode training --exclude embedding,lm-head  "
            f"# per_token / (6 · {n:,})")


#: Brown et al. 2020, Table D.1: catalogue slug -> (row, printed Params (M), total train compute).
GPT3_D1 = {"gpt-3-small": ("GPT-3 Small", 125, "2.25E+20"), "gpt-3-medium": ("GPT-3 Medium", 356, "6.41E+20"),
           "gpt-3-large": ("GPT-3 Large", 760, "1.37E+21"), "gpt-3-xl": ("GPT-3 XL", 1_320, "2.38E+21"),
           "gpt-3-2-7b": ("GPT-3 2.7B", 2_650, "4.77E+21"), "gpt-3-6-7b": ("GPT-3 6.7B", 6_660, "1.20E+22"),
           "gpt-3-13b": ("GPT-3 13B", 12_850, "2.31E+22"), "gpt-3-175b": ("GPT-3 175B", 174_600, "3.14E+23")}


def _gpt3(slug: str) -> Figure:
    row, printed_m, total = GPT3_D1[slug]
    ours = lambda: float(_per_token(find(slug), "6N") * 300 * 10**9)
    reason = ""
    try:
        mismatch = f"{ours():.2E}" != total
    except ConfigError:  # a checkout whose built-in catalogue lacks the model: pages leave it out
        mismatch = False
    if mismatch:
        params = analyse(find(slug), "6N").params.active
        reason = (f"our structure has {params / 1e6:,.1f}M parameters, the printed column "
                  f"{printed_m:,}M (6 · {printed_m:,}M · 300B = {total} exactly)")
    return Figure("6N", f"Table D.1, {row}: total train compute (flops)", total, ours,
                  f"flopdocs report {slug} --convention 6N --mode training  # per_token · 300e9",
                  "{:.2E}", reason)


FIGURES: tuple[Figure, ...] = (
    # -- Kaplan et al. 2020: Table 1 prints formulas; evaluated for GPT-2 small (N 84,934,656)
    Figure("kaplan", "Table 1, Total (Non-Embedding): C_forward = 2N + 2 n_layer n_ctx d_attn, GPT-2 small",
           "188,743,680", lambda: _per_token(find("gpt-2-small"), "kaplan", "forward"),
           "flopdocs report gpt-2-small --convention kaplan", "{:,.0f}"),
    Figure("kaplan", "Section 2.1: C ≈ 6N per training token, GPT-2 small", "509,607,936",
           lambda: _per_token(find("gpt-2-small"), "kaplan"),
           "flopdocs report gpt-2-small --convention kaplan --mode training", "{:,.0f}",
           "6N drops the context term 2·n_layer·n_ctx·d_attn (section 2.1: small when "
           "d_model > n_ctx/12); the convention keeps Table 1's total, 3 × 188,743,680"),
    # -- Hoffmann et al. 2022
    *(Figure("chinchilla", f"Table A4, {name}: FLOP ratio (ours / 6ND)", ratio, (lambda n=name: _a4_ratio(n)),
             _a4_command(name), "{:.2f}") for name, (_, ratio, _) in CHINCHILLA_A4.items()),
    Figure("chinchilla", "Appendix F: Gopher 280B's training compute", "6.3e23",
           lambda: float(_per_token(find("gopher-280b"), "chinchilla") * 300 * 10**9),
           "flopdocs report gopher-280b --convention chinchilla --mode training  # per_token · 300e9",
           "{:.1e}", "the sequence length, vocabulary and tokens behind 6.3×10²³ are not printed; "
           "Gopher's 300B tokens at 2,048 give 4.75×10²³"),
    # -- Chowdhery et al. 2022
    Figure("palm", "§4.1 Table 3, PaLM 540B: MFU", "46.2%",
           lambda: _mfu(find("palm-540b"), "palm", 238_300, 275e12, 6144),
           "flopdocs mfu palm-540b --tokens-per-second 238300 --accelerator tpu-v4 --devices 6144 --convention palm",
           "{:.1f}"),
    Figure("palm", "§4.1 Table 3, Megatron-Turing NLG 530B: MFU", "30.2%",
           lambda: _mfu(mt_nlg(), "palm", 65_430, 312e12, 2240),
           f"flopdocs mfu gpt-3-175b {_MT_NLG} --tokens-per-second 65430 --accelerator a100 --devices 2240 --convention palm",
           "{:.1f}"),
    *(Figure("palm", f"Appendix B, Table 22, PaLM {size}: TFLOPs per token (non-attn + attn)", printed,
             (lambda s=slug: float(_per_token(find(s), "palm") / 10**12)),
             f"flopdocs report {slug} --convention palm --mode training", digits)
      for size, slug, printed, digits in (("8B", "palm-8b", "0.0550", "{:.4f}"),
                                          ("62B", "palm-62b", "0.388", "{:.3f}"),
                                          ("540B", "palm-540b", "3.28", "{:.2f}"))),
    Figure("palm", "Appendix B, PaLM 540B: hardware FLOPs utilisation", "57.8%",
           lambda: _mfu(find("palm-540b"), "flopdocs", 238_300, 275e12, 6144, "full", hfu=True),
           "flopdocs mfu palm-540b --tokens-per-second 238300 --accelerator tpu-v4 --devices 6144",
           "{:.1f}", "PaLM rematerialises 75 % of the non-attention forward and all of the "
                     "attention (App. B), a policy no --recompute names; ours is --recompute full, the whole forward again"),
    # -- Narayanan et al. 2021 and Korthikanti et al. 2022
    *(Figure("megatron", f"Korthikanti et al. 2022, Table 5, {name}: {what}", printed,
             (lambda n=name, h=hfu: _mfu(korthikanti(n), "megatron",
                                          KORTHIKANTI[n][0][4] * 2048 / float(KORTHIKANTI[n][1]), 312e12,
                                          KORTHIKANTI[n][0][3], "selective", hfu=h)),
             f"flopdocs mfu gpt-3-175b {_korthikanti_sets(name)} --tokens-per-second "
             f"{KORTHIKANTI[name][0][4] * 2048 / float(KORTHIKANTI[name][1]):.2f} --accelerator a100 "
             f"--devices {KORTHIKANTI[name][0][3]} --convention megatron --recompute selective",
             "{:.1f}", "its iteration time is printed to three digits (1.10 s)" if name == "22B" else "")
      for name in KORTHIKANTI for what, printed, hfu in (("MFU", KORTHIKANTI[name][2], False),
                                                          ("HFU (selective recomputation)", KORTHIKANTI[name][3], True))),
    Figure("megatron", "Narayanan et al. 2021, eq. 4: GPT-3 175B on 300B tokens, 1,024 A100s at 140 TFLOP/s, days",
           "34", lambda: float(_per_token(find("gpt-3-175b"), "megatron", "training-recompute")
                               * 300 * 10**9 / (1024 * 140 * 10**12) / 86400),
           "flopdocs report gpt-3-175b --convention megatron --mode training-recompute  # per_token · 300e9 / (1024 · 140e12)",
           "{:.0f}", "eq. 4 approximates eq. 3 by 8·T·P (34 days); eq. 3 itself gives 34.7"),
    # -- Brown et al. 2020
    *(_gpt3(slug) for slug in GPT3_D1),
    Figure("6N", "Table D.1, T5-Base: total train compute (flops)", "6.60E+20",
           lambda: float(_per_token(find("t5-base"), "6N") * 10**12),
           "flopdocs report t5-base --convention 6N --mode training  # per_token · 1e12", "{:.2E}",
           "our structure has 222.9M parameters, the printed column 220M (3 · 220M · 1T = 6.60E+20 exactly)"),
    Figure("6N", "Table D.1, T5-Large: total train compute (flops)", "2.31E+21",
           lambda: float(_per_token(find("t5-large"), "6N") * 10**12),
           "flopdocs report t5-large --convention 6N --mode training  # per_token · 1e12", "{:.2E}",
           "our structure has 737.7M parameters, the printed column 770M (3 · 770M · 1T = 2.31E+21 exactly)"),
    # -- the seed notebook
    Figure("seed", "In [44]: the forward FLOPs of its first config", "51,248,964,096",
           lambda: analyse(find("seed-512"), "seed").total,
           "flopdocs report seed-512 --convention seed", "{:,.0f}"),
)


def of(convention: str) -> list[Figure]:
    """The figures of one convention's source, in source order."""
    return [f for f in FIGURES if f.convention == convention]
