"""Head ablation as the app and the CLI name it: which heads are switched off.

A head is (kind, layer, head) with kind one of models.ATTENTION_KINDS. The CLI writes
`KIND:LAYER:HEAD` (KIND enc, self or cross; HEAD may be `*` for every head of the layer);
the app offers one option per head and one per layer ("all heads") for each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from models import ATTENTION_KINDS

from .labels import KIND_NAMES

Head = tuple[str, int, int]
KIND_CODES = {kind: code for code, kind in KIND_NAMES.items()}
ALL_HEADS = "all heads"


def parse_spec(spec: str, n_layers: int, n_heads: int) -> list[Head]:
    """`KIND:LAYER:HEAD` (HEAD an integer or `*`) -> the heads it names, checked against the
    model's size (ValueError names what is wrong)."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise ValueError(f"--ablate wants KIND:LAYER:HEAD (e.g. cross:1:0 or cross:1:*), "
                         f"got {spec!r}")
    name, layer_text, head_text = parts
    if name not in KIND_NAMES:
        raise ValueError(f"--ablate KIND must be one of {', '.join(KIND_NAMES)}, got {name!r}")
    try:
        layer = int(layer_text)
        heads = range(n_heads) if head_text == "*" else [int(head_text)]
    except ValueError:
        raise ValueError(f"--ablate LAYER must be an integer and HEAD an integer or *, "
                         f"got {spec!r}") from None
    if not 0 <= layer < n_layers:
        raise ValueError(f"--ablate {spec}: layers are 0..{n_layers - 1}")
    if any(not 0 <= h < n_heads for h in heads):
        raise ValueError(f"--ablate {spec}: heads are 0..{n_heads - 1}")
    return [(KIND_NAMES[name], layer, h) for h in heads]


def spec(head: Head) -> str:
    """The CLI spelling of one head: ("cross", 1, 0) -> "cross:1:0"."""
    kind, layer, h = head
    return f"{KIND_CODES[kind]}:{layer}:{h}"


def option(layer: int, head: int | None) -> str:
    """The app's spelling of one choice: "L1 h2", or "L1 all heads" for head None."""
    return f"L{layer} {ALL_HEADS}" if head is None else f"L{layer} h{head}"


def parse_option(text: str) -> tuple[int, int | None]:
    """"L1 h2" -> (1, 2); "L1 all heads" -> (1, None); ValueError for anything else."""
    layer_text, which = text.split(" ", 1) if " " in text else (text, "")
    if not layer_text.startswith("L") or not (which == ALL_HEADS or which.startswith("h")):
        raise ValueError(f"{text!r} is not a choice like 'L1 h2' or 'L1 {ALL_HEADS}'")
    return int(layer_text[1:]), None if which == ALL_HEADS else int(which[1:])


def options(n_layers: int, n_heads: int) -> list[str]:
    """The app's choices for one kind: each head, then each whole layer."""
    return ([option(layer, h) for layer in range(n_layers) for h in range(n_heads)]
            + [option(layer, None) for layer in range(n_layers)])


def heads_of(kind: str, chosen: Iterable[str], n_heads: int) -> list[Head]:
    """The heads a kind's chosen options switch off."""
    if kind not in ATTENTION_KINDS:
        raise ValueError(f"kind must be one of {ATTENTION_KINDS}, got {kind!r}")
    out: set[Head] = set()
    for text in chosen:
        layer, head = parse_option(text)
        out.update((kind, layer, h) for h in (range(n_heads) if head is None else [head]))
    return sorted(out)


def toggled(chosen: Sequence[str], layer: int, head: int, n_heads: int) -> list[str]:
    """A kind's chosen options with one head flipped: a whole layer that contained it is
    replaced by its other heads."""
    one, whole = option(layer, head), option(layer, None)
    if whole in chosen:
        rest = [o for o in chosen if o != whole]
        return rest + [option(layer, h) for h in range(n_heads)
                       if h != head and option(layer, h) not in rest]
    if one in chosen:
        return [o for o in chosen if o != one]
    return [*chosen, one]


def option_specs(kind: str, chosen: Iterable[str]) -> list[str]:
    """A kind's chosen options in the CLI's (and the URL's) spelling: "L2 h1" -> "cross:2:1",
    "L0 all heads" -> "cross:0:*"."""
    out = []
    for text in chosen:
        layer, head = parse_option(text)
        out.append(f"{KIND_CODES[kind]}:{layer}:{'*' if head is None else head}")
    return out


def options_from_specs(text: str, n_layers: Callable[[str], int], n_heads: int
                       ) -> tuple[dict[str, list[str]], list[str]]:
    """Comma-separated specs (a shared URL's) -> each kind's options, and the reason for
    every spec that does not fit this model (ValueError's message)."""
    chosen: dict[str, list[str]] = {kind: [] for kind in ATTENTION_KINDS}
    errors = []
    for spec in filter(None, (part.strip() for part in text.split(","))):
        kind = KIND_NAMES.get(spec.split(":", 1)[0])
        try:
            heads = parse_spec(spec, n_layers(kind) if kind else 1, n_heads)
        except ValueError as e:
            errors.append(str(e))
            continue
        layer = heads[0][1]
        named = ([option(layer, None)] if spec.endswith(":*")
                 else [option(layer, h) for _, _, h in heads])
        chosen[heads[0][0]] += [o for o in named if o not in chosen[heads[0][0]]]
    return chosen, errors


def changes_map(head: Head, kind: str, layer: int) -> bool:
    """Whether switching `head` off can change the map of (kind, layer): the encoder runs
    first, then each decoder layer's self-attention, then its cross-attention."""
    order = {"encoder_self": 0, "decoder_self": 1, "cross": 2}
    h_kind, h_layer, _ = head
    if h_kind == "encoder_self":
        # The memory reaches the decoder through cross-attention, so from decoder layer 0's.
        return (h_layer < layer if kind == "encoder_self"
                else kind == "cross" or layer > 0)
    if kind == "encoder_self":
        return False
    return (h_layer, order[h_kind]) < (layer, order[kind])


def describe(heads: Sequence[Head]) -> str:
    """In words, for captions: "cross-attention L2 h0, h1; encoder L0 h3" ("" when none)."""
    names = {"encoder_self": "encoder self-attention", "decoder_self": "decoder self-attention",
             "cross": "cross-attention"}
    parts = []
    for kind in ATTENTION_KINDS:
        by_layer: dict[int, list[int]] = {}
        for k, layer, h in heads:
            if k == kind:
                by_layer.setdefault(layer, []).append(h)
        if by_layer:
            layers = "; ".join(f"L{layer} " + ", ".join(f"h{h}" for h in sorted(hs))
                               for layer, hs in sorted(by_layer.items()))
            parts.append(f"{names[kind]} {layers}")
    return "; ".join(parts)
