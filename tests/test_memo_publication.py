"""What goes public: the memo cover (บันทึกข้อความ) is published only when the approver chooses it at
publication, and then carries the approver's decision (ความเห็น/คำสั่ง: อนุมัติ, name, position,
Buddhist-era date in Thai digits, from the APPROVE workflow event). Staff can always print the memo
alone and the memo with the document. The memo reads like seed 004 (ส่วนราชการ = division +
organisation, เรียน … ผ่าน …, the four sections), and the document's signer label fits its kind.

PDF text is read with ``pdftotext -raw`` (one string per page), NFKC-normalised and without whitespace.
"""
import importlib
import io
import re
import subprocess
import unicodedata

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.audit import drop_triggers, install_triggers
from core.thai import format_date
from orgs.models import Division, Membership
from reports.documents.data import memo_initial
from reports.documents.links import document_path
from reports.models import Document, DocumentKind, DocumentStatus, Memo, WorkflowAction
from reports.printing import stored_pdf
from reports.printing.rendering import RenderOptions, render_document_pdf
from reports.workflow import rules, transitions

from .factories import MeasureFactory, MeasureStepFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

FY = 2570
PLAN_TITLE = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
MEASURE = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้างต่อสาธารณะ"
MEMO_SUBJECT = "ขออนุมัติมาตรการส่งเสริมคุณธรรมฉบับทดสอบการเผยแพร่"
APPROVER = ("มาลี", "ศรีสุข")
APPROVER_POSITION = "นายกเทศมนตรีตำบลเอ"
SECTIONS = ["เรื่องเดิม", "ข้อเท็จจริง", "ข้อพิจารณา", "ข้อเสนอ"]


# --- helpers ----------------------------------------------------------------------------------------

def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, as ``pdftotext -raw`` reads it, normalised."""
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode("utf-8")
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [norm(page) for page in pages]


def starts_with(page: str, text: str) -> bool:
    """The page begins with ``text`` (after the draft watermark "ฉบับร่าง", drawn first)."""
    return page.removeprefix(norm("ฉบับร่าง")).startswith(norm(text))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def decision_date(document) -> str:
    event = document.events.get(action=WorkflowAction.APPROVE)
    return format_date(timezone.localtime(event.at).date())  # "๔ ธันวาคม ๒๕๖๙"


def staff_url(name, document, query=""):
    return reverse(f"reports:{name}", args=[document.organisation.slug, document.pk]) + query


def transition(client, document, action, data=None):
    return client.post(reverse("reports:transition", args=[document.organisation.slug, document.pk, action]),
                       data or {})


def fresh(document) -> Document:
    return Document.objects.select_related("organisation").get(pk=document.pk)


@pytest.fixture
def approver(approver_a, org_a):
    approver_a.first_name, approver_a.last_name = APPROVER
    approver_a.save()
    Membership.objects.filter(user=approver_a, organisation=org_a).update(position=APPROVER_POSITION)
    return approver_a


@pytest.fixture
def plan(org_a, staff_a):
    """A measures plan of FY 2570 with one measure and a memo saved by staff through the memo form."""
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title=MEASURE, responsible_text="สำนักปลัด")
    MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    document = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.MEASURES, actor=staff_a,
                                         notify=False)
    return fresh(document)


def save_memo(client, document, **changes):
    division = Division.objects.get(organisation=document.organisation, name="กองคลัง")
    data = {
        "memo-division": str(division.pk), "memo-department": "", "memo-reference": "ขก ๕๓๑๐๑/๗",
        "memo-date": "1/12/2569", "memo-subject": MEMO_SUBJECT, "memo-addressee": "นายกเทศมนตรีตำบลเอ",
        "memo-through": "ปลัดเทศบาล",
        "memo-body": "เรื่องเดิม\n\nตามที่ได้ประเมินแล้ว นั้น\n\nข้อเสนอ\n\nเห็นควรอนุมัติ",
        "memo-closing": "จึงเรียนมาเพื่อโปรดพิจารณา", "memo-signer_name": "นายสมชาย ใจดี",
        "memo-signer_position": "นักวิเคราะห์นโยบายและแผน",
    }
    data.update(changes)
    return client.post(staff_url("memo", document), data)


@pytest.fixture
def approved_plan(client, plan, staff_a, approver):
    client.force_login(staff_a)
    assert save_memo(client, plan).status_code == 302
    transitions.submit_document(plan, actor=staff_a, notify=False)
    transitions.approve_document(fresh(plan), actor=approver, notify=False)
    return fresh(plan)


def public_pdf(client, document) -> list[str]:
    client.logout()
    response = client.get(document_path(document, pdf=True))
    assert response.status_code == 200
    return pdf_pages(body(response))


def public_page(client, document) -> str:
    client.logout()
    response = client.get(document_path(document))
    assert response.status_code == 200
    return response.content.decode()


# --- publication: alone or with the memo -------------------------------------------------------------

def test_published_alone_by_default_the_public_pdf_and_page_start_with_the_plan(
        client, approved_plan, approver, django_capture_on_commit_callbacks):
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = transition(client, approved_plan, "publish")  # nothing chosen: the document alone
    assert response.status_code == 302
    document = fresh(approved_plan)
    assert document.status == DocumentStatus.PUBLISHED and document.publish_memo is False
    assert document.events.get(action=WorkflowAction.PUBLISH).data == {"publish_memo": False}

    pages = public_pdf(client, document)
    assert pages[0].startswith(norm(PLAN_TITLE)), pages[0][:80]
    everything = "".join(pages)
    assert norm("บันทึกข้อความ") not in everything and norm(MEMO_SUBJECT) not in everything
    assert norm("ความเห็น/คำสั่ง") not in everything and norm(MEASURE) in everything

    page = public_page(client, document)
    assert "data-public-memo" not in page and MEMO_SUBJECT not in page and "ความเห็น/คำสั่ง" not in page
    # the staff page says what was published, and the history records the choice
    client.force_login(approver)
    staff_page = client.get(staff_url("detail", document)).content.decode()
    assert 'data-event-publish-memo="0"' in staff_page and "data-memo-public-note" in staff_page


def test_published_with_its_memo_the_memo_is_page_one_and_carries_the_decision(
        client, approved_plan, approver, django_capture_on_commit_callbacks):
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = transition(client, approved_plan, "publish", {"memo": "with_memo"})
    assert response.status_code == 302
    document = fresh(approved_plan)
    assert document.status == DocumentStatus.PUBLISHED and document.publish_memo is True
    assert document.events.get(action=WorkflowAction.PUBLISH).data == {"publish_memo": True}
    when = decision_date(document)
    assert re.fullmatch(r"[๐-๙]+ \S+ ๒๕[๐-๙]{2}", when)  # Buddhist era, Thai digits

    pages = public_pdf(client, document)
    first = pages[0]
    assert first.startswith(norm("บันทึกข้อความ"))
    for text in ("ส่วนราชการกองคลังเทศบาลตำบลเอ", "เรียนนายกเทศมนตรีตำบลเอผ่านปลัดเทศบาล", MEMO_SUBJECT,
                 "(นายสมชายใจดี)", "ความเห็น/คำสั่ง", "อนุมัติ", f"({' '.join(APPROVER)})", APPROVER_POSITION, when):
        assert norm(text) in first, text
    # the decision comes after the memo's own signature
    assert first.index(norm("(นายสมชายใจดี)")) < first.index(norm("ความเห็น/คำสั่ง")) < first.index(norm(when))
    plan_pages = [i for i, text in enumerate(pages) if text.startswith(norm(PLAN_TITLE))]
    assert plan_pages and plan_pages[0] >= 1

    client.force_login(approver)
    assert 'data-event-publish-memo="1"' in client.get(staff_url("detail", document)).content.decode()
    page = public_page(client, document)
    assert "data-public-memo" in page and MEMO_SUBJECT in page
    decision = page[page.index("data-memo-decision"):]
    for text in ("ความเห็น/คำสั่ง", "อนุมัติ", " ".join(APPROVER), APPROVER_POSITION, when):
        assert text in decision, text
    assert page.index("data-public-memo") < page.index(MEASURE)  # the memo in front of the plan


def test_the_publish_form_previews_each_choice(client, approved_plan, approver):
    client.force_login(approver)
    page = client.get(staff_url("detail", approved_plan)).content.decode()
    assert "data-publish-form" in page and 'value="alone" checked' in page  # the default: the document alone
    previews = dict(re.findall(r'href="([^"]+)"[^>]*data-publish-preview="(\w+)"', page))
    previews = {choice: url.replace("&amp;", "&") for url, choice in previews.items()}
    assert set(previews) == {"alone", "with_memo"}

    alone = pdf_pages(body(client.get(previews["alone"])))
    assert alone[0].startswith(norm(PLAN_TITLE)) and norm("บันทึกข้อความ") not in "".join(alone)
    with_memo = pdf_pages(body(client.get(previews["with_memo"])))
    assert with_memo[0].startswith(norm("บันทึกข้อความ"))
    assert norm("ความเห็น/คำสั่ง") in with_memo[0] and norm(" ".join(APPROVER)) in with_memo[0]
    assert any(text.startswith(norm(PLAN_TITLE)) for text in with_memo[1:])


def test_only_an_approver_chooses_and_unknown_choices_are_refused(client, approved_plan, staff_a, approver):
    client.force_login(staff_a)  # staff may not publish, with or without the memo
    transition(client, approved_plan, "publish", {"memo": "with_memo"})
    assert fresh(approved_plan).status == DocumentStatus.APPROVED
    with pytest.raises(rules.WorkflowError) as refused:
        transitions.publish_document(fresh(approved_plan), actor=staff_a, publish_memo=True)
    assert refused.value.code == "role"

    client.force_login(approver)
    response = transition(client, approved_plan, "publish", {"memo": "everything"})
    assert response.status_code == 400
    assert "กรุณาเลือกเผยแพร่เฉพาะเอกสาร หรือเอกสารพร้อมบันทึกข้อความ" in response.content.decode()
    assert fresh(approved_plan).status == DocumentStatus.APPROVED
    with pytest.raises(rules.WorkflowError) as refused:
        transitions.publish_document(fresh(approved_plan), actor=approver, publish_memo="yes")
    assert refused.value.code == "publish_memo" and fresh(approved_plan).status == DocumentStatus.APPROVED


def test_a_document_without_memo_cannot_be_published_with_one(client, plan, staff_a, approver):
    transitions.submit_document(plan, actor=staff_a, notify=False)
    transitions.approve_document(fresh(plan), actor=approver, notify=False)
    client.force_login(approver)
    page = client.get(staff_url("detail", plan)).content.decode()
    assert 'value="with_memo"' not in page and 'data-publish-preview="alone"' in page
    transition(client, plan, "publish", {"memo": "with_memo"})
    assert fresh(plan).status == DocumentStatus.APPROVED  # refused: nothing to publish with it
    with pytest.raises(rules.WorkflowError) as refused:
        transitions.publish_document(fresh(plan), actor=approver, publish_memo=True)
    assert refused.value.code == "no_memo"


# --- staff print the memo alone and with the document ---------------------------------------------------

def test_staff_print_the_memo_alone_and_the_memo_with_the_document(client, plan, staff_a):
    client.force_login(staff_a)
    save_memo(client, plan)
    page = client.get(staff_url("detail", plan)).content.decode()
    only = re.search(r'href="([^"]+)" data-memo-only-link', page).group(1).replace("&amp;", "&")
    both = re.search(r'href="([^"]+)" data-memo-document-link', page).group(1).replace("&amp;", "&")

    response = client.get(only)
    assert "ita-memo-measures-2570" in response["Content-Disposition"]
    memo_pages = pdf_pages(body(response))
    assert starts_with(memo_pages[0], "บันทึกข้อความ") and norm(MEMO_SUBJECT) in memo_pages[0]
    assert norm(MEASURE) not in "".join(memo_pages) and norm("ความเห็น/คำสั่ง") not in "".join(memo_pages)

    with_document = pdf_pages(body(client.get(both)))
    assert starts_with(with_document[0], "บันทึกข้อความ")
    assert norm(MEASURE) in "".join(with_document[1:])
    # the print options offer the three choices; an unknown one prints the document's own options
    assert 'value="only"' in page and 'value="on"' in page
    own = pdf_pages(body(client.get(staff_url("pdf", plan, "?o=1&memo=bogus"))))
    assert starts_with(own[0], "บันทึกข้อความ")  # a saved memo: the draft prints with it


def test_the_docx_prints_the_memo_alone_with_the_through_line_and_the_decision(client, approved_plan, staff_a):
    from docx import Document as Docx

    client.force_login(staff_a)
    response = client.get(staff_url("docx", approved_plan, "?o=1&memo=only"))
    assert response.status_code == 200 and "ita-memo-measures-2570" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Docx(io.BytesIO(response.content)).paragraphs)
    assert "บันทึกข้อความ" in text and "นายกเทศมนตรีตำบลเอ ผ่านปลัดเทศบาล" in text
    assert "ความเห็น/คำสั่ง" in text and f"({' '.join(APPROVER)})" in text and APPROVER_POSITION in text
    assert MEASURE not in text  # the memo alone: no table


def test_staff_copy_of_an_approved_memo_carries_the_decision(client, approved_plan, staff_a):
    client.force_login(staff_a)
    pages = pdf_pages(body(client.get(staff_url("pdf", approved_plan, "?o=1&memo=only"))))
    assert len(pages) >= 1 and norm("ความเห็น/คำสั่ง") in "".join(pages)
    assert norm(APPROVER_POSITION) in "".join(pages) and norm(decision_date(approved_plan)) in "".join(pages)


# --- documents published before the choice ------------------------------------------------------------

def test_rerender_published_brings_the_decision_to_memos_published_before(
        client, approved_plan, approver, django_capture_on_commit_callbacks):
    """Before this change a saved memo was always in front of the public PDF, without a decision:
    those documents keep their memo in public (the migration sets publish_memo) and rerender_published
    prints the decision on it (the position is the approver's current one: old events did not record it)."""
    transitions.publish_document(approved_plan, actor=approver, notify=False, render=False)
    document = fresh(approved_plan)
    drop_triggers(connection)  # a database of the release before: its events carried no data
    document.events.filter(action=WorkflowAction.APPROVE).update(data={})
    install_triggers(connection)
    Document.objects.filter(pk=document.pk).update(publish_memo=False)
    # the PDF stored before: memo in front, no decision
    old = render_document_pdf(stored_pdf.document_snapshot(document, decision=False), RenderOptions(memo=True))
    assert norm("ความเห็น/คำสั่ง") not in "".join(pdf_pages(old))

    migration = importlib.import_module("reports.migrations.0006_memo_publication")
    migration.forwards(django_apps, None)
    document = fresh(document)
    assert document.publish_memo is True

    out = io.StringIO()
    call_command("rerender_published", stdout=out)
    assert "rendered 1" in out.getvalue()
    pages = public_pdf(client, fresh(document))
    assert pages[0].startswith(norm("บันทึกข้อความ"))
    for text in ("ความเห็น/คำสั่ง", "อนุมัติ", " ".join(APPROVER), APPROVER_POSITION, decision_date(document)):
        assert norm(text) in pages[0], text


def test_the_migration_leaves_documents_published_without_memo_alone(plan, staff_a, approver):
    transitions.submit_document(plan, actor=staff_a, notify=False)
    transitions.approve_document(fresh(plan), actor=approver, notify=False)
    transitions.publish_document(fresh(plan), actor=approver, notify=False, render=False)
    importlib.import_module("reports.migrations.0006_memo_publication").forwards(django_apps, None)
    assert fresh(plan).publish_memo is False


def test_a_new_revision_keeps_the_memo_but_not_the_choice(client, approved_plan, approver, admin_a, staff_a):
    transitions.publish_document(approved_plan, actor=approver, publish_memo=True, notify=False, render=False)
    transitions.withdraw_document(fresh(approved_plan), actor=admin_a, reason="แก้ไขมาตรการ")
    revision = transitions.new_revision(fresh(approved_plan), actor=staff_a)
    memo = Memo.objects.get(document=revision)
    assert (memo.division.name, memo.through, memo.subject) == ("กองคลัง", "ปลัดเทศบาล", MEMO_SUBJECT)
    assert revision.publish_memo is False  # the approver of the new revision chooses again


# --- the memo reads like seed 004 ---------------------------------------------------------------------

def test_memo_form_offers_the_division_and_the_through_line(client, plan, staff_a, org_a, org_b):
    Membership.objects.filter(user=staff_a, organisation=org_a).update(position="นักวิเคราะห์นโยบายและแผน")
    client.force_login(staff_a)
    page = client.get(staff_url("detail", plan)).content.decode()
    form = page[page.index("data-memo-form"):]
    sapalat = Division.objects.get(organisation=org_a, name="สำนักปลัด")
    assert re.search(rf'<option value="{sapalat.pk}" selected>สำนักปลัด</option>', form)  # the default division
    assert 'name="memo-through"' in form and 'value="ปลัดเทศบาล"' in form
    assert "ส่วนราชการผู้รับผิดชอบ" in form and "ผ่าน" in form
    assert "นักวิเคราะห์นโยบายและแผน" in form  # the preparer's position as the memo's signer

    # another organisation's division is refused, nothing saved
    other = Division.objects.get(organisation=org_b, name="สำนักปลัด")
    response = save_memo(client, plan, **{"memo-division": str(other.pk)})
    assert response.status_code == 400 and "กรุณาเลือกส่วนราชการของหน่วยงานนี้" in response.content.decode()
    assert not Memo.objects.filter(document=plan).exists()
    # neither a division nor a typed line: refused with what was typed kept
    response = save_memo(client, plan, **{"memo-division": ""})
    text = response.content.decode()
    assert response.status_code == 400 and "กรุณาเลือกส่วนราชการผู้รับผิดชอบ หรือพิมพ์บรรทัดส่วนราชการ" in text
    assert MEMO_SUBJECT in text and not Memo.objects.filter(document=plan).exists()

    # a division: ส่วนราชการ prints the division with the organisation; a typed line wins
    assert save_memo(client, plan).status_code == 302
    first = pdf_pages(body(client.get(staff_url("pdf", plan, "?o=1&memo=only"))))[0]
    assert norm("ส่วนราชการกองคลังเทศบาลตำบลเอ") in first
    assert norm("เรียนนายกเทศมนตรีตำบลเอผ่านปลัดเทศบาล") in first
    assert save_memo(client, plan, **{"memo-department": "งานพัสดุ กองคลัง"}).status_code == 302
    first = pdf_pages(body(client.get(staff_url("pdf", plan, "?o=1&memo=only"))))[0]
    assert norm("ส่วนราชการงานพัสดุกองคลัง") in first and norm("กองคลังเทศบาลตำบลเอ") not in first


@pytest.mark.parametrize("kind,round_,words", [
    (DocumentKind.MEASURES, 0, ["ขออนุมัติ", "เห็นควรอนุมัติมาตรการส่งเสริมคุณธรรม"]),
    (DocumentKind.ANALYSIS, 0, ["รายงานผลการวิเคราะห์", "เห็นควรนำผลการวิเคราะห์ไปจัดทำ"]),
    (DocumentKind.PROGRESS, 6, ["รายงานผลการดำเนินการ", "จึงขอรายงานผลการดำเนินการตาม"]),
])
def test_a_new_memo_starts_from_the_four_sections_of_its_kind(client, org_a, staff_a, kind, round_, words):
    document = transitions.create_document(org_a, fiscal_year=FY, kind=kind, round=round_, actor=staff_a,
                                           notify=False)
    initial = memo_initial(fresh(document), staff_a)
    headings = [block for block in initial["body"].split("\n\n") if block in SECTIONS]
    assert headings == SECTIONS
    assert initial["through"] == "ปลัดเทศบาล" and initial["addressee"] == "นายกเทศมนตรีตำบลเอ"
    assert initial["division"].name == "สำนักปลัด" and initial["department"] == ""
    # the suggested memo, printed before it is saved, shows the sections, the division and the words
    client.force_login(staff_a)
    first = pdf_pages(body(client.get(staff_url("pdf", document, "?o=1&memo=only"))))
    text = "".join(first)
    assert norm("ส่วนราชการสำนักปลัดเทศบาลตำบลเอ") in text
    positions = [text.index(norm(h)) for h in SECTIONS]
    assert positions == sorted(positions)
    for word in words:
        assert norm(word) in text, word


# --- the signer label fits the kind ---------------------------------------------------------------------

@pytest.mark.parametrize("kind,round_,label", [
    (DocumentKind.MEASURES, 0, "ผู้จัดทำ"),
    (DocumentKind.ANALYSIS, 0, "ผู้วิเคราะห์"),
    (DocumentKind.PROGRESS, 6, "ผู้รายงาน"),
])
def test_the_signature_label_fits_the_kind(client, org_a, staff_a, kind, round_, label):
    document = transitions.create_document(org_a, fiscal_year=FY, kind=kind, round=round_, actor=staff_a,
                                           notify=False)
    assert document.signer_role == label
    client.force_login(staff_a)
    text = "".join(pdf_pages(body(client.get(staff_url("pdf", document, "?o=1")))))
    assert norm(f"ลงชื่อ........................................{label}") in text
    if label != "ผู้รายงาน":
        assert norm("ผู้รายงาน") not in text
    # emptied on the settings page, the label falls back to the kind's own
    data = {"version": fresh(document).version, "month_style": "full", "signer_role": "",
            "col-measure-show": "on"}
    client.post(staff_url("settings", document), data)
    assert fresh(document).signer_role == label
    page = client.get(staff_url("settings", document)).content.decode()
    assert f"เว้นว่าง: {label}" in page
