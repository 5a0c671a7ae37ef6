"""Password-reset requests are throttled per client address (a Thai refusal, 429) and per e-mail address
(quietly: the same "sent" answer, no e-mail), so the form is neither a mail cannon nor an account oracle."""
import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mailbox(staff_a):
    staff_a.email = "staff_a@example.org"
    staff_a.save()


def ask(client, email, remote="203.0.113.20"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=remote)


def test_one_address_is_refused_after_the_limit_with_a_thai_page(client, settings, staff_a):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    codes = [ask(client, f"someone{i}@example.org").status_code for i in range(3)]
    assert codes == [302, 302, 302]
    refused = ask(client, staff_a.email)
    assert refused.status_code == 429
    assert "ขอตั้งรหัสผ่านใหม่บ่อยเกินไป" in refused.text and "Too many" not in refused.text
    assert mail.outbox == []  # the refused request sent nothing
    assert ask(client, staff_a.email, remote="192.0.2.21").status_code == 302  # another address still may
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [staff_a.email]


def test_one_mailbox_gets_at_most_the_limit_and_the_answer_does_not_change(client, settings, staff_a):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    answers = [ask(client, staff_a.email.upper(), remote=f"198.51.100.{i}") for i in range(4)]
    assert [a.status_code for a in answers] == [302] * 4
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 2  # the third and fourth were answered alike but sent nothing


def test_an_unknown_address_gets_the_same_answer_as_a_known_one(client, staff_a):
    known, unknown = ask(client, staff_a.email), ask(client, "no-such-person@example.org")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
