"""Hostile input (issue #8, security), each case tested here unless an older test already covers it
(those are listed in the report of the issue, and named in the comments below):

* HTML/JS/template payloads in every user text field: escaped in the staff pages, the public pages and
  the HTML preview; printed as plain text in the PDF (never markup, never evaluated as a template);
* Thai text with stray combining marks and bidi overrides: saved as typed, shown escaped, printed;
* 5 MB of pasted text and pathological table shapes in the importer: a clear Thai refusal or a
  preview, in bounded time;
* DOCX/XLSX zip bombs and XML entity tricks beyond tests/test_import_measures.py (XLSX, UTF-16, a DTD
  across the 1 MB read window, too many members, a huge sheet area);
* uploads whose content does not match the name, empty and oversized files, on every upload field
  (evidence, emblem, import file) through the pages; path parts in uploaded file names;
* CSRF missing on the form views (GET + POST) — the POST-only views are in tests/test_url_permissions.py.
"""
from __future__ import annotations

import io
import re
import time
import zipfile
from html import unescape as html_unescape
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from ita.models import AssessmentResult, IndicatorScore, ToolScore
from measures.importing import ImportRefused, read_import
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation
from reports.documents.data import build_document_data
from reports.entries import services as entry_services
from reports.models import Document, Evidence, Memo, ProgressEntry
from reports.printing.rendering import RenderOptions, render_document_pdf
from reports.workflow import transitions
from reports.workflow.tasks import render_published_pdf

from .factories import (
    AssessmentYearFactory, IndicatorFactory, MeasureFactory, MeasureStepFactory, ToolFactory, UserFactory,
)
from .helpers.files import HEADINGS_A, docx_bytes, image_bytes, measures_docx_bytes, pdf_bytes, zip_bytes
from .helpers.html import find, th
from .helpers.pdf import norm, page_texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

FY = 2568
A = "org-a"


# --- HTML/JS in every user text field ---------------------------------------------------------------

def payload(tag: str) -> str:
    """Markup, an attribute breaker and template syntax; ``tag`` (letters only) says which field it is."""
    return f'<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>{{{{7*7}}}}{{% debug %}}'


def short(tag: str) -> str:
    """For short fields (telephone, step number): the markup part only."""
    return f'<b id="{tag}">'


def marker(tag: str) -> str:
    """The part of the payload that shows which field it came from (no digits: Thai digits print them)."""
    return f'<script>alert("{tag}")</script>'


def short_marker(tag: str) -> str:
    return f'<b id="{tag}">'


LIVE_MARKUP = ("<script>alert(", "<img src=x", '<b id="')


def assert_no_live_markup(html: str, where: str):
    for live in LIVE_MARKUP:
        assert live not in html, f"{where}: {live!r} is live markup"
    # the template syntax was not evaluated: Django's debug tag would print the context
    assert "'csrf_token'" not in html and "&#x27;csrf_token&#x27;" not in html, f"{where}: {{% debug %}} ran"


def shown(html: str, tag: str, short_field: bool = False) -> bool:
    return escape(short_marker(tag) if short_field else marker(tag)) in html


def printed(text: str, tag: str, short_field: bool = False) -> bool:
    return norm(short_marker(tag) if short_field else marker(tag)) in text


class Hostile:
    """Organisation A with a payload in every text field a user can type, and a published progress report."""


@pytest.fixture
def hostile(org_a, staff_a, approver_a, admin_a):
    h = Hostile()
    Organisation.objects.filter(pk=org_a.pk).update(
        name=payload("orgname"), district=payload("district"), province=payload("province"),
        address=payload("address"), phone=short("phone"),
    )
    org_a.refresh_from_db()
    division = Division.objects.create(organisation=org_a, name=payload("division"), order=9)
    for user, tag in ((staff_a, "staff"), (approver_a, "approver"), (admin_a, "admin")):
        user.first_name, user.last_name = payload(f"{tag}first"), payload(f"{tag}last")
        user.save()
        Membership.objects.filter(user=user, organisation=org_a).update(position=payload(f"{tag}position"))

    year = AssessmentYearFactory(year=FY - 1)
    tool = ToolFactory(code="IIT")
    indicator = IndicatorFactory(year=year, tool=tool, number=1, name="การปฏิบัติหน้าที่")
    result = AssessmentResult.objects.create(organisation=org_a, year=year, total_score=Decimal("70"),
                                             summary=payload("summary"), notes=payload("resultnotes"))
    ToolScore.objects.create(result=result, tool=tool, score=Decimal("60"), issues_to_improve=payload("toolissues"))
    IndicatorScore.objects.create(result=result, indicator=indicator, score=Decimal("50"),
                                  assessment_points=payload("points"), issues_to_improve=payload("indissues"))

    h.measure = MeasureFactory(
        organisation=org_a, fiscal_year=FY, order=1, report_rounds=[6, 12],
        group_heading=payload("group"), title=payload("title"), weakness=payload("weakness"),
        guideline=payload("guideline"), responsible_text=payload("responsible"),
        timeline_text=payload("timeline"), monitoring=payload("monitoring"),
    )
    h.measure.divisions.set([division])
    step = MeasureStepFactory(measure=h.measure, order=1, text=payload("step"), label=short("label"))
    MeasureStepFactory(measure=h.measure, order=1, parent=step, text=payload("substep"))

    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    Document.objects.filter(pk=document.pk).update(
        title=payload("doctitle"), intro=payload("intro"), preamble=payload("preamble"),
        signer_name=payload("signername"), signer_position=payload("signerposition"),
        signer_role=payload("signerrole"),
    )
    document.refresh_from_db()
    entry = document.entries.get()
    entry_services.save_entry(entry, data={"output": payload("output"), "outcome": payload("outcome"),
                                     "status": "not_done", "status_reason": payload("reason")},
                        expected_version=entry.version, actor=staff_a)
    entry_services.add_evidence_link(entry, url="https://www.example.go.th/news/1?q=<script>",
                                     title=payload("linktitle"), actor=staff_a, is_public=True)
    upload = SimpleUploadedFile('<img src=x onerror=alert("filename")>.pdf', pdf_bytes())
    entry_services.add_evidence_file(entry, upload=upload, title=payload("filetitle"), actor=staff_a, is_public=True)
    Memo.objects.create(
        document=document, department=payload("department"), reference=short("reference"),
        subject=payload("subject"), addressee=payload("addressee"), body=payload("body"),
        closing=payload("closing"), signer_name=payload("memosigner"), signer_position=payload("memoposition"),
    )
    h.draft_pdf = render_document_pdf(build_document_data(Document.objects.get(pk=document.pk)),
                                      RenderOptions(memo=True))
    document = transitions.submit_document(Document.objects.get(pk=document.pk), actor=staff_a, notify=False)
    transitions.return_document(document, actor=approver_a, comment=payload("returncomment"), notify=False)
    document = transitions.submit_document(Document.objects.get(pk=document.pk), actor=staff_a, notify=False)
    transitions.approve_document(document, actor=approver_a, comment=payload("approvecomment"), notify=False)
    transitions.publish_document(Document.objects.get(pk=document.pk), actor=approver_a, notify=False, render=False)
    h.document = Document.objects.get(pk=document.pk)
    h.entry = entry
    h.division = division
    h.org = org_a
    h.users = {"staff": staff_a, "approver": approver_a, "admin": admin_a}
    return h


# Every field and where it must show up: S staff pages, P public pages, D the PDF. "short" fields hold
# short(tag) instead of payload(tag).
FIELDS = {
    "orgname": "SPD", "district": "SP", "province": "SP", "address": "S", "phone": "S short",
    "division": "S", "staffposition": "S", "approverposition": "S", "adminposition": "S",
    "stafffirst": "S", "stafflast": "S", "approverfirst": "S", "approverlast": "S",
    "summary": "S", "resultnotes": "S", "toolissues": "S", "points": "S", "indissues": "S",
    "group": "SPD", "title": "SPD", "weakness": "S", "guideline": "SPD", "responsible": "SPD",
    "timeline": "SPD", "monitoring": "S", "step": "SPD", "substep": "SPD", "label": "SPD short",
    "doctitle": "SPD", "intro": "SPD", "preamble": "SPD", "signername": "SPD", "signerposition": "SPD",
    "signerrole": "SPD", "output": "SPD", "outcome": "SPD", "reason": "S", "linktitle": "SP",
    "filetitle": "SP", "department": "SD", "reference": "SD short", "subject": "SD", "addressee": "SD",
    "body": "SD", "closing": "SD", "memosigner": "SD", "memoposition": "SD", "returncomment": "S",
    "approvecomment": "S",
}


def staff_pages(h) -> dict[str, str]:
    slug, doc = h.org.slug, h.document
    return {
        "dashboard": reverse("dashboard", args=[slug]),
        "results": reverse("ita:results", args=[slug]),
        "result detail": reverse("ita:result_detail", args=[slug, FY - 1]),
        "result edit": reverse("ita:result_edit", args=[slug, FY - 1]),
        "measures": reverse("measures:list", args=[slug, FY]),
        "measure edit": reverse("measures:edit", args=[slug, h.measure.pk]),
        "measure delete": reverse("measures:delete", args=[slug, h.measure.pk]),
        "documents": reverse("reports:index", args=[slug]),
        "document": reverse("reports:detail", args=[slug, doc.pk]),
        "preview": reverse("reports:preview", args=[slug, doc.pk]) + "?o=1&memo=on",
        "settings": reverse("reports:settings", args=[slug, doc.pk]),
        "entry": reverse("reports:entry", args=[slug, doc.pk, h.entry.pk]),
        "org settings": reverse("orgs:settings", args=[slug]),
        "divisions": reverse("orgs:divisions", args=[slug]),
        "division edit": reverse("orgs:division_edit", args=[slug, h.division.pk]),
        "members": reverse("orgs:members", args=[slug]),
        "history": reverse("orgs:history", args=[slug]),
    }


def public_pages(h) -> dict[str, str]:
    slug = h.org.slug
    return {
        "directory": reverse("public:directory"),
        "organisation": reverse("public:organisation", args=[slug]),
        "embed": reverse("public:embed", args=[slug]),
        "itas": reverse("public:itas", args=[slug, FY]),
        "document": reverse("public:document", args=[slug, FY, "progress-6"]),
        "revision": reverse("public:revision", args=[slug, FY, "progress-6", h.document.revision]),
    }


def fetch(client, pages) -> dict[str, str]:
    out = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        out[name] = response.content.decode()
    return out


def test_payloads_in_every_text_field_are_escaped_in_the_staff_pages(client, hostile):
    client.force_login(hostile.users["admin"])
    pages = fetch(client, staff_pages(hostile))
    for name, html in pages.items():
        assert_no_live_markup(html, name)
    everything = "\n".join(pages.values())
    missing = [tag for tag, where in FIELDS.items() if "S" in where and not shown(everything, tag, "short" in where)]
    assert not missing, f"not shown (escaped) on any staff page: {missing}"
    assert escape('<img src=x onerror=alert("filename")>.pdf') in pages["entry"]  # the uploaded file's name


def test_payloads_are_escaped_in_the_public_pages(client, hostile):
    pages = fetch(client, public_pages(hostile))
    for name, html in pages.items():
        assert_no_live_markup(html, name)
    everything = "\n".join(pages.values())
    missing = [tag for tag, where in FIELDS.items() if "P" in where and not shown(everything, tag, "short" in where)]
    assert not missing, f"not shown (escaped) on any public page: {missing}"


def test_payloads_are_plain_text_in_the_pdf(client, hostile):
    """The draft's PDF (live data, memo cover) and the published PDF (snapshot) print the payloads as text."""
    assert render_published_pdf.call(hostile.document.pk) is True  # the background task stores it
    published = client.get(reverse("public:document_pdf", args=[hostile.org.slug, FY, "progress-6"]))
    assert published.status_code == 200
    for name, pdf in (("draft", hostile.draft_pdf), ("published", published.getvalue())):
        text = norm(page_texts(pdf))
        assert re.search(r"\{\{[7๗]\*[7๗]\}\}\{%debug%\}", text), name  # template syntax printed, not run
        expected = [tag for tag, where in FIELDS.items() if "D" in where]
        if name == "published":
            expected = [t for t in expected if FIELDS[t].startswith("SPD") or "P" in FIELDS[t]]
        missing = [tag for tag in expected if not printed(text, tag, "short" in FIELDS[tag])]
        assert not missing, f"{name} PDF does not print as text: {missing}"


# --- Thai text with stray combining marks and bidi controls -------------------------------------------

STRAY = "\u0e31\u0e48\u0e48\u0e48"  # ั่่่ : marks without a base character
BIDI = "\u202eทดสอบ\u202c \u2066ซ้าย\u2069 \u2067ขวา\u2069 \u2068แยก\u2069 \u200f\u200e"
ODD_THAI = f"{STRAY}มาตรการ{BIDI} ก\u0e4e\u0e4e\u0e4e ำ\u0e33 \u0e3a"


def measure_post(title, **extra):
    data = {
        "title": title, "group_heading": "", "weakness": "", "guideline": "", "responsible_text": "",
        "timeline_text": "", "monitoring": "", "report_rounds": ["6"],
        "start_month_0": "", "start_month_1": "", "end_month_0": "", "end_month_1": "",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000", "steps-0-id": "", "steps-0-level": "1", "steps-0-label": "",
        "steps-0-text": "", "steps-0-due_date": "",
    }
    data.update(extra)
    return data


def test_stray_marks_and_bidi_controls_are_kept_shown_escaped_and_printed(client, org_a, staff_a):
    """They are text like any other: saved exactly as typed (the app documents no other normalisation
    than the outer strip and CRLF → LF), shown as typed, and printed without the characters Sarabun lacks
    (reports.printing.rendering.sarabun_safe) — never an error."""
    client.force_login(staff_a)
    response = client.post(reverse("measures:create", args=[A, FY]),
                           measure_post(ODD_THAI, **{"steps-0-text": ODD_THAI, "guideline": BIDI + "\n" + STRAY}))
    assert response.status_code == 302, response.content.decode()[:500]
    measure = Measure.objects.get(organisation=org_a)
    assert measure.title == ODD_THAI and measure.guideline == BIDI + "\n" + STRAY
    assert measure.steps.get().text == ODD_THAI
    assert escape(ODD_THAI) in client.get(reverse("measures:list", args=[A, FY])).content.decode()

    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    entry = document.entries.get()
    response = client.post(reverse("reports:entry", args=[A, document.pk, entry.pk]), {
        "output": f"{STRAY}\r\n{BIDI}", "outcome": ODD_THAI, "status": "done", "status_reason": "",
        "activity_start": "", "activity_end": "", "version": str(entry.version),
    })
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.output == f"{STRAY}\n{BIDI}" and entry.outcome == ODD_THAI  # CRLF → LF, nothing else
    response = client.post(reverse("reports:memo", args=[A, document.pk]), {
        "memo-department": ODD_THAI, "memo-reference": STRAY, "memo-date": "", "memo-subject": BIDI,
        "memo-addressee": ODD_THAI, "memo-body": ODD_THAI, "memo-closing": STRAY, "memo-signer_name": BIDI,
        "memo-signer_position": ODD_THAI,
    })
    assert response.status_code == 302
    assert Memo.objects.get(document=document).subject == BIDI.strip()

    page = client.get(reverse("reports:entry", args=[A, document.pk, entry.pk])).content.decode()
    assert escape(ODD_THAI) in page
    for layout in ("A", "B", "C", "D"):
        pdf = render_document_pdf(build_document_data(Document.objects.get(pk=document.pk)),
                                  RenderOptions(layout=layout, memo=True))
        text = norm(page_texts(pdf))
        assert norm("มาตรการทดสอบซ้ายขวาแยก") in text.replace("\u200b", ""), layout
    pdf = client.get(reverse("reports:pdf", args=[A, document.pk]) + "?o=1&memo=on")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- the importer: 5 MB of pasted text, pathological shapes --------------------------------------------

def import_url():
    return reverse("measures:import", args=[A, FY])


ROW = "มาตรการเผยแพร่ข้อมูลข่าวสาร\t๑. จัดทำประกาศ\tสำนักปลัด\tตุลาคม ๒๕๖๘\tประกาศแล้ว\tประชาชนรับทราบ"
FIVE_MB = 5 * 1024 * 1024


def five_mb(line: str, head: str = HEADINGS_A + "\n") -> str:
    return head + "\n".join([line] * (FIVE_MB // len(line.encode())))


def test_five_megabytes_pasted_into_the_import_page_get_a_clear_thai_answer(client, org_a, staff_a):
    """5 MB of pasted rows reach the importer (the request limit is 11 MB): the import page answers in
    bounded time with its Thai refusal (more cells than one import takes), the pasted text still in
    the form; nothing is saved."""
    client.force_login(staff_a)
    text = five_mb(ROW)
    assert len(text.encode()) >= FIVE_MB
    started = time.monotonic()
    response = client.post(import_url(), {"step": "preview", "text": text, "round": ""})
    assert time.monotonic() - started < 30
    html = response.content.decode()
    assert response.status_code == 400 and "data-bad-request" not in html  # the import page, with the form
    assert escape(gettext("The table has too many cells to import at once (more than 50,000). "
                          "Import the table in parts.")) in html
    kept = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', html, re.S)
    assert kept and html_unescape(kept.group(1)).strip() == text.strip()  # what was pasted is kept
    assert not Measure.objects.exists()


def test_more_than_the_request_limit_gets_the_thai_400_page(client, org_a, staff_a):
    """Over 11 MB of typed text is refused before the view: the 400 page says why and what to do."""
    client.force_login(staff_a)
    text = "ก" * (12 * 1024 * 1024 // 3)
    response = client.post(import_url(), {"step": "preview", "text": text, "round": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "data-bad-request" in html
    assert "ระบบอ่านข้อมูลที่ส่งมาไม่ได้" in html and ".docx" in html and "๑๐ เมกะไบต์" in html
    assert not Measure.objects.exists()


SHAPES = {
    "a real table, 5 MB of rows": five_mb(ROW),
    "continuation rows": five_mb("\t๒. ขั้นต่อไป\t\t\t\t", HEADINGS_A + "\n" + ROW + "\n"),
    "one line of tabs": HEADINGS_A + "\n" + "\t".join(["ค"] * (FIVE_MB // 4)),
    "rows split over lines": five_mb("มาตรการ"),
    "tabs without headings": five_mb("ก\tข\tค", head=""),
    "markdown pipes": "| มาตรการ/แนวทาง | ขั้นตอน |\n|---|---|\n" + five_mb("| มาตรการ | ขั้นตอน |", head=""),
    "one cell of paragraphs": HEADINGS_A + "\nมาตรการ\t๑. เริ่ม<p>" + "<p>".join(["ต่อ"] * (FIVE_MB // 12)),
    "one line without tabs": "ก" * (FIVE_MB // 3),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_five_megabytes_uploaded_as_text_give_a_preview_or_a_clear_refusal_in_bounded_time(
        client, org_a, staff_a, shape):
    """The same 5 MB as a .txt upload (file parts are not limited to 2.5 MB) reach the importer: every
    shape is read in linear time (there were quadratic joins) and the table is bounded (50,000 cells,
    1,000 measures), so the answer is a preview or a Thai refusal within seconds."""
    client.force_login(staff_a)
    text = SHAPES[shape]
    assert len(text.encode()) >= FIVE_MB - 100
    upload = SimpleUploadedFile("ตาราง.txt", text.encode(), content_type="text/plain")
    started = time.monotonic()
    response = client.post(import_url(), {"step": "preview", "file": upload, "round": ""})
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"{shape}: {elapsed:.1f} s"
    html = response.content.decode()
    assert response.status_code in (200, 400), shape
    if response.status_code == 400:
        assert "data-import-error" in html, shape
        assert re.search("[ก-๙]", re.sub(r"<[^>]+>", "", html.split("data-import-error", 1)[1])[:300]), shape
    else:
        assert "data-import-preview" in html, shape
    assert not Measure.objects.exists()


def test_the_limits_of_the_table_shape():
    with pytest.raises(ImportRefused) as caught:
        read_import(text=SHAPES["a real table, 5 MB of rows"])
    assert "50,000" in caught.value.message or "๕๐,๐๐๐" in caught.value.message
    many = HEADINGS_A + "\n" + "\n".join(f"มาตรการที่ {n}\t๑. ทำ\t\t\t\t" for n in range(1001))
    with pytest.raises(ImportRefused) as caught:
        read_import(text=many)
    assert "1,000" in caught.value.message or "๑,๐๐๐" in caught.value.message
    assert len(read_import(text=many.rsplit("\n", 1)[0]).measures) == 1000  # 1,000 is fine


def test_continuation_rows_are_joined_in_order():
    """What the linear joins must keep: continuation rows append to the cells above, in order."""
    text = "\n".join([HEADINGS_A, ROW, "\t๒. ขั้นสอง\t\t\t\t", "\tต่อบรรทัด\t\tพฤศจิกายน\t\t", "\t๓. ขั้นสาม\t\t\t\t"])
    measure = read_import(text=text).measures[0]
    assert [s.text for s in measure.steps] == ["จัดทำประกาศ", "ขั้นสอง ต่อบรรทัด", "ขั้นสาม"]
    assert measure.timeline_text == "ตุลาคม ๒๕๖๘ พฤศจิกายน"


# --- DOCX/XLSX zip bombs and XML tricks (beyond tests/test_import_measures.py) -------------------------

def xlsx_table(**extra_cells) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column, heading in zip("ABCDEF", HEADINGS_A.split("\t")):
        sheet[f"{column}1"] = heading
    sheet["A2"], sheet["B2"] = "มาตรการเผยแพร่ข้อมูล", "๑. จัดทำประกาศ"
    for cell, value in extra_cells.items():
        sheet[cell] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_member(data: bytes, name: str, change) -> bytes:
    members = members_of(data)
    members[name] = change(members[name])
    return zip_bytes(members)


def dtd(xml: bytes, declaration: bytes) -> bytes:
    """The XML part with ``declaration`` after its XML declaration (or at its start)."""
    if not xml.startswith(b"<?xml"):
        return declaration + xml
    head, rest = xml.split(b"?>", 1)
    return head + b"?>" + declaration + rest


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>')
XXE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def bombs():
    """(name, file bytes, words of the refusal) for the importer."""
    xlsx, docx = xlsx_table(), measures_docx_bytes()
    padded = b"<!--" + "".join(f"{n:08x}" for n in range(131_072)).encode()
    yield "xlsx billion laughs in the styles", with_member(
        xlsx, "xl/styles.xml", lambda x: dtd(x, BILLION_LAUGHS)), "XML declarations"
    yield "xlsx external entity in a sheet", with_member(
        xlsx, "xl/worksheets/sheet1.xml", lambda x: dtd(x, XXE)), "XML declarations"
    yield "xlsx entity in the workbook part", with_member(
        xlsx, "xl/workbook.xml", lambda x: dtd(x, XXE)), "XML declarations"
    yield "docx UTF-16 document with a DTD", with_member(
        docx, "word/document.xml",
        lambda x: dtd(x, XXE).replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")), \
        "XML declarations"
    # the DTD straddles the scanner's 1 MB read window (padding that does not compress: no ratio refusal)
    yield "docx DTD across the 1 MB window", with_member(
        docx, "word/document.xml",
        lambda x: dtd(x, padded[: 1024 * 1024 - 60 - len(x.split(b"?>", 1)[0])] + b"-->" + XXE)), "XML declarations"
    yield "xlsx member of 5 MB of zeros (ratio)", zip_bytes({**members_of(xlsx), "xl/media/zeros.bin": b"\0" * (5 << 20)}), \
        "50 MB"
    yield "xlsx of 60 MB unpacked", zip_bytes({**members_of(xlsx), **{f"xl/media/{n}.bin": bytes(range(256)) * 4096 * 60
                                                                      for n in range(1)}}), "50 MB"
    yield "docx with 10,001 members", zip_bytes({**members_of(docx), **{f"word/media/{n}.txt": b"x"
                                                                       for n in range(10_001)}}), "50 MB"
    yield "xlsx with a value in column XFD", xlsx_table(XFD2000="ไกลมาก"), "50,000"


BOMBS = {name: (data, words) for name, data, words in bombs()}


@pytest.mark.parametrize("name", list(BOMBS))
def test_office_bombs_and_xml_tricks_are_refused_without_unpacking(name):
    data, words = BOMBS[name]
    assert len(data) < 10 * 1024 * 1024
    started = time.monotonic()
    with translation_en(), pytest.raises(ImportRefused) as caught:
        read_import(upload=SimpleUploadedFile("ตาราง.xlsx", data))
    assert time.monotonic() - started < 10
    assert words in caught.value.message, caught.value.message


def translation_en():
    from django.utils import translation

    return translation.override("en")


def test_a_bomb_through_the_import_page_gets_the_thai_message_and_leaves_no_file(client, org_a, staff_a, media):
    client.force_login(staff_a)
    data, _words = BOMBS["xlsx billion laughs in the styles"]
    response = client.post(import_url(), {"step": "preview", "file": SimpleUploadedFile("ตาราง.xlsx", data)})
    html = response.content.decode()
    assert response.status_code == 400 and "data-import-error" in html
    assert "ไม่อ่าน" in html or "XML" in html
    assert not Measure.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()], "a refused upload was kept in storage"


# --- uploads whose content does not match the name, empty, oversized, path parts: every upload field ----

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.mark.parametrize("name, content, message", [
    ("ตาราง.docx", image_bytes("PNG"), "cannot be imported"),
    ("ตาราง.xlsx", EXE, "cannot be imported"),
    ("ตาราง.txt", EXE, "cannot be imported"),
    ("ตาราง.docx", zip_bytes({"readme.txt": "zip"}), "neither"),
    ("ว่าง.docx", b"", "empty"),
    ("ใหญ่.txt", b"a\tb\n" * (10 * 1024 * 1024 // 4 + 1), "too large"),
])
def test_the_import_page_refuses_bad_uploads_in_thai_and_keeps_nothing(client, org_a, staff_a, media,
                                                                       name, content, message):
    client.force_login(staff_a)
    response = client.post(import_url(), {"step": "preview", "file": SimpleUploadedFile(name, content)})
    html = response.content.decode()
    assert response.status_code == 400 and "data-import-error" in html
    with translation_en():
        english = {
            "cannot be imported": gettext("This kind of file cannot be imported. Paste the table as text, or "
                                          "upload a Word (.docx) or Excel (.xlsx) file."),
            "neither": gettext("This ZIP file is neither a Word (.docx) nor an Excel (.xlsx) document. Upload a "
                               "Word (.docx) or Excel (.xlsx) file, or paste the table as text."),
        }
    if message in english:
        assert escape(gettext(english[message])) in html  # the Thai translation of the refusal
        assert gettext(english[message]) != english[message]
    assert not Measure.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()], "a refused upload was kept in storage"


def test_path_parts_in_an_import_file_name_never_reach_the_storage(client, org_a, staff_a, media):
    client.force_login(staff_a)
    upload = SimpleUploadedFile("../../../../etc/cron.d/evil.docx", measures_docx_bytes())
    response = client.post(import_url(), {"step": "preview", "file": upload})
    assert response.status_code == 200
    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 1 and re.fullmatch(rf"imports/{org_a.pk}/[0-9a-f]{{32}}",
                                             stored[0].relative_to(media).as_posix())


@pytest.fixture
def entry(org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, report_rounds=[6])
    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    return document.entries.get()


def entry_post(entry, **extra):
    return {"output": "ผลที่พิมพ์", "outcome": "", "status": "done", "status_reason": "", "activity_start": "",
            "activity_end": "", "version": str(entry.version), **extra}


@pytest.mark.parametrize("name, content, code", [
    ("ว่าง.pdf", b"", "empty"),  # refused by Django's FileField before reports.entries.evidence
    ("โปรแกรม.pdf", EXE, "unknown_type"),
    ("ภาพ.jpg", b"<html><script>alert(1)</script></html>", "unknown_type"),
    ("เอกสาร.docx", zip_bytes({"readme.txt": "zip"}), "unknown_type"),
    ("ภาพ.png", image_bytes("PNG")[:30], "broken_image"),
    ("ใหญ่.pdf", pdf_bytes() + b"0" * 200, "too_large"),
])
def test_the_entry_page_refuses_bad_evidence_and_saves_nothing(client, staff_a, entry, settings, media,
                                                               name, content, code):
    """tests/test_entries_pages.py::test_a_bad_upload_does_not_lose_the_typed_text has text named .png;
    the other refusals, through the page: 400, the refusal's own message, no evidence, no file, and the
    entry's text not saved either (one save: all or nothing)."""
    from django import forms
    from django.core.exceptions import ValidationError

    from reports.entries.evidence import check_upload

    settings.EVIDENCE_MAX_BYTES = len(pdf_bytes()) + 100
    client.force_login(staff_a)
    before = list(ProgressEntry.objects.values())
    response = client.post(reverse("reports:entry", args=[A, entry.document_id, entry.pk]),
                           entry_post(entry, evidence_file=SimpleUploadedFile(name, content)))
    assert response.status_code == 400
    if code == "empty":
        message = forms.FileField.default_error_messages["empty"]
    else:
        with pytest.raises(ValidationError) as refused:
            check_upload(SimpleUploadedFile(name, content))
        assert refused.value.code == code
        message = refused.value.messages[0]
    assert escape(gettext(message)) in response.content.decode()
    assert list(ProgressEntry.objects.values()) == before
    assert not Evidence.objects.exists() and not [p for p in media.rglob("*") if p.is_file()]


def test_path_parts_in_an_evidence_file_name_are_dropped(client, staff_a, org_a, entry, media):
    client.force_login(staff_a)
    response = client.post(reverse("reports:entry", args=[A, entry.document_id, entry.pk]),
                           entry_post(entry, evidence_file=SimpleUploadedFile("../../../etc/รายงาน.pdf", pdf_bytes())))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "รายงาน.pdf"
    assert re.fullmatch(rf"evidence/{org_a.pk}/[0-9a-f]{{32}}\.pdf", evidence.file.name)
    assert [p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()] == [evidence.file.name]


def profile_post(org, **extra):
    data = {name: getattr(org, name) for name in ("name", "kind", "district", "province", "website", "address",
                                                   "phone", "email", "default_layout")}
    data["strength_threshold"] = str(org.strength_threshold)
    data["version"] = org.version  # the profile's version the page was opened with
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def png_of(size, mode="1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 1).save(out, "PNG")
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("name, content, message", [
    ("ตรา.png", b"", "The submitted file is empty."),
    ("ตรา.png", pdf_bytes(), "Upload the emblem as a PNG or JPEG image."),
    ("ตรา.jpg", EXE, "Upload the emblem as a PNG or JPEG image."),
    ("ตรา.png", docx_bytes(), "Upload the emblem as a PNG or JPEG image."),
    # 41 KB that decode to 144 megapixels: every memo PDF took 19 s and 1.3 GB to print it
    ("ตรา.png", png_of((12_000, 12_000)), "The emblem must be at most 4000 × 4000 pixels."),
    ("ตรา.png", png_of((4001, 10)), "The emblem must be at most 4000 × 4000 pixels."),
])
def test_the_emblem_field_refuses_what_is_not_a_small_png_or_jpeg(client, org_a, admin_a, name, content, message):
    """tests/test_org_settings.py::test_the_emblem_is_checked_by_its_content has text, a GIF and 2 MB."""
    client.force_login(admin_a)
    response = client.post(reverse("orgs:settings", args=[A]),
                           profile_post(org_a, emblem=SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    assert find(response.text, id="error_1_id_emblem")["text"] == th(message)
    org_a.refresh_from_db()
    assert not org_a.emblem and org_a.name == "เทศบาลตำบลเอ"


def test_a_4000_pixel_emblem_is_fine_and_path_parts_of_its_name_are_dropped(client, org_a, admin_a, media):
    client.force_login(admin_a)
    response = client.post(reverse("orgs:settings", args=[A]), profile_post(
        org_a, emblem=SimpleUploadedFile("../../../static/ตรา.png", png_of((4000, 40)))))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert re.fullmatch(r"emblems/[^/]+\.png", org_a.emblem.name), org_a.emblem.name
    assert (media / org_a.emblem.name).is_file()


# --- CSRF on the form views (the POST-only views: tests/test_url_permissions.py) ----------------------

def form_views(org, measure, document, entry_, division, membership):
    slug = org.slug
    return {
        "measures:create": (reverse("measures:create", args=[slug, FY]), measure_post("มาตรการใหม่")),
        "measures:edit": (reverse("measures:edit", args=[slug, measure.pk]),
                          measure_post("แก้ชื่อ", version=str(measure.version))),
        "measures:delete": (reverse("measures:delete", args=[slug, measure.pk]), {"confirm": "1"}),
        "measures:copy": (reverse("measures:copy", args=[slug, FY + 1]), {"measures": [str(measure.pk)]}),
        "measures:import": (import_url(), {"step": "confirm", "text": HEADINGS_A + "\n" + ROW}),
        "ita:result_create": (reverse("ita:result_create", args=[slug, FY - 1]), {"total_score": "90"}),
        "reports:settings": (reverse("reports:settings", args=[slug, document.pk]),
                             {"version": str(document.version), "title": "ชื่อใหม่", "month_style": "full",
                              "col-measure-show": "on"}),
        "reports:entry": (reverse("reports:entry", args=[slug, document.pk, entry_.pk]), entry_post(entry_)),
        "orgs:settings": (reverse("orgs:settings", args=[slug]), profile_post(org, name="ชื่อใหม่")),
        "orgs:divisions": (reverse("orgs:divisions", args=[slug]), {"name": "กองใหม่"}),
        "orgs:division_edit": (reverse("orgs:division_edit", args=[slug, division.pk]), {"name": "กองเปลี่ยนชื่อ"}),
        "orgs:division_delete": (reverse("orgs:division_delete", args=[slug, division.pk]), {"confirm": "1"}),
        "orgs:member_edit": (reverse("orgs:member_edit", args=[slug, membership.pk]),
                             {"role": "approver", "position": "ใหม่"}),
        "password_change": (reverse("password_change"), {"old_password": "pw-for-tests", "new_password1": "x" * 12,
                                                         "new_password2": "x" * 12}),
    }


def everything():
    from django.contrib.auth import get_user_model

    from ita.models import AssessmentResult as Result

    models = (Measure, MeasureStep, Document, ProgressEntry, Evidence, Memo, Organisation, Division, Membership,
              Result)
    state = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    state["users"] = list(get_user_model().objects.order_by("pk").values("pk", "password", "last_login"))
    return state


FORM_VIEWS = ["measures:create", "measures:edit", "measures:delete", "measures:copy", "measures:import",
              "ita:result_create", "reports:settings", "reports:entry", "orgs:settings", "orgs:divisions",
              "orgs:division_edit", "orgs:division_delete", "orgs:member_edit", "password_change"]


def test_the_csrf_list_covers_every_form_view(org_a, admin_a, staff_a, entry):
    measure = Measure.objects.get()
    views = form_views(org_a, measure, entry.document, entry, org_a.divisions.first(),
                       Membership.objects.get(user=staff_a))
    assert sorted(views) == sorted(FORM_VIEWS)


@pytest.mark.parametrize("key", FORM_VIEWS)
def test_form_views_refuse_a_post_without_the_csrf_token(org_a, admin_a, staff_a, entry, key):
    AssessmentYearFactory(year=FY - 1)
    measure = Measure.objects.get()
    url, data = form_views(org_a, measure, entry.document, entry, org_a.divisions.order_by("order").last(),
                           Membership.objects.get(user=staff_a))[key]
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    before = everything()
    response = client.post(url, data)
    assert response.status_code == 403, f"{key}: {response.status_code}"
    assert everything() == before
    # with the token the same POST goes through (the 403 was the token, not the data or the role)
    assert client.get(url).status_code == 200
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert accepted.status_code in (200, 302), f"{key} with the token: {accepted.status_code}"
