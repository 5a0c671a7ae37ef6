"""The organisation administrator's history page (/w/<org>/settings/history/): field-by-field changes
of measures, steps, progress entries and evidence with who and when; kind and fiscal-year filters;
pagination; a query count that does not grow with the records; only the organisation's own records;
administrators only."""
from datetime import date
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from measures.forms import MeasureForm
from measures.models import Measure, MeasureStep
from measures.services import StepRow, delete_measure, save_measure
from orgs.models import Division
from reports.entries.services import add_evidence_link, remove_evidence, save_entry
from reports.models import DocumentKind, Evidence, ProgressEntry
from reports.workflow.transitions import create_document

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.html import find, find_all, th

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def named_staff(staff_a):
    staff_a.first_name, staff_a.last_name = "มานะ", "ขยันยิ่ง"
    staff_a.save()
    return staff_a


def history_url(org, **params):
    url = reverse("orgs:history", args=[org.slug])
    return f"{url}?{urlencode(params)}" if params else url


def thai(msgid):
    """A lazily translated label as the Thai page shows it."""
    with translation.override("th"):
        return gettext(msgid)


def form_data(title, divisions=(), guideline="", **extra):
    data = {
        "group_heading": "", "title": title, "weakness": "", "guideline": guideline, "responsible_text": "",
        "start_month_0": "", "start_month_1": "", "end_month_0": "", "end_month_1": "",
        "timeline_text": "", "monitoring": "", "report_rounds": ["6", "12"],
        "divisions": [str(d.pk) for d in divisions],
    }
    data.update(extra)
    return data


def save_through_form(org, actor, title, divisions=(), guideline="", instance=None, version=None):
    form = MeasureForm(form_data(title, divisions, guideline), instance=instance, org=org, fiscal_year=2568)
    assert form.is_valid(), form.errors
    steps = [StepRow("ประชุมชี้แจง", id=s.pk) for s in instance.steps.all()] if instance else [StepRow("ประชุมชี้แจง")]
    if instance is None:
        return save_measure(form, steps, actor=actor, org=org, fiscal_year=2568)
    return save_measure(form, steps, actor=actor, expected_version=version)


ORGANISATION_KINDS = ("settings", "member")  # the organisation's own records (its creation, its members)


def rows(html, *, organisation=False):
    """The history rows of the page; those of the organisation's settings and members only when asked
    (the fixed cast creates them)."""
    found = find_all(html, "tr", class_="history-row")
    return found if organisation else [r for r in found if r["attrs"]["data-kind"] not in ORGANISATION_KINDS]


def row_of(html, kind, must_contain):
    found = [r for r in rows(html) if r["attrs"]["data-kind"] == kind and must_contain in r["text"]]
    assert found, f"no {kind} row containing {must_contain!r}"
    return found


@pytest.fixture
def story(org_a, named_staff, approver_a):
    """A measure created and changed through the service, a step changed, an entry saved, a link
    added and removed: everything on org A's page."""
    office, finance = Division.objects.filter(organisation=org_a).order_by("order")
    measure = save_through_form(org_a, named_staff, "มาตรการเดิม", divisions=[office])
    long_guideline = "ก" * 150 + "ข" * 150
    measure = save_through_form(org_a, named_staff, "มาตรการใหม่", divisions=[finance], guideline=long_guideline,
                                instance=Measure.objects.get(pk=measure.pk), version=1)
    step = measure.steps.get()
    step.text, step.due_date = "ประชุมชี้แจงบุคลากรทุกกอง", date(2025, 1, 14)
    step._history_user = approver_a
    step.save()
    document = create_document(org_a, fiscal_year=2568, kind=DocumentKind.PROGRESS, round=6, actor=named_staff,
                               notify=False)
    entry = document.entries.get()
    save_entry(entry, data={"output": "จัดประชุมแล้ว", "status": "done"}, expected_version=entry.version,
               actor=named_staff)
    evidence = add_evidence_link(ProgressEntry.objects.get(pk=entry.pk), url="https://example.org/photos",
                                 title="ภาพกิจกรรม", actor=named_staff)
    remove_evidence(Evidence.objects.get(pk=evidence.pk), actor=named_staff)
    return {"measure": measure, "step": step, "document": document, "entry": entry}


# --- what the page shows ----------------------------------------------------------------------------

def test_changes_show_old_and_new_values_field_by_field_with_who_and_when(client, admin_a, story):
    client.force_login(admin_a)
    response = client.get(history_url(story["measure"].organisation))
    assert response.status_code == 200
    html = response.content.decode()

    # The measure: created, then changed (title, guideline shortened, divisions).
    created = row_of(html, "measure", th("created"))
    assert any("มาตรการเดิม" in r["text"] and "มานะ ขยันยิ่ง" in r["text"] for r in created)
    changed = find_all(html, "li", data_field="title")
    assert any("มาตรการเดิม → มาตรการใหม่" in li["text"] for li in changed)
    guideline = find(html, "li", data_field="guideline")["text"]
    assert "ก" * 150 + "ข" * 50 + "…" in guideline and "ข" * 51 not in guideline
    # Divisions: Django's set() removes, then adds; each is its own record.
    divisions = [li["text"] for li in find_all(html, "li", data_field="divisions")]
    assert any("สำนักปลัด → —" in text for text in divisions)
    assert any("— → กองคลัง" in text for text in divisions)
    assert "version" not in [li["attrs"]["data-field"] for li in find_all(html, "li", data_field=True)]

    # The step: text and due date (a Thai date), by the approver.
    step_row = row_of(html, "step", "ประชุมชี้แจงบุคลากรทุกกอง")[0]
    assert "ประชุมชี้แจง → ประชุมชี้แจงบุคลากรทุกกอง" in find(html, "li", data_field="text")["text"]
    assert "— → ๑๔ มกราคม ๒๕๖๘" in find(html, "li", data_field="due_date")["text"]
    assert "สมหญิง ใจดี" in step_row["text"]  # approver_a's name

    # The entry: output and status (its choice label), named after measure and document.
    entry_row = row_of(html, "entry", th("changed"))[0]
    assert "มาตรการใหม่" in entry_row["text"] and "มานะ ขยันยิ่ง" in entry_row["text"]
    assert "จัดประชุมแล้ว" in find(html, "li", data_field="output")["text"]
    status = find(html, "li", data_field="status")["text"]
    assert f"{thai('Not started')} → {thai('Done')}" in status

    # The evidence: added, then deleted.
    evidence_rows = row_of(html, "evidence", "ภาพกิจกรรม")
    assert len(evidence_rows) == 2
    assert th("deleted") in evidence_rows[0]["text"] and th("created") in evidence_rows[1]["text"]
    # Newest first: the evidence removal is the first row.
    first = rows(html)[0]
    assert first["attrs"]["data-kind"] == "evidence" and th("deleted") in first["text"]


def test_a_record_without_a_user_shows_a_dash_and_a_save_without_change_says_so(client, org_a, admin_a):
    measure = MeasureFactory(organisation=org_a, title="มาตรการไม่มีผู้บันทึก")  # no history user
    measure._history_user = admin_a
    measure.save()  # nothing visible changed (only updated_at)
    client.force_login(admin_a)
    html = client.get(history_url(org_a, kind="measure")).content.decode()
    unchanged, created = rows(html)
    who = [td["text"] for td in find_all(html, "td", class_="history-who")]
    assert th("changed") in unchanged["text"] and th("no visible change") in unchanged["text"]
    assert th("created") in created["text"] and "มาตรการไม่มีผู้บันทึก" in created["text"]
    assert who == ["สมหญิง ใจดี", "—"]


def test_deleted_measures_and_their_steps_stay_in_the_history(client, org_a, admin_a):
    measure = MeasureFactory(organisation=org_a, title="มาตรการที่ถูกลบ")
    MeasureStepFactory(measure=measure, text="ขั้นตอนของมาตรการที่ถูกลบ")
    measure._history_user = admin_a
    delete_measure(measure)
    assert not Measure.objects.filter(title="มาตรการที่ถูกลบ").exists()
    client.force_login(admin_a)
    html = client.get(history_url(org_a)).content.decode()
    assert any(th("deleted") in r["text"] for r in row_of(html, "measure", "มาตรการที่ถูกลบ"))
    assert any(th("deleted") in r["text"] for r in row_of(html, "step", "ขั้นตอนของมาตรการที่ถูกลบ"))


def test_the_settings_tabs_link_to_the_history(client, org_a, admin_a):
    client.force_login(admin_a)
    html = client.get(reverse("orgs:settings", args=[org_a.slug])).content.decode()
    link = find(html, "a", href=history_url(org_a))
    assert link["text"] == th("History")
    active = find(client.get(history_url(org_a)).content.decode(), "a", class_="active", href=history_url(org_a))
    assert active["attrs"]["aria-current"] == "page"


# --- filters and pages ---------------------------------------------------------------------------------

def test_the_kind_filter_shows_only_that_kind(client, admin_a, story):
    org = story["measure"].organisation
    client.force_login(admin_a)
    for kind in ("measure", "step", "entry", "evidence"):
        html = client.get(history_url(org, kind=kind)).content.decode()
        found = rows(html)
        assert found and {r["attrs"]["data-kind"] for r in found} == {kind}
        assert find(html, "option", value=kind, selected=True)
    everything = rows(client.get(history_url(org)).content.decode(), organisation=True)
    assert {r["attrs"]["data-kind"] for r in everything} == {"measure", "step", "entry", "evidence", "settings",
                                                             "member"}
    unknown = rows(client.get(history_url(org, kind="nonsense")).content.decode(), organisation=True)
    assert len(unknown) == len(everything)


def test_the_fiscal_year_filter(client, org_a, admin_a):
    old = MeasureFactory(organisation=org_a, fiscal_year=2567, title="มาตรการปี ๖๗")
    MeasureStepFactory(measure=old, text="ขั้นตอนปี ๖๗")
    new = MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการปี ๖๘")
    MeasureStepFactory(measure=new, text="ขั้นตอนปี ๖๘")
    client.force_login(admin_a)
    html = client.get(history_url(org_a, year=2567)).content.decode()
    texts = " ".join(r["text"] for r in rows(html))
    assert "มาตรการปี ๖๗" in texts and "ขั้นตอนปี ๖๗" in texts
    assert "ปี ๖๘" not in texts
    assert find(html, "option", value="2567", selected=True)["text"] == "๒๕๖๗"
    assert len(rows(client.get(history_url(org_a)).content.decode())) == 4


def test_pagination_fifty_per_page_newest_first_keeping_the_filter(client, org_a, admin_a):
    measure = MeasureFactory(organisation=org_a, title="มาตรการแก้หลายครั้ง")
    for i in range(1, 120):
        measure.title = f"ชื่อครั้งที่ {i}"
        measure._history_user = admin_a
        measure.save()
    client.force_login(admin_a)
    first = client.get(history_url(org_a, kind="measure")).content.decode()
    assert len(rows(first)) == 50
    assert "ชื่อครั้งที่ 118 → ชื่อครั้งที่ 119" in find(first, "li", data_field="title")["text"]
    next_link = find(first, "a", rel="next")["attrs"]["href"]
    assert "kind=measure" in next_link and "page=2" in next_link
    last = client.get(history_url(org_a, kind="measure", page=3)).content.decode()
    assert len(rows(last)) == 20
    last_row = rows(last)[-1]
    assert th("created") in last_row["text"] and "มาตรการแก้หลายครั้ง" in last_row["text"]
    assert find(last, "a", rel="prev")


def _many_changes(org, actor, n):
    """n measures with a step each, each changed once, in a progress report whose entries are saved and
    carry a link: about 7·n history records of all kinds."""
    for i in range(n):
        measure = MeasureFactory(organisation=org, title=f"มาตรการที่ {i}")
        step = MeasureStepFactory(measure=measure, text=f"ขั้นตอน {i}")
        measure.title = f"มาตรการที่ {i} (แก้)"
        measure._history_user = actor
        measure.save()
        step.text = f"ขั้นตอน {i} (แก้)"
        step.save()
    document = create_document(org, fiscal_year=2568, kind=DocumentKind.PROGRESS, round=6, actor=actor,
                               notify=False)
    for entry in document.entries.all():
        save_entry(entry, data={"output": "ทำแล้ว"}, expected_version=entry.version, actor=actor)
        add_evidence_link(ProgressEntry.objects.get(pk=entry.pk), url="https://example.org/x", actor=actor)


@pytest.mark.parametrize("n", [1, 30])
def test_the_number_of_queries_does_not_grow_with_the_records(client, org_a, admin_a,
                                                              django_assert_max_num_queries, n):
    _many_changes(org_a, admin_a, n)
    client.force_login(admin_a)
    with django_assert_max_num_queries(25):  # the kinds of records (measures … members, results) and their titles
        response = client.get(history_url(org_a))
    assert response.status_code == 200
    assert len(rows(response.content.decode())) == min(50, 7 * n)
    with django_assert_max_num_queries(25):
        assert client.get(history_url(org_a, page=2, year=2568)).status_code == 200


# --- who sees what -----------------------------------------------------------------------------------

def test_another_organisations_admin_never_sees_these_records(client, org_a, org_b, admin_a, admin_b, story):
    measure_b = MeasureFactory(organisation=org_b, title="มาตรการของบี")
    MeasureStepFactory(measure=measure_b, text="ขั้นตอนของบี")
    client.force_login(admin_b)
    html = client.get(history_url(org_b)).content.decode()
    texts = " ".join(r["text"] for r in rows(html))
    assert "มาตรการของบี" in texts and "ขั้นตอนของบี" in texts
    for text in ("มาตรการใหม่", "มาตรการเดิม", "ประชุมชี้แจง", "ภาพกิจกรรม", "จัดประชุมแล้ว"):
        assert text not in html
    assert len(rows(html)) == 2
    for kind in ("measure", "step", "entry", "evidence"):
        assert all("มาตรการใหม่" not in r["text"]
                   for r in rows(client.get(history_url(org_b, kind=kind)).content.decode()))
    # Org A's page under org A's address is a 404 for org B's people.
    assert client.get(history_url(org_a)).status_code == 404
    client.force_login(admin_a)
    html_a = client.get(history_url(org_a)).content.decode()
    assert "มาตรการของบี" not in html_a and "ขั้นตอนของบี" not in html_a


@pytest.mark.parametrize("user, expected", [("staff_a", 403), ("approver_a", 403), ("admin_a", 200),
                                            ("staff_b", 404), ("admin_b", 404)])
def test_only_the_organisations_administrators_get_in(request, client, org_a, user, expected):
    client.force_login(request.getfixturevalue(user))
    assert client.get(history_url(org_a)).status_code == expected


def test_anonymous_is_sent_to_sign_in(client, org_a):
    response = client.get(history_url(org_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_steps_of_a_step_history_belong_to_the_measure_not_the_url(client, org_a, org_b, admin_a):
    """A step of org B's measure never appears on org A's page, whatever kind is asked for."""
    MeasureStepFactory(measure=MeasureFactory(organisation=org_b, title="ของบี"), text="ขั้นตอนลับของบี")
    client.force_login(admin_a)
    assert "ขั้นตอนลับของบี" not in client.get(history_url(org_a, kind="step")).content.decode()
    assert MeasureStep.objects.filter(text="ขั้นตอนลับของบี").exists()


# --- the organisation's own settings and members -----------------------------------------------------------

def test_switching_self_approval_on_and_off_leaves_its_trace(client, org_a, admin_a):
    """The audit's reproduction: an administrator allows self-approval and takes it back; the page says so."""
    client.force_login(admin_a)
    page = client.get(reverse("orgs:settings", args=[org_a.slug]))
    form = {name: value for name, value in
            [(i["attrs"].get("name"), i["attrs"].get("value", "")) for i in find_all(page.text, "input")]
            if name and name not in ("emblem", "allow_self_approval")}
    form.update(kind=org_a.kind, default_layout=org_a.default_layout)
    for allow in (True, False):
        org_a.refresh_from_db()  # each save is made from the page as it is now (its version)
        data = {**form, "version": org_a.version, **({"allow_self_approval": "on"} if allow else {})}
        assert client.post(reverse("orgs:settings", args=[org_a.slug]), data).status_code == 302
    html = client.get(history_url(org_a, kind="settings")).content.decode()
    changed = [r for r in rows(html, organisation=True) if "allow_self_approval" in str(r)]
    found = find_all(html, "li", **{"data-field": "allow_self_approval"})
    assert len(found) == 2
    newest, older = found
    assert thai("yes") in newest["text"].split("→")[0] and thai("no") in newest["text"].split("→")[1]
    assert thai("no") in older["text"].split("→")[0] and thai("yes") in older["text"].split("→")[1]
    assert all(find(str(r), "td", class_="history-who") for r in changed)


def test_a_role_change_shows_as_a_member_record_with_who_did_it(client, org_a, admin_a, staff_a):
    membership = staff_a.memberships.get(organisation=org_a)
    staff_a.first_name, staff_a.last_name = "สมชาย", "ขยันงาน"
    staff_a.save()
    admin_a.first_name, admin_a.last_name = "วิชัย", "ดูแลระบบ"
    admin_a.save()
    client.force_login(admin_a)
    response = client.post(reverse("orgs:member_edit", args=[org_a.slug, membership.pk]),
                           {"role": "approver", "position": "นักวิเคราะห์นโยบายและแผน"})
    assert response.status_code == 302
    html = client.get(history_url(org_a, kind="member")).content.decode()
    row = next(r for r in rows(html, organisation=True) if "สมชาย ขยันงาน" in r["text"] and thai("changed") in r["text"])
    assert row["attrs"]["data-kind"] == "member"
    assert "วิชัย ดูแลระบบ" in row["text"]  # who changed it
    role = find(html, "li", **{"data-field": "role"})
    assert role and "→" in role["text"]


def test_organisation_records_stay_out_of_a_fiscal_year_and_of_other_organisations(client, org_a, org_b,
                                                                                    admin_a, admin_b):
    client.force_login(admin_a)
    assert rows(client.get(history_url(org_a, year=2568)).content.decode(), organisation=True) == []
    client.force_login(admin_b)
    texts = " ".join(r["text"] for r in rows(client.get(history_url(org_b)).content.decode(), organisation=True))
    assert org_b.name in texts and org_a.name not in texts and "admin_a" not in texts
