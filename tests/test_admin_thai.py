"""The Django admin reads in Thai: its sections have clear Thai names (Django's auth app is not
"การตรวจสอบและอนุมัติ"; django-axes is "บันทึกการเข้าสู่ระบบ", not "Axes"), its models too, and it draws Thai
with the site's Sarabun web font (templates/admin/base_site.html, static/css/admin.css)."""
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

# Latin words the admin index may show: the brand, the indicator acronyms and the superuser's username.
ALLOWED_LATIN = {"ITA", "OIT", "Portal", "root"}
SECTIONS = ("บัญชีผู้ใช้ กลุ่ม และสิทธิ์", "บันทึกการเข้าสู่ระบบ", "การยืนยันตัวตนสองขั้นตอน: แอปยืนยันตัวตน",
            "การยืนยันตัวตนสองขั้นตอน: รหัสกู้คืน", "หน่วยงาน", "มาตรการ", "เอกสารและรายงาน")
FACES = ("Sarabun-Regular.ttf", "Sarabun-Medium.ttf", "Sarabun-Bold.ttf", "Sarabun-Italic.ttf")


def english_words(html):
    # <option>: the permission names are stored in English by Django when the database is migrated
    html = re.sub(r"<(script|style|option)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"&[a-z]+;", " ", html)  # HTML entities (&rsaquo; in the breadcrumbs)
    return set(re.findall(r"[A-Za-z]{2,}", re.sub(r"<[^>]+>", " ", html))) - ALLOWED_LATIN


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "root-pass-123")


def test_the_admin_index_has_thai_section_and_model_names(root):
    client = Client()
    client.force_login(root)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'lang="th"' in html
    captions = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.S)
    for section in SECTIONS:
        assert section in captions, (section, captions)
    assert "การตรวจสอบและอนุมัติ" not in html and "Axes" not in html
    for model in ("ประวัติการเข้าสู่ระบบ", "แอปยืนยันตัวตน", "ชุดรหัสกู้คืน", "การแจ้งเตือนที่ส่งแล้ว"):
        assert f">{model}</a>" in html, model
    assert not english_words(html), sorted(english_words(html))


def test_admin_pages_link_the_thai_web_font(root):
    client = Client()
    client.force_login(root)
    for url in (reverse("admin:index"), reverse("admin:axes_accesslog_changelist"),
                reverse("admin:otp_totp_totpdevice_changelist"), reverse("admin:auth_user_change", args=[root.pk])):
        html = client.get(url).content.decode()
        assert f'<link rel="stylesheet" href="{static("css/admin.css")}" id="admin-thai-font">' in html, url
    html = Client().get(reverse("admin:login")).content.decode()  # the admin's sign-in page too
    assert static("css/admin.css") in html
    css = Path(finders.find("css/admin.css")).read_text()
    for face in FACES:
        assert f"url('../fonts/sarabun/{face}')" in css and finders.find(f"fonts/sarabun/{face}")
    assert "--font-family-primary: 'Sarabun'" in css


def test_axes_pages_are_thai(root):
    from axes.models import AccessAttempt, AccessLog

    AccessAttempt.objects.create(username="somchai", ip_address="10.0.0.1", user_agent="Firefox", get_data="",
                                 post_data="", http_accept="*/*", path_info="/accounts/login/", failures_since_start=2)
    AccessLog.objects.create(username="root", ip_address="10.0.0.2", user_agent="Firefox", http_accept="*/*",
                             path_info="/accounts/login/")
    client = Client()
    client.force_login(root)
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "การเข้าสู่ระบบที่ล้มเหลว" in html and "หมายเลข IP" in html
    html = client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
    assert "ประวัติการเข้าสู่ระบบ" in html and "เวลาออกจากระบบ" in html


@pytest.mark.django_db(transaction=True)
def test_the_admin_draws_thai_with_sarabun_in_chromium(page, live_server):
    get_user_model().objects.create_superuser("root", "root@example.org", "root-pass-123")
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")
    assert page.locator("caption", has_text="บันทึกการเข้าสู่ระบบ").count() == 1
    loaded = page.evaluate("""async () => {
        await document.fonts.ready;
        await document.fonts.load('16px Sarabun', 'ก');
        return [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Sarabun' && f.status === 'loaded')
            .map(f => f.weight);
    }""")
    assert "400" in loaded
    family = page.evaluate("getComputedStyle(document.querySelector('#content')).fontFamily")
    assert family.split(",")[0].strip("\"' ") == "Sarabun"


def test_the_user_pages_of_the_admin_are_thai(root):
    client = Client()
    client.force_login(root)
    # key names and the password summary's hash fields (of the test hasher) may stay Latin
    allowed = {"Control", "Command", "Mac", "SSO", "LDAP", "salt", "md"}
    html = client.get(reverse("admin:auth_user_change", args=[root.pk])).content.decode()
    assert "วิธีเข้ารหัส" in html and "ค่าแฮช" in html  # the password summary
    # the hash's and salt's first characters are shown: any run of hex letters ("beea") is not a word
    leftover = {w for w in english_words(html) - allowed if not re.fullmatch(r"[A-Za-z]{2}|[a-f]+", w)}
    assert not leftover, sorted(leftover)
    html = client.get(reverse("admin:auth_user_password_change", args=[root.pk])).content.decode()
    assert "หากปิด รหัสผ่านปัจจุบันของผู้ใช้นี้จะใช้ไม่ได้อีก" in html
    assert not english_words(html) - allowed, sorted(english_words(html) - allowed)
    html = client.get(reverse("admin:auth_user_add")).content.decode()
    assert not english_words(html) - allowed, sorted(english_words(html) - allowed)


def test_the_history_page_of_a_measure_is_thai(root, org_a):
    from .factories import MeasureFactory

    measure = MeasureFactory(organisation=org_a)
    measure.title = "มาตรการที่แก้ไขแล้ว"
    measure.save()
    client = Client()
    client.force_login(root)
    html = client.get(reverse("admin:measures_measure_history", args=[measure.pk])).content.decode()
    assert "แก้ไขโดย" in html and "การเปลี่ยนแปลง" in html
    # "None": simple-history shows an empty old value as Python's None in its list of changes
    assert not english_words(html) - {"None"}, sorted(english_words(html))
