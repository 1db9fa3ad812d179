"""The app, started as a user starts it, seen in real headless Chromium."""

import pytest
from support import wait_for_app

pytestmark = pytest.mark.browser


def test_app_shows_title_and_inputs(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    assert page.get_by_role("heading", name="attnviz").is_visible()
    assert page.get_by_label("Source sentence (English)").is_visible()
