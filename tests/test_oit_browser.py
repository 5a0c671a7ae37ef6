"""The OIT register in a real browser: staff see a broken link in the register, correct it on the item's
page, paste two links; the approver confirms; the public ITAS page lists the addresses. Selectors use
ids and data- attributes, never translated labels."""
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from oit import services
from oit.models import Answer, Health

from .factories import PASSWORD

YEAR = 2570


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/w/"))


@pytest.mark.browser
def test_staff_correct_a_broken_link_paste_links_and_the_approver_confirms(page, live_server, transactional_db,
                                                                            org_a, staff_a, approver_a):
    call_command("load_ita_catalogue", verbosity=0)
    register = services.open_register(org_a, YEAR)
    dead = services.add_link(register.rows.get(code="O9"), url="http://127.0.0.1:9/manual", actor=staff_a)
    Answer.objects.filter(pk=dead.pk).update(health=Health.BROKEN, failures_in_row=2)

    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}{reverse('oit:index', args=[org_a.slug])}")
    page.wait_for_url(re.compile(re.escape(reverse("oit:register", args=[org_a.slug, YEAR])) + "$"))
    assert page.get_attribute("tr[data-row=O9]", "data-state") == "broken"
    assert page.inner_text("[data-broken]").strip() == "๑"

    page.click("tr[data-row=O9] th a")
    page.fill(f"#url-{dead.pk}", "https://www.example.go.th/manual")
    page.click(f"[data-answer='{dead.pk}'] form button")
    page.wait_for_selector(f"[data-answer='{dead.pk}'] [data-health=unchecked]")

    page.goto(f"{live_server.url}{reverse('oit:register', args=[org_a.slug, YEAR])}")
    assert page.get_attribute("tr[data-row=O9]", "data-state") == "answered"
    page.fill("[data-paste-form] textarea", "O1 https://www.example.go.th/structure\n2 https://www.example.go.th/team")
    page.click("[data-paste-form] button")
    page.wait_for_selector("tr[data-row=O2][data-state=answered]")
    assert page.get_attribute("tr[data-row=O1]", "data-state") == "answered"
    assert page.locator("[data-confirm-form]").count() == 0  # staff do not confirm

    sign_in(page, live_server, "approver_a")
    page.goto(f"{live_server.url}{reverse('oit:register', args=[org_a.slug, YEAR])}")
    page.click("[data-confirm-form] button")
    page.wait_for_selector("[data-confirmed=yes]")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('public:itas', args=[org_a.slug, YEAR])}")
    urls = page.locator("[data-own-answer] input").evaluate_all("els => els.map(e => e.value)")
    assert set(urls) == {"https://www.example.go.th/manual", "https://www.example.go.th/structure",
                         "https://www.example.go.th/team"}
