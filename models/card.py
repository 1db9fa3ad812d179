"""What the app shows about a model beyond one sentence: its model card.

A `ModelCard` holds plain Python values only (no torch), read from the checkpoint's
config.json and training log: the architecture, how it was trained, its training log and
the cross-attention head taught to follow the gold alignments, if any. `Seq2Seq.card()`
makes one; `load_warmup_study()` gives one per run of the warm-up study (logs only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GuidedHead:
    """The cross-attention head trained to follow the corpus' gold alignments (guided
    alignment, Garg et al. 2019): every other head learned its attention alone."""

    layer: int
    head: int
    weight: float      # the guided-alignment loss's weight


@dataclass(frozen=True)
class ModelCard:
    norm: str                                   # "post" or "pre"
    config: dict[str, Any]                      # the architecture: d_model, n_heads, ...
    # How it was trained (config.json's "training": settings, command, device, versions,
    # wall time, guided_alignment); empty when the checkpoint does not say.
    training: dict[str, Any] = field(default_factory=dict)
    training_log: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: dict[str, Any], training_log: list[dict[str, Any]]
                    ) -> ModelCard:
        """From a checkpoint's config.json (as `Seq2Seq.config`) and training log."""
        training = config.get("training") or {}
        arch = {k: v for k, v in config.items() if k != "training"}
        return cls(norm=str(arch.get("norm", "")), config=arch, training=dict(training),
                   training_log=list(training_log))

    @property
    def settings(self) -> dict[str, Any]:
        """The training settings: steps, batch_size, lr, warmup, ... ({} if unknown)."""
        return self.training.get("settings") or {}

    @property
    def guided_head(self) -> GuidedHead | None:
        g = self.training.get("guided_alignment")
        if not g:
            return None
        return GuidedHead(int(g["layer"]), int(g["head"]), float(g["weight"]))

    @property
    def n_layers(self) -> int:
        """Layers that both encoder and decoder have (what a layer slider can offer)."""
        return min(int(self.config["n_enc_layers"]), int(self.config["n_dec_layers"]))

    @property
    def n_heads(self) -> int:
        return int(self.config["n_heads"])
