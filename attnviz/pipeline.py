"""Models and traces for the app and the CLI, without Streamlit.

The app wraps these in st.cache_resource / st.cache_data (attnviz.st_cache); the CLI
calls them directly, so both show the same maps for the same inputs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from kernels import interpreter_active
from models import DecodeStep, HeadImportance, Trace, load_pretrained

from .labels import NORM_LABELS

Head = tuple[str, int, int]   # (attention kind, layer, head), as models.transformer.Head

# Two Streamlit sessions are two threads. Under Triton's CPU interpreter `kernels` already
# makes their kernel launches take turns (its language patch is process-wide); this lock
# keeps each model call's launches together, so one page finishes before the next starts
# instead of both finishing late. On CUDA it costs little.
_model_lock = threading.RLock()


class ModelUnavailable(RuntimeError):
    """The trained checkpoint is missing or unreadable; the message names the fix."""


def load_model(norm: str):
    """The shipped model with this norm placement, its attention on our kernel, or
    ModelUnavailable with the fix."""
    # The model's matrices are tiny (a sentence by 128): a second thread only adds
    # synchronisation, and on a busy 2-core laptop it made each trace 3x slower.
    torch.set_num_threads(1)
    try:
        model = load_pretrained(norm)
    except (FileNotFoundError, ValueError, OSError) as e:
        raise ModelUnavailable(
            f"the {NORM_LABELS.get(norm, norm)} model could not be loaded ({e}); train it "
            f"with `python -m models.train --norm {norm}` or restore models/checkpoints/{norm}/"
        ) from e
    model.backend = "triton"  # every map the app shows comes from the kernel
    return model


def norms_of(choice: str) -> list[str]:
    """"both" -> ["post", "pre"]; otherwise the one placement."""
    return ["post", "pre"] if choice == "both" else [choice]


@dataclass
class TracePair:
    """One model's trace of one sentence with the causal mask as chosen, and (computed
    only when asked for: a kernel pass costs about a second on CPU) with it flipped, so
    the app can show how the teacher-forced predictions change."""

    shown: Trace
    other_fn: Callable[[], Trace]

    @property
    def other(self) -> Trace:
        return self.other_fn()

    @property
    def masked(self) -> Trace:
        return self.shown if self.shown.causal else self.other

    @property
    def unmasked(self) -> Trace:
        return self.other if self.shown.causal else self.shown


def translate(model, src: str, ablate: Iterable[Head] = ()) -> str:
    """The model's greedy translation (with the `ablate` heads switched off). Decoding runs
    on the PyTorch reference attention: it picks the same tokens as the kernel (the two
    agree to ~1e-7) at a fraction of the Triton interpreter's cost on CPU, where a
    step-by-step decode through the kernel takes seconds. Every map the app shows is still
    computed by the kernel, in `trace`."""
    with _model_lock:
        return model.translate(src, backend="reference", ablate=list(ablate))


def trace(model, src: str, tgt: str | None, causal: bool,
          translation: str | None = None, ablate: Iterable[Head] = ()) -> Trace:
    """The kernel's trace of (src, tgt), with the `ablate` heads switched off; with no
    target, the model's greedy translation (`translation`, computed here if not given,
    with the same heads off) is the target, and the trace says so."""
    ablate = list(ablate)
    if tgt is None and translation is None:
        translation = translate(model, src, ablate)
    with _model_lock:
        return model.trace(src, tgt, causal=causal, translation=translation, ablate=ablate)


def head_importance(model, src: str, target: str, causal: bool) -> HeadImportance:
    """Each head's importance for (src, target) (see `Seq2Seq.head_importance`): one batched
    pass with a row per head. Under Triton's CPU interpreter that pass runs on the PyTorch
    reference (the same numbers to ~1e-7, a fraction of the interpreter's time); compiled,
    on the kernel."""
    with _model_lock:
        return model.head_importance(src, target, causal=causal,
                                     backend="reference" if interpreter_active() else None)


def decode_steps(model, src: str, translation: str | None = None) -> list[DecodeStep]:
    """Greedy decoding step by step through the kernel, along the model's own translation
    (sentence by sentence: where a new sentence starts, its first piece is chosen). Given
    the translation, stop right after its last piece and <eos>: no extra steps through the
    slow CPU interpreter."""
    max_len = None
    if translation is not None:
        max_len = len(model.tokenizer.encode(translation)) + 1
    with _model_lock:
        return model.decode_steps(src, max_len=max_len, target=translation)
