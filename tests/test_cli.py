"""`python -m attnviz export`: files written with the app's figure code; usage errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_app_page import tiny_checkpoints  # noqa: F401  (fixture)

from attnviz import cli, notices, pipeline
from models import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [
    [], ["export"], ["export", "--src", "hi"], ["export", "--src", "hi", "--out", "x",
                                               "--norm", "middle"],
    ["export", "--src", "hi", "--out", "x", "--format", "gif"], ["frobnicate"],
])
def test_bad_arguments_are_usage_errors(args):
    r = subprocess.run([sys.executable, "-m", "attnviz", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "usage:" in r.stderr and "Traceback" not in r.stderr


def test_export_writes_images_and_maps(monkeypatch, tiny_checkpoints, tmp_path, capsys):  # noqa: F811
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    rc = cli.main(["export", "--src", "I love you", "--tgt", "我爱你", "--norm", "both",
                   "--no-causal", "--format", "svg", "--out", str(tmp_path)])
    assert rc == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    for norm in ("post", "pre"):
        for kind in ("encoder_self", "decoder_self", "cross"):
            assert f"attnviz_{norm}_nocausal_{kind}_L0_mean.svg" in names
            assert f"attnviz_{norm}_nocausal_{kind}_grid.svg" in names
        assert f"attnviz_{norm}_nocausal_maps.npz" in names
        assert f"attnviz_{norm}_nocausal_maps.json" in names
    svg = (tmp_path / "attnviz_post_nocausal_cross_L0_mean.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "爱" in svg
    maps = np.load(io.BytesIO((tmp_path / "attnviz_pre_nocausal_maps.npz").read_bytes()))
    assert maps["decoder_self"].shape[-1] == len(maps["dec_input"]) == 4
    meta = json.loads((tmp_path / "attnviz_pre_nocausal_maps.json").read_text(encoding="utf-8"))
    assert meta["causal"] is False and meta["dec_input"] == ["<sos>", "▁我", "爱", "你"]


def test_export_png_default_causal(monkeypatch, tiny_checkpoints, tmp_path):  # noqa: F811
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    assert cli.main(["export", "--src", "I love you", "--out", str(tmp_path),
                     "--head", "1"]) == 0
    png = tmp_path / "attnviz_post_causal_decoder_self_L0_h1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("src", ["   ", "😀🎉"])
def test_a_source_with_nothing_to_read_is_a_usage_error(tmp_path, capsys, src):
    with pytest.raises(SystemExit) as e:
        cli.main(["export", "--src", src, "--out", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "nothing to read" in err and ("leaves out 😀 🎉" in err) == (src == "😀🎉")
    assert not list(tmp_path.iterdir())


def test_export_json_names_unknown_words(monkeypatch, tiny_checkpoints, tmp_path, capsys):  # noqa: F811
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    assert cli.main(["export", "--src", "The zorblax likes tea.", "--tgt", "龘喜欢茶。",
                     "--out", str(tmp_path)]) == 0
    meta = json.loads((tmp_path / "attnviz_post_causal_maps.json").read_text(encoding="utf-8"))
    assert meta["unknown_source_words"] == ["zorblax"]
    assert meta["unknown_target_words"] == ["龘"]
    assert "never seen “zorblax”" in capsys.readouterr().err
    assert meta["unsure_steps"] == []   # a typed target: the model chose none of it
    # Its own translation: the tiny untrained model is unsure of every piece it chose.
    assert cli.main(["export", "--src", "The zorblax likes tea.", "--out",
                     str(tmp_path / "own")]) == 0
    own = json.loads((tmp_path / "own/attnviz_post_causal_maps.json")
                     .read_text(encoding="utf-8"))
    assert own["unsure_steps"] and all(s["prob"] < notices.UNSURE_PROB
                                       for s in own["unsure_steps"])
    assert "The model is unsure of this translation" in capsys.readouterr().err


def _rollout_formula(enc, dec, cross):
    """The rollout written out from the exported maps (attnviz.rollout's docstring)."""
    def hat(a):
        a = a + np.eye(len(a))
        return a / a.sum(-1, keepdims=True)

    r = np.eye(enc.shape[-1])
    encs = []
    for layer in enc.astype(np.float64):
        r = hat(layer.mean(0)) @ r
        encs.append(r)
    d = np.zeros(cross.shape[2:])
    decs = []
    for s, c in zip(dec.astype(np.float64), cross.astype(np.float64), strict=True):
        d = hat(s.mean(0)) @ d + c.mean(0) @ r
        d = d / d.sum(-1, keepdims=True)
        decs.append(d)
    return np.array(encs), np.array(decs)


def test_export_carries_rollout(monkeypatch, tiny_checkpoints, tmp_path):  # noqa: F811
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    assert cli.main(["export", "--src", "She drank the juice.", "--tgt", "她喝了果汁。",
                     "--format", "svg", "--out", str(tmp_path)]) == 0
    npz = np.load(io.BytesIO((tmp_path / "attnviz_post_causal_maps.npz").read_bytes()))
    js = json.loads((tmp_path / "attnviz_post_causal_maps.json").read_text(encoding="utf-8"))
    ls, lt = len(npz["src_pieces"]), len(npz["dec_input"])
    for maps, tol in ((npz, 1e-6), ({k: np.array(v) for k, v in js["maps"].items()}, 1e-5)):
        enc, dec = _rollout_formula(maps["encoder_self"], maps["decoder_self"], maps["cross"])
        got_enc = npz["rollout_encoder"] if maps is npz else np.array(js["rollout"]["encoder"])
        got_dec = (npz["rollout_decoder_source"] if maps is npz
                   else np.array(js["rollout"]["decoder_source"]))
        assert got_enc.shape == (2, ls, ls) and got_dec.shape == (2, lt, ls)
        np.testing.assert_allclose(got_enc, enc, atol=tol)
        np.testing.assert_allclose(got_dec, dec, atol=tol)
        np.testing.assert_allclose(got_enc.sum(-1), 1.0, atol=tol)
        np.testing.assert_allclose(got_dec.sum(-1), 1.0, atol=tol)


def test_export_neuron_json_matches_the_exported_map(monkeypatch, tiny_checkpoints, tmp_path):  # noqa: F811
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    assert cli.main(["export", "--src", "I love you", "--tgt", "我爱你", "--format", "svg",
                     "--out", str(tmp_path), "--neuron", "self:0:1:1",
                     "--neuron", "cross:0:0:2"]) == 0
    maps = json.loads((tmp_path / "attnviz_post_causal_maps.json").read_text(encoding="utf-8"))
    for kind, head, row in (("decoder_self", 1, 1), ("cross", 0, 2)):
        path = tmp_path / f"attnviz_post_causal_neuron_{kind}_L0_h{head}_row{row}.json"
        got = json.loads(path.read_text(encoding="utf-8"))
        keys, query = np.array(got["keys"]), np.array(got["query"])
        assert keys.shape == (len(got["probs"]), len(query))
        np.testing.assert_allclose(got["probs"], maps["maps"][kind][0][head][row], atol=2e-6)
        visible = [s is not None for s in got["scores"]]
        np.testing.assert_allclose([s for s in got["scores"] if s is not None],
                                   (keys @ query * got["scale"])[visible], rtol=1e-9)
        assert got["scale"] == pytest.approx(1 / np.sqrt(len(query)))
    self_row = json.loads((tmp_path / "attnviz_post_causal_neuron_decoder_self_L0_h1_row1.json")
                          .read_text(encoding="utf-8"))
    assert self_row["scores"][2:] == [None, None] and self_row["probs"][2:] == [0.0, 0.0]
    assert "causal mask" in self_row["masked_reason"]["2"]


@pytest.mark.parametrize("flag, spec, message", [
    ("--neuron", "cross:0:1", "KIND:LAYER:HEAD:ROW"),
    ("--neuron", "dec:0:0:0", "KIND must be one of"),
    ("--neuron", "enc:x:0:0", "must be integers"), ("--neuron", "enc:0:0:99", "row must be in"),
    ("--ablate", "cross:0", "KIND:LAYER:HEAD"), ("--ablate", "enc:5:0", "layers are 0..1"),
    ("--ablate", "self:0:9", "heads are")])
def test_export_bad_spec_is_a_usage_error(monkeypatch, tiny_checkpoints, tmp_path,  # noqa: F811
                                          capsys, flag, spec, message):
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", "--src", "I love you", "--format", "svg", "--out", str(tmp_path),
                  flag, spec])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err, err
    assert not list(tmp_path.iterdir())  # nothing written before the error


def test_export_ablate_changes_translation_and_says_which_heads(monkeypatch, tiny_checkpoints,  # noqa: F811
                                                                tmp_path, capsys):
    monkeypatch.setattr(pipeline, "load_pretrained",
                        lambda norm: load_checkpoint(tiny_checkpoints / norm))
    assert cli.main(["export", "--src", "I love you", "--format", "svg", "--out",
                     str(tmp_path), "--importance"]) == 0
    intact = json.loads((tmp_path / "attnviz_post_causal_maps.json").read_text(encoding="utf-8"))
    assert intact["ablated_heads"] == []
    imp = json.loads((tmp_path / "attnviz_post_causal_importance.json")
                     .read_text(encoding="utf-8"))
    assert set(imp["drop"]) == {"encoder_self", "decoder_self", "cross"}
    assert np.array(imp["drop"]["cross"]).shape == (2, 2)   # the tiny model: 2 layers, 2 heads
    assert (tmp_path / "attnviz_post_causal_importance_cross.svg").exists()
    capsys.readouterr()
    assert cli.main(["export", "--src", "I love you", "--format", "svg", "--out",
                     str(tmp_path), "--ablate", "cross:0:*", "--ablate", "cross:1:*",
                     "--ablate", "enc:0:1"]) == 0
    out = capsys.readouterr().out
    assert "switched off: encoder self-attention L0 h1; cross-attention L0 h0, h1; L1 h0, h1" \
        in out
    off = json.loads((tmp_path / "attnviz_post_causal_ablated_maps.json")
                     .read_text(encoding="utf-8"))
    assert off["ablated_heads"][0] == {"kind": "encoder_self", "layer": 0, "head": 1}
    assert len(off["ablated_heads"]) == 5
    # The exported target is the ablated model's own translation (cut to the tiny model's
    # maximum length).
    assert cli.main(["export", "--src", "Where is my phone?", "--format", "svg", "--out",
                     str(tmp_path / "other"), "--ablate", "cross:0:*",
                     "--ablate", "cross:1:*"]) == 0
    other = json.loads((tmp_path / "other/attnviz_post_causal_ablated_maps.json")
                       .read_text(encoding="utf-8"))
    model = load_checkpoint(tiny_checkpoints / "post")
    assert model.translate("Where is my phone?", ablate=[
        ("cross", layer, h) for layer in range(2) for h in range(2)]).startswith(
        other["target_text"])
    assert (tmp_path / "attnviz_post_causal_ablated_cross_grid.svg").exists()

