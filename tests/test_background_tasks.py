"""Slow work off the request path (django-tasks): publication queues the PDF's rendering, e-mails are sent
by tasks; until the PDF exists the public page shows the document and a Thai notice; a failed render is
tried again with a backoff and, after the last try, shown to the organisation's administrators.

The tests run on the immediate backend (ita_portal/settings_test.py), on the dummy backend where what is
queued, and when, is the point (the queued task is then run by hand, as a worker would), and one runs a
real ``manage.py db_worker`` process against the test database."""
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

import reports.printing.rendering
from core import mail_tasks
from reports.models import Document, WorkflowAction
from reports.printing import stored_pdf
from reports.workflow import rules, transitions
from reports.workflow.tasks import PDF_BACKOFF, PDF_MAX_ATTEMPTS, render_published_pdf

from .helpers.mail import FlakyMailServer
from .helpers.workflow import published, reload, submitted

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
BEING_PREPARED = "กำลังจัดทำไฟล์ PDF"
FAILED = "สร้างไฟล์ PDF ไม่สำเร็จ"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queue(settings):
    """Tasks are queued and not run (the dummy backend); ``queue()`` lists what was queued."""
    settings.TASKS = DUMMY
    return lambda: list(default_task_backend.results)


@pytest.fixture
def approved(org_a, staff_a, approver_a):
    return transitions.approve_document(submitted(org_a, staff_a), actor=approver_a, notify=False)


def publish(document, approver, capture):
    with capture(execute=True):
        transitions.publish_document(reload(document), actor=approver, notify=False)
    return reload(document)


def public_page(client, document):
    return client.get(reverse("public:document", args=[document.organisation.slug, document.fiscal_year, "measures"]))


def public_pdf(client, document):
    return client.get(reverse("public:document_pdf", args=[document.organisation.slug, document.fiscal_year,
                                                           "measures"]))


class Breaks:
    """``render_document_pdf`` failing the first ``times`` calls (or always), then the real one."""

    def __init__(self, monkeypatch, times=None):
        # Modules that import the function by name must hold the real one, not this stand-in, after the
        # test: load them before patching (the staff download of reports.documents.views, loaded with the URLs).
        import reports.documents.views  # noqa: F401

        self.calls, self.times, self.real = 0, times, reports.printing.rendering.render_document_pdf
        monkeypatch.setattr(reports.printing.rendering, "render_document_pdf", self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.times is None or self.calls <= self.times:
            raise RuntimeError("the PDF engine crashed")
        return self.real(*args, **kwargs)


# --- publication and the public page ----------------------------------------------------------------

def test_publishing_queues_the_render_after_the_commit_and_the_public_page_says_it_is_being_prepared(
        client, approved, approver_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transitions.publish_document(reload(approved), actor=approver_a, notify=False)
    document = reload(approved)
    assert not document.pdf_file  # nothing rendered inside the approver's transaction

    page = public_page(client, document)
    assert page.status_code == 200 and "data-document-table" in page.text  # the HTML at once
    assert BEING_PREPARED in page.text and "data-pdf-being-prepared" in page.text
    assert "data-pdf-link" not in page.text
    waiting = public_pdf(client, document)
    assert waiting.status_code == 503 and waiting["Retry-After"] == "60" and BEING_PREPARED in waiting.text
    assert not reload(document).pdf_file  # the PDF address renders nothing either

    for callback in callbacks:  # the commit: the task runs (immediate backend)
        callback()
    document = reload(document)
    assert document.pdf_file and document.pdf_attempts == 0 and document.pdf_failed_at is None
    page = public_page(client, document)  # the page cache was told: the link is there now
    assert "data-pdf-link" in page.text and BEING_PREPARED not in page.text
    answer = public_pdf(client, document)
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    assert answer.status_code == 200 and content.startswith(b"%PDF")


def test_what_publication_queues(approved, approver_a, queue, django_capture_on_commit_callbacks):
    publish(approved, approver_a, django_capture_on_commit_callbacks)
    [queued] = queue()
    assert queued.task.module_path == "reports.workflow.tasks.render_published_pdf"
    assert list(queued.args) == [approved.pk] and queued.task.run_after is None
    assert not reload(approved).pdf_file
    assert render_published_pdf.call(approved.pk) is True  # the worker
    assert reload(approved).pdf_file
    assert render_published_pdf.call(approved.pk) is False  # a second run changes nothing


# --- retry with backoff --------------------------------------------------------------------------------

def test_a_failed_render_is_queued_again_after_1_5_and_25_minutes_then_given_up(
        approved, approver_a, queue, monkeypatch, caplog, django_capture_on_commit_callbacks):
    assert [d.total_seconds() / 60 for d in PDF_BACKOFF] == [1, 5, 25] and PDF_MAX_ATTEMPTS == 4
    document = publish(approved, approver_a, django_capture_on_commit_callbacks)
    Breaks(monkeypatch)
    args = queue()[-1].args
    for attempt, delay in enumerate(PDF_BACKOFF, start=1):
        before = timezone.now()
        with pytest.raises(RuntimeError):
            render_published_pdf.call(*args)
        retry = queue()[-1]
        assert list(retry.args) == [document.pk, attempt + 1]
        assert before + delay <= retry.task.run_after <= timezone.now() + delay
        document = reload(document)
        assert document.pdf_attempts == attempt and document.pdf_failed_at is None and not document.pdf_file
        args = retry.args
    count = len(queue())
    with caplog.at_level(logging.ERROR, logger="reports.workflow.tasks"), pytest.raises(RuntimeError):
        render_published_pdf.call(*args)  # the last try
    assert len(queue()) == count  # nothing more is queued
    document = reload(document)
    assert document.pdf_attempts == PDF_MAX_ATTEMPTS and document.pdf_failed_at is not None
    assert any("failed 4 times" in record.getMessage() for record in caplog.records)


def test_a_render_that_fails_twice_is_stored_on_the_third_try(
        approved, approver_a, monkeypatch, django_capture_on_commit_callbacks):
    breaks = Breaks(monkeypatch, times=2)  # the immediate backend tries again at once (it cannot defer)
    document = publish(approved, approver_a, django_capture_on_commit_callbacks)
    assert breaks.calls == 3
    assert document.pdf_file and document.pdf_attempts == 0 and document.pdf_failed_at is None


def test_after_the_last_try_the_admins_see_it_and_try_again_staff_and_the_public_do_not(
        client, approved, approver_a, staff_a, admin_a, admin_b, monkeypatch, django_capture_on_commit_callbacks):
    breaks = Breaks(monkeypatch)
    document = publish(approved, approver_a, django_capture_on_commit_callbacks)
    assert breaks.calls == PDF_MAX_ATTEMPTS
    assert not document.pdf_file and document.pdf_failed_at is not None
    detail = reverse("reports:detail", args=[document.organisation.slug, document.pk])
    retry = reverse("reports:transition", args=[document.organisation.slug, document.pk, "retry_pdf"])

    dashboard = reverse("dashboard", args=[document.organisation.slug])
    for user in (staff_a, approver_a):
        client.force_login(user)
        page = client.get(detail).text
        assert FAILED not in page and "data-pdf-retry" not in page
        assert FAILED not in client.get(dashboard).text
    client.logout()
    page = public_page(client, document).text
    assert BEING_PREPARED in page and FAILED not in page

    client.force_login(admin_a)
    page = client.get(dashboard).text  # the admin's dashboard lists it, linking the document
    assert FAILED in page and f'href="{detail}"' in page.split("data-failed-pdfs", 1)[1]
    page = client.get(detail).text
    assert FAILED in page and "data-pdf-retry" in page and "๔ ครั้ง" in page

    client.force_login(staff_a)  # staff cannot try again
    assert client.post(retry).status_code == 302
    assert reload(document).pdf_failed_at is not None and breaks.calls == PDF_MAX_ATTEMPTS
    client.force_login(admin_b)  # another organisation's admin: 404
    assert client.post(retry).status_code == 404

    monkeypatch.setattr(reports.printing.rendering, "render_document_pdf", breaks.real)  # the cause is fixed
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert "ระบบกำลังสร้างไฟล์ PDF อีกครั้ง" in response.text and FAILED not in response.text
    document = reload(document)
    assert document.pdf_file and document.pdf_failed_at is None and document.pdf_attempts == 0
    assert "data-pdf-link" in public_page(client, document).text
    assert FAILED not in client.get(dashboard).text


def test_the_retry_service_checks_the_actor_and_the_state(
        approved, approver_a, admin_a, monkeypatch, django_capture_on_commit_callbacks):
    document = publish(approved, approver_a, django_capture_on_commit_callbacks)
    with pytest.raises(rules.WorkflowError) as refused:
        stored_pdf.retry_published_pdf(document, actor=admin_a)  # stored: nothing to try again
    assert refused.value.code == "pdf_not_failed"
    Document.objects.filter(pk=document.pk).update(pdf_file="", pdf_failed_at=timezone.now(), pdf_attempts=4)
    with pytest.raises(rules.WorkflowError) as refused:
        stored_pdf.retry_published_pdf(reload(document), actor=approver_a)
    assert refused.value.code == "role"
    with django_capture_on_commit_callbacks(execute=True):
        stored_pdf.retry_published_pdf(reload(document), actor=admin_a)
    assert reload(document).pdf_file


# --- e-mails -----------------------------------------------------------------------------------------------

def test_workflow_notices_are_sent_by_a_task_after_the_commit(
        client, org_a, cast, queue, django_capture_on_commit_callbacks):
    document = transitions.create_document(org_a, fiscal_year=2568, kind="measures", actor=cast["staff"])
    client.force_login(cast["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:transition", args=[org_a.slug, document.pk, "submit"]))
    assert response.status_code == 302
    assert mail.outbox == []  # the request sent nothing
    [queued] = queue()
    event = document.events.get(action=WorkflowAction.SUBMIT)
    assert queued.task.module_path == "reports.workflow.tasks.send_workflow_notices" and list(queued.args) == [event.pk]
    assert queued.task.call(*queued.args) == 2  # the worker
    assert sorted(m.to[0] for m in mail.outbox) == ["admin_a@example.org", "approver_a@example.org"]


def test_with_the_immediate_backend_notices_still_reach_the_outbox(org_a, cast, django_capture_on_commit_callbacks):
    document = transitions.create_document(org_a, fiscal_year=2568, kind="measures", actor=cast["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        transitions.submit_document(document, actor=cast["staff"])
    assert len(mail.outbox) == 2


def queued_emails(queue) -> list[dict]:
    return [m for r in queue() if r.task.module_path == "core.mail_tasks.send_emails" for m in r.args[0]]


def test_invitations_and_password_reset_links_are_queued_not_sent_in_the_request(
        client, org_a, cast, queue):
    client.force_login(cast["admin"])
    response = client.post(reverse("orgs:member_invite", args=[org_a.slug]),
                           {"invite-email": "new.person@example.org", "invite-role": "staff"})
    assert response.status_code == 302 and org_a.invitations.filter(email="new.person@example.org").exists()
    membership = cast["staff"].memberships.get(organisation=org_a)
    client.post(reverse("orgs:member_password_reset", args=[org_a.slug, membership.pk]))
    client.logout()
    client.post(reverse("password_reset"), {"email": "approver_a@example.org"})
    assert mail.outbox == []  # no request talked to the mail server
    emails = queued_emails(queue)
    assert [m["to"] for m in emails] == [["new.person@example.org"], ["staff_a@example.org"],
                                         ["approver_a@example.org"]]
    assert "/invitation/" in emails[0]["body"] and "/reset/" in emails[1]["body"] + emails[2]["body"]
    for result in queue():  # the worker
        result.task.call(*result.args)
    assert [m.to for m in mail.outbox] == [m["to"] for m in emails]
    assert [m.subject for m in mail.outbox] == [m["subject"] for m in emails]


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.helpers.mail.FlakyMailServer"
    FlakyMailServer.delivered = []
    return FlakyMailServer


def test_an_e_mail_that_fails_is_queued_again_with_a_backoff_then_given_up(flaky, queue, caplog):
    flaky.failures = 100
    data = mail_tasks.to_data(mail.EmailMessage("เรื่อง", "ข้อความ", "from@example.org", ["to@example.org"]))
    args = ([data],)
    for attempt, delay in enumerate(mail_tasks.BACKOFF, start=1):
        before = timezone.now()
        assert mail_tasks.send_emails.call(*args) == 0
        retry = queue()[-1]
        assert list(retry.args) == [[data], attempt + 1]
        assert before + delay <= retry.task.run_after <= timezone.now() + delay
        args = retry.args
    count = len(queue())
    with caplog.at_level(logging.ERROR, logger="core.mail_tasks"):
        assert mail_tasks.send_emails.call(*args) == 0
    assert len(queue()) == count
    assert any("not sent after 5 tries" in record.getMessage() for record in caplog.records)
    flaky.failures = 0
    assert mail_tasks.send_emails.call([data], 2) == 1 and flaky.delivered[0].to == ["to@example.org"]


def test_on_the_immediate_backend_a_failed_e_mail_is_tried_again_at_once(flaky):
    flaky.failures = 1
    message = mail.EmailMessage("เรื่อง", "ข้อความ", "from@example.org", ["to@example.org"])
    assert mail_tasks.enqueue_emails([message]) is True  # not sent by the first try, by the second at once
    assert [m.to for m in flaky.delivered] == [["to@example.org"]]
    flaky.failures = 100
    assert mail_tasks.enqueue_emails([message]) is False  # every try failed: the caller hears it
    assert len(flaky.delivered) == 1


# --- a real worker process ---------------------------------------------------------------------------------

def worker_database_url(tmp_path) -> tuple[str, Path | None]:
    """The test database for another process: PostgreSQL's by name; SQLite's in-memory one copied to a file."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}", copy
    user = quote(settings_dict["USER"] or "", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}", None


@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_process_renders_the_published_pdf(org_a, staff_a, approver_a, settings, media, tmp_path):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    document = published(org_a, staff_a, approver_a, render=True)  # committed: the task row is queued
    assert not document.pdf_file
    [queued] = DBTaskResult.objects.filter(task_path="reports.workflow.tasks.render_published_pdf")
    assert queued.args_kwargs == {"args": [document.pk], "kwargs": {}} and queued.status == "READY"
    secret = "https://ita.example.org/invitation/token-that-must-not-stay/"
    assert mail_tasks.enqueue_emails([mail.EmailMessage("คำเชิญเข้าร่วมหน่วยงาน", secret, None, ["x@example.org"])])
    [email] = DBTaskResult.objects.filter(task_path="core.mail_tasks.send_emails")
    assert secret in str(email.args_kwargs) and mail.outbox == []

    url, copy = worker_database_url(tmp_path)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "ita_portal.settings", "DEBUG": "true",
                   "DATABASE_URL": url, "MEDIA_ROOT": str(media), "TASKS_BACKEND": "database",
                   "PYTHAINLP_READ_ONLY": "1", "EMAIL_URL": "",
                   "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}  # e-mails to its stdout
    done = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    assert secret in done.stdout  # the worker sent the e-mail (the console backend prints it)
    if copy is None:  # PostgreSQL: the worker wrote into the test database itself
        name = reload(document).pdf_file.name
        statuses = [DBTaskResult.objects.get(pk=queued.pk).status, DBTaskResult.objects.get(pk=email.pk).status]
        kept = str(DBTaskResult.objects.get(pk=email.pk).args_kwargs)
    else:
        with sqlite3.connect(copy) as worker_db:
            [(name,)] = worker_db.execute("SELECT pdf_file FROM reports_document WHERE id = ?", [document.pk])
            table = DBTaskResult._meta.db_table
            statuses = [worker_db.execute(f"SELECT status FROM {table} WHERE id = ?", [pk.hex]).fetchone()[0]
                        for pk in (queued.pk, email.pk)]
            [(kept,)] = worker_db.execute(f"SELECT args_kwargs FROM {table} WHERE id = ?", [email.pk.hex])
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL"]
    assert name and (Path(media) / name).read_bytes().startswith(b"%PDF")
    assert secret not in kept  # the sent e-mail's row keeps no copy of its link
