"""Adding organisations to the installation: one by one, or many from a CSV of the national list
(installation administrators, i.e. Django superusers; orgs/installation_views.py).

    org = create_organisation(actor=superuser, code=..., kind=..., name=..., district=..., province=...,
                              website="", slug="")
    rows = parse_csv(data)          # list[OrgRow], or OrgImportError with every bad row (Thai, row numbers)
    preview(rows)                   # list[RowPreview]: new / changed (which fields) / unchanged
    stats = apply_rows(rows, actor=superuser)   # atomic; idempotent by code

The CSV (UTF-8, or the Windows Thai code page of Excel) has a header row naming the columns ``code``,
``type``, ``name``, ``district``, ``province``, ``website`` (any order; extra columns ignored). ``type``
is the Thai short or long form (เทศบาลนคร, เทศบาลเมือง, เทศบาลตำบล, อบต., อบจ., องค์การบริหารส่วนตำบล,
องค์การบริหารส่วนจังหวัด). An organisation whose code is known already is updated (its name, type,
district, province, and its website when the file gives one); its address name (slug) never changes.
A new one gets a slug from its website's host name (www.phaktob.go.th → phaktob), else org-<code>.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core import pagecache
from core.errors import RefusedChange
from core.thai import to_thai_digits

from .models import RESERVED_SLUGS, Organisation, OrganisationKind

COLUMNS = ("code", "type", "name", "district", "province", "website")
REQUIRED = ("code", "type", "name", "district", "province")
UPDATED_FIELDS = ("kind", "name", "district", "province", "website")
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 30
CODE_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KIND_BY_TYPE = {
    "เทศบาลนคร": OrganisationKind.CITY,
    "ทน.": OrganisationKind.CITY,
    "เทศบาลเมือง": OrganisationKind.TOWN,
    "ทม.": OrganisationKind.TOWN,
    "เทศบาลตำบล": OrganisationKind.SUBDISTRICT_MUNICIPALITY,
    "ทต.": OrganisationKind.SUBDISTRICT_MUNICIPALITY,
    "อบต.": OrganisationKind.SAO,
    "อบต": OrganisationKind.SAO,
    "องค์การบริหารส่วนตำบล": OrganisationKind.SAO,
    "อบจ.": OrganisationKind.PAO,
    "อบจ": OrganisationKind.PAO,
    "องค์การบริหารส่วนจังหวัด": OrganisationKind.PAO,
    **{kind.value: kind for kind in OrganisationKind if kind != OrganisationKind.OTHER},
}


class OrgImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def check_actor(actor):
    if actor is None or not actor.is_authenticated or not actor.is_active or not actor.is_superuser:
        raise RefusedChange(_("Only installation administrators can add organisations."), "not_installation_admin")


# --- address names -----------------------------------------------------------------------------------

def slug_from_website(website: str) -> str:
    host = (urlsplit(website if "://" in website else f"https://{website}").hostname or "").lower()
    labels = [label for label in host.split(".") if label and label != "www"]
    candidate = labels[0] if labels else ""
    return candidate if SLUG_RE.match(candidate) and len(candidate) <= 50 else ""


def taken_slugs() -> set[str]:
    """Every slug in use (one query), to which ``slug_for`` adds the ones it hands out."""
    return set(Organisation.objects.values_list("slug", flat=True))


def unique_slug(base: str, taken: set[str]) -> str:
    """``base``, or base-2, base-3, … : not reserved, not in ``taken`` (see ``taken_slugs``)."""
    candidate, n = base, 1
    while candidate in RESERVED_SLUGS or candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def slug_for(code: str, website: str, taken: set[str]) -> str:
    return unique_slug(slug_from_website(website) or f"org-{code.lower()}", taken)


# --- one organisation -----------------------------------------------------------------------------------

def create_organisation(*, actor, code, kind, name, district, province, website="", slug="") -> Organisation:
    with transaction.atomic():
        check_actor(actor)
        code = code.strip()
        if Organisation.objects.filter(code=code).exists():
            raise RefusedChange(_("An organisation with this code exists already."), "duplicate_code")
        slug = slug.strip().lower()
        if slug and (slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists()):
            raise RefusedChange(_("This address name is in use or reserved; choose another."), "slug")
        org = Organisation(code=code, kind=kind, name=name.strip(), district=district.strip(),
                           province=province.strip(), website=website.strip(),
                           slug=slug or slug_for(code, website, taken_slugs()))
        org._history_user = actor
        org.full_clean()
        org.save()  # the public cache hears of it through the save signal (public/signals.py)
    return org


# --- the CSV --------------------------------------------------------------------------------------------

@dataclass
class OrgRow:
    line: int
    code: str
    kind: str
    name: str
    district: str
    province: str
    website: str

    def values(self) -> dict:
        return {"kind": self.kind, "name": self.name, "district": self.district, "province": self.province,
                "website": self.website}


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise OrgImportError([_("The file is not a CSV text file (UTF-8 or Thai Windows encoding).")])


def _row_error(line: int, message: str) -> str:
    return _("Row %(row)s: %(message)s") % {"row": to_thai_digits(line), "message": message}


def parse_csv(data: bytes) -> list[OrgRow]:
    """Every row checked; OrgImportError lists the bad ones (at most MAX_ERRORS) with their row numbers
    (the header is row 1)."""
    if len(data) > MAX_BYTES:
        raise OrgImportError([_("The file is too large (at most 5 MB).")])
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise OrgImportError([_("The file is empty.")]) from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OrgImportError([_("Row 1 (the header) lacks the columns: %(columns)s. It must name: %(all)s.") % {
            "columns": ", ".join(missing), "all": ", ".join(COLUMNS)}])
    index = {c: header.index(c) for c in COLUMNS}
    rows, errors, codes = [], [], {}
    validate_url = URLValidator(schemes=["http", "https"])
    try:
        for line, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            cells = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
            problems = [_("the %(column)s is missing") % {"column": c} for c in REQUIRED if not cells[c]]
            code = cells["code"]
            if code and not CODE_RE.match(code):
                problems.append(_("the code %(code)s is not a code (letters and digits, at most 20)") % {"code": code})
            elif code in codes:
                problems.append(_("the code %(code)s is also on row %(row)s") % {
                    "code": code, "row": to_thai_digits(codes[code])})
            kind = KIND_BY_TYPE.get(cells["type"])
            if cells["type"] and kind is None:
                problems.append(_("unknown type “%(type)s” (use เทศบาลนคร, เทศบาลเมือง, เทศบาลตำบล, อบต. or อบจ.)")
                                % {"type": cells["type"]})
            for column, limit in (("name", 200), ("district", 100), ("province", 100)):
                if len(cells[column]) > limit:
                    problems.append(_("the %(column)s is longer than %(limit)s characters") % {
                        "column": column, "limit": to_thai_digits(limit)})
            website = cells["website"]
            if website:
                if "://" not in website:
                    website = f"https://{website}"
                try:
                    validate_url(website)
                except ValidationError:
                    problems.append(_("the website “%(url)s” is not a web address") % {"url": cells["website"]})
            if problems:
                errors.append(_row_error(line, "; ".join(problems)))
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            codes[code] = line
            rows.append(OrgRow(line, code, kind.value if hasattr(kind, "value") else kind, cells["name"],
                               cells["district"], cells["province"], website))
    except csv.Error as exc:
        errors.append(_row_error(reader.line_num, _("the line cannot be read as CSV (%(error)s)") % {"error": exc}))
    if errors:
        raise OrgImportError(errors)
    if not rows:
        raise OrgImportError([_("The file has no organisation rows.")])
    return rows


# --- preview and apply -----------------------------------------------------------------------------------

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass
class RowPreview:
    row: OrgRow
    action: str
    organisation: Organisation | None = None
    changes: list = field(default_factory=list)  # (field label, old, new)
    slug: str = ""


def _changes(org: Organisation, row: OrgRow) -> list:
    changes = []
    for name, new in row.values().items():
        old = getattr(org, name)
        if name == "website" and not new:
            continue  # a row without a website keeps the one the organisation has
        if old != new:
            f = Organisation._meta.get_field(name)
            shown = (lambda v: str(dict(f.flatchoices).get(v, v))) if f.choices else (lambda v: v)
            changes.append((str(f.verbose_name), shown(old), shown(new)))
    return changes


def preview(rows: list[OrgRow]) -> list[RowPreview]:
    existing = {o.code: o for o in Organisation.objects.filter(code__in=[r.code for r in rows])}
    taken = taken_slugs()
    result = []
    for row in rows:
        org = existing.get(row.code)
        if org is None:
            result.append(RowPreview(row, NEW, slug=slug_for(row.code, row.website, taken)))
        else:
            changes = _changes(org, row)
            result.append(RowPreview(row, CHANGED if changes else UNCHANGED, org, changes, org.slug))
    return result


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply_rows(rows: list[OrgRow], *, actor) -> ImportStats:
    """Create the new organisations and update the known ones (by code), all or nothing."""
    stats = ImportStats()
    with transaction.atomic():
        check_actor(actor)
        existing = {o.code: o for o in Organisation.objects.select_for_update().filter(
            code__in=[r.code for r in rows])}
        taken = taken_slugs()
        new = []
        for row in rows:
            org = existing.get(row.code)
            if org is None:
                new.append(Organisation(code=row.code, slug=slug_for(row.code, row.website, taken), **row.values()))
            elif _changes(org, row):
                for name, value in row.values().items():
                    if name != "website" or value:
                        setattr(org, name, value)
                org._history_user = actor
                org.save()
                stats.updated += 1
            else:
                stats.unchanged += 1
        if new:  # the whole national list at once: inserts and their history records in batches
            bulk_create_with_history(new, Organisation, batch_size=500, default_user=actor)
            stats.created = len(new)
            pagecache.bump()  # bulk_create sends no signal: the directory lists the new organisations
    return stats
