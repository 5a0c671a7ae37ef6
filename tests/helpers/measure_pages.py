"""What the measures pages' tests share (tests/test_measures_pages.py, tests/test_measure_form.py): OIT items
and documents as those tests make them, the form and formset data of a measure, the HTML-escaped Thai text of
a message, the address of a measures page. Their fixtures ``measure_a`` and ``small_catalogue`` are in
tests/conftest.py."""
import re

import factory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ita.models import OITItem
from reports.models import Document, DocumentKind, DocumentStatus

from ..factories import AssessmentYearFactory


class OITItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OITItem

    year = factory.SubFactory(AssessmentYearFactory)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"O{o.number}")
    title = factory.Sequence(lambda n: f"รายการ OIT ที่ {n + 1}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    fiscal_year = 2568
    kind = DocumentKind.PROGRESS
    round = 6
    revision = factory.Sequence(lambda n: n + 1)
    status = DocumentStatus.DRAFT


def th(message):
    """A message as the Thai page shows it (the default language), HTML-escaped: survives translation."""
    with translation.override("th"):
        return escape(translation.gettext(message))


def step_data(steps, prefix="steps"):
    """Formset data for rows (text, level[, label, due_date, id])."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(steps)), f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(steps):
        text, level, label, due, pk = (*row, "", "", "")[:5]
        data.update({
            f"{prefix}-{i}-text": text, f"{prefix}-{i}-level": str(level), f"{prefix}-{i}-label": label or "",
            f"{prefix}-{i}-due_date": due or "", f"{prefix}-{i}-id": str(pk) if pk else "",
        })
    return data


def measure_data(title="มาตรการส่งเสริมการเปิดเผยข้อมูลสาธารณะ", steps=(), **fields):
    data = {
        "group_heading": "", "title": title, "weakness": "", "guideline": "", "responsible_text": "",
        "start_month_0": "", "start_month_1": "", "end_month_0": "", "end_month_1": "",
        "timeline_text": "", "monitoring": "", "report_rounds": ["6", "12"],
    }
    data.update(step_data(steps))
    data.update(fields)
    return data


def is_checked(html, name, value):
    """Whether the page has the checkbox name=value ticked."""
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', html)
    assert tags, f"no checkbox {name}={value}"
    return all(re.search(r"\schecked(\s|>|$)", tag) for tag in tags)


def url(name, *args):
    return reverse(f"measures:{name}", args=args)
