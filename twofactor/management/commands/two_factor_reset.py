"""Remove a user's authenticator app and recovery codes (lost phone and lost codes).

    manage.py two_factor_reset USERNAME

The user then signs in with the password alone and, where two-factor sign-in is required of them, sets up
a new app at once. Run it only after making sure who asks (docs/DEPLOY.md).
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from twofactor import services


class Command(BaseCommand):
    help = "Remove a user's two-factor authenticator app and recovery codes."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        services.reset(user, actor_description="manage.py two_factor_reset")
        self.stdout.write(f"Two-factor sign-in of {username} removed; they sign in with the password.")
