"""Every file of the app goes through Django's storage API, so an object store (S3 via django-storages,
docs/DEPLOY.md) can replace the disk: the whole cycle runs here on Django's InMemoryStorage, which has
no files on the disk at all: its ``path()`` names a place under MEDIA_ROOT where nothing is, so code
that reads a file by its path finds nothing, and the test checks that nothing is written there.

The cycle: an emblem upload on the settings page, an import file kept between preview and confirm, an
evidence file on the entry page, publication with the stored PDF (and the emblem on its memo cover),
the public PDF and evidence downloads, rerender_published, and the health check."""
import io
import re

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from measures.models import Measure
from reports.entries import services as entry_services
from reports.models import Document, Evidence, Memo
from reports.workflow import transitions

from .helpers.files import measures_docx_bytes
from .helpers.pdf import norm, page_texts

pytestmark = pytest.mark.django_db
FY = 2569


@pytest.fixture(autouse=True)
def object_store(settings, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    yield media
    assert not any(media.rglob("*")), "a file was written to MEDIA_ROOT, outside the storage API"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_whole_cycle_on_a_storage_without_local_paths(client, org_a, staff_a, approver_a, admin_a,
                                                          django_capture_on_commit_callbacks):
    assert isinstance(default_storage, InMemoryStorage)  # its path() names a file that never exists

    # The emblem, through the organisation settings page.
    client.force_login(admin_a)
    settings_url = reverse("orgs:settings", args=[org_a.slug])
    page = client.get(settings_url).content.decode()
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    data = {k: v for k, v in fields.items() if k not in ("csrfmiddlewaretoken",)}
    data.update({"name": org_a.name, "district": org_a.district, "province": org_a.province,
                 "kind": org_a.kind, "strength_threshold": "85", "default_layout": "A",
                 "emblem": SimpleUploadedFile("ตรา.png", png_bytes(), content_type="image/png")})
    response = client.post(settings_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org_a.refresh_from_db()
    assert org_a.emblem and default_storage.exists(org_a.emblem.name)

    # Measures from a Word file, kept in storage between preview and confirm.
    client.force_login(staff_a)
    import_url = reverse("measures:import", args=[org_a.slug, FY])
    preview = client.post(import_url, {"step": "preview", "round": "",
                                       "file": SimpleUploadedFile("measures.docx", measures_docx_bytes())})
    token = re.search(r'name="stored" value="([^"]+)"', preview.content.decode()).group(1)
    _, kept = default_storage.listdir(f"imports/{org_a.pk}")
    assert len(kept) == 1
    assert client.post(import_url, {"step": "confirm", "stored": token, "round": ""}).status_code == 302
    assert Measure.objects.filter(organisation=org_a, fiscal_year=FY).count() == 2
    assert default_storage.listdir(f"imports/{org_a.pk}")[1] == []

    # A 6-month report with an evidence file, published with its memo cover.
    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    document = Document.objects.get(pk=document.pk)
    Memo.objects.create(document=document, department="สำนักปลัด", subject="รายงานผลรอบ ๖ เดือน",
                        addressee="นายกเทศมนตรี", body="ตามที่ได้ดำเนินการตามมาตรการแล้ว")
    entry = document.entries.select_related("measure").first()
    evidence = entry_services.add_evidence_file(
        entry, upload=SimpleUploadedFile("ภาพกิจกรรม.png", png_bytes(), content_type="image/png"),
        title="ภาพกิจกรรม", actor=staff_a, is_public=True)
    evidence = Evidence.objects.get(pk=evidence.pk)
    assert default_storage.exists(evidence.file.name)
    document = transitions.submit_document(Document.objects.get(pk=document.pk), actor=staff_a, notify=False)
    document = transitions.approve_document(Document.objects.get(pk=document.pk), actor=approver_a, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.publish_document(Document.objects.get(pk=document.pk), actor=approver_a, publish_memo=True,
                                     notify=False)  # the approver chooses to publish the memo cover too
    document = Document.objects.select_related("organisation").get(pk=document.pk)
    assert document.pdf_file and default_storage.exists(document.pdf_file.name)

    # The public downloads read the same storage.
    client.logout()
    pdf = client.get(reverse("public:document_pdf", args=[org_a.slug, FY, "progress-6"]))
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert pdf.status_code == 200 and body == default_storage.open(document.pdf_file.name).read()
    assert any(norm(entry.measure.title) in text for text in page_texts(body))
    evidence_url = reverse("public:evidence", args=[org_a.slug, FY, "progress-6", 1, evidence.pk])
    download = client.get(evidence_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == png_bytes()

    # rerender_published replaces the stored file within the storage.
    old = document.pdf_file.name
    call_command("rerender_published", stdout=io.StringIO())
    document.refresh_from_db()
    assert document.pdf_file.name != old and not default_storage.exists(old)
    assert default_storage.exists(document.pdf_file.name)

    # The memo cover prints the emblem read from the storage (inlined: there is no file path).
    from pypdf import PdfReader

    cover = PdfReader(io.BytesIO(default_storage.open(document.pdf_file.name).read())).pages[0]
    assert "บันทึกข้อความ" in norm(cover.extract_text())
    # the page's images (the PDF's resources may also list the report's evidence QR codes): the emblem is one
    emblem_size = Image.open(io.BytesIO(png_bytes())).size
    assert emblem_size in [image.image.size for image in cover.images]

    # The health check writes, reads and deletes its probe through the storage too.
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["storage"] == "ok"
