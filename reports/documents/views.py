"""Documents of an organisation: list by fiscal year, document page (print options, memo cover fields,
HTML preview), the preview itself and the PDF. Everything under /w/<org_slug>/documents/ and scoped by
request.org (orgs.access): another organisation's document is a 404.

Preview and PDF are made from ``build_document_data`` (live data for now; the workflow issue will pass
the frozen approval snapshot instead) by the same templates (reports.printing.rendering).
"""
from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from orgs.access import org_member_required
from orgs.models import Role

from ..entries.evidence_print import for_copy
from ..entries.services import ensure_entries
from ..models import Document, DocumentKind, DocumentStatus, Memo
from ..pdf import font_files
from ..printing.rendering import content_disposition, render_document_pdf, render_preview_html
from ..printing.stored_pdf import document_snapshot, pdf_render_failed, public_memo, stored_pdf_etag
from ..workflow.forms import CreateDocumentForm, PublishForm
from ..workflow.rules import StaleDocument, WorkflowError, allowed_actions
from .data import build_document_data, memo_initial
from .forms import MemoForm, RenderOptionsForm
from .memo import MEMO_FIELDS, save_memo


def _document(request, pk):
    return get_object_or_404(Document.objects.for_org(request.org).select_related("organisation"), pk=pk)


def _memo_by_default(document, data) -> bool:
    """Whether the document's own print starts with its memo: a saved memo while it is prepared and
    approved; once published, as the approver chose (the stored PDF is exactly that print)."""
    if document.status in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN):
        return public_memo(document)
    return data["memo"]["saved"]


def _options_form(request, document, data, *, query=None):
    return RenderOptionsForm(
        document, (request.GET or None) if query is None else query, has_memo=_memo_by_default(document, data),
        has_analysis=data["analysis"] is not None,
    )


def document_data(document) -> dict:
    """The data a document prints from: its frozen snapshot once approved, live data before."""
    if document.snapshot is not None and document.is_frozen:
        return document_snapshot(document)
    return build_document_data(document)


@org_member_required()
def index(request, org_slug):
    documents = list(
        Document.objects.for_org(request.org).without_snapshot()
        .order_by("-fiscal_year", "kind", "round", "-revision")
        .select_related("submitted_by", "approved_by", "published_by")
    )
    years = [
        {"fiscal_year": year, "documents": list(docs)}
        for year, docs in groupby(documents, key=lambda d: d.fiscal_year)
    ]
    return render(request, "reports/index.html", {
        "nav": "documents", "years": years, "create_form": CreateDocumentForm()})


def _detail_context(request, document, data, options_form, **extra) -> dict:
    """Everything the document page shows: print options, memo form, the workflow panel (what the
    user may do, the timeline, other revisions) and, for a progress report, its entries."""
    query = options_form.query()
    entry_rows = []
    if document.kind == DocumentKind.PROGRESS:
        entry_rows = list(
            document.entries.select_related("measure").prefetch_related("evidence")
            .order_by("measure__order", "measure_id")
        )
    revisions = list(
        Document.objects.for_org(request.org)
        .filter(fiscal_year=document.fiscal_year, kind=document.kind, round=document.round)
        .exclude(pk=document.pk).order_by("-revision")
    )
    pdf_base = reverse("reports:pdf", args=[request.org.slug, document.pk])
    own = _options_form(request, document, data, query={})  # the document's own options, not the page's
    extra.setdefault("publish_form", PublishForm())
    return {
        "nav": "documents", "document": document, "data": data, "options_form": options_form,
        "memo_editable": document.status == DocumentStatus.DRAFT,
        "has_memo": data["memo"]["saved"],
        "preview_url": f"{reverse('reports:preview', args=[request.org.slug, document.pk])}?{query}",
        "pdf_url": f"{pdf_base}?{query}",
        # Staff print options of the memo (always available) and the previews of the publish choice:
        # the same print the public gets for each choice (the snapshot, the decision, the own options).
        "memo_pdf_url": f"{pdf_base}?{own.query(memo='only')}",
        "memo_and_document_pdf_url": f"{pdf_base}?{own.query(memo='on')}",
        "document_pdf_url": f"{pdf_base}?{own.query(memo='')}",
        "fiscal_year": document.fiscal_year,
        "actions": allowed_actions(document, request.user, role=request.membership.role),
        "events": list(document.events.order_by("at", "pk")),
        "entry_rows": entry_rows,
        "revisions": revisions,
        # the background tries to render the stored PDF failed: the organisation's admins see it, try again
        "pdf_failed": request.membership.role == Role.ADMIN and pdf_render_failed(document),
        **extra,
    }


@org_member_required()
def detail(request, org_slug, pk):
    document = _document(request, pk)
    if document.status == DocumentStatus.DRAFT and document.kind == DocumentKind.PROGRESS:
        ensure_entries(document)  # measures added since the report was created get their entry
    data = document_data(document)
    options_form = _options_form(request, document, data)
    return render(request, "reports/detail.html",
                  _detail_context(request, document, data, options_form, memo_form=memo_form(request, document)))


def printed_data(document, data: dict, options_form) -> dict:
    """The data with its evidence as this print lists it: the published copy (public evidence only, as
    stored) for a published or withdrawn document in its own options, else the staff copy (internal
    evidence by name too). See reports.entries.evidence_print."""
    public_copy = document.status in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN) and options_form.is_default()
    return for_copy(document, data, public_copy=public_copy)


@xframe_options_sameorigin
@org_member_required()
def preview(request, org_slug, pk):
    document = _document(request, pk)
    data = document_data(document)
    options_form = _options_form(request, document, data)
    options = options_form.options()
    data = printed_data(document, data, options_form)
    font_url = lambda name: reverse("reports:font", args=[org_slug, name])  # noqa: E731
    html = render_preview_html(data, options, font_url=font_url)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@org_member_required()
def font(request, org_slug, name):
    """The Sarabun files of the PDF engine, for the HTML preview (only those files)."""
    files = {path.name: path for path in font_files().values()}
    if name not in files:
        raise Http404
    response = FileResponse(files[name].open("rb"), content_type="font/ttf")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@org_member_required()
def pdf(request, org_slug, pk):
    document = _document(request, pk)
    data = document_data(document)
    options_form = _options_form(request, document, data)
    options = options_form.options()
    if (document.status in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN) and options_form.is_default()
            and document.pdf_file):
        # The published PDF: rendered once by a background task (reports/workflow/tasks.py) and stored under a
        # name that carries its content hash, which is also its ETag.
        etag = stored_pdf_etag(document)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return HttpResponseNotModified(headers={"ETag": etag})
        response = FileResponse(document.pdf_file.open("rb"), content_type="application/pdf")
        response["ETag"] = etag
    else:
        response = HttpResponse(render_document_pdf(printed_data(document, data, options_form), options),
                                content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        data, options, attachment=request.GET.get("download") == "1")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def memo_form(request, document) -> MemoForm:
    """The memo cover form of the document page: the saved memo, or the suggested one."""
    memo = Memo.objects.filter(document=document).first()
    initial = None if memo else memo_initial(document, request.user, request.membership)
    return MemoForm(instance=memo, initial=initial, prefix="memo", organisation=request.org,
                    document_version=document.version)


@require_POST
@org_member_required()
def memo(request, org_slug, pk):
    document = _document(request, pk)
    if document.status != DocumentStatus.DRAFT:
        messages.error(request, _("Only the memo of a draft can be changed."))
        return redirect("reports:detail", org_slug, pk)
    instance = Memo.objects.filter(document=document).first()
    form = MemoForm(request.POST, instance=instance, prefix="memo", organisation=request.org)
    status = 400
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in MEMO_FIELDS}
        try:
            save_memo(document, fields=fields, actor=request.user, expected_version=form.cleaned_data["version"])
        except StaleDocument as exc:
            document = _document(request, pk)
            form.add_error(None, exc.message)
            form.data = form.data.copy()
            form.data["memo-version"] = str(document.version)  # a second save, after reading theirs, goes through
            status = 409
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("reports:detail", org_slug, pk)
        else:
            messages.success(request, _("The memo cover has been saved."))
            return redirect(f"{reverse('reports:detail', args=[org_slug, pk])}?o=1&memo=on")
    data = document_data(document)
    options_form = _options_form(request, document, data)
    return render(request, "reports/detail.html", _detail_context(
        request, document, data, options_form, memo_form=form, memo_open=True), status=status)
