"""The memo cover is saved through reports.documents.data.memo.save_memo: only in a draft, by a member of the
organisation, and never over a change made after the page was opened (the document version)."""
import pytest
from django.urls import reverse

from reports.documents import memo as memo_service

from reports.models import Document, DocumentKind, Memo
from reports.workflow import rules

from .factories import DocumentFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "memo-department": "สำนักปลัดเทศบาล", "memo-subject": "รายงานผลการดำเนินการ",
    "memo-addressee": "นายกเทศมนตรีตำบลเอ", "memo-body": "ตามที่ได้ดำเนินการแล้ว นั้น",
    "memo-closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
}


@pytest.fixture
def draft(org_a):
    return DocumentFactory(organisation=org_a, kind=DocumentKind.MEASURES, round=0)


def url(document):
    return reverse("reports:memo", args=[document.organisation.slug, document.pk])


def test_the_page_carries_the_document_version_and_a_save_moves_it_on(client, staff_a, draft):
    client.force_login(staff_a)
    page = client.get(reverse("reports:detail", args=[draft.organisation.slug, draft.pk]))
    assert f'name="memo-version" value="{draft.version}"' in page.text
    response = client.post(url(draft), {**FIELDS, "memo-version": str(draft.version)})
    assert response.status_code == 302
    assert Memo.objects.get(document=draft).subject == "รายงานผลการดำเนินการ"
    assert Document.objects.get(pk=draft.pk).version == draft.version + 1  # a submit from an older page is refused


def test_a_save_from_a_page_opened_before_another_change_is_refused_and_keeps_the_text(client, staff_a, draft):
    client.force_login(staff_a)
    opened = draft.version
    memo_service.save_memo(draft, fields={"subject": "ของคนอื่น", "department": "กองคลัง"}, actor=staff_a)
    response = client.post(url(draft), {**FIELDS, "memo-subject": "ของฉัน", "memo-version": str(opened)})
    assert response.status_code == 409
    assert "ของฉัน" in response.text  # what was typed is still in the form
    assert "มีผู้อื่นแก้ไขเอกสารนี้หลังจากที่คุณเปิดหน้านี้" in response.text  # in Thai, above the form
    assert Memo.objects.get(document=draft).subject == "ของคนอื่น"
    # the form now carries the current version: saving again, having read the other change, goes through
    current = Document.objects.get(pk=draft.pk).version
    assert f'name="memo-version" value="{current}"' in response.text
    again = client.post(url(draft), {**FIELDS, "memo-subject": "ของฉัน", "memo-version": str(current)})
    assert again.status_code == 302 and Memo.objects.get(document=draft).subject == "ของฉัน"


def test_another_organisations_member_cannot_save_through_the_service(staff_b, draft):
    with pytest.raises(rules.WorkflowError):
        memo_service.save_memo(draft, fields={"subject": "x"}, actor=staff_b)
    assert not Memo.objects.filter(document=draft).exists()


def test_another_organisations_draft_is_404(client, staff_b, draft):
    client.force_login(staff_b)
    assert client.post(url(draft), FIELDS).status_code == 404
    assert not Memo.objects.filter(document=draft).exists()
