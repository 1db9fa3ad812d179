"""Head gates for the HF and torch.nn backends: which heads' outputs are switched off.

An active `HeadGates` (set by `attnviz.backends.heads.ablating`) names, per attention
module and batch row, the heads switched off; every attention layer multiplies its kernel
output (B, H, Lq, D) by 0 there before the model merges the heads and applies its output
projection, so a gated head still attends (its map is unchanged) but contributes nothing
downstream. It lives in a context variable, as `models.transformer.gating_heads` does:
two Streamlit sessions sharing one cached model never see each other's gates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import torch


@dataclass(eq=False)
class HeadGates:
    """`off`: id(module) -> (its name, the heads off in each batch row: one set for every
    row, or one per row). `seen`: id(module) -> its query head count, for every attention
    layer called while active (gated or not), in call order."""

    off: dict[int, tuple[str, tuple[frozenset[int], ...]]]  # (gating adds enclosing ones)
    seen: dict[int, int] = field(default_factory=dict)


_ACTIVE: ContextVar[HeadGates | None] = ContextVar("attnviz_hf_head_gates", default=None)


Rows = tuple[frozenset[int], ...]


def _union(a: Rows, b: Rows, name: str) -> Rows:
    """Heads off in both, row by row (a single set applies to every row)."""
    if len(a) == 1 or len(b) == 1 or len(a) == len(b):
        n = max(len(a), len(b))
        return tuple(a[min(i, len(a) - 1)] | b[min(i, len(b) - 1)] for i in range(n))
    raise ValueError(f"{name}: nested ablations give {len(a)} and {len(b)} batch rows")


@contextmanager
def gating(state: HeadGates) -> Iterator[HeadGates]:
    """Make `state` active in this context. Heads an enclosing block switched off stay off
    (nested ablations add up), so an inner call never switches a head back on."""
    outer = _ACTIVE.get()
    if outer is not None:
        for key, (name, rows) in outer.off.items():
            state.off[key] = (name, _union(rows, state.off[key][1], name)
                              if key in state.off else rows)
    token = _ACTIVE.set(state)
    try:
        yield state
    finally:
        _ACTIVE.reset(token)
        if outer is not None:  # the layers ran for the enclosing block too
            for key, heads in state.seen.items():
                outer.seen.setdefault(key, heads)


def gate_output(module: torch.nn.Module, out: torch.Tensor) -> torch.Tensor:
    """`out` (B, H, Lq, D), one query head per H (after grouped-query expansion), with the
    active gates of `module` applied; unchanged when none are active."""
    state = _ACTIVE.get()
    if state is None:
        return out
    batch, heads = out.shape[:2]
    state.seen.setdefault(id(module), heads)
    entry = state.off.get(id(module))
    if entry is None:
        return out
    name, rows = entry
    if not any(rows):
        return out
    # The head count is known only now: the gate is built at the call.
    unknown = sorted({h for row in rows for h in row if h >= heads})
    if unknown:
        raise ValueError(f"{name} has heads 0..{heads - 1}, not {unknown}")
    if len(rows) not in (1, batch):
        raise ValueError(f"{name}: heads given for {len(rows)} batch rows, the batch has {batch}")
    gate = torch.ones(len(rows), heads, dtype=out.dtype, device=out.device)
    for r, row in enumerate(rows):
        gate[r, sorted(row)] = 0.0
    return out * gate[:, :, None, None]
