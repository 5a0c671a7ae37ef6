"""Progress entries of a draft report: edit an entry with its evidence (files and links); download an
evidence file; remove evidence. (To be written.)"""
from django.http import Http404

from orgs.access import org_member_required


@org_member_required()
def entry_edit(request, org_slug, pk, entry_pk):
    raise Http404


@org_member_required()
def evidence_file(request, org_slug, pk, evidence_pk):
    raise Http404


@org_member_required()
def evidence_delete(request, org_slug, pk, evidence_pk):
    raise Http404
