"""attnviz's models: corpus, tokenizer, the encoder-decoder Transformer and its traces."""

from .card import GuidedHead, ModelCard
from .checkpoint import load_checkpoint, load_pretrained, load_warmup_study, save_checkpoint
from .trace import ATTENTION_KINDS, DecodeStep, GoldAlignment, HeadImportance, TopToken, Trace
from .transformer import ModelConfig, Seq2Seq

__all__ = [
    "ATTENTION_KINDS",
    "DecodeStep",
    "GoldAlignment",
    "GuidedHead",
    "HeadImportance",
    "ModelCard",
    "ModelConfig",
    "Seq2Seq",
    "TopToken",
    "Trace",
    "load_checkpoint",
    "load_pretrained",
    "load_warmup_study",
    "save_checkpoint",
]
