"""/w/installation/organisations/: the installation administrators (Django superusers; everyone else
gets 404, anonymous users the sign-in page) list the organisations, add one, import many from a CSV of
the national list (a preview, then the atomic apply: orgs/organisations.py) and invite each
organisation's first administrator (orgs/invitations.py).

Between the preview and the apply the CSV travels in a signed, compressed hidden field bound to the user
(no file is kept); the apply checks every row again."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import RefusedChange
from core.thai import to_thai_digits
from .access import superuser_required

from . import invitations
from . import organisations as service
from .forms import InviteForm
from .models import Invitation, InvitationStatus, Organisation, OrganisationKind, Role, validate_not_reserved
from .views import sent_message

PER_PAGE = 50
SIGNING_SALT = "orgs.organisation-import"
MAX_AGE = 6 * 3600


class OrganisationAddForm(forms.ModelForm):
    website = forms.URLField(
        label=capfirst(Organisation._meta.get_field("website").verbose_name), required=False, assume_scheme="https"
    )
    slug = forms.SlugField(
        label=capfirst(Organisation._meta.get_field("slug").verbose_name), required=False, max_length=60,
        validators=[validate_not_reserved],
        help_text=gettext_lazy("Leave empty to take it from the website (www.phaktob.go.th → phaktob)."),
    )

    class Meta:
        model = Organisation
        fields = ["code", "kind", "name", "district", "province", "website", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = True
        self.fields["kind"].choices = [c for c in OrganisationKind.choices if c[0] != OrganisationKind.OTHER]

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "code", "slug"}  # the service checks both, at the field

    def validate_unique(self):
        pass  # the service says it, in one place


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of organisations"), required=False, allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )
    stored = forms.CharField(required=False, widget=forms.HiddenInput)


def _sign(user, data: bytes) -> str:
    return signing.dumps({"user": user.pk, "csv": data.decode("latin-1")}, salt=SIGNING_SALT, compress=True)


def _unsign(user, token: str) -> bytes:
    expired = service.OrgImportError([_("The uploaded file has expired; choose it again.")])
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if data.get("user") != user.pk:
        raise expired
    return data["csv"].encode("latin-1")


@superuser_required
def organisations(request):
    q = request.GET.get("q", "").strip()
    queryset = Organisation.objects.annotate(
        admins=Count("memberships", filter=Q(memberships__role=Role.ADMIN, memberships__is_active=True),
                     distinct=True),
        pending=Count("invitations", filter=Q(invitations__status=InvitationStatus.PENDING), distinct=True),
    ).order_by("province", "district", "name")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(province__icontains=q)
                                   | Q(district__icontains=q) | Q(slug__iexact=q))
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orgs/installation/organisations.html", {
        "page_obj": page, "q": q, "total": Organisation.objects.count(),
    })


@superuser_required
def organisation_add(request):
    form = OrganisationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = service.create_organisation(actor=request.user, **form.cleaned_data)
        except RefusedChange as exc:
            form.add_error("slug" if exc.code == "slug" else "code", exc.message)
        except ValidationError as exc:  # full_clean of the model
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("%(name)s has been added. Invite its first administrator.")
                             % {"name": org.name})
            return redirect("installation:organisation_invite", org.pk)
    return render(request, "orgs/installation/organisation_add.html", {"form": form},
                  status=400 if form.is_bound else 200)


@superuser_required
def organisation_import(request):
    if request.method != "POST":
        return render(request, "orgs/installation/organisation_import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if form.is_valid():
        upload, token = form.cleaned_data.get("file"), form.cleaned_data.get("stored") or ""
        try:
            if upload:
                if upload.size > service.MAX_BYTES:
                    raise service.OrgImportError([_("The file is too large (at most 5 MB).")])
                data = upload.read()
                token = _sign(request.user, data)
            elif token:
                data = _unsign(request.user, token)
            else:
                raise service.OrgImportError([_("Choose the CSV file.")])
            rows = service.parse_csv(data)  # checked again before the apply: the apply trusts nothing
            if request.POST.get("step") != "apply":
                preview = service.preview(rows)
                counts = {action: sum(1 for p in preview if p.action == action)
                          for action in (service.NEW, service.CHANGED, service.UNCHANGED)}
                return render(request, "orgs/installation/organisation_import.html", {
                    "form": ImportForm(), "stored": token, "counts": counts,
                    # unchanged rows are only counted: the national list is ~7,850 rows
                    "preview": [p for p in preview if p.action != service.UNCHANGED] or None,
                    "nothing_to_do": counts[service.NEW] + counts[service.CHANGED] == 0,
                })
            stats = service.apply_rows(rows, actor=request.user)
        except service.OrgImportError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Import done: %(created)s added, %(updated)s updated, %(unchanged)s "
                                        "unchanged.") % {"created": to_thai_digits(stats.created),
                                                         "updated": to_thai_digits(stats.updated),
                                                         "unchanged": to_thai_digits(stats.unchanged)})
            return redirect("installation:organisations")
    return render(request, "orgs/installation/organisation_import.html", {"form": form, "errors": errors},
                  status=400)


@superuser_required
def organisation_invite(request, pk):
    """Invite an administrator of the organisation (its first one, typically)."""
    org = get_object_or_404(Organisation, pk=pk)
    form = InviteForm(request.POST or None, fixed_role=Role.ADMIN)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, sent = invitations.invite(org, actor=request.user, **form.cleaned_data)
        except RefusedChange as exc:
            form.add_error("email", exc.message)
        else:
            sent_message(request, sent, invitation.email)
            return redirect("installation:organisation_invite", org.pk)
    admins = org.memberships.filter(role=Role.ADMIN, is_active=True).select_related("user")
    return render(request, "orgs/installation/organisation_invite.html", {
        "organisation": org, "form": form, "admins": admins, "now": timezone.now(),
        "invitations": Invitation.objects.pending().filter(organisation=org).select_related("invited_by"),
    }, status=400 if form.is_bound else 200)
