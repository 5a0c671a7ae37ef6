from django.core.management.base import BaseCommand, CommandError

from ita.catalogue_loader import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load (or refresh) the ITA catalogue of every assessment year from ita/catalogue/*.csv. Idempotent."

    def handle(self, *args, **options):
        try:
            stats = load_catalogue()
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        if not stats.changed:
            self.stdout.write("ITA catalogue: up to date.")
            return
        for label, counts in (("created", stats.created), ("updated", stats.updated)):
            if counts:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
                self.stdout.write(f"ITA catalogue {label}: {parts}")
