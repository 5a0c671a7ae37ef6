"""Everything that changes an ITA result: saving what staff typed, and the approver's confirmation.

    save_result(...)       entered / changed / corrected (after a confirmation): one ResultEvent
    confirm_result(...)    an approver confirms the current figures: they become public

A result is public only through its confirmation: ``confirm_result`` freezes the figures into
``AssessmentResult.confirmed_snapshot`` (with ``confirmed_at`` / ``confirmed_by`` / ``confirmed_version``),
and the public site and the open data read that snapshot only. Saving a confirmed result never touches
the snapshot, so the public keeps the last confirmed figures until the correction is confirmed too.

Rules of the confirmation:
- approvers and organisation admins confirm (as they approve documents); staff may not;
- nobody confirms figures they saved themselves since the last confirmation, unless the organisation
  allows approving one's own work (``Organisation.allow_self_approval``, the rule of documents);
- the approver confirms the version they saw (``expected_version``): a result changed meanwhile is
  refused (``StaleResult``, a 409 in the view);
- figures already confirmed are not confirmed again.

Each function is atomic and writes exactly one ResultEvent; refusals raise ResultError (a Thai message
for the user, a ``code`` for tests).
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import datacache
from core.errors import RefusedChange
from orgs.access import ROLE_RANK, role_of
from orgs.models import Role

from .models import (
    SAVE_ACTIONS,
    AssessmentResult,
    IndicatorScore,
    OITItemScore,
    ResultAction,
    ResultEvent,
    ToolScore,
)


class ResultError(RefusedChange):
    """A refused change of this app (core.errors.RefusedChange: ``message`` for the user, ``code``)."""


class StaleResult(ResultError):
    """Someone saved the result after this page was opened."""

    def __init__(self, message: str = ""):
        super().__init__(message or _("Someone changed this result after you opened it. Nothing was changed; "
                                      "look at the current figures and try again."), "stale")


# --- who ------------------------------------------------------------------------------------------

def actor_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def may_confirm_role(role: str | None) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role.APPROVER]


def _event(result, action, actor, comment="") -> ResultEvent:
    return ResultEvent.objects.create(
        result=result, action=action, version=result.version, actor=actor, actor_name=actor_name(actor),
        comment=comment,
    )


def saved_since_confirmation(result: AssessmentResult, user, events=None) -> bool:
    """Did ``user`` save figures of this result since its last confirmation (or ever, if never confirmed)?
    ``events``: the result's events when already loaded (else one query)."""
    if events is not None:
        return any(
            e.action in SAVE_ACTIONS and e.actor_id == user.pk
            and (result.confirmed_at is None or e.at > result.confirmed_at)
            for e in events
        )
    found = ResultEvent.objects.filter(result=result, action__in=SAVE_ACTIONS, actor=user)
    if result.confirmed_at is not None:
        found = found.filter(at__gt=result.confirmed_at)
    return found.exists()


def confirm_refusal(result: AssessmentResult, user, role: str | None = None, events=None) -> str:
    """Why ``user`` may not confirm ``result`` now ("" when they may): the rules of ``confirm_result``
    for the page's button (the service checks them again)."""
    role = role if role is not None else role_of(user, result.organisation)
    if not may_confirm_role(role):
        return _("Only an approver of the organisation may confirm a result.")
    if result.is_confirmed:
        return _("These figures have already been confirmed; there is nothing new to confirm.")
    if not result.organisation.allow_self_approval and saved_since_confirmation(result, user, events):
        return _("You saved these figures yourself, so another approver must confirm them.")
    return ""


# --- the snapshot ---------------------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else f"{value:.2f}"


def snapshot_of(result: AssessmentResult) -> dict:
    """The figures of ``result`` as plain JSON (scores as strings with two decimals, so nothing is lost
    to floats): total, summary, notes, tools {code: score}, the tools' issues, indicators, OIT items."""
    tools = list(ToolScore.objects.filter(result=result).select_related("tool").order_by("tool__order", "tool__code"))
    indicators = IndicatorScore.objects.filter(result=result).select_related("indicator").order_by("indicator__number")
    items = OITItemScore.objects.filter(result=result).select_related("item").order_by("item__number")
    return {
        "version": result.version,
        "total_score": _text(result.total_score),
        "summary": result.summary,
        "notes": result.notes,
        "tools": {s.tool.code: _text(s.score) for s in tools},
        "tool_issues": {s.tool.code: s.issues_to_improve for s in tools if s.issues_to_improve},
        "indicators": [
            {"number": s.indicator.number, "name": s.indicator.name, "score": _text(s.score),
             "assessment_points": s.assessment_points, "issues_to_improve": s.issues_to_improve}
            for s in indicators
        ],
        "oit": [{"code": s.item.code, "score": _text(s.score), "remark": s.remark} for s in items],
    }


def same_figures(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    return {k: v for k, v in a.items() if k != "version"} == {k: v for k, v in b.items() if k != "version"}


# --- saving ---------------------------------------------------------------------------------------

def save_result(org, *, year, instance: AssessmentResult | None, fields: dict, tool_scores, indicator_scores,
                oit_scores, expected_version: int | None, actor) -> AssessmentResult:
    """Create or replace the figures of a result in one transaction.

    ``fields``: total_score, summary, notes; ``tool_scores`` etc.: unsaved ToolScore / IndicatorScore /
    OITItemScore objects without ``result``. An existing result is saved only at ``expected_version``
    (else StaleResult, nothing saved). Writes one event: entered, changed, or corrected (when confirmed
    figures exist and the new ones differ: the public keeps the confirmed figures until a confirmation).
    Saving the confirmed figures unchanged keeps the result confirmed."""
    with transaction.atomic():
        if instance is None or instance.pk is None:
            try:
                with transaction.atomic():
                    result = AssessmentResult.objects.create(organisation=org, year=year, version=1, **fields)
            except IntegrityError:  # created meanwhile by someone else
                raise StaleResult from None
            action = ResultAction.ENTER
        else:
            updated = AssessmentResult.objects.filter(
                pk=instance.pk, organisation=org, version=expected_version
            ).update(version=F("version") + 1, **fields)
            if not updated:
                raise StaleResult
            result = AssessmentResult.objects.select_related("organisation", "year").get(pk=instance.pk)
            for model in (ToolScore, IndicatorScore, OITItemScore):
                model.objects.filter(result=result).delete()
            action = ResultAction.CORRECT if result.was_confirmed else ResultAction.EDIT
        for objects, model in ((tool_scores, ToolScore), (indicator_scores, IndicatorScore),
                               (oit_scores, OITItemScore)):
            objects = list(objects)
            for obj in objects:
                obj.result = result
            model.objects.bulk_create(objects)
        if action == ResultAction.CORRECT and same_figures(snapshot_of(result), result.confirmed_snapshot):
            # Saved without a change of the confirmed figures: still confirmed, nothing to confirm.
            AssessmentResult.objects.filter(pk=result.pk).update(confirmed_version=result.version)
            result.confirmed_version = result.version
            action = ResultAction.EDIT
        datacache.bump(result.organisation_id)  # update() and bulk_create send no signal
        _event(result, action, actor)
    return result


# --- confirming -----------------------------------------------------------------------------------

def confirm_result(result: AssessmentResult, *, actor, expected_version: int | None,
                   comment: str = "") -> AssessmentResult:
    """An approver confirms the current figures: they become what the public sees (see the module)."""
    with transaction.atomic():
        locked = (AssessmentResult.objects.select_for_update(of=("self",))
                  .select_related("organisation", "year").get(pk=result.pk))
        role = role_of(actor, locked.organisation)
        if role is None:
            raise ResultError(_("You are not a member of this organisation."), "not_member")
        if not may_confirm_role(role):
            raise ResultError(_("Only an approver of the organisation may confirm a result."), "role")
        if expected_version is None or locked.version != expected_version:
            raise StaleResult
        if locked.is_confirmed:
            raise ResultError(
                _("These figures have already been confirmed; there is nothing new to confirm."), "confirmed")
        if not locked.organisation.allow_self_approval and saved_since_confirmation(locked, actor):
            raise ResultError(
                _("You saved these figures yourself, so another approver must confirm them."), "self_confirm")
        locked.confirmed_snapshot = snapshot_of(locked)
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor
        locked.confirmed_version = locked.version
        locked.save(update_fields=["confirmed_snapshot", "confirmed_at", "confirmed_by", "confirmed_version"])
        _event(locked, ResultAction.CONFIRM, actor, comment.strip())
    return locked
