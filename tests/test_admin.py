"""The Django admin shows every model of the project, labelled in Thai."""
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

PROJECT_APPS = ["orgs", "ita", "measures", "reports"]


def project_models():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_is_registered():
    missing = [m.__name__ for m in project_models() if not admin.site.is_registered(m)]
    assert not missing


def test_admin_index_and_changelists_are_in_thai(admin_client):
    index = admin_client.get(reverse("admin:index"))
    assert index.status_code == 200
    for text in ["หน่วยงาน", "มาตรการ", "ตัวชี้วัด", "ผลการประเมิน ITA"]:
        assert text in index.text
    for model in project_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
