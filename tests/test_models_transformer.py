"""The encoder-decoder: trace shapes and masks, kernel = reference, caching, training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.corpus import read_split
from models.grammar.surface import normalise
from models.tokenizer import CHECKPOINT_DIR, MODEL_FILE, Tokenizer
from models.trace import ATTENTION_KINDS
from models.train import (
    alignment_loss,
    alignment_target,
    encode_pairs,
    loss_fn,
    make_batch,
    piece_alignments,
)
from models.transformer import ModelConfig, Seq2Seq

try:
    from kernels import attention  # noqa: F401

    HAVE_KERNEL = True
except ImportError:  # pragma: no cover - only while the kernel is being written
    HAVE_KERNEL = False


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer(CHECKPOINT_DIR / MODEL_FILE)


def tiny(tok: Tokenizer, norm: str = "pre", seed: int = 0, max_len: int = 24) -> Seq2Seq:
    torch.manual_seed(seed)
    cfg = ModelConfig(vocab_size=tok.vocab_size, d_model=32, n_heads=2, n_enc_layers=2,
                      n_dec_layers=2, d_ff=64, max_len=max_len, norm=norm)
    return Seq2Seq(cfg, tok).eval()


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_trace_shapes_and_masks(tok, norm):
    m = tiny(tok, norm)
    tr = m.trace("I ate an apple yesterday.", "我昨天吃了一个苹果。", backend="reference")
    Ls, Lt = len(tr.src_pieces), len(tr.dec_input)
    assert tr.src_pieces[-1] == "<eos>" and tr.dec_input[0] == "<sos>"
    assert tr.dec_output[-1] == "<eos>" and tr.dec_output[:-1] == tr.dec_input[1:]
    assert len(tr.src_word_ids) == Ls and len(tr.tgt_word_ids) == Lt
    assert tr.src_words == ["I", "ate", "an", "apple", "yesterday."]
    # (the segmenter's longest match: 一个 is a word of the corpus's set phrases)
    assert tr.tgt_words == ["我", "昨天", "吃", "了", "一个", "苹果", "。"]
    assert tr.encoder_self.shape == (2, 2, Ls, Ls)
    assert tr.decoder_self.shape == (2, 2, Lt, Lt)
    assert tr.cross.shape == (2, 2, Lt, Ls)
    for kind in ATTENTION_KINDS:
        maps = tr.maps(kind)
        assert maps.dtype == np.float32
        np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    assert tr.causal_mask.shape == (Lt, Lt)
    assert np.array_equal(tr.causal_mask, np.triu(np.ones((Lt, Lt), bool), 1))
    assert np.all(tr.decoder_self[..., tr.causal_mask] == 0)
    assert len(tr.predictions) == Lt and all(len(p) == 5 for p in tr.predictions)
    for side, n in (("encoder", 4), ("decoder", 6)):
        assert tr.stats[side]["sublayer"][:2] == ["L0 self", "L0 cross" if n == 6 else "L0 ffn"]
        assert all(len(v) == n for v in tr.stats[side].values())
    assert not tr.target_from_model and tr.norm == norm


def test_trace_without_causal_mask_leaks(tok):
    tr = tiny(tok).trace("I love you", "我爱你", causal=False, backend="reference")
    assert not tr.causal_mask.any()
    upper = np.triu(np.ones(tr.causal_mask.shape, bool), 1)
    assert tr.decoder_self[..., upper].max() > 0
    np.testing.assert_allclose(tr.decoder_self.sum(-1), 1.0, atol=1e-5)


def test_empty_long_and_model_target(tok):
    m = tiny(tok, max_len=12)
    with pytest.raises(ValueError, match="source text is empty"):
        m.trace("  \n ")
    assert m.translate("") == "" and m.translate("   ") == ""
    tr = m.trace(" ".join(["apple"] * 40), backend="reference")
    assert tr.truncated and tr.notices and len(tr.src_pieces) == 12
    assert tr.target_from_model
    # The model reads "I love you." (normalise adds the final mark): 4 pieces and <eos>.
    steps = m.decode_steps("I love you", max_len=3, backend="reference")
    assert 1 <= len(steps) <= 3
    assert steps[0].dec_input == ["<sos>"] and steps[0].cross_row.shape == (2, 2, 5)
    np.testing.assert_allclose(steps[0].cross_row.sum(-1), 1.0, atol=1e-5)


def test_cached_greedy_matches_full_recompute(tok):
    m = tiny(tok, seed=3)
    ids = tok.encode("Tom will buy two red cars tomorrow") + [2]
    src = torch.tensor([ids])
    cached = m.greedy(src, "reference", max_len=8)[0]
    out = [1]
    with torch.no_grad():
        for _ in range(8):
            logits = m(src, torch.tensor([out]), "reference")[0, -1]
            logits[[0, 1]] = float("-inf")
            nxt = int(logits.argmax())
            if nxt == 2:
                break
            out.append(nxt)
    assert cached == out[1:]


def test_padding_does_not_change_translations(tok):
    m = tiny(tok, seed=4)
    texts = ["I love you", "the teacher will not buy three cheap umbrellas tomorrow"]
    assert m.translate_batch(texts, "reference") == [m.translate(t, "reference") for t in texts]


@pytest.mark.skipif(not HAVE_KERNEL, reason="kernels.attention is not written yet")
def test_kernel_matches_reference(tok):
    m = tiny(tok, seed=1)
    src = torch.tensor([tok.encode("I ate an apple yesterday") + [2]])
    dec = torch.tensor([[1] + tok.encode("我昨天吃了一个苹果")])
    with torch.no_grad():
        a = m(src, dec, "triton")
        b = m(src, dec, "reference")
    torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
    tr = m.trace("I love you", "我爱你", backend="triton")
    assert tr.max_abs_diff_vs_reference is not None and tr.max_abs_diff_vs_reference < 1e-4
    assert "Triton" in tr.backend


def test_a_few_steps_reduce_the_loss(tok):
    torch.manual_seed(0)
    m = tiny(tok).train()
    examples = encode_pairs(tok, read_split("valid")[:32], 24)
    src, dec_in, dec_out = make_batch(examples, torch.device("cpu"))
    opt = torch.optim.Adam(m.parameters(), lr=3e-3, betas=(0.9, 0.98), eps=1e-9)
    losses = []
    for _ in range(15):
        loss = loss_fn(m(src, dec_in, "reference"), dec_out, 0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_guided_alignment_targets_follow_gold_links(tok):
    pairs = read_split("valid")[:40]
    rows = piece_alignments(tok, pairs, 24)
    assert len(rows) == len(encode_pairs(tok, pairs, 24))
    # (pairs longer than 24 pieces are dropped by both)
    pairs = [p for p in pairs if len(tok.encode(normalise(p.src))) < 24
             and len(tok.encode(p.tgt)) < 24]
    assert len(pairs) == len(rows) >= 20
    for p, ex in zip(pairs, rows, strict=True):
        _, s_wids, _ = tok.encode_with_words(normalise(p.src))
        _, t_wids, _ = tok.encode_with_words(p.tgt, words=p.tgt_words)
        gold = set(p.alignment)
        assert ex
        for t, src_pieces in ex:
            assert all((s_wids[s], t_wids[t]) in gold for s in src_pieces)
    g = alignment_target(rows[:2], 16, 16, torch.device("cpu"))
    sums = g.sum(-1)
    assert torch.all((sums == 0) | torch.isclose(sums, torch.ones(())))
    uniform = torch.full((2, 16, 16), 1 / 16)
    assert alignment_loss(g.clamp_min(1e-9) / g.clamp_min(1e-9).sum(-1, keepdim=True),
                          g) < alignment_loss(uniform, g)


def test_backend_is_chosen_once_per_model_and_overridable_per_call(tok):
    m = tiny(tok, seed=2)
    assert m.backend == "triton"
    assert {a.backend for a in m.modules() if hasattr(a, "split")} == {"triton"}
    m.backend = "reference"
    assert {a.backend for a in m.modules() if hasattr(a, "split")} == {"reference"}
    tr = m.trace("I love you", "我爱你")
    assert tr.backend == "PyTorch reference" and tr.max_abs_diff_vs_reference is None
    with pytest.raises(ValueError, match="backend must be one of"):
        m.backend = "eager"
    with pytest.raises(ValueError, match="backend must be one of"):
        m.trace("I love you", backend="eager")
    # A per-call override leaves the model's own choice as it was.
    src = torch.tensor([tok.encode("I love you") + [2]])
    dec = torch.tensor([[1] + tok.encode("我爱你")])
    with torch.no_grad():
        torch.testing.assert_close(m(src, dec, "triton"), m(src, dec), atol=1e-4, rtol=1e-4)
    assert m.backend == "reference"
    assert Seq2Seq(m.cfg, tok, backend="reference").backend == "reference"


def test_trace_carries_the_gold_alignment_of_a_corpus_sentence(tok):
    pair = read_split("test")[0]
    m = tiny(tok, seed=5)
    tr = m.trace(pair.src, pair.tgt, backend="reference")
    assert tr.gold is not None and tr.gold.tgt == pair.tgt
    assert tr.gold.alignment == tuple(pair.alignment) and tr.gold_applies
    other = m.trace(pair.src, "我爱你", backend="reference")
    assert other.gold == tr.gold and not other.gold_applies
    assert m.trace("Zorblax blorps the quibble.", "我爱你", backend="reference").gold is None


def test_model_card_holds_plain_values(tok):
    m = tiny(tok, "post")
    m.training_log = [{"step": 1, "loss": 9.0}]
    m.extra_config = {"training": {"settings": {"steps": 3, "lr": 1e-3},
                                   "guided_alignment": {"layer": 1, "head": 0, "weight": 0.3}}}
    card = m.card()
    assert card.norm == "post" and card.n_layers == 2 and card.n_heads == 2
    assert card.training_log == [{"step": 1, "loss": 9.0}] and card.settings["steps"] == 3
    assert (card.guided_head.layer, card.guided_head.head, card.guided_head.weight) == (1, 0, 0.3)
    assert "training" not in card.config and tiny(tok).card().guided_head is None


def test_a_text_of_several_sentences_is_translated_sentence_by_sentence(post_model):
    text = "hello! how are you"            # typed: two sentences, the second unmarked
    whole = post_model.translate(text)
    parts = [post_model.translate(s) for s in ("Hello!", "How are you?")]
    assert whole == "".join(parts) and all(parts)
    assert post_model.translate_batch([text, "", "I love you."]) == [whole, "", "我爱你。"]
    # The trace's own target, the step-by-step decoding and head importance use it too.
    tr = post_model.trace(text)
    assert tr.target_from_model and tr.target_text == whole
    steps = post_model.decode_steps(text, target=whole)
    assert [s.chosen for s in steps] == tr.dec_output
    assert post_model.head_importance(text).target_text == whole
    # A leading "Hi," is translated on its own and joined by a comma.
    hi = post_model.translate("Hi!").rstrip("！。")
    assert post_model.translate("hi, how are you") == hi + "，" + parts[1]
