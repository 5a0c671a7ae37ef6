"""Import measures from an existing document (pasted table text, DOCX or XLSX), in two steps: a preview
of what will be created (with every cell that could not be placed), then the confirmation. Nothing is
saved before the confirmation; the import itself is atomic (measures.importing.apply_import).

Between the two steps pasted text travels in the form; an uploaded file is kept in storage under
imports/<org id>/<random name> and named in a signed field, and deleted after the confirmation."""
from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from orgs.access import org_member_required

from core.thai import to_thai_digits

from .importing import ImportRefused, apply_import, read_import
from .views import _check_year

SIGNING_SALT = "measures.import"
ROUNDS = [("", gettext_lazy("Measures only")), ("6", gettext_lazy("6 months")), ("12", gettext_lazy("12 months")),
          ("3", gettext_lazy("3 months")), ("9", gettext_lazy("9 months"))]


class ImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Pasted table"), required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace"}),
        help_text=gettext_lazy("Copy the table from Word or from a PDF, headings included, and paste it here."),
    )
    file = forms.FileField(
        label=gettext_lazy("or a file"), required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".docx,.xlsx,.txt"}),
        help_text=gettext_lazy("Word (.docx) or Excel (.xlsx), at most 10 MB."),
    )
    round = forms.ChoiceField(
        label=gettext_lazy("Also fill the progress report of round"), choices=ROUNDS, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    stored = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("file") and not cleaned.get("stored"):
            raise forms.ValidationError(_("Paste a table or choose a file."))
        return cleaned


def _store(org, upload) -> str:
    name = default_storage.save(f"imports/{org.pk}/{uuid.uuid4().hex}", upload)
    return signing.dumps({"org": org.pk, "name": name, "filename": upload.name}, salt=SIGNING_SALT)


def _stored(org, token):
    """(storage name, original file name) of a file kept between preview and confirmation."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=6 * 3600)
    except signing.BadSignature:
        raise ImportRefused(_("The uploaded file has expired; choose it again.")) from None
    if data.get("org") != org.pk or not default_storage.exists(data["name"]):
        raise ImportRefused(_("The uploaded file has expired; choose it again."))
    return data["name"], data.get("filename") or "upload"


def _read(org, form):
    cleaned = form.cleaned_data
    fresh = bool(cleaned.get("file"))
    if fresh:
        token = _store(org, cleaned["file"])
        name, filename = _stored(org, token)
    elif cleaned.get("stored"):
        token = cleaned["stored"]
        name, filename = _stored(org, token)
    else:
        return read_import(text=cleaned["text"]), ""
    try:
        with default_storage.open(name, "rb") as fh:
            return read_import(upload=File(fh, name=filename)), token
    except ImportRefused:
        if fresh:  # a refused upload is not kept: nothing will ever name it again
            default_storage.delete(name)
        raise


@org_member_required()
def import_measures(request, org_slug, fiscal_year):
    _check_year(fiscal_year)
    org = request.org
    context = {"nav": "measures", "fiscal_year": fiscal_year}
    if request.method != "POST":
        return render(request, "measures/import.html", {**context, "form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "measures/import.html", {**context, "form": form}, status=400)
    round_ = int(form.cleaned_data["round"]) if form.cleaned_data.get("round") else None
    try:
        preview, token = _read(org, form)
        if request.POST.get("step") != "confirm":
            return render(request, "measures/import.html", {
                **context, "form": form, "preview": preview, "stored": token, "round": round_ or "",
            })
        result = apply_import(org, fiscal_year, preview, round=round_, actor=request.user)
    except ImportRefused as exc:
        form.add_error(None, exc.message)
        return render(request, "measures/import.html", {**context, "form": form}, status=400)
    if token:
        default_storage.delete(_stored(org, token)[0])
    messages.success(request, to_thai_digits(ngettext(
        "%(count)d measure was imported.", "%(count)d measures were imported.", len(result.measures),
    ) % {"count": len(result.measures)}))
    if result.document is not None:
        messages.info(request, _("Their results were filled in the progress report."))
    return redirect(reverse("measures:list", args=[org.slug, fiscal_year]))
