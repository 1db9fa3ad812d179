"""attnviz's attention kernels: a fused Triton kernel and its PyTorch reference.

    from kernels import attention, reference_attention, backend_name, configure

`configure()` (kernels/runtime.py) chooses compiled or interpreted kernels before Triton
is imported; the names below call it on first use, so importing this package has no
effect of its own.
"""

from __future__ import annotations

import importlib

from .runtime import configure

# name -> the module that defines it (imported, with Triton, only when first asked for)
_LAZY = {"attention": ".api", "backend_name": ".api", "interpreter_active": ".api",
         "reference_attention": ".reference"}

__all__ = ["attention", "backend_name", "configure", "interpreter_active",
           "reference_attention"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'kernels' has no attribute {name!r}")
    configure()
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
