"""The OIT register in the workspace: /w/<org>/oit/<year>/ (every item of the year with its answers, their
link health and the readiness figures; quick add of a link per item, paste of many, confirmation by an
approver) and /w/<org>/oit/rows/<pk>/ (one item: note, responsible division, links and files).

Every change goes through oit/services.py; objects are looked up within request.org (else 404).
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.row_urls import ROW, RowUrl
from core.thai import to_thai_digits
from ita.catalogue_queries import catalogue_of, provisional_mark
from orgs.access import has_role, org_member_required
from orgs.models import Role

from . import services
from .forms import ConfirmForm, FileForm, LinkForm, PasteForm, RowForm
from .health import current_assessment_year
from .models import Answer, AnswerKind, Register, RegisterEvent, Row
from .register import readiness, register_to_show, row_views

YEARS_SHOWN = 3


def _check_year(year: int) -> None:
    if not 2500 <= year <= 2700:
        from django.http import Http404

        raise Http404


def _register(request, year: int) -> Register:
    """The register for a change (POST only): created, and its rows brought up to the catalogue."""
    _check_year(year)
    return services.open_register(request.org, year)


def _row(request, pk: int) -> Row:
    return get_object_or_404(Row.objects.select_related("register__organisation", "item", "division"),
                             pk=pk, register__organisation=request.org)


def _answer(request, pk: int) -> Answer:
    return get_object_or_404(Answer.objects.select_related("row__register__organisation"),
                             pk=pk, row__register__organisation=request.org)


def _refusal(request, exc) -> None:
    for line in exc.message.split("\n"):
        messages.error(request, line)


@org_member_required()
def index(request, org_slug):
    return redirect("oit:register", org_slug, current_assessment_year())


def _attach_urls(views, slug) -> None:
    """Each stored row's page and quick-add addresses and each file answer's address, one reverse per
    pattern (core.row_urls)."""
    row_page, quick_add = RowUrl("oit:row", slug, ROW), RowUrl("oit:quick_add", slug, ROW)
    answer_file = RowUrl("oit:answer_file", slug, ROW)
    for view in views:
        if view.row.pk is not None:
            view.row_url, view.quick_add_url = row_page(view.row.pk), quick_add(view.row.pk)
        for answer in view.answers:
            if answer.kind == AnswerKind.FILE:
                answer.file_url = answer_file(answer.pk)


@org_member_required()
def register(request, org_slug, year, paste_form=None, status=200):
    """Reads only: a register never opened, or items new in the catalogue, are shown from memory until a
    POST (``start``, or any change) stores them."""
    _check_year(year)
    catalogue = catalogue_of(year)
    shown = register_to_show(request.org, year, catalogue)
    reg = shown.register
    views = row_views(reg, shown.rows)
    _attach_urls(views, request.org.slug)
    figures = readiness(reg, views)
    current = current_assessment_year()
    previous = Register.objects.filter(organisation=request.org, year=year - 1).exists()
    context = {
        "nav": "oit", "register": reg, "year": year, "views": views, "readiness": figures,
        "provisional": provisional_mark(catalogue.source) if catalogue and catalogue.is_own else (
            {"year": year, "based_on": catalogue.based_on} if catalogue else None),
        "has_catalogue": catalogue is not None,
        "years": [y for y in range(current + 1 - YEARS_SHOWN, current + 1)],
        "can_confirm": reg.pk is not None and has_role(request.membership, Role.APPROVER),
        "complete": shown.complete,
        "confirm_form": ConfirmForm(initial={"version": reg.version}),
        "paste_form": paste_form or PasteForm(),
        "link_form": LinkForm(),
        "can_carry_forward": previous,
        "events": RegisterEvent.objects.filter(register=reg).select_related("actor").order_by("-at", "-pk")[:10]
        if reg.pk is not None else [],
    }
    return render(request, "oit/register.html", context, status=status)


@require_POST
@org_member_required()
def start(request, org_slug, year):
    """Store the register (and the rows of every item of the year's catalogue) that its page showed."""
    _register(request, year)
    return redirect("oit:register", org_slug, year)


@require_POST
@org_member_required()
def quick_add(request, org_slug, pk):
    row = _row(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.add_link(row, url=form.cleaned_data["url"], title=form.cleaned_data["title"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, f"{row.code}: {exc.messages[0]}")
        except services.RegisterError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The link was added to %(item)s.") % {"item": row.code})
    else:
        messages.error(request, f"{row.code}: " + _("Type the address of the page or file (beginning with https:// or http://)."))
    return redirect(f"{_register_url(row)}#row-{row.code}")


def _register_url(row: Row) -> str:
    from django.urls import reverse

    return reverse("oit:register", args=[row.register.organisation.slug, row.register.year])


@require_POST
@org_member_required()
def paste(request, org_slug, year):
    reg = _register(request, year)
    form = PasteForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_pasted(reg, text=form.cleaned_data["text"], actor=request.user)
        except services.RegisterError as exc:
            for line in exc.message.split("\n"):
                form.add_error("text", line)
        else:
            messages.success(request, ngettext("%(n)s link was added.", "%(n)s links were added.", added)
                             % {"n": to_thai_digits(added)})
            return redirect("oit:register", org_slug, year)
    return register(request, org_slug, year, paste_form=form, status=400)


@require_POST
@org_member_required()
def carry_forward(request, org_slug, year):
    reg = _register(request, year)
    try:
        copied = services.carry_forward(reg, actor=request.user)
    except services.RegisterError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, ngettext(
            "%(n)s link of last year was copied; review it.", "%(n)s links of last year were copied; review them.",
            copied) % {"n": to_thai_digits(copied)})
    return redirect("oit:register", org_slug, year)


@require_POST
@org_member_required(Role.APPROVER)
def confirm(request, org_slug, year):
    reg = _register(request, year)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The confirmation could not be read; open the register again."))
        return redirect("oit:register", org_slug, year)
    try:
        services.confirm_register(reg, actor=request.user, expected_version=form.cleaned_data["version"],
                                  comment=form.cleaned_data["comment"])
    except services.RegisterError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The OIT register is confirmed: the public ITAS page shows it now."))
    return redirect("oit:register", org_slug, year)


@org_member_required()
def row(request, org_slug, pk):
    item = _row(request, pk)
    row_form = RowForm(request.POST or None, organisation=request.org,
                       initial={"note": item.note, "division": item.division})
    if request.method == "POST" and row_form.is_valid():
        try:
            services.save_row(item, note=row_form.cleaned_data["note"], division=row_form.cleaned_data["division"],
                              actor=request.user)
        except services.RegisterError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The item has been saved."))
            return redirect("oit:row", org_slug, pk)
    return _row_page(request, item, row_form=row_form, status=400 if request.method == "POST" else 200)


def _row_page(request, item, *, row_form=None, link_form=None, file_form=None, status=200):
    view = next(v for v in row_views(item.register, [item_with_answers(item)]))
    return render(request, "oit/row.html", {
        "nav": "oit", "item": item, "view": view, "register": item.register,
        "row_form": row_form or RowForm(organisation=request.org, initial={"note": item.note, "division": item.division}),
        "link_form": link_form or LinkForm(), "file_form": file_form or FileForm(),
        "checks": {a.pk: list(a.checks.all()[:5]) for a in view.answers if a.kind == AnswerKind.LINK},
    }, status=status)


def item_with_answers(item: Row) -> Row:
    return Row.objects.select_related("item", "division", "register__organisation").prefetch_related(
        "answers").get(pk=item.pk)


def _add_answer(request, org_slug, pk, form, form_name: str, field: str, add, added: str):
    """The row page's "add a link" and "add a file": ``add(item, data)`` stores the answer through
    oit.services; a refused value stays in the form (400), a refused change is a message."""
    item = _row(request, pk)
    if form.is_valid():
        try:
            add(item, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(field, exc.messages[0])
        except services.RegisterError as exc:
            _refusal(request, exc)
            return redirect("oit:row", org_slug, pk)
        else:
            messages.success(request, added % {"item": item.code})
            return redirect("oit:row", org_slug, pk)
    return _row_page(request, item, status=400, **{form_name: form})


@require_POST
@org_member_required()
def add_link(request, org_slug, pk):
    return _add_answer(
        request, org_slug, pk, LinkForm(request.POST), "link_form", "url",
        lambda item, data: services.add_link(item, url=data["url"], title=data["title"], actor=request.user),
        _("The link was added to %(item)s."))


@require_POST
@org_member_required()
def add_file(request, org_slug, pk):
    from reports.entries.evidence import check_upload

    def add(item, data):
        services.add_file(item, upload=data["file"], title=data["title"], actor=request.user,
                          checked=check_upload(data["file"]))

    return _add_answer(request, org_slug, pk, FileForm(request.POST, request.FILES), "file_form", "file", add,
                       _("The file was added to %(item)s."))


@require_POST
@org_member_required()
def change_link(request, org_slug, pk):
    answer = _answer(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid() and answer.kind == AnswerKind.LINK:
        try:
            services.change_link(answer, url=form.cleaned_data["url"], title=form.cleaned_data["title"],
                                 actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        except services.RegisterError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("The link has been corrected; it is checked again tonight."))
    else:
        messages.error(request, _("Type the address of the page or file (beginning with https:// or http://)."))
    return redirect("oit:row", org_slug, answer.row_id)


@require_POST
@org_member_required()
def reviewed(request, org_slug, pk):
    answer = _answer(request, pk)
    try:
        services.mark_reviewed(answer, actor=request.user)
    except services.RegisterError as exc:
        _refusal(request, exc)
    return redirect("oit:row", org_slug, answer.row_id)


@require_POST
@org_member_required()
def remove(request, org_slug, pk):
    answer = _answer(request, pk)
    row_pk = answer.row_id
    try:
        services.remove_answer(answer, actor=request.user)
    except services.RegisterError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The answer “%(label)s” was removed.") % {"label": answer.label})
    return redirect("oit:row", org_slug, row_pk)


@org_member_required()
def answer_file(request, org_slug, pk):
    from reports.entries.evidence import evidence_response

    answer = _answer(request, pk)
    if answer.kind != AnswerKind.FILE:
        from django.http import Http404

        raise Http404
    return evidence_response(answer)
