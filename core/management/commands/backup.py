from django.core.management.base import BaseCommand, CommandError

from core.backup import EXCLUDED_MODELS, BackupError, backup


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


class Command(BaseCommand):
    help = (
        "Write the whole instance to one zip archive: every row of every model (not the signed-in sessions) "
        "and every file of the default storage the rows refer to, with a manifest of row counts and sha256 "
        "hashes. Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. /backup/ita-2025-01-31.zip")
        parser.add_argument("--force", action="store_true", help="overwrite FILE when it exists")

    def handle(self, *args, file, force, verbosity, **options):
        def log(message, level=1):
            if verbosity >= level:
                self.stdout.write(message)

        try:
            summary = backup(file, force=force, log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for missing in summary.missing_files:
            self.stderr.write(self.style.WARNING(
                f"Missing from the storage, not in the archive: {missing['name']} "
                f"(referenced by {missing['referenced_by']})"))
        if summary.missing_history_files and verbosity >= 1:
            self.stdout.write(f"{summary.missing_history_files} file(s) named only by history rows are no longer "
                              "in the storage (files of removed evidence); not in the archive.")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"Backed up {summary.rows} rows of {summary.models} tables and {summary.files} files "
                f"({megabytes(summary.file_bytes)}) to {summary.path}: {megabytes(summary.archive_bytes)} "
                f"in {summary.seconds:.1f} s."))
            self.stdout.write("Not in the archive: " + "; ".join(EXCLUDED_MODELS.values()) + ".")
