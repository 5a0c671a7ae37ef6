"""Numbers inside Thai UI text are in Thai digits ("เลยกำหนด: ๐ ขั้นตอน", "๑๐.๐ MB", row numbers in import
messages), and the Buddhist-era date fields show examples in the form users type, which they parse."""
import re
from datetime import date

from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.forms import BEDateField, BEMonthField
from measures.importing.table import _unplaced
from reports.entries.forms import EntryForm

def test_the_dashboard_counts_steps_in_thai_digits(staff_a, org_a):
    client = Client()
    client.force_login(staff_a)
    html = client.get(reverse("dashboard", args=[org_a.slug])).content.decode()
    assert re.search(r"ครบกำหนดเดือนนี้ \([^)]*\): ๐ ขั้นตอน", html)
    assert "เลยกำหนด: ๐ ขั้นตอน" in html
    steps = re.search(r'<section class="col-12" id="steps".*?</section>', html, re.S).group(0)
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", steps)), "Arabic digits in the steps card"


def test_the_evidence_upload_limit_is_in_thai_digits(settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    with translation.override("th"):
        help_text = str(EntryForm().fields["evidence_file"].help_text)
    assert help_text.endswith("ขนาดไม่เกิน ๑๐\xa0MB"), help_text
    assert not re.search(r"[0-9]", help_text)


def test_import_messages_number_rows_in_thai_digits():
    with translation.override("th"):
        assert _unplaced(12, 3, ["มาตรการ"], "ข้อความ") == "แถวที่ ๑๒ คอลัมน์ ๔: ข้อความ"


class DatesForm(forms.Form):
    day = BEDateField()
    month = BEMonthField()


def test_be_date_fields_show_thai_examples_that_they_parse():
    with translation.override("th"):
        html = str(DatesForm())
        assert 'placeholder="เช่น ๑๔/๑/๒๕๖๘"' in html and 'placeholder="เช่น ๑๐/๒๕๖๗"' in html
        form = DatesForm({"day": "๑๔/๑/๒๕๖๘", "month": "๑๐/๒๕๖๗"})  # the examples, typed as shown
        assert form.is_valid(), form.errors
        assert form.cleaned_data == {"day": date(2025, 1, 14), "month": date(2024, 10, 1)}
        form = DatesForm({"day": "14/1/2025", "month": "x"})
        assert form.errors["day"] == ["ปีที่กรอกดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. เช่น ๒๕๖๘"]
        assert form.errors["month"] == ["กรุณากรอกเดือนในรูปแบบ เดือน/ปี พ.ศ. เช่น ๑๐/๒๕๖๗"]


def test_the_entry_form_dates_show_the_same_examples():
    with translation.override("th"):
        html = str(EntryForm()["activity_start"])
    assert 'placeholder="เช่น ๑๔/๑/๒๕๖๘"' in html
