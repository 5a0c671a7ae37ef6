"""The workflow pages: a new document from the documents list, every transition through the document
page's forms (submit, return, approve, publish, withdraw, new revision, delete a draft), the buttons each
role sees, the timeline, and tenant isolation. The rules themselves are reports/workflow/rules.py; these tests
go through the pages as a user would."""
import re

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.thai import fiscal_year_of
from reports.entries.services import save_entry
from reports.models import Document, DocumentKind, DocumentStatus, WorkflowAction, WorkflowEvent
from reports.workflow.transitions import (
    approve_document, create_document, publish_document, submit_document, withdraw_document,
)
from reports.workflow.forms import COMMENT_MAX_LENGTH

from .helpers.builders import make_measures

pytestmark = pytest.mark.django_db

NAMES = {"staff_a": ("สมศรี", "ผู้จัดทำ"), "approver_a": ("สมปอง", "ผู้อนุมัติ"), "admin_a": ("สมพร", "ผู้ดูแล")}


@pytest.fixture(autouse=True)
def named_cast(request):
    """Give each member of organisation A a name of their own, so the page shows who did what."""
    for username, (first, last) in NAMES.items():
        if username in request.fixturenames:
            user = request.getfixturevalue(username)
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])


def full_name(username):
    return " ".join(NAMES[username])


@pytest.fixture
def report(org_a, staff_a):
    """A draft progress report of round 6, created as staff would (with one entry per measure)."""
    make_measures(org_a, 3)
    return create_document(org_a, fiscal_year=2568, kind=DocumentKind.PROGRESS, round=6, actor=staff_a,
                           notify=False)


@pytest.fixture
def submitted(report, staff_a):
    return submit_document(report, actor=staff_a, notify=False)


@pytest.fixture
def approved(submitted, approver_a):
    return approve_document(submitted, actor=approver_a, notify=False)


@pytest.fixture
def published(approved, approver_a):
    return publish_document(approved, actor=approver_a, notify=False, render=False)


def detail_url(document):
    return reverse("reports:detail", args=[document.organisation.slug, document.pk])


def action_url(document, action, slug=None):
    return reverse("reports:transition", args=[slug or document.organisation.slug, document.pk, action])


def create_url(org):
    return reverse("reports:create", args=[org.slug])


def index_url(org):
    return reverse("reports:index", args=[org.slug])


def do(client, document, action, **data):
    return client.post(action_url(document, action), data)


def messages_of(response, level=None):
    return [str(m) for m in get_messages(response.wsgi_request) if level is None or m.level == level]


def fresh(document):
    return Document.objects.get(pk=document.pk)


def shown_actions(page_text):
    """The transition forms on a document page (data-action of each form in the workflow panel)."""
    return set(re.findall(r'data-action="(\w+)"', page_text))


# --- creating documents --------------------------------------------------------------------------

def current_fiscal_year():
    return fiscal_year_of(timezone.localdate())


@pytest.mark.parametrize("kind, round_, expected_round", [
    ("measures", "", 0), ("progress", "6", 6), ("analysis", "9", 0),  # a round is ignored unless progress
])
def test_create_each_kind_from_the_list(client, staff_a, org_a, kind, round_, expected_round):
    year = current_fiscal_year()
    make_measures(org_a, 2, year)
    client.force_login(staff_a)
    response = client.post(create_url(org_a), {"kind": kind, "fiscal_year": str(year), "round": round_})
    document = Document.objects.get(organisation=org_a, kind=kind)
    assert response.status_code == 302 and response["Location"] == detail_url(document)
    assert (document.fiscal_year, document.round, document.revision) == (year, expected_round, 1)
    assert document.status == DocumentStatus.DRAFT and document.created_by == staff_a
    assert list(document.events.values_list("action", "actor_name")) == [("create", full_name("staff_a"))]
    if kind == "progress":
        assert document.entries.count() == 2  # one entry per measure of the round
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The document has been created.")]
    page = client.get(detail_url(document))
    assert page.status_code == 200 and 'data-status="draft"' in page.text


def test_a_document_that_exists_already_is_refused_with_a_message(client, staff_a, org_a):
    year = current_fiscal_year()
    create_document(org_a, fiscal_year=year, kind=DocumentKind.PROGRESS, round=6, actor=staff_a, notify=False)
    client.force_login(staff_a)
    response = client.post(create_url(org_a), {"kind": "progress", "fiscal_year": str(year), "round": "6"},
                           follow=True)
    assert response.redirect_chain == [(index_url(org_a), 302)]
    html = response.content.decode()
    message = gettext("This document already exists for this fiscal year; open it from the list.")
    assert f'<div class="alert alert-danger" role="alert">{message}</div>' in html
    assert Document.objects.filter(organisation=org_a).count() == 1


@pytest.mark.parametrize("data, error", [
    ({"kind": "progress", "round": ""}, "Choose the round of the progress report."),
    ({"kind": "progress", "round": "5"}, None),
    ({"kind": "memo"}, None),
    ({"kind": "measures", "fiscal_year": "2400"}, None),
    ({"kind": "measures", "fiscal_year": "x"}, None),
])
def test_invalid_new_document_is_refused_with_a_message(client, staff_a, org_a, data, error):
    client.force_login(staff_a)
    response = client.post(create_url(org_a), {"fiscal_year": str(current_fiscal_year()), **data})
    assert response.status_code == 302 and response["Location"] == index_url(org_a)
    errors = messages_of(response, message_levels.ERROR)
    assert errors and (error is None or gettext(error) in errors)
    assert not Document.objects.filter(organisation=org_a).exists()


def test_the_list_offers_a_new_document_form_for_the_current_fiscal_year(client, staff_a, org_a, report):
    client.force_login(staff_a)
    page = client.get(index_url(org_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{create_url(org_a)}"' in html
    current = current_fiscal_year()
    options = re.findall(r'<option value="(\d{4})"( selected)?>', html)
    assert options == [(str(current - 1), ""), (str(current), " selected"), (str(current + 1), "")]
    for kind in ("measures", "progress", "analysis"):
        assert f'<option value="{kind}">' in html
    assert re.findall(r'<option value="(\d{1,2})">', html) == ["3", "6", "9", "12"]
    assert 'data-status-date' in html  # when the document last changed


def test_the_new_document_form_accepts_each_offered_year(client, staff_a, org_a):
    current = current_fiscal_year()
    client.force_login(staff_a)
    for year in (current - 1, current, current + 1):
        client.post(create_url(org_a), {"kind": "measures", "fiscal_year": str(year)})
    assert sorted(Document.objects.filter(organisation=org_a).values_list("fiscal_year", flat=True)) == [
        current - 1, current, current + 1]


# --- submit --------------------------------------------------------------------------------------

def test_submit_from_the_page(client, staff_a, report):
    client.force_login(staff_a)
    page = client.get(detail_url(report))
    assert f'name="version" value="{report.version}"' in page.text
    response = do(client, report, "submit", version=report.version)
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    document = fresh(report)
    assert document.status == DocumentStatus.SUBMITTED and document.submitted_by == staff_a
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The document has been submitted for approval.")]
    assert document.events.last().action == WorkflowAction.SUBMIT


def test_submit_from_an_outdated_page_is_refused(client, staff_a, approver_a, report):
    client.force_login(staff_a)
    shown_version = fresh(report).version
    entry = report.entries.first()
    save_entry(entry, data={"output": "แก้ไขโดยผู้อื่น"}, expected_version=entry.version, actor=approver_a)
    response = do(client, report, "submit", version=shown_version)
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    assert fresh(report).status == DocumentStatus.DRAFT
    assert messages_of(response, message_levels.ERROR) == [gettext(
        "Someone changed this document after you opened it. Nothing was changed; "
        "look at the current version and try again.")]
    page = client.get(detail_url(report))  # the page now carries the current version
    assert f'name="version" value="{fresh(report).version}"' in page.text


# --- return --------------------------------------------------------------------------------------

def test_return_without_a_comment_shows_the_page_again_with_the_error(client, approver_a, submitted):
    client.force_login(approver_a)
    response = do(client, submitted, "return", comment="   \n  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert gettext("Say what needs to be changed.") in html
    assert re.search(r'<details class="[^"]*" open data-action="return">', html)
    assert 'id="return-comment" name="comment" rows="3" required>   \n  </textarea>' in html
    assert fresh(submitted).status == DocumentStatus.SUBMITTED
    assert not submitted.events.filter(action=WorkflowAction.RETURN).exists()


def test_a_refused_return_keeps_what_was_typed(client, approver_a, submitted):
    client.force_login(approver_a)
    typed = "ตารางที่ ๒ ยังไม่ครบ <b>แก้</b> " + "ก" * COMMENT_MAX_LENGTH  # too long
    response = do(client, submitted, "return", comment=typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert "ตารางที่ ๒ ยังไม่ครบ &lt;b&gt;แก้&lt;/b&gt; " + "ก" * COMMENT_MAX_LENGTH in html
    assert fresh(submitted).status == DocumentStatus.SUBMITTED


def test_return_with_a_comment_makes_a_draft_and_shows_the_comment(client, staff_a, approver_a, submitted):
    client.force_login(approver_a)
    response = do(client, submitted, "return", comment="กรุณาเพิ่มผลลัพธ์ของมาตรการที่ ๒")
    assert response.status_code == 302 and response["Location"] == detail_url(submitted)
    assert fresh(submitted).status == DocumentStatus.DRAFT
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The document has been returned for changes.")]

    client.force_login(staff_a)
    page = client.get(detail_url(submitted)).content.decode()
    alert = re.search(r'data-return-comment>(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "กรุณาเพิ่มผลลัพธ์ของมาตรการที่ ๒" in alert and full_name("approver_a") in alert
    assert "submit" in shown_actions(page)  # staff can fix it and submit again


def test_the_return_comment_is_not_shown_once_the_draft_is_submitted_again(client, staff_a, approver_a, submitted):
    client.force_login(approver_a)
    do(client, submitted, "return", comment="แก้ตารางที่ ๒")
    client.force_login(staff_a)
    do(client, submitted, "submit", version=fresh(submitted).version)
    page = client.get(detail_url(submitted)).content.decode()
    assert "data-return-comment" not in page
    assert "แก้ตารางที่ ๒" in page  # still in the timeline


def test_staff_cannot_return(client, staff_a, submitted):
    client.force_login(staff_a)
    response = do(client, submitted, "return", comment="")
    assert response.status_code == 302
    assert messages_of(response, message_levels.ERROR) == [gettext("Only an approver may do this.")]
    assert fresh(submitted).status == DocumentStatus.SUBMITTED


# --- approve and publish -------------------------------------------------------------------------

def test_approving_ones_own_submission_is_refused(client, approver_a, report):
    client.force_login(approver_a)
    do(client, report, "submit", version=report.version)
    page = client.get(detail_url(report)).content.decode()
    assert "approve" not in shown_actions(page) and "return" in shown_actions(page)
    assert gettext("Another approver must approve your submission.") in page
    response = do(client, report, "approve")
    assert messages_of(response, message_levels.ERROR) == [
        gettext("You submitted this document, so another approver must approve it.")]
    assert fresh(report).status == DocumentStatus.SUBMITTED


def test_another_approver_approves_with_a_comment(client, approver_a, submitted):
    client.force_login(approver_a)
    response = do(client, submitted, "approve", comment="เห็นชอบ")
    assert response.status_code == 302 and response["Location"] == detail_url(submitted)
    document = fresh(submitted)
    assert document.status == DocumentStatus.APPROVED and document.approved_by == approver_a
    assert document.snapshot is not None
    assert document.events.last().comment == "เห็นชอบ"
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The document has been approved.")]
    page = client.get(detail_url(submitted)).content.decode()
    assert shown_actions(page) == {"publish"} and "เห็นชอบ" in page


def test_approve_without_a_comment(client, admin_a, submitted):
    client.force_login(admin_a)
    do(client, submitted, "approve")
    assert fresh(submitted).status == DocumentStatus.APPROVED
    assert fresh(submitted).events.last().comment == ""


def test_publish(client, approver_a, approved):
    client.force_login(approver_a)
    response = do(client, approved, "publish")
    assert response.status_code == 302
    document = fresh(approved)
    assert document.status == DocumentStatus.PUBLISHED and document.published_by == approver_a
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The document has been published.")]
    page = client.get(detail_url(approved)).content.decode()
    assert shown_actions(page) == set() and 'data-status="published"' in page


def test_staff_cannot_publish(client, staff_a, approved):
    client.force_login(staff_a)
    response = do(client, approved, "publish")
    assert messages_of(response, message_levels.ERROR) == [gettext("Only an approver may do this.")]
    assert fresh(approved).status == DocumentStatus.APPROVED


# --- withdraw and revise -------------------------------------------------------------------------

def test_an_approver_cannot_withdraw(client, approver_a, published):
    client.force_login(approver_a)
    assert "withdraw" not in shown_actions(client.get(detail_url(published)).content.decode())
    response = do(client, published, "withdraw", reason="ผิดพลาด")
    assert messages_of(response, message_levels.ERROR) == [gettext("Only an organisation administrator may do this.")]
    assert fresh(published).status == DocumentStatus.PUBLISHED


def test_admin_withdraws_with_a_reason_shown_on_the_page(client, admin_a, published):
    client.force_login(admin_a)
    assert "withdraw" in shown_actions(client.get(detail_url(published)).content.decode())
    response = do(client, published, "withdraw", reason="ตัวเลขในตารางไม่ถูกต้อง")
    assert response.status_code == 302
    document = fresh(published)
    assert document.status == DocumentStatus.WITHDRAWN and document.withdrawn_reason == "ตัวเลขในตารางไม่ถูกต้อง"
    page = client.get(detail_url(published)).content.decode()
    reason = re.search(r"data-withdrawn-reason>(.*?)</div>", page, re.S).group(1)
    assert "ตัวเลขในตารางไม่ถูกต้อง" in reason
    assert 'data-status="withdrawn"' in page and "revise" in shown_actions(page)


def test_withdraw_without_a_reason_shows_the_page_again(client, admin_a, published):
    client.force_login(admin_a)
    response = do(client, published, "withdraw", reason="")
    assert response.status_code == 400
    html = response.content.decode()
    assert gettext("Give the reason for withdrawing the document.") in html
    assert re.search(r'<details class="[^"]*" open data-action="withdraw">', html)
    assert fresh(published).status == DocumentStatus.PUBLISHED


def test_revise_starts_revision_two_as_a_draft(client, staff_a, admin_a, published):
    withdraw_document(published, actor=admin_a, reason="แก้ไขตัวเลข", notify=False)
    client.force_login(staff_a)
    response = do(client, published, "revise")
    revision = Document.objects.get(organisation=published.organisation, kind=published.kind,
                                    fiscal_year=published.fiscal_year, round=published.round, revision=2)
    assert response.status_code == 302 and response["Location"] == detail_url(revision)
    assert revision.status == DocumentStatus.DRAFT and revision.entries.count() == published.entries.count()
    page = client.get(detail_url(revision)).content.decode()
    assert 'data-status="draft"' in page and "data-revision>" in page
    assert f'href="{detail_url(published)}"' in page  # the other revision is linked
    old_page = client.get(detail_url(published)).content.decode()
    assert f'href="{detail_url(revision)}"' in old_page and "revise" not in shown_actions(old_page)
    assert do(client, published, "revise").status_code == 302  # a second try is refused with a message
    assert Document.objects.filter(organisation=published.organisation, kind=published.kind).count() == 2


# --- delete --------------------------------------------------------------------------------------

def test_delete_a_fresh_draft(client, staff_a, org_a, report):
    client.force_login(staff_a)
    assert "delete" in shown_actions(client.get(detail_url(report)).content.decode())
    response = do(client, report, "delete")
    assert response.status_code == 302 and response["Location"] == index_url(org_a)
    assert not Document.objects.filter(pk=report.pk).exists()
    assert messages_of(response, message_levels.SUCCESS) == [gettext("The draft has been deleted.")]


def test_a_returned_draft_is_kept(client, staff_a, approver_a, submitted):
    client.force_login(approver_a)
    do(client, submitted, "return", comment="แก้ไข")
    client.force_login(staff_a)
    assert "delete" not in shown_actions(client.get(detail_url(submitted)).content.decode())
    response = do(client, submitted, "delete")
    assert messages_of(response, message_levels.ERROR) == [
        gettext("A document that has been submitted is kept; it cannot be deleted.")]
    assert Document.objects.filter(pk=submitted.pk).exists()


# --- buttons for each role -------------------------------------------------------------------------

def test_buttons_on_a_draft(client, staff_a, approver_a, report):
    for user in (staff_a, approver_a):
        client.force_login(user)
        page = client.get(detail_url(report)).content.decode()
        assert shown_actions(page) == {"submit", "delete"}
        assert reverse("reports:settings", args=[report.organisation.slug, report.pk]) in page


def test_buttons_on_a_document_staff_submitted(client, staff_a, approver_a, admin_a, submitted):
    client.force_login(staff_a)
    page = client.get(detail_url(submitted)).content.decode()
    assert shown_actions(page) == set()
    assert gettext("Waiting for an approver.") in page
    assert reverse("reports:settings", args=[submitted.organisation.slug, submitted.pk]) not in page
    for approver in (approver_a, admin_a):
        client.force_login(approver)
        page = client.get(detail_url(submitted)).content.decode()
        assert shown_actions(page) == {"approve", "return"}
        assert gettext("Another approver must approve your submission.") not in page


def test_self_approval_allowed_by_the_organisation(client, approver_a, org_a, report):
    org_a.allow_self_approval = True
    org_a.save()
    client.force_login(approver_a)
    do(client, report, "submit", version=report.version)
    assert "approve" in shown_actions(client.get(detail_url(report)).content.decode())
    do(client, report, "approve")
    assert fresh(report).status == DocumentStatus.APPROVED


# --- timeline ----------------------------------------------------------------------------------------

def test_the_timeline_lists_every_event_with_who_and_comment(client, staff_a, approver_a, admin_a, report):
    client.force_login(staff_a)
    do(client, report, "submit", version=fresh(report).version)
    client.force_login(approver_a)
    do(client, report, "return", comment="เพิ่มหลักฐานของมาตรการที่ ๑")
    client.force_login(staff_a)
    do(client, report, "submit", version=fresh(report).version)
    client.force_login(admin_a)
    do(client, report, "approve", comment="อนุมัติ")
    do(client, report, "publish")

    page = client.get(detail_url(report)).content.decode()
    timeline = page[page.index("data-timeline"):]
    events = re.findall(r'data-event="(\w+)"', timeline)
    assert events == ["create", "submit", "return", "submit", "approve", "publish"]
    actors = re.findall(r"data-event-actor>([^<]*)<", timeline)
    assert actors == [full_name(u) for u in ("staff_a", "staff_a", "approver_a", "staff_a", "admin_a", "admin_a")]
    comments = re.findall(r"data-event-comment>([^<]*)<", timeline)
    assert comments == ["เพิ่มหลักฐานของมาตรการที่ ๑", "อนุมัติ"]
    labels = re.findall(r"data-event-action>([^<]*)<", timeline)
    assert labels == [str(WorkflowAction(a).label) for a in events]
    statuses = re.findall(r"data-event-status>\(([^)]*)\)", timeline)
    assert statuses[1] == f"{DocumentStatus.DRAFT.label} → {DocumentStatus.SUBMITTED.label}"
    # when, in the Buddhist era with Thai digits (e.g. "๑๔ ม.ค. ๒๕๖๘ ๐๙:๓๐ น.")
    times = re.findall(r"data-event-at>([^<]*)<", timeline)
    year = str(timezone.localdate().year + 543).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert len(times) == 6 and all(year in t and t.endswith("น.") for t in times)


# --- access --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["submit", "return", "approve", "publish", "withdraw", "revise", "delete"])
def test_another_organisation_gets_404_for_every_action(client, staff_b, org_b, submitted, action):
    client.force_login(staff_b)
    before = fresh(submitted).status
    assert client.post(action_url(submitted, action), {"comment": "x", "reason": "x"}).status_code == 404
    assert client.post(action_url(submitted, action, slug=org_b.slug),
                       {"comment": "x", "reason": "x"}).status_code == 404
    assert fresh(submitted).status == before
    assert WorkflowEvent.objects.filter(document=submitted).count() == 2


def test_another_organisation_cannot_create_documents_here(client, staff_b, org_a):
    client.force_login(staff_b)
    response = client.post(create_url(org_a), {"kind": "measures", "fiscal_year": "2568"})
    assert response.status_code == 404
    assert not Document.objects.exists()


def test_get_is_not_allowed(client, staff_a, org_a, report):
    client.force_login(staff_a)
    assert client.get(action_url(report, "submit")).status_code == 405
    assert client.get(create_url(org_a)).status_code == 405
    assert fresh(report).status == DocumentStatus.DRAFT


def test_unknown_action_is_404(client, staff_a, report):
    client.force_login(staff_a)
    assert do(client, report, "destroy").status_code == 404
    assert do(client, report, "return_").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, report):
    response = do(client, report, "delete")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Document.objects.filter(pk=report.pk).exists()


# --- queries ----------------------------------------------------------------------------------------------

def test_detail_page_query_count_does_not_grow_with_events(client, staff_a, approver_a, report,
                                                           django_assert_max_num_queries):
    client.force_login(staff_a)
    with django_assert_max_num_queries(26) as small:
        client.get(detail_url(report))
    for _round in range(4):  # many events: submit and return, again and again
        submit_document(fresh(report), actor=staff_a, notify=False)
        client.force_login(approver_a)
        do(client, report, "return", comment="แก้ไขอีกครั้ง")
    client.force_login(staff_a)
    with django_assert_max_num_queries(26) as large:
        page = client.get(detail_url(report))
    assert page.text.count('data-event="return"') == 4
    assert len(large.captured_queries) <= len(small.captured_queries)
