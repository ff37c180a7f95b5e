"""Accelerators' peak throughput, dense and sparse kept apart, each from its vendor's sheet.

Used dense by default: model FLOPs utilisation divides the model's FLOPs by what the
chips could do on dense matrices (the 2:4 structured-sparsity figures are twice those
and no transformer's FLOP count assumes them).  Memory capacity and bandwidth (the
roofline's other roof, :mod:`flopdocs.counting.timing`) are the sheets' figures as printed
(GB decimal where the sheet says GB, GiB where it says GiB); ``fp8`` the dense FP8 peak
where the chip has FP8 units.  Nothing here computes an MFU.
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
    memory_bytes: int | None = None  # one device's HBM, as the sheet gives it
    bandwidth_bytes_per_s: float | None = None  # its peak memory bandwidth
    fp8: float | None = None  # dense FP8 FLOP/s, where the chip has FP8 units
    memory_source: str = ""

    def peak(self, dtype: str) -> float:
        """Dense FLOP/s for matmuls at ``dtype``: fp8 and int8 at the FP8 peak where the
        chip has one; everything else (fp32 and weight-only int4 included: their products
        run on the 16-bit units) at the 16-bit dense peak."""
        if dtype in ("fp8", "int8") and self.fp8 is not None:
            return self.fp8
        return self.dense


T = 1e12
G = 10**9
GiB = 2**30
ACCELERATORS: dict[str, Accelerator] = {a.name: a for a in (
    Accelerator("a100", "NVIDIA A100 (SXM)", "bf16", 312 * T, 624 * T,
                "NVIDIA A100 Tensor Core GPU datasheet (2020), BFLOAT16 Tensor Core",
                80 * G, 2039 * G, None, "A100 80GB SXM: 80 GB HBM2e, 2,039 GB/s"),
    Accelerator("h100-sxm", "NVIDIA H100 SXM", "bf16", 989 * T, 1979 * T,
                "NVIDIA H100 Tensor Core GPU datasheet, SXM5, BF16 Tensor Core (1,979 with sparsity)",
                80 * G, 3.35e12, 1979 * T, "H100 SXM: 80 GB, 3.35 TB/s; FP8 3,958 TFLOPS with sparsity"),
    Accelerator("h200", "NVIDIA H200 SXM", "bf16", 989 * T, 1979 * T,
                "NVIDIA H200 Tensor Core GPU datasheet, BF16 Tensor Core (1,979 with sparsity)",
                141 * G, 4.8e12, 1979 * T, "H200 SXM: 141 GB HBM3e, 4.8 TB/s; FP8 3,958 TFLOPS with sparsity"),
    Accelerator("b200", "NVIDIA B200", "bf16", 2250 * T, 4500 * T,
                "NVIDIA DGX B200 datasheet: 72 PFLOPS FP8 training for 8 GPUs; HGX B200 BF16 "
                "dense 2.25 PFLOPS per GPU (4.5 with sparsity)",
                180 * G, 8e12, 4500 * T, "DGX B200: 1,440 GB and 64 TB/s for 8 GPUs; FP8 4.5 PFLOPS dense per GPU"),
    Accelerator("mi300x", "AMD Instinct MI300X", "bf16", 1307.4 * T, 2614.9 * T,
                "AMD Instinct MI300X data sheet, peak BF16 (with structured sparsity 2,614.9)",
                192 * G, 5.3e12, 2614.9 * T, "MI300X: 192 GB HBM3, 5.3 TB/s; FP8 2,614.9 TFLOPS dense"),
    Accelerator("tpu-v4", "Google TPU v4", "bf16", 275 * T, None,
                "Google Cloud TPU v4 documentation (275 TFLOPS bf16 per chip); Chowdhery et al. "
                "2022, PaLM, Appendix B",
                32 * GiB, 1200 * G, None, "Cloud TPU v4: 32 GiB HBM2, 1,200 GBps"),
    Accelerator("tpu-v5e", "Google TPU v5e", "bf16", 197 * T, None,
                "Google Cloud TPU v5e documentation: 197 TFLOPS bf16 per chip",
                16 * GiB, 819 * G, None, "Cloud TPU v5e: 16 GiB HBM2, 819 GBps"),
    Accelerator("tpu-v5p", "Google TPU v5p", "bf16", 459 * T, None,
                "Google Cloud TPU v5p documentation: 459 TFLOPS bf16 per chip",
                95 * GiB, 2765 * G, None, "Cloud TPU v5p: 95 GiB HBM2e, 2,765 GBps"),
)}
