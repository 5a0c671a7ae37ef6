"""Every change of an OIT register: each function is atomic, checks the actor's role in the organisation,
and moves the register's version on. A change to a confirmed register makes it "being prepared" again;
the public keeps seeing the confirmed snapshot until an approver confirms the register again.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RefusedChange
from core.thai import to_thai_digits
from ita.catalogue_queries import catalogue_items, catalogue_of
from orgs.access import ROLE_RANK, role_of
from orgs.models import Role

from .models import Answer, AnswerKind, Health, Register, RegisterAction, RegisterEvent, RegisterStatus, Row

URL_MAX = 1000


class RegisterError(RefusedChange):
    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message, code)


class StaleRegister(RegisterError):
    def __init__(self, message: str, current: Register):
        super().__init__(message, "stale")
        self.current = current


# --- who ------------------------------------------------------------------------------------------

def _require(actor, org, minimum: str) -> str:
    role = role_of(actor, org)
    if role is None or ROLE_RANK[Role(role)] < ROLE_RANK[Role(minimum)]:
        if minimum == Role.STAFF:
            raise RegisterError(_("Only members of the organisation may change its OIT register."), "role")
        raise RegisterError(_("Only an approver of the organisation may confirm its OIT register."), "role")
    return role


# --- the register and its rows ----------------------------------------------------------------------

def sync_rows(register: Register) -> int:
    """One row per current OIT item of the year's catalogue (a provisional catalogue's items too): new
    items get a row; a row whose item changed in the catalogue (same code) follows it. Returns rows added."""
    catalogue = catalogue_of(register.year)
    items = catalogue_items(catalogue)
    rows = {row.code: row for row in register.rows.all()}
    added = 0
    for item in items:
        row = rows.get(item.code)
        if row is None:
            Row.objects.create(register=register, item=item, code=item.code, number=item.number, title=item.title)
            added += 1
        elif (row.item_id, row.number, row.title) != (item.pk, item.number, item.title):
            Row.objects.filter(pk=row.pk).update(item=item, number=item.number, title=item.title)
    return added


def open_register(org, year: int) -> Register:
    """The organisation's register of assessment ``year``, created with its rows on first use; rows follow
    the catalogue (a real catalogue loaded after the provisional one). None is never returned: a year
    without any catalogue gets a register without rows."""
    with transaction.atomic():
        register, _created = Register.objects.get_or_create(organisation=org, year=year)
        sync_rows(register)
    return register


def _changed(register: Register) -> None:
    """A change inside the register: version moves on, a confirmed register is being prepared again."""
    Register.objects.filter(pk=register.pk).update(
        version=F("version") + 1, status=RegisterStatus.DRAFT, updated_at=timezone.now())
    register.refresh_from_db(fields=["version", "status", "updated_at"])


def _lock(register: Register, actor, minimum=Role.STAFF, expected_version: int | None = None) -> Register:
    _require(actor, register.organisation, minimum)
    locked = Register.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=register.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRegister(
            _("Someone changed this OIT register after you opened it. Nothing was changed; look at the "
              "current register and try again."), current=locked)
    return locked


def clean_url(url: str) -> str:
    """An http(s) address, or a ValidationError in Thai."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Type the address of the page or file (beginning with https:// or http://)."))
    if len(url) > URL_MAX:
        raise ValidationError(_("The address is longer than %(max)s characters.") % {"max": to_thai_digits(URL_MAX)})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("“%(url)s” is not a web address (it must begin with https:// or http://).")
                              % {"url": url[:200]}) from None
    return url


def _next_order(row: Row) -> int:
    return (row.answers.aggregate(last=Max("order"))["last"] or 0) + 1


def add_link(row: Row, *, url: str, title: str = "", actor) -> Answer:
    url = clean_url(url)
    with transaction.atomic():
        register = _lock(row.register, actor)
        answer = Answer(row=row, kind=AnswerKind.LINK, url=url, title=title.strip()[:300], order=_next_order(row),
                        created_by=actor)
        answer._history_user = actor
        answer.save()
        _changed(register)
    return answer


LINE = re.compile(r"^\s*(?P<item>[Oo๐-๙0-9][0-9๐-๙]*)[\s.:,;|\t]+(?P<url>\S+)(?:\s+(?P<title>.+))?$")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def parse_pasted(register: Register, text: str) -> tuple[list[tuple[Row, str, str]], list[str]]:
    """Lines "O1 https://… title" or "1 https://…" (item code or number, address, optional title).
    Returns ([(row, url, title)], errors in Thai with line numbers); blank lines are skipped."""
    rows = list(register.rows.all())
    by_code = {row.code.upper(): row for row in rows}
    by_number = {row.number: row for row in rows}
    found, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = LINE.match(line)
        where = to_thai_digits(number)
        if not match:
            errors.append(_("Line %(line)s: write the item (such as O1 or 1), a space and the address.")
                          % {"line": where})
            continue
        key = match["item"].translate(THAI_DIGITS)
        row = by_code.get(key.upper()) if key[0] in "Oo" else by_number.get(int(key))
        if row is None:
            errors.append(_("Line %(line)s: there is no item “%(item)s” in this year's catalogue.")
                          % {"line": where, "item": match["item"]})
            continue
        try:
            url = clean_url(match["url"])
        except ValidationError as exc:
            errors.append(_("Line %(line)s: %(error)s") % {"line": where, "error": exc.messages[0]})
            continue
        found.append((row, url, (match["title"] or "").strip()[:300]))
    if not found and not errors:
        errors.append(_("Nothing to add: paste one line per address."))
    return found, errors


def add_pasted(register: Register, *, text: str, actor) -> int:
    """Add every line of ``text`` (parse_pasted), all or nothing: any bad line refuses the whole paste."""
    found, errors = parse_pasted(register, text)
    if errors:
        raise RegisterError("\n".join(errors), "pasted")
    with transaction.atomic():
        locked = _lock(register, actor)
        for row, url, title in found:
            answer = Answer(row=row, kind=AnswerKind.LINK, url=url, title=title, order=_next_order(row),
                            created_by=actor)
            answer._history_user = actor
            answer.save()
        _changed(locked)
    return len(found)


def add_file(row: Row, *, upload, title: str = "", actor, checked=None) -> Answer:
    """Host an uploaded file as an answer (checked as evidence files are: type, size, real content)."""
    from reports.entries.evidence import check_upload

    checked = checked if checked is not None else check_upload(upload)
    with transaction.atomic():
        register = _lock(row.register, actor)
        answer = Answer(row=row, kind=AnswerKind.FILE, title=title.strip()[:300], order=_next_order(row),
                        original_name=checked.name, content_type=checked.content_type, created_by=actor)
        answer.file.save(checked.name, upload, save=False)
        answer._history_user = actor
        answer.save()
        _changed(register)
    return answer


def change_link(answer: Answer, *, url: str, title: str, actor) -> Answer:
    """A corrected address: its health starts again (checked on the next run), reviewed."""
    url = clean_url(url)
    with transaction.atomic():
        register = _lock(answer.row.register, actor)
        if url != answer.url:
            answer.health, answer.failures_in_row, answer.last_checked_at = Health.UNCHECKED, 0, None
            answer.last_status, answer.last_error, answer.final_url, answer.broken_notified_at = None, "", "", None
        answer.url, answer.title, answer.needs_review = url, title.strip()[:300], False
        answer._history_user = actor
        answer.save()
        _changed(register)
    return answer


def mark_reviewed(answer: Answer, *, actor) -> Answer:
    with transaction.atomic():
        register = _lock(answer.row.register, actor)
        answer.needs_review = False
        answer._history_user = actor
        answer.save(update_fields=["needs_review"])
        _changed(register)
    return answer


def remove_answer(answer: Answer, *, actor) -> None:
    with transaction.atomic():
        register = _lock(answer.row.register, actor)
        answer._history_user = actor
        stored = answer.file.name if answer.kind == AnswerKind.FILE else ""
        answer.delete()
        _changed(register)
    if stored:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(stored))


def save_row(row: Row, *, note: str, division, actor) -> Row:
    if division is not None and division.organisation_id != row.register.organisation_id:
        raise RegisterError(_("Choose a division of this organisation."), "division")
    with transaction.atomic():
        register = _lock(row.register, actor)
        row.note, row.division = note.strip(), division
        row._history_user = actor
        row.save(update_fields=["note", "division"])
        _changed(register)
    return row


def carry_forward(register: Register, *, actor) -> int:
    """Copy the previous year's link answers into the rows of items that did not change (same number and
    same title), for rows that have no answer yet; each copy is marked to review. Returns answers copied."""
    previous = Register.objects.filter(organisation=register.organisation, year=register.year - 1).first()
    if previous is None:
        raise RegisterError(_("There is no OIT register of the previous year to carry forward."), "none")
    with transaction.atomic():
        locked = _lock(register, actor)
        old_rows = {(row.number, " ".join(row.title.split())): row
                    for row in previous.rows.prefetch_related("answers")}
        copied = 0
        for row in locked.rows.prefetch_related("answers"):
            old = old_rows.get((row.number, " ".join(row.title.split())))
            if old is None or row.answers.all():
                continue
            for order, answer in enumerate((a for a in old.answers.all() if a.kind == AnswerKind.LINK), 1):
                copy = Answer(row=row, kind=AnswerKind.LINK, url=answer.url, title=answer.title, order=order,
                              needs_review=True, created_by=actor)
                copy._history_user = actor
                copy.save()
                copied += 1
        RegisterEvent.objects.create(register=locked, action=RegisterAction.CARRIED, actor=actor,
                                     comment=str(copied))
        _changed(locked)
    return copied


def confirm_register(register: Register, *, actor, expected_version: int | None, comment: str = "") -> Register:
    """An approver confirms the register as they saw it (``expected_version``): the public ITAS page
    shows this snapshot from now on."""
    from .register import snapshot_of

    with transaction.atomic():
        locked = _lock(register, actor, Role.APPROVER, expected_version)
        if locked.status == RegisterStatus.CONFIRMED:
            raise RegisterError(_("This OIT register is already confirmed; nothing changed since."), "confirmed")
        now = timezone.now()
        locked.status, locked.confirmed_by, locked.confirmed_at = RegisterStatus.CONFIRMED, actor, now
        locked.confirmed_snapshot = snapshot_of(locked)
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db(fields=["version"])
        RegisterEvent.objects.create(register=locked, action=RegisterAction.CONFIRMED, actor=actor,
                                     comment=comment.strip())
    return locked
