"""Django's own strings in Thai wherever a Thai user sees them: the sign-in form, password change, the
password-reset pages and e-mail, the set-password form, password rules and their help texts (numbers in
Thai digits), username validation, required fields, pagination. Django's Thai catalogue lacks many of
them: locale/th supplies them (core/django_strings.py lists the msgids)."""
import re

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.test import Client
from django.urls import reverse
from django.utils import translation

# Latin words a Thai page may show: the brand and the language switch (lang="en").
ALLOWED_LATIN = {"ITA", "Portal", "English"}


def english_words(html, allowed=()):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN - set(allowed)


def thai_page(response, status=200, allowed=()):
    assert response.status_code == status
    html = response.content.decode()
    assert 'lang="th"' in html
    assert not english_words(html, allowed), sorted(english_words(html, allowed))
    return html


@pytest.fixture
def somchai(db):
    return get_user_model().objects.create_user("somchai", "somchai@example.org", "an-old-pass-1",
                                                first_name="สมชาย")


def test_the_sign_in_form_answers_in_thai(somchai):
    client = Client()
    thai_page(client.get(reverse("login")))
    html = thai_page(client.post(reverse("login"), {}))
    assert html.count("กรุณากรอกช่องนี้") == 2
    html = thai_page(client.post(reverse("login"), {"username": "somchai", "password": "wrong"}))
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in html


def test_the_password_change_page_its_rules_and_errors_are_thai(somchai):
    client = Client()
    client.force_login(somchai)
    html = thai_page(client.get(reverse("password_change")))
    assert "รหัสผ่านต้องมีอย่างน้อย ๘ ตัวอักษร" in html  # the rules, numbers in Thai digits
    assert "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in html and "รหัสผ่านต้องไม่ใช่รหัสผ่านที่ใช้กันทั่วไป" in html
    assert "รหัสผ่านต้องไม่คล้ายกับข้อมูลส่วนตัวอื่นของคุณ" in html
    html = thai_page(client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "1234", "new_password2": "1234"}))
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in html
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย ๘ ตัวอักษร" in html
    assert "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in html
    html = thai_page(client.post(reverse("password_change"), {
        "old_password": "an-old-pass-1", "new_password1": "password", "new_password2": "password"}))
    assert "รหัสผ่านนี้เป็นรหัสผ่านที่ใช้กันทั่วไป" in html
    html = thai_page(client.post(reverse("password_change"), {
        "old_password": "an-old-pass-1", "new_password1": "somchai12", "new_password2": "somchai12"}))
    assert "รหัสผ่านคล้ายกับชื่อผู้ใช้มากเกินไป" in html


def test_the_password_reset_pages_and_e_mail_are_thai(somchai, mailoutbox):
    client = Client()
    html = thai_page(client.get(reverse("password_reset")))
    assert 'href="/static/css/site.css"' in html and "ตั้งรหัสผ่านใหม่" in html  # the site's layout
    html = thai_page(client.post(reverse("password_reset"), {"email": "not an address"}))
    assert "กรุณากรอกอีเมลให้ถูกต้อง" in html
    html = thai_page(client.post(reverse("password_reset"), {"email": "somchai@example.org"}, follow=True))
    assert "ตรวจสอบอีเมลของคุณ" in html
    [mail] = mailoutbox
    assert mail.subject == "ตั้งรหัสผ่านใหม่สำหรับ ITA Portal"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.body).group(1)
    assert not english_words(mail.body.replace(f"http://testserver{link}", ""), allowed={"somchai", "testserver"})
    confirm = client.get(link, follow=True)
    html = thai_page(confirm)
    url = confirm.redirect_chain[-1][0]
    html = thai_page(client.post(url, {"new_password1": "a-long-pass-9", "new_password2": "another-pass-9"}))
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in html
    html = thai_page(client.post(url, {"new_password1": "12345678", "new_password2": "12345678"}))
    assert "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in html and "รหัสผ่านนี้เป็นรหัสผ่านที่ใช้กันทั่วไป" in html
    html = thai_page(client.post(url, {"new_password1": "a-long-pass-9", "new_password2": "a-long-pass-9"},
                                 follow=True))
    assert "บันทึกรหัสผ่านใหม่ของคุณแล้ว" in html
    somchai.refresh_from_db()
    assert somchai.check_password("a-long-pass-9")
    html = thai_page(client.get(link, follow=True))  # the link works once
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in html


def test_the_set_password_form_renders_and_refuses_in_thai(somchai):
    form = SetPasswordForm(somchai)
    assert not english_words(form.as_div())
    assert "พิมพ์รหัสผ่านเดิมซ้ำอีกครั้งเพื่อยืนยัน" in form.as_div()
    form = SetPasswordForm(somchai, {"new_password1": "short", "new_password2": "short"})
    assert not form.is_valid()
    assert form.errors["new_password2"] == ["รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย ๘ ตัวอักษร"]
    assert not english_words(form.as_div())
    form = SetPasswordForm(somchai, {"new_password1": "", "new_password2": "x"})
    assert form.errors["new_password1"] == ["กรุณากรอกช่องนี้"]


class UsernameForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["username"]


def test_username_rules_and_errors_are_thai(somchai):
    form = UsernameForm({"username": "สม ชาย!"})
    assert not form.is_valid()
    assert form.errors["username"] == ["กรุณากรอกชื่อผู้ใช้ให้ถูกต้อง ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @/./+/-/_"]
    assert not english_words(form.as_div())
    assert "ไม่เกิน ๑๕๐ ตัวอักษร" in form.as_div()
    form = UsernameForm({"username": "somchai"})
    assert form.errors["username"] == ["มีผู้ใช้ชื่อนี้อยู่แล้ว"]


def test_pagination_errors_are_thai():
    pages = Paginator(range(10), 5)
    with pytest.raises(EmptyPage) as empty:
        pages.page(3)
    assert str(empty.value) == "หน้านั้นไม่มีรายการ"
    with pytest.raises(PageNotAnInteger) as not_a_number:
        pages.page("x")
    assert re.search(r"[\u0E00-\u0E7F]", str(not_a_number.value))


def test_in_english_the_rules_keep_arabic_digits(somchai):
    with translation.override("en"):
        form = SetPasswordForm(somchai, {"new_password1": "short", "new_password2": "short"})
        assert form.errors["new_password2"] == ["This password is too short. It must contain at least 8 characters."]


def test_the_invitation_page_its_username_and_password_rules_are_thai(org_a, admin_a, mailoutbox):
    from orgs import invitations

    invitations.invite(org_a, email="napa@example.org", role="staff", actor=admin_a)
    path = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[0].body).group(1)
    client = Client()
    html = thai_page(client.get(path), allowed={"napa", "example", "org"})
    assert "รหัสผ่านต้องมีอย่างน้อย ๘ ตัวอักษร" in html
    html = thai_page(client.post(path, {"username": "นภา ก!", "password1": "1234", "password2": "1234"}),
                     status=400, allowed={"napa", "example", "org"})
    assert "กรุณากรอกชื่อผู้ใช้ให้ถูกต้อง" in html
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย ๘ ตัวอักษร" in html or "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in html
