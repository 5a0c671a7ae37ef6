from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app (six digits) or, where ``recovery`` is allowed, a recovery code."""

    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "autocapitalize": "off", "spellcheck": "false", "class": "code-input"}),
    )

    def __init__(self, *args, recovery=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            _("The six digits your authenticator app shows now, or one of your recovery codes.") if recovery
            else _("The six digits your authenticator app shows now.")
        )
        if not recovery:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
