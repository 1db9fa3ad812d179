"""Tiny, randomly initialised Hugging Face models and their word-level tokenizer, for the
tests of the backends' wing (imports transformers: only for tests that skip without it)."""

from __future__ import annotations

import torch
from transformers import (
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    BartConfig,
    BertConfig,
    GPT2Config,
    LlamaConfig,
)

from attnviz.backends import hf

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "quick", "brown", "fox", "jumps"]
TEXT = "the quick brown fox jumps"  # 7 tokens with [CLS] and [SEP]
TARGET = "the fox jumps"
WIDE = 0.5  # wide initial weights: attention far from uniform


def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")


def build(auto, config):
    """The model on attnviz's kernel, in eval mode, the same weights every call."""
    torch.manual_seed(0)
    return auto.from_config(config, attn_implementation=hf.register()).eval()


def bert():
    return build(AutoModel, BertConfig(
        vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=32, initializer_range=WIDE))


def gpt2(lm_head: bool = False, scale_by_layer: bool = False):
    # scale_by_layer: layer l passes the kernel 1/sqrt(D)/(l + 1), not the default scale.
    return build(AutoModelForCausalLM if lm_head else AutoModel, GPT2Config(
        vocab_size=len(WORDS), n_embd=32, n_layer=3, n_head=4, n_positions=32,
        scale_attn_by_inverse_layer_idx=scale_by_layer, initializer_range=WIDE,
        bos_token_id=2, eos_token_id=3))


def llama(lm_head: bool = False):
    # Grouped-query attention (4 query heads on 2 K/V heads) and RoPE.
    return build(AutoModelForCausalLM if lm_head else AutoModel, LlamaConfig(
        vocab_size=len(WORDS), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        initializer_range=WIDE))


def bart():
    return build(AutoModelForSeq2SeqLM, BartConfig(
        vocab_size=len(WORDS), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=32, pad_token_id=0, bos_token_id=2,
        eos_token_id=3, decoder_start_token_id=2, init_std=WIDE))
