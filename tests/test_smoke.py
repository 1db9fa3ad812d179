"""Each package imports and does its one job at the smallest size."""

import torch

import kernels


def test_kernels_smoke():
    q = torch.randn(1, 1, 3, 8)
    out = kernels.attention(q, q, q)
    assert out.shape == (1, 1, 3, 8)
    assert kernels.interpreter_active() or torch.cuda.is_available()


def test_app_script_compiles():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "app.py").read_text(encoding="utf-8")
    compile(source, "app.py", "exec")


def test_attnviz_imports():
    import attnviz

    assert attnviz.__doc__


def test_models_smoke():
    from models import load_pretrained

    model = load_pretrained("pre")
    assert model.config["norm"] == "pre"
    assert model.translate("I love you", backend="reference") == "我爱你。"
