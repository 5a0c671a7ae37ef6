"""E-mail notices of the workflow (reports/workflow/notifications.py), driven through
reports.workflow.transitions: who gets which notice, what it says, and that a broken mail server never
breaks a transition."""
import logging

import pytest
from django.utils import timezone

from core.thai import format_date
from orgs.models import Membership, Role
from reports.documents.data import title_lines
from reports.models import DocumentStatus, WorkflowAction, WorkflowEvent
from reports.workflow import notifications, rules, transitions

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def document(org_a, cast):
    return transitions.create_document(org_a, fiscal_year=2568, kind="progress", round=6, actor=cast["staff"])


def to(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def title(document):
    return " ".join(line.strip() for line in title_lines(document) if line.strip())


def submitted(document, actor, capture):
    with capture(execute=True):
        return transitions.submit_document(document, actor=actor)


def test_submit_mails_the_approvers_and_admins_of_the_organisation_only(
        document, cast, mailoutbox, django_capture_on_commit_callbacks):
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    assert to(mailoutbox) == ["admin_a@example.org", "approver_a@example.org"]  # not the actor, not org B
    message = mailoutbox[0]
    assert len(message.to) == 1  # one e-mail per recipient
    assert title(document) in message.subject and message.subject.startswith("[ITA Portal]")
    assert "\n" not in message.subject
    body = message.body
    assert title(document) in body and "เทศบาลตำบลเอ" in body
    assert rules.actor_name(cast["staff"]) in body
    assert f"{SITE}/w/org-a/documents/{document.pk}/" in body
    assert format_date(timezone.localdate()) in body  # B.E. date, Thai digits


def test_an_approver_who_submits_is_not_mailed_about_it(document, cast, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    submitted(document, cast["approver"], django_capture_on_commit_callbacks)
    assert to(mailoutbox) == ["admin_a@example.org"]


def test_return_mails_the_author_with_the_comment(document, cast, mailoutbox, django_capture_on_commit_callbacks):
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.return_document(document, actor=cast["approver"],
                                    comment="แก้ไขผลลัพธ์ของมาตรการที่ ๒ & แนบหลักฐาน")
    assert to(mailoutbox) == ["staff_a@example.org"]
    body = mailoutbox[0].body
    assert "แก้ไขผลลัพธ์ของมาตรการที่ ๒ & แนบหลักฐาน" in body  # plain text: nothing HTML-escaped
    assert title(document) in mailoutbox[0].subject
    assert rules.actor_name(cast["approver"]) in body


def test_approve_and_publish_mail_the_author(document, cast, mailoutbox, django_capture_on_commit_callbacks):
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.approve_document(document, actor=cast["approver"], comment="เรียบร้อยดี")
    assert to(mailoutbox) == ["staff_a@example.org"]
    assert "เรียบร้อยดี" in mailoutbox[0].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.publish_document(document, actor=cast["approver"], render=False)
    assert to(mailoutbox) == ["staff_a@example.org"]
    assert title(document) in mailoutbox[0].subject


def test_withdraw_mails_the_author_and_the_other_admins(org_a, document, cast, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    other_admin = MembershipFactory(user=UserFactory(username="admin2_a", email="admin2@example.org"),
                                    organisation=org_a, role=Role.ADMIN).user
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    transitions.approve_document(document, actor=cast["approver"], notify=False)
    transitions.publish_document(document, actor=cast["approver"], notify=False, render=False)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.withdraw_document(document, actor=cast["admin"], reason="ตัวเลขในตารางไม่ถูกต้อง")
    assert to(mailoutbox) == [other_admin.email, "staff_a@example.org"]
    assert all("ตัวเลขในตารางไม่ถูกต้อง" in m.body for m in mailoutbox)


def test_the_actor_never_mails_themselves(org_a, cast, mailoutbox, django_capture_on_commit_callbacks):
    org_a.allow_self_approval = True
    org_a.save()
    document = transitions.create_document(org_a, fiscal_year=2568, kind="measures", actor=cast["approver"])
    submitted(document, cast["approver"], django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.approve_document(document, actor=cast["approver"])
        transitions.publish_document(document, actor=cast["approver"], render=False)
    assert mailoutbox == []  # the author approved and published: nobody else is told
    assert WorkflowEvent.objects.filter(document=document, action=WorkflowAction.PUBLISH).exists()


def test_creating_and_revising_send_nothing(org_a, cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = transitions.create_document(org_a, fiscal_year=2568, kind="analysis", actor=cast["staff"])
    assert mailoutbox == []
    event = document.events.get(action=WorkflowAction.CREATE)
    assert notifications.send_for_event(event.pk) == 0


def test_inactive_members_and_users_without_address_get_nothing(org_a, document, cast, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    Membership.objects.filter(user=cast["approver"]).update(is_active=False)
    cast["admin"].is_active = False
    cast["admin"].save()
    MembershipFactory(user=UserFactory(username="approver2_a", email=""), organisation=org_a, role=Role.APPROVER)
    reachable = MembershipFactory(user=UserFactory(username="approver3_a", email="a3@example.org"),
                                  organisation=org_a, role=Role.APPROVER).user
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    assert to(mailoutbox) == [reachable.email]


def test_an_author_who_left_the_organisation_gets_nothing(document, cast, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    Membership.objects.filter(user=cast["staff"]).update(is_active=False)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.return_document(document, actor=cast["approver"], comment="แก้ไข")
    assert mailoutbox == []


def test_send_for_event_counts_messages_and_ignores_a_missing_event(document, cast, mailoutbox):
    transitions.submit_document(document, actor=cast["staff"])  # on_commit does not run inside the test
    assert mailoutbox == []
    event = document.events.get(action=WorkflowAction.SUBMIT)
    assert notifications.send_for_event(event.pk) == 2
    assert len(mailoutbox) == 2
    assert notifications.send_for_event(event.pk + 1000) == 0
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("backend", ["BrokenBackend", "UnreachableBackend"])
def test_a_broken_mail_server_does_not_break_the_transition(document, cast, settings, caplog, backend,
                                                            django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"tests.helpers.mail.{backend}"
    with caplog.at_level(logging.ERROR, logger="reports.workflow.notifications"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = transitions.submit_document(document, actor=cast["staff"])
    # the e-mail's (besides the caches' renewals of core/generations.py)
    assert len([c for c in callbacks if not c.__qualname__.startswith("renew.")]) == 1
    assert result.status == DocumentStatus.SUBMITTED
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    assert document.events.filter(action=WorkflowAction.SUBMIT).exists()
    assert any(record.exc_info for record in caplog.records)
    event = document.events.get(action=WorkflowAction.SUBMIT)
    assert notifications.send_for_event(event.pk) == 0


def test_the_link_opens_the_document_for_members_only(client, document, cast, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    submitted(document, cast["staff"], django_capture_on_commit_callbacks)
    link = next(line for line in mailoutbox[0].body.splitlines() if SITE in line)
    path = link[link.index(SITE) + len(SITE):].strip()
    client.force_login(cast["approver"])
    assert client.get(path).status_code == 200
    client.force_login(cast["other"])  # org B
    assert client.get(path).status_code == 404


def test_smtp_is_configured_by_email_url():
    """settings.py reads EMAIL_URL (django-environ); without it the console backend stays the default."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, "
            "s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.SITE_URL]))")

    def read(**env):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SITE_URL"))}
        environment.update(DJANGO_SETTINGS_MODULE="ita_portal.settings", SECRET_KEY="notification-settings-test-" + "0123456789" * 4, **env)
        done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent.parent, check=True)
        return json.loads(done.stdout)

    assert read(EMAIL_URL="smtp+tls://mailer%40example.org:s3cret@mail.example.org:587",
                SITE_URL="https://ita.example.org/") == [
        "django.core.mail.backends.smtp.EmailBackend", "mail.example.org", 587, "mailer@example.org", "s3cret",
        True, "https://ita.example.org"]
    default = read(EMAIL_URL="")  # empty counts as unset
    assert default[0] == "django.core.mail.backends.console.EmailBackend"
    assert default[-1] == "http://127.0.0.1:8000"
