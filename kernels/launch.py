"""How the kernels are launched, shared by forward.py, forward_tma.py and backward.py:
the constexprs common to every launch, the choice between the interpreter's blocks, one
fixed configuration for small problems and Triton's autotuner (each kernel's list of
configurations stands beside that kernel), and the buffers a forward writes besides its
output (ProbsRequest, the pooled maps' scratch).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
import torch
import triton

LOG2E = 1.4426950408889634  # scores are base 2: the kernels take scale * LOG2E


def _common_meta(q: torch.Tensor, group: int, D: int, causal: bool, has_kpm: bool,
                 interpret: bool) -> dict:
    # The interpreter multiplies half types in float32: its bfloat16 dot is wrong, and
    # a CPU gains nothing from rounding to 16 bits.
    upcast = interpret and q.dtype in (torch.bfloat16, torch.float16)
    return {
        "GROUP": group,
        "HEAD_DIM": D,
        "BLOCK_D": max(16, _next_pow2(D)),
        "CAUSAL": causal,
        "HAS_KPM": has_kpm,
        # fp32 inputs: exact fp32 products, not TF32, so fp32 results match fp32 math.
        "INPUT_PRECISION": "ieee" if q.dtype == torch.float32 or upcast else "tf32",
        "UPCAST": upcast,
    }


# ----------------------------------------------------------------------------------
# Which configuration a launch runs
# ----------------------------------------------------------------------------------
# Under the interpreter every tile op is a numpy call with a fixed overhead: few, large
# tiles are fastest, up to 256 (512 pads mid lengths too much; the timings are in
# benchmarks/kernel_speed_notes.md).
INTERPRETER_MAX_BLOCK = 256


def _interpreter_blocks(Lq: int, Lk: int, smallest: int) -> dict:
    return {
        "BLOCK_M": min(INTERPRETER_MAX_BLOCK, max(smallest, _next_pow2(Lq))),
        "BLOCK_N": min(INTERPRETER_MAX_BLOCK, max(smallest, _next_pow2(Lk))),
    }


# Below this many score cells per head a launch is too short for tuning to pay back its
# compile-and-time cost (a model's sentences, the tests): one fixed configuration.
AUTOTUNE_MIN_CELLS = 1024 * 1024


def _small_problem_config(head_dim: int, elem_size: int) -> dict:
    wide = head_dim * elem_size > 256  # fp32 with D > 64, or 16-bit with D > 128
    return {"BLOCK_M": 64, "BLOCK_N": 32 if wide else 64, "num_warps": 4,
            "num_stages": 1 if wide else 2}


def _launch(tuned, raw, grid_of, interpret: bool, Lq: int, Lk: int, elem_size: int,
            *args, **kwargs):
    # Pooled maps need BLOCK_M to be a multiple of POOL_ROWS (at most 64, which every
    # GPU configuration's BLOCK_M is).
    if interpret:
        blocks = _interpreter_blocks(Lq, Lk, max(16, kwargs.get("POOL_ROWS", 1)))
        # log2(0) = -inf is meant (a column of keys no query sees): numpy would warn.
        with np.errstate(divide="ignore"):
            raw[grid_of(blocks)](*args, **kwargs, **blocks)
    elif Lq * Lk < AUTOTUNE_MIN_CELLS:
        config = _small_problem_config(kwargs["HEAD_DIM"], elem_size)
        raw[grid_of(config)](*args, **kwargs, **config)
    else:
        _launch_picked(tuned, raw, grid_of, _tuning_key(raw, Lq, Lk, args, kwargs), args,
                       kwargs)


# ----------------------------------------------------------------------------------
# The autotuner: configuration lists, and tuning once per key
# ----------------------------------------------------------------------------------
def _gpu_configs(rows):
    """(BLOCK_M, BLOCK_N, num_warps, num_stages) rows -> triton.Config list."""
    return [triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)
            for bm, bn, w, s in rows]


def _prune_for_head_dim(configs, named_args, **kwargs):
    # Large head dims with large tiles overflow shared memory; drop those configs.
    block_d = named_args.get("BLOCK_D", kwargs.get("BLOCK_D", 64))
    kept = [c for c in configs
            if block_d <= 128 or c.kwargs["BLOCK_M"] * c.kwargs["BLOCK_N"] <= 64 * 64]
    return kept or configs[:1]


# What the pointer kernels' autotuners key on (the forward adds its probability mode).
TUNE_KEY = ["LQ_BUCKET", "LK_BUCKET", "HEAD_DIM", "CAUSAL", "HAS_KPM", "GROUP"]

# Triton's autotuner costs the host more per launch than a short forward takes on the
# GPU (benchmarks/kernel_speed_notes.md). Once it has picked a config for a key, launch
# the plain kernel with it. The key holds everything the autotuner's does (its key
# arguments, every tensor's dtype) and more, so a launch never takes a config tuned for
# another problem.
_picked_configs: dict[tuple, dict] = {}
# The autotuner reports its pick in an attribute shared by all callers: two threads (two
# app sessions) tuning at once must not read each other's.
_tuning_lock = threading.Lock()


def _tuning_key(raw, Lq: int, Lk: int, args: tuple, kwargs: dict, *extra) -> tuple:
    """What a launch's pick depends on: the kernel, the length buckets, every constexpr,
    every tensor argument's dtype, and `extra`."""
    return (raw, _bucket(Lq), _bucket(Lk), *kwargs.items(),
            *(a.dtype for a in args if isinstance(a, torch.Tensor)), *extra)


def _launch_picked(tuned, raw, grid_of, key: tuple, args: tuple, kwargs: dict,
                   before=None) -> None:
    """Launch `raw` with the config `tuned` picked for `key`, tuning on first sight.
    `before(config)` runs before a plain launch (what the config's pre_hook does)."""
    config = _picked_configs.get(key)
    if config is None:
        with _tuning_lock:
            tuned[grid_of](*args, **kwargs)
            _picked_configs[key] = tuned.best_config.all_kwargs()
        return
    if before is not None:
        before(config)
    raw[grid_of(config)](*args, **kwargs, **config)


# ----------------------------------------------------------------------------------
# Buffers
# ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProbsRequest:
    """Which probabilities the forward writes: their dtype, the heads (None: all) and
    the pool size (None: the full Lq x Lk map; P: means over P x P tiles)."""

    dtype: torch.dtype = torch.float32
    heads: tuple[int, ...] | None = None
    pool: int | None = None


# Pooled maps: the kernel sums groups of at most this many rows; the host adds the
# groups of a taller pool tile (a tensor of Lq/64 x Lk/P, small).
MAX_POOL_ROWS = 64


@dataclass(frozen=True)
class _Pooled:
    """The buffers of a pooled-map forward (or none, pool = 0): `part` holds each row's
    log-sum-exp over every pool-wide column of keys, (B, heads, n_cols, Lq) float32
    (1/pool of the full map's cells, freed on return); `blocks` the kernel's means
    over pool_rows x pool cells, zeroed so columns past the causal edge read 0."""

    pool: int = 0
    n_cols: int = 1
    part: torch.Tensor | None = None
    blocks: torch.Tensor | None = None

    @staticmethod
    def rows_of(pool: int) -> int:
        """Rows the kernel sums into one block: min(pool, MAX_POOL_ROWS)."""
        return min(pool, MAX_POOL_ROWS) if pool else 1

    @property
    def pool_rows(self) -> int:
        return self.rows_of(self.pool)

    def pointer_args(self, dummy: torch.Tensor) -> tuple:
        """(blocks, part), or `dummy` twice (unused pointers) without pooling."""
        return (dummy, dummy) if self.part is None else (self.blocks, self.part)

    def stride_args(self) -> tuple[tuple, tuple]:
        """(blocks' batch, head and row strides), (part's batch and head strides)."""
        if self.part is None or self.blocks is None:
            return (0, 0, 0), (0, 0)
        return self.blocks.stride()[:3], self.part.stride()[:2]

    def meta(self, interpret: bool) -> dict:
        # Columns the tail reads at once: on a GPU a BLOCK_M x 64 float32 tile fits the
        # registers; the interpreter runs fewer, larger numpy steps instead.
        chunk = min(512 if interpret else 64, max(16, _next_pow2(self.n_cols)))
        return {"POOL": self.pool, "POOL_ROWS": self.pool_rows, "CHUNK": chunk}

    def finish(self, Lq: int) -> torch.Tensor:
        """The means of pool x pool tiles: each is the sum of pool / pool_rows blocks
        (each already divided by its tile's cell count)."""
        assert self.blocks is not None, "finish() of buffers made without pooling"
        f = self.pool // self.pool_rows
        if f == 1:
            return self.blocks
        B, Hs, nr, nc = self.blocks.shape
        rows = _cdiv(Lq, self.pool)
        blocks = torch.nn.functional.pad(self.blocks, (0, 0, 0, rows * f - nr))
        return blocks.view(B, Hs, rows, f, nc).sum(dim=3)


def _pooled_buffers(B: int, n_heads: int, Lq: int, Lk: int, pool: int,
                    device: torch.device) -> _Pooled:
    n_cols = _cdiv(Lk, pool)
    part = torch.empty((B, n_heads, n_cols, Lq), device=device, dtype=torch.float32)
    blocks = torch.zeros((B, n_heads, _cdiv(Lq, _Pooled.rows_of(pool)), n_cols),
                         device=device, dtype=torch.float32)
    return _Pooled(pool, n_cols, part, blocks)


def _stored_dtype(dtype: torch.dtype, interpret: bool) -> torch.dtype:
    """The dtype a kernel writes: Triton's interpreter truncates float32 to 16-bit types
    instead of rounding to nearest, so there the kernel writes float32 and torch rounds."""
    return torch.float32 if interpret else dtype


@functools.lru_cache(maxsize=64)
def _head_slots(H: int, heads: tuple[int, ...], device: torch.device) -> torch.Tensor:
    """int32 (H,): where each head's map goes in P, -1 for heads not asked for.

    Cached: built on the host and copied once, because a fresh host-to-device copy in
    every call would wait for the GPU each time (a model's layers would run in lock step
    with the host instead of queueing up).
    """
    slots = torch.full((H,), -1, dtype=torch.int32)
    slots[list(heads)] = torch.arange(len(heads), dtype=torch.int32)
    return slots.to(device)


# ----------------------------------------------------------------------------------
# Host-side arithmetic of every launch
# ----------------------------------------------------------------------------------
# Triton's own cdiv and next_power_of_2 are constexpr functions that also run inside
# kernels, and cost microseconds a call from Python: plain ints here.
def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _next_pow2(n: int) -> int:
    """The smallest power of two >= n (n >= 1)."""
    return 1 << (n - 1).bit_length()


def _bucket(n: int) -> int:
    return _next_pow2(n)
