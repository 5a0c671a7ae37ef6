from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from demo.loader import DemoDataError, demo_logins, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo organisations (เทศบาลตำบลผักตบ, อบต.ด่านช้าง, เทศบาลตำบลหนองเสม็ด), their measures, "
        "documents (approved and published through the workflow, back-dated) and ITA results, the demo users and "
        "the superuser 'admin'. Idempotent; sends no e-mail. Demo only."
    )

    def handle(self, *args, **options):
        try:
            stats = seed_demo()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        for line in stats.report_lines("Demo data"):
            self.stdout.write(line)
        self.stdout.write(
            "The demo documents are published (but phaktob's FY 2570 measures plan, which waits for malee's "
            "approval); their PDFs are rendered by the background worker (make run starts one; or all at "
            "once: python manage.py rerender_published --missing-only)."
        )
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(
            "Demo logins (DEMO ONLY: shared, publicly known password; never use them on a real site):"
        ))
        for username, org_name, role in demo_logins():
            where = f" – {org_name}" if org_name else ""
            self.stdout.write(f"  {username:<10} {role}{where}")
        self.stdout.write(f"  password: {settings.DEMO_PASSWORD} (settings.DEMO_PASSWORD)")
        # settings.SITE_URL: `make run PORT=8101` sets it to the port it serves.
        self.stdout.write(f"Sign in at {settings.SITE_URL}{reverse('login')}; the public site: "
                          f"{settings.SITE_URL}{reverse('public:directory')}")
