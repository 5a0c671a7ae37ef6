from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ModelChoiceField
from orgs.models import Division

from .services import URL_MAX


class LinkForm(forms.Form):
    url = forms.CharField(label=_("Address"), max_length=URL_MAX,
                          widget=forms.URLInput(attrs={"placeholder": "https://", "class": "form-control form-control-sm"}))
    title = forms.CharField(label=_("Title"), max_length=300, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))
    title = forms.CharField(label=_("Title"), max_length=300, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


class PasteForm(forms.Form):
    text = forms.CharField(
        label=_("Addresses, one per line"), max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control form-control-sm font-monospace",
                                     "placeholder": "O1 https://www.example.go.th/about\nO2 https://…"}))


class RowForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}))
    division = ModelChoiceField(label=_("Responsible division"), queryset=Division.objects.none(),
                                      required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(organisation=organisation).order_by("order", "name")
        self.fields["division"].empty_label = _("(none)")
        self.fields["division"].error_messages["invalid_choice"] = _("Choose a division of this organisation.")


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))
