"""Steps of the browser tests (Chromium through Playwright)."""
import re

from django.urls import reverse

from ..factories import PASSWORD


def sign_in(page, live_server, username, next_path):
    """Sign in on the sign-in page with ``next``, and wait until ``next_path`` is open."""
    page.goto(f"{live_server.url}{reverse('login')}?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))
