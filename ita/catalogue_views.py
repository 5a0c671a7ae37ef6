"""/w/catalogue/: an installation administrator (superuser) loads or replaces assessment years'
catalogues from the CSV files of ita/catalogue/ (a zip of them, or the files themselves), in two steps:
a preview of what changes, then the atomic apply (ita/catalogue_changes.py, the same service as
``load_ita_catalogue``). Others: 404 (signed in) or the sign-in page.

Between the two steps the files are kept in storage under catalogue-uploads/<random>.zip, named in a
signed field bound to the user; the apply reads and checks them again, and deletes them."""
from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.thai import to_thai_digits
from orgs.access import superuser_required

from . import catalogue_changes as changes
from .models import AssessmentYear

SIGNING_SALT = "ita.catalogue-upload"
MAX_AGE = 6 * 3600


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "accept": ".zip,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Catalogue files"), required=False,
        help_text=gettext_lazy("A zip of the CSV files, or the six CSV files together (years.csv, tools.csv, "
                               "tool_weights.csv, indicators.csv, sub_indicators.csv, oit_items.csv)."),
    )
    stored = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("files") and not cleaned.get("stored"):
            raise forms.ValidationError(_("Choose the catalogue files."))
        return cleaned


def _store(user, files: dict[str, bytes]) -> str:
    name = default_storage.save(f"catalogue-uploads/{uuid.uuid4().hex}.zip", ContentFile(changes.to_zip(files)))
    return signing.dumps({"user": user.pk, "name": name}, salt=SIGNING_SALT)


def _stored_name(user, token: str) -> str:
    expired = changes.CatalogueError(_("The uploaded files have expired; choose them again."))
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if data.get("user") != user.pk or not default_storage.exists(data.get("name", "")):
        raise expired
    return data["name"]


def _stored_files(name: str) -> dict[str, bytes]:
    with default_storage.open(name, "rb") as fh:
        return changes.read_upload([_Upload(fh.read())])


class _Upload:
    """The stored zip, read like an uploaded file."""

    name = "catalogue.zip"

    def __init__(self, data: bytes):
        self.data, self.size = data, len(data)

    def read(self):
        return self.data


def _years():
    return list(AssessmentYear.objects.order_by("-year").annotate(
        items=Count("oit_items", filter=Q(oit_items__retired=False), distinct=True),
        answered=Count("oit_items", filter=Q(oit_items__retired=False) & ~Q(oit_items__portal_documents=""),
                       distinct=True),
    ))


def _page(request, form, status=200, **context):
    return render(request, "ita/catalogue_upload.html", {"form": form, "years": _years(), **context}, status=status)


def _download(year_text: str) -> HttpResponse:
    """?download=<year>: the year's files as a zip, to edit (e.g. when the manual comes out) and upload."""
    year = AssessmentYear.objects.filter(year=year_text).first() if year_text.isdigit() else None
    if year is None:
        raise Http404
    response = HttpResponse(changes.to_zip(changes.export_year(year)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ita-catalogue-{year.year}.zip"'
    return response


@superuser_required
def catalogue_upload(request):
    if request.method != "POST":
        if "download" in request.GET:
            return _download(request.GET["download"])
        return _page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    token = form.cleaned_data.get("stored") or ""
    try:
        if form.cleaned_data.get("files"):
            files = changes.read_upload(form.cleaned_data["files"])
            catalogue = changes.parse(files)
            token = _store(request.user, files)
        else:
            name = _stored_name(request.user, token)
            catalogue = changes.parse(_stored_files(name))  # checked again: the apply trusts nothing
        if request.POST.get("step") != "apply":
            return _page(request, UploadForm(), preview=changes.preview(catalogue), stored=token)
        stats = changes.apply(catalogue)
    except changes.CatalogueError as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    default_storage.delete(_stored_name(request.user, token))
    years = ", ".join(to_thai_digits(y) for y in sorted(catalogue.years))
    if stats.changed:
        messages.success(request, _("The catalogue of %(years)s has been loaded.") % {"years": years})
    else:
        messages.info(request, _("The catalogue of %(years)s was already up to date.") % {"years": years})
    return redirect("ita_catalogue")
