"""Organisations of the installation (orgs/organisations.py, orgs/installation_views.py): installation
administrators (superusers) add one organisation, or import many from a CSV of the national list
(demo/data/organisations.csv): a preview, then the atomic apply; idempotent by code; a bad row gets a
Thai error with its row number and nothing is applied. Then they invite each first administrator."""
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.thai import to_thai_digits
from orgs import organisations as service
from orgs.models import Invitation, Membership, Organisation, OrganisationKind, Role

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "demo" / "data" / "organisations.csv"
SITE = "https://ita.example.go.th"
IMPORT = "installation:organisation_import"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def th(msgid, **values):
    with translation.override("th"):
        text = translation.gettext(msgid)
    return text % values if values else text


def upload(data: bytes, name="organisations.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def preview_then_apply(client, data: bytes):
    response = client.post(reverse(IMPORT), {"file": upload(data), "step": "preview"})
    assert response.status_code == 200, response.text
    stored = re.search(r'name="stored" value="([^"]+)"', response.text).group(1)
    return response, client.post(reverse(IMPORT), {"stored": stored, "step": "apply"})


def snapshot():
    return list(Organisation.objects.order_by("pk").values())


# --- the sample file -----------------------------------------------------------------------------------------

def test_the_sample_csv_is_previewed_then_applied(admin_client):
    data = SAMPLE.read_bytes()
    rows = service.parse_csv(data)
    assert len(rows) == 6
    response, applied = preview_then_apply(admin_client, data)
    assert response.text.count('data-action="new"') == 6
    assert 'data-preview-row="4200101"' in response.text
    assert applied.status_code == 302 and applied["Location"] == reverse("installation:organisations")
    laemchabang = Organisation.objects.get(code="4200101")
    assert (laemchabang.kind, laemchabang.name, laemchabang.district, laemchabang.province, laemchabang.slug,
            laemchabang.website) == (OrganisationKind.CITY, "เทศบาลนครแหลมฉบัง", "ศรีราชา", "ชลบุรี", "laemchabangcity",
                                     "https://www.laemchabangcity.go.th")
    assert Organisation.objects.get(code="6720907").slug == "org-6720907"  # no website
    assert Organisation.objects.get(code="2720000").kind == OrganisationKind.PAO
    page = admin_client.get(applied["Location"]).text
    assert escape(th("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.",
                     created="๖", updated="๐", unchanged="๐")) in page
    # the organisations' public pages exist
    assert admin_client.get(reverse("public:organisation", args=["laemchabangcity"])).status_code == 200


def test_a_second_import_is_idempotent_and_updates_by_code(admin_client):
    data = SAMPLE.read_bytes()
    preview_then_apply(admin_client, data)
    before = snapshot()
    response = admin_client.post(reverse(IMPORT), {"file": upload(data), "step": "preview"})
    assert 'data-new="0" data-changed="0" data-unchanged="6"' in response.text
    assert "data-preview-row" not in response.text and 'id="import-apply"' not in response.text
    stored = re.search(r'name="stored" value="([^"]+)"', response.text)
    assert stored is None  # nothing to apply
    assert snapshot() == before
    changed = data.replace("เทศบาลตำบลหนองหญ้าไซ".encode(), "เทศบาลเมืองหนองหญ้าไซ".encode()).replace(
        "5720608,เทศบาลตำบล".encode(), "5720608,เทศบาลเมือง".encode())
    response, applied = preview_then_apply(admin_client, changed)
    assert response.text.count('data-action="changed"') == 1
    assert 'data-new="0" data-changed="1" data-unchanged="5"' in response.text
    assert "<del>เทศบาลตำบลหนองหญ้าไซ</del> → เทศบาลเมืองหนองหญ้าไซ" in response.text
    org = Organisation.objects.get(code="5720608")
    assert (org.name, org.kind, org.slug) == ("เทศบาลเมืองหนองหญ้าไซ", OrganisationKind.TOWN, "nongyasai")
    assert Organisation.objects.count() == 6
    assert org.history.count() == 2  # created, then changed: in the organisation's history


def test_the_preview_saves_nothing(admin_client):
    admin_client.post(reverse(IMPORT), {"file": upload(SAMPLE.read_bytes()), "step": "preview"})
    assert not Organisation.objects.exists()


# --- bad rows ------------------------------------------------------------------------------------------------

BAD = """code,type,name,district,province,website
4200101,เทศบาลนคร,เทศบาลนครแหลมฉบัง,ศรีราชา,ชลบุรี,www.laemchabangcity.go.th
4200102,เทศบาลจังหวัด,เทศบาลแปลก,ศรีราชา,ชลบุรี,
4200103,อบต.,,ศรีราชา,ชลบุรี,
4200101,อบต.,องค์การบริหารส่วนตำบลซ้ำ,ศรีราชา,ชลบุรี,
4200104,อบต.,องค์การบริหารส่วนตำบลเว็บ,ศรีราชา,ชลบุรี,not a url
"""


def test_bad_rows_get_thai_errors_with_their_row_numbers_and_nothing_is_applied(admin_client):
    response = admin_client.post(reverse(IMPORT), {"file": upload(BAD.encode()), "step": "preview"})
    assert response.status_code == 400
    errors = re.findall(r"<li data-import-error>(.*?)</li>", response.text)
    assert [e.split(":")[0] for e in errors] == [
        th("Row %(row)s: %(message)s", row=to_thai_digits(n), message="").split(":")[0] for n in (3, 4, 5, 6)]
    assert "เทศบาลจังหวัด" in errors[0]
    assert escape(th("the %(column)s is missing", column="name")) in errors[1]
    assert escape(th("the code %(code)s is also on row %(row)s", code="4200101", row="๒")) in errors[2]
    assert "not a url" in errors[3]
    assert not Organisation.objects.exists()


def test_a_good_preview_then_a_changed_world_still_applies_all_or_nothing(admin_client, monkeypatch):
    """The apply is atomic: a failure after the rows were written leaves no organisation of the file behind."""
    data = SAMPLE.read_bytes()
    response = admin_client.post(reverse(IMPORT), {"file": upload(data), "step": "preview"})
    stored = re.search(r'name="stored" value="([^"]+)"', response.text).group(1)
    def failing_bump(*slugs, **kwargs):
        assert Organisation.objects.count() == 6  # written, not committed
        raise RuntimeError("cache down")

    monkeypatch.setattr(service.pagecache, "bump", failing_bump)
    with pytest.raises(RuntimeError):
        admin_client.post(reverse(IMPORT), {"stored": stored, "step": "apply"})
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"code,name\n1,x\n", None),
    ("รหัส;ชื่อ".encode("cp874"), None),
    (b"code,type,name,district,province,website\n", "The file has no organisation rows."),
])
def test_files_that_are_not_the_list_are_refused(admin_client, data, message):
    response = admin_client.post(reverse(IMPORT), {"file": upload(data), "step": "preview"})
    assert response.status_code == 400 and "data-import-error" in response.text
    if message:
        assert escape(th(message)) in response.text
    assert not Organisation.objects.exists()


def test_a_tampered_or_foreign_stored_file_is_refused(admin_client, django_user_model):
    response = admin_client.post(reverse(IMPORT), {"file": upload(SAMPLE.read_bytes()), "step": "preview"})
    stored = re.search(r'name="stored" value="([^"]+)"', response.text).group(1)
    assert admin_client.post(reverse(IMPORT), {"stored": stored + "x", "step": "apply"}).status_code == 400
    other = django_user_model.objects.create_superuser("root2", "root2@example.org", "pw-Long-enough-1")
    admin_client.force_login(other)
    assert admin_client.post(reverse(IMPORT), {"stored": stored, "step": "apply"}).status_code == 400
    assert not Organisation.objects.exists()


def test_slugs_avoid_reserved_names_and_taken_ones(org_a):
    taken = service.taken_slugs()
    assert service.slug_for("1", "https://www.installation.go.th", taken) == "installation-2"
    assert service.slug_for("2", "www.org-a.go.th", taken) == "org-a-2"
    assert service.slug_for("3", "www.org-a.go.th", taken) == "org-a-3"
    assert service.slug_for("4", "", taken) == "org-4"


# --- one organisation, and its first administrator ----------------------------------------------------------

def test_add_one_organisation_then_invite_its_first_administrator(admin_client, mailoutbox):
    response = admin_client.post(reverse("installation:organisation_add"), {
        "code": "6410103", "kind": "sao", "name": "องค์การบริหารส่วนตำบลทดลอง", "district": "เมือง",
        "province": "สุโขทัย", "website": "www.thodlong.go.th", "slug": "",
    })
    org = Organisation.objects.get(code="6410103")
    assert org.slug == "thodlong" and org.website == "https://www.thodlong.go.th"
    invite_url = reverse("installation:organisation_invite", args=[org.pk])
    assert response["Location"] == invite_url
    response = admin_client.post(invite_url, {"invite-email": "palad@thodlong.go.th", "invite-role": "admin"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role) == (org, Role.ADMIN)
    path = re.search(re.escape(SITE) + r"(/invitation/[^/\s]+/)", mailoutbox[0].body).group(1)
    assert 'data-invitation="palad@thodlong.go.th"' in admin_client.get(invite_url).text
    # only the administrator role can be chosen here
    admin_client.post(invite_url, {"invite-email": "staff@thodlong.go.th", "invite-role": "staff"})
    assert Invitation.objects.count() == 1
    admin_client.logout()
    admin_client.post(path, {"username": "palad", "first_name": "ปลัด", "last_name": "ทดลอง",
                             "password1": "Kh0ngDee-2568!", "password2": "Kh0ngDee-2568!"})
    assert Membership.objects.get(user__username="palad").role == Role.ADMIN
    assert admin_client.get(reverse("orgs:members", args=[org.slug])).status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"slug": "installation"}, "slug"),
    ({"slug": "org-a"}, "slug"),
    ({"code": "111"}, "code"),
])
def test_adding_refuses_a_taken_code_or_slug_and_keeps_the_input(admin_client, org_a, changes, field):
    Organisation.objects.filter(pk=org_a.pk).update(code="111")
    data = {"code": "222", "kind": "sao", "name": "อบต.ใหม่", "district": "ก", "province": "ข", "website": "",
            "slug": "", **changes}
    response = admin_client.post(reverse("installation:organisation_add"), data)
    assert response.status_code == 400
    assert f'id="error_1_id_{field}"' in response.text and 'value="อบต.ใหม่"' in response.text
    assert Organisation.objects.count() == 1


def test_the_list_searches_and_costs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    preview_then_apply(admin_client, SAMPLE.read_bytes())
    with django_assert_max_num_queries(8):
        page = admin_client.get(reverse("installation:organisations")).text
    assert page.count("data-organisation=") == 6
    page = admin_client.get(reverse("installation:organisations") + "?q=สุพรรณบุรี").text
    assert page.count("data-organisation=") == 5
    page = admin_client.get(reverse("installation:organisations") + "?q=4200101").text
    assert page.count("data-organisation=") == 1


def test_the_preview_costs_the_same_number_of_queries_for_many_rows(admin_client, django_assert_max_num_queries):
    rows = "".join(f"{6000000 + i},อบต.,องค์การบริหารส่วนตำบลที่ {i},เมือง,สุโขทัย,www.t{i}.go.th\n" for i in range(300))
    data = ("code,type,name,district,province,website\n" + rows).encode()
    with django_assert_max_num_queries(6):
        response = admin_client.post(reverse(IMPORT), {"file": upload(data), "step": "preview"})
    assert response.text.count('data-action="new"') == 300
    stored = re.search(r'name="stored" value="([^"]+)"', response.text).group(1)
    with django_assert_max_num_queries(20):
        admin_client.post(reverse(IMPORT), {"stored": stored, "step": "apply"})
    assert Organisation.objects.count() == Organisation.history.count() == 300
    assert Organisation.history.filter(history_user__username="admin").count() == 300


def test_the_invitation_page_costs_a_fixed_number_of_queries(client, org_a, admin_a, mailoutbox,
                                                             django_assert_max_num_queries):
    from orgs import invitations

    invitations.invite(org_a, email="q@example.org", role="staff", actor=admin_a)
    path = re.search(re.escape(SITE) + r"(/invitation/[^/\s]+/)", mailoutbox[0].body).group(1)
    with django_assert_max_num_queries(3):
        assert client.get(path).status_code == 200
