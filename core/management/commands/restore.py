from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore, verify_archive


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup`: checks every row count and sha256 of the archive "
        "first, then replaces all data of the database in one transaction (an error leaves it as it was) and "
        "writes the files to the default storage. The database must be migrated to the same migrations as "
        "the backup, and empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `manage.py backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace the data of a database that is not empty (all of it is deleted)")
        parser.add_argument("--trust-unsigned", action="store_true",
                            help="accept an archive whose signature is missing or does not match the key "
                                 "(BACKUP_KEY, else SECRET_KEY): only for an archive you know the origin of")
        parser.add_argument("--check", action="store_true",
                            help="only check the archive against its manifest; change nothing")

    def handle(self, *args, file, force, check, trust_unsigned, verbosity, **options):
        def log(message, level=1):
            if verbosity >= level:
                self.stdout.write(message)

        try:
            if check:
                manifest = verify_archive(file, trust_unsigned=trust_unsigned)
                rows = sum(entry["rows"] for entry in manifest["models"])
                self.stdout.write(self.style.SUCCESS(
                    f"{file} is complete: {rows} rows of {len(manifest['models'])} tables and "
                    f"{len(manifest['files'])} files, backup of {manifest.get('created_at', '?')}."))
                for missing in manifest.get("missing_files") or []:
                    self.stdout.write(self.style.WARNING(
                        f"Was missing from the storage at backup time: {missing.get('name')} "
                        f"(referenced by {missing.get('referenced_by')})"))
                return
            summary = restore(file, force=force, trust_unsigned=trust_unsigned, log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            unchanged = f", {summary.files_unchanged} already there" if summary.files_unchanged else ""
            self.stdout.write(self.style.SUCCESS(
                f"Restored {summary.rows} rows of {summary.models} tables and wrote {summary.files} files"
                f"{unchanged} from {file} (backup of {summary.created_at}) in {summary.seconds:.1f} s."))
            self.stdout.write("Sessions are not restored: everyone signs in again.")
