"""E-mail the weekly oversight digest (oversight/digest.py); idempotent per ISO week.

    python manage.py send_oversight_digest [--date YYYY-MM-DD]
"""
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from oversight import digest


class Command(BaseCommand):
    help = "E-mail each oversight user what became overdue and what was published in the last seven days."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        self.stdout.write(f"sent {digest.send(today)} digest e-mails")
