"""The settings page of a document (/w/<org>/documents/<pk>/settings/): title, texts, layout, columns of
layout A, digits, month style, signer; saved through reports.documents.settings.save_document_settings
(draft only, optimistic locking), read-only once submitted, scoped to the user's own organisation."""
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from measures.layouts import column_keys, default_headings, layout_columns
from reports.documents.settings import save_document_settings
from reports.models import Document, DocumentKind, DocumentStatus
from reports.workflow.rules import StaleDocument, WorkflowError
from reports.workflow.transitions import submit_document

from .factories import DocumentFactory
from .helpers.builders import make_report

pytestmark = pytest.mark.django_db

DEFAULT_A = [key for key, _heading in layout_columns("A")]


@pytest.fixture
def document(org_a):
    return make_report(org_a, 2, layout="A")  # month_style "abbr", measures Oct 2024 – Mar 2025


def settings_url(document):
    return reverse("reports:settings", args=[document.organisation.slug, document.pk])


def preview_url(document):
    return reverse("reports:preview", args=[document.organisation.slug, document.pk])


def detail_url(document):
    return reverse("reports:detail", args=[document.organisation.slug, document.pk])


def form_data(document, columns=None, **overrides):
    """A complete POST of the settings page: the document's values, layout A's default columns (or
    ``columns``: [(key, heading)] in order), then ``overrides``."""
    data = {
        "version": str(document.version),
        "title": document.title, "intro": document.intro, "preamble": document.preamble,
        "month_style": document.month_style,
        "signer_name": document.signer_name, "signer_position": document.signer_position,
        "signer_role": document.signer_role,
    }
    if document.kind == DocumentKind.PROGRESS:
        data["layout"] = document.layout
        chosen = columns if columns is not None else [(key, "") for key in DEFAULT_A]
        shown = [key for key, _h in chosen]
        for position, (key, heading) in enumerate(chosen, start=1):
            data[f"col-{key}-show"] = "on"
            data[f"col-{key}-position"] = str(position)
            data[f"col-{key}-heading"] = heading
        for offset, key in enumerate(k for k in column_keys() if k not in shown):
            data[f"col-{key}-position"] = str(len(chosen) + 1 + offset)
            data[f"col-{key}-heading"] = ""
    if document.arabic_digits:
        data["arabic_digits"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def table_headings(html: str) -> list[tuple[str, str]]:
    """(key, heading) of the table header cells of a preview, in order."""
    return re.findall(r'<th class="c-([a-z_]+)">([^<]*)</th>', html)


# --- the page ----------------------------------------------------------------------------------------

def test_page_shows_the_settings_with_the_standard_title_and_default_columns(client, staff_a, document):
    client.force_login(staff_a)
    page = client.get(settings_url(document))
    assert page.status_code == 200
    html = page.text
    # The standard title as placeholder, a link back, the preview hint, the save button.
    assert 'placeholder="รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ' in html
    assert "รอบ ๖ เดือน" in html
    assert f'href="{detail_url(document)}"' in html
    assert "data-preview-hint" in html and "data-save" in html
    assert 'value="นางสาวสมหญิง ใจดี"' in html
    # Every column key has a row; layout A's columns come first, ticked and numbered in order.
    rows = re.findall(r'data-column-row="([a-z_]+)"', html)
    assert rows[:len(DEFAULT_A)] == DEFAULT_A and sorted(rows) == sorted(column_keys())
    for number, key in enumerate(DEFAULT_A, start=1):
        assert re.search(rf'name="col-{key}-show"[^>]*checked', html), key
        assert f'name="col-{key}-position" value="{number}"' in html
        assert f'placeholder="{default_headings()[key]}"' in html
    assert not re.search(r'name="col-number-show"[^>]*checked', html)
    # Layout choices include the organisation's default.
    assert '<option value="" selected' not in html  # the document has its own layout A
    assert '<option value="A" selected>' in html


def test_save_writes_every_setting_and_returns_to_the_document(client, staff_a, document):
    client.force_login(staff_a)
    data = form_data(
        document, title="รายงานผลการดำเนินการตามมาตรการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",
        intro="คำนำย่อหน้าแรก\n\nย่อหน้าที่สอง", preamble="ข้อความนำก่อนตาราง", layout="C", arabic_digits="on",
        month_style="full", signer_name="นายสมชาย รักดี", signer_position="ปลัดเทศบาล", signer_role="ผู้รับรอง",
    )
    response = client.post(settings_url(document), data)
    assert response.status_code == 302 and response["Location"] == detail_url(document)
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    assert gettext("The document settings were saved. The preview on the document page shows the result.") in notices
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "รายงานผลการดำเนินการตามมาตรการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"
    assert fresh.intro == "คำนำย่อหน้าแรก\n\nย่อหน้าที่สอง"
    assert (fresh.preamble, fresh.layout, fresh.arabic_digits, fresh.month_style) == (
        "ข้อความนำก่อนตาราง", "C", True, "full")
    assert (fresh.signer_name, fresh.signer_position, fresh.signer_role) == ("นายสมชาย รักดี", "ปลัดเทศบาล", "ผู้รับรอง")
    assert fresh.columns == []
    assert fresh.version == document.version + 1
    # The preview prints the new settings: layout C, the foreword, the signer, Arabic digits.
    preview = client.get(preview_url(document)).text
    assert [key for key, _h in table_headings(preview)][:2] == ["number", "measure"]
    assert "ย่อหน้าที่สอง" in preview and "นายสมชาย รักดี" in preview and "ผู้รับรอง" in preview
    assert "2568" in preview and "๒๕๖๘" not in preview


def test_empty_layout_means_the_organisation_default(client, staff_a, org_a, document):
    org_a.default_layout = "B"
    org_a.save()
    client.force_login(staff_a)
    page = client.get(settings_url(document))
    assert gettext("Organisation default (%(layout)s)") % {"layout": "B"} in page.text
    response = client.post(settings_url(document), form_data(document, layout=""))
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).layout == ""
    preview = client.get(preview_url(document)).text
    assert [key for key, _h in table_headings(preview)][0] == "weakness"  # layout B


# --- columns of layout A --------------------------------------------------------------------------------

def test_columns_reorder_rename_hide_round_trip(client, staff_a, document):
    client.force_login(staff_a)
    chosen = [("outcome", "ผลสัมฤทธิ์ของมาตรการ"), ("measure", ""), ("number", ""),
              ("steps", "วิธีการ"), ("timeline", default_headings()["timeline"]), ("output", "")]
    data = form_data(document, columns=chosen)  # "responsible" hidden
    # Positions may be any numbers: the order is what counts.
    data["col-outcome-position"], data["col-measure-position"], data["col-number-position"] = "5", "10", "11"
    data["col-steps-position"], data["col-timeline-position"], data["col-output-position"] = "20", "30", "40"
    response = client.post(settings_url(document), data)
    assert response.status_code == 302
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.columns == [
        {"key": "outcome", "heading": "ผลสัมฤทธิ์ของมาตรการ"}, {"key": "measure"}, {"key": "number"},
        {"key": "steps", "heading": "วิธีการ"}, {"key": "timeline"}, {"key": "output"},
    ]
    # The preview prints the custom headings in the chosen order, without the hidden column.
    assert table_headings(client.get(preview_url(document)).text) == [
        ("outcome", "ผลสัมฤทธิ์ของมาตรการ"), ("measure", "มาตรการ/แนวทาง"), ("number", "ลำดับที่"),
        ("steps", "วิธีการ"), ("timeline", "ระยะเวลาการดำเนินการ"), ("output", "สรุปผลการดำเนินการ"),
    ]
    # The page shows the stored state: rows in that order, ticked, numbered 1..n, renamed headings filled in.
    html = client.get(settings_url(document)).text
    rows = re.findall(r'data-column-row="([a-z_]+)"', html)
    assert rows[:6] == ["outcome", "measure", "number", "steps", "timeline", "output"]
    assert 'name="col-outcome-heading" value="ผลสัมฤทธิ์ของมาตรการ"' in html
    assert 'name="col-steps-position" value="4"' in html
    assert not re.search(r'name="col-responsible-show"[^>]*checked', html)
    # Posting the page again unchanged keeps the same columns.
    again = form_data(Document.objects.get(pk=document.pk), columns=[
        ("outcome", "ผลสัมฤทธิ์ของมาตรการ"), ("measure", ""), ("number", ""), ("steps", "วิธีการ"),
        ("timeline", ""), ("output", "")])
    assert client.post(settings_url(document), again).status_code == 302
    assert Document.objects.get(pk=document.pk).columns == fresh.columns


def test_columns_without_a_position_go_last_in_row_order(client, staff_a, document):
    client.force_login(staff_a)
    data = form_data(document, columns=[("measure", ""), ("output", "")])
    data["col-number-show"] = "on"
    data["col-number-position"] = ""
    data["col-measure-position"] = "2"
    data["col-output-position"] = "1"
    assert client.post(settings_url(document), data).status_code == 302
    assert Document.objects.get(pk=document.pk).columns == [{"key": "output"}, {"key": "measure"}, {"key": "number"}]


def test_all_columns_hidden_is_refused_keeping_the_input(client, staff_a, document):
    client.force_login(staff_a)
    data = form_data(document, columns=[], title="ชื่อเรื่องที่พิมพ์ไว้")
    response = client.post(settings_url(document), data)
    assert response.status_code == 400
    assert gettext("Show at least one column.") in response.text and "data-columns-error" in response.text
    assert 'value="ชื่อเรื่องที่พิมพ์ไว้"' in response.text
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "" and fresh.columns == [] and fresh.version == document.version


def test_default_columns_are_stored_as_empty_list(client, staff_a, document):
    document.columns = [{"key": "measure", "heading": "มาตรการ"}, {"key": "output"}]
    document.save()
    client.force_login(staff_a)
    # Layout A's columns in their order, headings typed exactly as the defaults: stored as [].
    chosen = [(key, default_headings()[key]) for key in DEFAULT_A]
    response = client.post(settings_url(document), form_data(document, columns=chosen))
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).columns == []
    assert [key for key, _h in table_headings(client.get(preview_url(document)).text)] == DEFAULT_A


def test_invalid_input_is_400_keeping_everything_typed(client, staff_a, document):
    client.force_login(staff_a)
    data = form_data(document, title="ก" * 501, signer_name="นายพิมพ์ค้าง", month_style="weekly")
    data["col-steps-heading"] = "หัวตารางที่พิมพ์"
    data["col-output-position"] = "0"
    response = client.post(settings_url(document), data)
    assert response.status_code == 400
    assert 'value="นายพิมพ์ค้าง"' in response.text and 'value="หัวตารางที่พิมพ์"' in response.text
    assert response.text.count("invalid-feedback") >= 3  # title, month style, position
    assert Document.objects.get(pk=document.pk).signer_name == "นางสาวสมหญิง ใจดี"


# --- month style --------------------------------------------------------------------------------------

def test_month_style_changes_the_timeline_in_the_preview(client, staff_a, document):
    client.force_login(staff_a)
    assert "ต.ค. ๖๗ – มี.ค. ๖๘" in client.get(preview_url(document)).text
    assert client.post(settings_url(document), form_data(document, month_style="full")).status_code == 302
    preview = client.get(preview_url(document)).text
    assert "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘" in preview and "ต.ค. ๖๗" not in preview
    document.refresh_from_db()
    assert client.post(settings_url(document), form_data(document, month_style="abbr")).status_code == 302
    assert "ต.ค. ๖๗ – มี.ค. ๖๘" in client.get(preview_url(document)).text


# --- workflow and locking --------------------------------------------------------------------------------

def test_submitted_document_is_read_only_and_post_refused(client, staff_a, document):
    submit_document(document, actor=staff_a, notify=False)
    document.refresh_from_db()
    client.force_login(staff_a)
    page = client.get(settings_url(document))
    assert page.status_code == 200
    assert "data-read-only" in page.text and "data-save" not in page.text
    assert re.search(r'name="title"[^>]*disabled', page.text)
    assert re.search(r'name="col-measure-heading"[^>]*disabled', page.text)

    response = client.post(settings_url(document), form_data(document, title="แก้หลังส่งแล้ว"))
    assert response.status_code == 409
    assert escape(gettext("The document is %(status)s, so its settings can no longer be changed.")
                  % {"status": DocumentStatus.SUBMITTED.label}) in response.text
    assert 'value="แก้หลังส่งแล้ว"' in response.text  # what was typed is still there to copy
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "" and fresh.status == DocumentStatus.SUBMITTED and fresh.version == document.version


def test_stale_version_is_409_keeping_the_input(client, staff_a, approver_a, document):
    client.force_login(staff_a)
    loaded_version = document.version
    # Someone else saves meanwhile.
    save_document_settings(document, data={"signer_name": "นายคนอื่น แก้ก่อน"}, expected_version=loaded_version,
                           actor=approver_a)
    data = form_data(document, version=str(loaded_version), title="ชื่อเรื่องของฉัน", signer_name="นายของฉัน")
    response = client.post(settings_url(document), data)
    assert response.status_code == 409
    message = gettext("Someone changed this document after you opened it. Your settings were not saved; they "
                      "are still in the form below. Compare them with the current settings and save again.")
    assert "data-conflict" in response.text and escape(message) in response.text
    assert 'value="ชื่อเรื่องของฉัน"' in response.text and 'value="นายของฉัน"' in response.text
    assert "นายคนอื่น แก้ก่อน" in response.text  # the current settings are shown
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "" and fresh.signer_name == "นายคนอื่น แก้ก่อน" and fresh.version == loaded_version + 1
    # Having seen them, the user saves theirs over them.
    data["confirm_version"] = str(fresh.version)
    assert client.post(settings_url(document), data).status_code == 302
    fresh.refresh_from_db()
    assert (fresh.title, fresh.signer_name, fresh.version) == ("ชื่อเรื่องของฉัน", "นายของฉัน", loaded_version + 2)


def test_service_refuses_non_draft_and_stale_and_bumps_version(staff_a, document):
    saved = save_document_settings(document, data={"title": "  ชื่อใหม่  ", "columns": ["output", "measure"]},
                                   expected_version=document.version, actor=staff_a)
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "ชื่อใหม่" and fresh.columns == [{"key": "output"}, {"key": "measure"}]
    assert saved.version == fresh.version == 2
    with pytest.raises(StaleDocument):
        save_document_settings(document, data={"title": "เก่า"}, expected_version=1, actor=staff_a)
    with pytest.raises(WorkflowError) as unknown:
        save_document_settings(fresh, data={"columns": [{"key": "nope"}]}, expected_version=2, actor=staff_a)
    assert unknown.value.code == "columns"
    submit_document(fresh, actor=staff_a, notify=False)
    with pytest.raises(WorkflowError) as refused:
        save_document_settings(fresh, data={"title": "หลังส่ง"}, expected_version=3, actor=staff_a)
    assert refused.value.code == "status" and not isinstance(refused.value, StaleDocument)
    assert Document.objects.get(pk=document.pk).title == "ชื่อใหม่"


def test_measures_plan_offers_only_plan_layouts_and_no_columns(client, staff_a, org_a):
    plan = DocumentFactory(organisation=org_a, kind=DocumentKind.MEASURES, round=0)
    client.force_login(staff_a)
    page = client.get(settings_url(plan))
    assert page.status_code == 200
    offered = re.findall(r'<option value="([A-Z]?)"', page.text)
    assert offered == ["E", "F", "D"] and "data-columns" not in page.text
    assert '<option value="E" selected>' in page.text  # a new plan prints in E
    assert 'placeholder="มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"' in page.text
    # A progress layout is refused with a Thai error, keeping what was typed.
    response = client.post(settings_url(plan), form_data(plan, intro="คำนำของแผน", layout="B"))
    assert response.status_code == 400
    assert "ไม่สามารถพิมพ์เอกสารประเภทนี้ได้ครบ" in response.text and "คำนำของแผน" in response.text
    plan.refresh_from_db()
    assert plan.intro == "" and plan.layout == ""
    response = client.post(settings_url(plan), form_data(plan, intro="คำนำของแผน", layout="F"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.intro == "คำนำของแผน" and plan.layout == "F" and plan.columns == []


# --- access ---------------------------------------------------------------------------------------------

def test_other_organisation_gets_404(client, staff_b, document):
    client.force_login(staff_b)
    assert client.get(settings_url(document)).status_code == 404
    assert client.post(settings_url(document), form_data(document, title="บุกรุก")).status_code == 404
    assert Document.objects.get(pk=document.pk).title == ""


def test_anonymous_is_sent_to_sign_in(client, document):
    response = client.get(settings_url(document))
    assert response.status_code == 302 and "login" in response["Location"]
