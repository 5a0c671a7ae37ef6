from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def language(request, code):
    """Switch the language with a plain link (the public pages carry no CSRF token): set the cookie
    the locale middleware reads and go back to ``next`` (a local path only)."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the static icon (base.html links it too)."""
    return HttpResponseRedirect(static("favicon.ico"))
