"""ITA results of an organisation: list, entry (create / edit) and the detail page with its analysis."""
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.thai import format_number
from orgs.access import org_member_required
from orgs.models import Role

from . import analysis, services
from .forms import ConfirmForm, ResultEntry
from .services import StaleResult
from .models import AssessmentResult, AssessmentYear, ResultAction, IndicatorScore, OITItemScore, Tool, ToolScore


def _results(org):
    return AssessmentResult.objects.for_org(org).select_related("year").prefetch_related(
        Prefetch("tool_scores", queryset=ToolScore.objects.select_related("tool"))
    )


def _catalogue(year, result=None):
    """Tools (those weighted that year, else all), indicators and OIT items of an assessment year (an
    item retired from the catalogue only when ``result`` scored it: its score is kept)."""
    tools = list(Tool.objects.filter(weights__year=year).order_by("order", "code"))
    if not tools:
        tools = list(Tool.objects.order_by("order", "code"))
    indicators = list(year.indicators.select_related("tool").order_by("number"))
    scored = [s.item_id for s in result.oit_scores.all()] if result is not None else []
    oit_items = list(year.oit_items.filter(Q(retired=False) | Q(pk__in=scored)).order_by("number"))
    return tools, indicators, oit_items


def levels_of(result):
    return analysis.level_summary(result.total_score, result.tool_score_map(), result.year.scale)


def measure_create_url(org_slug, fiscal_year, params):
    """Link to a new measure of ``fiscal_year`` prefilled with ``params`` (measures:create)."""
    return f"{reverse('measures:create', args=[org_slug, fiscal_year])}?{urlencode(params, doseq=True)}"


@org_member_required()
def result_list(request, org_slug):
    results = list(_results(request.org))
    entered = {r.year.year for r in results}
    missing_years = [y for y in AssessmentYear.objects.order_by("-year").values_list("year", flat=True)
                     if y not in entered]
    rows = [{"result": r, "levels": levels_of(r), "tools": r.tool_score_map()} for r in results]
    return render(request, "ita/result_list.html", {
        "nav": "results", "rows": rows, "missing_years": missing_years, "tool_codes": ("IIT", "EIT", "OIT"),
    })


def _entry_page(request, year, instance):
    tools, indicators, oit_items = _catalogue(year, instance)
    data = request.POST if request.method == "POST" else None
    entry = ResultEntry(year, tools, indicators, oit_items, instance=instance, data=data)
    if data is not None and entry.is_valid():
        try:
            saved = services.save_result(request.org, **entry.changes(), actor=request.user)
        except StaleResult:
            entry.stale = True
        else:
            if saved.is_confirmed:
                messages.success(request, _("The ITA result has been saved."))
            else:
                messages.success(request, _("The ITA result has been saved. It becomes public once an approver "
                                            "confirms it."))
            return redirect("ita:result_detail", request.org.slug, year.year)
    status = 409 if entry.stale else 200
    return render(request, "ita/result_form.html", {
        "nav": "results", "year": year, "entry": entry, "result": instance,
        "oit_open": bool(data is not None or (instance and instance.oit_scores.all())),
    }, status=status)


@org_member_required()
def result_create(request, org_slug, year):
    year = get_object_or_404(AssessmentYear, year=year)
    # On POST a result saved meanwhile is reported as a conflict (input kept), never overwritten.
    if request.method != "POST" and AssessmentResult.objects.for_org(request.org).filter(year=year).exists():
        return redirect("ita:result_edit", request.org.slug, year.year)
    return _entry_page(request, year, None)


@org_member_required()
def result_edit(request, org_slug, year):
    result = get_object_or_404(
        AssessmentResult.objects.for_org(request.org).select_related("year").prefetch_related(
            "tool_scores", "indicator_scores", "oit_scores"
        ),
        year__year=year,
    )
    return _entry_page(request, result.year, result)


def weakness_text(weakness):
    """What a new measure's "weakness it answers" starts with (translated, Thai digits)."""
    if weakness.kind == "oit":
        return _("OIT item %(code)s %(title)s scored 0") % {
            "code": weakness.item.code, "title": weakness.item.title,
        }
    if weakness.indicator.issues.strip():
        return weakness.indicator.issues.strip()
    return _("Indicator %(number)s %(name)s scored %(score)s") % {
        "number": format_number(weakness.indicator.number, 0), "name": weakness.indicator.name,
        "score": format_number(weakness.score),
    }


def _detail_result(org, year):
    return get_object_or_404(
        AssessmentResult.objects.for_org(org).select_related("year", "confirmed_by").prefetch_related(
            Prefetch("tool_scores", queryset=ToolScore.objects.select_related("tool")),
            Prefetch("indicator_scores", queryset=IndicatorScore.objects.select_related("indicator")),
            Prefetch("oit_scores", queryset=OITItemScore.objects.select_related("item")),
            "events",
        ),
        year__year=year,
    )


def confirmation_context(request, result, form=None) -> dict:
    """The confirmation box of the result page: state, the button (or why not), the events."""
    role = request.membership.role
    result.organisation = request.org
    events = list(result.events.all())
    refusal = services.confirm_refusal(result, request.user, role, events=events)
    confirmed = result.public_view()
    changed = []
    if result.correction_pending and confirmed is not None:
        current_tools = result.tool_score_map()
        if confirmed.total_score != result.total_score:
            changed.append((_("Total score"), confirmed.total_score, result.total_score))
        for code in sorted(set(current_tools) | set(confirmed.tools)):
            if confirmed.tools.get(code) != current_tools.get(code):
                changed.append((code, confirmed.tools.get(code), current_tools.get(code)))
    return {
        "confirmation": {
            "may_confirm": not refusal,
            "refusal": refusal,
            "approver": services.may_confirm_role(role),
            "form": form or ConfirmForm(initial={"version": result.version}),
            "confirmed": confirmed,
            "changed": changed,
            "events": events[::-1],  # newest first
            "confirmed_by_name": services.actor_name(result.confirmed_by) if result.confirmed_by_id else next(
                (e.actor_name for e in reversed(events) if e.action == ResultAction.CONFIRM), ""),
        }
    }


@org_member_required()
def result_detail(request, org_slug, year):
    result = _detail_result(request.org, year)
    return _detail_page(request, result)


def _detail_page(request, result, form=None, status=200, error=""):
    tools, indicators, oit_items = _catalogue(result.year, result)
    tool_inputs, ind_inputs, item_inputs = analysis.inputs_from_result(result, tools, indicators)
    result_analysis = analysis.analyse(
        tool_inputs, ind_inputs, item_inputs, threshold=request.org.strength_threshold
    )
    fiscal_year = result.year.year + 1

    def row(w):
        text = weakness_text(w)
        return {"w": w, "text": text,
                "url": measure_create_url(request.org.slug, fiscal_year, analysis.measure_prefill(w, text))}

    weakness_rows = [row(w) for w in result_analysis.weaknesses]
    oit_zero_rows = [row(w) for w in result_analysis.oit_zero]
    groups = [
        {"group": g, "weaknesses": [row(w) for w in g.weaknesses]} for g in result_analysis.groups
    ]
    return render(request, "ita/result_detail.html", {
        "nav": "results", "result": result, "levels": levels_of(result), "analysis": result_analysis,
        "weakness_rows": weakness_rows, "oit_zero_rows": oit_zero_rows, "groups": groups,
        "fiscal_year": fiscal_year, "tool_scores": list(result.tool_scores.all()),
        "oit_scored": len(item_inputs), "oit_total": len(oit_items),
        "confirm_error": error, **confirmation_context(request, result, form),
    }, status=status)


@org_member_required(Role.APPROVER)
@require_POST
def result_confirm(request, org_slug, year):
    """An approver confirms the figures they saw (the hidden version): they become public."""
    result = _detail_result(request.org, year)
    form = ConfirmForm(request.POST)
    if not form.is_valid():  # no version: the page was not the result page
        return _detail_page(request, result, form, status=400,
                            error=_("The confirmation could not be read; open the result again and confirm."))
    try:
        services.confirm_result(result, actor=request.user, expected_version=form.cleaned_data["version"],
                                comment=form.cleaned_data["comment"])
    except StaleResult as error:
        result = _detail_result(request.org, year)  # the current figures, to look at before confirming
        form = ConfirmForm(initial={"version": result.version, "comment": form.cleaned_data["comment"]})
        return _detail_page(request, result, form, status=409, error=error.message)
    except services.ResultError as error:
        if error.code in ("role", "not_member"):
            raise PermissionDenied(error.message)
        status = 409 if error.code == "confirmed" else 403
        return _detail_page(request, result, form, status=status, error=error.message)
    messages.success(request, _("The ITA result has been confirmed. The public page now shows these figures."))
    return redirect("ita:result_detail", request.org.slug, result.year.year)
