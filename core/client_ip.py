"""The address a request came from, for the sign-in lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``).

Without a proxy (``TRUSTED_PROXY_COUNT=0``, the default) it is ``REMOTE_ADDR``: an ``X-Forwarded-For``
header is the client's own words and is ignored. Behind N trusted proxies, each of which appends the
address it received the connection from to ``X-Forwarded-For`` (nginx ``$proxy_add_x_forwarded_for``),
the client is the N-th address from the right; whatever the client put further left is ignored, so a
forged header cannot move a brute-force attempt to another address. When the header holds fewer
addresses than that, or not an IP address there, the request did not pass the proxies as expected and
``REMOTE_ADDR`` counts.
"""
import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
