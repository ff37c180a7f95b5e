"""Accelerators' peak throughput, dense and sparse kept apart, each from its vendor's sheet.

Used dense by default: model FLOPs utilisation divides the model's FLOPs by what the
chips could do on dense matrices (the 2:4 structured-sparsity figures are twice those
and no transformer's FLOP count assumes them).  Nothing here computes an MFU.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Accelerator:
    name: str  # the --accelerator name
    title: str
    dtype: str
    dense: float  # FLOP/s, dense
    sparse: float | None  # FLOP/s with 2:4 structured sparsity, where the sheet gives it
    source: str


T = 1e12
ACCELERATORS: dict[str, Accelerator] = {a.name: a for a in (
    Accelerator("a100", "NVIDIA A100 (SXM)", "bf16", 312 * T, 624 * T,
                "NVIDIA A100 Tensor Core GPU datasheet (2020), BFLOAT16 Tensor Core"),
    Accelerator("h100-sxm", "NVIDIA H100 SXM", "bf16", 989 * T, 1979 * T,
                "NVIDIA H100 Tensor Core GPU datasheet, SXM5, BF16 Tensor Core (1,979 with sparsity)"),
    Accelerator("h200", "NVIDIA H200 SXM", "bf16", 989 * T, 1979 * T,
                "NVIDIA H200 Tensor Core GPU datasheet, BF16 Tensor Core (1,979 with sparsity)"),
    Accelerator("b200", "NVIDIA B200", "bf16", 2250 * T, 4500 * T,
                "NVIDIA DGX B200 datasheet: 72 PFLOPS FP8 training for 8 GPUs; HGX B200 BF16 "
                "dense 2.25 PFLOPS per GPU (4.5 with sparsity)"),
    Accelerator("mi300x", "AMD Instinct MI300X", "bf16", 1307.4 * T, 2614.9 * T,
                "AMD Instinct MI300X data sheet, peak BF16 (with structured sparsity 2,614.9)"),
    Accelerator("tpu-v4", "Google TPU v4", "bf16", 275 * T, None,
                "Google Cloud TPU v4 documentation (275 TFLOPS bf16 per chip); Chowdhery et al. "
                "2022, PaLM, Appendix B"),
    Accelerator("tpu-v5e", "Google TPU v5e", "bf16", 197 * T, None,
                "Google Cloud TPU v5e documentation: 197 TFLOPS bf16 per chip"),
    Accelerator("tpu-v5p", "Google TPU v5p", "bf16", 459 * T, None,
                "Google Cloud TPU v5p documentation: 459 TFLOPS bf16 per chip"),
)}
