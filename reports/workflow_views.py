"""Workflow pages: create a document, and the transitions (submit, return, approve, publish, withdraw,
new revision, delete a draft) through reports/services.py. (To be written.)"""
from django.http import Http404

from orgs.access import org_member_required


@org_member_required()
def create(request, org_slug):
    raise Http404


@org_member_required()
def transition(request, org_slug, pk, action):
    raise Http404
