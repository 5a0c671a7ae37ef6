"""The settings of a draft document (title, texts, layout, columns, month style, signer). (To be written.)"""
from django.http import Http404

from orgs.access import org_member_required


@org_member_required()
def document_settings(request, org_slug, pk):
    raise Http404
