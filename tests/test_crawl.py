"""The crawl: with the demo data (seed_demo), each demo role — anonymous, staff somchai, approver malee,
organisation administrator wichai, the superuser admin — opens every URL pattern of the project with demo
arguments (tests/helpers/urls_walk.py) and every page reachable from them by same-site links and redirects (GET
only, tests/helpers/crawl.py): no answer is a server error, and the visible text of every HTML page (text nodes,
alt/title/placeholder/aria-label) has no English word outside ``ALLOWED`` — proper names, acronyms, the
demo's usernames. Django's admin is crawled for server errors but not for English (its own strings are
Django's). Downloads (PDF, DOCX, XLSX, CSV) are checked for their status only.

The demo data is loaded once for the module, in a transaction rolled back at the end.
"""
import re
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from orgs.models import Membership, Organisation

from .helpers.crawl import Crawler
from .helpers.urls_walk import DemoArguments, url_patterns

ROLES = ("anonymous", "somchai", "malee", "wichai", "somsak", "admin")
FIRST_ORG = "phaktob"
MAX_PAGES = 1500

# Words of Latin letters that may appear on a Thai page: acronyms, proper names (the product's, programs',
# the NACC's names of OIT items, names in the demo organisations' own documents), the grades of the old ITA
# scale, and the demo's usernames and organisation slugs (shown as identifiers).
ACRONYMS = {"ITA", "ITAS", "IIT", "EIT", "OIT", "NACC", "PDF", "DOCX", "XLSX", "CSV", "ZIP", "UTF", "URL", "QR",
            "OTP", "SHA", "MB", "KB", "HTTP", "HTML", "XML", "JSON", "PNG", "JPEG", "JPG", "API", "OA"}
PROPER_NAMES = {"LINE", "Facebook", "YouTube", "Google", "Authenticator", "Microsoft", "FreeOTP", "Excel", "Word",
                "Sarabun", "E-Service", "EService", "E-mail", "Chatbot"}
OLD_GRADES = {"AA", "A", "B", "C", "D", "E", "F"}
USERNAMES = {"somchai", "malee", "wichai", "niran", "kittipong", "sopa", "prasit", "somsak", "admin"}
SLUGS = {"phaktob", "nongsamet", "danchang"}
ALLOWED = ACRONYMS | PROPER_NAMES | OLD_GRADES | USERNAMES | SLUGS
PHRASES = (
    "ITA Portal",  # the product's name
    "No Gift Policy", "Social Network", "Q&A",  # OIT items of the NACC's manual
    # in the demo organisations' documents (transcribed from real reports)
    "Integrity and Transparency Assessment", "Integrity Transparency Assessment", "Messenger Live Chat", "Line official Account", "KICKOFF ITA",
    "CLEAR & COUNTABILITY",
)

@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, loaded once (about the time of a few page loads per role to crawl)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            # the background worker's part (its tasks are queued after a commit that never comes here)
            call_command("rerender_published", "--missing-only", stdout=StringIO())
            yield
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def downloads_checked():
    """The downloads (PDF, DOCX, XLSX, CSV) already answered 200 in this module: checked once, not again
    by every role."""
    return {}


def client_for(role):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    return client


def organisation_of(role):
    membership = Membership.objects.filter(user__username=role).select_related("organisation").first()
    return membership.organisation if membership else Organisation.objects.get(slug=FIRST_ORG)


def start_urls(role):
    """Every URL pattern with the demo arguments of the role's organisation, the home page, the admin."""
    arguments = DemoArguments(organisation_of(role))
    patterns, _ = url_patterns()
    return ["/", "/admin/"] + [arguments.url(pattern) for pattern in patterns]


def test_every_url_pattern_has_demo_arguments(demo, db):
    patterns, unnamed = url_patterns()
    assert not unnamed, f"URL patterns without a name: {unnamed}"
    arguments = DemoArguments(Organisation.objects.get(slug=FIRST_ORG))
    missing = []
    for pattern in patterns:
        try:
            arguments.url(pattern)
        except LookupError as error:
            missing.append(str(error))
    assert not missing, "add demo arguments in tests/helpers/urls_walk.py: " + "; ".join(missing)
    assert len(patterns) > 60


@pytest.mark.parametrize("role", ROLES)
def test_crawl_as_every_demo_role_finds_no_server_error_and_no_english(demo, db, downloads_checked, role):
    began = time.monotonic()
    crawler = Crawler(client_for(role), allowed_words=ALLOWED, allowed_phrases=PHRASES, max_pages=MAX_PAGES,
                      english_check=lambda url: not url.startswith("/admin/"), downloads_checked=downloads_checked)
    result = crawler.run(start_urls(role))
    statuses = dict(sorted(result.by_status().items()))
    english = {word: sorted(urls)[:3] for word, urls in sorted(result.english.items())}
    print(f"\ncrawl as {role}: {len(result.statuses)} URLs ({result.html_pages} HTML pages, "
          f"{result.other_files} downloads), statuses {dict(sorted(result.by_status().items()))}, "
          f"{result.english_count} English words outside the allow-list ({len(english)} distinct), "
          f"{time.monotonic() - began:.1f} s; "
          f"404: {sorted(url for url, status in result.statuses.items() if status == 404)}")

    assert not result.stopped_at_limit, f"the crawl as {role} reached {MAX_PAGES} URLs"
    assert not result.server_errors, f"server errors as {role}: {result.server_errors}"
    assert result.html_pages > 10
    assert not english, f"English words on the pages as {role}: {english}"
