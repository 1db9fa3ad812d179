"""Training end to end on a tiny corpus: a run, then the same run continued (--init)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from models import load_checkpoint
from models.batching import PackedPairs
from models.corpus import generate, write
from models.tokenizer import EOS_ID, PAD_ID, SOS_ID
from models.train import build_parser, lr_at, train


def _args(data, out, *extra):
    argv = ["--norm", "pre", "--out", str(out), "--data", str(data), "--d-model", "32",
            "--n-heads", "2", "--layers", "1", "--d-ff", "64", "--max-len", "32",
            "--batch-size", "8", "--log-every", "1", "--eval-every", "100", "--threads", "1",
            "--align-weight", "0.3", "--save-dtype", "float32", *extra]
    return build_parser().parse_args(argv), argv


def test_train_then_continue(tmp_path):
    data = tmp_path / "data"
    write(generate(5, {"train": 60, "valid": 16, "test": 4}), data)
    args, argv = _args(data, tmp_path / "a", "--steps", "3")
    first = train(args, argv)
    cfg = json.loads((tmp_path / "a" / "config.json").read_text())["training"]
    assert cfg["steps_done"] == 3 and cfg["resumed_from"] is None
    assert [e["step"] for e in first.training_log if "loss" in e] == [1, 2, 3]
    args, argv = _args(data, tmp_path / "b", "--steps", "2", "--init", str(tmp_path / "a"),
                       "--rewarm", "2")
    train(args, argv)
    again = load_checkpoint(tmp_path / "b")
    training = again.config["training"]
    assert training["steps_done"] == 5 and training["resumed_from"]["steps"] == 3
    assert [e["step"] for e in again.training_log if "loss" in e] == [1, 2, 3, 4, 5]
    # The continued run's rate follows the schedule from step 4 on, ramped back up.
    lrs = [e["lr"] for e in again.training_log if "loss" in e][3:]
    assert abs(lrs[0] - 0.5 * lr_at(4, args.lr, args.warmup)) < 1e-12
    assert abs(lrs[1] - lr_at(5, args.lr, args.warmup)) < 1e-12



def test_a_deadline_stops_and_saves_and_the_cooldown_reaches_it(tmp_path):
    import time

    data = tmp_path / "data"
    write(generate(7, {"train": 60, "valid": 16, "test": 4}), data)
    # A deadline already past: the run saves its (initial) model without a step.
    args, argv = _args(data, tmp_path / "late", "--steps", "50", "--stop-at",
                       str(time.time() - 1))
    train(args, argv)
    assert json.loads((tmp_path / "late" / "config.json").read_text())[
        "training"]["steps_done"] == 0
    # A deadline ahead, with --cooldown: the rate falls below the schedule's, step by step.
    args, argv = _args(data, tmp_path / "cool", "--steps", "6", "--warmup", "0",
                       "--cooldown", "--stop-at", str(time.time() + 600))
    model = train(args, argv)
    steps = [e for e in model.training_log if "loss" in e]
    assert len(steps) == 6
    lrs = [e["lr"] for e in steps]
    assert all(b < a for a, b in zip(lrs, lrs[1:], strict=False))
    assert all(e["lr"] < lr_at(e["step"], args.lr, 0) for e in steps)

def test_schedule_without_warmup_starts_at_the_peak():
    assert lr_at(1, 1e-3, 0, 100) == 1e-3 and lr_at(100, 1e-3, 0, 100) == 1e-3
    assert abs(lr_at(400, 1e-3, 0, 100) - 0.5e-3) < 1e-12
    # The same decay as the warmed-up schedule after its ramp.
    assert abs(lr_at(400, 1e-3, 0, 100) - lr_at(400, 1e-3, 100)) < 1e-12


def test_a_saved_state_continues_exactly(tmp_path):
    """--save-state then --init: Adam's moments, the float32 weights and the data order
    come back, so 3 + 2 steps equal 5 steps in one run (no dropout, same batches)."""
    data = tmp_path / "data"
    write(generate(6, {"train": 80, "valid": 16, "test": 4}), data)
    common = ("--dropout", "0", "--save-state", "--warmup", "2")
    args, argv = _args(data, tmp_path / "whole", "--steps", "5", *common)
    whole = train(args, argv)
    args, argv = _args(data, tmp_path / "part", "--steps", "3", *common,
                       "--packed-cache", str(tmp_path / "packed.npz"))
    train(args, argv)
    assert (tmp_path / "packed.npz").exists()
    args, argv = _args(data, tmp_path / "part", "--steps", "2", *common,
                       "--init", str(tmp_path / "part"),
                       "--packed-cache", str(tmp_path / "packed.npz"))
    parts = train(args, argv)
    for (name, a), b in zip(whole.state_dict().items(), parts.state_dict().values(),
                            strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)
    losses = [e["loss"] for e in parts.training_log if "loss" in e]
    assert losses == pytest.approx([e["loss"] for e in whole.training_log if "loss" in e],
                                   rel=1e-5)


def _padded_reference(examples, idx, bucket, cap):
    """make_batch as it was written first, one example at a time."""
    chosen = [examples[i] for i in idx]
    Ls = max(len(s) for s, _ in chosen) + 1
    Lt = max(len(t) for _, t in chosen) + 1
    Ls = max(Ls, min(-(-Ls // bucket) * bucket, cap))
    Lt = max(Lt, min(-(-Lt // bucket) * bucket, cap))
    src = torch.full((len(chosen), Ls), PAD_ID)
    dec_in = torch.full((len(chosen), Lt), PAD_ID)
    dec_out = torch.full((len(chosen), Lt), PAD_ID)
    for b, (s, t) in enumerate(chosen):
        src[b, :len(s) + 1] = torch.tensor(s + [EOS_ID])
        dec_in[b, :len(t) + 1] = torch.tensor([SOS_ID] + t)
        dec_out[b, :len(t) + 1] = torch.tensor(t + [EOS_ID])
    return src, dec_in, dec_out


@pytest.mark.parametrize("bucket", [1, 16])
def test_packed_batches_equal_the_plain_loop(tmp_path, bucket):
    rng = np.random.default_rng()
    n = int(rng.integers(1, 60))
    # Lengths from 1 (and a lone longest pair) up; ids across the whole vocabulary.
    examples = [([int(x) for x in rng.integers(3, 6000, rng.integers(1, 30))],
                 [int(x) for x in rng.integers(3, 6000, rng.integers(1, 30))])
                for _ in range(n)]
    rows = [[(int(t), sorted({int(s) for s in rng.integers(0, len(ex[0]), rng.integers(1, 4))}))
             for t in sorted(set(rng.integers(0, len(ex[1]), rng.integers(0, 5)).tolist()))]
            for ex in examples]
    packed = PackedPairs.from_examples(examples, rows)
    packed.save(tmp_path / "p.npz", key="k")
    packed = PackedPairs.load(tmp_path / "p.npz")
    idx = rng.choice(n, int(rng.integers(1, n + 1)), replace=False)
    cap = 33
    got = packed.batch(idx, torch.device("cpu"), bucket, cap)
    want = _padded_reference(examples, idx, bucket, cap)
    for g, w in zip(got, want, strict=True):
        assert torch.equal(g, w)
    Lt, Ls = got[1].shape[1], got[0].shape[1]
    gold = packed.alignment(idx, Lt, Ls, torch.device("cpu"))
    dense = torch.zeros(len(idx), Lt, Ls, dtype=torch.float64)
    for b, i in enumerate(idx):
        for t, sp in rows[i]:
            dense[b, t, sp] = 1.0 / len(sp)
    torch.testing.assert_close(gold.double(), dense)
