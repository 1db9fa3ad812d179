"""Checkpoints: safetensors only, hostile files refused unread, shipped models work."""

from __future__ import annotations

import pickle

import pytest
import torch

from models import load_checkpoint, load_pretrained, save_checkpoint
from models.tokenizer import CHECKPOINT_DIR, MODEL_FILE, Tokenizer
from models.transformer import ModelConfig, Seq2Seq


class _Hostile:
    """Unpickling this calls open(path, "w"), i.e. creates a file: proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("name", ["model.pt", "model.bin", "model.safetensors"])
def test_hostile_pickle_is_refused(tmp_path, name):
    sentinel = tmp_path / "pwned"
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / name).write_bytes(pickle.dumps(_Hostile(str(sentinel))))
    (ckpt / "config.json").write_text('{"vocab_size": 1600}')
    with pytest.raises(ValueError):
        load_checkpoint(ckpt / name)
    with pytest.raises(ValueError):
        load_checkpoint(ckpt)
    assert not sentinel.exists()


def test_save_load_round_trip(tmp_path):
    tok = Tokenizer(CHECKPOINT_DIR / MODEL_FILE)
    torch.manual_seed(0)
    m = Seq2Seq(ModelConfig(vocab_size=tok.vocab_size, d_model=32, n_heads=2, n_enc_layers=1,
                            n_dec_layers=1, d_ff=64, max_len=16), tok).eval()
    m.training_log = [{"step": 1, "loss": 9.0}]
    save_checkpoint(m, tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "config.json", "model.safetensors", "training_log.json"]
    m2 = load_checkpoint(tmp_path / "c")
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items(), strict=True):
        assert torch.equal(a, b), k
    assert m2.training_log == m.training_log and not m2.training


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_shipped_checkpoints_translate(norm):
    m = load_pretrained(norm)
    assert not m.training and m.config["norm"] == norm
    assert m.training_log and "val_loss" in m.training_log[-1]
    assert "command" in m.config["training"]
    # Trained through our kernel on the GPU, as its config records.
    training = m.config["training"]
    assert training["settings"]["device"] == "cuda" and training["backend"] == "triton"
    assert m.translate("I love you", backend="reference") == "我爱你。"
    assert m.translate("I love you.", backend="reference") == "我爱你。"
    assert m.translate("I ate an apple yesterday.", backend="reference") == "我昨天吃了一个苹果。"
    assert m.translate("i don't like coffee", backend="reference") == "我不喜欢咖啡。"
    assert m.translate("Where is my phone?", backend="reference") == "我的手机在哪里？"


def test_float16_checkpoint_loads_as_float32(tmp_path):
    tok = Tokenizer(CHECKPOINT_DIR / MODEL_FILE)
    m = Seq2Seq(ModelConfig(vocab_size=tok.vocab_size, d_model=32, n_heads=2, n_enc_layers=1,
                            n_dec_layers=1, d_ff=64, max_len=16), tok).eval()
    save_checkpoint(m, tmp_path / "c", dtype=torch.float16)
    m2 = load_checkpoint(tmp_path / "c")
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items(), strict=True):
        assert b.dtype == torch.float32, k
        torch.testing.assert_close(a.half().float(), b)
