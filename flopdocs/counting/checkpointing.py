"""``--recompute layers`` against PyTorch: FlopCounterMode over a training step of the Hugging
Face model with ``model.gradient_checkpointing_enable()`` (PyTorch's non-reentrant checkpoint),
beside our count.  Used by the tests; nothing here prints or is a command.
"""
from __future__ import annotations

from flopdocs.config.config import Config
from flopdocs.counting.analysis import analyse
from flopdocs.counting.modes import Options
from flopdocs.counting.verify import build, inputs, torch_modules
from flopdocs.structure.tree import walk


def checkpointed(cfg: Config) -> tuple[int, int]:
    """(our matmul FLOPs under ``training-recompute --recompute layers``, FlopCounterMode's of a
    training step with ``model.gradient_checkpointing_enable()``), one sequence, dropout 0.
    Built on the CPU (small configs only: recomputation and masks need real tensors)."""
    torch, _ = torch_modules()
    from torch.utils.flop_counter import FlopCounterMode

    _, model = build(cfg := cfg.with_values({"N": 1}, cfg.origin), device="cpu")
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    model.train()
    model.gradient_checkpointing_enable()
    ids = {name: torch.zeros((1, n), dtype=torch.long) for name, n in inputs(cfg).items()}
    counter = FlopCounterMode(display=False)
    with counter:
        out = model(**ids, use_cache=False)
        sum(t.sum() for t in out.values() if isinstance(t, torch.Tensor) and t.is_floating_point()).backward()
    a = analyse(cfg, mode="training-recompute", options=Options(recompute="layers"))
    return sum(int(n.value) for _, n in walk(a.tree) if n.is_leaf and n.kind == "matmul"), counter.get_total_flops()
