"""Sign-in lockout (django-axes) with two thresholds.

``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``: the first counts the failures
of one username from one client address (``AXES_FAILURE_LIMIT``, 5), the second every failure of the client
address whatever the username (``AXES_IP_FAILURE_LIMIT``, higher: one office behind one address has many
users who mistype). Without the second, one client could try four passwords on every account.

A successful sign-in clears only that username's failures from that address, so an attacker who signs in
to an account of their own does not wipe the count of what they tried on the others.
"""
from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        per_user, per_address = self.get_user_attempts(request, credentials)
        if _failures(per_address) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(get_failure_limit(request, credentials), _failures(per_user))
        return _failures(per_user)

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_user = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_user.delete()
        return count
