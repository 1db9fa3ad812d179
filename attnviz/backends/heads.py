"""Head ablation for models on attnviz's kernel: switch heads off for the calls in a block.

    with attnviz.backends.heads.ablating(model, [("h.1.attn", 0), ("h.1.attn", 3)]):
        model(**batch)                  # heads 0 and 3 of layer h.1.attn contribute nothing

A head is (layer name, head), the layer named as `attention_maps` / `LayerMaps` and
`attnviz.capture` name it (the attention module's name in `model`), the head a query
head (under grouped-query attention each query head is gated alone). A switched-off head
still attends (its own map is unchanged); its output is zeroed before the model merges
the heads and applies its output projection, so every later layer runs without it. The
gates live in a context variable: other threads and sessions sharing the model are not
affected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from torch import nn

from ._gates import HeadGates, gating
from .capturing import _check_model

Head = tuple[str, int]  # (attention layer's module name, query head)

__all__ = ["Head", "ablating", "check_heads"]


def check_heads(model: nn.Module, heads: Iterable[Head]) -> list[Head]:
    """The heads, sorted and without repeats; ValueError for a name that is no module of
    `model` or a head that is not a non-negative int. (Head counts are checked when the
    layer runs: only then is its number of query heads known for every model.)"""
    modules = dict(model.named_modules())
    out: set[Head] = set()
    for item in heads:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise ValueError(f"a head is (layer name, head index), got {item!r}")
        name, head = item
        if not isinstance(name, str) or name not in modules or not name:
            raise ValueError(f"{type(model).__name__} has no module named {name!r}: name "
                             "layers as attention_maps names them (LayerMaps.name)")
        if not isinstance(head, int) or isinstance(head, bool) or head < 0:
            raise ValueError(f"a head index is a non-negative int, got {head!r} for {name}")
        out.add((name, head))
    return sorted(out)


@contextmanager
def ablating(model: nn.Module, heads: Iterable[Head]) -> Iterator[HeadGates]:
    """Inside the block `heads` are switched off in every forward of `model`. Refuses
    (ValueError) unknown names and heads past a layer's count; on leaving, refuses a named
    module that never ran as an attention layer. Yields the gates, whose `seen` lists
    every attention layer that ran (id(module) -> query heads)."""
    with gated_rows(model, [heads]) as state:
        yield state


@contextmanager
def gated_rows(model: nn.Module, rows: Sequence[Iterable[Head]]) -> Iterator[HeadGates]:
    """`ablating` with one set of heads per batch row (a single set applies to every row):
    one batched forward then runs several ablations at once."""
    _check_model(model)
    checked = [check_heads(model, row) for row in rows]
    if not checked:
        raise ValueError("rows must hold at least one set of heads")
    ids = {name: id(module) for name, module in model.named_modules()}
    names = sorted({name for row in checked for name, _ in row})
    off = {ids[name]: (name, tuple(frozenset(h for n, h in row if n == name) for row in checked))
           for name in names}
    state = HeadGates(off)
    with gating(state):
        yield state
    never = [name for name in names if ids[name] not in state.seen]
    if never:
        seen = [name for name, i in ids.items() if i in state.seen]
        raise ValueError(f"{', '.join(never)} did not run as an attention layer on attnviz's "
                         f"kernel; its attention layers are {', '.join(seen) or 'none'}")
