"""Template tags about the public site, for workspace pages.

    {% load public_site %}
    {% public_links request.org as links %}   links.page, links.embed, links.snippet, links.itas [(fy, url)]
"""
from django import template
from django.urls import reverse
from django.utils.html import escape

from reports.documents.links import absolute
from reports.models import Document, DocumentStatus

register = template.Library()


def embed_snippet(org, url: str) -> str:
    """The <iframe> an organisation pastes into its own website (Thai: it is shown to its citizens)."""
    return (f'<iframe src="{url}" title="เอกสาร ITA ที่เผยแพร่ของ{escape(org.name)}" width="100%" height="600" '
            f'style="border:0" loading="lazy"></iframe>')


@register.simple_tag
def public_links(org):
    """The organisation's public addresses (absolute, from settings.SITE_URL): its page, the embeddable
    list with the <iframe> snippet, and the ITAS link page of each fiscal year that has published
    documents (one query)."""
    embed = absolute(reverse("public:embed", args=[org.slug]))
    years = (
        Document.objects.for_org(org)
        .filter(status__in=(DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN), published_at__isnull=False)
        .order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    )
    return {
        "page": absolute(reverse("public:organisation", args=[org.slug])),
        "embed": embed,
        "snippet": embed_snippet(org, embed),
        "itas": [(fy, absolute(reverse("public:itas", args=[org.slug, fy]))) for fy in years],
    }
