"""The settings of a draft document (title, texts, layout, columns of layout A, digits, month style,
signer): /w/<org>/documents/<pk>/settings/. Any member of the organisation; editable only while the
document is a draft, read-only otherwise. Saving goes through
reports.documents.settings.save_document_settings (the view never writes the document).

Responses: a valid save redirects to the document page with a message; invalid input 400; a document
that is no longer a draft, or a save from an outdated page, 409. What was typed is always kept.
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from measures.layouts import resolve_columns, validate_columns
from orgs.access import org_member_required

from .settings import (
    ColumnsForm, DocumentSettingsForm, disable_columns, layout_notes, save_document_settings,
)
from ..models import Document, DocumentKind, Layout
from ..workflow.rules import StaleDocument, WorkflowError
from .data import effective_layout, standard_title_lines


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _conflict_rows(current: Document) -> list[dict]:
    """What the current (saved meanwhile) settings say, for the conflict panel."""
    rows = [
        {"label": _("title"), "value": current.title or _("(the standard title)")},
        {"label": _("foreword"), "value": current.intro},
        {"label": _("opening text"), "value": current.preamble},
    ]
    if current.kind == DocumentKind.MEASURES:
        rows.append({"label": _("layout"), "value": dict(Layout.choices)[effective_layout(current)]})
    if current.kind == DocumentKind.PROGRESS:
        rows.append({"label": _("layout"),
                     "value": current.get_layout_display() if current.layout else _("Organisation default")})
        columns = resolve_columns(Layout.A, current.columns if not validate_columns(current.columns) else None)
        rows.append({"label": _("Columns of layout A"), "value": " | ".join(c["heading"] for c in columns)})
    rows += [
        {"label": _("Arabic digits"), "value": _("yes") if current.arabic_digits else _("no")},
        {"label": _("month style"), "value": current.get_month_style_display()},
        {"label": _("signer name"), "value": current.signer_name},
        {"label": _("signer position"), "value": current.signer_position},
        {"label": _("signer role"), "value": current.signer_role},
    ]
    return rows


def _render(request, document, form, columns_form, *, editable, conflict=None, status=200):
    if not editable:
        form.make_read_only()
        if columns_form is not None:
            disable_columns(columns_form)
    context = {
        "nav": "documents",
        "document": document,
        "fiscal_year": document.fiscal_year,
        "form": form,
        "columns_form": columns_form,
        "editable": editable,
        "conflict": conflict,
        "conflict_rows": _conflict_rows(conflict) if conflict is not None else [],
        "layout_notes": layout_notes(document),
    }
    return render(request, "reports/settings.html", context, status=status)


@org_member_required()
def document_settings(request, org_slug, pk):
    document = get_object_or_404(Document.objects.for_org(request.org).select_related("organisation"), pk=pk)
    standard_title = " ".join(standard_title_lines(document))
    progress = document.kind == DocumentKind.PROGRESS

    if request.method != "POST":
        form = DocumentSettingsForm(document, standard_title=standard_title)
        columns_form = ColumnsForm(document) if progress else None
        return _render(request, document, form, columns_form, editable=document.is_draft)

    data = request.POST.copy()
    # "Save mine anyway" on the conflict panel carries the version the user has now seen.
    confirmed = _int_or_none(data.get("confirm_version"))
    if confirmed is not None:
        data["version"] = str(confirmed)
    form = DocumentSettingsForm(document, data, standard_title=standard_title)
    columns_form = ColumnsForm(document, data) if progress else None

    if not document.is_draft:
        messages.error(request, _("The document is %(status)s, so its settings can no longer be changed.")
                       % {"status": document.get_status_display()})
        return _render(request, document, form, columns_form, editable=False, status=409)

    valid = all([form.is_valid(), columns_form is None or columns_form.is_valid()])
    if not valid:
        messages.error(request, _("The settings were not saved. Please correct the errors below."))
        return _render(request, document, form, columns_form, editable=True, status=400)

    values = form.settings_data()
    if columns_form is not None:
        values["columns"] = columns_form.cleaned_data["columns"]
    try:
        save_document_settings(document, data=values, expected_version=form.cleaned_data["version"],
                               actor=request.user)
    except StaleDocument as exc:
        messages.error(request, exc.message)
        return _render(request, document, form, columns_form, editable=True, conflict=exc.current, status=409)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        document.refresh_from_db()
        return _render(request, document, form, columns_form, editable=False, status=409)
    messages.success(request, _("The document settings were saved. The preview on the document page shows "
                                "the result."))
    return redirect("reports:detail", org_slug, document.pk)
