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


def _patch_language_once_per_launch() -> None:
    # The interpreter re-patches triton.language (inspect.getmembers over its modules,
    # ~0.15 ms) at every call of a @triton.jit helper inside a kernel, though the launch
    # has patched the same modules already: two fifths of a forward's run time on the
    # app's sentences. Skip a helper's patch when every language module its globals
    # hold is patched; a launch's undo starts the count over. (Like the interpreter
    # itself, this assumes one launch at a time per process; the app holds a lock
    # around model calls for that reason.)
    if os.environ.get("TRITON_INTERPRET", "0") in ("", "0"):
        return
    import inspect

    import triton.language as tl
    from triton.runtime import interpreter

    patch = getattr(interpreter, "_patch_lang", None)
    scope_type = getattr(interpreter, "_LangPatchScope", None)
    if patch is None or scope_type is None or getattr(patch, "once_per_launch", False):
        return
    patched: set[int] = set()  # ids of the language modules patched now

    def patch_once(fn):
        langs = {id(value) for value in fn.__globals__.values()
                 if inspect.ismodule(value) and value in (tl, tl.core)}
        if langs and langs <= patched:
            return scope_type()  # nothing patched, nothing to undo
        scope = patch(fn)
        patched.update(langs)
        undo = scope.restore

        def restore() -> None:
            patched.clear()
            undo()

        scope.restore = restore
        return scope

    patch_once.once_per_launch = True
    interpreter._patch_lang = patch_once


_choose_triton_mode()
_skip_interpreter_overflow_checks()
_patch_language_once_per_launch()

from .attention import attention, backend_name, interpreter_active  # noqa: E402
from .reference import reference_attention  # noqa: E402

__all__ = ["attention", "backend_name", "interpreter_active", "reference_attention"]
