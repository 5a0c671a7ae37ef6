"""Link health of the OIT register: the nightly command against local servers, "broken" after two failed
checks in a row, one e-mail per broken link to the responsible staff (not one per night), a short
history of checks kept."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from oit import health, services
from oit.models import CHECKS_KEPT, Answer, Health, LinkCheck
from orgs.models import Membership

from .helpers.http import LocalSite, refused_url

pytestmark = pytest.mark.django_db
YEAR = 2570  # the current assessment year in December 2026


@pytest.fixture(autouse=True)
def setup(db, settings, in_december_2026):
    call_command("load_ita_catalogue", stdout=StringIO())
    settings.OIT_LINKCHECK_ALLOW_PRIVATE = True
    settings.OIT_LINKCHECK_TIMEOUT = 2


@pytest.fixture
def in_december_2026(monkeypatch):
    import datetime

    from django.utils import timezone

    fixed = timezone.make_aware(datetime.datetime(2026, 12, 4, 2, 0))
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: fixed.date())


@pytest.fixture
def site():
    with LocalSite() as running:
        yield running


def add(org, code, url, actor):
    return services.add_link(services.open_register(org, YEAR).rows.get(code=code), url=url, actor=actor)


def run(*args) -> str:
    out = StringIO()
    call_command("check_oit_links", *args, stdout=out)
    return out.getvalue()


def test_the_command_checks_the_current_years_links_and_records_each_check(site, org_a, staff_a, org_b, staff_b):
    good = add(org_a, "O1", site.url("/ok"), staff_a)
    gone = add(org_a, "O2", site.url("/missing"), staff_a)
    other = add(org_b, "O1", site.url("/ok"), staff_b)
    old_year = services.add_link(services.open_register(org_a, 2569).rows.get(code="O1"), url=site.url("/broken"),
                                 actor=staff_a)
    output = run("--org", org_a.slug)
    assert "checked 2 links: 1 healthy, 1 failing once, 0 broken" in output
    good.refresh_from_db(), gone.refresh_from_db(), other.refresh_from_db(), old_year.refresh_from_db()
    assert good.health == Health.HEALTHY and good.last_status == 200
    assert gone.health == Health.FAILING and gone.last_status == 404 and gone.failures_in_row == 1
    assert other.health == old_year.health == Health.UNCHECKED  # another organisation, another year
    check = LinkCheck.objects.get(answer=gone)
    assert (check.ok, check.status, check.error) == (False, 404, "http")
    assert {agent for _, _, agent in site.requests}.pop().startswith("ITAPortal-LinkChecker/1.0 (+http")


def test_broken_after_two_failures_one_email_to_the_division_until_fixed(site, org_a, staff_a, approver_a,
                                                                          mailoutbox, client):
    staff_a.email, approver_a.email = "staff_a@example.go.th", "approver_a@example.go.th"
    staff_a.save(), approver_a.save()
    division = org_a.divisions.get(name="กองคลัง")
    responsible = Membership.objects.get(user=staff_a)
    responsible.divisions.add(division)
    row = services.open_register(org_a, YEAR).rows.get(code="O7")
    services.save_row(row, note="", division=division, actor=staff_a)
    dead = services.add_link(row, url=refused_url(), actor=staff_a)
    run()
    dead.refresh_from_db()
    assert dead.health == Health.FAILING and mailoutbox == []
    run()
    dead.refresh_from_db()
    assert dead.health == Health.BROKEN and dead.last_error == "connect"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [staff_a.email] and "O7" in mail.body and dead.url in mail.body
    assert "ลิงก์ในทะเบียน OIT เปิดไม่ได้ ๑ รายการ" in mail.subject
    assert f"/w/{org_a.slug}/oit/{YEAR}/" in mail.body
    run()
    assert len(mailoutbox) == 1  # not one e-mail per night

    client.force_login(staff_a)
    page = client.get(reverse("oit:register", args=[org_a.slug, YEAR]))
    assert 'data-row="O7" data-state="broken"' in page.text and "data-broken>๑<" in page.text

    # fixed: healthy again at the next check; broken again later: a new e-mail
    services.change_link(dead, url=site.url("/ok"), title="", actor=staff_a)
    run()
    dead.refresh_from_db()
    assert dead.health == Health.HEALTHY and dead.broken_notified_at is None
    services.change_link(dead, url=site.url("/missing"), title="", actor=staff_a)
    run(), run()
    assert len(mailoutbox) == 2


def test_only_the_last_checks_are_kept(site, org_a, staff_a):
    answer = add(org_a, "O1", site.url("/ok"), staff_a)
    for _ in range(CHECKS_KEPT + 2):
        health.check(year=YEAR)
    assert LinkCheck.objects.filter(answer=answer).count() == CHECKS_KEPT
    assert Answer.objects.get(pk=answer.pk).health == Health.HEALTHY


def test_local_addresses_are_refused_in_production(site, org_a, staff_a, settings):
    settings.OIT_LINKCHECK_ALLOW_PRIVATE = False
    answer = add(org_a, "O1", site.url("/ok"), staff_a)
    run("--no-email")
    answer.refresh_from_db()
    assert answer.last_error == "blocked" and site.requests == []


def test_weekly_reminders_in_the_oit_window_to_staff_and_approvers(org_a, staff_a, approver_a, admin_a, mailoutbox,
                                                                   settings):
    from datetime import date

    from reports.workflow import reminders

    for user in (staff_a, approver_a, admin_a):
        user.email = f"{user.username}@example.go.th"
        user.save()
    dead = add(org_a, "O1", refused_url(), staff_a)
    Answer.objects.filter(pk=dead.pk).update(health=Health.BROKEN)
    assert reminders.send(date(2027, 2, 28)).emails == 0  # before 1 March
    stats = reminders.send(date(2027, 3, 1))
    assert stats.emails == 2 and {m.to[0] for m in mailoutbox} == {"staff_a@example.go.th", "approver_a@example.go.th"}
    body = mailoutbox[0].body
    assert "ทะเบียน OIT ปีการประเมิน ๒๕๗๐" in body and "ลิงก์เสีย ๑ ลิงก์" in body and "O2" in body
    assert f"/w/{org_a.slug}/oit/{YEAR}/" in body
    assert reminders.send(date(2027, 3, 3)).emails == 0  # once a week
    assert reminders.send(date(2027, 3, 8)).emails == 2  # the next week
    settings.OIT_WINDOW_START = "04-01"
    assert reminders.send(date(2027, 3, 15)).emails == 0  # configurable
    assert reminders.send(date(2027, 7, 5)).emails == 0  # after the window


def test_the_weekly_reminders_cost_the_same_queries_for_one_organisation_or_many(
        org_a, staff_a, django_assert_num_queries, django_assert_max_num_queries):
    """oit.reminders.candidates reads every organisation's readiness at once (no query per organisation)."""
    from datetime import date

    from oit import reminders
    from orgs.models import Role

    from .factories import MembershipFactory, OrganisationFactory

    add(org_a, "O1", "https://www.example.go.th/one", staff_a)
    with django_assert_max_num_queries(20) as one:
        first = reminders.candidates(date(2027, 3, 1))
    for n in range(3):
        other = OrganisationFactory(slug=f"other-{n}")
        MembershipFactory(organisation=other, role=Role.STAFF)
        if n:
            add(other, "O2", f"https://www.example.go.th/{n}", member_of(other))
    with django_assert_num_queries(len(one.captured_queries)):
        found = reminders.candidates(date(2027, 3, 1))
    assert len(first) == 1 and len(found) == 4
    missing = {item.organisation.slug: set(item.detail[0].split(": ", 1)[1].split(", ")) for _user, item in found}
    assert "O1" not in missing[org_a.slug] and "O2" in missing[org_a.slug]
    assert "O2" not in missing["other-1"] and "O1" in missing["other-1"] and "O2" in missing["other-0"]


def member_of(org):
    return Membership.objects.filter(organisation=org).first().user
