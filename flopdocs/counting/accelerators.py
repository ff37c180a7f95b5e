"""Accelerators: peak throughput per number format (dense and 2:4-sparse kept apart),
memory capacity and memory bandwidth, each from the vendor's sheet it cites.

Model FLOPs utilisation divides by the dense peak of the chip's training format
(:attr:`Accelerator.dtype`; the 2:4 structured-sparsity figures are twice those and no
transformer's FLOP count assumes them).  Capacities and bandwidths are in bytes as the
sheet prints them: GB and TB/s are powers of ten, GiB (the TPU v3 and v4 pages) powers of
two.  int8 peaks are operations per second.  Nothing here computes an MFU or a time.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Peak:
    dtype: str  # bf16, fp16, fp8, fp4, tf32, fp32, fp64, int8
    dense: float  # FLOP/s (int8: operations/s), dense matrices
    sparse: float | None = None  # with 2:4 structured sparsity, where the sheet gives it


@dataclass(frozen=True)
class Accelerator:
    name: str  # the --accelerator name
    title: str
    dtype: str  # the format MFU uses (bf16; fp16 where the chip has no bf16)
    peaks: tuple[Peak, ...]
    memory_bytes: int  # memory capacity per chip
    bandwidth_bytes_per_s: int  # memory bandwidth per chip
    source: str

    def peak(self, dtype: str | None = None) -> Peak:
        """The peak for ``dtype`` (default: :attr:`dtype`); KeyError if the sheet has none."""
        want = self.dtype if dtype is None else dtype
        for p in self.peaks:
            if p.dtype == want:
                return p
        raise KeyError(f"{self.name} has no {want} peak (it has {', '.join(p.dtype for p in self.peaks)})")

    @property
    def dense(self) -> float:
        """Dense peak FLOP/s of :attr:`dtype`, what MFU divides by."""
        return self.peak().dense

    @property
    def sparse(self) -> float | None:
        return self.peak().sparse


T = 1e12
GB, GiB, TB = 10**9, 2**30, 10**12


def _pairs(*rows: tuple) -> tuple[Peak, ...]:
    return tuple(Peak(d, dense * T, None if sparse is None else sparse * T) for d, dense, sparse in rows)


# NVIDIA lists the sparse figure with an asterisk ("Specifications 1/2 lower without
# sparsity"); the dense ones below are half of it.
_HOPPER = _pairs(("bf16", 989, 1979), ("fp16", 989, 1979), ("fp8", 1979, 3958), ("tf32", 494.5, 989),
                 ("fp32", 67, None), ("fp64", 34, None), ("int8", 1979, 3958))
_CDNA3 = _pairs(("bf16", 1307.4, 2614.9), ("fp16", 1307.4, 2614.9), ("fp8", 2614.9, 5229.8),
                ("tf32", 653.7, 1307.4), ("fp32", 163.4, None), ("fp64", 81.7, None),
                ("int8", 2614.9, 5229.8))

ACCELERATORS: dict[str, Accelerator] = {a.name: a for a in (
    Accelerator("v100", "NVIDIA V100 (SXM2)", "fp16",
                _pairs(("fp16", 125, None), ("fp32", 15.7, None), ("fp64", 7.8, None)),
                32 * GB, 900 * GB,
                "NVIDIA V100 Tensor Core GPU datasheet, SXM2: Tensor Performance 125 TFLOPS, "
                "32 GB HBM2, 900 GB/s (no bf16; the GPUs of GPT-3)"),
    Accelerator("a100", "NVIDIA A100 (SXM, 80GB)", "bf16",
                _pairs(("bf16", 312, 624), ("fp16", 312, 624), ("tf32", 156, 312), ("fp32", 19.5, None),
                       ("fp64", 19.5, None), ("int8", 624, 1248)),
                80 * GB, 2039 * GB,
                "NVIDIA A100 Tensor Core GPU datasheet (2020): BFLOAT16 Tensor Core 312 TFLOPS "
                "(624 with sparsity), 80GB HBM2e SXM 2,039 GB/s"),
    Accelerator("h100-sxm", "NVIDIA H100 SXM", "bf16", _HOPPER, 80 * GB, 3350 * GB,
                "NVIDIA H100 Tensor Core GPU datasheet, SXM5: BF16 Tensor Core 1,979 TFLOPS with "
                "sparsity, 80 GB HBM3, 3.35 TB/s"),
    Accelerator("h200", "NVIDIA H200 SXM", "bf16", _HOPPER, 141 * GB, 4800 * GB,
                "NVIDIA H200 Tensor Core GPU datasheet: H100 SXM's compute, 141 GB HBM3e, 4.8 TB/s"),
    Accelerator("b200", "NVIDIA B200", "bf16",
                _pairs(("bf16", 2250, 4500), ("fp16", 2250, 4500), ("fp8", 4500, 9000),
                       ("fp4", 9000, 18000), ("tf32", 1125, 2250)),
                180 * GB, 8 * TB,
                "NVIDIA DGX B200 / HGX B200 datasheets: per GPU BF16 2.25 PFLOPS dense (4.5 "
                "sparse), FP8 4.5 (9), FP4 9 (18); DGX B200's 1,440 GB HBM3e and 64 TB/s over 8 GPUs"),
    Accelerator("l40s", "NVIDIA L40S", "bf16",
                _pairs(("bf16", 362.05, 733), ("fp16", 362.05, 733), ("fp8", 733, 1466),
                       ("tf32", 183, 366), ("fp32", 91.6, None), ("int8", 733, 1466)),
                48 * GB, 864 * GB,
                "NVIDIA L40S datasheet: BF16 Tensor 362.05 TFLOPS (733 with sparsity), 48 GB GDDR6, 864 GB/s"),
    Accelerator("mi300x", "AMD Instinct MI300X", "bf16", _CDNA3, 192 * GB, 5300 * GB,
                "AMD Instinct MI300X data sheet: peak BF16 1,307.4 TFLOPS (2,614.9 with structured "
                "sparsity), 192 GB HBM3, 5.3 TB/s"),
    Accelerator("mi325x", "AMD Instinct MI325X", "bf16", _CDNA3, 256 * GB, 6000 * GB,
                "AMD Instinct MI325X data sheet: MI300X's peak compute, 256 GB HBM3E, 6 TB/s"),
    Accelerator("gaudi3", "Intel Gaudi 3", "bf16", _pairs(("bf16", 1835, None), ("fp8", 1835, None)),
                128 * GB, 3700 * GB,
                "Intel Gaudi 3 AI accelerator white paper: MME BF16 and FP8 1,835 TFLOPS, "
                "128 GB HBM2e, 3.7 TB/s"),
    Accelerator("tpu-v3", "Google TPU v3", "bf16", _pairs(("bf16", 123, None)), 32 * GiB, 900 * GB,
                "Google Cloud TPU v3 documentation: 123 teraflops bf16 per chip, HBM2 32 GiB, "
                "900 GBps (the chips of Gopher)"),
    Accelerator("tpu-v4", "Google TPU v4", "bf16", _pairs(("bf16", 275, None), ("int8", 275, None)),
                32 * GiB, 1200 * GB,
                "Google Cloud TPU v4 documentation: 275 teraflops (bf16 or int8) per chip, HBM2 "
                "32 GiB, 1200 GBps; Chowdhery et al. 2022, PaLM, Appendix B"),
    Accelerator("tpu-v5e", "Google TPU v5e", "bf16", _pairs(("bf16", 197, None), ("int8", 393, None)),
                16 * GB, 819 * GB,
                "Google Cloud TPU v5e documentation: 197 TFLOPs bf16, 393 TOPs int8 per chip, "
                "HBM2 16 GB, 819 GBps"),
    Accelerator("tpu-v5p", "Google TPU v5p", "bf16", _pairs(("bf16", 459, None), ("int8", 918, None)),
                95 * GB, 2765 * GB,
                "Google Cloud TPU v5p documentation: 459 TFLOPs bf16 per chip, HBM2e 95 GB, 2765 GBps"),
    Accelerator("tpu-v6e", "Google TPU v6e (Trillium)", "bf16",
                _pairs(("bf16", 918, None), ("int8", 1836, None)), 32 * GB, 1638 * GB,
                "Google Cloud TPU v6e documentation: 918 TFLOPs bf16, 1836 TOPs int8 per chip, "
                "HBM 32 GB, 1638 GBps"),
)}
