"""Where PDFs appear: the documents list, the document page with its preview, the PDF response, the memo
form, and the render_document command; scoped to the user's own organisation."""
import io
from urllib.parse import unquote

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import Document, DocumentStatus, Memo

from .helpers.builders import make_report, make_result_and_year
from .helpers.pdf import norm

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(org_a):
    return make_report(org_a, 3, layout="A")


def urls(document):
    args = [document.organisation.slug, document.pk]
    return {
        "detail": reverse("reports:detail", args=args),
        "preview": reverse("reports:preview", args=args),
        "pdf": reverse("reports:pdf", args=args),
    }


def test_index_lists_the_organisations_documents_by_fiscal_year(client, staff_a, org_a, org_b, document):
    other = make_report(org_b, 1, layout="B", fiscal_year=2567)
    client.force_login(staff_a)
    page = client.get(reverse("reports:index", args=[org_a.slug]))
    assert page.status_code == 200
    assert urls(document)["detail"] in page.text and urls(document)["pdf"] in page.text
    assert "๒๕๖๘" in page.text
    assert f"/documents/{other.pk}/" not in page.text


def test_document_page_preview_and_pdf_for_own_organisation(client, staff_a, document):
    client.force_login(staff_a)
    page = client.get(urls(document)["detail"])
    assert page.status_code == 200
    assert urls(document)["preview"] in page.text and urls(document)["pdf"] in page.text

    preview = client.get(urls(document)["preview"])
    assert preview.status_code == 200 and preview["Content-Type"].startswith("text/html")
    assert "มาตรการ/แนวทาง" in preview.text and "มาตรการที่ ๑ ส่งเสริมการเปิดเผยข้อมูล" in preview.text
    assert preview["X-Frame-Options"] == "SAMEORIGIN"

    response = client.get(urls(document)["pdf"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="ita-progress-2568-r6-org-a.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "รายงานผลการดำเนินการ_รอบ_6_เดือน_2568_เทศบาลตำบลเอ.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) >= 1 and norm("มาตรการ/แนวทาง") in norm(pdf.pages[0].extract_text())


def test_options_change_the_preview_and_the_pdf(client, staff_a, document):
    client.force_login(staff_a)
    preview = client.get(urls(document)["preview"], {"o": "1", "layout": "C", "arabic_digits": "on", "memo": "on"})
    assert "ลำดับที่" in preview.text and "บันทึกข้อความ" in preview.text and "๑" not in preview.text
    page = client.get(urls(document)["detail"], {"o": "1", "layout": "C", "arabic_digits": "on"})
    assert "layout=C" in page.text and "arabic_digits=on" in page.text
    response = client.get(urls(document)["pdf"], {"o": "1", "layout": "B", "download": "1"})
    assert response["Content-Disposition"].startswith("attachment;")
    text = norm("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages))
    assert norm("๑.ด้าน IIT") in text


def test_preview_loads_the_pdf_fonts(client, staff_a, document):
    client.force_login(staff_a)
    preview = client.get(urls(document)["preview"]).text
    font = reverse("reports:font", args=[document.organisation.slug, "Sarabun-Regular.ttf"])
    assert f'url("{font}")' in preview
    response = client.get(font)
    assert response.status_code == 200 and response["Content-Type"] == "font/ttf"
    assert b"".join(response.streaming_content)[:4] == b"\0\1\0\0"
    assert client.get(reverse("reports:font", args=[document.organisation.slug, "passwd"])).status_code == 404


@pytest.mark.parametrize("name", ["detail", "preview", "pdf"])
def test_other_organisation_is_404(client, staff_b, document, name):
    client.force_login(staff_b)
    assert client.get(urls(document)[name]).status_code == 404


def test_document_of_another_organisation_under_own_slug_is_404(client, staff_a, org_a, org_b):
    other = make_report(org_b, 1)
    client.force_login(staff_a)
    url = reverse("reports:pdf", args=[org_a.slug, other.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["detail", "preview", "pdf"])
def test_anonymous_is_sent_to_sign_in(client, document, name):
    response = client.get(urls(document)[name])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_superuser_opens_a_document_page_of_any_organisation(client, admin_user, document):
    """A superuser has no membership (orgs.access.SuperuserMembership stands in): the memo form's defaults
    come without a preparer's division (was a server error, found by tests/test_crawl.py)."""
    client.force_login(admin_user)
    page = client.get(urls(document)["detail"])
    assert page.status_code == 200
    assert "นายกเทศมนตรีตำบลเอ" in page.text  # the memo form with its defaults


def test_memo_form_defaults_from_the_document_and_saves_for_a_draft(client, staff_a, document):
    client.force_login(staff_a)
    page = client.get(urls(document)["detail"])
    assert "นายกเทศมนตรีตำบลเอ" in page.text  # the addressee default from the organisation
    url = reverse("reports:memo", args=[document.organisation.slug, document.pk])
    response = client.post(url, {
        "memo-department": "สำนักปลัดเทศบาล", "memo-reference": "ขก ๕๓๑๐๑/๔๑", "memo-date": "14/1/2568",
        "memo-subject": "รายงานผลการดำเนินการ", "memo-addressee": "นายกเทศมนตรีตำบลเอ",
        "memo-body": "เรื่องเดิม\n\nตามที่ได้ดำเนินการแล้ว นั้น", "memo-closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        "memo-signer_name": "นางสาวสมหญิง ใจดี", "memo-signer_position": "นักวิเคราะห์",
    })
    assert response.status_code == 302
    memo = Memo.objects.get(document=document)
    assert memo.date.isoformat() == "2025-01-14" and memo.reference == "ขก ๕๓๑๐๑/๔๑"
    preview = client.get(urls(document)["preview"])  # a saved memo is shown by default
    assert "ขก ๕๓๑๐๑/๔๑" in preview.text and "๑๔ มกราคม ๒๕๖๘" in preview.text

    bad = client.post(url, {"memo-department": "", "memo-subject": "", "memo-date": "14/1/2025"})
    assert bad.status_code == 400

    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.APPROVED)
    client.post(url, {"memo-department": "อื่น", "memo-subject": "อื่น", "memo-addressee": "อื่น", "memo-body": "อื่น",
                      "memo-closing": "อื่น"})
    assert Memo.objects.get(document=document).department == "สำนักปลัดเทศบาล"  # not a draft: unchanged


def test_render_document_command_writes_a_valid_pdf(org_a, document, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("render_document", org_a.slug, "2568", "progress", "--round", "6", "--layout", "C",
                 "--arabic-digits", "--memo", "-o", str(out), stdout=io.StringIO())
    pdf = pypdf.PdfReader(str(out))
    text = norm("".join(p.extract_text() for p in pdf.pages))
    assert len(pdf.pages) >= 2 and norm("ลำดับที่") in text and "บันทึกข้อความ" in text
    assert "๑" not in text  # Arabic digits
    with pytest.raises(CommandError):
        call_command("render_document", "no-such-org", "2568", "progress", "-o", str(out))
    with pytest.raises(CommandError):
        call_command("render_document", org_a.slug, "2568", "progress", "--round", "12", "-o", str(out))


def test_render_document_command_renders_an_analysis_without_a_saved_document(org_a, tmp_path):

    make_result_and_year(org_a, year=2567, total="91.93")
    out = tmp_path / "analysis.pdf"
    err = io.StringIO()
    call_command("render_document", org_a.slug, "2568", "analysis", "-o", str(out), stdout=io.StringIO(), stderr=err)
    assert "No saved analysis document" in err.getvalue()
    text = norm("".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages))
    assert norm("พบว่ามีผลคะแนน ๙๑.๙๓ คะแนน") in text
