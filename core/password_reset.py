"""The password-reset request, throttled: per client address (a refusal page, 429) and per e-mail address
(quietly: the same "sent" page, so that nobody learns whether an address has an account). The e-mail is
sent by a background task (core/mail_tasks.py), never inside the request."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMessage
from django.template import loader
from django.shortcuts import render

from .client_ip import client_ip
from .throttle import over_limit

WINDOW = 3600  # seconds


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, with its e-mail queued for the ``send_emails`` task instead of sent in the request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from .mail_tasks import enqueue_emails

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue_emails([EmailMessage(subject, body, from_email, [to_email])])


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        if over_limit("reset-ip", client_ip(request) or "", limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
                      window=WINDOW):
            return render(request, "registration/password_reset_throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if over_limit("reset-email", email, limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL, window=WINDOW):
            return super(auth_views.PasswordResetView, self).form_valid(form)  # redirect, send nothing
        return super().form_valid(form)
