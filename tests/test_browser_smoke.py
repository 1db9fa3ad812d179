"""The app, started as a user starts it, seen in real headless Chromium."""

import pytest
from playwright.sync_api import expect
from support import wait_for_app

pytestmark = pytest.mark.browser


def test_app_shows_title_and_inputs(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    # (expect waits: on a loaded machine the inputs can draw a moment after the title)
    expect(page.get_by_role("heading", name="attnviz")).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Source sentence (English)")).to_be_visible(timeout=60_000)
