from django.core.management.base import BaseCommand, CommandError

from core import pagecache
from ita.catalogue_loader import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load (or refresh) the ITA catalogue of every assessment year from ita/catalogue/*.csv. Idempotent."

    def handle(self, *args, **options):
        try:
            stats = load_catalogue()
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        pagecache.bump(catalogue=True)  # the ITAS lists show the catalogue
        for line in stats.report_lines("ITA catalogue"):
            self.stdout.write(line)
