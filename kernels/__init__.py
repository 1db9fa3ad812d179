"""attnviz's attention kernels: a fused Triton kernel and its PyTorch reference.

    from kernels import attention, reference_attention, backend_name, configure
    from kernels import causal_mask, KERNEL_DTYPES, MIN_HEAD_DIM, MAX_HEAD_DIM  # the rules

`configure()` (kernels/runtime.py) chooses compiled or interpreted kernels before Triton
is imported; the names below call it on first use, so importing this package has no
effect of its own.
"""

from __future__ import annotations

import importlib

from .runtime import configure

# name -> the module that defines it (imported, with Triton, only when first asked for)
_LAZY = {"attention": ".api", "backend_name": ".api", "interpreter_active": ".api",
         "reference_attention": ".reference", "causal_mask": ".reference",
         # the kernel's limits, for code that checks inputs before calling it
         "KERNEL_DTYPES": ".checks", "MIN_HEAD_DIM": ".checks", "MAX_HEAD_DIM": ".checks"}

__all__ = ["KERNEL_DTYPES", "MAX_HEAD_DIM", "MIN_HEAD_DIM", "attention", "backend_name",
           "causal_mask", "configure", "interpreter_active", "reference_attention"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'kernels' has no attribute {name!r}")
    configure()
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
