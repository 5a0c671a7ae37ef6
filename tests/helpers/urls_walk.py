"""The URL patterns of the project, walked from ``get_resolver()`` (nested includes and namespaces), and
their arguments taken from the demo data (``seed_demo``), for the crawl test (tests/test_crawl.py).

Not a test module: shared by tests that need "every URL pattern". Django's admin is left out of the
walk (the crawl reaches it by its links) and so are the unnamed static/media patterns (DEBUG only).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str  # the full route, for messages
    kwargs: tuple[str, ...]  # the names of its arguments


def url_patterns() -> tuple[list[Pattern], list[str]]:
    """Every named URL pattern (the admin's left out) and the routes of unnamed ones that are not
    static/media files."""
    found: dict[str, Pattern] = {}
    unnamed: list[str] = []

    def walk(patterns, namespace, prefix, kwargs):
        for pattern in patterns:
            own = tuple(getattr(pattern.pattern, "converters", {}) or ()) or tuple(
                pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern), kwargs + own)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name is None:
                    if pattern.callback.__module__ != "django.views.static":
                        unnamed.append(route)
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                # the first pattern of a name wins, as in reverse()
                found.setdefault(name, Pattern(name, route, kwargs + own))

    walk(get_resolver().url_patterns, "", "", ())
    return sorted(found.values(), key=lambda p: p.name), unnamed


class DemoArguments:
    """URL arguments from the demo data: the public patterns get a published document that has a public
    evidence file (of any demo organisation), the workspace patterns objects of one organisation (the
    role's own): its latest published document with an entry (and that entry's evidence, if any), a
    measure, a division, a membership, a result. ``kwargs(pattern)`` raises ``LookupError`` for an argument
    it cannot fill, so a new URL pattern with a new kind of argument is noticed (add it here)."""

    def __init__(self, organisation):
        from ita.models import AssessmentResult
        from measures.models import Measure
        from oit.models import Answer, AnswerKind, Row
        from orgs.models import Division, Invitation, Membership
        from reports.documents.links import kind_slug
        from reports.models import Document, DocumentStatus, Evidence, ProgressEntry
        from reports.pdf import font_files

        org = organisation
        public_evidence = (Evidence.objects.filter(is_public=True, entry__document__status=DocumentStatus.PUBLISHED)
                           .select_related("entry__document__organisation").order_by("pk").first())
        if public_evidence is None:
            raise LookupError("the demo data has no public evidence of a published document")
        public = public_evidence.entry.document
        entry = (ProgressEntry.objects.filter(document__organisation=org, document__status=DocumentStatus.PUBLISHED)
                 .order_by("-document__fiscal_year", "pk").first())
        if entry is None:
            raise LookupError(f"the demo organisation {org.slug} has no published document with an entry")
        document = entry.document
        evidence = Evidence.objects.filter(entry__document__organisation=org).order_by("pk").first()
        if evidence is not None:
            entry, document = evidence.entry, Document.objects.get(pk=evidence.entry.document_id)
        measure = Measure.objects.filter(organisation=org).order_by("-fiscal_year", "order").first()
        result = AssessmentResult.objects.filter(organisation=org).order_by("-year__year").first()
        self.organisation = org
        self.common = {
            "org_slug": org.slug,
            "fiscal_year": document.fiscal_year,
            "year": result.year.year,
            "entry_pk": entry.pk,
            # no evidence in this organisation: another one's (a 404, which the crawl accepts)
            "evidence_pk": (evidence or public_evidence).pk,
            "direction": "down",
            "action": "submit",
            "name": next(iter(font_files().values())).name,
            "uidb64": "MQ",
            "token": "set-password",
            "code": "th",
            "section": "documents",
            "province": org.province,
        }
        self.public = {
            "slug": public.organisation.slug,
            "fiscal_year": public.fiscal_year,
            "kind": kind_slug(public.kind, public.round),
            "revision": public.revision,
            "evidence_pk": public_evidence.pk,
        }
        # a file of a confirmed OIT register (any demo organisation's), for the public OIT pages
        answers = Answer.objects.select_related("row__register__organisation").order_by("pk")
        # the demo has no file in a confirmed register today: then any answer (a 404 the crawl accepts)
        oit_file = (answers.filter(kind=AnswerKind.FILE, row__register__confirmed_at__isnull=False).first()
                    or answers.filter(kind=AnswerKind.FILE).first() or answers.first())
        oit_public = ({"slug": oit_file.row.register.organisation.slug, "fiscal_year": oit_file.row.register.year,
                       "answer_pk": oit_file.pk} if oit_file else {})
        self.by_pattern = {"public:oit_file": oit_public, "public:itas_export": {**oit_public, "fmt": "csv"}}
        row = Row.objects.filter(register__organisation=org).order_by("-register__year", "pk").first()
        answer = Answer.objects.filter(row__register__organisation=org).order_by("-row__register__year", "pk").first()
        invitation = Invitation.objects.filter(organisation=org).order_by("pk").first()
        # "pk" means another model in each namespace (None: the demo has none, that URL is left out)
        self.pks = {
            "installation:": org.pk,
            "orgs:invitation_": invitation.pk if invitation else None,
            "oit:row": row.pk if row else None,
            "oit:add_": row.pk if row else None,
            "oit:quick_add": row.pk if row else None,
            "oit:": answer.pk if answer else None,  # answers/<pk>/...
            "measures:": measure.pk,
            "reports:": document.pk,
            "orgs:division_": Division.objects.filter(organisation=org).order_by("order").first().pk,
            "orgs:member_": Membership.objects.filter(organisation=org).order_by("pk").first().pk,
        }

    def kwargs(self, pattern: Pattern) -> dict:
        values = {}
        own = self.public if pattern.name.startswith("public:") else {}
        own = {**own, **self.by_pattern.get(pattern.name, {})}
        for name in pattern.kwargs:
            if name == "pk":
                prefix = next((p for p in self.pks if pattern.name.startswith(p)), None)
                if prefix is None:
                    raise LookupError(f"{pattern.name} ({pattern.route}): no demo value for 'pk'")
                if self.pks[prefix] is None:
                    raise LookupError(f"{pattern.name} ({pattern.route}): the demo data has no object for 'pk'")
                values[name] = self.pks[prefix]
            elif name in own or name in self.common:
                values[name] = own.get(name, self.common.get(name))
            else:
                raise LookupError(f"{pattern.name} ({pattern.route}): no demo value for {name!r}")
        return values

    def url(self, pattern: Pattern) -> str:
        return reverse(pattern.name, kwargs=self.kwargs(pattern))
