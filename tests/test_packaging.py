"""The project installs: a wheel with the shipped models and data, and an `attnviz` command."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_dependencies_match_requirements():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    reqs = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert deps == reqs


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True,
                   timeout=300)
    (wheel,) = wheels.glob("attnviz-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("models/checkpoints/post/model.safetensors", "models/checkpoints/tokenizer.model",
                 "models/checkpoints/tokenizer.en_words.txt", "models/data/test.tsv",
                 "models/grammar/lexicon/nouns.py", "models/grammar/lexicon/data/nouns.tsv",
                 "kernels/forward.py", "attnviz/cli.py", "attnviz/backends/hf.py"):
        assert path in names, path
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([str(target / "bin" / "attnviz"), "--help"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "export" in out.stdout, out.stderr
    code = ("import models; from models import load_pretrained; "
            "from models.grammar.lexicon import lexicon; lexicon(); "  # its data files
            "print(models.__file__); print(load_pretrained('pre').translate('I love you', "
            "backend='reference'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    where, translation = out.stdout.split()
    assert where.startswith(str(target)) and translation == "我爱你。"
