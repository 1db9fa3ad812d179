"""attnviz's kernel under torch.nn: a drop-in `MultiheadAttention` and `swap_attention`.

    model = attnviz.nn.swap_attention(model)        # every nn.MultiheadAttention, weights kept
    with attnviz.capture(model) as maps:
        model(src, tgt)
    maps["encoder.layers.0.self_attn"]              # (B, H, L, S)

Masks map onto the kernel's two: key padding and causal. A boolean or float (-inf / 0)
`attn_mask` is accepted when it is causal (any alignment the kernel can express) or empty,
combined with any `key_padding_mask`; anything else raises `UnsupportedAttention`.
Where PyTorch gives NaN for a query that may see no key, ours gives zeros.
"""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

from ._gates import gate_output
from ._maps import (
    KernelMask,
    UnsupportedAttention,
    allowed_from_additive,
    capture_for,
    padding_plan,
    plan_from_allowed,
    run_attention,
    shape_maps,
)

__all__ = ["MultiheadAttention", "UnsupportedAttention", "swap_attention"]


def _route_through_forward(module: nn.Module, args: tuple) -> None:
    """A forward pre-hook that does nothing when called. Its presence is the point:
    nn.TransformerEncoderLayer skips its fused fast path (which reads the projection weights
    and never calls self_attn) when any submodule has a hook, so the layer calls our forward."""
    return None


class MultiheadAttention(nn.MultiheadAttention):
    """`torch.nn.MultiheadAttention` computed by attnviz's kernel.

    Same constructor arguments, parameters, `state_dict` keys, forward arguments and
    returns. Differences: training-mode dropout on the attention weights raises (the
    kernel has no dropout); masks must reduce to key padding and causal; a query that may
    see no key gets zeros where PyTorch gives NaN.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._attnviz_setup()

    def _attnviz_setup(self) -> None:
        self.register_forward_pre_hook(_route_through_forward)

    @classmethod
    def convert(cls, module: nn.MultiheadAttention) -> MultiheadAttention:
        """Turn a torch MultiheadAttention into ours in place: the same object, parameters
        (and so optimizer state and tied weights) and hooks, with our forward."""
        if type(module) is cls:
            return module
        if type(module) is not nn.MultiheadAttention:
            raise TypeError(
                f"{type(module).__qualname__} subclasses nn.MultiheadAttention; attnviz only "
                "replaces torch's own class, whose forward it knows"
            )
        module.__class__ = cls
        swapped = cast("MultiheadAttention", module)
        swapped._attnviz_setup()
        return swapped

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        attn_mask: torch.Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if query.is_nested or key.is_nested or value.is_nested:
            raise UnsupportedAttention(
                "nested tensors (an nn.TransformerEncoder converted the batch to save work on "
                "padding); call attnviz.nn.swap_attention(model), which turns that off"
            )
        if self.training and self.dropout > 0:
            raise UnsupportedAttention(
                f"attention dropout (p={self.dropout}) in training mode, which attnviz's kernel "
                "cannot apply; call model.eval() or build the layer with dropout=0"
            )
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                "module method `generate_square_subsequent_mask` to create this mask."
            )
        batched = query.dim() == 3
        if not batched:
            query, key, value = (t.unsqueeze(0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        batch, tgt_len, embed_dim = query.shape
        if embed_dim != self.embed_dim:
            raise ValueError(f"expected embedding dimension {self.embed_dim}, got {embed_dim}")

        q, k, v = self._project(query, key, value)
        heads, head_dim = self.num_heads, self.head_dim
        extra = 0  # keys appended after the source: bias_k/bias_v, then a zero key
        if self.bias_k is not None and self.bias_v is not None:
            k = torch.cat([k, self.bias_k.expand(batch, 1, -1)], dim=1)
            v = torch.cat([v, self.bias_v.expand(batch, 1, -1)], dim=1)
            extra += 1
        q, k, v = (t.reshape(batch, -1, heads, head_dim).transpose(1, 2) for t in (q, k, v))
        if self.add_zero_attn:
            zeros = k.new_zeros(batch, heads, 1, head_dim)
            k, v = torch.cat([k, zeros], dim=2), torch.cat([v, zeros], dim=2)
            extra += 1

        plan = self._plan(key_padding_mask, attn_mask, batch, tgt_len, k.shape[2], extra)
        captured = capture_for(self)
        # Without need_weights, the kernel itself can shape the captured maps; with it, it
        # writes them in full and the capture's copy is shaped from those.
        kernel_options = captured[0].options if captured and not need_weights else None
        out, probs = run_attention(q, k, v, plan, None, need_weights or captured is not None,
                                   kernel_options)
        if captured is not None:
            assert probs is not None  # asked for above
            state, name = captured
            if kernel_options is None:
                state.options.check_heads(heads)
                probs_kept = shape_maps(probs, state.options)
            else:
                probs_kept = probs
            state.record(name, probs_kept, q, k, plan, None)
        out = gate_output(self, out)  # switched-off heads: zeros before out_proj
        out = out.transpose(1, 2).reshape(batch, tgt_len, embed_dim)
        out = F.linear(out, self.out_proj.weight, self.out_proj.bias)

        weights = None
        if need_weights:
            assert probs is not None  # asked for above
            weights = probs.to(query.dtype)
            if average_attn_weights:
                weights = weights.mean(dim=1)
        if not batched:
            out = out.squeeze(0)
            weights = weights.squeeze(0) if weights is not None else None
        elif not self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _project(self, query, key, value):
        """The input projections, from the same parameters torch's forward uses."""
        if self._qkv_same_embed_dim:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b_q = b_k = b_v = None
        if self.in_proj_bias is not None:
            b_q, b_k, b_v = self.in_proj_bias.chunk(3)
        return F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)

    def _plan(self, key_padding_mask, attn_mask, batch: int, tgt_len: int, kv_length: int,
              extra: int) -> KernelMask:
        """The masks in the kernel's terms. The appended keys (bias_k, zero attention) are
        visible to every query, as in torch."""
        src_len = kv_length - extra
        padded = None
        if key_padding_mask is not None:
            _check_shape(key_padding_mask, (batch, src_len), "key_padding_mask")
            if key_padding_mask.dtype == torch.bool:
                padded = key_padding_mask
            else:
                padded = ~allowed_from_additive(key_padding_mask, "key_padding_mask")
            padded = F.pad(padded, (0, extra), value=False)
        if attn_mask is None:
            return padding_plan(tgt_len, kv_length, padded)
        if attn_mask.dim() == 2:
            _check_shape(attn_mask, (tgt_len, src_len), "attn_mask")
            attn_mask = attn_mask[None, None]
        elif attn_mask.dim() == 3:
            _check_shape(attn_mask, (batch * self.num_heads, tgt_len, src_len), "attn_mask")
            attn_mask = attn_mask.reshape(batch, self.num_heads, tgt_len, src_len)
        else:
            raise ValueError(f"attn_mask must have 2 or 3 dimensions, got {attn_mask.dim()}")
        if attn_mask.dtype == torch.bool:
            allowed = ~attn_mask
        else:
            allowed = allowed_from_additive(attn_mask, "attn_mask")
        allowed = F.pad(allowed, (0, extra), value=True)
        if padded is not None:
            allowed = allowed & ~padded[:, None, None, :]
        return plan_from_allowed(allowed, "attn_mask")


def _check_shape(mask: torch.Tensor, shape: tuple[int, ...], name: str) -> None:
    if tuple(mask.shape) != shape:
        raise ValueError(f"{name} should have shape {shape}, got {tuple(mask.shape)}")


def swap_attention(model: nn.Module) -> nn.Module:
    """Run every nn.MultiheadAttention inside `model` on attnviz's kernel; returns `model`.

    Each one is converted in place (same parameters, so weights, optimizer state and
    `state_dict` stay as they are). nn.TransformerEncoder's nested-tensor fast path is
    turned off, as it would hand the layers nested tensors instead of a padded batch;
    nn.TransformerEncoderLayer's fused fast path is bypassed by the converted module
    itself (see `_route_through_forward`).
    """
    if isinstance(model, nn.MultiheadAttention):
        return MultiheadAttention.convert(model)
    for module in model.modules():
        if isinstance(module, nn.MultiheadAttention):
            MultiheadAttention.convert(module)
        elif isinstance(module, nn.TransformerEncoder):
            module.use_nested_tensor = False
    return model
