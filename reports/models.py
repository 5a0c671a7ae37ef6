"""Documents that go through approval and publication: the ITA analysis, the measures plan and the
progress reports of a fiscal year, with their progress entries, evidence, optional memo cover and
workflow events. Status changes only through reports/workflow/transitions.py."""
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.datacache import UpdateBumpsQuerySet


class DocumentKind(models.TextChoices):
    ANALYSIS = "analysis", _("ITA result analysis")
    MEASURES = "measures", _("Measures plan")
    PROGRESS = "progress", _("Progress report")


class ReportRound(models.IntegerChoices):
    NONE = 0, _("—")
    MONTHS_3 = 3, _("3 months")
    MONTHS_6 = 6, _("6 months")
    MONTHS_9 = 9, _("9 months")
    MONTHS_12 = 12, _("12 months")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Layout(models.TextChoices):
    A = "A", _("A: measure, steps, division, period, summary, result")
    B = "B", _("B: by tool, weakness, steps, responsible, monitoring, action")
    C = "C", _("C: numbered, with output and outcome")
    D = "D", _("D: measures plan: measure, guideline, steps, responsible, monitoring")
    E = "E", _("E: measures plan with timeline and due dates (everything typed)")
    F = "F", _("F: numbered measures plan with timeline and due dates")


class MonthStyle(models.TextChoices):
    FULL = "full", _("Full month names")
    ABBR = "abbr", _("Abbreviated month names")


class DocumentQuerySet(UpdateBumpsQuerySet):
    def for_org(self, org):
        return self.filter(organisation=org)

    def published(self):
        return self.filter(status=DocumentStatus.PUBLISHED)

    def without_snapshot(self):
        """Lists that show a document's state, not its content: the frozen snapshot (the whole approved
        document as JSON, tens of kilobytes at national scale) is neither read from the database nor
        decoded. Reading ``document.snapshot`` on such a row costs one query more."""
        return self.defer("snapshot")


def published_pdf_upload_to(document, filename):
    """Stored PDFs of published documents: "<document id>-<content hash>.pdf" (reports/printing/stored_pdf.py)."""
    return f"published/{document.organisation_id}/{PurePosixPath(filename).name}"


def evidence_upload_to(evidence, filename):
    """Evidence files under a generated name: the uploaded name is kept only as data."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    org_id = evidence.entry.document.organisation_id
    return f"evidence/{org_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="documents", verbose_name=_("organisation")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    round = models.PositiveSmallIntegerField(
        _("report round"), choices=ReportRound.choices, default=ReportRound.NONE
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=500, blank=True, help_text=_("Empty: the standard title."))
    intro = models.TextField(_("foreword"), blank=True)  # คำนำ
    preamble = models.TextField(_("opening text"), blank=True)  # the paragraphs before the table
    layout = models.CharField(
        _("layout"), max_length=1, choices=Layout.choices, blank=True,
        help_text=_("Empty: the default layout (of the organisation for a progress report)."),
    )
    arabic_digits = models.BooleanField(_("Arabic digits"), default=False)
    month_style = models.CharField(
        _("month style"), max_length=4, choices=MonthStyle.choices, default=MonthStyle.FULL,
        help_text=_("How the timeline column writes months."),
    )
    # Layout A only: the columns in their order, each {"key": ..., "heading": ... (optional)}; keys and
    # default headings in measures/layouts.py (COLUMNS, LAYOUTS["A"]). Empty: the layout's own columns.
    columns = models.JSONField(
        _("table columns"), default=list, blank=True,
        help_text=_("Layout A only: column keys in order with optional headings; empty: the layout's defaults."),
    )
    signer_name = models.CharField(_("signer name"), max_length=200, blank=True)
    signer_position = models.CharField(_("signer position"), max_length=200, blank=True)
    # Empty: the usual label of the kind (reports.documents.data.default_signer_role: a plan ผู้จัดทำ, an
    # analysis ผู้วิเคราะห์, a progress report ผู้รายงาน).
    signer_role = models.CharField(_("signer role"), max_length=100, blank=True, default="")
    # Chosen by the approver at publication: the memo cover in front of the public PDF and page.
    publish_memo = models.BooleanField(
        _("memo cover published"), default=False,
        help_text=_("The public PDF and page start with the memo cover (with the approver's decision)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Workflow (written only by reports/workflow/transitions.py).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # The frozen data of an approved document (reports.documents.data.build_document_data at approval).
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)
    # The PDF of a published document, rendered once from the snapshot.
    pdf_file = models.FileField(_("published PDF"), upload_to=published_pdf_upload_to, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # SHA-256 of the stored PDF, shown on the public page so anyone can check a copy they hold.
    pdf_sha256 = models.CharField(_("SHA-256 of the published PDF"), max_length=64, blank=True, editable=False)
    # Rendering the stored PDF in the background (reports/workflow/tasks.py): failed tries in a row, and when the
    # last try failed (the organisation's administrators see it and try again).
    pdf_attempts = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    pdf_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["organisation", "-fiscal_year", "kind", "round", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year", "kind", "round", "revision"], name="document_unique_revision"
            )
        ]

    def __str__(self):
        return f"{self.organisation} {self.fiscal_year} {self.get_kind_display()} {self.round or ''}".strip()

    @property
    def is_draft(self):
        return self.status == DocumentStatus.DRAFT

    @property
    def is_frozen(self):
        """Approved, published or withdrawn: it prints from its snapshot and is never edited again."""
        return self.status in (DocumentStatus.APPROVED, DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)


class Memo(models.Model):
    """The optional บันทึกข้อความ cover of a document."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="memo")
    division = models.ForeignKey(
        "orgs.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("responsible division"),
    )
    # ส่วนราชการ as printed; empty: the division and the organisation ("สำนักปลัด เทศบาลตำบลพักทัน").
    department = models.CharField(_("department"), max_length=300, blank=True)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)  # ที่
    date = models.DateField(_("date"), null=True, blank=True)  # วันที่
    subject = models.CharField(_("subject"), max_length=500)  # เรื่อง
    addressee = models.CharField(_("to"), max_length=300)  # เรียน
    through = models.CharField(_("through"), max_length=300, blank=True)  # ผ่าน (e.g. ปลัดเทศบาล)
    body = models.TextField(
        _("body"), help_text=_("Paragraphs separated by an empty line; a short line alone is a heading.")
    )
    closing = models.CharField(_("closing"), max_length=300, default="จึงเรียนมาเพื่อโปรดพิจารณา")
    signer_name = models.CharField(_("signer name"), max_length=200, blank=True)
    signer_position = models.CharField(_("signer position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("memo cover")
        verbose_name_plural = _("memo covers")

    def __str__(self):
        return self.subject


class EntryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class ProgressEntryQuerySet(UpdateBumpsQuerySet):
    organisation_lookup = "document__organisation_id"


class ProgressEntry(models.Model):
    """What was done for one measure in one progress report."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="entries")
    measure = models.ForeignKey(
        "measures.Measure", on_delete=models.PROTECT, related_name="progress_entries", verbose_name=_("measure")
    )
    output = models.TextField(_("what was done"), blank=True)  # สรุปผลการดำเนินการ / ผลการดำเนินการ
    outcome = models.TextField(_("outcome"), blank=True)  # ผลลัพธ์ / ผลสัมฤทธิ์
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.NOT_STARTED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    activity_start = models.DateField(_("activities from"), null=True, blank=True)
    activity_end = models.DateField(_("activities until"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["document", "measure__order", "measure_id"]
        constraints = [models.UniqueConstraint(fields=["document", "measure"], name="entry_unique_measure")]

    def __str__(self):
        return f"{self.document} – {self.measure}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Evidence(models.Model):
    """A file (PDF, JPEG, PNG, DOCX, XLSX; checked by content) or a link that supports an entry."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    is_public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Shown on the public page of the published report. Files that name people or hold "
                    "personal data should stay internal."),
    )
    order = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["entry", "order", "pk"]

    def __str__(self):
        return self.title or self.original_name or self.url

    @property
    def label(self):
        return self.title or self.original_name or self.url


class WorkflowAction(models.TextChoices):
    CREATE = "create", _("Created")
    SUBMIT = "submit", _("Submitted for approval")
    RETURN = "return", _("Returned for changes")
    APPROVE = "approve", _("Approved")
    PUBLISH = "publish", _("Published")
    WITHDRAW = "withdraw", _("Withdrawn")
    REVISE = "revise", _("New revision started")


class WorkflowEvent(models.Model):
    """One step of a document's workflow: who, when, from which status to which, and why.

    Append-only (core/audit.py): written once, never changed or deleted but through the sanctioned path;
    ``hash`` chains it to the event before it of the same document (``prev_hash``)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=WorkflowAction.choices)
    from_status = models.CharField(
        pgettext_lazy("workflow status", "from"), max_length=20, choices=DocumentStatus.choices, blank=True)
    to_status = models.CharField(pgettext_lazy("workflow status", "to"), max_length=20, choices=DocumentStatus.choices)
    # PROTECT: a person who acted in the trail is deactivated, never deleted (that would rewrite the rows).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by"), max_length=300, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    self_approved = models.BooleanField(
        _("approved by the person who submitted it"), default=False,
        help_text=_("The organisation allowed self-approval, and the approver had submitted the document."))
    # What the event records besides the comment: an approval the approver's position then
    # ({"position": ...}, printed in the memo's decision block), a publication the memo choice
    # ({"publish_memo": bool}).
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        ordering = ["document", "at", "pk"]

    def __str__(self):
        return f"{self.document} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def chain_fields(self) -> dict:
        fields = {"document": self.document_id, "action": self.action, "from": self.from_status,
                  "to": self.to_status, "actor": self.actor_id, "actor_name": self.actor_name,
                  "comment": self.comment, "self_approved": self.self_approved, "at": self.at}
        if self.data:  # events written before ``data`` existed keep their hash
            fields["data"] = self.data
        return fields

    def compute_hash(self) -> str:
        from core.audit import chain_digest

        return chain_digest(self.chain_fields(), self.prev_hash)

    def save(self, *args, **kwargs):
        """Insert only; the hash chain is extended here, so every way of writing an event extends it
        (the document row is locked by the workflow services, so two events never share a parent)."""
        from core.audit import GENESIS

        if not self._state.adding:
            raise ValueError("workflow events are append-only")
        last = (WorkflowEvent.objects.filter(document_id=self.document_id).order_by("-pk")
                .values_list("hash", flat=True).first())
        self.prev_hash = last or GENESIS
        self.hash = self.compute_hash()
        super().save(*args, **kwargs)


class SentReminder(models.Model):
    """One reminder item already sent (send_due_reminders never sends the same key twice)."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return self.key
