"""A synthetic national data set for load tests: ``seed_scale`` (demo/management/commands/seed_scale.py).

    seed_scale(orgs=8000, years=5)  ->  ScaleReport

builds, in one transaction, ``orgs`` organisations (slug ``scale-00001`` …; เทศบาลตำบล…, องค์การบริหาร
ส่วนตำบล…, a few เทศบาลเมือง/นคร and one อบจ. per province, spread over the 77 provinces) with their
divisions, three users each (``<slug>-staff``, ``<slug>-approver``, ``<slug>-admin``, one known password),
and for each of the last ``years`` fiscal years up to the current one: ~10 measures of ~5 steps (picked
from demo/scale_data.py), the ITA result of the assessment year the measures answer (tool and indicator
scores as that year's catalogue defines, OIT items scored 0 where the OIT score is low), and three
published documents — the measures plan and the 6- and 12-month progress reports, with their entries and
their create/submit/approve/publish workflow events.

How it stays fast (the default size is ~6 million rows):

- Rows are written with PostgreSQL ``COPY`` (other databases: ``executemany``), ids allocated here; the
  workflow services are not called per document.
- Snapshots: the parts of ``reports.documents.data.build_document_data`` are computed once, from real rows of
  prototype organisations created and rolled back inside the same transaction: every measure of the
  library in every fiscal year with every entry variant (``measure_data``), the analysis of every score
  profile of every assessment year (``analysis_data``), the document header of each fiscal year and kind
  (``build_document_data``). A synthetic document's snapshot is those parts, put together with its own
  organisation, measure ids and numbers, signer and memo (``memo_initial`` of its organisation, dated on
  the approval day) — exactly what approving it through the workflow would have frozen
  (tests/test_seed_scale.py compares them).
- PDFs: one real PDF per (kind, round, layout) is rendered through reports.printing.rendering from the first
  such document's snapshot and stored once through the storage API under its content-hash name
  (``published/scale/<sha256[:20]>.pdf``); every synthetic document of that kind, round and layout names
  that file in ``pdf_file``, so the public PDF view serves it, with its content-hash ETag, as it serves a
  PDF stored at publication. (Its text shows the organisation it was rendered for.)
- ITA results: each assessment year has ``PROFILES`` score profiles (spread from "ต้องปรับปรุงโดยด่วน"
  to "ผ่านดีเยี่ยม"); an organisation has a quality that drifts from year to year and picks the profile of
  its quality, so levels vary across organisations and years.

Idempotent: when synthetic organisations exist, nothing is done (``ScaleReport.skipped``), unless
``reset=True``, which first deletes the synthetic organisations and users (slug and username prefix
``scale-``) and everything that hangs off them — never another organisation — and the shared PDFs no
remaining document names. ``orgs=0`` with ``reset=True`` only deletes.

Dates are plausible (a measures plan published in October–November of its fiscal year, the 6-month report
in April, the 12-month report in October after the year); a report whose date would be in the future (the
current fiscal year's progress reports) is dated just before the run.
"""
from __future__ import annotations

import calendar
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from core.audit import GENESIS, chain_digest
from core.thai import fiscal_year_of, to_thai_digits
from ita.models import (
    AssessmentResult,
    AssessmentYear,
    Indicator,
    IndicatorScore,
    OITItem,
    OITItemScore,
    Tool,
    ToolScore,
    ToolWeight,
)
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation, OrganisationKind
from reports.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    EntryStatus,
    ProgressEntry,
    WorkflowAction,
    WorkflowEvent,
)

from . import scale_data as vocab
from .scale_delete import bump_public_cache, delete_synthetic
from .scale_rows import JsonText, ScaleError, Writer  # noqa: F401 (ScaleError is this module's error too)

SLUG_PREFIX = "scale-"
USERNAME_PREFIX = "scale-"
PDF_DIR = "published/scale"
PROFILES = 40
BANGKOK = ZoneInfo("Asia/Bangkok")
PLACEHOLDER = "@@ORGANISATION@@"  # the prototypes' name, replaced by each organisation's
DOC_KINDS = ((DocumentKind.MEASURES, 0), (DocumentKind.PROGRESS, 6), (DocumentKind.PROGRESS, 12))
SYNTHETIC_NOTE = "ข้อมูลสังเคราะห์สำหรับทดสอบภาระของระบบ (seed_scale)"
KIND_PREFIX = {
    OrganisationKind.SAO: "องค์การบริหารส่วนตำบล",
    OrganisationKind.SUBDISTRICT_MUNICIPALITY: "เทศบาลตำบล",
    OrganisationKind.TOWN: "เทศบาลเมือง",
    OrganisationKind.CITY: "เทศบาลนคร",
    OrganisationKind.PAO: "องค์การบริหารส่วนจังหวัด",
}
# Shares of the kinds among the local organisations other than the อบจ. (roughly the national figures).
KIND_WEIGHTS = (
    (OrganisationKind.SAO, 0.66), (OrganisationKind.SUBDISTRICT_MUNICIPALITY, 0.31),
    (OrganisationKind.TOWN, 0.025), (OrganisationKind.CITY, 0.005),
)
PAO_EVERY = 104  # one org in 104 is an อบจ. (76 of 8,000), one per province
PAO_PROVINCES = tuple(p for p in vocab.PROVINCES if p != "กรุงเทพมหานคร")  # Bangkok has no อบจ.
LAYOUT_WEIGHTS = (("A", 0.5), ("B", 0.25), ("C", 0.25))
# Entry variants per round: (status, output key, outcome key, weight).
ENTRY_VARIANTS = {
    6: ((EntryStatus.IN_PROGRESS, "out6", None, 0.85), (EntryStatus.NOT_STARTED, "prep", None, 0.15)),
    12: ((EntryStatus.DONE, "out12", "outcome12", 0.9), (EntryStatus.NOT_DONE, "short12", None, 0.1)),
}


@dataclass
class ScaleReport:
    skipped: bool = False
    existing: int = 0
    deleted: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    fiscal_years: list = field(default_factory=list)
    pdf_files: list = field(default_factory=list)
    levels: dict = field(default_factory=dict)


def synthetic_organisations():
    return Organisation.objects.filter(slug__startswith=SLUG_PREFIX)


def synthetic_users():
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX)


def org_slug(index: int) -> str:
    return f"{SLUG_PREFIX}{index + 1:05d}"


def usernames(slug: str) -> list[str]:
    """The usernames of an organisation's synthetic users: staff, approver, admin."""
    return [f"{slug}-{role}" for role, _position in vocab.USER_ROLES]


# --- the catalogue -----------------------------------------------------------------------------------

@dataclass
class Catalogue:
    years: dict  # year -> AssessmentYear
    tools: dict  # code -> Tool
    weights: dict  # year -> {code: Decimal}
    indicators: dict  # year -> [Indicator] by number
    oit_items: dict  # year -> {code: OITItem}

    @classmethod
    def load(cls):
        years = {y.year: y for y in AssessmentYear.objects.all()}
        if not years:
            raise ScaleError("The ITA catalogue is empty: run `python manage.py load_ita_catalogue` first.")
        tools = {t.code: t for t in Tool.objects.all()}
        weights = {}
        for w in ToolWeight.objects.select_related("year", "tool"):
            weights.setdefault(w.year.year, {})[w.tool.code] = w.weight
        indicators = {}
        for ind in Indicator.objects.select_related("year", "tool").order_by("year__year", "number"):
            indicators.setdefault(ind.year.year, []).append(ind)
        oit_items = {}
        for item in OITItem.objects.select_related("year"):
            oit_items.setdefault(item.year.year, {})[item.code] = item
        return cls(years, tools, weights, indicators, oit_items)

    def oit_item(self, year: int, code: str | None):
        """The item ``code`` of ``year`` when it means what it means in the latest year (codes were
        renumbered in 2566 and 2568), else None."""
        if not code or year not in self.oit_items:
            return None
        item = self.oit_items[year].get(code)
        latest = self.oit_items[max(self.oit_items)].get(code)
        if item is None or latest is None or item.title != latest.title:
            return None
        return item


# --- score profiles ------------------------------------------------------------------------------------

def _q(value: float) -> Decimal:
    value = min(100.0, max(0.0, value))
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Profile:
    total: Decimal
    tools: dict  # code -> Decimal
    indicators: list  # [(Indicator, Decimal, issues)]
    zero_items: list  # [OITItem]


def make_profiles(cat: Catalogue, year: int, seed: int) -> list[Profile]:
    """PROFILES score profiles of an assessment year, from the weakest to the strongest."""
    rng = random.Random(f"profiles-{seed}-{year}")
    weights = cat.weights.get(year) or {"IIT": Decimal(30), "EIT": Decimal(30), "OIT": Decimal(40)}
    items = sorted(cat.oit_items.get(year, {}).values(), key=lambda i: i.number)
    profiles = []
    for k in range(PROFILES):
        quality = k / (PROFILES - 1)
        target = 52 + 47.8 * quality ** 0.6
        tools = {
            "IIT": _q(target + rng.gauss(3, 2.5)),
            "EIT": _q(target + rng.gauss(1.5, 2.5)),
            "OIT": _q(target + rng.gauss(-4, 6) if k < PROFILES - 3 else target + rng.uniform(0, 2)),
        }
        total = sum(tools[c] * weights.get(c, 0) for c in tools) / sum(weights.values())
        total = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        indicators = []
        for ind in cat.indicators.get(year, []):
            score = _q(float(tools.get(ind.tool.code, total)) + rng.gauss(0, 4))
            issues = f"ควรพัฒนาประเด็น{ind.name}ให้ดียิ่งขึ้น" if score < 85 else ""
            indicators.append((ind, score, issues))
        zero = []
        if tools["OIT"] < 85 and items:
            zero = sorted(rng.sample(items, min(len(items), 1 + int((85 - tools["OIT"]) // 10))),
                          key=lambda i: i.number)
        profiles.append(Profile(total, tools, indicators, zero))
    return profiles


# --- dates -------------------------------------------------------------------------------------------------

def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANGKOK) + timedelta(minutes=rng.randint(0, 480))


def _month_start(fy: int, offset: int) -> date:
    year, month = fy - 543 - 1, 10 + offset
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def _month_end(fy: int, offset: int) -> date:
    start = _month_start(fy, offset)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def workflow_dates(fy: int, kind: str, round_: int, rng: random.Random, now: datetime):
    """(created, submitted, approved, published) of a document; never after ``now``."""
    ce = fy - 543
    first = {0: date(ce - 1, 10, 1), 6: date(ce, 4, 1), 12: date(ce, 10, 1)}[round_]
    submitted = _at(first + timedelta(days=rng.randint(0, 20)), rng)
    approved = submitted + timedelta(days=rng.randint(0, 4), minutes=rng.randint(30, 300))
    published = approved + timedelta(days=rng.randint(0, 2), minutes=rng.randint(10, 120))
    created = submitted - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 300))
    if published > now - timedelta(hours=1):
        shift = published - (now - timedelta(hours=1))
        created, submitted, approved, published = (d - shift for d in (created, submitted, approved, published))
    return created, submitted, approved, published


# --- the templates (from prototype rows, rolled back) --------------------------------------------------------

class _Rollback(Exception):
    pass


def _entry_texts(t: dict) -> dict:
    return {
        "out6": t["out6"], "out12": t["out12"], "outcome12": t["outcome12"],
        "prep": "อยู่ระหว่างเตรียมการ จะเริ่มดำเนินการในไตรมาสถัดไปตามแผน",
        "short12": t["out6"] + "\nดำเนินการได้ไม่ครบตามแผน เนื่องจากข้อจำกัดด้านงบประมาณ จะดำเนินการต่อในปีงบประมาณถัดไป",
    }


@dataclass
class Templates:
    header: dict  # (fy, kind, round) -> dict without the per-document parts
    measure: dict  # (fy, template index, round, variant) -> measure_data dict
    analysis: dict  # (assessment year, profile) -> analysis_data dict (PLACEHOLDER as name)
    key_order: list = field(default_factory=list)  # build_document_data's keys, in its order


def measure_rows(t: dict, fy: int):
    """(fields of Measure, steps [(order, label, text, due, [sub texts])]) of library measure ``t`` in ``fy``."""
    if "timeline" in t:
        start = end = None
        timeline = t["timeline"]
    else:
        start, end = _month_start(fy, t["start"]), _month_start(fy, t["start"] + t["months"] - 1)
        timeline = ""
    months = t.get("months", 12)
    n = len(t["steps"])
    steps = []
    for j, (text, subs) in enumerate(t["steps"]):
        due = _month_end(fy, t.get("start", 0) + max(0, -(-months * (j + 1) // n) - 1))
        steps.append((j + 1, "", text, due, [s for s, _x in subs]))
    fields = {
        "group_heading": vocab.MEASURE_HEADINGS[t["tool"]], "title": t["title"], "guideline": t["guideline"],
        "weakness": t["weakness"], "responsible_text": "", "start_month": start, "end_month": end,
        "timeline_text": timeline, "monitoring": t["monitoring"],
    }
    return fields, steps


def build_templates(cat: Catalogue, fiscal_years: list[int], profiles: dict) -> Templates:
    """The parts of every synthetic snapshot, computed by reports.documents.data from prototype rows that are
    rolled back afterwards (a savepoint inside the seeding transaction)."""
    from reports.documents.data import analysis_data, build_document_data, map_strings, measure_data

    out = Templates({}, {}, {})
    try:
        with transaction.atomic():
            orgs = [
                Organisation.objects.create(kind=OrganisationKind.SAO, name=PLACEHOLDER, district="-", province="-",
                                            slug=f"{SLUG_PREFIX}prototype-{k}")
                for k in range(PROFILES)
            ]
            org = orgs[0]
            divisions = {name: Division.objects.create(organisation=org, name=name, order=i)
                         for i, name in enumerate(vocab.BASE_DIVISIONS, start=1)}
            for year, year_profiles in profiles.items():
                for k, p in enumerate(year_profiles):
                    _create_result(orgs[k], cat.years[year], p)
                    out.analysis[(year, k)] = analysis_data(orgs[k], year)
            for fy in fiscal_years:
                ay = fy - 1
                measures = []
                for i, t in enumerate(vocab.MEASURES):
                    fields, steps = measure_rows(t, fy)
                    m = Measure.objects.create(organisation=org, fiscal_year=fy, order=i + 1, **fields)
                    m.tools.set([cat.tools[t["tool"]]])
                    m.indicators.set([ind for ind in cat.indicators.get(ay, []) if ind.number == t["indicator"]])
                    item = cat.oit_item(ay, t["oit"])
                    m.oit_items.set([item] if item else [])
                    m.divisions.set([divisions[name] for name in t["divisions"]])
                    for order, label, text, due, subs in steps:
                        parent = MeasureStep.objects.create(measure=m, order=order, label=label, text=text,
                                                            due_date=due)
                        for s_order, s_text in enumerate(subs, start=1):
                            MeasureStep.objects.create(measure=m, parent=parent, order=s_order, text=s_text)
                    measures.append(m)
                by_pk = {m.pk: i for i, m in enumerate(measures)}
                for m in Measure.objects.with_details().filter(pk__in=by_pk):
                    out.measure[(fy, by_pk[m.pk], 0, 0)] = measure_data(m, 1, None, "full")
                for round_, variants in ENTRY_VARIANTS.items():
                    for v, (status, out_key, outcome_key, _w) in enumerate(variants):
                        doc = Document.objects.create(organisation=org, fiscal_year=fy, kind=DocumentKind.PROGRESS,
                                                      round=round_, revision=v + 1)
                        for i, m in enumerate(measures):
                            texts = _entry_texts(vocab.MEASURES[i])
                            ProgressEntry.objects.create(document=doc, measure=m, status=status,
                                                         output=texts[out_key],
                                                         outcome=texts[outcome_key] if outcome_key else "")
                        entries = {e.measure_id: e for e in doc.entries.prefetch_related("evidence")}
                        for m in Measure.objects.with_details().filter(pk__in=by_pk):
                            out.measure[(fy, by_pk[m.pk], round_, v)] = measure_data(m, 1, entries[m.pk], "full")
                for kind, round_ in DOC_KINDS:
                    doc = Document(organisation=org, fiscal_year=fy, kind=kind, round=round_, revision=1,
                                   status=DocumentStatus.APPROVED, signer_role="ผู้รายงาน")
                    data = build_document_data(doc)
                    out.key_order = list(data)
                    for key in ("organisation", "measures", "signer", "memo", "analysis", "layout"):
                        data.pop(key)
                    if PLACEHOLDER in json.dumps(data, ensure_ascii=False):
                        raise ScaleError("the document header names the organisation")
                    out.header[(fy, kind, round_)] = data
            raise _Rollback
    except _Rollback:
        pass
    for key, value in out.analysis.items():
        if value is not None and PLACEHOLDER not in value.get("sentence", ""):
            raise ScaleError("the analysis sentence no longer names the organisation")
    out.map_strings = map_strings
    return out


OIT_ZERO_REMARK = "ไม่พบข้อมูลบนเว็บไซต์ของหน่วยงาน"


def confirmed_snapshot(p: Profile) -> dict:
    """The confirmed figures of a synthetic result: what ita.services.snapshot_of freezes for it."""
    def text(value):
        return f"{Decimal(value):.2f}"

    return {
        "version": 1, "total_score": text(p.total), "summary": "", "notes": SYNTHETIC_NOTE,
        "tools": {code: text(score) for code, score in p.tools.items()}, "tool_issues": {},
        "indicators": [
            {"number": ind.number, "name": ind.name, "score": text(score), "assessment_points": "",
             "issues_to_improve": issues}
            for ind, score, issues in sorted(p.indicators, key=lambda row: row[0].number)
        ],
        "oit": [{"code": item.code, "score": "0.00", "remark": OIT_ZERO_REMARK}
                for item in sorted(p.zero_items, key=lambda i: i.number)],
    }


def _create_result(org, year, p: Profile):
    result = AssessmentResult.objects.create(organisation=org, year=year, total_score=p.total, notes=SYNTHETIC_NOTE)
    cat_tools = {t.code: t for t in Tool.objects.all()}
    for code, score in p.tools.items():
        ToolScore.objects.create(result=result, tool=cat_tools[code], score=score)
    for ind, score, issues in p.indicators:
        IndicatorScore.objects.create(result=result, indicator=ind, score=score, issues_to_improve=issues)
    for item in p.zero_items:
        OITItemScore.objects.create(result=result, item=item, score=Decimal("0.00"), remark=OIT_ZERO_REMARK)


# --- organisations -----------------------------------------------------------------------------------------

def _pick(rng, weighted):
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def place_name(rng) -> str:
    return rng.choice(vocab.PLACE_FIRST) + rng.choice(vocab.PLACE_SECOND) + rng.choice(vocab.PLACE_THIRD)


def districts_of(province: str, seed: int) -> list[str]:
    """The อำเภอ of a province: เมือง<province> and 5–15 invented names (the same on every run)."""
    rng = random.Random(f"districts-{seed}-{province}")
    names = {place_name(rng) for _ in range(rng.randint(5, 15))}
    return ["เมือง" + province] + sorted(names)


@dataclass
class OrgPlan:
    index: int
    id: int
    slug: str
    kind: str
    name: str
    district: str
    province: str
    layout: str
    quality: float
    trend: float


def plan_organisation(index: int, org_id: int, rng, seed: int) -> OrgPlan:
    province = rng.choice(vocab.PROVINCES)
    if index % PAO_EVERY == 3 and (index // PAO_EVERY) < len(PAO_PROVINCES):
        province = PAO_PROVINCES[index // PAO_EVERY]
        kind, name, district = OrganisationKind.PAO, KIND_PREFIX[OrganisationKind.PAO] + province, "เมือง" + province
    else:
        kind = _pick(rng, KIND_WEIGHTS)
        district = rng.choice(districts_of(province, seed))
        place = district if kind in (OrganisationKind.TOWN, OrganisationKind.CITY) and rng.random() < 0.5 else place_name(rng)
        name = KIND_PREFIX[kind] + place.removeprefix("เมือง")
    return OrgPlan(index, org_id, org_slug(index), kind, name, district, province, _pick(rng, LAYOUT_WEIGHTS),
                   quality=rng.betavariate(4, 1.6), trend=rng.gauss(0.02, 0.03))


# --- the seeding ----------------------------------------------------------------------------------------------

class Seeder:
    def __init__(self, *, orgs: int, years: int, password: str, seed: int, batch: int, log):
        self.n_orgs, self.n_years, self.seed, self.batch, self.log = orgs, years, seed, batch, log
        self.password_hash = make_password(password)  # once: every synthetic user shares it
        self.now = timezone.now()
        current = fiscal_year_of(timezone.localdate())
        self.fiscal_years = list(range(current - years + 1, current + 1))
        self.cat = Catalogue.load()
        self.assessment_years = [fy - 1 for fy in self.fiscal_years if fy - 1 in self.cat.years]
        self.profiles = {ay: make_profiles(self.cat, ay, seed) for ay in self.assessment_years}
        self.pdf_names: dict = {}
        self.level_counts: dict = {}

    def run(self) -> ScaleReport:
        started = time.monotonic()
        self.log(f"Fiscal years {self.fiscal_years[0]}–{self.fiscal_years[-1]}; ITA results of "
                 f"{', '.join(map(str, self.assessment_years)) or 'no year (not in the catalogue)'}.")
        self.templates = build_templates(self.cat, self.fiscal_years, self.profiles)
        self.log(f"Templates built from prototypes ({time.monotonic() - started:.1f}s).")
        self._setup_tables()
        rng = random.Random(f"orgs-{self.seed}")
        try:
            for first in range(0, self.n_orgs, self.batch):
                for index in range(first, min(self.n_orgs, first + self.batch)):
                    self._organisation(plan_organisation(index, self.ids_org.take(), rng, self.seed), rng)
                self.writer.flush()
                done = min(self.n_orgs, first + self.batch)
                copy = f", COPY busy {self.writer.copier.busy:.1f}s" if self.writer.copier else ""
                self.log(f"  {done:>6}/{self.n_orgs} organisations  {time.monotonic() - started:7.1f}s{copy}")
        finally:
            self.writer.finish()  # the COPY thread is done with the connection before anything else uses it
        self.log(f"  all rows written  {time.monotonic() - started:7.1f}s")
        self.writer.reset_sequences()
        report = ScaleReport(counts={t.model._meta.label: t.count for t in self.writer.tables},
                             fiscal_years=self.fiscal_years, pdf_files=sorted(self.pdf_names.values()),
                             levels=self.level_counts)
        report.seconds = time.monotonic() - started
        return report

    def _setup_tables(self):
        w = self.writer = Writer()
        User = get_user_model()
        self.ids_org, self.ids_div, self.ids_user = w.ids(Organisation), w.ids(Division), w.ids(User)
        self.ids_member, self.ids_result = w.ids(Membership), w.ids(AssessmentResult)
        self.ids_tool_score, self.ids_ind_score = w.ids(ToolScore), w.ids(IndicatorScore)
        self.ids_oit_score, self.ids_measure, self.ids_step = w.ids(OITItemScore), w.ids(Measure), w.ids(MeasureStep)
        self.ids_doc, self.ids_entry, self.ids_event = w.ids(Document), w.ids(ProgressEntry), w.ids(WorkflowEvent)
        through = {name: getattr(Measure, name).through for name in ("tools", "indicators", "oit_items", "divisions")}
        self.ids_through = {name: w.ids(model) for name, model in through.items()}
        self.t_org = w.table(Organisation, ["id", "kind", "name", "district", "province", "slug", "address", "phone",
                                            "default_layout"])
        self.t_div = w.table(Division, ["id", "organisation_id", "name", "order"])
        self.t_user = w.table(User, ["id", "password", "username", "first_name", "last_name", "email", "is_active",
                                     "is_staff", "is_superuser", "date_joined"])
        self.t_member = w.table(Membership, ["id", "user_id", "organisation_id", "role", "position", "is_active"])
        self.t_result = w.table(AssessmentResult, ["id", "organisation_id", "year_id", "total_score", "notes",
                                                   "confirmed_at", "confirmed_version", "confirmed_snapshot"])
        self.result_snapshots: dict = {}
        self.t_tool_score = w.table(ToolScore, ["id", "result_id", "tool_id", "score"])
        self.t_ind_score = w.table(IndicatorScore, ["id", "result_id", "indicator_id", "score", "issues_to_improve"])
        self.t_oit_score = w.table(OITItemScore, ["id", "result_id", "item_id", "score", "remark"])
        self.t_measure = w.table(Measure, [
            "id", "organisation_id", "fiscal_year", "order", "group_heading", "title", "guideline", "weakness",
            "responsible_text", "start_month", "end_month", "timeline_text", "monitoring", "report_rounds",
            "created_at", "updated_at"])
        self.t_through = {
            name: w.table(model, ["id", "measure_id", {"tools": "tool_id", "indicators": "indicator_id",
                                                     "oit_items": "oititem_id", "divisions": "division_id"}[name]])
            for name, model in through.items()
        }
        self.t_step = w.table(MeasureStep, ["id", "measure_id", "parent_id", "order", "label", "text", "due_date"])
        self.t_doc = w.table(Document, [
            "id", "organisation_id", "fiscal_year", "kind", "round", "revision", "status", "signer_name",
            "signer_position", "signer_role", "created_by_id", "submitted_by_id", "submitted_at", "approved_by_id",
            "approved_at", "published_by_id", "published_at", "snapshot", "pdf_file", "pdf_rendered_at", "version",
            "created_at", "updated_at", "layout"])
        self.t_entry = w.table(ProgressEntry, ["id", "document_id", "measure_id", "output", "outcome", "status"])
        self.t_event = w.table(WorkflowEvent, ["id", "document_id", "action", "from_status", "to_status", "actor_id",
                                               "actor_name", "at", "prev_hash", "hash"])
        # The measure rows of the library per fiscal year (the same for every organisation).
        self.library = {}
        for fy in self.fiscal_years:
            ay = fy - 1
            for i, t in enumerate(vocab.MEASURES):
                fields, steps = measure_rows(t, fy)
                indicators = [ind.pk for ind in self.cat.indicators.get(ay, []) if ind.number == t["indicator"]]
                item = self.cat.oit_item(ay, t["oit"])
                self.library[(fy, i)] = (fields, steps, self.cat.tools[t["tool"]].pk, indicators,
                                         [item.pk] if item else [], t["divisions"])
        self.report_rounds = JsonText(json.dumps([6, 12]))
        self.tool_order = {code: n for n, code in enumerate(("IIT", "EIT", "OIT"))}

    # -- one organisation --

    def _organisation(self, o: OrgPlan, rng):
        from reports.documents.data import memo_data, memo_initial

        self.t_org.add(o.id, o.kind, o.name, o.district, o.province, o.slug,
                       f"ที่ทำการ{o.name} อำเภอ{o.district} จังหวัด{o.province}",
                       f"0-{rng.randint(2000, 7999)}-{rng.randint(1000, 9999)}", o.layout)
        names = list(vocab.BASE_DIVISIONS) + rng.sample(vocab.OTHER_DIVISIONS, rng.randint(1, 4))
        divisions = {}
        division_rows = []  # in order, for memo_initial (the memo's default division) without a query
        for order, name in enumerate(names, start=1):
            divisions[name] = self.ids_div.take()
            self.t_div.add(divisions[name], o.id, name, order)
            division_rows.append(Division(pk=divisions[name], organisation_id=o.id, name=name, order=order))
        users = []
        for username, (role, position) in zip(usernames(o.slug), vocab.USER_ROLES):
            first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
            if role == "approver":
                position = {OrganisationKind.SAO: "ปลัดองค์การบริหารส่วนตำบล",
                            OrganisationKind.PAO: "ปลัดองค์การบริหารส่วนจังหวัด"}.get(o.kind, "ปลัดเทศบาล")
            uid = self.ids_user.take()
            self.t_user.add(uid, self.password_hash, username, first, last, f"{username}@example.org", True, False,
                            False, self.now)
            self.t_member.add(self.ids_member.take(), uid, o.id, role, position, True)
            users.append((uid, f"{first} {last}", position))
        (staff, staff_name, staff_position), (approver, approver_name, _p) = users[0], users[1]

        org_data = {"name": o.name, "district": o.district, "province": o.province,
                    "place": f"อำเภอ{o.district} จังหวัด{o.province}", "slug": o.slug, "emblem": ""}
        org_mem = Organisation(name=o.name, kind=o.kind, district=o.district, province=o.province, slug=o.slug,
                               default_layout=o.layout)
        analyses = {}
        for y, ay in enumerate(self.assessment_years):
            quality = min(1.0, max(0.0, o.quality + o.trend * y + rng.gauss(0, 0.06)))
            k = round(quality * (PROFILES - 1))
            analyses[ay] = k
            self._result(o, ay, self.profiles[ay][k])

        map_strings = self.templates.map_strings
        for fy in self.fiscal_years:
            chosen = sorted(rng.sample(range(len(vocab.MEASURES)), rng.randint(8, 12)),
                            key=lambda i: (self.tool_order[vocab.MEASURES[i]["tool"]], i))
            created = _at(_month_start(fy, 0) - timedelta(days=rng.randint(5, 25)), rng)
            measure_ids = []
            for order, i in enumerate(chosen, start=1):
                fields, steps, tool_id, indicator_ids, item_ids, division_names = self.library[(fy, i)]
                mid = self.ids_measure.take()
                measure_ids.append(mid)
                self.t_measure.add(mid, o.id, fy, order, fields["group_heading"], fields["title"], fields["guideline"],
                                   fields["weakness"], "", fields["start_month"], fields["end_month"],
                                   fields["timeline_text"], fields["monitoring"], self.report_rounds, created, created)
                self.t_through["tools"].add(self.ids_through["tools"].take(), mid, tool_id)
                for pk in indicator_ids:
                    self.t_through["indicators"].add(self.ids_through["indicators"].take(), mid, pk)
                for pk in item_ids:
                    self.t_through["oit_items"].add(self.ids_through["oit_items"].take(), mid, pk)
                for name in division_names:
                    self.t_through["divisions"].add(self.ids_through["divisions"].take(), mid, divisions[name])
                for s_order, label, text, due, subs in steps:
                    sid = self.ids_step.take()
                    self.t_step.add(sid, mid, None, s_order, label, text, due)
                    for sub_order, sub_text in enumerate(subs, start=1):
                        self.t_step.add(self.ids_step.take(), mid, sid, sub_order, "", sub_text, None)
            for kind, round_ in DOC_KINDS:
                doc_id = self.ids_doc.take()
                d_created, submitted, approved, published = workflow_dates(fy, kind, round_, rng, self.now)
                measures = []
                variants = ENTRY_VARIANTS.get(round_)
                for n, (i, mid) in enumerate(zip(chosen, measure_ids), start=1):
                    v = 0
                    if variants:
                        v = 0 if rng.random() < variants[0][3] else 1
                        status, out_key, outcome_key, _w = variants[v]
                        texts = _entry_texts(vocab.MEASURES[i])
                        self.t_entry.add(self.ids_entry.take(), doc_id, mid, texts[out_key],
                                         texts[outcome_key] if outcome_key else "", status)
                    md = dict(self.templates.measure[(fy, i, round_, v)])
                    md["id"], md["number"], md["number_text"] = mid, n, to_thai_digits(n)
                    measures.append(md)
                layout = "D" if kind == DocumentKind.MEASURES else o.layout
                doc_mem = Document(organisation=org_mem, fiscal_year=fy, kind=kind, round=round_,
                                   signer_name=staff_name, signer_position=staff_position, signer_role="ผู้รายงาน")
                memo_values = memo_initial(doc_mem, divisions=division_rows)  # no query per document
                memo_values["date"] = timezone.localtime(approved).date()
                analysis = None
                if kind == DocumentKind.MEASURES and fy - 1 in analyses:
                    template = self.templates.analysis[(fy - 1, analyses[fy - 1])]
                    analysis = map_strings(template, lambda s: s.replace(PLACEHOLDER, o.name))
                data = dict(self.templates.header[(fy, kind, round_)])
                data.update(layout=layout, organisation=org_data, measures=measures,
                            signer={"name": staff_name, "position": staff_position, "role": "ผู้รายงาน"},
                            memo=memo_data(memo_values, saved=False), analysis=analysis)
                data = {key: data[key] for key in self.templates.key_order}
                pdf_name = self._pdf_name(kind, round_, layout, data)
                self.t_doc.add(doc_id, o.id, fy, kind, round_, 1, DocumentStatus.PUBLISHED, staff_name, staff_position,
                               "ผู้รายงาน", staff, staff, submitted, approver, approved, approver, published,
                               JsonText(json.dumps(data, ensure_ascii=False)), pdf_name,
                               published + timedelta(minutes=1), 4, d_created, published,
                               layout if kind == DocumentKind.MEASURES else "")
                prev = GENESIS
                for action, from_status, to_status, actor, actor_name, at in (
                    (WorkflowAction.CREATE, "", DocumentStatus.DRAFT, staff, staff_name, d_created),
                    (WorkflowAction.SUBMIT, DocumentStatus.DRAFT, DocumentStatus.SUBMITTED, staff, staff_name, submitted),
                    (WorkflowAction.APPROVE, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, approver,
                     approver_name, approved),
                    (WorkflowAction.PUBLISH, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED, approver,
                     approver_name, published),
                ):
                    # the same hash chain as WorkflowEvent.save() (core/audit.py), computed here for COPY
                    fields = {"document": doc_id, "action": str(action), "from": str(from_status),
                              "to": str(to_status), "actor": actor, "actor_name": actor_name, "comment": "",
                              "self_approved": False, "at": at}
                    digest = chain_digest(fields, prev)
                    self.t_event.add(self.ids_event.take(), doc_id, action, from_status, to_status, actor, actor_name,
                                     at, prev, digest)
                    prev = digest

    def _result(self, o: OrgPlan, ay: int, p: Profile):
        rid = self.ids_result.take()
        # Confirmed (public), as an approver's confirmation would freeze them (ita.services.snapshot_of).
        if id(p) not in self.result_snapshots:
            self.result_snapshots[id(p)] = JsonText(json.dumps(confirmed_snapshot(p), ensure_ascii=False))
        self.t_result.add(rid, o.id, self.cat.years[ay].pk, p.total, SYNTHETIC_NOTE, self.now, 1,
                          self.result_snapshots[id(p)])
        for code, score in p.tools.items():
            self.t_tool_score.add(self.ids_tool_score.take(), rid, self.cat.tools[code].pk, score)
        for ind, score, issues in p.indicators:
            self.t_ind_score.add(self.ids_ind_score.take(), rid, ind.pk, score, issues)
        for item in p.zero_items:
            self.t_oit_score.add(self.ids_oit_score.take(), rid, item.pk, Decimal("0.00"), OIT_ZERO_REMARK)
        if ay == self.assessment_years[-1]:
            from ita.analysis import level_summary

            summary = level_summary(p.total, p.tools, self.cat.years[ay].scale)
            level = str(summary.official)
            self.level_counts[level] = self.level_counts.get(level, 0) + 1

    def _pdf_name(self, kind, round_, layout, data) -> str:
        """The shared stored PDF of (kind, round, layout): rendered from the first such snapshot."""
        key = (kind, round_, layout)
        if key not in self.pdf_names:
            from reports.printing.rendering import RenderOptions, render_document_pdf
            from reports.printing.stored_pdf import document_snapshot

            started = time.monotonic()
            pdf = render_document_pdf(document_snapshot(Document(snapshot=data, status=DocumentStatus.PUBLISHED)),
                                      RenderOptions())
            name = f"{PDF_DIR}/{hashlib.sha256(pdf).hexdigest()[:20]}.pdf"
            if not default_storage.exists(name):
                stored = default_storage.save(name, ContentFile(pdf))
                if stored != name:
                    raise ScaleError(f"the storage stored {name} as {stored}")
            self.pdf_names[key] = name
            self.log(f"  PDF {kind} {round_ or ''} layout {layout}: {name} ({len(pdf) // 1024} KB, "
                     f"{time.monotonic() - started:.1f}s)")
        return self.pdf_names[key]


def _analyze(log) -> None:
    if connection.vendor != "postgresql":
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"ANALYZE {time.monotonic() - started:.1f}s")


def seed_scale(*, orgs: int = 8000, years: int = 5, password: str, seed: int = 1, reset: bool = False,
               batch: int = 200, log=print) -> ScaleReport:
    """See the module docstring. ``log`` receives progress lines."""
    if orgs < 0 or years < 1:
        raise ScaleError("--orgs must be 0 or more and --years 1 or more")
    started = time.monotonic()
    existing = synthetic_organisations().count()
    report = ScaleReport(existing=existing)
    if existing and not reset:
        report.skipped = True
        return report
    with transaction.atomic():
        if reset:
            report.deleted = delete_synthetic(synthetic_organisations(), synthetic_users(), log)
        if orgs:
            seeded = Seeder(orgs=orgs, years=years, password=password, seed=seed, batch=batch, log=log).run()
            seeded.deleted, seeded.existing = report.deleted, existing
            report = seeded
            bump_public_cache([])
    if orgs:
        _analyze(log)
    report.seconds = time.monotonic() - started
    return report
