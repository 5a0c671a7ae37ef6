"""The second factor before the workspace, the admin and the account pages.

After the password (django.contrib.auth's sign-in), a signed-in user who opens a protected page
- and has an authenticator app, but this session has not yet passed a code: goes to the verify page;
- and has none, but two-factor sign-in is required of them (twofactor.policy): goes to the setup page;
each with ``next`` kept. Public pages, the sign-in, sign-out and password-reset pages are not protected.
One query per protected request (twofactor.policy.state_of) unless the session is already verified
(django_otp.middleware.OTPMiddleware, before this one, loads the session's device).
"""
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode

from .policy import state_of


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def protected_prefixes(self):
        return (
            reverse("workspace_start"),  # /w/: every organisation's workspace
            reverse("admin:index"),
            reverse("two_factor:status"),  # the account's own two-factor pages
            reverse("password_change"),
            reverse("password_change_done"),
        )

    @cached_property
    def verify_path(self):
        return reverse("two_factor:verify")

    @cached_property
    def setup_path(self):
        return reverse("two_factor:setup")

    def __call__(self, request):
        response = self.check(request)
        return response if response is not None else self.get_response(request)

    def check(self, request):
        path = request.path_info
        if not path.startswith(self.protected_prefixes):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        state = state_of(user)
        request.two_factor = state
        if state.has_device:
            return None if path == self.verify_path else self._go(request, self.verify_path)
        if state.required and path not in (self.setup_path, self.verify_path):
            return self._go(request, self.setup_path)
        return None

    @staticmethod
    def _go(request, target):
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):  # a partial update: let htmx load the whole page instead
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
