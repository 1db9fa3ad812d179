"""Helpers for the browser tests and for scripts/bench_page.py: a Streamlit server on a
free port, headless Chromium's path and flags, and waiting for the app to settle.

An ordinary module (no pytest, no kernels): the tests' fixtures (tests/conftest.py) and
scripts import it alike.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = os.environ.get("ATTNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run SCRIPT` on a free loopback port, stopped at the end."""

    def __init__(self, script: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # (made here too: scripts/bench_page.py starts servers outside pytest)
        (ROOT / ".pytest_cache").mkdir(exist_ok=True)
        self.log = open(ROOT / f".pytest_cache/streamlit-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script,
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Wait until the Streamlit script has finished running, then fail on an exception box."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    # A rerun may start right after the first one ends (widgets settle); let it finish.
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        raise AssertionError(f"the app shows an exception: {exceptions.first.inner_text()}")


def wait_for_charts(page, count: int, timeout_ms: int = 60_000) -> int:
    """Wait until the page holds `count` Plotly charts: Plotly draws after the script ends."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("n => document.querySelectorAll('.js-plotly-plot').length >= n",
                               arg=count, timeout=timeout_ms)
    except PlaywrightTimeout:
        pass  # the caller's assertion names what is missing
    return page.locator(".js-plotly-plot").count()


def click_chart(page, chart: int, y, x) -> None:
    """Click the page's `chart`-th Plotly chart at data coordinates (x, y), where Plotly
    drew them (scrolled into view first: a click outside the viewport is lost)."""
    target = page.locator(".js-plotly-plot").nth(chart)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    px, py = target.evaluate(
        "(el, c) => [el._fullLayout.xaxis._offset + el._fullLayout.xaxis.d2p(c[1]),"
        " el._fullLayout.yaxis._offset + el._fullLayout.yaxis.d2p(c[0])]", [y, x])
    page.mouse.click(box["x"] + px, box["y"] + py)


def wait_for_chart_text(page, text: str, timeout_ms: int = 60_000) -> None:
    """Wait until some text Plotly drew in the page's charts (a title, a tick) contains
    `text`."""
    page.wait_for_function(
        "t => [...document.querySelectorAll('.js-plotly-plot .main-svg text')]"
        ".some(e => e.textContent.includes(t))", arg=text, timeout=timeout_ms)
