"""Marking evidence public (shown on the published report's public page) or internal from the staff entry
page: the two "public" checkboxes of the entry form (new file, new link), the public/internal badge of each
item and its toggle (reports:evidence_public, POST only, through
reports.entries.services.set_evidence_public): any member while the document is a draft, only an approver
or organisation admin once it is submitted, also on the read-only page of a published document. Another
organisation's evidence is a 404."""
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape


from reports.models import Document, DocumentStatus, EntryStatus, Evidence, EvidenceKind
from reports.workflow import transitions

from .factories import DocumentFactory, MeasureFactory, ProgressEntryFactory
from .helpers.workflow import publish

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------

def th(message, **params):
    """A message as the Thai page shows it (the default language), HTML-escaped: survives translation."""
    with translation.override("th"):
        text = translation.gettext(message)
        return escape(text % params if params else text)


def entry_url(entry):
    document = entry.document
    return reverse("reports:entry", args=[document.organisation.slug, document.pk, entry.pk])


def public_url(ev, slug=None):
    document = ev.entry.document
    return reverse("reports:evidence_public", args=[slug or document.organisation.slug, document.pk, ev.pk])


def form_data(entry, **fields):
    data = {
        "output": "", "outcome": "", "status": EntryStatus.NOT_STARTED, "status_reason": "",
        "activity_start": "", "activity_end": "", "version": str(entry.version),
        "evidence_file_title": "", "evidence_url": "", "evidence_url_title": "",
    }
    data.update(fields)
    return data


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def named(name, content):
    """A file for the test client to post."""
    file = io.BytesIO(content)
    file.name = name
    return file


def item_html(html, ev):
    """The <li> of one evidence item on the entry page."""
    match = re.search(rf'<li [^>]*data-evidence-item="{ev.pk}".*?</li>', html, re.S)
    assert match, f"evidence {ev.pk} is not listed"
    return match.group(0)


def badge(html, ev):
    match = re.search(r'data-evidence-public="(\w+)"', item_html(html, ev))
    assert match, "no public/internal badge"
    return match.group(1)


def is_public(ev):
    return Evidence.objects.get(pk=ev.pk).is_public


@pytest.fixture
def document(org_a):
    return DocumentFactory(organisation=org_a)


@pytest.fixture
def entry(org_a, document):
    measure = MeasureFactory(organisation=org_a, fiscal_year=document.fiscal_year, title="มาตรการเผยแพร่ข้อมูล")
    return ProgressEntryFactory(document=document, measure=measure, output="ผลเดิม")


@pytest.fixture
def link(entry):
    return Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url="https://example.org/ข่าว",
                                   title="ข่าวประชาสัมพันธ์")


# --- the checkboxes of the entry form ------------------------------------------------------------

def test_the_form_offers_a_public_checkbox_for_the_new_file_and_the_new_link(client, staff_a, entry):
    client.force_login(staff_a)
    html = client.get(entry_url(entry)).content.decode()
    for name in ("evidence_file_public", "evidence_url_public"):
        assert re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html), name
        assert not re.search(rf'<input type="checkbox" name="{name}"[^>]*checked', html), name  # internal by default
    assert html.count(th("Public (shown on the published report's public page)")) == 2


def test_the_checkboxes_store_the_flag_for_file_and_link(client, staff_a, entry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_a)
    data = form_data(entry, output="ประชุมแล้ว", evidence_file_title="รายงานการประชุม", evidence_file_public="on",
                     evidence_url="https://www.example.go.th/news/1", evidence_url_title="ข่าว",
                     evidence_url_public="on")
    data["evidence_file"] = named("รายงาน.pdf", pdf_bytes())
    assert client.post(entry_url(entry), data).status_code == 302
    file_ev = entry.evidence.get(kind=EvidenceKind.FILE)
    link_ev = entry.evidence.get(kind=EvidenceKind.LINK)
    assert (file_ev.title, file_ev.is_public) == ("รายงานการประชุม", True)
    assert (link_ev.url, link_ev.is_public) == ("https://www.example.go.th/news/1", True)

    # one public, one not: each checkbox goes with its own evidence
    data = form_data(entry, version="2", evidence_file_title="ภาพกิจกรรม",
                     evidence_url="https://www.example.go.th/news/2", evidence_url_public="on")
    data["evidence_file"] = named("ภาพ.pdf", pdf_bytes())
    assert client.post(entry_url(entry), data).status_code == 302
    assert entry.evidence.get(title="ภาพกิจกรรม").is_public is False
    assert entry.evidence.get(url="https://www.example.go.th/news/2").is_public is True

    # without the checkboxes the new evidence is internal
    data = form_data(entry, version="3", evidence_url="https://www.example.go.th/news/3")
    data["evidence_file"] = named("ลับ.pdf", pdf_bytes())
    assert client.post(entry_url(entry), data).status_code == 302
    assert entry.evidence.get(url="https://www.example.go.th/news/3").is_public is False
    assert entry.evidence.get(original_name="ลับ.pdf").is_public is False

    html = client.get(entry_url(entry)).content.decode()
    assert badge(html, file_ev) == "public" and badge(html, link_ev) == "public"
    assert badge(html, entry.evidence.get(original_name="ลับ.pdf")) == "internal"


# --- the toggle --------------------------------------------------------------------------------

def test_staff_toggle_evidence_of_a_draft(client, staff_a, entry, link):
    client.force_login(staff_a)
    html = client.get(entry_url(entry)).content.decode()
    item = item_html(html, link)
    assert badge(html, link) == "internal"
    assert f'action="{public_url(link)}"' in item and 'name="public" value="1"' in item
    assert th("Make public") in item and th("internal") in item

    response = client.post(public_url(link), {"public": "1"})
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert is_public(link) is True
    record = Evidence.history.filter(id=link.pk).first()  # the change is in the history, with its author
    assert (record.is_public, record.history_user) == (True, staff_a)

    response = client.get(entry_url(entry))
    html = response.content.decode()
    assert th("The evidence “%(label)s” is now public.", label="ข่าวประชาสัมพันธ์") in html
    item = item_html(html, link)
    assert badge(html, link) == "public" and 'name="public" value="0"' in item and th("Make internal") in item

    response = client.post(public_url(link), {"public": "0"}, follow=True)
    assert response.redirect_chain[-1][0] == entry_url(entry)
    assert th("The evidence “%(label)s” is now internal.", label="ข่าวประชาสัมพันธ์") in response.content.decode()
    assert is_public(link) is False


def test_staff_are_refused_after_submission(client, staff_a, document, entry, link):
    transitions.submit_document(document, actor=staff_a, notify=False)
    client.force_login(staff_a)
    html = client.get(entry_url(entry)).content.decode()
    assert badge(html, link) == "internal"
    assert public_url(link) not in html  # no toggle for staff once submitted

    response = client.post(public_url(link), {"public": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == entry_url(entry)
    assert th("Only an approver may change this once the document has been submitted.") in (
        response.content.decode())
    assert is_public(link) is False


def test_approver_toggles_evidence_of_a_published_document(client, staff_a, approver_a, document, entry, link):
    assert publish(document, staff_a, approver_a).status == DocumentStatus.PUBLISHED
    client.force_login(approver_a)
    html = client.get(entry_url(entry)).content.decode()
    assert "data-readonly-note" in html and 'id="entry-form"' not in html  # the read-only page
    assert f'action="{public_url(link)}"' in item_html(html, link)

    response = client.post(public_url(link), {"public": "1"})
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert is_public(link) is True
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.PUBLISHED  # nothing else moves
    html = client.get(entry_url(entry)).content.decode()
    assert badge(html, link) == "public"
    assert th("The evidence “%(label)s” is now public.", label="ข่าวประชาสัมพันธ์") in html


def test_admin_toggles_evidence_of_a_submitted_document(client, staff_a, admin_a, document, entry, link):
    transitions.submit_document(document, actor=staff_a, notify=False)
    link.is_public = True
    link.save()
    client.force_login(admin_a)
    assert public_url(link) in client.get(entry_url(entry)).content.decode()
    assert client.post(public_url(link), {"public": "0"}).status_code == 302
    assert is_public(link) is False


def test_read_only_page_shows_the_toggle_only_to_approvers(client, staff_a, approver_a, document, entry, link):
    assert publish(document, staff_a, approver_a).status == DocumentStatus.PUBLISHED
    client.force_login(staff_a)
    html = client.get(entry_url(entry)).content.decode()
    assert "data-readonly-note" in html
    assert badge(html, link) == "internal"  # the badge is there for everyone ...
    assert public_url(link) not in html and "data-toggle-public" not in html  # ... the toggle is not
    assert "data-remove-evidence" not in html

    client.force_login(approver_a)
    html = client.get(entry_url(entry)).content.decode()
    assert badge(html, link) == "internal"
    assert f'action="{public_url(link)}"' in html and "data-toggle-public" in html
    assert "data-remove-evidence" not in html  # published evidence is still never removed


def test_get_is_not_allowed(client, staff_a, entry, link):
    client.force_login(staff_a)
    assert client.get(public_url(link)).status_code == 405
    assert is_public(link) is False


def test_another_organisation_gets_404(client, staff_a, staff_b, org_a, document, entry, link):
    client.force_login(staff_b)
    # through org A's slug: staff B is not a member
    assert client.post(public_url(link), {"public": "1"}).status_code == 404
    # through org B's own slug with org A's ids
    assert client.post(public_url(link, slug="org-b"), {"public": "1"}).status_code == 404
    assert is_public(link) is False


def test_evidence_of_another_document_is_404(client, staff_a, org_a, document, entry):
    other = DocumentFactory(organisation=org_a, round=12)
    other_entry = ProgressEntryFactory(document=other, measure=entry.measure)
    ev = Evidence.objects.create(entry=other_entry, kind=EvidenceKind.LINK, url="https://example.org/b")
    client.force_login(staff_a)
    wrong = reverse("reports:evidence_public", args=[org_a.slug, document.pk, ev.pk])
    assert client.post(wrong, {"public": "1"}).status_code == 404
    assert is_public(ev) is False


def test_the_entry_page_with_badges_and_toggles_has_a_fixed_number_of_queries(
        client, staff_a, entry, django_assert_max_num_queries):
    client.force_login(staff_a)
    for i in range(2):
        Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url=f"https://example.org/{i}", is_public=i == 0)
    with django_assert_max_num_queries(30) as few:
        assert client.get(entry_url(entry)).status_code == 200
    for i in range(2, 12):
        Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url=f"https://example.org/{i}", is_public=i % 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(entry_url(entry)).content.decode()
    assert html.count("data-toggle-public") == 12
    assert html.count('data-evidence-public="public"') == 6 and html.count('data-evidence-public="internal"') == 6

