"""Public directory, organisation page and embeddable list (to be written)."""
from django.http import Http404


def directory(request):
    raise Http404


def organisation(request, slug):
    raise Http404


def embed(request, slug):
    raise Http404
