"""What the HF and torch.nn backends share: the mask as our kernel expresses it, the kernel
call, the shaping of probability maps, and the state of an active `attnviz.capture`.

The kernel masks in exactly two ways: a key padding mask (B, Lk) and a causal mask aligned
bottom-right. Every other mask is either rewritten into those two exactly (for instance by
cutting off keys that no query may see) or refused with `UnsupportedAttention`; nothing
here ever computes a different answer silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from kernels import KERNEL_DTYPES, MAX_HEAD_DIM, attention, causal_mask, reference_attention


class UnsupportedAttention(ValueError):
    """Attention that attnviz's kernel cannot compute exactly; the message names the feature."""


# ----------------------------------------------------------------------------------------
# Masks
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KernelMask:
    """A mask in the kernel's terms.

    The first `keys` keys go to the kernel; the rest are invisible to every query and are cut
    off beforehand (their probabilities are zeros). Over those keys, `causal` means query i
    sees key j iff j <= i + (keys - q_length), and `key_padding_mask` (B or 1, keys), True =
    padded, hides keys from every query.
    """

    q_length: int
    kv_length: int
    causal: bool
    key_padding_mask: torch.Tensor | None
    keys: int

    def allowed(self, batch_size: int = 1) -> torch.Tensor:
        """Bool (B, Lq, Lk), True where query i may see key j: the mask written out in full,
        used to check a decomposition against the mask it came from."""
        device = self.key_padding_mask.device if self.key_padding_mask is not None else None
        visible = torch.ones(self.q_length, self.keys, dtype=torch.bool, device=device)
        if self.causal:
            visible = ~causal_mask(self.q_length, self.keys, device)
        # The keys past `keys` are invisible to every query.
        visible = F.pad(visible, (0, self.kv_length - self.keys), value=False)
        visible = visible[None].expand(batch_size, -1, -1)
        if self.key_padding_mask is not None:
            padded = F.pad(self.key_padding_mask, (0, self.kv_length - self.keys), value=True)
            visible = visible & ~padded[:, None, :]
        return visible

    def __repr__(self) -> str:
        padded = None if self.key_padding_mask is None else int(self.key_padding_mask.sum())
        return (f"KernelMask(q_length={self.q_length}, kv_length={self.kv_length}, "
                f"causal={self.causal}, keys={self.keys}, padded_keys={padded})")


def _clean_padding(key_padding_mask: torch.Tensor | None, keys: int) -> torch.Tensor | None:
    if key_padding_mask is None:
        return None
    key_padding_mask = key_padding_mask[:, :keys].to(torch.bool)
    # Without a padded key the kernel runs its cheaper unmasked path.
    return key_padding_mask if bool(key_padding_mask.any()) else None


def padding_plan(q_length: int, kv_length: int,
                 key_padding_mask: torch.Tensor | None) -> KernelMask:
    """Every query sees every key that is not padded (True in key_padding_mask)."""
    return KernelMask(q_length, kv_length, False, _clean_padding(key_padding_mask, kv_length),
                      kv_length)


def causal_plan(q_length: int, kv_length: int, diagonal: int,
                key_padding_mask: torch.Tensor | None) -> KernelMask:
    """Query i sees key j iff j <= i + diagonal (and j is not padded).

    transformers writes this with offsets (diagonal = q_offset - kv_offset), torch's
    `is_causal` with diagonal 0 (aligned top-left). Bottom-right alignment over the first
    q_length + diagonal keys is the same mask, so those keys go to the kernel.
    """
    keys = q_length + diagonal
    if diagonal >= kv_length - 1:
        # Even the first query sees every key: no causal constraint is left.
        return padding_plan(q_length, kv_length, key_padding_mask)
    if keys > kv_length:
        raise UnsupportedAttention(
            f"a causal mask under which the first queries see more keys than bottom-right "
            f"alignment allows ({q_length} queries, {kv_length} keys, query i sees keys "
            f"j <= i + {diagonal}): the kernel aligns causal masks bottom-right"
        )
    if keys < 1:
        raise UnsupportedAttention(
            f"a causal mask under which no query sees any key ({q_length} queries, "
            f"{kv_length} keys, query i sees keys j <= i + {diagonal})"
        )
    return KernelMask(q_length, kv_length, True, _clean_padding(key_padding_mask, keys), keys)


def plan_from_allowed(allowed: torch.Tensor, what: str) -> KernelMask:
    """Factor a boolean mask (B or 1, 1 or H, Lq, Lk), True = may attend, into a KernelMask.

    The candidates are checked against the whole mask, so a returned plan is exact; a mask
    that is neither key padding nor causal with padding raises, naming `what`.
    """
    if allowed.dim() != 4:
        raise UnsupportedAttention(f"{what}: expected a 4-D mask, got shape {tuple(allowed.shape)}")
    if allowed.shape[1] != 1:
        if not bool((allowed == allowed[:, :1]).all()):
            raise UnsupportedAttention(
                f"{what} differs between heads; the kernel applies one mask to all heads")
        allowed = allowed[:, :1]
    allowed = allowed[:, 0]
    batch, q_length, kv_length = allowed.shape
    seen = allowed.any(dim=1)  # (B, Lk): keys that some query sees
    candidates = [padding_plan(q_length, kv_length, ~seen)]
    visible_keys = torch.nonzero(seen.any(dim=0))
    last_seen = int(visible_keys.max()) + 1 if visible_keys.numel() else 0
    for keys in dict.fromkeys((kv_length, last_seen)):  # bottom-right, or cut after the last seen
        try:
            candidates.append(causal_plan(q_length, kv_length, keys - q_length, ~seen))
        except UnsupportedAttention:
            continue
    for plan in candidates:
        if torch.equal(plan.allowed(batch).to(allowed.device), allowed):
            return plan
    raise UnsupportedAttention(
        f"{what} is neither a key padding mask nor a causal mask with key padding (for "
        "example a sliding window, chunked attention, packed sequences, a prefix-LM or "
        "another custom pattern); attnviz's kernel expresses only key padding and causal "
        "masking"
    )


def allowed_from_additive(mask: torch.Tensor, what: str) -> torch.Tensor:
    """Bool, True = may attend, from an additive float mask of 0 (attend) and -inf or the
    dtype's lowest value (do not attend). Any other value is a bias the kernel cannot add."""
    blocked = torch.isneginf(mask) | (mask <= torch.finfo(mask.dtype).min)
    allowed = mask == 0
    if not bool((blocked | allowed).all()):
        raise UnsupportedAttention(
            f"{what} holds values other than 0 and -inf: an additive attention bias (for "
            "example ALiBi or a relative position bias), which attnviz's kernel cannot add"
        )
    return allowed


# ----------------------------------------------------------------------------------------
# Probability maps
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapOptions:
    """Which maps to keep: `heads` (indices, in order), `pool` (means over pool x pool
    tiles, edge tiles over the cells they have) and `dtype` (of the kept maps)."""

    heads: tuple[int, ...] | None = None
    pool: int | None = None
    dtype: torch.dtype | None = None

    @classmethod
    def make(cls, heads: Sequence[int] | None = None, pool: int | None = None,
             dtype: torch.dtype | None = None) -> MapOptions:
        if heads is not None:
            heads = tuple(heads)
            if not heads or not all(isinstance(h, int) and not isinstance(h, bool) and h >= 0
                                    for h in heads):
                raise ValueError(f"heads must be non-negative head indices, got {heads!r}")
            if len(set(heads)) != len(heads):
                raise ValueError(f"heads must not repeat a head, got {heads!r}")
        if pool is not None and (not isinstance(pool, int) or isinstance(pool, bool) or pool < 1):
            raise ValueError(f"pool must be a positive int, got {pool!r}")
        if dtype is not None and dtype not in KERNEL_DTYPES:
            raise TypeError(f"probs_dtype must be float32, bfloat16 or float16, got {dtype}")
        return cls(heads, None if pool == 1 else pool, dtype)

    def check_heads(self, num_heads: int) -> None:
        if self.heads is not None and max(self.heads) >= num_heads:
            raise ValueError(f"heads {self.heads} asked of a layer with {num_heads} heads")


def pool_maps(probs: torch.Tensor, pool: int) -> torch.Tensor:
    """(B, H, Lq, Lk) -> (B, H, ceil(Lq/pool), ceil(Lk/pool)): the mean of each pool x pool
    tile; with ceil_mode and no padding, an edge tile is averaged over its real cells."""
    return F.avg_pool2d(probs, kernel_size=pool, stride=pool, ceil_mode=True)


def _kernel_map_kwargs(options: MapOptions, full_keys: bool) -> tuple[dict, MapOptions]:
    """Split `options` into kernel arguments (which keep the full float32 map from ever
    being stored) and what is left to do afterwards."""
    pool = options.pool
    # The kernel pools powers of two, and only over the keys it is given.
    kernel_pool = pool if pool is not None and full_keys and pool & (pool - 1) == 0 else None
    if pool is not None and kernel_pool is None:
        # Pooling happens afterwards in float32; the heads can still be picked by the kernel.
        return ({"probs_heads": options.heads} if options.heads else {},
                MapOptions(None, pool, options.dtype))
    kwargs = {"probs_heads": options.heads, "probs_pool": kernel_pool,
              "probs_dtype": options.dtype or torch.float32}
    return kwargs, MapOptions()


def shape_maps(probs: torch.Tensor, options: MapOptions) -> torch.Tensor:
    """Apply what the kernel did not: heads, then pooling (in float32), then the dtype."""
    if options.heads is not None:
        probs = probs[:, list(options.heads)]
    if options.pool is not None:
        probs = pool_maps(probs.float(), options.pool)
    if options.dtype is not None:
        probs = probs.to(options.dtype)
    return probs


def kernel_scale(scale: float | None, head_dim: int) -> float:
    """The softmax scale the kernel is given: the model's own, else 1 / sqrt(head_dim)."""
    return float(scale) if scale is not None else 1.0 / math.sqrt(head_dim)


# Set by `on_reference()`: the PyTorch reference (same semantics) replaces the kernel, for
# work too slow for Triton's CPU interpreter (head importance's batched pass).
_REFERENCE: ContextVar[bool] = ContextVar("attnviz_backends_reference", default=False)


@contextmanager
def on_reference() -> Iterator[None]:
    """Inside the block, every layer runs `kernels.reference_attention` instead of the
    kernel (in this context only)."""
    token = _REFERENCE.set(True)
    try:
        yield
    finally:
        _REFERENCE.reset(token)


def run_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    plan: KernelMask,
    scale: float | None,
    want_probs: bool,
    options: MapOptions | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Our kernel under `plan`. q (B, H, Lq, D); k, v (B, Hkv, Lk, D), H a multiple of Hkv.

    Returns the output (B, H, Lq, D) and, with want_probs, the maps (B, H, Lq, Lk) in
    float32, or as `options` shape them.
    """
    options = options or MapOptions()
    batch, heads, q_length, head_dim = q.shape
    kv_length = k.shape[2]
    if (plan.q_length, plan.kv_length) != (q_length, kv_length):
        raise UnsupportedAttention(
            f"the mask is for {plan.q_length} queries x {plan.kv_length} keys but attention "
            f"runs on {q_length} x {kv_length}"
        )
    if q.dtype not in KERNEL_DTYPES:
        raise UnsupportedAttention(
            f"{q.dtype} tensors: attnviz's kernel runs float32, bfloat16 and float16")
    if head_dim > MAX_HEAD_DIM:
        raise UnsupportedAttention(
            f"head dimension {head_dim}: attnviz's kernel supports at most {MAX_HEAD_DIM}")
    options.check_heads(heads)
    scale = kernel_scale(scale, head_dim)
    if plan.keys < kv_length:
        k, v = k[:, :, : plan.keys], v[:, :, : plan.keys]
    kpm = plan.key_padding_mask
    if kpm is not None:
        kpm = kpm.to(q.device).expand(batch, -1)
    # The kernel takes head dimensions that are multiples of 8; zeros appended to q and k
    # leave every score unchanged, zeros appended to v add output columns we drop.
    padded_dim = max(8, -(-head_dim // 8) * 8)
    if padded_dim != head_dim:
        q, k, v = (F.pad(t, (0, padded_dim - head_dim)) for t in (q, k, v))
    kwargs, rest = (_kernel_map_kwargs(options, plan.keys == kv_length) if want_probs
                    else ({}, MapOptions()))
    if _REFERENCE.get():  # the reference keeps full float32 maps; all shaping comes after
        kwargs, rest = {}, options
    function = reference_attention if _REFERENCE.get() else attention
    result = function(q, k, v, causal=plan.causal, key_padding_mask=kpm, scale=scale,
                       return_probs=want_probs, **kwargs)
    out, probs = result if want_probs else (result, None)
    if padded_dim != head_dim:
        out = out[..., :head_dim]
    if probs is not None:
        if plan.keys < kv_length:
            probs = F.pad(probs, (0, kv_length - plan.keys))
        probs = shape_maps(probs, rest)
    return out, probs


# ----------------------------------------------------------------------------------------
# attnviz.capture's state, read by the attention layers
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KernelInputs:
    """What the kernel received for one attention call, for the neuron view: softmax over
    the visible keys of `scale · query[b, h] @ key[b, h // (H / Hkv)].T` is the map.

    query (B, H, Lq, D) and key (B, Hkv, Lk, D) are float32 copies of the kernel's inputs
    (after RoPE and whatever the model did to them; float16 and bfloat16 convert exactly);
    `scale` is the scale the kernel used; `visible` (B, Lq, Lk) bool, True where query i
    sees key j (the KernelMask written out, keys cut off beforehand included as unseen).
    """

    query: torch.Tensor
    key: torch.Tensor
    scale: float
    visible: torch.Tensor

    @classmethod
    def of(cls, q: torch.Tensor, k: torch.Tensor, plan: KernelMask,
           scale: float | None) -> KernelInputs:
        q32, k32 = (t.detach().to("cpu", torch.float32, copy=True) for t in (q, k))
        return cls(q32, k32, kernel_scale(scale, q.shape[-1]), plan.allowed(q.shape[0]).cpu())


class CapturedMaps(dict):
    """Maps by module name: `maps[name]` is the map of that layer's latest call;
    `maps.calls[name]` lists every call in order (one per step of `generate`);
    `maps.inputs[name]`, under `capture(..., vectors=True)`, the `KernelInputs` of the
    latest call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, list[torch.Tensor]] = {}
        self.inputs: dict[str, KernelInputs] = {}

    def add(self, name: str, probs: torch.Tensor) -> None:
        self[name] = probs
        self.calls.setdefault(name, []).append(probs)


@dataclass
class CaptureState:
    names: dict[int, str]  # id(module) -> its name in the captured model
    options: MapOptions
    maps: CapturedMaps = field(default_factory=CapturedMaps)
    vectors: bool = False  # also keep each layer's KernelInputs (copies: only when asked)

    def record(self, name: str, probs: torch.Tensor, q: torch.Tensor, k: torch.Tensor,
               plan: KernelMask, scale: float | None) -> None:
        """One call's map, and with `vectors` the query and key vectors behind it."""
        self.maps.add(name, probs)
        if self.vectors:
            self.maps.inputs[name] = KernelInputs.of(q, k, plan, scale)


ACTIVE: ContextVar[tuple[CaptureState, ...]] = ContextVar("attnviz_capture", default=())


def capture_for(module: torch.nn.Module) -> tuple[CaptureState, str] | None:
    """The innermost active capture that covers `module`, with the module's name in it."""
    for state in reversed(ACTIVE.get()):
        name = state.names.get(id(module))
        if name is not None:
            return state, name
    return None
