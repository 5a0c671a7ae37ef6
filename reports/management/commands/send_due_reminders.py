"""E-mail the reminders that are due (reports/workflow/reminders.py): steps due soon or overdue, reports due.

    python manage.py send_due_reminders [--date YYYY-MM-DD] [--days N] [--dry-run]

For cron, once a day: it is quiet unless it sends something (then one line "sent N e-mails about M
items"; nothing at -v 0), failures go to stderr, and it is idempotent: an item is never sent twice, so a
second run on the same day sends nothing.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.workflow import reminders


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date like 2025-04-01, not {text!r}") from None


class Command(BaseCommand):
    help = "E-mail reminders of steps due soon or overdue and of progress reports due (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD, Christian era)")
        parser.add_argument("--days", type=int, default=reminders.DEFAULT_DAYS,
                            help=f"remind of steps due within this many days (default {reminders.DEFAULT_DAYS})")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what would be sent; send and record nothing")

    def handle(self, *args, days, dry_run, verbosity=1, **options):
        today = _iso_date(options["date"]) if options["date"] else timezone.localdate()
        if days < 0:
            raise CommandError("--days cannot be negative.")
        stats = reminders.send(today, days, dry_run=dry_run)
        if dry_run or verbosity >= 2:
            for user, items in stats.users:
                self.stdout.write(f"{user.get_username()} <{user.email}>:")
                for item in items:
                    self.stdout.write(f"  {item.key}")
        if stats.failed:
            self.stderr.write(f"{stats.failed} e-mail(s) could not be sent; they are tried again next time.")
        if verbosity >= 1 and (stats.emails or dry_run or verbosity >= 2):
            verb = "would send" if dry_run else "sent"
            self.stdout.write(f"{verb} {stats.emails} e-mails about {stats.items} items")
