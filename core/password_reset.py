"""The password-reset request, throttled: per client address (a refusal page, 429) and per e-mail address
(quietly: the same "sent" page, so that nobody learns whether an address has an account)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from .client_ip import client_ip
from .throttle import over_limit

WINDOW = 3600  # seconds


class ThrottledPasswordResetView(auth_views.PasswordResetView):
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
