"""attnviz's attention kernels: a fused Triton kernel and its PyTorch reference.

On a machine without CUDA, importing this package switches Triton to its CPU
interpreter (TRITON_INTERPRET=1), which must happen before `triton` is first
imported; set TRITON_INTERPRET yourself to override the choice.
"""

import dataclasses
import os
import sys


def _choose_triton_mode() -> None:
    if "TRITON_INTERPRET" in os.environ or "triton" in sys.modules:
        return
    import torch

    if not torch.cuda.is_available():
        os.environ["TRITON_INTERPRET"] = "1"


def _skip_interpreter_overflow_checks() -> None:
    # The interpreter checks every int32 add/mul of a kernel for overflow, which is a
    # fifth of its run time on the app's sentences. Our kernels compute 64-bit offsets
    # where a product can pass 2**31 (tested compiled, on an H100, at 16k tokens);
    # set ATTNVIZ_SANITIZE_OVERFLOW=1 to keep the checks.
    if os.environ.get("TRITON_INTERPRET", "0") in ("", "0"):
        return
    if os.environ.get("ATTNVIZ_SANITIZE_OVERFLOW", "0") not in ("", "0"):
        return
    from triton.runtime import interpreter

    builder = getattr(interpreter, "interpreter_builder", None)
    options = getattr(builder, "options", None)
    if options is not None and hasattr(options, "sanitize_overflow"):
        builder.options = dataclasses.replace(options, sanitize_overflow=False)


_choose_triton_mode()
_skip_interpreter_overflow_checks()

from .attention import attention, backend_name, interpreter_active  # noqa: E402
from .reference import reference_attention  # noqa: E402

__all__ = ["attention", "backend_name", "interpreter_active", "reference_attention"]
