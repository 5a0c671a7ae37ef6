"""Re-render the stored PDFs of published (and withdrawn) documents from their snapshots.

    python manage.py rerender_published                  # every organisation, every stored PDF again
    python manage.py rerender_published --org phaktob    # one organisation
    python manage.py rerender_published --missing-only   # only documents that have no stored PDF yet

Run it after a fix of the document templates or fonts: each document is rendered from its frozen
snapshot (what was approved) with its own print options, by reports.printing.stored_pdf.render_stored_pdf, and
stored under a new name (the old file is deleted). A failure is reported and the others are still
tried; the command then exits non-zero. Running it again changes nothing but the files.

The memo cover is in front only when the approver published the document with it (Document.publish_memo);
documents published before that choice existed had their memo in front without choosing and keep it
(migration reports 0005 sets publish_memo for them). Re-rendered, such a memo carries the decision of the
approval (ความเห็น/คำสั่ง: อนุมัติ, the approver's name, position and date, from the APPROVE event).
"""
from django.core.management.base import BaseCommand, CommandError

from orgs.models import Organisation
from reports.models import Document, DocumentStatus
from reports.printing import stored_pdf


class Command(BaseCommand):
    help = "Re-render the stored PDFs of published and withdrawn documents from their snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="only the documents of this organisation")
        parser.add_argument("--missing-only", action="store_true",
                            help="only documents without a stored PDF (keep the ones there are)")

    def handle(self, *args, org=None, missing_only=False, **options):
        documents = (
            Document.objects.filter(status__in=(DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN))
            .select_related("organisation").order_by("organisation__slug", "fiscal_year", "kind", "round",
                                                     "revision", "pk")
        )
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {org!r}.")
            documents = documents.for_org(organisation)
        rendered = skipped = 0
        failed = []
        for document in documents:
            label = (f"{document.organisation.slug} {document.fiscal_year} {document.kind}"
                     f"{f' {document.round}' if document.round else ''} r{document.revision}")
            try:
                done = stored_pdf.render_stored_pdf(document, force=not missing_only)
            except Exception as exc:  # report it and go on with the others
                failed.append(label)
                self.stderr.write(f"{label}: FAILED ({type(exc).__name__}: {exc})")
                continue
            if done:
                rendered += 1
                if options.get("verbosity", 1) > 1:
                    self.stdout.write(f"{label}: {document.pdf_file.name}")
            else:
                skipped += 1
        self.stdout.write(f"rendered {rendered}, skipped {skipped}"
                          + (f", failed {len(failed)}" if failed else ""))
        if failed:
            raise CommandError(f"{len(failed)} document(s) could not be rendered: {', '.join(failed)}")
