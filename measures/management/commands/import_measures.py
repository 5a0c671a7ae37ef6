"""python manage.py import_measures ORG_SLUG FISCAL_YEAR FILE [--round 6|12] [--dry-run]

Import the measure table of an existing document: FILE is a DOCX, an XLSX, or a text file holding a
table copied from Word or a PDF. Prints what was found (and, with --dry-run, saves nothing)."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from measures.importing import ImportRefused, apply_import, read_import
from orgs.models import Organisation


class Command(BaseCommand):
    help = "Import measures (and with --round, progress entries) from a DOCX, XLSX or pasted-text file."

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("fiscal_year", type=int)
        parser.add_argument("file")
        parser.add_argument("--round", type=int, choices=[3, 6, 9, 12])
        parser.add_argument("--dry-run", action="store_true", help="show what would be created, save nothing")
        parser.add_argument("--user", help="username recorded as the author (default: the first superuser)")

    def handle(self, org_slug, fiscal_year, file, round=None, dry_run=False, user=None, **options):
        org = Organisation.objects.filter(slug=org_slug).first()
        if org is None:
            raise CommandError(f"unknown organisation {org_slug!r}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with path.open("rb") as fh:
                head = fh.read(4)
                fh.seek(0)
                if head.startswith(b"PK"):
                    preview = read_import(upload=File(fh, name=path.name))
                else:
                    preview = read_import(text=fh.read().decode("utf-8-sig"))
        except (ImportRefused, UnicodeDecodeError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        self.stdout.write(f"{len(preview.measures)} measures found (layout {preview.layout}); "
                          f"{len(preview.unplaced)} cells not placed")
        for cell in preview.unplaced:
            self.stdout.write(f"  not placed: {cell}")
        if dry_run:
            self.stdout.write("dry run: nothing saved")
            return
        User = get_user_model()
        actor = (User.objects.filter(username=user).first() if user
                 else User.objects.filter(is_superuser=True).order_by("pk").first())
        if actor is None:
            raise CommandError("no user to record as the author (--user USERNAME)")
        try:
            result = apply_import(org, fiscal_year, preview, round=round, actor=actor)
        except ImportRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {len(result.measures)} measures"
                          + (f", filled {result.entries} entries of the round {round} report" if round else ""))
