"""Demo OIT registers for FY 2569 (confirmed) and 2570 (carried forward, some links broken): see
demo/data/oit_registers.json and its notes. Goes through oit/services.py; a register that already has
answers is left as it is (a second run changes nothing)."""
from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from oit import health, linkcheck, services
from oit.models import Answer, AnswerKind, Register, RegisterEvent
from orgs.models import Organisation

DATA = Path(__file__).resolve().parent / "data" / "oit_registers.json"


def _when(day: str) -> datetime:
    return timezone.make_aware(datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(10, 0)))


def _checked_ok(answers) -> None:
    """The demo's record of links on the organisations' (invented) sites having opened (see the notes)."""
    now = timezone.now()
    health.record(answers, {a.url: linkcheck.Result(a.url, True, 200, a.url, attempts=1, checked_at=now)
                            for a in answers})


def _checked_for_real_twice(answers) -> None:
    policy = linkcheck.Policy(allow_private=True, retries=0, timeout=2, deadline=20)
    for _ in range(2):
        health.record(answers, linkcheck.check_links([a.url for a in answers], policy))


def load_registers(stats=None) -> int:
    """Returns the number of registers filled."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    users = {u.username: u for u in get_user_model().objects.all()}
    filled = 0
    for slug, spec in data["organisations"].items():
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            continue
        staff = users[spec["staff"]]
        previous = None
        for year in (2569, 2570):
            plan = spec[str(year)]
            register = services.open_register(org, year)
            if Answer.objects.filter(row__register=register).exists():
                previous = register
                continue
            filled += 1
            if previous is not None:
                services.carry_forward(register, actor=staff)
            rows = {row.code: row for row in register.rows.all()}
            for code in plan.get("missing", []):
                for answer in Answer.objects.filter(row=rows[code]):
                    services.remove_answer(answer, actor=staff)
            for code, (path, title) in data["paths"].items():
                if code in plan.get("missing", []) or code not in rows:
                    continue
                answer = Answer.objects.filter(row=rows[code], kind=AnswerKind.LINK).first()
                base = data["broken_base"] if code in plan.get("broken", []) else spec["website"]
                url = base + path
                if answer is None:
                    services.add_link(rows[code], url=url, title=title, actor=staff)
                elif answer.url != url:
                    services.change_link(answer, url=url, title=title, actor=staff)
                    Answer.objects.filter(pk=answer.pk).update(needs_review=True)
            reviewed = list(rows) if plan.get("reviewed") == ["*"] else plan.get("reviewed", [])
            for code in reviewed:
                for answer in Answer.objects.filter(row=rows[code], needs_review=True):
                    services.mark_reviewed(answer, actor=staff)
            links = list(Answer.objects.filter(row__register=register, kind=AnswerKind.LINK))
            _checked_ok([a for a in links if not a.url.startswith(data["broken_base"])])
            _checked_for_real_twice([a for a in links if a.url.startswith(data["broken_base"])])
            if plan.get("confirmed_by") or plan.get("confirm"):
                approver = users[plan.get("confirmed_by") or _approver_of(org)]
                register.refresh_from_db()
                services.confirm_register(register, actor=approver, expected_version=register.version)
                if plan.get("confirmed_on"):
                    when = _when(plan["confirmed_on"])
                    Register.objects.filter(pk=register.pk).update(confirmed_at=when)
                    RegisterEvent.objects.filter(register=register, action="confirmed").update(at=when)
            previous = register
    if stats is not None and filled:
        stats.created["oit register"] += filled
    return filled


def _approver_of(org) -> str:
    from orgs.models import Membership, Role

    return Membership.objects.filter(organisation=org, role=Role.APPROVER).values_list("user__username", flat=True).first()
