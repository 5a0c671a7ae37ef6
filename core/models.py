"""What the audit trail itself records (core/audit.py)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SanctionedRemoval(models.Model):
    """One removal of audit-trail rows through the sanctioned path: a whole organisation, a draft that was
    never submitted, the synthetic data set. While a row is ``active`` (inside the removing transaction
    only) the database triggers let DELETE through; afterwards the row stays as the record of it."""

    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    actor_name = models.CharField(_("by"), max_length=300, blank=True)
    removed = models.JSONField(_("rows removed"), default=dict, blank=True)
    active = models.BooleanField(default=False, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("sanctioned removal")
        verbose_name_plural = _("sanctioned removals")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason}"
