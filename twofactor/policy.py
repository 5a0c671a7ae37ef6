"""Who must use two-factor sign-in, and whether a user has it on, in one query.

Required of:
- installation administrators (superusers and Django staff, who reach /admin/) and organisation
  administrators (an active membership with the role admin), when settings.TWO_FACTOR_REQUIRED is on;
- approvers and administrators of an organisation that requires it of its approvers
  (Organisation.require_two_factor_approvers), whatever TWO_FACTOR_REQUIRED says: it is that
  organisation's own decision about who publishes in its name.

A user "has two-factor on" when they have a confirmed authenticator app (a confirmed TOTP device); the
recovery codes (a static device) belong to it.
"""
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgs.models import Membership, Organisation, Role


class Reason:
    INSTALLATION = "installation"  # superuser or Django staff, TWO_FACTOR_REQUIRED
    ORG_ADMIN = "org_admin"  # organisation administrator, TWO_FACTOR_REQUIRED
    ORGANISATION = "organisation"  # an organisation requires it of its approvers


@dataclass(frozen=True)
class State:
    has_device: bool
    reason: str | None  # why it is required; None: optional for this user
    recovery_left: int | None = None  # filled in by state_of(..., counts=True)

    @property
    def required(self) -> bool:
        return self.reason is not None


def _flags_sql() -> str:
    """has a confirmed app, is an active administrator, is an active approver or administrator of an
    organisation that requires it of its approvers (parameters: user id, admin, user id, user id, approver,
    admin). Written out because every signed-in request asks it: building and compiling the same
    question with three Exists() took ~1.3 ms a request on the national data, the SQL ~0.3 ms in all
    (bench/PROFILE.md)."""
    q = connection.ops.quote_name
    device, membership = q(TOTPDevice._meta.db_table), q(Membership._meta.db_table)
    organisation = q(Organisation._meta.db_table)
    return (
        f"SELECT EXISTS(SELECT 1 FROM {device} WHERE user_id = %s AND confirmed), "
        f"EXISTS(SELECT 1 FROM {membership} WHERE user_id = %s AND is_active AND role = %s), "
        f"EXISTS(SELECT 1 FROM {membership} m JOIN {organisation} o ON o.id = m.organisation_id "
        f"WHERE m.user_id = %s AND m.is_active AND m.role IN (%s, %s) AND o.require_two_factor_approvers)"
    )


def state_of(user, counts=False) -> State:
    """The two-factor state of a signed-in user (one query)."""
    required_by_setting = settings.TWO_FACTOR_REQUIRED
    with connection.cursor() as cursor:
        params = [user.pk, user.pk, Role.ADMIN.value, user.pk, Role.APPROVER.value, Role.ADMIN.value]
        cursor.execute(_flags_sql(), params)
        has_device, org_admin, org_requires = (bool(flag) for flag in cursor.fetchone())
    reason = None
    if required_by_setting and (user.is_superuser or user.is_staff):
        reason = Reason.INSTALLATION
    elif required_by_setting and org_admin:
        reason = Reason.ORG_ADMIN
    elif org_requires:
        reason = Reason.ORGANISATION
    left = None
    if counts:
        left = sum(d.token_set.count() for d in StaticDevice.objects.devices_for_user(user, confirmed=True))
    return State(has_device=has_device, reason=reason, recovery_left=left)
