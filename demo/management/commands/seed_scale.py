from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.scale import ScaleError, seed_scale, synthetic_organisations, usernames


class Command(BaseCommand):
    help = (
        "A synthetic national data set for load tests (demo/scale.py): ORGS organisations (slugs scale-00001 …) "
        "with users, measures, ITA results and published documents (measures plan, 6- and 12-month reports) for "
        "the last YEARS fiscal years. Needs the ITA catalogue (load_ita_catalogue). Does nothing when synthetic "
        "organisations exist, unless --reset (deletes only the synthetic organisations and users first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=8000, help="number of organisations (default 8000)")
        parser.add_argument("--years", type=int, default=5, help="fiscal years up to the current one (default 5)")
        parser.add_argument("--password", default=None,
                            help="password of every synthetic user (default: settings.DEMO_PASSWORD)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--batch", type=int, default=200, help="organisations written per batch (default 200)")
        parser.add_argument("--reset", action="store_true",
                            help="delete the synthetic organisations and users first (with --orgs 0: only delete)")

    def handle(self, *args, **options):
        password = options["password"] or settings.DEMO_PASSWORD
        try:
            report = seed_scale(orgs=options["orgs"], years=options["years"], password=password,
                                seed=options["seed"], reset=options["reset"], batch=options["batch"],
                                log=self.stdout.write)
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        if report.skipped:
            self.stdout.write(f"Synthetic data present ({report.existing} organisations scale-…): nothing done. "
                              "Use --reset to delete and rebuild it.")
            return
        if report.counts:
            self.stdout.write("Rows created:")
            for label, n in sorted(report.counts.items()):
                self.stdout.write(f"  {label:<32} {n:>10,}")
            self.stdout.write(f"  {'total':<32} {sum(report.counts.values()):>10,}")
            self.stdout.write(f"Stored PDFs (shared): {', '.join(report.pdf_files)}")
            self.stdout.write("Official levels of the latest results: "
                              + ", ".join(f"{k} {v}" for k, v in sorted(report.levels.items())))
            first = synthetic_organisations().order_by("slug").first()
            if first is not None:
                names = usernames(first.slug)
                self.stdout.write(f"Users: {', '.join(names)} ({first.name}), … password: {password}")
        self.stdout.write(self.style.SUCCESS(f"seed_scale done in {report.seconds:.1f}s"))
