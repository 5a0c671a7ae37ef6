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
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Value
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgs.models import Membership, Role


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


def state_of(user, counts=False) -> State:
    """The two-factor state of a signed-in user (one query)."""
    active = Membership.objects.filter(user=OuterRef("pk"), is_active=True)
    required_by_setting = settings.TWO_FACTOR_REQUIRED
    row = (
        get_user_model().objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            org_admin=Exists(active.filter(role=Role.ADMIN)) if required_by_setting else Value(False),
            org_requires=Exists(active.filter(role__in=[Role.APPROVER, Role.ADMIN],
                                              organisation__require_two_factor_approvers=True)),
        )
        .values("has_device", "org_admin", "org_requires")
        .first()
    )
    if row is None:
        return State(has_device=False, reason=None)
    reason = None
    if required_by_setting and (user.is_superuser or user.is_staff):
        reason = Reason.INSTALLATION
    elif row["org_admin"]:
        reason = Reason.ORG_ADMIN
    elif row["org_requires"]:
        reason = Reason.ORGANISATION
    left = None
    if counts:
        left = sum(d.token_set.count() for d in StaticDevice.objects.devices_for_user(user, confirmed=True))
    return State(has_device=row["has_device"], reason=reason, recovery_left=left)
