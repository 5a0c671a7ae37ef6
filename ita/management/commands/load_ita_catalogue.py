from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ita.catalogue_loader import CATALOGUE_DIR, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = ("Load (or replace) the ITA catalogue of every assessment year named in the CSV files "
            "(default: ita/catalogue/). Idempotent; the same service as the upload page /w/catalogue/.")

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(CATALOGUE_DIR),
                            help="a folder holding years.csv, tools.csv, tool_weights.csv, indicators.csv, "
                                 "sub_indicators.csv and oit_items.csv")

    def handle(self, *args, directory=None, **options):
        try:
            stats = load_catalogue(Path(directory or CATALOGUE_DIR))
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        for line in stats.report_lines("ITA catalogue"):
            self.stdout.write(line)
