"""The document workflow at the service level (reports/workflow/rules.py, transitions.py): who may do what
from which status.

The matrix: seven actors (staff, approver and admin of organisation A, a superuser, staff of
organisation B, an inactive member of A, anonymous) × every service × every starting status (draft,
a draft returned for changes, submitted, approved, published, withdrawn). Each starting state is made
through the services themselves (``walk``). Every cell asserts either the success (status, the fields
set, the version moved on, exactly one new WorkflowEvent) or the refusal (WorkflowError with the rule's
``code``) and that nothing changed at all. The buttons (``allowed_actions``) must agree with the services.

Then the single rules (self-approval, comment, reason, revisions, deleting), optimistic locking and
``create_document`` / ``ensure_entries``. The approval snapshot and the stored PDF:
tests/test_workflow_snapshot.py.
"""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from orgs.models import Organisation, Role
from reports.documents.data import build_document_data
from reports.entries import services as entry_services
from reports.workflow import rules, transitions
from reports.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    EntryStatus,
    Evidence,
    EvidenceKind,
    Memo,
    ProgressEntry,
    WorkflowAction,
    WorkflowEvent,
)
from reports.workflow.rules import StaleDocument, WorkflowError

from .factories import MeasureFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FY = 2568
LINK = "https://www.example.go.th/ita/evidence"
COMMENT = "แก้ไขผลการดำเนินการให้ครบถ้วน"
REASON = "ข้อมูลผลการดำเนินการไม่ถูกต้อง"


# --- the cast and the states ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, build_cast):
    """The cast (tests/conftest.py), an inactive admin of A and a superuser, built once for the module in a
    transaction rolled back at its end: the matrix alone has 500 cases. Each test runs in a savepoint of it
    (the ``db`` fixture) and the fixtures below read their own copies of the rows, so that nothing a test
    changes, in the database or in memory, reaches the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = build_cast()
        former = UserFactory(username="former_a")
        MembershipFactory(user=former, organisation=people["org_a"], role=Role.ADMIN, is_active=False)
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        yield {name: row.pk for name, row in people.items()} | {"former_a": former.pk, "root": root.pk}
        transaction.set_rollback(True)


def _user(world, name):
    return get_user_model().objects.get(pk=world[name])


@pytest.fixture
def org_a(db, world):
    return Organisation.objects.get(pk=world["org_a"])


@pytest.fixture
def org_b(db, world):
    return Organisation.objects.get(pk=world["org_b"])


@pytest.fixture
def staff_a(db, world):
    return _user(world, "staff_a")


@pytest.fixture
def measure(org_a):
    return MeasureFactory(organisation=org_a, fiscal_year=FY, title="มาตรการเปิดเผยข้อมูล", report_rounds=[6, 12])


@pytest.fixture
def actors(db, world, staff_a):
    return {
        "staff_a": staff_a,
        "approver_a": _user(world, "approver_a"),
        "admin_a": _user(world, "admin_a"),
        "a superuser": _user(world, "root"),
        "staff_b (org B)": _user(world, "staff_b"),
        "an inactive admin of A": _user(world, "former_a"),
        "anonymous": AnonymousUser(),
    }


STATES = ("draft", "returned", "submitted", "approved", "published", "withdrawn")


def walk(org, to, *, staff, approver, admin, kind=DocumentKind.PROGRESS, round=6) -> Document:
    """A fresh document of ``org`` brought to state ``to`` through the services: staff create it and
    put one link evidence on each entry, then ``advance``."""
    doc = transitions.create_document(org, fiscal_year=FY, kind=kind, round=round, actor=staff)
    for entry in doc.entries.all():
        entry_services.add_evidence_link(entry, url=LINK, title="ภาพกิจกรรม", actor=staff)
    return advance(doc, to, staff=staff, approver=approver, admin=admin)


def advance(doc, to, *, staff, approver, admin) -> Document:
    """A draft brought to state ``to`` by the right people: staff submit; the approver returns, or
    approves and publishes; the admin withdraws."""
    if to != "draft":
        transitions.submit_document(doc, actor=staff)
        if to == "returned":
            transitions.return_document(doc, actor=approver, comment=COMMENT)
        elif to != "submitted":
            transitions.approve_document(doc, actor=approver)
            if to != "approved":
                transitions.publish_document(doc, actor=approver)
                if to == "withdrawn":
                    transitions.withdraw_document(doc, actor=admin, reason=REASON)
    return Document.objects.get(pk=doc.pk)


def cast(actors):
    return {"staff": actors["staff_a"], "approver": actors["approver_a"], "admin": actors["admin_a"]}


def file_evidence(entry, name="รายงานการประชุม.pdf") -> Evidence:
    """A stored file evidence (the upload check lives elsewhere; here only the sharing of files matters)."""
    ev = Evidence(entry=entry, kind=EvidenceKind.FILE, original_name=name, content_type="application/pdf",
                  size=13, order=9)
    ev.file.save("upload.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    ev.save()
    return ev


def state() -> dict:
    """Everything a refused call must leave as it was."""
    return {
        "documents": list(Document.objects.order_by("pk").values_list(
            "pk", "status", "version", "revision", "submitted_by", "approved_by", "published_by",
            "withdrawn_reason", "snapshot")),
        "events": list(WorkflowEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "entries": list(ProgressEntry.objects.order_by("pk").values_list("pk", "version", "output", "status")),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", "url")),
    }


def new_event(before: dict) -> WorkflowEvent:
    """The one event written since ``before``."""
    events = list(WorkflowEvent.objects.exclude(pk__in=before["events"]))
    assert len(events) == 1, events
    return events[0]


def assert_event(event, document, action, from_status, to_status, actor, comment=""):
    assert (event.document_id, event.action, event.from_status, event.to_status) == (
        document.pk, action, from_status, to_status)
    assert event.actor == actor and event.actor_name == rules.actor_name(actor)
    assert event.comment == comment


# --- the matrix ---------------------------------------------------------------------------------------

RANK = {"staff_a": 1, "approver_a": 2, "admin_a": 3, "a superuser": 3}
MEMBER = "staff_a"
# action: (minimum rank, the starting states it is allowed from, allowed_actions attribute)
RULES = {
    "create_document": (1, STATES, None),  # another document (the measures plan of the year)
    "create_document_again": (1, (), None),  # the same document again: it exists in every state
    "submit_document": (1, ("draft", "returned"), "submit"),
    "return_document": (2, ("submitted",), "return_"),
    "approve_document": (2, ("submitted",), "approve"),
    "publish_document": (2, ("approved",), "publish"),
    "withdraw_document": (3, ("published",), "withdraw"),
    "new_revision": (1, ("withdrawn",), "revise"),
    "delete_draft": (1, ("draft", "returned"), "delete"),  # returned: "kept"
    "save_entry": (1, ("draft", "returned"), "edit"),
    "add_evidence_link": (1, ("draft", "returned"), "edit"),
    "remove_evidence": (1, ("draft", "returned"), "edit"),
}
EDITS = ("save_entry", "add_evidence_link", "remove_evidence")
ROLE_NAMES = ("staff_a", "approver_a", "admin_a", "a superuser", "staff_b (org B)", "an inactive admin of A",
              "anonymous")


def expected_code(role: str, action: str, status: str) -> str | None:
    """None when the call succeeds, else the code of the rule that refuses it."""
    minimum, allowed_from, _attr = RULES[action]
    if role not in RANK:
        return "not_member"
    if RANK[role] < minimum:
        return "role"
    if action == "create_document_again":
        return "exists"
    if status not in allowed_from:
        return "stale" if action in EDITS else "status"
    if action == "delete_draft" and status == "returned":
        return "kept"
    return None


def call(action: str, doc: Document, actor):
    entry = doc.entries.first()
    if action == "create_document":
        return transitions.create_document(doc.organisation, fiscal_year=FY, kind=DocumentKind.MEASURES, actor=actor)
    if action == "create_document_again":
        return transitions.create_document(doc.organisation, fiscal_year=FY, kind=doc.kind, round=doc.round,
                                           actor=actor)
    if action == "return_document":
        return transitions.return_document(doc, actor=actor, comment=f"  {COMMENT}  ")
    if action == "withdraw_document":
        return transitions.withdraw_document(doc, actor=actor, reason=f" {REASON} ")
    if action == "save_entry":
        return entry_services.save_entry(entry, actor=actor, expected_version=entry.version,
                                         data={"output": "อบรมบุคลากร ๒ ครั้ง", "status": EntryStatus.DONE})
    if action == "add_evidence_link":
        return entry_services.add_evidence_link(entry, url=LINK + "/2", title=" รายงานการประชุม ", actor=actor)
    if action == "remove_evidence":
        return entry_services.remove_evidence(entry.evidence.get(), actor=actor)
    return getattr(transitions, action)(doc, actor=actor)  # submit, approve, publish, new_revision, delete_draft


SENTENCES = {
    "create_document": "create the measures plan beside {a} report",
    "create_document_again": "create the report again while {a} one exists",
    "submit_document": "submit {a} report",
    "return_document": "return {a} report",
    "approve_document": "approve {a} report",
    "publish_document": "publish {a} report",
    "withdraw_document": "withdraw {a} report",
    "new_revision": "start a new revision of {a} report",
    "delete_draft": "delete {a} report",
    "save_entry": "save an entry of {a} report",
    "add_evidence_link": "add a link to {a} report",
    "remove_evidence": "remove evidence from {a} report",
}


def cases():
    for action in RULES:
        for status in STATES:
            for role in ROLE_NAMES:
                code = expected_code(role, action, status)
                verb = "may" if code is None else "may not"
                outcome = "" if code is None else f" ({code})"
                what = SENTENCES[action].format(a=("a returned draft" if status == "returned" else
                                                   f"{'an' if status == 'approved' else 'a'} {status}"))
                yield pytest.param(role, action, status, code, id=f"{role} {verb} {what}{outcome}")


@pytest.mark.parametrize("role, action, status, code", list(cases()))
def test_workflow_matrix(org_a, measure, actors, role, action, status, code):
    doc = walk(org_a, status, **cast(actors))
    actor = actors[role]
    attr = RULES[action][2]
    if attr is not None:  # the page shows the button exactly when the service would do it
        assert getattr(rules.allowed_actions(doc, actor), attr) is (code is None)
    before = state()

    if code is not None:
        with pytest.raises(WorkflowError) as refused:
            call(action, doc, actor)
        assert refused.value.code == code
        assert refused.value.message
        assert isinstance(refused.value, StaleDocument) is (code == "stale")
        assert state() == before
        return

    result = call(action, doc, actor)
    after = Document.objects.filter(pk=doc.pk).first()
    SUCCESS[action](doc, after, result, actor, before)


# --- what each success looks like -------------------------------------------------------------------

def _moved(doc, after, to_status):
    assert after.status == to_status
    assert after.version == doc.version + 1


def ok_create(doc, after, result, actor, before):
    assert (result.kind, result.round, result.revision, result.status) == (
        DocumentKind.MEASURES, 0, 1, DocumentStatus.DRAFT)
    assert result.created_by == actor and result.organisation == doc.organisation
    assert_event(new_event(before), result, WorkflowAction.CREATE, "", DocumentStatus.DRAFT, actor)
    assert (after.status, after.version) == (doc.status, doc.version)


def ok_submit(doc, after, result, actor, before):
    _moved(doc, after, DocumentStatus.SUBMITTED)
    assert after.submitted_by == actor and after.submitted_at is not None
    assert_event(new_event(before), after, WorkflowAction.SUBMIT, "draft", "submitted", actor)


def ok_return(doc, after, result, actor, before):
    _moved(doc, after, DocumentStatus.DRAFT)
    assert after.approved_by is None and after.snapshot is None
    assert_event(new_event(before), after, WorkflowAction.RETURN, "submitted", "draft", actor, COMMENT)


def ok_approve(doc, after, result, actor, before):
    _moved(doc, after, DocumentStatus.APPROVED)
    assert after.approved_by == actor and after.approved_at is not None
    assert after.snapshot is not None and after.snapshot["status"] == "approved"
    assert after.snapshot == build_document_data(after)
    assert_event(new_event(before), after, WorkflowAction.APPROVE, "submitted", "approved", actor)


def ok_publish(doc, after, result, actor, before):
    _moved(doc, after, DocumentStatus.PUBLISHED)
    assert after.published_by == actor and after.published_at is not None
    assert after.snapshot == doc.snapshot
    assert_event(new_event(before), after, WorkflowAction.PUBLISH, "approved", "published", actor)


def ok_withdraw(doc, after, result, actor, before):
    _moved(doc, after, DocumentStatus.WITHDRAWN)
    assert after.withdrawn_reason == REASON and after.withdrawn_at is not None
    assert after.snapshot == doc.snapshot and after.published_by == doc.published_by
    assert_event(new_event(before), after, WorkflowAction.WITHDRAW, "published", "withdrawn", actor, REASON)


def ok_revise(doc, after, result, actor, before):
    assert (after.status, after.version, after.snapshot) == (doc.status, doc.version, doc.snapshot)
    assert (result.revision, result.status, result.created_by) == (2, DocumentStatus.DRAFT, actor)
    assert result.snapshot is None and result.submitted_by is None
    assert list(result.entries.values_list("measure", "output")) == list(doc.entries.values_list("measure", "output"))
    assert list(Evidence.objects.filter(entry__document=result).values_list("url", flat=True)) == [LINK]
    assert_event(new_event(before), result, WorkflowAction.REVISE, "", "draft", actor,
                 gettext("Revision %(n)s, replacing revision %(old)s.") % {"n": "๒", "old": "๑"})


def ok_delete(doc, after, result, actor, before):
    assert after is None
    assert not ProgressEntry.objects.filter(document_id=doc.pk).exists()
    assert not WorkflowEvent.objects.filter(document_id=doc.pk).exists()
    assert not Evidence.objects.exists()


def _edited(doc, after):
    assert after.status == doc.status and after.version == doc.version + 1
    assert after.events.count() == doc.events.count()  # edits write history, not workflow events


def ok_save_entry(doc, after, result, actor, before):
    _edited(doc, after)
    entry = ProgressEntry.objects.get(pk=result.pk)
    assert (entry.output, entry.status, entry.version) == ("อบรมบุคลากร ๒ ครั้ง", EntryStatus.DONE, 2)
    assert entry.history.first().history_user == actor


def ok_add_link(doc, after, result, actor, before):
    _edited(doc, after)
    ev = Evidence.objects.get(pk=result.pk)
    assert (ev.kind, ev.url, ev.title, ev.order, ev.created_by) == (
        EvidenceKind.LINK, LINK + "/2", "รายงานการประชุม", 1, actor)


def ok_remove(doc, after, result, actor, before):
    _edited(doc, after)
    assert not Evidence.objects.filter(entry__document=doc).exists()


SUCCESS = {
    "create_document": ok_create, "submit_document": ok_submit, "return_document": ok_return,
    "approve_document": ok_approve, "publish_document": ok_publish, "withdraw_document": ok_withdraw,
    "new_revision": ok_revise, "delete_draft": ok_delete, "save_entry": ok_save_entry,
    "add_evidence_link": ok_add_link, "remove_evidence": ok_remove,
}
assert set(SUCCESS) | {"create_document_again"} == set(RULES)


# --- the single rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("allow", [False, True], ids=["forbidden by the organisation", "allowed by the organisation"])
@pytest.mark.parametrize("who", ["approver_a", "admin_a", "a superuser"])
def test_approving_ones_own_submission(org_a, measure, actors, who, allow):
    org_a.allow_self_approval = allow
    org_a.save()
    actor = actors[who]
    doc = walk(org_a, "draft", **cast(actors))
    transitions.submit_document(doc, actor=actor)
    doc.refresh_from_db()
    assert rules.allowed_actions(doc, actor).approve is allow
    before = state()
    if allow:
        transitions.approve_document(doc, actor=actor)
        doc.refresh_from_db()
        assert doc.status == DocumentStatus.APPROVED and doc.approved_by == doc.submitted_by == actor
        assert_event(new_event(before), doc, WorkflowAction.APPROVE, "submitted", "approved", actor)
        return
    with pytest.raises(WorkflowError) as refused:
        transitions.approve_document(doc, actor=actor)
    assert refused.value.code == "self_approval"
    assert state() == before
    other = actors["admin_a"] if who == "approver_a" else actors["approver_a"]
    assert rules.allowed_actions(doc, other).approve
    transitions.approve_document(doc, actor=other, comment=" เห็นชอบ ")
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED and doc.approved_by == other
    assert_event(new_event(before), doc, WorkflowAction.APPROVE, "submitted", "approved", other, "เห็นชอบ")


@pytest.mark.parametrize("text", ["", "  \n\t "], ids=["an empty", "a blank"])
def test_returning_needs_a_comment(org_a, measure, actors, text):
    doc = walk(org_a, "submitted", **cast(actors))
    before = state()
    with pytest.raises(WorkflowError) as refused:
        transitions.return_document(doc, actor=actors["approver_a"], comment=text)
    assert refused.value.code == "comment"
    assert state() == before


@pytest.mark.parametrize("text", ["", "  \n\t "], ids=["an empty", "a blank"])
def test_withdrawing_needs_a_reason(org_a, measure, actors, text):
    doc = walk(org_a, "published", **cast(actors))
    before = state()
    with pytest.raises(WorkflowError) as refused:
        transitions.withdraw_document(doc, actor=actors["admin_a"], reason=text)
    assert refused.value.code == "reason"
    assert state() == before


def test_a_returned_report_can_be_changed_and_submitted_again(org_a, measure, actors):
    doc = walk(org_a, "returned", **cast(actors))
    entry = doc.entries.get()
    entry_services.save_entry(entry, data={"output": "แก้ไขแล้ว"}, expected_version=entry.version,
                              actor=actors["staff_a"])
    transitions.submit_document(doc, actor=actors["staff_a"], expected_version=doc.version + 1)
    transitions.approve_document(doc, actor=actors["approver_a"])
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED
    assert doc.snapshot["measures"][0]["output"] == ["แก้ไขแล้ว"]
    assert list(doc.events.values_list("action", flat=True)) == [
        "create", "submit", "return", "submit", "approve"]


def test_new_revision_of_a_withdrawn_report(settings, tmp_path, org_a, measure, actors):
    settings.MEDIA_ROOT = tmp_path
    staff = actors["staff_a"]
    doc = walk(org_a, "draft", **cast(actors))
    entry = doc.entries.get()
    values = {"output": "จัดอบรม", "outcome": "บุคลากรเข้าใจ", "status": EntryStatus.NOT_DONE,
              "status_reason": "งบประมาณไม่เพียงพอ", "activity_start": date(2024, 11, 1),
              "activity_end": date(2025, 2, 28)}
    entry_services.save_entry(entry, data=values, expected_version=entry.version, actor=staff)
    stored = file_evidence(entry)
    Memo.objects.create(document=doc, department="สำนักปลัด", subject="รายงานผล", addressee="นายกเทศมนตรี",
                        body="เรื่องเดิม\n\nข้อความ")
    settings_ = {"title": "รายงานพิเศษ", "intro": "คำนำ", "preamble": "ข้อความนำ", "layout": "C",
                 "arabic_digits": True, "month_style": "abbr", "columns": ["measure", "output"],
                 "signer_name": "นายสมชาย ใจดี", "signer_position": "ปลัดเทศบาล", "signer_role": "ผู้ตรวจ"}
    Document.objects.filter(pk=doc.pk).update(**settings_)
    doc = advance(doc, "withdrawn", **cast(actors))
    later = MeasureFactory(organisation=org_a, fiscal_year=FY, title="มาตรการใหม่", report_rounds=[6])
    snapshot = doc.snapshot

    revision = transitions.new_revision(doc, actor=staff)

    doc.refresh_from_db()
    assert (doc.revision, doc.status, doc.snapshot) == (1, DocumentStatus.WITHDRAWN, snapshot)
    assert (revision.revision, revision.status, revision.version) == (2, DocumentStatus.DRAFT, 1)
    assert {name: getattr(revision, name) for name in settings_} == settings_
    memo = Memo.objects.get(document=revision)
    assert memo.pk != Memo.objects.get(document=doc).pk and (memo.subject, memo.body) == (
        "รายงานผล", "เรื่องเดิม\n\nข้อความ")
    copied = revision.entries.get(measure=measure)
    assert {name: getattr(copied, name) for name in values} == values and copied.version == 1
    assert list(copied.evidence.values_list("kind", "url", "file", "original_name")) == [
        ("link", LINK, "", ""), ("file", "", stored.file.name, "รายงานการประชุม.pdf")]
    assert (tmp_path / stored.file.name).exists()  # shared, not copied
    assert revision.entries.get(measure=later).output == ""  # a measure added since gets its entry
    assert entry.evidence.count() == 2  # the withdrawn revision keeps its own
    assert not rules.allowed_actions(doc, staff).revise

    before = state()
    with pytest.raises(WorkflowError) as refused:
        transitions.new_revision(doc, actor=staff)
    assert refused.value.code == "not_latest"
    with pytest.raises(WorkflowError) as refused:
        transitions.new_revision(revision, actor=staff)
    assert refused.value.code == "status"
    assert state() == before


def test_an_unsubmitted_new_revision_can_be_deleted_and_the_withdrawn_one_revised_again(
        settings, tmp_path, django_capture_on_commit_callbacks, org_a, measure, actors):
    settings.MEDIA_ROOT = tmp_path
    staff = actors["staff_a"]
    doc = walk(org_a, "draft", **cast(actors))
    stored = file_evidence(doc.entries.get())
    doc = advance(doc, "withdrawn", **cast(actors))
    revision = transitions.new_revision(doc, actor=staff)
    assert rules.allowed_actions(revision, staff).delete

    with django_capture_on_commit_callbacks(execute=True):
        transitions.delete_draft(revision, actor=staff)

    assert not Document.objects.filter(pk=revision.pk).exists()
    assert (tmp_path / stored.file.name).exists()  # still named by the withdrawn revision's evidence
    doc.refresh_from_db()
    assert rules.allowed_actions(doc, staff).revise
    again = transitions.new_revision(doc, actor=staff)
    transitions.submit_document(again, actor=staff)
    transitions.return_document(again, actor=actors["approver_a"], comment="แก้ไขตัวเลข")
    with pytest.raises(WorkflowError) as refused:
        transitions.delete_draft(again, actor=staff)
    assert refused.value.code == "kept"


def test_removing_evidence_and_deleting_a_draft_delete_only_files_nothing_else_names(
        settings, tmp_path, django_capture_on_commit_callbacks, org_a, measure, actors):
    settings.MEDIA_ROOT = tmp_path
    staff = actors["staff_a"]
    six = walk(org_a, "draft", **cast(actors))
    shared = file_evidence(six.entries.get())
    advance(six, "published", **cast(actors))
    twelve = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=12, actor=staff)
    removed, own = file_evidence(twelve.entries.get(), name="ภาพถ่าย.pdf"), file_evidence(twelve.entries.get())
    copy = Evidence.objects.get(entry__document=twelve, file=shared.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        entry_services.remove_evidence(copy, actor=staff)
        entry_services.remove_evidence(removed, actor=staff)
    assert not (tmp_path / removed.file.name).exists()
    assert (tmp_path / shared.file.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        transitions.delete_draft(twelve, actor=staff)

    assert not Document.objects.filter(pk=twelve.pk).exists()
    assert not (tmp_path / own.file.name).exists()
    assert (tmp_path / shared.file.name).exists() and Evidence.objects.filter(pk=shared.pk).exists()


# --- optimistic locking ------------------------------------------------------------------------------

def test_submitting_from_an_outdated_page_is_refused(org_a, measure, actors):
    staff = actors["staff_a"]
    doc = walk(org_a, "draft", **cast(actors))
    page_version = doc.version
    entry = doc.entries.get()
    entry_services.save_entry(entry, data={"output": "เพิ่มเติม"}, expected_version=entry.version,
                              actor=actors["admin_a"])
    before = state()
    with pytest.raises(StaleDocument) as refused:
        transitions.submit_document(doc, actor=staff, expected_version=page_version)
    assert refused.value.code == "stale"
    assert refused.value.current.pk == doc.pk and refused.value.current.version == page_version + 1
    assert state() == before
    transitions.submit_document(doc, actor=staff, expected_version=page_version + 1)
    assert Document.objects.get(pk=doc.pk).status == DocumentStatus.SUBMITTED


def test_saving_an_entry_someone_saved_meanwhile_is_refused(org_a, measure, actors):
    doc = walk(org_a, "draft", **cast(actors))
    mine, theirs = ProgressEntry.objects.get(document=doc), ProgressEntry.objects.get(document=doc)
    entry_services.save_entry(theirs, data={"output": "ของเขา"}, expected_version=1, actor=actors["approver_a"])
    before = state()
    with pytest.raises(StaleDocument) as refused:
        entry_services.save_entry(mine, data={"output": "ของฉัน"}, expected_version=1, actor=actors["staff_a"])
    current = refused.value.current
    assert isinstance(current, ProgressEntry)
    assert (current.pk, current.version, current.output) == (mine.pk, 2, "ของเขา")
    assert state() == before


def test_saving_an_entry_of_a_submitted_report_is_refused(org_a, measure, actors):
    doc = walk(org_a, "draft", **cast(actors))
    entry = doc.entries.get()  # the page was opened while it was a draft
    transitions.submit_document(doc, actor=actors["staff_a"])
    before = state()
    with pytest.raises(StaleDocument) as refused:
        entry_services.save_entry(entry, data={"output": "สาย"}, expected_version=entry.version,
                                  actor=actors["staff_a"])
    assert refused.value.current.pk == doc.pk and refused.value.current.status == DocumentStatus.SUBMITTED
    assert state() == before


# --- creating documents ----------------------------------------------------------------------------

def test_a_progress_report_has_an_entry_per_measure_of_its_round(org_a, org_b, staff_a):
    def m(rounds, **kw):
        return MeasureFactory(organisation=kw.pop("org", org_a), fiscal_year=kw.pop("year", FY),
                              report_rounds=rounds)

    both, only_6, every, only_12, quarters = m([6, 12]), m([6]), m([]), m([12]), m([3, 9])
    m([6, 12], year=FY - 1)
    m([6, 12], org=org_b)

    six = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6, actor=staff_a)
    assert set(six.entries.values_list("measure", flat=True)) == {both.pk, only_6.pk, every.pk}
    assert set(six.entries.values_list("output", "status", "version")) == {("", EntryStatus.NOT_STARTED, 1)}
    three = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=3, actor=staff_a)
    assert set(three.entries.values_list("measure", flat=True)) == {every.pk, quarters.pk}
    plan = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.MEASURES, round=6, actor=staff_a)
    assert plan.round == 0 and not plan.entries.exists()
    # the signer label fits the kind: reports are signed by ผู้รายงาน, a plan by ผู้จัดทำ
    assert {d.signer_role for d in (six, three)} == {"ผู้รายงาน"} and plan.signer_role == "ผู้จัดทำ"
    assert not only_12.progress_entries.exists()


def test_round_12_starts_from_the_published_6_month_report(settings, tmp_path, org_a, actors):
    settings.MEDIA_ROOT = tmp_path
    staff = actors["staff_a"]
    both = MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[6, 12])
    only_6 = MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[6])
    only_12 = MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[12])
    six = walk(org_a, "draft", **cast(actors))
    print_settings = {"layout": "B", "arabic_digits": True, "month_style": "abbr", "intro": "คำนำ",
                      "preamble": "ข้อความนำ", "columns": ["measure", "output"], "signer_name": "นางสาวสมใจ รักดี",
                      "signer_position": "ปลัดเทศบาล", "signer_role": "ผู้ตรวจ"}
    Document.objects.filter(pk=six.pk).update(title="รายงานรอบหกเดือน", **print_settings)
    entry = six.entries.get(measure=both)
    values = {"output": "จัดอบรม", "outcome": "เข้าใจ", "status": EntryStatus.IN_PROGRESS, "status_reason": "",
              "activity_start": date(2024, 12, 1), "activity_end": date(2025, 3, 15)}
    entry_services.save_entry(entry, data=values, expected_version=entry.version, actor=staff)
    stored = file_evidence(entry)
    advance(six, "published", **cast(actors))

    twelve = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=12, actor=staff)

    assert {name: getattr(twelve, name) for name in print_settings} == print_settings
    assert twelve.title == ""  # the standard title says the round
    assert set(twelve.entries.values_list("measure", flat=True)) == {both.pk, only_12.pk}
    copied = twelve.entries.get(measure=both)
    assert {name: getattr(copied, name) for name in values} == values
    assert list(copied.evidence.values_list("kind", "url", "title", "file")) == [
        ("link", LINK, "ภาพกิจกรรม", ""), ("file", "", "", stored.file.name)]
    fresh = twelve.entries.get(measure=only_12)
    assert (fresh.output, fresh.status, fresh.evidence.count()) == ("", EntryStatus.NOT_STARTED, 0)
    assert entry.evidence.count() == 2 and not only_6.progress_entries.filter(document=twelve).exists()


def test_a_withdrawn_6_month_report_is_not_a_starting_point(org_a, measure, actors):
    six = walk(org_a, "draft", **cast(actors))
    entry = six.entries.get()
    entry_services.save_entry(entry, data={"output": "ผิด"}, expected_version=entry.version, actor=actors["staff_a"])
    advance(six, "withdrawn", **cast(actors))
    twelve = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=12,
                                         actor=actors["staff_a"])
    assert list(twelve.entries.values_list("output", flat=True)) == [""]
    assert not Evidence.objects.filter(entry__document=twelve).exists()


@pytest.mark.parametrize("kind, round_, code", [
    ("plan", 0, "kind"), (DocumentKind.PROGRESS, 0, "round"), (DocumentKind.PROGRESS, 5, "round"),
], ids=["an unknown kind is refused", "a progress report without a round is refused",
        "a progress report of round 5 is refused"])
def test_create_document_refusals(org_a, measure, staff_a, kind, round_, code):
    with pytest.raises(WorkflowError) as refused:
        transitions.create_document(org_a, fiscal_year=FY, kind=kind, round=round_, actor=staff_a)
    assert refused.value.code == code
    assert not Document.objects.exists() and not WorkflowEvent.objects.exists()


def test_a_document_without_rounds_exists_once_per_year(org_a, staff_a):
    first = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.ANALYSIS, round=6, actor=staff_a)
    assert first.round == 0
    with pytest.raises(WorkflowError) as refused:
        transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.ANALYSIS, actor=staff_a)
    assert refused.value.code == "exists"
    transitions.create_document(org_a, fiscal_year=FY + 1, kind=DocumentKind.ANALYSIS, actor=staff_a)
    assert Document.objects.count() == 2


def test_ensure_entries_adds_measures_added_later_to_drafts_only(org_a, measure, actors):
    doc = walk(org_a, "draft", **cast(actors))
    later = MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[6])
    MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[12])
    assert entry_services.ensure_entries(doc) == 1
    assert entry_services.ensure_entries(doc) == 0
    assert set(doc.entries.values_list("measure", flat=True)) == {measure.pk, later.pk}
    doc = advance(doc, "submitted", **cast(actors))
    MeasureFactory(organisation=org_a, fiscal_year=FY, report_rounds=[6])
    assert entry_services.ensure_entries(doc) == 0
    assert doc.entries.count() == 2
