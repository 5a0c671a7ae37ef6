"""The audit trail no one can rewrite: append-only event rows (database triggers on SQLite and PostgreSQL),
a SHA-256 chain per document checked by `manage.py verify_audit`, the sanctioned path that removes whole
organisations (recorded), self-approval shown in the timeline, and the published PDF's SHA-256 in public."""
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from core.audit import GENESIS, drop_triggers, install_triggers
from core.models import SanctionedRemoval
from orgs.models import Organisation
from reports.models import Document, DocumentKind, WorkflowAction, WorkflowEvent
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory, UserFactory
from .helpers.workflow import published, reload, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org_a, staff_a, approver_a, django_capture_on_commit_callbacks):
    MeasureStepFactory(measure=MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการตรวจสอบได้"))
    # the stored PDF is made by the background task that publishing queues (immediate backend in tests)
    return published(org_a, staff_a, approver_a, render=True, capture=django_capture_on_commit_callbacks)


def verify() -> str:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def broken() -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="The audit trail is broken") as refused:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    return str(refused.value) + err.getvalue()


# --- append-only ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "UPDATE reports_workflowevent SET comment = 'rewritten' WHERE id = %s",
    "UPDATE reports_workflowevent SET actor_name = 'someone else', at = at WHERE id = %s",
    "DELETE FROM reports_workflowevent WHERE id = %s",
])
def test_raw_sql_cannot_change_or_delete_an_event(plan, sql):
    event = plan.events.get(action=WorkflowAction.APPROVE)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert WorkflowEvent.objects.get(pk=event.pk).comment == event.comment
    assert plan.events.count() == 4


def test_the_orm_cannot_change_an_event_either(plan):
    event = plan.events.first()
    event.comment = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        plan.events.all().delete()


def test_a_person_who_acted_cannot_be_deleted(plan, approver_a):
    with pytest.raises(ProtectedError), transaction.atomic():
        approver_a.delete()


def test_the_admin_offers_no_way_to_delete_events_or_documents(client, plan):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = plan.events.first()
    assert client.get(reverse("admin:reports_workflowevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:reports_workflowevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:reports_document_delete", args=[plan.pk])).status_code == 403
    changelist = client.post(reverse("admin:reports_workflowevent_changelist"),
                             {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert changelist.status_code in (200, 302)
    assert WorkflowEvent.objects.filter(pk=event.pk).exists()


# --- the chain --------------------------------------------------------------------------------------------

def test_each_event_chains_to_the_one_before_it_and_verify_audit_passes(plan):
    events = list(plan.events.order_by("pk"))
    assert [e.action for e in events] == ["create", "submit", "approve", "publish"]
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert all(e.hash == e.compute_hash() for e in events)
    assert "intact: 1 chains, 4 events" in verify()


def test_verify_audit_finds_an_altered_event(plan):
    event = plan.events.get(action=WorkflowAction.APPROVE)
    drop_triggers(connection)  # what someone with direct database access could do
    WorkflowEvent.objects.filter(pk=event.pk).update(actor_name="ผู้อื่น")
    install_triggers(connection)
    message = broken()
    assert f"event {event.pk} (approve) was changed" in message


def test_verify_audit_finds_a_removed_event_and_missing_triggers(plan):
    event = plan.events.get(action=WorkflowAction.SUBMIT)
    drop_triggers(connection)
    WorkflowEvent.objects.filter(pk=event.pk).delete()
    message = broken()
    assert "an event was removed or inserted" in message
    assert "triggers are missing" in message
    install_triggers(connection)


# --- the sanctioned path ----------------------------------------------------------------------------------

def test_removing_a_whole_organisation_in_the_admin_is_allowed_and_recorded(client, plan, org_a):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, first_name="ผู้ดูแล", last_name="ระบบ")
    client.force_login(admin)
    response = client.post(reverse("admin:orgs_organisation_delete", args=[org_a.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=org_a.pk).exists()
    assert not WorkflowEvent.objects.filter(document_id=plan.pk).exists()
    record = SanctionedRemoval.objects.get()
    assert org_a.slug in record.reason and record.actor_name == "ผู้ดูแล ระบบ" and not record.active
    assert record.removed["reports.WorkflowEvent"] == 4
    assert "intact" in verify()


def test_deleting_a_never_submitted_draft_is_recorded(org_a, staff_a):
    draft = transitions.create_document(org_a, fiscal_year=2568, kind=DocumentKind.MEASURES, actor=staff_a,
                                        notify=False)
    transitions.delete_draft(reload(draft), actor=staff_a)
    record = SanctionedRemoval.objects.get()
    assert "never-submitted draft" in record.reason and record.removed["reports.WorkflowEvent"] == 1
    assert not SanctionedRemoval.objects.filter(active=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_still_empties_the_database(org_a, staff_a):
    """Transactional tests end with a flush (DELETE on SQLite): the whole database goes, triggers stay."""
    submitted(org_a, staff_a)
    assert WorkflowEvent.objects.count() == 2
    call_command("flush", "--no-input")
    assert WorkflowEvent.objects.count() == 0
    from core.audit import triggers_present

    assert triggers_present(connection)


@pytest.mark.django_db(transaction=True)  # a restore flushes (TRUNCATE on PostgreSQL): not inside a test's transaction
def test_backup_and_restore_keep_the_chains_valid(plan, tmp_path):
    archive = tmp_path / "ita.zip"
    call_command("backup", str(archive), stdout=StringIO())
    call_command("restore", str(archive), "--force", stdout=StringIO())
    assert plan.events.count() == 4
    assert "intact: 1 chains, 4 events" in verify()


# --- what people see --------------------------------------------------------------------------------------

def test_a_self_approval_says_so_in_the_timeline(client, org_a, approver_a):
    org_a.allow_self_approval = True
    org_a.save()
    document = submitted(org_a, approver_a)
    transitions.approve_document(document, actor=approver_a, notify=False)
    event = document.events.get(action=WorkflowAction.APPROVE)
    assert event.self_approved
    client.force_login(approver_a)
    html = client.get(reverse("reports:detail", args=[org_a.slug, document.pk])).content.decode()
    assert "data-event-self-approved" in html and "ผู้เสนอเป็นผู้อนุมัติเอง" in html


def test_an_approval_by_another_person_is_not_marked(org_a, staff_a, approver_a):
    document = submitted(org_a, staff_a)
    transitions.approve_document(document, actor=approver_a, notify=False)
    assert not document.events.get(action=WorkflowAction.APPROVE).self_approved


def test_the_public_page_shows_the_sha256_of_the_pdf_anyone_downloads(client, org_a, plan):
    pdf = client.get(f"/o/{org_a.slug}/2568/measures/pdf/")
    assert pdf.status_code == 200
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    digest = hashlib.sha256(body).hexdigest()
    page = client.get(f"/o/{org_a.slug}/2568/measures/").content.decode()
    assert digest in page and "ค่า SHA-256 ของไฟล์ PDF" in page
    assert reload(plan).pdf_sha256 == digest
