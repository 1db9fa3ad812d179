"""Page time of the main page in headless Chromium: first full page and a toggle.

    .venv/bin/python scripts/bench_page.py --runs 5

Starts `streamlit run app.py` (a fresh server per run, so model loading and tracing are
included in "first page"), opens a 10-word sentence, and measures
  first page: from page.goto to script state notRunning with the three heatmaps drawn;
  toggle:     from clicking the causal-mask toggle to notRunning with the maps redrawn.
Prints min / median / max over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402

SENTENCE = "My little brother is playing football in the park today."   # 10 words, typed
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _settled(page) -> None:
    page.wait_for_selector(DONE, timeout=120_000)
    page.wait_for_timeout(100)
    page.wait_for_selector(DONE, timeout=120_000)


def one_run(browser, script: str) -> tuple[float, float]:
    server = StreamlitServer(script)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        page.goto(f"{server.url}/?src={quote(SENTENCE)}")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3",
                               timeout=120_000)
        _settled(page)
        first = time.perf_counter() - t0
        before = page.locator(".js-plotly-plot").nth(1).inner_html()
        t0 = time.perf_counter()
        page.get_by_text("Causal mask", exact=True).click()
        page.wait_for_function(
            "(b) => { const p = document.querySelectorAll('.js-plotly-plot')[1];"
            " return p && p.innerHTML !== b; }", arg=before, timeout=120_000)
        _settled(page)
        toggle = time.perf_counter() - t0
        page.close()
        return first, toggle
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--script", default="app.py")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    firsts, toggles = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(args.runs):
            f, t = one_run(browser, args.script)
            firsts.append(f)
            toggles.append(t)
            print(f"run {i + 1}: first page {f:.2f} s, toggle {t:.2f} s", flush=True)
        browser.close()
    for name, xs in (("first page", firsts), ("toggle", toggles)):
        print(f"{name:10s}  min {min(xs):.2f} s  median {statistics.median(xs):.2f} s  "
              f"max {max(xs):.2f} s  ({len(xs)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
