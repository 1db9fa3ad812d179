"""Where the kernels run: compiled for a CUDA GPU, or by Triton's CPU interpreter.

The choice must be made before `triton` is first imported, so every entry point (the
app, its pages, the CLI, the benchmarks, the test configuration) calls `configure()`
first; the package's names (`kernels.attention`, ...) call it too on first use, for code
that imports them directly. Set TRITON_INTERPRET yourself to override the choice.
"""

import dataclasses
import os
import sys
import threading

_configured: str | None = None
_configure_lock = threading.Lock()  # two app sessions may start at once


def configure() -> str:
    """Choose compiled or interpreted kernels, once per process; "interpreter" or
    "compiled". Without CUDA it sets TRITON_INTERPRET=1 (unless Triton is already
    imported or the variable is set), and tunes the interpreter: no int32 overflow checks
    (ATTNVIZ_SANITIZE_OVERFLOW=1 keeps them), the language patched once per launch, and
    launches from several threads taking turns."""
    global _configured
    with _configure_lock:
        if _configured is None:
            _choose_triton_mode()
            _skip_interpreter_overflow_checks()
            _patch_language_once_per_launch()
            _configured = ("interpreter" if os.environ.get("TRITON_INTERPRET", "0")
                           not in ("", "0") else "compiled")
    return _configured


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
    if builder is not None and options is not None and hasattr(options, "sanitize_overflow"):
        builder.options = dataclasses.replace(options, sanitize_overflow=False)


def _patch_language_once_per_launch() -> None:
    # Two fixes to how Triton's CPU interpreter patches triton.language around a kernel:
    # - Speed: it re-patched every language module (inspect.getmembers, ~0.15 ms) at each
    #   call of a @triton.jit helper inside a kernel, though the launch had patched them
    #   already: two fifths of a forward's time on the app's sentences. A helper's call
    #   now patches only modules not yet patched in this launch.
    # - Threads: the patch is process-wide, so two threads interpreting at once (two
    #   Streamlit sessions) undid each other's ("Did you forget to add @triton.jit?").
    #   A launch now holds a lock from its patch to its undo, so launches take turns.
    if os.environ.get("TRITON_INTERPRET", "0") in ("", "0"):
        return
    import inspect
    import threading

    import triton.language as tl
    from triton.runtime import interpreter

    patch = getattr(interpreter, "_patch_lang", None)
    scope_type = getattr(interpreter, "_LangPatchScope", None)
    if patch is None or scope_type is None or getattr(patch, "once_per_launch", False):
        return
    launch_lock = threading.Lock()
    patched: set[int] = set()  # ids of the language modules the running launch patched
    owner: int | None = None  # the thread whose launch holds the lock

    # id of a module's globals -> (those globals, kept so the id stays theirs; the ids of
    # the language modules they hold)
    langs_of: dict[int, tuple[dict, frozenset[int]]] = {}

    def patch_once(fn):
        nonlocal owner
        known = langs_of.get(id(fn.__globals__))
        if known is None:
            known = (fn.__globals__, frozenset(
                id(value) for value in fn.__globals__.values()
                if inspect.ismodule(value) and value in (tl, tl.core)))
            langs_of[id(fn.__globals__)] = known
        langs = known[1]
        if owner == threading.get_ident():  # a helper called inside our launch
            if langs <= patched:
                return scope_type()  # nothing patched, nothing to undo
            scope = patch(fn)
            patched.update(langs)
            return scope
        launch_lock.acquire()  # a launch: wait for any other thread's to finish
        owner = threading.get_ident()
        try:
            scope = patch(fn)
        except BaseException:
            owner = None
            launch_lock.release()
            raise
        patched.update(langs)
        undo = scope.restore

        def restore() -> None:
            nonlocal owner
            try:
                patched.clear()
                undo()
            finally:
                owner = None
                launch_lock.release()

        scope.restore = restore
        return scope

    patch_once.once_per_launch = True  # type: ignore[attr-defined]
    interpreter._patch_lang = patch_once
