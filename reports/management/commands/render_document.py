"""Render a document of an organisation to a PDF file.

    python manage.py render_document phaktob 2568 progress --round 12 --layout C --arabic-digits --memo -o x.pdf

The latest revision of the document (organisation, fiscal year, kind, round) is rendered from live data
with the same code as the PDF button. An analysis or a measures plan that has no Document yet is
rendered from the organisation's data with the standard title (nothing is saved).
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.models import Organisation
from reports.documents.data import build_document_data
from reports.entries.evidence_print import for_copy
from reports.models import Document, DocumentKind, Layout, ReportRound
from reports.printing.rendering import RenderOptions, pdf_filename, render_document_pdf


class Command(BaseCommand):
    help = "Render an organisation's analysis, measures plan or progress report to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("fiscal_year", type=int, help="Buddhist-era fiscal year, e.g. 2568")
        parser.add_argument("kind", choices=DocumentKind.values)
        parser.add_argument("--round", type=int, choices=[r for r in ReportRound.values if r],
                            help="report round of a progress report (default: the latest one there is)")
        parser.add_argument("--layout", choices=Layout.values,
                            help="print in this layout (a progress report: A, B, C; a measures plan: E, F, D)")
        parser.add_argument("--arabic-digits", action="store_true", help="Arabic instead of Thai digits")
        parser.add_argument("--memo", action="store_true", help="put the memo cover (บันทึกข้อความ) in front")
        parser.add_argument("--no-analysis", action="store_true",
                            help="a measures plan without the ITA result analysis in front")
        parser.add_argument("-o", "--output", help="PDF file to write (default: the document's file name)")

    def handle(self, *args, org_slug, fiscal_year, kind, **options):
        org = Organisation.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"No organisation with the slug {org_slug!r}.")
        documents = Document.objects.for_org(org).filter(fiscal_year=fiscal_year, kind=kind).select_related(
            "organisation")
        if options["round"] is not None:
            documents = documents.filter(round=options["round"])
        document = documents.order_by("-round", "-revision").first()
        if document is None:
            if kind == DocumentKind.PROGRESS:
                raise CommandError(
                    f"{org_slug} has no progress report of fiscal year {fiscal_year}"
                    + (f", round {options['round']}" if options["round"] else "") + ".")
            document = Document(organisation=org, fiscal_year=fiscal_year, kind=kind)
            self.stderr.write(f"No saved {kind} document of {fiscal_year}: rendering from the organisation's data.")
        render_options = RenderOptions(
            layout=options["layout"],
            arabic_digits=True if options["arabic_digits"] else None,
            memo=True if options["memo"] else None,
            analysis=not options["no_analysis"],
        )
        data = build_document_data(document)
        pdf = render_document_pdf(for_copy(document, data, public_copy=False), render_options)  # staff copy
        path = Path(options["output"] or pdf_filename(data, render_options))
        path.write_bytes(pdf)
        self.stdout.write(f"{path} ({len(pdf):,} bytes)")
