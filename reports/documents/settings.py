"""The settings of a draft document: title, foreword, opening text, layout (of a progress report or a
measures plan, among the layouts its kind may use), the columns of layout A, digits, month style and
signer; and what each layout leaves out of what staff typed (``layout_notes``). The forms of the
settings page and the one service that saves them.

    save_document_settings(document, data=..., expected_version=..., actor=...)

is atomic, refuses a document that is no longer a draft (WorkflowError, code "status") and a save from
an outdated page (StaleDocument), and moves ``Document.version`` on with a conditional UPDATE (the same
lock as measures.services.save_measure). Views never write the document themselves.

``Document.columns`` (layout A only) is a list of ``{"key": ..., "heading": ...}`` in print order; the
heading is there only when it differs from the default heading of the key; ``[]`` means the layout's
own columns (measures.layouts.LAYOUTS["A"]).
"""
from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures import layouts
from measures.layouts import layouts_for, left_out_fields, resolve_columns, validate_columns
from orgs.access import role_of

from ..models import Document, DocumentKind, DocumentStatus, Layout, MonthStyle
from ..workflow.rules import StaleDocument, WorkflowError
from .data import default_signer_role, effective_layout

# The fields the settings page writes (layout for the kinds with layouts, columns only for a progress
# report).
SETTINGS_FIELDS = (
    "title", "intro", "preamble", "layout", "arabic_digits", "month_style", "columns",
    "signer_name", "signer_position", "signer_role",
)
PROGRESS_ONLY = ("columns",)

TEXT_FIELDS = ("title", "intro", "preamble", "signer_name", "signer_position", "signer_role")

MAX_POSITION = 99


def default_a_keys() -> list[str]:
    return layouts.layout_keys(Layout.A)


# --- columns of layout A --------------------------------------------------------------------------

def normalise_columns(value) -> list[dict]:
    """``Document.columns`` as [{"key", "heading"}] with the heading only when it is not the default
    one; [] when the value is empty or unusable (the layout's defaults)."""
    if not value or validate_columns(value):
        return []
    out = []
    for item in value:
        key, heading = (item, "") if isinstance(item, str) else (item.get("key"), item.get("heading") or "")
        heading = " ".join(heading.split())
        column = {"key": key}
        if heading and heading != layouts.column(key).heading:
            column["heading"] = heading
        out.append(column)
    return out


def columns_value(shown: list[tuple[str, str]]) -> list:
    """The ``Document.columns`` value of the shown (key, heading) pairs in print order: [] when they are
    exactly layout A's default columns with their default headings."""
    columns = []
    for key, heading in shown:
        heading = " ".join((heading or "").split())
        column = {"key": key}
        if heading and heading != layouts.column(key).heading:
            column["heading"] = heading
        columns.append(column)
    if [c["key"] for c in columns] == default_a_keys() and not any("heading" in c for c in columns):
        return []
    return columns


class ColumnsForm(forms.Form):
    """One row per column key: ``col-<key>-show`` (checkbox), ``col-<key>-position`` (number) and
    ``col-<key>-heading`` (text; empty = the default heading). ``cleaned_data["columns"]`` is the value
    for ``Document.columns``."""

    def __init__(self, document: Document, data=None):
        super().__init__(data, prefix="col")
        stored = normalise_columns(document.columns)
        shown = stored or [{"key": key} for key in default_a_keys()]
        shown_keys = [c["key"] for c in shown]
        # Rows: the shown columns in their order, then the others in the order of measures.layouts.COLUMNS.
        self.keys = shown_keys + [key for key in layouts.COLUMNS if key not in shown_keys]
        headings = {c["key"]: c.get("heading", "") for c in shown}
        for number, key in enumerate(self.keys, start=1):
            default = layouts.column(key).heading
            self.fields[f"{key}-show"] = forms.BooleanField(
                label=gettext_lazy("Show"), required=False, initial=key in shown_keys,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input", "data-column-show": key}),
            )
            self.fields[f"{key}-position"] = forms.IntegerField(
                label=gettext_lazy("Position"), required=False, min_value=1, max_value=MAX_POSITION,
                initial=number,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "style": "width: 5rem"}),
            )
            self.fields[f"{key}-heading"] = forms.CharField(
                label=gettext_lazy("Heading"), required=False, max_length=300, initial=headings.get(key, ""),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": default}),
            )

    def rows(self) -> list[dict]:
        """The rows for the template, in display order."""
        return [
            {"key": key, "default": layouts.column(key).heading, "show": self[f"{key}-show"],
             "position": self[f"{key}-position"], "heading": self[f"{key}-heading"]}
            for key in self.keys
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        chosen = []
        for index, key in enumerate(self.keys):
            if cleaned.get(f"{key}-show"):
                position = cleaned.get(f"{key}-position")
                # Without a position a column goes after the numbered ones; ties keep the row order.
                chosen.append((position if position is not None else MAX_POSITION + 1, index, key))
        if not chosen:
            raise forms.ValidationError(_("Show at least one column."), code="no_columns")
        chosen.sort()
        cleaned["columns"] = columns_value([(key, cleaned.get(f"{key}-heading", "")) for _p, _i, key in chosen])
        return cleaned


# --- the other settings ---------------------------------------------------------------------------

def _text(label, max_length=None, *, rows=None, help_text=""):
    if rows:
        widget = forms.Textarea(attrs={"class": "form-control", "rows": rows})
    else:
        widget = forms.TextInput(attrs={"class": "form-control"})
    return forms.CharField(label=label, required=False, max_length=max_length, widget=widget, help_text=help_text,
                           strip=True)


class DocumentSettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = _text(gettext_lazy("title"), 500, help_text=gettext_lazy(
        "Empty: the standard title (shown greyed in the box)."))
    intro = _text(gettext_lazy("foreword"), rows=6, help_text=gettext_lazy(
        "Paragraphs separated by an empty line."))
    preamble = _text(gettext_lazy("opening text"), rows=4, help_text=gettext_lazy(
        "The paragraphs before the table; separated by an empty line."))
    layout = forms.ChoiceField(
        label=gettext_lazy("layout"), required=False, widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy(
            "Layout %(value)s cannot print this kind of document in full; choose one of the layouts listed.")},
    )
    arabic_digits = forms.BooleanField(label=gettext_lazy("Arabic digits"), required=False,
                                       widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    month_style = forms.ChoiceField(label=gettext_lazy("month style"), choices=MonthStyle.choices,
                                    widget=forms.Select(attrs={"class": "form-select"}),
                                    help_text=gettext_lazy("How the timeline column writes months."))
    signer_name = _text(gettext_lazy("signer name"), 200)
    signer_position = _text(gettext_lazy("signer position"), 200)
    signer_role = _text(gettext_lazy("signer role"), 100)

    def __init__(self, document: Document, data=None, *, standard_title: str = ""):
        initial = {name: getattr(document, name) for name in SETTINGS_FIELDS if name != "columns"}
        initial["version"] = document.version
        super().__init__(data, initial=initial)
        self.document = document
        self.fields["title"].widget.attrs["placeholder"] = standard_title
        self.fields["signer_role"].help_text = _("Empty: %(role)s (the usual label of this kind of document).") % {
            "role": default_signer_role(document.kind)}
        offered = layouts_for(document.kind)
        labels = dict(Layout.choices)
        if document.kind == DocumentKind.PROGRESS:
            default = document.organisation.default_layout
            default = default if default in offered else layouts.default_layout(document.kind)
            self.fields["layout"].choices = [
                ("", _("Organisation default (%(layout)s)") % {"layout": default}),
                *((value, labels[value]) for value in offered),
            ]
        elif offered:
            # A measures plan: one of its layouts; a plan without its own layout prints in the default.
            self.fields["layout"].choices = [(value, labels[value]) for value in offered]
            self.initial["layout"] = effective_layout(document)
        else:
            del self.fields["layout"]

    def settings_data(self) -> dict:
        """The cleaned values for save_document_settings (without columns)."""
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS if name in self.cleaned_data}

    def make_read_only(self) -> None:
        """Every input disabled in the page (a document that is no longer a draft); bound values stay."""
        for field in self.fields.values():
            field.widget.attrs["disabled"] = True


def disable_columns(form: ColumnsForm) -> None:
    for field in form.fields.values():
        field.widget.attrs["disabled"] = True


# --- saving -----------------------------------------------------------------------------------------

def _clean_values(document: Document, data: dict) -> dict:
    values = {}
    for name in SETTINGS_FIELDS:
        if name not in data:
            continue
        if name in PROGRESS_ONLY and document.kind != DocumentKind.PROGRESS:
            continue
        value = data[name]
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        elif name == "layout":
            if not layouts_for(document.kind):
                continue  # an analysis has no table, so no layout
            value = value or ""
            if value and value not in layouts_for(document.kind):
                raise WorkflowError(
                    _("Layout %(layout)s cannot print this kind of document in full; choose one of the "
                      "layouts listed.") % {"layout": value}, "layout")
        elif name == "month_style":
            if value not in MonthStyle.values:
                raise WorkflowError(_("Unknown month style."), "month_style")
        elif name == "arabic_digits":
            value = bool(value)
        elif name == "columns":
            value = value or []
            if validate_columns(value):
                raise WorkflowError(_("The table columns are not valid."), "columns")
            value = normalise_columns(value)
            keys = [c["key"] for c in value]
            if len(keys) != len(set(keys)):
                raise WorkflowError(_("The table columns are not valid."), "columns")
        values[name] = value
    if values.get("signer_role") == "":
        values["signer_role"] = default_signer_role(document.kind)
    return values


def save_document_settings(document: Document, *, data: dict, expected_version: int, actor) -> Document:
    """Write the settings in ``data`` (any of SETTINGS_FIELDS; the layout one of ``layouts_for`` the
    document's kind, columns only for a progress report) to a draft document. ``expected_version`` is
    the version the page was loaded with.

    Raises WorkflowError (code "status") when the document is no longer a draft, StaleDocument (the
    current document attached) when its version has moved on; nothing is written then. Returns the
    document with the new values and version."""
    if role_of(actor, document.organisation) is None:
        raise WorkflowError(_("You are not a member of this organisation."), "not_member")
    values = _clean_values(document, data)
    with transaction.atomic():
        current = Document.objects.select_for_update().select_related("organisation").get(pk=document.pk)
        if current.status != DocumentStatus.DRAFT:
            raise WorkflowError(
                _("The document is %(status)s now, so its settings can no longer be changed.")
                % {"status": current.get_status_display()},
                "status",
            )
        # The conditional UPDATE is the lock: of two saves from the same version only one matches.
        claimed = Document.objects.filter(
            pk=document.pk, version=expected_version, status=DocumentStatus.DRAFT,
        ).update(version=F("version") + 1, updated_at=timezone.now(), **values)
        if not claimed:
            raise StaleDocument(
                _("Someone changed this document after you opened it. Your settings were not saved; they "
                  "are still in the form below. Compare them with the current settings and save again."),
                current=current,
            )
    for name, value in values.items():
        setattr(document, name, value)
    document.version = expected_version + 1
    document.status = DocumentStatus.DRAFT
    return document


# --- what a layout leaves out -----------------------------------------------------------------------

def layout_notes(document: Document) -> list[dict]:
    """For each layout the document may use: {"layout", "label", "current", "left_out": [Thai labels]},
    the typed fields of its kind that the layout does not print (layout A with the document's own
    columns). ``current`` marks the layout the document prints in now."""
    current = effective_layout(document)
    columns = None
    if not validate_columns(document.columns) and document.columns:
        columns = resolve_columns(Layout.A, document.columns)
    labels = dict(Layout.choices)
    notes = []
    for layout in layouts_for(document.kind):
        left_out = left_out_fields(document.kind, layout, columns if layout == Layout.A else None)
        notes.append({
            "layout": layout, "label": labels[layout], "current": layout == current,
            "left_out": [str(layouts.TYPED_FIELDS[field]) for field in left_out],
        })
    return notes
