"""The weekly digest of the oversight role (``send_oversight_digest``, cron on Mondays): for each province the
user oversees, what became overdue in the last seven days and what was published in them. One e-mail per
user and ISO week (key ``digest:<user>:<week>`` in SentReminder: a second run that week sends nothing);
nothing is sent when nothing happened."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.mail_tasks import MailNotQueued, enqueue_emails
from core.thai import fiscal_year_of
from orgs.access import overseen_provinces_of
from orgs.models import Organisation, OversightScope
from reports.models import Document, DocumentStatus, SentReminder

from .table import LINE_LABELS, LINES, province_rows

logger = logging.getLogger(__name__)
WEEK = 7


@dataclass
class ProvinceNews:
    province: str
    url: str
    overdue: list = field(default_factory=list)  # (organisation, line, days late)
    published: list = field(default_factory=list)  # Document

    @property
    def empty(self) -> bool:
        return not self.overdue and not self.published


def news(province: str, today: date) -> ProvinceNews:
    url = settings.SITE_URL.rstrip("/") + reverse("oversight:province", args=[province])
    found = ProvinceNews(province, url)
    for row in province_rows(province, fiscal_year_of(today), today):
        for line in LINES:
            days = row.late_days.get(line)
            if days is not None and 1 <= days <= WEEK:
                found.overdue.append((row.organisation, LINE_LABELS[line], days))
    since = timezone.make_aware(datetime.combine(today - timedelta(days=WEEK), time.min))
    found.published = list(Document.objects.filter(
        organisation__province=province, status=DocumentStatus.PUBLISHED, published_at__gte=since)
        .select_related("organisation").order_by("organisation__name", "fiscal_year", "kind", "round"))
    return found


def send(today: date) -> int:
    """E-mails sent (queued for the background worker, core/mail_tasks.py)."""
    week = today.isocalendar()
    users = list(get_user_model().objects.filter(pk__in=OversightScope.objects.values("user"), is_active=True)
                 .exclude(email="").order_by("username"))
    keys = {user.pk: f"digest:{user.pk}:{week.year}-W{week.week:02d}" for user in users}
    done = set(SentReminder.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    users = [user for user in users if keys[user.pk] not in done]
    scopes = overseen_provinces_of(users)
    every_province = None
    province_news: dict[str, ProvinceNews] = {}  # each province's news once, whoever oversees it
    sent = 0
    for user in users:
        key = keys[user.pk]
        provinces = scopes[user.pk]
        if provinces is None:
            if every_province is None:
                every_province = set(Organisation.objects.values_list("province", flat=True).distinct())
            provinces = every_province
        for province in provinces - province_news.keys():
            province_news[province] = news(province, today)
        items = [province_news[p] for p in sorted(provinces) if not province_news[p].empty]
        if not items:
            continue
        with translation.override("th"):
            context = {"user": user, "provinces": items, "today": today}
            subject = " ".join(render_to_string("oversight/email/digest_subject.txt", context).split())
            body = render_to_string("oversight/email/digest_body.txt", context).strip() + "\n"
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=key, user=user)  # committed with the queued e-mail
                if not enqueue_emails([EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])]):
                    raise MailNotQueued
        except IntegrityError:
            continue
        except Exception:  # noqa: BLE001 - the next run tries again
            logger.exception("the oversight digest to %s failed", user.get_username())
            continue
        sent += 1
    return sent
