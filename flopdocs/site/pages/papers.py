"""Which convention does this paper (or framework) use: each claim with its source.

Data only, laid out by ``templates/conventions.md.j2`` (``#papers``).  A source is a
paper's section or a file of the framework's repository, as of the versions we read
(named in :data:`AS_OF`); line numbers are not given (they move).  ``convention`` names
one of :data:`flopdocs.conventions.CONVENTIONS`, ``closest`` says how far it is exact.
"""
from __future__ import annotations

AS_OF = ("papers as published (arXiv versions); framework code as found in public copies of "
         "the repositories up to 2025 (files move between versions: the path given is where the "
         "function was found; line numbers are not given)")

#: (who, what it counts, our convention, how close, the source).
PAPERS: tuple[dict, ...] = (
    {"who": "GPT-3 (Brown et al. 2020)",
     "counts": "training compute as 6 · parameters · tokens; the attention over the context "
               "is left out",
     "convention": "6N", "closest": "exact: N the parameters active per token (Table D.1's "
                                    "totals, GPT-3 rows; T5 half of them)",
     "source": "Language Models are Few-Shot Learners, Appendix D (Total Compute Used to Train "
               "Language Models)"},
    {"who": "Kaplan et al. 2020 (scaling laws)",
     "counts": "forward per token row by row (Table 1), C ≈ 6·N·D with N the non-embedding "
               "parameters (section 2.1)",
     "convention": "kaplan", "closest": "exact (Table 1's non-embedding total; the "
                                               "embed and de-embed rows beside it)",
     "source": "Scaling Laws for Neural Language Models, Table 1 and section 2.1"},
    {"who": "Chinchilla (Hoffmann et al. 2022)",
     "counts": "every matrix product, the embedding as a one-hot product, 3 FLOPs per softmax "
               "score; compared with 6·N·D in Table A4",
     "convention": "chinchilla", "closest": "exact (Appendix F); Table A4's ratios with "
                                                   "--exclude embedding,lm-head",
     "source": "Training Compute-Optimal Large Language Models, Appendix F and Table A4"},
    {"who": "PaLM (Chowdhery et al. 2022)",
     "counts": "6·N + 12·L·H·Q·T per training token, rematerialisation not counted (MFU, "
               "not HFU)",
     "convention": "palm", "closest": "exact",
     "source": "PaLM: Scaling Language Modeling with Pathways, Appendix B"},
    {"who": "Llama (Touvron et al. 2023; Llama 2; Llama 3)",
     "counts": "the LLaMA and Llama 2 papers report training cost in GPU-hours, not a FLOPs "
               "formula; the Llama 3 paper reports compute budgets in FLOPs and MFU without "
               "printing its counting rule",
     "convention": "", "closest": "not stated; Meta's torchtitan (below) uses the PaLM form",
     "source": "LLaMA: Open and Efficient Foundation Language Models (2023), its carbon "
               "footprint section (GPU-hours); Llama 2 (2023), its pretraining section "
               "(GPU-hours); The Llama 3 Herd of Models (2024), section 3 (pre-training)"},
    {"who": "Megatron-LM (paper)",
     "counts": "96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) per iteration: layers and logit layer, "
               "backward twice the forward, full recomputation included",
     "convention": "megatron", "closest": "exact (training-recompute); Korthikanti et al. "
                                                 "2022's selective HFU with --recompute selective",
     "source": "Narayanan et al. 2021, Efficient Large-Scale Language Model Training on GPU "
               "Clusters Using Megatron-LM, eq. 3 and its appendix on floating-point operations"},
    {"who": "Megatron-LM (code)",
     "counts": "num_floating_point_operations: every GEMM 3 times (forward, weight and data "
               "gradients), with GQA, SwiGLU, MoE and the logit layer; no recomputation term",
     "convention": "megatron", "closest": "the paper's eq. 3 without the recomputation "
                                          "(mode training), generalised",
     "source": "NVIDIA/Megatron-LM, megatron/training/training.py, num_floating_point_operations"},
    {"who": "MaxText",
     "counts": "calculate_tflops_training_per_device: the weight matrices (FFN, QKV, "
               "projection, logits) × 3, and the attention's QKᵀ and PV halved for the causal "
               "mask (in the versions we read), × 3; embedding lookups, norms and softmax not "
               "counted",
     "convention": "flopdocs", "closest": "its matrix products, training, with --scores half",
     "source": "AI-Hypercomputer/maxtext, maxtext_utils.py (src/MaxText/ in older versions, "
               "src/maxtext/utils/ in newer), calculate_tflops_training_per_device"},
    {"who": "torchtitan",
     "counts": "get_num_flop_per_token: 6·N + 12·L·H·Q·T (the causal mask's sparsity and "
               "flash attention's recomputation deliberately not counted)",
     "convention": "palm", "closest": "exact when N is every parameter (some versions leave "
                                      "out the embedding)",
     "source": "pytorch/torchtitan, torchtitan/utils.py (get_num_flop_per_token; later moved "
               "next to each model's arguments)"},
    {"who": "nanoGPT",
     "counts": "estimate_mfu: 6·N + 12·L·H·Q·T (\"PaLM formula\"), N from get_num_params(), "
               "which leaves out the position embedding",
     "convention": "palm", "closest": "the PaLM form, N without the position table",
     "source": "karpathy/nanoGPT, model.py, GPT.estimate_mfu and GPT.get_num_params"},
)
