"""Check the links of the OIT registers (cron, nightly): ``check_oit_links [--org SLUG] [--year N]``.

Checks every link answer of the registers of the assessment year (default: the current one), records
each check and the link's health (oit/health.py), then sends the e-mails about links newly broken.
"""
from django.core.management.base import BaseCommand

from oit import health


class Command(BaseCommand):
    help = "Check the links of the OIT registers and e-mail the staff about broken ones."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organisation (slug)")
        parser.add_argument("--year", type=int, help="assessment year (Buddhist era); default: the current one")
        parser.add_argument("--no-email", action="store_true", help="record the checks, send no e-mail")

    def handle(self, *args, org=None, year=None, no_email=False, **options):
        figures = health.check(year=year, org_slug=org)
        sent = 0 if no_email else health.notify_broken()
        self.stdout.write(
            f"checked {figures.checked} links: {figures.healthy} healthy, {figures.failing} failing once, "
            f"{figures.broken} broken ({figures.newly_broken} newly); {figures.not_checked} not checked "
            f"before the deadline; {sent} e-mails sent")
