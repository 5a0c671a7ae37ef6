"""send_due_reminders (reports/workflow/reminders.py): steps due soon or overdue to the responsible staff, reports
due in April and October, never the same item twice, in a fixed number of queries."""
import io
import logging
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Membership, Role
from reports.models import SentReminder
from reports.workflow import reminders, transitions

from .factories import (
    MeasureFactory,
    MeasureStepFactory,
    MembershipFactory,
    ProgressEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.org"
TODAY = date(2025, 2, 10)  # fiscal year 2568


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def division(org, name):
    return org.divisions.get(name=name)


def step(org, due, *, fiscal_year=2568, divisions=(), text="จัดประชุมชี้แจงบุคลากร", report_rounds=None):
    measure = MeasureFactory(organisation=org, fiscal_year=fiscal_year,
                             **({"report_rounds": report_rounds} if report_rounds is not None else {}))
    measure.divisions.set(divisions)
    return MeasureStepFactory(measure=measure, due_date=due, text=text)


def keys(due):
    return sorted(item.key for items in due.values() for item in items)


def by_user(due):
    return {user.username: [item.key for item in items] for user, items in due.items()}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_due_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- steps --------------------------------------------------------------------------------------------

def test_a_step_due_soon_reminds_the_staff(org_a, cast, mailoutbox):
    s = step(org_a, date(2025, 2, 14), text="ประชุมชี้แจงแนวทางการเปิดเผยข้อมูล")
    due = reminders.collect(TODAY, 7)
    assert by_user(due) == {"staff_a": [f"step-due:{s.pk}:2025-02-14:{cast['staff'].pk}"]}
    out, err = run("--date", "2025-02-10")
    assert out == "sent 1 e-mails about 1 items\n" and err == ""
    assert [m.to for m in mailoutbox] == [["staff_a@example.org"]]
    body = mailoutbox[0].body
    assert "ประชุมชี้แจงแนวทางการเปิดเผยข้อมูล" in body and s.measure.title in body
    assert "๑๔ กุมภาพันธ์ ๒๕๖๘" in body  # B.E., Thai digits
    assert f"{SITE}/w/org-a/measures/m/{s.measure.pk}/" in body
    assert "\n" not in mailoutbox[0].subject and "[ITA Portal]" in mailoutbox[0].subject
    assert SentReminder.objects.get().key == f"step-due:{s.pk}:2025-02-14:{cast['staff'].pk}"


def test_the_window_of_days(org_a, cast):
    in_window = step(org_a, date(2025, 2, 17))
    step(org_a, date(2025, 2, 18))  # 8 days ahead
    today = step(org_a, TODAY)
    assert keys(reminders.collect(TODAY, 7)) == sorted(
        f"step-due:{s.pk}:{s.due_date.isoformat()}:{cast['staff'].pk}" for s in (in_window, today))
    assert len(keys(reminders.collect(TODAY, 8))) == 3
    assert len(keys(reminders.collect(TODAY, 0))) == 1


def test_overdue_steps_up_to_thirty_days(org_a, cast):
    late = step(org_a, date(2025, 1, 20))
    oldest = step(org_a, date(2025, 1, 11))  # 30 days late
    step(org_a, date(2025, 1, 10))  # 31 days late: too old
    due = reminders.collect(TODAY, 7)
    assert keys(due) == sorted(f"step-overdue:{s.pk}:{s.due_date.isoformat()}:{cast['staff'].pk}"
                               for s in (late, oldest))
    assert {item.kind for items in due.values() for item in items} == {reminders.OVERDUE}


def test_only_this_fiscal_year_and_the_one_before(org_a, cast):
    last_year = step(org_a, date(2025, 2, 12), fiscal_year=2567)
    step(org_a, date(2025, 2, 12), fiscal_year=2566)
    step(org_a, date(2025, 2, 12), fiscal_year=2569)
    assert keys(reminders.collect(TODAY, 7)) == [f"step-due:{last_year.pk}:2025-02-12:{cast['staff'].pk}"]


def test_a_done_entry_skips_the_measure_unless_its_document_was_withdrawn(org_a, cast):
    done = step(org_a, date(2025, 2, 12))
    ProgressEntryFactory(document__organisation=org_a, measure=done.measure, status="done")
    in_progress = step(org_a, date(2025, 2, 12))
    ProgressEntryFactory(document__organisation=org_a, document__round=12, measure=in_progress.measure,
                         status="in_progress")
    withdrawn = step(org_a, date(2025, 2, 12))
    document = transitions.create_document(org_a, fiscal_year=2567, kind="progress", round=6, actor=cast["staff"])
    ProgressEntryFactory(document=document, measure=withdrawn.measure, status="done")
    transitions.submit_document(document, actor=cast["staff"])
    transitions.approve_document(document, actor=cast["approver"])
    transitions.publish_document(document, actor=cast["approver"], render=False)
    transitions.withdraw_document(document, actor=cast["admin"], reason="ผิด")
    assert keys(reminders.collect(TODAY, 7)) == sorted(
        f"step-due:{s.pk}:2025-02-12:{cast['staff'].pk}" for s in (in_progress, withdrawn))


def test_steps_go_to_the_members_of_the_measures_divisions(org_a, cast):
    finance = division(org_a, "กองคลัง")
    office = division(org_a, "สำนักปลัด")
    Membership.objects.get(user=cast["staff"]).divisions.set([office])
    Membership.objects.get(user=cast["approver"]).divisions.set([finance])
    clerk = MembershipFactory(user=UserFactory(username="clerk_a", email="clerk@example.org"), organisation=org_a,
                              role=Role.STAFF)
    clerk.divisions.set([finance])
    gone = MembershipFactory(user=UserFactory(username="gone_a", email="gone@example.org"), organisation=org_a,
                             role=Role.STAFF, is_active=False)
    gone.divisions.set([finance])
    s = step(org_a, date(2025, 2, 12), divisions=[finance])
    assert by_user(reminders.collect(TODAY, 7)) == {
        "approver_a": [f"step-due:{s.pk}:2025-02-12:{cast['approver'].pk}"],
        "clerk_a": [f"step-due:{s.pk}:2025-02-12:{clerk.user.pk}"],
    }


def test_without_a_matching_division_all_staff_are_reminded(org_a, cast):
    Membership.objects.get(user=cast["staff"]).divisions.set([division(org_a, "สำนักปลัด")])
    clerk = MembershipFactory(user=UserFactory(username="clerk_a", email="clerk@example.org"), organisation=org_a,
                              role=Role.STAFF).user
    unmatched = step(org_a, date(2025, 2, 12), divisions=[division(org_a, "กองคลัง")])
    no_division = step(org_a, date(2025, 2, 13))
    due = by_user(reminders.collect(TODAY, 7))
    assert sorted(due) == ["clerk_a", "staff_a"]  # staff role only: not the approver nor the admin
    assert due["clerk_a"] == [f"step-due:{unmatched.pk}:2025-02-12:{clerk.pk}",
                              f"step-due:{no_division.pk}:2025-02-13:{clerk.pk}"]


def test_other_organisations_and_users_without_address(org_a, org_b, cast, mailoutbox):
    MembershipFactory(user=UserFactory(username="noaddress_a", email=""), organisation=org_a, role=Role.STAFF)
    a = step(org_a, date(2025, 2, 12))
    b = step(org_b, date(2025, 2, 12))
    assert by_user(reminders.collect(TODAY, 7)) == {
        "staff_a": [f"step-due:{a.pk}:2025-02-12:{cast['staff'].pk}"],
        "staff_b": [f"step-due:{b.pk}:2025-02-12:{cast['other'].pk}"],
    }
    run("--date", "2025-02-10")
    assert sorted(m.to[0] for m in mailoutbox) == ["staff_a@example.org", "staff_b@example.org"]
    assert a.measure.title not in next(m.body for m in mailoutbox if m.to == ["staff_b@example.org"])
    assert not SentReminder.objects.filter(user__username="noaddress_a").exists()


def test_one_email_per_user_with_all_items(org_a, cast, mailoutbox):
    soon = step(org_a, date(2025, 2, 12), text="ขั้นตอนใกล้ครบกำหนด")
    late = step(org_a, date(2025, 2, 1), text="ขั้นตอนเลยกำหนด")
    out, _err = run("--date", "2025-02-10")
    assert out == "sent 1 e-mails about 2 items\n"
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert body.index("ขั้นตอนเลยกำหนด") < body.index("ขั้นตอนใกล้ครบกำหนด")  # overdue first
    assert "๑ กุมภาพันธ์ ๒๕๖๘" in body and "๑๒ กุมภาพันธ์ ๒๕๖๘" in body
    assert SentReminder.objects.filter(user=cast["staff"]).count() == 2
    assert {soon.pk, late.pk} == {int(k.split(":")[1]) for k in SentReminder.objects.values_list("key", flat=True)}


# --- reports ------------------------------------------------------------------------------------------

def report_keys(due):
    return sorted(item.key for items in due.values() for item in items if item.kind == reminders.REPORT_DUE)


def test_the_six_month_report_is_due_in_april(org_a, org_b, cast):
    MeasureFactory(organisation=org_a, fiscal_year=2568)  # reports in rounds 6 and 12 by default
    expected = sorted(f"report-due:{org_a.pk}:2568:6:{cast[r].pk}" for r in ("staff", "approver"))
    assert report_keys(reminders.collect(date(2025, 3, 31), 7)) == []
    assert report_keys(reminders.collect(date(2025, 4, 1), 7)) == expected  # staff and approvers, not admins
    assert report_keys(reminders.collect(date(2025, 5, 31), 7)) == expected  # 60 days after 1 April
    assert report_keys(reminders.collect(date(2025, 6, 1), 7)) == []


def test_the_twelve_month_report_is_due_in_october(org_a, cast, mailoutbox):
    MeasureFactory(organisation=org_a, fiscal_year=2568, report_rounds=[12])
    assert report_keys(reminders.collect(date(2025, 4, 10), 7)) == []  # no measure reports at 6 months
    assert report_keys(reminders.collect(date(2025, 9, 30), 7)) == []
    assert report_keys(reminders.collect(date(2025, 10, 5), 7)) == sorted(
        f"report-due:{org_a.pk}:2568:12:{cast[r].pk}" for r in ("staff", "approver"))
    run("--date", "2025-10-05")
    assert sorted(m.to[0] for m in mailoutbox) == ["approver_a@example.org", "staff_a@example.org"]
    body = mailoutbox[0].body
    assert "ตุลาคม ๒๕๖๘" in body and "๒๕๖๘" in body and f"{SITE}/w/org-a/documents/" in body


def test_no_report_reminder_once_the_report_is_submitted(org_a, cast):
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    document = transitions.create_document(org_a, fiscal_year=2568, kind="progress", round=6, actor=cast["staff"])
    assert len(report_keys(reminders.collect(date(2025, 4, 2), 7))) == 2  # a draft is not a report yet
    transitions.submit_document(document, actor=cast["staff"])
    assert report_keys(reminders.collect(date(2025, 4, 2), 7)) == []
    transitions.return_document(document, actor=cast["approver"], comment="แก้ไข")
    assert len(report_keys(reminders.collect(date(2025, 4, 2), 7))) == 2


# --- the command --------------------------------------------------------------------------------------

def test_dry_run_sends_and_records_nothing(org_a, cast, mailoutbox):
    s = step(org_a, date(2025, 2, 12))
    out, _err = run("--date", "2025-02-10", "--dry-run")
    assert mailoutbox == [] and not SentReminder.objects.exists()
    assert f"step-due:{s.pk}:2025-02-12:{cast['staff'].pk}" in out
    assert out.endswith("would send 1 e-mails about 1 items\n")


def test_running_twice_sends_nothing_the_second_time(org_a, cast, mailoutbox):
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    step(org_a, date(2025, 4, 3))
    step(org_a, date(2025, 3, 20))
    run("--date", "2025-04-01")
    first = len(mailoutbox)
    assert first == 2  # staff_a (two steps and the report), approver_a (the report)
    assert SentReminder.objects.count() == 4
    out, err = run("--date", "2025-04-01")
    assert len(mailoutbox) == first and out == "" and err == ""  # quiet when nothing is sent
    assert SentReminder.objects.count() == 4
    new = step(org_a, date(2025, 4, 5))  # a new item is still sent
    run("--date", "2025-04-01")
    assert len(mailoutbox) == first + 1 and str(new.pk) in SentReminder.objects.latest("pk").key


def test_a_failing_mail_server_records_nothing_and_is_retried(org_a, cast, mailoutbox, settings, caplog):
    step(org_a, date(2025, 2, 12))
    settings.EMAIL_BACKEND = "tests.helpers.mail.BrokenBackend"
    with caplog.at_level(logging.ERROR, logger="reports.workflow.reminders"):
        out, err = run("--date", "2025-02-10")
    assert "could not be sent" in err and out == ""
    assert not SentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run("--date", "2025-02-10")
    assert len(mailoutbox) == 1 and SentReminder.objects.count() == 1


def test_quiet_at_verbosity_zero_and_bad_arguments(org_a, cast, mailoutbox):
    step(org_a, date(2025, 2, 12))
    out = io.StringIO()
    call_command("send_due_reminders", "--date", "2025-02-10", verbosity=0, stdout=out)
    assert out.getvalue() == "" and len(mailoutbox) == 1
    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--date", "10/02/2568")
    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--days", "-1")


def test_a_fixed_number_of_queries(org_a, org_b, cast, django_assert_max_num_queries):
    finance = division(org_a, "กองคลัง")
    Membership.objects.get(user=cast["approver"]).divisions.set([finance])

    def count():
        with CaptureQueriesContext(connection) as queries:
            due = reminders.collect(TODAY, 7)
        return len(queries), sum(len(items) for items in due.values())

    MeasureFactory(organisation=org_a, fiscal_year=2568)
    step(org_a, date(2025, 2, 12), divisions=[finance])
    few, items = count()
    assert items == 1
    for n in range(15):
        step(org_a, date(2025, 2, 1 + n % 15), divisions=[finance] if n % 2 else [])
        step(org_b, date(2025, 2, 12))
        ProgressEntryFactory(document__organisation=org_a, document__fiscal_year=2540 + n, measure=step(
            org_a, date(2025, 2, 12)).measure, status="done" if n % 3 else "in_progress")
    many, items = count()
    assert items > 30
    assert many == few
    with django_assert_max_num_queries(8):
        reminders.collect(TODAY, 7)
    with django_assert_max_num_queries(8):
        reminders.send(TODAY, 7, dry_run=True)


def test_an_unreachable_mail_server_records_nothing(org_a, cast, settings, mailoutbox):
    step(org_a, date(2025, 2, 12))
    settings.EMAIL_BACKEND = "tests.helpers.mail.UnreachableBackend"
    stats = reminders.send(TODAY, 7)
    assert (stats.emails, stats.failed) == (0, 1)
    assert not SentReminder.objects.exists() and mailoutbox == []
