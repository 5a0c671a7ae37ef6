"""The public site (no sign-in): the directory, organisation pages, published documents with stable
links, the ITAS link list, the embeddable list and the sitemap.

    /                                         directory of organisations
    /opendata/organisations.csv               open data: the organisations (CSV)
    /opendata/results.csv                     open data: the ITA results (CSV)
    /o/<slug>/                                organisation page
    /o/<slug>/embed/                          published documents, for an iframe on the municipal website
    /o/<slug>/<fy>/itas/                      the URLs to paste into ITAS per OIT item of that year
    /o/<slug>/<fy>/<kind>/                    the current published revision (kind: analysis, measures,
                                              progress-3, progress-6, progress-9, progress-12)
    /o/<slug>/<fy>/<kind>/pdf/                its PDF
    /o/<slug>/<fy>/<kind>/r<N>/               revision N, permanent
    /o/<slug>/<fy>/<kind>/r<N>/pdf/           its PDF
    /o/<slug>/<fy>/<kind>/r<N>/evidence/<id>/ a public evidence file of a published revision
"""
from django.urls import path, register_converter

from . import opendata, views_documents, views_org


class KindConverter:
    regex = r"analysis|measures|progress-(?:3|6|9|12)"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KindConverter, "dockind")

app_name = "public"
urlpatterns = [
    path("", views_org.directory, name="directory"),
    path("opendata/organisations.csv", opendata.organisations_csv, name="opendata_organisations"),
    path("opendata/results.csv", opendata.results_csv, name="opendata_results"),
    path("o/<slug:slug>/", views_org.organisation, name="organisation"),
    path("o/<slug:slug>/embed/", views_org.embed, name="embed"),
    path("o/<slug:slug>/<int:fiscal_year>/itas/", views_documents.itas_links, name="itas"),
    path("o/<slug:slug>/<int:fiscal_year>/itas/export.<str:fmt>", views_documents.itas_export, name="itas_export"),
    path("o/<slug:slug>/<int:fiscal_year>/itas/files/<int:answer_pk>/", views_documents.oit_file, name="oit_file"),
    path("o/<slug:slug>/<int:fiscal_year>/<dockind:kind>/", views_documents.document, name="document"),
    path("o/<slug:slug>/<int:fiscal_year>/<dockind:kind>/pdf/", views_documents.document_pdf, name="document_pdf"),
    path("o/<slug:slug>/<int:fiscal_year>/<dockind:kind>/r<int:revision>/", views_documents.document,
         name="revision"),
    path("o/<slug:slug>/<int:fiscal_year>/<dockind:kind>/r<int:revision>/pdf/", views_documents.document_pdf,
         name="revision_pdf"),
    path("o/<slug:slug>/<int:fiscal_year>/<dockind:kind>/r<int:revision>/evidence/<int:evidence_pk>/",
         views_documents.evidence_file, name="evidence"),
]
