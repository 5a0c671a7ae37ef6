"""Organisation settings: only the organisation's administrators; profile with a validated emblem,
divisions (add, rename, reorder, delete unless measures use them) and members."""
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext
from PIL import Image

from orgs.models import Division, Invitation, Membership, Role

from .factories import DivisionFactory, MeasureFactory, MembershipFactory, UserFactory
from .helpers.html import find, find_all, th

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def urls(org, division, membership):
    slug = org.slug
    return {
        "profile": reverse("orgs:settings", args=[slug]),
        "divisions": reverse("orgs:divisions", args=[slug]),
        "division_edit": reverse("orgs:division_edit", args=[slug, division.pk]),
        "division_delete": reverse("orgs:division_delete", args=[slug, division.pk]),
        "members": reverse("orgs:members", args=[slug]),
        "member_edit": reverse("orgs:member_edit", args=[slug, membership.pk]),
    }


POST_ONLY = {
    "division_move": lambda slug, d, m: (reverse("orgs:division_move", args=[slug, d.pk]), {"direction": "up"}),
    "member_active": lambda slug, d, m: (reverse("orgs:member_active", args=[slug, m.pk]), {"active": "0"}),
    "member_invite": lambda slug, d, m: (reverse("orgs:member_invite", args=[slug]),
                                         {"invite-email": "x@example.org", "invite-role": "admin"}),
    "member_password_reset": lambda slug, d, m: (reverse("orgs:member_password_reset", args=[slug, m.pk]), {}),
}
PAGES = ["profile", "divisions", "division_edit", "division_delete", "members", "member_edit"]


@pytest.fixture
def targets(org_a, staff_a):
    return org_a.divisions.order_by("order").last(), Membership.objects.get(user=staff_a)


# --- access -------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client, org_a, targets, page):
    response = client.get(urls(org_a, *targets)[page])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("user, expected", [("staff_a", 403), ("approver_a", 403), ("admin_a", 200),
                                            ("staff_b", 404), ("admin_b", 404)])
@pytest.mark.parametrize("page", PAGES)
def test_only_the_organisations_administrators_get_in(request, client, org_a, targets, user, expected, page):
    client.force_login(request.getfixturevalue(user))
    assert client.get(urls(org_a, *targets)[page]).status_code == expected


@pytest.mark.parametrize("user, expected", [("staff_a", 403), ("approver_a", 403), ("admin_b", 404)])
@pytest.mark.parametrize("action", sorted(POST_ONLY))
def test_post_actions_are_refused_to_others(request, client, org_a, targets, user, expected, action):
    client.force_login(request.getfixturevalue(user))
    url, data = POST_ONLY[action](org_a.slug, *targets)
    assert client.post(url, data).status_code == expected
    assert Membership.objects.get(pk=targets[1].pk).is_active
    assert not Invitation.objects.exists()


def test_another_organisations_division_or_member_is_404(client, org_a, org_b, admin_a, staff_b):
    client.force_login(admin_a)
    division_b = org_b.divisions.get()
    membership_b = Membership.objects.get(user=staff_b)
    slug = org_a.slug
    assert client.get(reverse("orgs:division_edit", args=[slug, division_b.pk])).status_code == 404
    assert client.post(reverse("orgs:division_delete", args=[slug, division_b.pk])).status_code == 404
    move = reverse("orgs:division_move", args=[slug, division_b.pk])
    assert client.post(move, {"direction": "up"}).status_code == 404
    assert client.get(reverse("orgs:member_edit", args=[slug, membership_b.pk])).status_code == 404
    assert client.post(reverse("orgs:member_active", args=[slug, membership_b.pk]), {"active": "0"}).status_code == 404
    assert Division.objects.filter(pk=division_b.pk).exists()
    assert Membership.objects.get(pk=membership_b.pk).is_active


def test_the_settings_link_shows_only_for_administrators(client, org_a, staff_a, admin_a):
    settings_url = reverse("orgs:settings", args=[org_a.slug])
    client.force_login(staff_a)
    assert settings_url not in client.get(reverse("dashboard", args=[org_a.slug])).text
    client.force_login(admin_a)
    assert settings_url in client.get(reverse("dashboard", args=[org_a.slug])).text


# --- profile ------------------------------------------------------------------------------------

def profile_data(org, **changes):
    data = {
        "name": org.name, "kind": org.kind, "district": org.district, "province": org.province,
        "website": "", "address": "", "phone": "", "email": "", "strength_threshold": "85.00",
        "default_layout": "A",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def image_file(fmt="PNG", size=(40, 40), name=None, noise=False):
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    buf = io.BytesIO()
    image.save(buf, fmt)
    ext = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}[fmt]
    return SimpleUploadedFile(name or f"emblem.{ext}", buf.getvalue(), content_type=f"image/{ext}")


def test_profile_saves(client, org_a, admin_a):
    client.force_login(admin_a)
    data = profile_data(org_a, name="เทศบาลตำบลเอใหม่", website="www.org-a.go.th", phone="042 000 000",
                        strength_threshold="๘๐", default_layout="B", allow_self_approval="on", slug="hacked")
    response = client.post(reverse("orgs:settings", args=[org_a.slug]), data)
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.name == "เทศบาลตำบลเอใหม่" and org_a.website == "https://www.org-a.go.th"
    assert str(org_a.strength_threshold) == "80.00" and org_a.default_layout == "B" and org_a.allow_self_approval
    assert org_a.slug == "org-a"  # the public address name is not editable here


def test_invalid_profile_keeps_the_input_and_shows_the_error_at_the_field(client, org_a, admin_a):
    client.force_login(admin_a)
    data = profile_data(org_a, name="ชื่อที่พิมพ์", strength_threshold="120")
    response = client.post(reverse("orgs:settings", args=[org_a.slug]), data)
    assert response.status_code == 200
    field = find(response.text, "input", name="strength_threshold")
    assert field["attrs"]["value"] == "120" and "is-invalid" in field["attrs"]["class"]
    error = find(response.text, id="error_1_id_strength_threshold")
    assert error["text"] == th("Enter a score from 0 to 100.")
    assert find(response.text, "input", name="name")["attrs"]["value"] == "ชื่อที่พิมพ์"
    org_a.refresh_from_db()
    assert org_a.name == "เทศบาลตำบลเอ"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_emblem_is_stored(client, org_a, admin_a, fmt):
    client.force_login(admin_a)
    response = client.post(reverse("orgs:settings", args=[org_a.slug]),
                           profile_data(org_a, emblem=image_file(fmt)))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.emblem.name.startswith("emblems/")
    with Image.open(org_a.emblem.path) as stored:
        assert stored.format == fmt


@pytest.mark.parametrize("upload, message", [
    (lambda: SimpleUploadedFile("emblem.png", b"not an image at all", content_type="image/png"),
     "Upload the emblem as a PNG or JPEG image."),
    (lambda: image_file("GIF"), "Upload the emblem as a PNG or JPEG image."),
    (lambda: image_file("PNG", name="emblem.jpg"), None),  # the content decides, not the name: accepted
    (lambda: image_file("PNG", size=(900, 900), noise=True), "The emblem must be smaller than 2 MB."),
])
def test_the_emblem_is_checked_by_its_content(client, org_a, admin_a, upload, message):
    client.force_login(admin_a)
    file = upload()
    response = client.post(reverse("orgs:settings", args=[org_a.slug]), profile_data(org_a, emblem=file))
    org_a.refresh_from_db()
    if message is None:
        assert response.status_code == 302 and org_a.emblem
        return
    if "2 MB" in message:
        assert file.size > 2 * 1024 * 1024
    assert response.status_code == 200
    assert find(response.text, id="error_1_id_emblem")["text"] == th(message)
    assert not org_a.emblem


# --- divisions ------------------------------------------------------------------------------------

def division_names(org):
    return list(org.divisions.order_by("order", "name").values_list("name", flat=True))


def test_add_rename_and_refuse_a_duplicate_division(client, org_a, admin_a):
    client.force_login(admin_a)
    url = reverse("orgs:divisions", args=[org_a.slug])
    assert client.post(url, {"name": "  กองช่าง  "}).status_code == 302
    assert division_names(org_a) == ["สำนักปลัด", "กองคลัง", "กองช่าง"]
    response = client.post(url, {"name": "กองคลัง"})
    assert response.status_code == 200
    assert find(response.text, id="error_1_id_name")["text"] == th("A division with this name already exists.")
    assert find(response.text, "input", name="name")["attrs"]["value"] == "กองคลัง"
    division = org_a.divisions.get(name="กองช่าง")
    edit = reverse("orgs:division_edit", args=[org_a.slug, division.pk])
    assert client.post(edit, {"name": "สำนักปลัด"}).status_code == 200
    assert client.post(edit, {"name": "กองช่างโยธา"}).status_code == 302
    assert division_names(org_a) == ["สำนักปลัด", "กองคลัง", "กองช่างโยธา"]


def test_the_same_division_name_is_fine_in_another_organisation(client, org_a, org_b, admin_a):
    client.force_login(admin_a)
    DivisionFactory(organisation=org_b, name="กองช่าง")
    assert client.post(reverse("orgs:divisions", args=[org_a.slug]), {"name": "กองช่าง"}).status_code == 302


def test_reorder_divisions(client, org_a, admin_a):
    client.force_login(admin_a)
    DivisionFactory(organisation=org_a, name="กองช่าง", order=3)
    last = org_a.divisions.get(name="กองช่าง")
    move = reverse("orgs:division_move", args=[org_a.slug, last.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert division_names(org_a) == ["สำนักปลัด", "กองช่าง", "กองคลัง"]
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})  # already first: nothing changes
    assert division_names(org_a) == ["กองช่าง", "สำนักปลัด", "กองคลัง"]
    client.post(move, {"direction": "down"})
    assert division_names(org_a) == ["สำนักปลัด", "กองช่าง", "กองคลัง"]
    assert client.get(move).status_code == 405


def test_delete_an_unused_division_after_confirmation(client, org_a, admin_a):
    client.force_login(admin_a)
    division = org_a.divisions.get(name="สำนักปลัด")
    url = reverse("orgs:division_delete", args=[org_a.slug, division.pk])
    assert client.get(url).status_code == 200 and division_names(org_a) == ["สำนักปลัด", "กองคลัง"]
    assert client.post(url).status_code == 302
    assert division_names(org_a) == ["กองคลัง"]
    assert org_a.divisions.get().order == 1


def test_a_division_used_by_measures_cannot_be_deleted(client, org_a, admin_a):
    client.force_login(admin_a)
    division = org_a.divisions.get(name="กองคลัง")
    MeasureFactory(organisation=org_a).divisions.add(division)
    url = reverse("orgs:division_delete", args=[org_a.slug, division.pk])
    response = client.post(url, follow=True)
    assert Division.objects.filter(pk=division.pk).exists()
    with translation.override("th"):
        expected = ngettext(
            "The division “%(name)s” is responsible for %(count)s measure and cannot be deleted. "
            "Rename it, or remove it from that measure first.",
            "The division “%(name)s” is responsible for %(count)s measures and cannot be deleted. "
            "Rename it, or remove it from those measures first.", 1) % {"name": "กองคลัง", "count": "๑"}
    assert escape(expected) in response.text
    row = find(response.text, "tr", data_division=str(division.pk))
    assert th("Delete") not in row["text"]


# --- members --------------------------------------------------------------------------------------

def test_members_are_listed(client, org_a, admin_a, staff_a, approver_a, staff_b):
    client.force_login(admin_a)
    page = client.get(reverse("orgs:members", args=[org_a.slug])).text
    names = [e["attrs"]["data-member"] for e in find_all(page, "tr", data_member=True)]
    assert sorted(names) == ["admin_a", "approver_a", "staff_a"]


def test_change_a_role(client, org_a, admin_a, staff_a):
    client.force_login(admin_a)
    membership = Membership.objects.get(user=staff_a)
    url = reverse("orgs:member_edit", args=[org_a.slug, membership.pk])
    assert client.post(url, {"role": "approver", "position": "หัวหน้า"}).status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.position) == ("approver", "หัวหน้า")


def test_the_last_administrator_cannot_be_demoted(client, org_a, admin_a):
    client.force_login(admin_a)
    membership = Membership.objects.get(user=admin_a)
    url = reverse("orgs:member_edit", args=[org_a.slug, membership.pk])
    response = client.post(url, {"role": "staff", "position": ""})
    assert response.status_code == 200
    assert find(response.text, id="error_1_id_role")["text"] == th(
        "The organisation needs at least one active administrator.")
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN
    second = MembershipFactory(organisation=org_a, role=Role.ADMIN)
    assert client.post(url, {"role": "staff", "position": ""}).status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == Role.STAFF
    assert Membership.objects.get(pk=second.pk).role == Role.ADMIN


def test_deactivation_takes_effect_at_once(client, org_a, admin_a, staff_a):
    membership = Membership.objects.get(user=staff_a)
    url = reverse("orgs:member_active", args=[org_a.slug, membership.pk])
    client.force_login(admin_a)
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not Membership.objects.get(pk=membership.pk).is_active
    client.force_login(staff_a)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 404
    client.force_login(admin_a)
    client.post(url, {"active": "1"})
    client.force_login(staff_a)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 200


def test_an_administrator_cannot_deactivate_themselves(client, org_a, admin_a):
    client.force_login(admin_a)
    membership = Membership.objects.get(user=admin_a)
    MembershipFactory(organisation=org_a, role=Role.ADMIN)
    response = client.post(reverse("orgs:member_active", args=[org_a.slug, membership.pk]), {"active": "0"},
                           follow=True)
    assert Membership.objects.get(pk=membership.pk).is_active
    assert escape(th("You cannot deactivate your own membership.")) in response.text


def test_the_last_active_administrator_cannot_be_deactivated(client, org_a, admin_a):
    other = MembershipFactory(organisation=org_a, role=Role.ADMIN)
    Membership.objects.filter(user=admin_a).update(is_active=False)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.post(reverse("orgs:member_active", args=[org_a.slug, other.pk]), {"active": "0"}, follow=True)
    assert Membership.objects.get(pk=other.pk).is_active
    assert escape(th("The organisation needs at least one active administrator.")) in response.text
