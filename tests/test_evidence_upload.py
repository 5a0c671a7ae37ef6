"""reports.entries.evidence.check_upload: the five accepted types recognised by their content (real small files,
tests/helpers/files.py), and what is refused: empty, too large, unknown content whatever the name, ZIP files that are
not Word/Excel documents, broken images, names with path parts. The file is always rewound."""
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.entries import evidence
from reports.entries.evidence import check_upload, download_name
from reports.entries.services import add_evidence_file
from reports.models import EvidenceKind

from .factories import DocumentFactory, MeasureFactory, ProgressEntryFactory
from .helpers.files import CONTENT_TYPES_XML, docx_bytes, image_bytes, pdf_bytes, xlsx_bytes, zip_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """As a browser upload arrives (the browser's content type is ignored by check_upload)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def raw_file(name: str, content: bytes) -> File:
    """A file object handed to the service directly: its name is not cleaned by Django."""
    return File(io.BytesIO(content), name=name)


def code_of(excinfo) -> str:
    return excinfo.value.code


# --- accepted, by content ------------------------------------------------------------------------

@pytest.mark.parametrize("name, make, content_type, extension", [
    ("รายงานการประชุม.pdf", pdf_bytes, "application/pdf", ".pdf"),
    ("ภาพกิจกรรม.jpg", lambda: image_bytes("JPEG"), "image/jpeg", ".jpg"),
    ("ภาพกิจกรรม.png", lambda: image_bytes("PNG"), "image/png", ".png"),
    ("คำสั่ง.docx", docx_bytes, DOCX, ".docx"),
    ("สรุปงบประมาณ.xlsx", xlsx_bytes, XLSX, ".xlsx"),
])
def test_each_allowed_type_is_recognised_by_its_content(name, make, content_type, extension):
    content = make()
    file = upload(name, content, content_type="text/plain")  # what the browser claims does not matter
    file.read(3)  # wherever the caller left the file
    checked = check_upload(file)
    assert checked.name == name
    assert checked.content_type == content_type
    assert checked.extension == extension
    assert checked.size == len(content)
    assert file.tell() == 0  # rewound for storing
    assert file.read() == content


def test_the_content_decides_the_type_not_the_name():
    checked = check_upload(upload("photo.pdf", image_bytes("PNG")))
    assert (checked.content_type, checked.extension) == ("image/png", ".png")
    assert checked.name == "photo.pdf"  # the user's name is kept as data
    assert download_name(checked.name, checked.content_type) == "photo.pdf.png"
    assert download_name("ภาพ.png", "image/png") == "ภาพ.png"
    assert download_name("scan.JPEG", "image/jpeg") == "scan.JPEG"
    # a Word document called .xlsx is a Word document
    assert check_upload(upload("งบ.xlsx", docx_bytes())).content_type == DOCX
    # no extension at all
    assert check_upload(upload("รายงาน", pdf_bytes())).extension == ".pdf"


def test_a_png_named_pdf_is_stored_as_png(settings, tmp_path, org_a, staff_a):
    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory(organisation=org_a)
    entry = ProgressEntryFactory(document=document,
                                 measure=MeasureFactory(organisation=org_a, fiscal_year=document.fiscal_year))
    content = image_bytes("PNG")
    ev = add_evidence_file(entry, upload=upload("photo.pdf", content), actor=staff_a)
    assert ev.kind == EvidenceKind.FILE
    assert re.fullmatch(rf"evidence/{org_a.pk}/[0-9a-f]{{32}}\.png", ev.file.name), ev.file.name
    assert (ev.original_name, ev.content_type, ev.size) == ("photo.pdf", "image/png", len(content))
    assert (tmp_path / ev.file.name).read_bytes() == content


# --- refused -------------------------------------------------------------------------------------

def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("ว่าง.pdf", b""))
    assert code_of(exc) == "empty"


def test_a_file_over_the_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    content = pdf_bytes()
    assert len(content) > 100
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("ใหญ่.pdf", content))
    assert code_of(exc) == "too_large"
    settings.EVIDENCE_MAX_BYTES = len(content)  # exactly at the limit is fine
    assert check_upload(upload("พอดี.pdf", content)).size == len(content)


def test_the_default_limit_is_ten_megabytes(settings):
    if hasattr(settings, "EVIDENCE_MAX_BYTES"):
        del settings.EVIDENCE_MAX_BYTES
    assert evidence.max_bytes() == 10 * 1024 * 1024
    big = pdf_bytes() + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("ใหญ่มาก.pdf", big))
    assert code_of(exc) == "too_large"


@pytest.mark.parametrize("name, content", [
    ("โปรแกรม.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # a Windows .exe
    ("ข้อความ.png", "นี่คือข้อความธรรมดา ไม่ใช่ภาพ\n".encode()),  # a text file
    ("หน้าเว็บ.pdf", b"<html><body>%PDF-1.4</body></html>"),  # the signature not at the start
    ("ภาพ.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),  # an image type that is not allowed
])
def test_unknown_content_is_refused_whatever_the_name(name, content):
    file = upload(name, content)
    with pytest.raises(ValidationError) as exc:
        check_upload(file)
    assert code_of(exc) == "unknown_type"
    assert file.tell() == 0


@pytest.mark.parametrize("members", [
    {"readme.txt": "just a zip"},
    {"[Content_Types].xml": CONTENT_TYPES_XML, "ppt/presentation.xml": "<p/>"},  # PowerPoint
    {"word/document.xml": "<w/>"},  # no [Content_Types].xml
])
def test_a_zip_that_is_neither_docx_nor_xlsx_is_refused(members):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("เอกสาร.docx", zip_bytes(members)))
    assert code_of(exc) == "unknown_type"


def test_a_file_that_only_starts_like_a_zip_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("เสีย.xlsx", b"PK\x03\x04" + b"\x00" * 40))
    assert code_of(exc) == "unknown_type"


@pytest.mark.parametrize("fmt, name", [("PNG", "ภาพเสีย.png"), ("JPEG", "ภาพเสีย.jpg")])
def test_a_broken_image_is_refused(fmt, name):
    content = image_bytes(fmt)
    broken = content[:20] if fmt == "PNG" else content[:4] + b"\x00" * 30
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, broken))
    assert code_of(exc) == "broken_image"


@pytest.mark.parametrize("name", [
    "../รายงาน.pdf", "เอกสาร/รายงาน.pdf", "/etc/passwd.pdf", "C:\\เอกสาร\\รายงาน.pdf", "..",
    "รายงาน\x00.pdf", "รายงาน\n.pdf", "รายงาน\x1b.pdf", "\u202egpj.exe",
])
def test_names_with_path_parts_or_control_characters_are_refused(name):
    with pytest.raises(ValidationError) as exc:
        check_upload(raw_file(name, pdf_bytes()))
    assert code_of(exc) == "bad_name"


def test_a_long_name_is_shortened_keeping_its_extension():
    checked = check_upload(upload("ก" * 300 + ".pdf", pdf_bytes()))
    assert len(checked.name) <= 255 and checked.name.endswith(".pdf")


def test_refusals_carry_a_message_for_the_user():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        check_upload(upload("ว่าง.pdf", b""))
    assert exc.value.messages == ["The file is empty."]
