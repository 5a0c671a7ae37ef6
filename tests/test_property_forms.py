"""Property-based tests (hypothesis) over the form-backed POST views and the importer: arbitrary text
(random unicode without surrogates, control characters, the NUL byte that PostgreSQL refuses in text,
CRLF line ends, markup, stray Thai marks, bidi controls) and random omissions of fields.

For every example: the status is never a 5xx; a refused POST (400, 409, or a 200 re-render of the form)
leaves the database exactly as it was; an accepted POST (302) saved what was typed, normalised only as the
app documents it (the outer whitespace stripped; CRLF → LF in the entry texts).

The fixtures (organisation A, its members, a draft report) are set up once per test; each example runs
inside a savepoint that is rolled back, so the examples cannot see each other's rows.
"""
from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ita.models import AssessmentResult, IndicatorScore, ToolScore
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation
from reports.models import Document, Evidence, Memo, ProgressEntry
from reports.workflow import transitions

from .factories import AssessmentYearFactory, IndicatorFactory, MeasureFactory, ToolFactory

pytestmark = pytest.mark.django_db

FY = 2568
A = "org-a"
EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

HOSTILE = [
    "\x00", "ก\x00ข", "\r\n", "บรรทัด\r\nสอง\rสาม\n", "  ", "\t", "\x1b[31m", "\x7f", "\u0085", "\u2028",
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{7*7}}", "{% debug %}",
    "\u0e31\u0e48\u0e48\u0e48", "\u202eทดสอบ\u202c", "\u2066ก\u2069", "\ufeff", "\ufffe", "\U0001f600",
    "ก" * 1001, "a" * 20_000, "'; DROP TABLE measures_measure; --", "%(name)s", "\\", "ไม่มีอะไร",
]
SAFE_HOSTILE = [h for h in HOSTILE if "\x00" not in h and len(h) < 100 and h.strip()]
anything = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
)
# Text a form should accept: random printable unicode, markup, Thai marks, bidi, CRLF (no NUL, not blank).
acceptable = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
    st.lists(st.sampled_from(SAFE_HOSTILE), min_size=1, max_size=3).map("".join),
).filter(lambda value: value.strip())
text = st.one_of(acceptable, acceptable, anything)  # mostly acceptable, so that saves happen too


def mostly(*values):
    """The first value most of the time (the valid one), the others (invalid) sometimes."""
    return st.sampled_from([values[0]] * (2 * len(values)) + list(values[1:]))


def maybe(strategy):
    """A value, or (a quarter of the time) None: the field is left out of the POST."""
    return st.one_of(st.none(), strategy, strategy, strategy)


def post_data(**fields) -> st.SearchStrategy[dict]:
    """A POST body: each field maybe omitted."""
    return st.fixed_dictionaries({name: maybe(s) for name, s in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not None})


@contextlib.contextmanager
def rolled_back():
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


MODELS = (Measure, MeasureStep, Document, ProgressEntry, Evidence, Memo, Organisation, Division, Membership,
          AssessmentResult, ToolScore, IndicatorScore)


def state():
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}
    rows["users"] = list(get_user_model().objects.order_by("pk").values())
    return rows


def post(client, url, data, *, saved):
    """POST; never a 5xx; refused → nothing changed; accepted → ``saved()`` checks what was stored."""
    before = state()
    with rolled_back():
        response = client.post(url, data)
        assert response.status_code < 500, response.status_code
        if response.status_code == 302:
            saved()
        else:
            assert response.status_code in (200, 400, 409), response.status_code
            assert state() == before, "a refused POST changed the database"
    return response


def typed(data, name) -> str:
    """What a form field cleans to: omitted = "", the outer whitespace stripped."""
    return (data.get(name) or "").strip()


def lf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@pytest.fixture
def world(client, org_a, staff_a, admin_a):
    year = AssessmentYearFactory(year=FY - 1)
    IndicatorFactory(year=year, tool=ToolFactory(code="IIT"), number=1)
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, report_rounds=[6])
    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    client.force_login(admin_a)
    return {"org": org_a, "measure": measure, "document": document, "entry": document.entries.get()}


MEASURE_TEXTS = ("title", "group_heading", "weakness", "guideline", "responsible_text", "timeline_text",
                 "monitoring")
step = st.fixed_dictionaries({"text": maybe(text), "label": maybe(st.one_of(st.just(""), text)),
                              "level": maybe(mostly("1", "2", "3", "", "x", "\x00"))})


@EXAMPLES
@given(data=post_data(**{name: text for name in MEASURE_TEXTS if name != "title"},
                      report_rounds=st.lists(st.sampled_from(["3", "6", "9", "12", "5", "x", "\x00"]), max_size=3),
                      start_month_0=st.sampled_from(["", "2567-10", "other", "2567-13", "\x00"]),
                      start_month_1=text),
       title=text, steps=st.lists(step, max_size=3))
def test_measure_create(client, world, data, title, steps):
    data = {**data, "title": title}
    data.update({"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": "0"})
    for i, row in enumerate(steps):
        data.update({f"steps-{i}-{k}": v for k, v in row.items() if v is not None})

    def saved():
        measure = Measure.objects.exclude(pk=world["measure"].pk).get()
        for name in MEASURE_TEXTS:
            assert getattr(measure, name) == typed(data, name), name
        texts = [typed(row, "text") for row in steps if any(typed(row, k) for k in ("text", "label"))]
        assert sorted(s.text for s in measure.steps.all()) == sorted(t.strip() for t in texts)

    post(client, reverse("measures:create", args=[A, FY]), data, saved=saved)


@EXAMPLES
@given(data=post_data(**{name: text for name in MEASURE_TEXTS if name != "title"}), title=text,
       version=mostly("1", "0", "x", "\x00"))
def test_measure_edit(client, world, data, title, version):
    measure = world["measure"]
    data = {**data, "title": title, "version": version, "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}

    def saved():
        fresh = Measure.objects.get(pk=measure.pk)
        assert all(getattr(fresh, n) == typed(data, n) for n in MEASURE_TEXTS)
        assert fresh.version == measure.version + 1

    post(client, reverse("measures:edit", args=[A, measure.pk]), data, saved=saved)


score = st.one_of(mostly("90", "๙๑.๙๓", "๑๐๐", "0.5"), mostly("90", "๙๑.๙๓", "๑๐๐", "0.5"), mostly("90", "", "100.001", "-1", "1e3", "NaN", "Infinity", "\x00"),
                  anything)


@EXAMPLES
@given(data=post_data(summary=text, notes=text, **{
    "tools-0-score": score, "tools-0-issues_to_improve": text, "indicators-0-score": score,
    "indicators-0-assessment_points": text, "indicators-0-issues_to_improve": text, "version": st.just("0")}),
       total=score)
def test_ita_result_entry(client, world, data, total):
    data = {**data, "total_score": total, "tools-TOTAL_FORMS": "1", "tools-INITIAL_FORMS": "1", "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "1", "oit-TOTAL_FORMS": "0", "oit-INITIAL_FORMS": "0"}

    def saved():
        result = AssessmentResult.objects.get()
        assert (result.summary, result.notes) == (typed(data, "summary"), typed(data, "notes"))
        assert Decimal("0") <= result.total_score <= Decimal("100")
        for score_row in IndicatorScore.objects.filter(result=result):
            assert score_row.issues_to_improve == typed(data, "indicators-0-issues_to_improve")

    post(client, reverse("ita:result_create", args=[A, FY - 1]), data, saved=saved)


@EXAMPLES
@given(data=post_data(output=text, outcome=text, status_reason=text,
                      activity_start=mostly("", "14/1/2568", "๑๔/๑/๒๕๖๘", "31/2/2568", "\x00"),
                      evidence_url=st.one_of(anything, mostly("https://example.org/ก", "javascript:alert(1)",
                                                              "http://[::1", "https://a.b/\x00")),
                      evidence_url_title=text),
       status=mostly("in_progress", "done", "not_done", "not_started", "x", "\x00"), version=mostly("1", "0", "-1", "x"))
def test_progress_entry(client, world, data, status, version):
    entry = world["entry"]
    data = {**data, "status": status, "version": version}

    def saved():
        fresh = ProgressEntry.objects.get(pk=entry.pk)
        for name in ("output", "outcome", "status_reason"):
            assert getattr(fresh, name) == lf(data.get(name) or ""), name
        link = Evidence.objects.filter(entry=entry).first()
        assert (link is None) == (not typed(data, "evidence_url"))
        if link is not None:
            assert link.title == typed(data, "evidence_url_title")

    post(client, reverse("reports:entry", args=[A, world["document"].pk, entry.pk]), data, saved=saved)


MEMO_FIELDS = ("department", "reference", "subject", "addressee", "body", "closing", "signer_name",
               "signer_position")


@EXAMPLES
@given(data=post_data(**{f"memo-{name}": text for name in ("reference", "body", "signer_name", "signer_position")},
                      **{"memo-date": mostly("", "1/10/2568", "๑ ต.ค. ๖๘", "99/99/9999", "\x00")}),
       required=st.fixed_dictionaries({f"memo-{n}": text for n in ("department", "subject", "addressee", "closing")}))
def test_memo(client, world, data, required):
    data = {**data, **required}
    def saved():
        memo = Memo.objects.get(document=world["document"])
        assert all(getattr(memo, n) == typed(data, f"memo-{n}") for n in MEMO_FIELDS)

    post(client, reverse("reports:memo", args=[A, world["document"].pk]), data, saved=saved)


SETTINGS_TEXTS = ("title", "intro", "preamble", "signer_name", "signer_position", "signer_role")


@EXAMPLES
@given(data=post_data(**{name: text for name in SETTINGS_TEXTS},
                      layout=mostly("", "A", "B", "Z", "\x00"),
                      **{"col-measure-heading": text, "col-steps-show": mostly("on", ""),
                         "col-steps-position": mostly("2", "", "0", "x", "\x00"), "col-output-heading": text}),
       month_style=mostly("full", "abbr", "x", "\x00"), version=mostly("1", "0", "x"))
def test_document_settings(client, world, data, month_style, version):
    data = {**data, "month_style": month_style, "version": version, "col-measure-show": "on"}
    def saved():
        document = Document.objects.get(pk=world["document"].pk)
        for name in SETTINGS_TEXTS:
            expected = typed(data, name) or ("ผู้รายงาน" if name == "signer_role" else "")
            assert getattr(document, name) == expected, name
        headings = {c["key"]: c.get("heading", "") for c in document.columns}
        assert headings.get("measure", "") in ("", " ".join(typed(data, "col-measure-heading").split()))

    post(client, reverse("reports:settings", args=[A, world["document"].pk]), data, saved=saved)


PROFILE_TEXTS = ("name", "district", "province", "address", "phone")


@EXAMPLES
@given(data=post_data(address=text, phone=text,
                      website=st.one_of(mostly("", "www.example.go.th", "https://เทศบาล.th/"), anything),
                      email=st.one_of(mostly("", "a@example.org"), anything),
                      default_layout=mostly("A", "B", "", "D")),
       required=st.fixed_dictionaries({"name": text, "district": text, "province": text,
                                       "kind": mostly("sao", "subdistrict_municipality", "x", "\x00"),
                                       "strength_threshold": score}))
def test_org_profile(client, world, data, required):
    data = {**data, **required, "version": world["org"].version}  # the version the page was opened with
    def saved():
        org = Organisation.objects.get(pk=world["org"].pk)
        assert all(getattr(org, n) == typed(data, n) for n in PROFILE_TEXTS)

    post(client, reverse("orgs:settings", args=[A]), data, saved=saved)


@EXAMPLES
@given(data=st.fixed_dictionaries({"name": text}))
def test_division(client, world, data):
    def saved():
        names = set(Division.objects.filter(organisation=world["org"]).values_list("name", flat=True))
        assert " ".join(typed(data, "name").split()) in names

    post(client, reverse("orgs:divisions", args=[A]), data, saved=saved)
    division = Division.objects.filter(organisation=world["org"]).first()
    post(client, reverse("orgs:division_edit", args=[A, division.pk]), data,
         saved=lambda: Division.objects.get(pk=division.pk).name == " ".join(typed(data, "name").split()))


HEADINGS = "มาตรการ/แนวทาง\tขั้นตอน/วิธีการปฏิบัติ\tหน่วยงานผู้รับผิดชอบ\tสรุปผลการดำเนินการ"


@EXAMPLES
@given(rows=st.lists(st.lists(text, min_size=1, max_size=5), max_size=5),
       heading=mostly(True, False), round_=mostly("", "6", "12", "5", "x", "\x00"),
       step_=mostly("confirm", "preview", "", "\x00"), stored=st.one_of(st.none(), st.none(), st.none(), anything))
def test_import_preview_and_confirm(client, world, rows, heading, round_, step_, stored):
    """Any pasted table: a preview, a refusal or an atomic import of every measure found."""
    from measures.importing import ImportRefused, read_import

    table = "\n".join(([HEADINGS] if heading else []) + ["\t".join(cells) for cells in rows])
    data = {"text": table, "round": round_, "step": step_}
    if stored is not None:
        data["stored"] = stored
    existing = Measure.objects.count()

    def saved():
        preview = read_import(text=table)
        assert Measure.objects.count() == existing + len(preview.measures)
        titles = set(Measure.objects.values_list("title", flat=True))
        assert {m.title for m in preview.measures} <= titles

    response = post(client, reverse("measures:import", args=[A, FY]), data, saved=saved)
    if response.status_code == 200 and "\x00" not in table and table.strip() and not stored:
        try:
            read_import(text=table)
        except ImportRefused:
            pytest.fail("the page showed a preview of a table the importer refuses")


@EXAMPLES
@given(data=post_data(username=text, password=text))
def test_sign_in(client, world, data):
    """The sign-in form (and django-axes, which records failed attempts by username)."""
    client.logout()
    with rolled_back():
        response = client.post(reverse("login"), data)
        assert response.status_code < 500
