"""The memo cover (บันทึกข้อความ) of a document: saving its fields while the document is a draft
(``save_memo``), and the decision of its approval printed on it (``approval_decision``). What the memo
shows is built with the rest of the document in reports/documents/data.py."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from orgs.models import Membership

from ..models import Document, Memo, WorkflowAction, WorkflowEvent
from ..workflow.rules import editable_draft, touch_document

MEMO_FIELDS = ("division", "department", "reference", "date", "subject", "addressee", "through", "body",
               "closing", "signer_name", "signer_position")


def save_memo(document: Document, *, fields: dict, actor, expected_version: int | None = None) -> Memo:
    """Save the memo cover of a draft (created on its first save). ``expected_version`` is the document
    version the page was opened with: a save after another change of the draft is refused (StaleDocument)."""
    with transaction.atomic():
        document = editable_draft(document, actor, expected_version)
        memo = Memo.objects.filter(document=document).first() or Memo(document=document)
        for name in MEMO_FIELDS:
            if name in fields:
                setattr(memo, name, fields[name])
        memo.save()
        touch_document(document)
    return memo


def approval_decision(document: Document) -> dict | None:
    """The executive's ความเห็น/คำสั่ง of an approved document, from its (latest) APPROVE event:
    {"text": "อนุมัติ", "name", "position", "date" (B.E., Thai digits)}; None before approval. The
    position is the one recorded at approval (else the approver's current one)."""
    from core.thai import format_date

    if document.pk is None or not document.is_frozen:
        return None
    event = (WorkflowEvent.objects.filter(document_id=document.pk, action=WorkflowAction.APPROVE)
             .order_by("-at", "-pk").first())
    if event is None:
        return None
    recorded = event.data or {}
    if "position" in recorded:
        position = str(recorded["position"] or "").strip()
    else:  # approved before positions were recorded: the approver's position now
        membership = Membership.objects.filter(user_id=event.actor_id, organisation_id=document.organisation_id)
        position = (membership.values_list("position", flat=True).first() or "").strip()
    return {
        "text": "อนุมัติ",
        "name": event.actor_name,
        "position": position,
        "date": format_date(timezone.localtime(event.at).date()),
    }
