"""The progress entry pages: edit an entry of a draft (with its measure, steps and timeline), errors that
keep what was typed, optimistic locking (409 with both texts), a document submitted meanwhile, evidence
links and files (stored under generated names, downloaded with safe headers, removed), the read-only
view once the document is not a draft, the entries panel of the document page (fixed query count), and
tenant isolation of every URL."""
import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from reports.entries import services as entry_services

from reports.models import Document, DocumentStatus, EntryStatus, Evidence, EvidenceKind, ProgressEntry
from reports.workflow import transitions

from .helpers.files import docx_bytes
from .factories import DocumentFactory, MeasureFactory, MeasureStepFactory, ProgressEntryFactory

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------

def th(message, **params):
    """A message as the Thai page shows it (the default language), HTML-escaped: survives translation."""
    with translation.override("th"):
        text = translation.gettext(message)
        return escape(text % params if params else text)


def entry_url(entry, document=None):
    document = document or entry.document
    return reverse("reports:entry", args=[document.organisation.slug, document.pk, entry.pk])


def evidence_url(ev, name="evidence"):
    document = ev.entry.document
    return reverse(f"reports:{name}", args=[document.organisation.slug, document.pk, ev.pk])


def form_data(entry, **fields):
    data = {
        "output": "", "outcome": "", "status": EntryStatus.NOT_STARTED, "status_reason": "",
        "activity_start": "", "activity_end": "", "version": str(entry.version),
        "evidence_file_title": "", "evidence_url": "", "evidence_url_title": "",
    }
    data.update(fields)
    return data


def hidden_version(html):
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "no hidden version field"
    return int(match.group(1))


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), (0, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def named(name, content):
    """A file for the test client to post."""
    file = io.BytesIO(content)
    file.name = name
    return file


def uploaded(name, content):
    """A file as the services receive it from a request."""
    return SimpleUploadedFile(name, content)


@pytest.fixture
def document(org_a):
    return DocumentFactory(organisation=org_a)


@pytest.fixture
def entries(org_a, document):
    """Three entries in measure order; the second has two steps (one with a sub-item) and a timeline."""
    made = []
    for i, title in enumerate(["มาตรการเผยแพร่ข้อมูลสาธารณะ", "มาตรการป้องกันผลประโยชน์ทับซ้อน",
                               "มาตรการส่งเสริมคุณธรรม"]):
        measure = MeasureFactory(organisation=org_a, fiscal_year=document.fiscal_year, title=title, order=i,
                                 start_month=date(2024, 10, 1), end_month=date(2025, 3, 1))
        made.append(ProgressEntryFactory(document=document, measure=measure, output=f"ผลเดิมของข้อ {i + 1}"))
    steps_of = made[1].measure
    first = MeasureStepFactory(measure=steps_of, text="ประชุมชี้แจงบุคลากร", order=1)
    MeasureStepFactory(measure=steps_of, text="จัดทำคู่มือ", order=2)
    MeasureStepFactory(measure=steps_of, parent=first, text="เชิญวิทยากร", order=1)
    return made


# --- the page ------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client, entries):
    response = client.get(entry_url(entries[0]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_entry_page_shows_the_measure_the_form_and_navigation(client, staff_a, entries):
    first, second, third = entries
    Evidence.objects.create(entry=second, kind=EvidenceKind.LINK, url="https://example.org/ประกาศ",
                            title="ประกาศบนเว็บไซต์")
    client.force_login(staff_a)
    response = client.get(entry_url(second))
    assert response.status_code == 200
    html = response.content.decode()
    assert "มาตรการป้องกันผลประโยชน์ทับซ้อน" in html
    for line in ("๑. ประชุมชี้แจงบุคลากร", "(๑) เชิญวิทยากร", "๒. จัดทำคู่มือ"):  # cells.steps_cell
        assert line in html, line
    assert "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘" in html  # the timeline
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<textarea name="output"[^>]*>\s*ผลเดิมของข้อ 2</textarea>', html)
    assert hidden_version(html) == 1
    assert 'name="evidence_file"' in html and 'name="evidence_url"' in html
    assert 'name="next"' in html  # "Save and next": there is a next entry
    assert f'href="{entry_url(first)}"' in html and f'href="{entry_url(third)}"' in html
    assert "ประกาศบนเว็บไซต์" in html and 'target="_blank" rel="noopener"' in html
    ev = second.evidence.get()
    assert f'action="{evidence_url(ev, "evidence_delete")}"' in html

    html = client.get(entry_url(first)).content.decode()
    assert 'rel="prev"' not in html and f'href="{entry_url(second)}"' in html
    html = client.get(entry_url(third)).content.decode()
    assert 'rel="next"' not in html and 'name="next"' not in html


def test_save_updates_the_entry_and_redirects_to_it(client, staff_a, document, entries):
    entry = entries[0]
    client.force_login(staff_a)
    response = client.post(entry_url(entry), form_data(
        # a browser sends CRLF from a textarea; the entry stores \n
        entry, output="จัดประชุมชี้แจงแล้ว ๒ ครั้ง\r\nเผยแพร่ประกาศทางเว็บไซต์", outcome="บุคลากรเข้าใจร้อยละ ๙๐",
        status=EntryStatus.DONE, activity_start="1/10/2567", activity_end="๓๑ มี.ค. ๒๕๖๘",
    ))
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    entry.refresh_from_db()
    assert entry.output == "จัดประชุมชี้แจงแล้ว ๒ ครั้ง\nเผยแพร่ประกาศทางเว็บไซต์"
    assert entry.outcome == "บุคลากรเข้าใจร้อยละ ๙๐"
    assert (entry.status, entry.activity_start, entry.activity_end) == (
        EntryStatus.DONE, date(2024, 10, 1), date(2025, 3, 31))
    assert entry.version == 2
    assert entry.history.first().history_user == staff_a
    document.refresh_from_db()
    assert document.version == 2  # the document moved on: a submit from an older page is refused
    page = client.get(response["Location"]).content.decode()
    assert th("The entry was saved.") in page
    assert 'value="1/10/2567"' in page and hidden_version(page) == 2


def test_save_and_next_goes_to_the_next_entry(client, staff_a, entries):
    client.force_login(staff_a)
    response = client.post(entry_url(entries[0]), form_data(entries[0], output="ทำแล้ว", next="1"))
    assert response.status_code == 302 and response["Location"] == entry_url(entries[1])
    response = client.post(entry_url(entries[2]), form_data(entries[2], output="ข้อสุดท้าย", next="1"))
    assert response["Location"] == entry_url(entries[2])  # the last one stays
    assert ProgressEntry.objects.get(pk=entries[0].pk).output == "ทำแล้ว"


def test_errors_keep_everything_typed_and_save_nothing(client, staff_a, document, entries):
    entry = entries[0]
    client.force_login(staff_a)
    response = client.post(entry_url(entry), form_data(
        entry, output="ผลที่พิมพ์ไว้ยาว ๆ", outcome="ผลลัพธ์ที่พิมพ์ไว้", status=EntryStatus.NOT_DONE,
        activity_start="31/3/2568", activity_end="1/10/2567", evidence_url_title="ลิงก์ที่ลืมใส่ที่อยู่",
    ))
    assert response.status_code == 400
    html = response.content.decode()
    for typed in ("ผลที่พิมพ์ไว้ยาว ๆ", "ผลลัพธ์ที่พิมพ์ไว้", "31/3/2568", "1/10/2567", "ลิงก์ที่ลืมใส่ที่อยู่"):
        assert typed in html, typed
    assert re.search(r'<option value="not_done"[^>]*selected', html)
    assert th("The entry was not saved. Please correct the errors below.") in html  # at the top
    assert th("Say why the measure was not done.") in html  # at the fields
    assert th("The activities cannot end before they start.") in html
    assert th("Enter the link this description is for.") in html
    assert 'is-invalid' in html
    entry.refresh_from_db()
    assert (entry.output, entry.status, entry.version) == ("ผลเดิมของข้อ 1", EntryStatus.NOT_STARTED, 1)
    assert Document.objects.get(pk=document.pk).version == 1

    # a date that does not exist, and a reason given: only the date is wrong now
    response = client.post(entry_url(entry), form_data(
        entry, output="ผลที่พิมพ์ไว้", status=EntryStatus.NOT_DONE, status_reason="งบประมาณไม่เพียงพอ",
        activity_start="31/2/2568"))
    assert response.status_code == 400
    html = response.content.decode()
    assert th("This date does not exist in the calendar.") in html and "งบประมาณไม่เพียงพอ" in html
    assert th("Say why the measure was not done.") not in html


def test_a_bad_upload_does_not_lose_the_typed_text(client, staff_a, entries, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = entries[0]
    client.force_login(staff_a)
    data = form_data(entry, output="ข้อความยาวที่พิมพ์ไว้ก่อนแนบไฟล์", outcome="ผลลัพธ์ที่พิมพ์ไว้",
                     evidence_file_title="ภาพกิจกรรม")
    data["evidence_file"] = named("ภาพกิจกรรม.png", "ไม่ใช่ภาพ แต่เป็นข้อความ".encode())
    response = client.post(entry_url(entry), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "ข้อความยาวที่พิมพ์ไว้ก่อนแนบไฟล์" in html and "ผลลัพธ์ที่พิมพ์ไว้" in html and "ภาพกิจกรรม" in html
    assert th("The entry was not saved. Please correct the errors below.") in html
    with translation.override("th"):
        from django.core.exceptions import ValidationError

        from reports.entries.evidence import check_upload

        with pytest.raises(ValidationError) as exc:
            check_upload(named("x.png", b"text"))
    assert escape(exc.value.messages[0]) in html
    assert not Evidence.objects.exists() and not list(tmp_path.rglob("*.*"))
    entry.refresh_from_db()
    assert entry.output == "ผลเดิมของข้อ 1" and entry.version == 1


def test_a_link_must_be_http_or_https(client, staff_a, entries):
    entry = entries[0]
    client.force_login(staff_a)
    for bad in ("javascript:alert(1)", "ftp://example.org/file.pdf", "ไม่ใช่ลิงก์"):
        response = client.post(entry_url(entry), form_data(entry, output="ทำแล้ว", evidence_url=bad))
        assert response.status_code == 400, bad
        assert "ทำแล้ว" in response.content.decode()
    assert not Evidence.objects.exists()
    assert ProgressEntry.objects.get(pk=entry.pk).version == 1


# --- optimistic locking and the workflow ---------------------------------------------------------

def test_a_stale_save_is_refused_with_both_texts_and_can_be_repeated(client, staff_a, approver_a, entries):
    approver_a.first_name, approver_a.last_name = "มาลี", "ผู้อนุมัติ"
    approver_a.save()
    entry = entries[0]
    client.force_login(approver_a)  # the approver saves first, from version 1
    theirs = form_data(entry, output="ข้อความของผู้อนุมัติ", outcome="ผลลัพธ์ของผู้อนุมัติ", status=EntryStatus.DONE)
    assert client.post(entry_url(entry), theirs).status_code == 302

    client.force_login(staff_a)  # staff had loaded version 1 too
    mine = form_data(entry, output="ข้อความของเจ้าหน้าที่", outcome="ผลลัพธ์ของเจ้าหน้าที่",
                     evidence_url="https://example.org/mine", evidence_url_title="ลิงก์ของเจ้าหน้าที่")
    response = client.post(entry_url(entry), mine)
    assert response.status_code == 409
    html = response.content.decode()
    for text in ("ข้อความของเจ้าหน้าที่", "ผลลัพธ์ของเจ้าหน้าที่", "https://example.org/mine",  # mine, kept
                 "ข้อความของผู้อนุมัติ", "ผลลัพธ์ของผู้อนุมัติ", "มาลี ผู้อนุมัติ"):  # theirs, shown
        assert text in html, text
    assert th("Someone saved this entry after you opened it. Your text was not saved; it is still in the "
              "form below. Compare it with the current text and save again.") in html
    assert hidden_version(html) == 2  # the version now on the page is theirs
    entry.refresh_from_db()
    assert (entry.output, entry.version) == ("ข้อความของผู้อนุมัติ", 2)
    assert not Evidence.objects.exists()  # nothing of the refused save, its link included

    # after reading theirs, saving again (with the version the page now carries) goes through
    response = client.post(entry_url(entry), {**mine, "version": str(hidden_version(html))})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.output, entry.version) == ("ข้อความของเจ้าหน้าที่", 3)
    assert entry.evidence.get().url == "https://example.org/mine"


def test_a_document_submitted_meanwhile_refuses_the_save_and_keeps_the_input(client, staff_a, document, entries,
                                                                             settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = entries[0]
    client.force_login(staff_a)
    assert client.get(entry_url(entry)).status_code == 200  # the page is open as a draft ...
    transitions.submit_document(document, actor=staff_a, notify=False)  # ... when someone submits it
    data = form_data(entry, output="ข้อความที่ยังไม่ได้บันทึก", outcome="ผลลัพธ์ที่ยังไม่ได้บันทึก")
    data["evidence_file"] = named("รายงาน.pdf", pdf_bytes())
    response = client.post(entry_url(entry), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "ข้อความที่ยังไม่ได้บันทึก" in html and "ผลลัพธ์ที่ยังไม่ได้บันทึก" in html
    assert th("The document is %(status)s now, so it can no longer be changed. Your text is still in the "
              "form below; copy it if you need it.", status=th("Submitted")) in html
    assert "data-save" not in html  # nothing to save any more
    entry.refresh_from_db()
    assert (entry.output, entry.version) == ("ผลเดิมของข้อ 1", 1)
    assert not Evidence.objects.exists() and not list(tmp_path.rglob("*.pdf"))


def test_read_only_view_when_the_document_is_not_a_draft(client, staff_a, document, entries):
    entry = entries[0]
    link = Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url="https://example.org/a",
                                   title="หลักฐานบนเว็บ")
    ProgressEntry.objects.filter(pk=entry.pk).update(output="บรรทัดแรก\nบรรทัดที่สอง", status=EntryStatus.DONE)
    transitions.submit_document(document, actor=staff_a, notify=False)
    client.force_login(staff_a)
    response = client.get(entry_url(entry))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="entry-form"' not in html and 'name="output"' not in html
    assert "data-readonly-note" in html
    assert "บรรทัดแรก" in html and "บรรทัดที่สอง" in html and "หลักฐานบนเว็บ" in html
    assert evidence_url(link, "evidence_delete") not in html  # no remove button

    # removing is refused by the service too, with a message
    response = client.post(evidence_url(link, "evidence_delete"), follow=True)
    assert response.redirect_chain[-1][0] == entry_url(entry)
    assert th("Evidence can only be removed while the document is a draft.") in response.content.decode()
    assert Evidence.objects.filter(pk=link.pk).exists()


# --- evidence ------------------------------------------------------------------------------------

def test_add_and_remove_a_link(client, staff_a, document, entries):
    entry = entries[1]
    client.force_login(staff_a)
    response = client.post(entry_url(entry), form_data(
        entry, output="เผยแพร่แล้ว", evidence_url="https://www.example.go.th/news/1",
        evidence_url_title="ข่าวประชาสัมพันธ์"))
    assert response.status_code == 302
    ev = entry.evidence.get()
    assert (ev.kind, ev.url, ev.title, ev.created_by) == (
        EvidenceKind.LINK, "https://www.example.go.th/news/1", "ข่าวประชาสัมพันธ์", staff_a)
    html = client.get(entry_url(entry)).content.decode()
    assert re.search(r'<a href="https://www.example.go.th/news/1" target="_blank" rel="noopener"[^>]*>'
                     r'ข่าวประชาสัมพันธ์</a>', html)
    assert client.get(evidence_url(ev)).status_code == 404  # a link has no file to download

    assert client.get(evidence_url(ev, "evidence_delete")).status_code == 405  # POST only
    version = Document.objects.get(pk=document.pk).version
    response = client.post(evidence_url(ev, "evidence_delete"))
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert not Evidence.objects.filter(pk=ev.pk).exists()
    assert Document.objects.get(pk=document.pk).version == version + 1


def test_upload_is_stored_under_a_generated_name_and_downloaded(client, staff_a, org_a, entries, settings, tmp_path,
                                                               django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    entry = entries[0]
    client.force_login(staff_a)
    data = form_data(entry, output="ประชุมแล้ว", evidence_file_title="รายงานการประชุม")
    data["evidence_file"] = named("รายงานการประชุม ครั้งที่ 1.pdf", pdf_bytes())
    assert client.post(entry_url(entry), data).status_code == 302
    ev = entry.evidence.get()
    assert re.fullmatch(rf"evidence/{org_a.pk}/[0-9a-f]{{32}}\.pdf", ev.file.name), ev.file.name
    assert (ev.original_name, ev.content_type, ev.size, ev.title) == (
        "รายงานการประชุม ครั้งที่ 1.pdf", "application/pdf", len(pdf_bytes()), "รายงานการประชุม")
    assert (tmp_path / ev.file.name).read_bytes() == pdf_bytes()
    assert ProgressEntry.objects.get(pk=entry.pk).output == "ประชุมแล้ว"

    html = client.get(entry_url(entry)).content.decode()
    assert f'href="{evidence_url(ev)}"' in html and "รายงานการประชุม" in html

    response = client.get(evidence_url(ev))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert b"".join(response.streaming_content) == pdf_bytes()

    # removing the evidence deletes the stored file (after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(evidence_url(ev, "evidence_delete")).status_code == 302
    assert not Evidence.objects.filter(pk=ev.pk).exists()
    assert not (tmp_path / ev.file.name).exists()


def test_downloads_images_inline_and_office_files_as_attachments(client, staff_a, entries, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = entries[0]
    client.force_login(staff_a)
    data = form_data(entry)
    data["evidence_file"] = named("photo.pdf", png_bytes())  # a PNG with a misleading name
    assert client.post(entry_url(entry), data).status_code == 302
    data = form_data(entry, version="2")
    data["evidence_file"] = named("คำสั่งแต่งตั้ง.docx", docx_bytes())
    assert client.post(entry_url(entry), data).status_code == 302
    png, docx = entry.evidence.order_by("order")
    assert png.file.name.endswith(".png") and png.content_type == "image/png" and png.original_name == "photo.pdf"

    response = client.get(evidence_url(png))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;") and "photo.pdf.png" in response["Content-Disposition"]
    response = client.get(evidence_url(docx))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == docx_bytes()


def test_evidence_of_an_approved_and_published_document_is_still_served(client, staff_a, approver_a, document,
                                                                       entries, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ev = entry_services.add_evidence_file(entries[0], upload=uploaded("รายงาน.pdf", pdf_bytes()), actor=staff_a)
    transitions.submit_document(document, actor=staff_a, notify=False)
    transitions.approve_document(document, actor=approver_a, notify=False)
    client.force_login(staff_a)
    assert client.get(evidence_url(ev)).status_code == 200
    transitions.publish_document(document, actor=approver_a, notify=False, render=False)
    response = client.get(evidence_url(ev))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes()
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.PUBLISHED


# --- tenant isolation ----------------------------------------------------------------------------

def test_another_organisation_gets_404_everywhere(client, staff_a, staff_b, org_a, document, entries, settings,
                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = entries[0]
    ev = Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url="https://example.org/a")
    file_ev = entry_services.add_evidence_file(entry, upload=uploaded("ลับ.pdf", pdf_bytes()), actor=staff_a)
    client.force_login(staff_b)
    # through org A's slug: staff B is not a member
    assert client.get(entry_url(entry)).status_code == 404
    assert client.post(entry_url(entry), form_data(entry, output="ของบี")).status_code == 404
    assert client.get(evidence_url(file_ev)).status_code == 404
    assert client.post(evidence_url(ev, "evidence_delete")).status_code == 404
    # through org B's own slug with org A's ids
    for name, obj in (("entry", entry), ("evidence", file_ev), ("evidence_delete", ev)):
        url = reverse(f"reports:{name}", args=["org-b", document.pk, obj.pk])
        response = client.post(url) if name == "evidence_delete" else client.get(url)
        assert response.status_code == 404, name
    assert Evidence.objects.filter(pk=ev.pk).exists()
    assert ProgressEntry.objects.get(pk=entry.pk).output == "ผลเดิมของข้อ 1"


def test_an_entry_or_evidence_of_another_document_is_404(client, staff_a, org_a, document, entries):
    other = DocumentFactory(organisation=org_a, round=12)
    other_entry = ProgressEntryFactory(document=other, measure=entries[0].measure)
    ev = Evidence.objects.create(entry=other_entry, kind=EvidenceKind.LINK, url="https://example.org/b")
    client.force_login(staff_a)
    assert client.get(entry_url(other_entry, document=document)).status_code == 404
    assert client.get(entry_url(other_entry)).status_code == 200
    wrong = reverse("reports:evidence_delete", args=[org_a.slug, document.pk, ev.pk])
    assert client.post(wrong).status_code == 404
    assert Evidence.objects.filter(pk=ev.pk).exists()


# --- the entries panel of the document page -------------------------------------------------------

def add_entries(org, document, count, start=0):
    for i in range(start, start + count):
        measure = MeasureFactory(organisation=org, fiscal_year=document.fiscal_year, title=f"มาตรการแผง {i + 1}",
                                 order=100 + i)
        entry = ProgressEntryFactory(document=document, measure=measure,
                                     output=f"บรรทัดแรกของข้อ {i + 1}\nบรรทัดที่สองไม่แสดง", status=EntryStatus.DONE)
        Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url=f"https://example.org/{i}")
        Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url=f"https://example.org/{i}/b")


def test_entries_panel_lists_every_entry_with_a_fixed_number_of_queries(client, staff_a, org_a, document,
                                                                       django_assert_max_num_queries):
    add_entries(org_a, document, 2)
    client.force_login(staff_a)
    detail = reverse("reports:detail", args=[org_a.slug, document.pk])
    client.get(detail)  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as few:
        client.get(detail)
    add_entries(org_a, document, 6, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-entries-panel" in html
    rows = re.findall(r'<tr data-entry-row="(\d+)">(.*?)</tr>', html, re.S)
    assert len(rows) == 8
    first = rows[0][1]
    assert "มาตรการแผง 1" in first and "บรรทัดแรกของข้อ 1" in first and "บรรทัดที่สองไม่แสดง" not in first
    assert th("Done") in first and ">๒<" in first  # status badge, evidence count in Thai digits
    assert ">๘<" in rows[7][1]  # the number of the row, in Thai digits
    entry = document.entries.order_by("measure__order").first()
    assert f'href="{entry_url(entry)}"' in first and th("Edit") in first

    transitions.submit_document(document, actor=staff_a, notify=False)
    html = client.get(detail).content.decode()
    first = re.findall(r'<tr data-entry-row="\d+">(.*?)</tr>', html, re.S)[0]
    assert th("View") in first and th("Edit") not in first
