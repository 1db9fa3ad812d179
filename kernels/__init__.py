"""attnviz's attention kernels: a fused Triton kernel and its PyTorch reference.

On a machine without CUDA, importing this package switches Triton to its CPU
interpreter (TRITON_INTERPRET=1), which must happen before `triton` is first
imported; set TRITON_INTERPRET yourself to override the choice.
"""

import os
import sys


def _choose_triton_mode() -> None:
    if "TRITON_INTERPRET" in os.environ or "triton" in sys.modules:
        return
    import torch

    if not torch.cuda.is_available():
        os.environ["TRITON_INTERPRET"] = "1"


_choose_triton_mode()

from .attention import attention, backend_name, interpreter_active  # noqa: E402
from .reference import reference_attention  # noqa: E402

__all__ = ["attention", "backend_name", "interpreter_active", "reference_attention"]
