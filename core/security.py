"""Content-Security-Policy on every response.

Only the site's own files run: no inline scripts, no event-handler attributes, nothing from another
origin (Bootstrap and htmx are vendored under static/). Inline styles stay allowed (the document HTML
preview and a few ``style=`` widths use them); images may be ``data:`` URIs (Bootstrap's form icons).

A view may set its own ``Content-Security-Policy``: its directives win over the defaults and the others
are added (the public embed page keeps its ``frame-ancestors *``). Without its own ``frame-ancestors``,
the directive follows the response's ``X-Frame-Options`` (``SAMEORIGIN`` → ``'self'``, e.g. the document
preview framed by the document page; otherwise ``'none'``). A 304 is left alone: the browser keeps the
policy stored with the page. Extra image origins (an object store serving the emblems): settings.CSP_IMG_SRC.
"""

from django.conf import settings

POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self' 'unsafe-inline'",
    "script-src": "'self'",
    "font-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}

HEADER = "Content-Security-Policy"


def defaults():
    """POLICY plus the origins of settings.CSP_IMG_SRC (e.g. an object store serving the emblems)."""
    directives = dict(POLICY)
    extra = " ".join(getattr(settings, "CSP_IMG_SRC", []))
    if extra:
        directives["img-src"] = f"{directives['img-src']} {extra}"
    return directives


def parse(policy):
    """``"a x; b y z"`` → ``{"a": "x", "b": "y z"}`` (directive names lower-cased, first one wins)."""
    directives = {}
    for part in (policy or "").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives.setdefault(name.lower(), value.strip())
    return directives


def policy_for(existing=None, x_frame_options=None):
    """The header value for a response that has the given CSP (or none) and X-Frame-Options (or none)."""
    own = parse(existing)
    directives = defaults()
    if (x_frame_options or "").strip().upper() == "SAMEORIGIN":
        directives["frame-ancestors"] = "'self'"
    directives.update(own)
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sits before XFrameOptionsMiddleware in MIDDLEWARE, so it sees the final X-Frame-Options."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 304:
            # A 304 updates the headers the browser stored with the page. ConditionalGetMiddleware builds
            # it without X-Frame-Options, so a policy derived here would replace the page's real one.
            return response
        response.headers[HEADER] = policy_for(response.headers.get(HEADER),
                                              response.headers.get("X-Frame-Options"))
        return response
