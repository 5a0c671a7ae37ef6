"""Evidence in the printed progress report (reports/entries/evidence_print.py, _evidence_row.html): under each
measure, the row after it lists the measure's evidence. The public copy (the stored PDF served at the
public address, and the public page) lists public evidence only, each with its permanent absolute
address and, in the PDF, an 18 mm QR code of that address (a PNG image XObject whose modules are those
of segno's code of the address); the staff copy also names internal evidence, without an address.
When evidence of a published report is made public or internal, the stored PDF is rendered again."""
import io
import re
import subprocess
import unicodedata

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from reports.entries import services as entry_services

from reports.entries.evidence_print import QR_BORDER, QR_SCALE
from reports.models import Document, DocumentStatus
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory
from .helpers import workflow

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.go.th"
FY = 2570
FIRST = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง"
SECOND = "มาตรการส่งเสริมการมีส่วนร่วมของประชาชน"
LINK_URL = "https://www.phaktob.go.th/news/2570/15"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = SITE


def reload(document):
    return Document.objects.select_related("organisation").get(pk=document.pk)


def pdf_upload(name):
    content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def norm(text: str) -> str:
    """NFKC (pdftotext gives ำ as ํ + า) without white space (a cell's lines break anywhere)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdftotext(pdf: bytes) -> str:
    """The PDF's text in content order (-raw), normalised: compare with norm(...) of the expected."""
    return norm(subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                               check=True).stdout.decode())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def public_evidence_url(document, ev):
    return SITE + reverse("public:evidence", args=[
        document.organisation.slug, document.fiscal_year, f"progress-{document.round}", document.revision, ev.pk])


def qr_matrices(pdf: bytes) -> set[tuple]:
    """The module matrices of the square image XObjects of the PDF (each once, whatever the pages that
    share it), read as evidence_print draws a QR
    code (QR_SCALE pixels per module, QR_BORDER white modules around): the centre pixel of each module."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            width, height = picture.size
            if width != height or width % QR_SCALE:
                continue
            modules = width // QR_SCALE - 2 * QR_BORDER

            def dark(i, j):
                centre = lambda k: (QR_BORDER + k) * QR_SCALE + QR_SCALE // 2  # noqa: E731
                return 1 if picture.getpixel((centre(i), centre(j))) < 128 else 0

            found.add(tuple(tuple(dark(x, y) for x in range(modules)) for y in range(modules)))
    return found


def segno_matrix(url: str) -> tuple:
    return tuple(tuple(1 if module else 0 for module in row) for row in segno.make_qr(url).matrix)


@pytest.fixture
def report(org_a, staff_a):
    """A draft 6-month report of two measures: the first with a public file, an internal file and a
    public link; the second with an internal link only."""
    first = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title=FIRST, report_rounds=[6, 12])
    MeasureStepFactory(measure=first, order=1, text="ประกาศผลการจัดซื้อจัดจ้างทางเว็บไซต์")
    second = MeasureFactory(organisation=org_a, fiscal_year=FY, order=2, title=SECOND, report_rounds=[6, 12])
    document = reload(transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                                  notify=False))
    entries = {e.measure_id: e for e in document.entries.all()}
    one, two = entries[first.pk], entries[second.pk]
    evidence = {
        "public_file": entry_services.add_evidence_file(one, upload=pdf_upload("ประกาศผล.pdf"),
                                                        title="ประกาศผลผู้ชนะการเสนอราคา", actor=staff_a,
                                                        is_public=True),
        "internal_file": entry_services.add_evidence_file(one, upload=pdf_upload("บันทึกภายใน.pdf"),
                                                          title="บันทึกตรวจรับพัสดุภายใน", actor=staff_a),
        "public_link": entry_services.add_evidence_link(one, url=LINK_URL, title="ข่าวประชาสัมพันธ์",
                                                        actor=staff_a, is_public=True),
        "internal_link": entry_services.add_evidence_link(two, url="https://intranet.phaktob.go.th/x",
                                                          title="รายชื่อผู้เข้าร่วมประชุม", actor=staff_a),
    }
    return reload(document), evidence


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run ``func`` and then what it left for after the commit (the stored PDF's rendering)."""
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)
    return run


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """tests/helpers/workflow.publish, the stored PDF rendered after the commit; checks it is there."""
    def run(document, staff, approver):
        return check_published(workflow.publish(document, staff, approver, render=True,
                                                capture=django_capture_on_commit_callbacks))
    return run


def check_published(document):
    assert document.status == DocumentStatus.PUBLISHED and document.pdf_file
    return document


def between(text: str, start: str, end: str | None) -> str:
    """The text after ``start`` up to ``end`` (to the end without one): what a measure's rows hold."""
    start, end = norm(start), norm(end or "")
    assert start in text, start
    rest = text.split(start, 1)[1]
    return rest.split(end, 1)[0] if end else rest


def public_pdf(client, document) -> bytes:
    response = client.get(reverse("public:document_pdf", args=[document.organisation.slug, FY, "progress-6"]))
    assert response.status_code == 200
    return body(response)


# --- the public copy -------------------------------------------------------------------------------

def test_public_pdf_lists_public_evidence_under_its_measure_with_address_and_qr(
        client, report, staff_a, approver_a, publish):
    document, ev = report
    document = publish(document, staff_a, approver_a)
    pdf = public_pdf(client, document)
    text = pdftotext(pdf)
    file_url = public_evidence_url(document, ev["public_file"])

    first_rows = between(text, FIRST, SECOND)
    assert "หลักฐานประกอบ" in first_rows
    assert norm("ประกาศผลผู้ชนะการเสนอราคา (ประกาศผล.pdf)") in first_rows
    assert file_url in first_rows and "ข่าวประชาสัมพันธ์" in first_rows and LINK_URL in first_rows
    # internal evidence is not in the public copy at all, neither its name nor its address
    for hidden in ("บันทึกตรวจรับพัสดุภายใน", "บันทึกภายใน.pdf", "รายชื่อผู้เข้าร่วมประชุม", "intranet",
                   "เฉพาะภายใน", public_evidence_url(document, ev["internal_file"])):
        assert hidden not in text, hidden
    assert "หลักฐานประกอบ" not in between(text, SECOND, None)  # the second measure has no public evidence

    # one QR code per public item, each the code of its address
    assert qr_matrices(pdf) == {segno_matrix(file_url), segno_matrix(LINK_URL)}
    # the address is a link in the PDF too
    annotations = [a.get_object() for page in PdfReader(io.BytesIO(pdf)).pages for a in page.get("/Annots", [])]
    uris = {a["/A"].get("/URI") for a in annotations if "/A" in a}
    assert {file_url, LINK_URL} <= uris


def test_public_qr_is_about_18_mm(client, report, staff_a, approver_a, publish):
    document = publish(report[0], staff_a, approver_a)
    reader = PdfReader(io.BytesIO(public_pdf(client, document)))
    sizes = []

    def visitor(op, args, cm, tm):
        if op == b"Do":
            sizes.append((round(cm[0] / 72 * 25.4, 1), round(cm[3] / 72 * 25.4, 1)))

    for page in reader.pages:
        page.extract_text(visitor_operand_before=visitor)
    qr_sizes = [s for s in sizes if abs(abs(s[0]) - 18) < 0.5]
    assert len(qr_sizes) == 2, sizes


def test_public_page_lists_public_evidence_under_its_measure(client, report, staff_a, approver_a, publish):
    document, ev = report
    document = publish(document, staff_a, approver_a)
    html = client.get(reverse("public:document", args=[document.organisation.slug, FY, "progress-6"])).content.decode()
    table = html.split("data-document-table", 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr class="doc-evidence" data-measure-evidence>.*?</tr>', table, re.S)
    assert len(rows) == 1  # only the first measure has public evidence
    file_url = public_evidence_url(document, ev["public_file"])
    assert table.index(FIRST) < table.index(rows[0]) < table.index(SECOND)
    assert f'href="{file_url}"' in rows[0] and f'href="{LINK_URL}"' in rows[0]
    assert "ประกาศผลผู้ชนะการเสนอราคา" in rows[0]
    for hidden in ("บันทึกตรวจรับพัสดุภายใน", "รายชื่อผู้เข้าร่วมประชุม", "intranet"):
        assert hidden not in html, hidden


def test_making_evidence_internal_after_publication_renders_the_stored_pdf_again(
        client, report, staff_a, approver_a, publish, commit):
    document, ev = report
    document = publish(document, staff_a, approver_a)
    before = document.pdf_file.name
    commit(entry_services.set_evidence_public, ev["public_file"], public=False, actor=approver_a)
    commit(entry_services.set_evidence_public, ev["internal_link"], public=True, actor=approver_a)
    document = reload(document)
    assert document.pdf_file and document.pdf_file.name != before
    text = pdftotext(public_pdf(client, document))
    assert "ประกาศผลผู้ชนะการเสนอราคา" not in text
    assert public_evidence_url(document, ev["public_file"]) not in text
    second_rows = between(text, SECOND, None)
    assert "รายชื่อผู้เข้าร่วมประชุม" in second_rows and "https://intranet.phaktob.go.th/x" in second_rows


def test_a_change_drops_the_stored_pdf_at_once_and_a_background_task_renders_it_again(
        client, report, staff_a, approver_a, settings, publish, commit):
    from django_tasks import default_task_backend

    from reports.workflow.tasks import render_published_pdf

    document, ev = report
    document = publish(document, staff_a, approver_a)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    commit(entry_services.set_evidence_public, ev["public_link"], public=False, actor=approver_a)
    assert not reload(document).pdf_file  # the old list is never served again
    pdf_address = reverse("public:document_pdf", args=[document.organisation.slug, FY, "progress-6"])
    assert client.get(pdf_address).status_code == 503  # being prepared; the request renders nothing
    [queued] = default_task_backend.results
    assert render_published_pdf.call(*queued.args) is True  # the worker
    text = pdftotext(public_pdf(client, document))
    assert LINK_URL not in text and "ประกาศผลผู้ชนะการเสนอราคา" in text


# --- the staff copy ----------------------------------------------------------------------------------

def test_staff_pdf_of_a_draft_names_internal_evidence_without_an_address(client, report, staff_a):
    document, ev = report
    client.force_login(staff_a)
    response = client.get(reverse("reports:pdf", args=[document.organisation.slug, document.pk]))
    assert response.status_code == 200
    pdf = response.content
    text = pdftotext(pdf)
    first_rows = between(text, FIRST, SECOND)
    assert norm("บันทึกตรวจรับพัสดุภายใน (บันทึกภายใน.pdf) (เฉพาะภายใน)") in first_rows
    assert public_evidence_url(document, ev["public_file"]) in first_rows  # the address it will have
    second_rows = between(text, SECOND, None)
    assert norm("รายชื่อผู้เข้าร่วมประชุม (เฉพาะภายใน)") in second_rows
    assert "https://intranet.phaktob.go.th/x" not in text  # internal: by name only
    assert public_evidence_url(document, ev["internal_file"]) not in text
    assert len(qr_matrices(pdf)) == 2  # QR codes for the public items only


def test_staff_preview_lists_every_item_published_default_matches_the_public_copy(
        client, report, staff_a, approver_a, publish):
    document, _ev = report
    client.force_login(staff_a)
    url = reverse("reports:preview", args=[document.organisation.slug, document.pk])
    html = client.get(url).content.decode()
    assert html.count("data-measure-evidence") == 2 and html.count("data-internal") == 2
    assert "บันทึกตรวจรับพัสดุภายใน" in html and "รายชื่อผู้เข้าร่วมประชุม" in html

    document = publish(document, staff_a, approver_a)
    html = client.get(url).content.decode()  # the document's own options: the published copy
    assert "บันทึกตรวจรับพัสดุภายใน" not in html and "data-internal" not in html
    assert "ประกาศผลผู้ชนะการเสนอราคา" in html
    html = client.get(url, {"o": "1", "layout": "C"}).content.decode()  # another print: the staff copy
    assert "บันทึกตรวจรับพัสดุภายใน" in html and html.count("data-internal") == 2


def test_other_kinds_print_no_evidence_row(client, org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title=FIRST)
    plan = transitions.create_document(org_a, fiscal_year=FY, kind="measures", actor=staff_a, notify=False)
    client.force_login(staff_a)
    html = client.get(reverse("reports:preview", args=[org_a.slug, plan.pk])).content.decode()
    assert FIRST in html and "data-measure-evidence" not in html


def test_data_that_chose_no_copy_prints_no_evidence(org_a, report):
    """A caller that forgets reports.entries.evidence_print.for_copy prints no evidence, never internal evidence."""
    from reports.documents.data import build_document_data
    from reports.printing.rendering import render_preview_html

    document, _ev = report
    html = render_preview_html(build_document_data(document))
    assert FIRST in html and "data-measure-evidence" not in html and "บันทึกตรวจรับพัสดุภายใน" not in html


# --- the demo ------------------------------------------------------------------------------------------

def test_demo_report_prints_its_public_evidence_with_qr_codes(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    call_command("rerender_published", "--missing-only", "--org", "danchang", stdout=io.StringIO())  # the worker
    document = Document.objects.select_related("organisation").get(organisation__slug="danchang", kind="progress")
    response = client.get(reverse("public:document_pdf", args=["danchang", 2566, "progress-6"]))
    assert response.status_code == 200
    pdf = body(response)
    text = pdftotext(pdf)
    public = list(document.entries.filter(evidence__is_public=True).values_list("evidence", flat=True))
    assert len(public) == 3
    file_urls = [public_evidence_url(document, ev) for ev in document.entries.get(measure__order=1).evidence.filter(
        is_public=True, kind="file")] + [public_evidence_url(document, ev) for ev in document.entries.get(
            measure__order=2).evidence.filter(is_public=True)]
    for url in file_urls:
        assert url in text
    assert "https://www.example.org/danchang/news/2566-budget" in text
    assert norm("ประกาศข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. ๒๕๖๖") in text
    assert norm("รายงานการประชุมพนักงานประจำเดือนตุลาคม") not in text  # internal
    link = "https://www.example.org/danchang/news/2566-budget"
    assert qr_matrices(pdf) == {segno_matrix(url) for url in [*file_urls, link]}
