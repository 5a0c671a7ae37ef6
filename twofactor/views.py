"""The signed-in user's own two-factor sign-in: status, setup, verify (after the password), recovery codes,
turning it off. Every page is about request.user only: no object of anyone else is named in a URL or a
form. Recovery codes are shown once, in the answer to the request that made them (never stored in the
session or a message), and that answer is never cached."""
from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.thai import to_thai_digits

from . import services
from .forms import CodeForm
from .policy import Reason, state_of


def _next(request):
    """The local page to go on to (``next`` of the query or the form), else the workspace."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("workspace_start")


def _state(request, counts=False):
    state = getattr(request, "two_factor", None)  # set by the middleware when it looked already
    return state_of(request.user, counts=counts) if state is None or counts else state


def _locked_message(locked_until):
    at = timezone.localtime(locked_until).strftime("%H:%M:%S")
    return _("Too many wrong codes. Wait until %(time)s and try again.") % {"time": to_thai_digits(at)}


def _code_error(form, result):
    if result.locked_until:
        form.add_error("code", _locked_message(result.locked_until))
    else:
        form.add_error("code", _("The code is wrong or has expired. Check it and try again."))


def _reason_text(state):
    return {
        Reason.INSTALLATION: _("Two-factor sign-in is required of installation administrators."),
        Reason.ORG_ADMIN: _("Two-factor sign-in is required of organisation administrators."),
        Reason.ORGANISATION: _("Your organisation requires two-factor sign-in of its approvers."),
    }.get(state.reason, "")


def _show_codes(request, codes, heading):
    response = render(request, "twofactor/recovery_codes_new.html", {
        "codes": codes, "heading": heading, "next": _next(request),
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
def status(request):
    state = _state(request, counts=True)
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    return render(request, "twofactor/status.html", {
        "state": state, "device": device, "reason": _reason_text(state),
    })


def _qr_svg(device):
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                   title=_("QR code for the authenticator app")))


def _secret_groups(device):
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def setup(request):
    """Scan the QR code (or type the secret), confirm with a code: the app counts only then."""
    state = _state(request)
    renew = request.method == "POST" and request.POST.get("action") == "renew"
    device = services.pending_device(request.user, renew=renew)
    form = CodeForm(recovery=False)
    if request.method == "POST" and not renew:
        form = CodeForm(request.POST, recovery=False)
        if form.is_valid():
            result, codes = services.confirm_device(request.user, form.cleaned_data["code"])
            if result.ok:
                django_otp.login(request, result.device)
                request.session.cycle_key()
                return _show_codes(request, codes, _("Two-factor sign-in is on"))
            _code_error(form, result)
    return render(request, "twofactor/setup.html", {
        "form": form, "state": state, "reason": _reason_text(state), "replacing": state.has_device,
        "qr": _qr_svg(device), "secret": _secret_groups(device), "next": _next(request),
    })


@never_cache
@login_required
def verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    if request.user.is_verified():  # this session passed a code already
        return redirect(_next(request))
    state = _state(request)
    if not state.has_device:
        if state.required:
            return redirect(reverse("two_factor:setup") + "?" + urlencode({"next": _next(request)}))
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.check_code(request.user, form.cleaned_data["code"])
        if result.ok:
            django_otp.login(request, result.device)
            request.session.cycle_key()
            if isinstance(result.device, StaticDevice):
                left = result.device.token_set.count()
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; it no longer works. %(count)s recovery code is left: "
                    "make new ones on the two-factor sign-in page.",
                    "You signed in with a recovery code; it no longer works. %(count)s recovery codes are left: "
                    "make new ones on the two-factor sign-in page.",
                    left) % {"count": to_thai_digits(left)})
            return redirect(_next(request))
        _code_error(form, result)
    return render(request, "twofactor/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def recovery_codes(request):
    state = _state(request, counts=True)
    if not state.has_device:
        return redirect("two_factor:status")
    if request.method == "POST":
        codes = services.regenerate_recovery_codes(request.user)
        return _show_codes(request, codes, _("New recovery codes"))
    return render(request, "twofactor/recovery_codes.html", {"state": state})


@never_cache
@login_required
def turn_off(request):
    state = _state(request)
    if not state.has_device:
        return redirect("two_factor:status")
    if state.required:
        response = render(request, "twofactor/turn_off.html", {"state": state, "reason": _reason_text(state)})
        if request.method == "POST":
            response.status_code = 403
        return response
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.turn_off(request.user, form.cleaned_data["code"])
        except services.TwoFactorRequired:  # became required since the page was read
            return redirect("two_factor:turn_off")
        if result.ok:
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is off. You sign in with your password alone."))
            return redirect("two_factor:status")
        _code_error(form, result)
    return render(request, "twofactor/turn_off.html", {"state": state, "form": form})
