"""Staff pages of the measures of a fiscal year: list, create/edit with steps, delete, reorder, copy.

Every view is under /w/<org_slug>/measures/ and resolves the organisation through the user's own
membership (orgs.access): another organisation's year or measure is a 404.
"""
from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Value
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import datacache
from core.row_urls import ROW, RowUrl
from core.thai import fiscal_year_of, to_arabic_digits, to_thai_digits
from ita.models import Indicator, Tool
from orgs.access import org_member_required

from .filters import MeasureFilter
from .forms import STEP_PREFIX, CopyForm, MeasureForm, make_step_formset, step_initial
from .models import Measure
from .numbering import step_lines
from .services import (
    MeasureInUse, StaleMeasure, catalogue_year_for, copy_measures, copy_source_years, default_copy_source,
    delete_measure, draft_entries, locking_entries, move_measure, save_measure, years_with_measures,
)

MIN_YEAR, MAX_YEAR = 2500, 2800  # plausible B.E. fiscal years; anything else is a 404


def _check_year(fiscal_year: int) -> int:
    if not MIN_YEAR <= fiscal_year <= MAX_YEAR:
        raise Http404
    return fiscal_year


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def _org_measure(request, pk, queryset=None):
    queryset = queryset if queryset is not None else Measure.objects.all()
    return get_object_or_404(queryset.for_org(request.org), pk=pk)


def _list_url(org, fiscal_year, measure=None):
    url = reverse("measures:list", args=[org.slug, fiscal_year])
    return f"{url}#measure-{measure.pk}" if measure is not None else url


def _int_list(values):
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- index and list -----------------------------------------------------------------------

@org_member_required()
def index(request, org_slug):
    """The current fiscal year when it has measures, otherwise the latest year that has some."""
    years = years_with_measures(request.org)
    current = current_fiscal_year()
    year = current if current in years or not years else max(years)
    return redirect("measures:list", request.org.slug, year)


def _group(measures):
    """Consecutive measures with the same group heading, in order: [{"heading", "measures"}]."""
    groups = []
    for measure in measures:
        if groups and groups[-1]["heading"] == measure.group_heading:
            groups[-1]["measures"].append(measure)
        else:
            groups.append({"heading": measure.group_heading, "measures": [measure]})
    return groups


class _Link(NamedTuple):
    attr: str  # the list on each measure
    through: type  # the link table
    column: str  # its column of the linked row
    field: str  # the filter whose choices hold the rows


_LINKS = (
    _Link("division_list", Measure.divisions.through, "division_id", "division"),
    _Link("tool_list", Measure.tools.through, "tool_id", "tool"),
    _Link("indicator_list", Measure.indicators.through, "indicator_id", "indicator"),
)


def _in_model_order(rows: list) -> list:
    """The filter's choices in their model's own order (an indicator's choices are grouped by tool)."""
    if rows and isinstance(rows[0], Indicator):
        year_rank = {year_id: rank for rank, year_id in enumerate(dict.fromkeys(i.year_id for i in rows))}
        return sorted(rows, key=lambda i: (year_rank[i.year_id], i.number))
    return rows


def _attach_links(measures, fields):
    """Each measure's divisions, tools and indicators as lists (``m.division_list`` ...), in the order of
    their models, read by one query of the three link tables. The rows are the filters' choices, read
    for the selects anyway; a row missing from them (not expected) is read by itself."""
    for m in measures:
        for link in _LINKS:
            setattr(m, link.attr, [])
    if not measures:
        return
    ids = [m.pk for m in measures]
    queries = [
        link.through.objects.filter(measure_id__in=ids).values_list(Value(kind), "measure_id", link.column)
        for kind, link in enumerate(_LINKS)
    ]
    rows = list(queries[0].union(*queries[1:], all=True))  # (kind, measure id, linked row id)
    known = [
        {row.pk: (position, row) for position, row in enumerate(_in_model_order(fields[link.field].rows()))}
        for link in _LINKS
    ]
    for kind, link in enumerate(_LINKS):
        missing = {pk for k, _measure, pk in rows if k == kind and pk not in known[kind]}
        if missing:
            model = fields[link.field].queryset.model
            related = ["tool"] if model is Indicator else []
            for row in model.objects.filter(pk__in=missing).select_related(*related):
                known[kind][row.pk] = (len(known[kind]), row)
    by_pk = {m.pk: m for m in measures}
    for kind, measure_id, pk in sorted(rows, key=lambda row: (row[0], known[row[0]][row[2]][0])):
        getattr(by_pk[measure_id], _LINKS[kind].attr).append(known[kind][pk][1])


def _attach_urls(measures, slug):
    """Each measure's edit, delete and move addresses (``m.edit_url`` ...), each pattern reversed once."""
    edit, delete = RowUrl("measures:edit", slug, ROW), RowUrl("measures:delete", slug, ROW)
    up, down = RowUrl("measures:move", slug, ROW, "up"), RowUrl("measures:move", slug, ROW, "down")
    for m in measures:
        m.edit_url, m.delete_url, m.up_url, m.down_url = edit(m.pk), delete(m.pk), up(m.pk), down(m.pk)


FILTERS = ("division", "tool", "indicator")


class _ListData(NamedTuple):
    """What the measures list shows of the organisation's data: the same for every member on any day."""
    catalogue_year: object  # AssessmentYear | None
    choices: dict  # {filter: its rows}
    measures: list  # with their link lists (_attach_links)
    total: int  # the year's measures, filtered or not
    years: list  # the fiscal years with measures


def _list_data(org, fiscal_year, data) -> _ListData:
    catalogue_year = catalogue_year_for(fiscal_year)
    queryset = (
        Measure.objects.for_org(org).for_year(fiscal_year)
        .annotate(
            step_count=Count("steps", filter=Q(steps__parent__isnull=True), distinct=True),
            sub_item_count=Count("steps", filter=Q(steps__parent__isnull=False), distinct=True),
        )
        .order_by("order", "pk")
    )
    filterset = MeasureFilter(
        data, queryset=queryset, org=org, fiscal_year=fiscal_year, catalogue_year=catalogue_year
    )
    measures = list(filterset.qs)
    _attach_links(measures, filterset.form.fields)
    if filterset.is_bound and filterset.form.is_valid():
        total = Measure.objects.for_org(org).for_year(fiscal_year).count()
    else:
        total = len(measures)
    choices = {name: filterset.form.fields[name].rows() for name in FILTERS}
    return _ListData(catalogue_year, choices, measures, total, years_with_measures(org))


def _list_context(request, fiscal_year):
    """The list's context: its data kept in the shared cache while the organisation's data is unchanged
    (core/datacache.py, per organisation, year and filter); the filters' form and the links per request."""
    org = request.org
    data = request.GET if any(request.GET.get(k) for k in FILTERS) else None
    chosen = tuple(request.GET.get(k, "") for k in FILTERS) if data is not None else None
    listed = datacache.get_or_build("measures", org.pk, (org.slug, fiscal_year, chosen),
                                    lambda: _list_data(org, fiscal_year, data))
    filterset = MeasureFilter(data, queryset=Measure.objects.none(), org=org, fiscal_year=fiscal_year,
                              catalogue_year=listed.catalogue_year)
    for name, rows in listed.choices.items():
        filterset.form.fields[name]._rows = rows  # the select shows the rows read with the measures
    if filterset.is_bound:
        filterset.form.is_valid()  # the chosen values, as the list was filtered by them
    measures = listed.measures
    _attach_urls(measures, org.slug)
    return {
        "nav": "measures",
        "fiscal_year": fiscal_year,
        "filter": filterset,
        "filtered": filterset.is_bound,
        "groups": _group(measures),
        "measure_count": len(measures),
        "total_count": listed.total,
        "years_with_measures": listed.years,
    }


@org_member_required()
def measure_list(request, org_slug, fiscal_year):
    _check_year(fiscal_year)
    context = _list_context(request, fiscal_year)
    if request.htmx and request.htmx.target == "measure-list":
        return render(request, "measures/_list.html", context)
    years = set(context.pop("years_with_measures"))
    context["years"] = sorted(years | {current_fiscal_year(), fiscal_year}, reverse=True)
    context["has_previous_year"] = (fiscal_year - 1) in years
    return render(request, "measures/list.html", context)


# --- create and edit ---------------------------------------------------------------------------

def _prefill(request, form):
    """Initial values from GET parameters (links from the ITA analysis): weakness, title,
    group_heading (text), tools (codes), indicators and oit_items (ids); unknown values are ignored."""
    get = request.GET
    for name in ("weakness", "title", "group_heading"):
        if get.get(name):
            form.initial[name] = get[name]
    if get.getlist("tools"):
        form.initial["tools"] = list(
            Tool.objects.filter(code__in=get.getlist("tools")).values_list("pk", flat=True)
        )
    for name in ("indicators", "oit_items"):
        ids = _int_list(get.getlist(name))
        if ids:
            form.initial[name] = list(form.fields[name].queryset.filter(pk__in=ids).values_list("pk", flat=True))
    # Tools follow the chosen indicators when none were given.
    if not form.initial.get("tools") and form.initial.get("indicators"):
        form.initial["tools"] = list(
            Indicator.objects.filter(pk__in=form.initial["indicators"]).values_list("tool_id", flat=True).distinct()
        )
    if not form.initial.get("tools") and form.initial.get("oit_items"):
        form.initial["tools"] = list(Tool.objects.filter(code="OIT").values_list("pk", flat=True))


def _mark_invalid_steps(formset):
    for form in formset.forms:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


def _group_headings(org, fiscal_year):
    return list(
        Measure.objects.for_org(org).for_year(fiscal_year).exclude(group_heading="")
        .order_by("group_heading").values_list("group_heading", flat=True).distinct()
    )


def _render_form(request, form, formset, *, fiscal_year, measure=None, conflict=None, status=200):
    context = {
        "nav": "measures",
        "fiscal_year": fiscal_year,
        "form": form,
        "formset": formset,
        "measure": measure,
        "conflict": conflict,
        "group_headings": _group_headings(request.org, fiscal_year),
        "catalogue_year": form.catalogue_year,
    }
    if conflict is not None:
        context.update(_conflict_context(conflict, form, formset))
    if form.is_bound:
        _mark_invalid_steps(formset)
    return render(request, "measures/form.html", context, status=status)


@org_member_required()
def measure_create(request, org_slug, fiscal_year):
    _check_year(fiscal_year)
    instance = Measure(organisation=request.org, fiscal_year=fiscal_year)
    if request.method == "POST":
        form = MeasureForm(request.POST, instance=instance, org=request.org, fiscal_year=fiscal_year)
        formset = make_step_formset(request.POST)
        if all([form.is_valid(), formset.is_valid()]):  # both validated: every error is shown
            measure = save_measure(
                form, formset.step_rows(), actor=request.user, org=request.org, fiscal_year=fiscal_year
            )
            messages.success(request, _("The measure was saved."))
            return redirect(_list_url(request.org, fiscal_year, measure))
        messages.error(request, _("The measure was not saved. Please correct the errors below."),
                       extra_tags="danger")
    else:
        form = MeasureForm(instance=instance, org=request.org, fiscal_year=fiscal_year)
        _prefill(request, form)
        formset = make_step_formset(initial=[{"level": 1}])
    return _render_form(request, form, formset, fiscal_year=fiscal_year)


def _fresh(pk):
    return Measure.objects.with_details().get(pk=pk)


@org_member_required()
def measure_edit(request, org_slug, pk):
    measure = _org_measure(request, pk, Measure.objects.with_details())
    fiscal_year = measure.fiscal_year
    stored_version = measure.version
    conflict = None
    if request.method == "POST":
        # "Save mine anyway" on the conflict panel carries the version the user has now seen.
        data = request.POST.copy()
        confirmed = _int_or_none(data.get("confirm_version"))
        if confirmed is not None:
            data["version"] = str(confirmed)  # from now on the form carries the version the user has seen
        expected = _int_or_none(data.get("version"))
        form = MeasureForm(data, instance=measure, org=request.org, fiscal_year=fiscal_year)
        formset = make_step_formset(data)
        valid = all([form.is_valid(), formset.is_valid()])
        if valid:
            try:
                saved = save_measure(form, formset.step_rows(), actor=request.user, expected_version=expected)
            except StaleMeasure as exc:
                conflict = exc.current
            else:
                messages.success(request, _("The measure was saved."))
                return redirect(_list_url(request.org, fiscal_year, saved))
        elif expected != stored_version:
            conflict = _fresh(measure.pk)
        if not valid:
            messages.error(request, _("The measure was not saved. Please correct the errors below."),
                           extra_tags="danger")
        return _render_form(
            request, form, formset, fiscal_year=fiscal_year, measure=_fresh(measure.pk), conflict=conflict,
            status=409 if conflict is not None else 200,
        )
    form = MeasureForm(instance=measure, org=request.org, fiscal_year=fiscal_year)
    formset = make_step_formset(initial=step_initial(measure) or [{"level": 1}])
    return _render_form(request, form, formset, fiscal_year=fiscal_year, measure=measure)


def _norm(text):
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def _conflict_context(current, form, formset):
    """Who saved the other version, and which of its texts differ from what the user typed."""
    record = current.history.select_related("history_user").first()
    user = getattr(record, "history_user", None)
    data = form.data
    differs = {
        name for name in ("group_heading", "title", "weakness", "guideline", "responsible_text",
                          "timeline_text", "monitoring")
        if _norm(getattr(current, name)) != _norm(data.get(name, ""))
    }
    theirs = [s.text.strip() for top in current.top_steps() for s in [top, *top.children]]
    mine = []
    for i in range(_int_or_none(data.get(f"{STEP_PREFIX}-TOTAL_FORMS")) or 0):
        text = (data.get(f"{STEP_PREFIX}-{i}-text") or "").strip()
        if text:
            mine.append(text)
    if [_norm(t) for t in theirs] != [_norm(t) for t in mine]:
        differs.add("steps")
    levels = [level for top in current.top_steps() for level in [1] + [2] * len(top.children)]
    return {
        "conflict_user": (user.get_full_name() or user.get_username()) if user else "",
        "conflict_date": getattr(record, "history_date", None) or current.updated_at,
        "conflict_differs": differs,
        # The steps as the documents number them (one number, Thai digits: measures.numbering.step_lines).
        "conflict_steps": [{"text": text, "sub": level == 2} for text, level in zip(step_lines(current), levels)],
    }


# --- delete and reorder ---------------------------------------------------------------------------

@org_member_required()
def measure_delete(request, org_slug, pk):
    measure = _org_measure(request, pk)
    if request.method == "POST":
        try:
            delete_measure(measure)
        except MeasureInUse:
            messages.error(request, _("This measure cannot be deleted: a submitted, approved or published "
                                      "report includes it."), extra_tags="danger")
        else:
            messages.success(request, _("The measure was deleted."))
            return redirect(_list_url(request.org, measure.fiscal_year))
    context = {
        "nav": "measures",
        "fiscal_year": measure.fiscal_year,
        "measure": measure,
        "locked": list(locking_entries(measure)),
        "drafts": list(draft_entries(measure)),
    }
    return render(request, "measures/confirm_delete.html", context, status=409 if context["locked"] and
                  request.method == "POST" else 200)


@org_member_required()
def measure_move(request, org_slug, pk, direction):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if direction not in ("up", "down"):
        raise Http404
    measure = _org_measure(request, pk)
    move_measure(measure, direction)
    if request.htmx:
        return render(request, "measures/_list.html", _list_context(request, measure.fiscal_year))
    return redirect(_list_url(request.org, measure.fiscal_year, measure))


# --- copy from an earlier year ----------------------------------------------------------------

def _source_year(request, years: list[int], fiscal_year: int) -> int | None:
    """The year to copy from: ?from= (GET) or the form's "from" (POST) when it is one of ``years``
    (Thai digits allowed), else the year before or the latest earlier year with measures."""
    raw = (request.POST if request.method == "POST" else request.GET).get("from", "")
    try:
        wanted = int(to_arabic_digits(raw).strip())
    except ValueError:
        wanted = None
    return wanted if wanted in years else default_copy_source(years, fiscal_year)


@org_member_required()
def measure_copy(request, org_slug, fiscal_year):
    """Copy chosen measures of any earlier fiscal year that has measures into ``fiscal_year``."""
    _check_year(fiscal_year)
    org = request.org
    source_years = copy_source_years(org, fiscal_year)
    source_year = _source_year(request, source_years, fiscal_year)
    if source_year is None:
        source_year = fiscal_year - 1  # nothing to copy: the page says so
    sources = (
        Measure.objects.for_org(org).for_year(source_year).with_details()
        .prefetch_related(Prefetch(
            "copies", queryset=Measure.objects.for_org(org).for_year(fiscal_year).order_by("order", "pk"),
            to_attr="copies_in_year",
        ))
        .order_by("order", "pk")
    )
    form = CopyForm(request.POST if request.method == "POST" else None, sources=sources)
    needs_confirm = []
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["measures"])
        needs_confirm = [m for m in chosen if m.copies_in_year]
        if needs_confirm and not form.cleaned_data["confirm_duplicates"]:
            messages.warning(request, _("Some of the chosen measures already have a copy in this fiscal year. "
                                        "Tick the confirmation to copy them again."))
        else:
            result = copy_measures(chosen, fiscal_year, actor=request.user)
            messages.success(request, to_thai_digits(ngettext(
                "%(count)d measure was copied from fiscal year %(year)d.",
                "%(count)d measures were copied from fiscal year %(year)d.",
                len(result.copies),
            ) % {"count": len(result.copies), "year": source_year}))
            if result.unmapped:
                messages.warning(request, to_thai_digits(ngettext(
                    "%(count)d indicator or OIT item has no counterpart in the new catalogue and was left out.",
                    "%(count)d indicators or OIT items have no counterpart in the new catalogue and were left out.",
                    result.unmapped,
                ) % {"count": result.unmapped}))
            return redirect(_list_url(org, fiscal_year))
    selected = {str(v) for v in (form["measures"].value() or [])} if form.is_bound else set()
    context = {
        "nav": "measures",
        "fiscal_year": fiscal_year,
        "source_year": source_year,
        "source_years": source_years,
        "form": form,
        "sources": list(sources),
        "selected": selected,
        "needs_confirm": needs_confirm,
    }
    return render(request, "measures/copy.html", context)
