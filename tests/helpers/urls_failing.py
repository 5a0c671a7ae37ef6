"""A test-only URLconf (tests/test_error_pages.py): the project's URLs, its error handlers, and views that
fail on purpose."""
from django.core.exceptions import SuspiciousOperation
from django.urls import path

from ita_portal.urls import handler400, handler403, handler404, handler500, urlpatterns as project_urls


def broken(request):
    raise RuntimeError("a bug in a view")


def suspicious(request):
    raise SuspiciousOperation("a request the portal refuses to read")


urlpatterns = [
    path("test-only/broken/", broken),
    path("test-only/suspicious/", suspicious),
    *project_urls,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
