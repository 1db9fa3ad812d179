"""Training end to end on a tiny corpus: a run, then the same run continued (--init)."""

from __future__ import annotations

import json

from models import load_checkpoint
from models.corpus import generate, write
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


def test_schedule_without_warmup_starts_at_the_peak():
    assert lr_at(1, 1e-3, 0, 100) == 1e-3 and lr_at(100, 1e-3, 0, 100) == 1e-3
    assert abs(lr_at(400, 1e-3, 0, 100) - 0.5e-3) < 1e-12
    # The same decay as the warmed-up schedule after its ramp.
    assert abs(lr_at(400, 1e-3, 0, 100) - lr_at(400, 1e-3, 100)) < 1e-12
