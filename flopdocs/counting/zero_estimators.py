"""DeepSpeed's ZeRO model-state memory estimators, transcribed for the built-in audits
(:mod:`flopdocs.counting.builtin_audits`, which cites them): plain Python, run on symbols
by :mod:`flopdocs.counting.audit` against the memory model's per-device model states.

Nothing here counts, compares or imports the rest of the package.
"""
from __future__ import annotations


def deepspeed_zero2(total_params, num_gpus_per_node=1, num_nodes=1, cpu_offload=True,
                    additional_buffer_factor=1.5):
    """deepspeedai/DeepSpeed deepspeed/runtime/zero/stage_1_and_2.py @edaa7221,
    estimate_zero2_model_states_mem_needs: the GPU half of its (cpu_mem, gpu_mem) pair, in
    bytes (the CPU half, a checkpoint-loading buffer × additional_buffer_factor, left out)."""
    total_gpus = num_nodes * num_gpus_per_node
    if cpu_offload:
        gpu_mem = 2 * total_params
    else:
        # 2 = params_16bit, 18 = 2_grads_16bit + 4_grads_32bit + 4_params_32bit + 8_optimizer_states_32bit
        gpu_mem = 2 * total_params + int(18 * total_params / total_gpus)
    return int(gpu_mem)


def deepspeed_zero3(total_params, largest_layer_params, num_gpus_per_node=1, num_nodes=1,
                    cpu_offload=True, cpu_offload_params=True, zero_init=True,
                    additional_buffer_factor=1.5):
    """deepspeedai/DeepSpeed deepspeed/runtime/zero/stage3.py @32d51a18,
    estimate_zero3_model_states_mem_needs: the GPU part of its (cpu_mem, gpu_mem,
    largest_layer_memory) triple, in bytes (the CPU half left out, as for ZeRO-2)."""
    total_gpus = num_nodes * num_gpus_per_node
    largest_layer_memory = (4 * largest_layer_params)
    if cpu_offload:
        if cpu_offload_params:
            gpu_mem = largest_layer_memory
        else:
            gpu_mem = largest_layer_memory + int(2 * total_params / total_gpus)
    else:
        gpu_mem = largest_layer_memory + int(18 * total_params / total_gpus)
    return int(gpu_mem)
