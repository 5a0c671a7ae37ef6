"""Accessibility with the demo data, in Chromium: axe-core finds no serious or critical violation on the
staff workspace's main pages (signed in as the organisation administrator wichai, who sees every one), the
installation administrator's pages (the superuser admin) and
on the public pages, at desktop width (1280 px) and at phone width (390 px), where wide tables scroll
sideways and must be reachable by keyboard (scrollable-region-focusable). The demo is loaded once for the
module (the tests only read it); each page is loaded once per width."""
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from ita.models import AssessmentResult
from measures.models import Measure
from oit.models import Row
from orgs.models import Membership, Organisation
from reports.documents.links import document_path
from reports.models import Document, DocumentStatus, Evidence

from .helpers.a11y import axe_violations

ORG = "phaktob"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, committed once for the module (the live server reads it on its own connection) and
    emptied at the module's end as a transactional test's flush would: one load of ~6 s instead of one
    a test."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))), django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _live_server_helper(live_server):
    """pytest-django's helper of the same name, without the transactional_db it adds to every live-server
    test: that database's flush after each test would empty the module's demo. The tests change nothing
    but their sign-ins' sessions, which the module's flush removes."""
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


def workspace_pages():
    org = Organisation.objects.get(slug=ORG)
    document = (Document.objects.filter(organisation=org, status=DocumentStatus.PUBLISHED, kind="progress")
                .order_by("-fiscal_year", "-round").first())
    entry = document.entries.order_by("pk").first()
    measure = Measure.objects.filter(organisation=org).order_by("-fiscal_year", "order").first()
    result = AssessmentResult.objects.filter(organisation=org).order_by("-year__year").first()
    oit_row = Row.objects.filter(register__organisation=org).order_by("-register__year", "pk").first()
    member = Membership.objects.filter(organisation=org, user__username="somchai").get()
    slug = org.slug
    return {
        "dashboard": reverse("dashboard", args=[slug]),
        "results": reverse("ita:results", args=[slug]),
        "result": reverse("ita:result_detail", args=[slug, result.year.year]),
        "result form": reverse("ita:result_edit", args=[slug, result.year.year]),
        "measures": reverse("measures:list", args=[slug, measure.fiscal_year]),
        "measure form": reverse("measures:edit", args=[slug, measure.pk]),
        "new measure": reverse("measures:create", args=[slug, measure.fiscal_year]),
        "documents": reverse("reports:index", args=[slug]),
        "document": reverse("reports:detail", args=[slug, document.pk]),
        "entry": reverse("reports:entry", args=[slug, document.pk, entry.pk]),
        "document settings": reverse("reports:settings", args=[slug, document.pk]),
        "oit register": reverse("oit:register", args=[slug, oit_row.register.year]),
        "oit row": reverse("oit:row", args=[slug, oit_row.pk]),
        "settings": reverse("orgs:settings", args=[slug]),
        "divisions": reverse("orgs:divisions", args=[slug]),
        "members": reverse("orgs:members", args=[slug]),
        "member": reverse("orgs:member_edit", args=[slug, member.pk]),
        "history": reverse("orgs:history", args=[slug]),
        "two-factor": reverse("two_factor:status"),
        "password": reverse("password_change"),
    }


def public_pages():
    # the demo's published document with public evidence (its table has the evidence column), and
    # the phaktob organisation page (the most documents and results)
    evidence = Evidence.objects.filter(is_public=True, entry__document__status=DocumentStatus.PUBLISHED).order_by(
        "pk").select_related("entry__document__organisation").first()
    document = evidence.entry.document
    measures = Document.objects.filter(organisation__slug=ORG, status=DocumentStatus.PUBLISHED,
                                       kind="measures").select_related("organisation").order_by("-fiscal_year")[0]
    return {
        "directory": reverse("public:directory"),
        "organisation": reverse("public:organisation", args=[ORG]),
        "embed": reverse("public:embed", args=[ORG]),
        "document with evidence": document_path(document),
        "measures plan": document_path(measures, revision=True),
        "itas": reverse("public:itas", args=[ORG, measures.fiscal_year]),
    }


def violations_of(page, base, pages):
    """{"<name> at <width>": [violation, ...]} of every page at both widths (empty when all pass)."""
    found = {}
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response.status == 200, f"{path}: {response.status}"
            assert page.evaluate("document.documentElement.lang") == "th", path
            violations = axe_violations(page)
            if violations:
                found[f"{name} ({path}) at {width}"] = violations
    return found


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base) + "/(w|o)/"))


def test_workspace_pages_pass_axe_at_desktop_and_phone_width(page, live_server, demo):
    sign_in(page, live_server.url, "wichai")
    assert violations_of(page, live_server.url, workspace_pages()) == {}
    # the installation administrator's pages (the superuser admin)
    sign_in(page, live_server.url, "admin")
    installation = {
        "organisations": reverse("installation:organisations"),
        "add organisation": reverse("installation:organisation_add"),
        "import organisations": reverse("installation:organisation_import"),
        "ITA catalogue": reverse("ita_catalogue"),
    }
    assert violations_of(page, live_server.url, installation) == {}


def test_public_pages_pass_axe_at_desktop_and_phone_width(page, live_server, demo):
    assert violations_of(page, live_server.url, public_pages()) == {}


def test_a_table_that_scrolls_sideways_on_a_phone_takes_the_keyboard_focus(page, live_server, demo):
    """At 390 px the organisation page's results table is wider than the screen: its scroll container
    is reached with Tab, named in Thai, and shows the focus."""
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(live_server.url + reverse("public:organisation", args=[ORG]))
    region = page.locator(".table-responsive").first
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: nothing to scroll"
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert re.search(r"[\u0E00-\u0E7F]", region.get_attribute("aria-label"))
    for _ in range(60):  # Tab through the page until the table's container has the focus
        page.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the scrolling table is not reached with Tab")
    outline = region.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("ArrowRight")  # the keyboard scrolls it
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
