"""Shared fixtures: a running Streamlit server, headless Chromium (helpers in support.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernels import configure  # noqa: E402

configure()  # the test run's entry point: compiled or interpreted kernels, before Triton loads

from support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402


@pytest.fixture(scope="session")
def app_server():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    server = StreamlitServer("app.py")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium through Playwright. Missing Chromium is a failure, never a skip."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `bash scripts/setup.sh --dev`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def post_model():
    """The shipped Post-LN model on the PyTorch reference attention (fast on a CPU; tests
    that need the kernel pass backend="triton" per call). Shared: never change it in place."""
    from models import load_pretrained

    model = load_pretrained("post")
    model.backend = "reference"
    return model
