from django.core.management.base import BaseCommand, CommandError

from core.audit import triggers_present, verify_chains
from reports.models import WorkflowEvent


class Command(BaseCommand):
    help = ("Check the audit trail: recompute the SHA-256 chain of every document's workflow events and check "
            "that the append-only triggers are in place. Exits non-zero on any break.")

    def handle(self, *args, **options):
        from django.db import connection

        chains, events, problems = verify_chains(WorkflowEvent)
        if not triggers_present(connection):
            problems.insert(0, "the append-only triggers are missing (run manage.py migrate)")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit trail is broken: {len(problems)} problem(s) in {chains} chains "
                               f"of {events} events.")
        self.stdout.write(self.style.SUCCESS(f"The audit trail is intact: {chains} chains, {events} events."))
