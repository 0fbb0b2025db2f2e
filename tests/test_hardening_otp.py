"""A second factor (TOTP) for platform administrators and street staff: enrolment with a QR
code, a code after the password at every login, django-otp's throttling, and an
administrator's audited reset. Enforcement is off in the rest of the suite (tests/conftest.py);
these tests turn it on."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.core import otp
from gongjian.core.models import AuditEntry, User

PASSWORD = "Test@2026pw"  # tests/conftest.py

pytestmark = pytest.mark.usefixtures("enforced")


@pytest.fixture
def enforced():
    with override_settings(GONGJIAN_OTP_ENFORCE=True):
        yield


def code_for(device, offset=0):
    """The code an authenticator shows now (offset: steps later, never accepted twice)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


def wrong_code(device):
    right = {code_for(device, d) for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return response


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name=otp.DEVICE_NAME, confirmed=True)


def test_street_staff_enrols_with_a_qr_code_and_a_first_code(client, users):
    log_in(client, users.street)
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("otp_enrol"))

    page = client.get(home["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "data:image/svg+xml;base64," in text and "启用身份验证器" in text
    assert "bi-flag-fill" not in text.split("<main")[0]  # no menu before the second factor
    device = TOTPDevice.objects.get(user=users.street)
    assert not device.confirmed
    # The secret shown (grouped by four) is the device's key, in base32.
    import base64

    assert page.context["secret"].replace(" ", "") == base64.b32encode(device.bin_key).decode()
    assert client.get(reverse("otp_enrol")).context["secret"] == page.context["secret"]

    refused = client.post(reverse("otp_enrol"), {"code": wrong_code(device), "next": "/"})
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302

    device.throttling_failure_timestamp = None  # the wait after the wrong code has passed
    device.save()
    done = client.post(reverse("otp_enrol"), {"code": code_for(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(event="otp_enrol", actor=users.street).count() == 1
    assert AuditEntry.objects.filter(event="otp_failed", actor=users.street).count() == 1
    # Enrolled: the page says so and offers no second secret.
    again = client.get(reverse("otp_enrol"))
    assert again.status_code == 200 and "已启用双因素认证" in again.content.decode()
    assert TOTPDevice.objects.filter(user=users.street).count() == 1


def test_every_login_asks_for_the_code_after_the_password(client, users):
    device = enrolled(users.sysadmin)
    log_in(client, users.sysadmin)
    bounced = client.get(reverse("account_list"))
    assert bounced.status_code == 302
    assert bounced["Location"] == f"{reverse('otp_verify')}?next=%2Faccounts%2F"

    refused = client.post(reverse("otp_verify"), {"code": wrong_code(device),
                                                   "next": "/accounts/"})
    assert refused.status_code == 400
    assert "验证码不正确" in refused.content.decode()
    assert client.get(reverse("account_list")).status_code == 302
    for malformed in ("", "12345", "abcdef"):
        assert client.post(reverse("otp_verify"), {"code": malformed}).status_code == 400

    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    before = client.session.session_key
    passed = client.post(reverse("otp_verify"), {"code": code_for(device), "next": "/accounts/"})
    assert passed.status_code == 302 and passed["Location"] == "/accounts/"
    assert client.session.session_key != before  # a new session id once verified
    assert client.get(reverse("account_list")).status_code == 200
    assert AuditEntry.objects.filter(event="otp_verify", actor=users.sysadmin).exists()
    # The same code is not accepted twice (a replayed code).
    client.post(reverse("logout"))
    log_in(client, users.sysadmin)
    assert client.post(reverse("otp_verify"), {"code": code_for(device)}).status_code == 400

    # An outside address in `next` is not followed.
    client.post(reverse("logout"))
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    log_in(client, users.sysadmin)
    outside = client.post(reverse("otp_verify"), {"code": code_for(device, 1),
                                                  "next": "https://evil.example/"})
    assert outside.status_code == 302 and outside["Location"] == "/"


def _street_pages():
    """Every page of the access matrix the street account may open (GET), the API included."""
    from test_access_matrix import MATRIX, url_names

    open_anyway = {"login", "logout", "otp_enrol", "otp_verify"}
    # (test_every_url_is_in_the_matrix keeps the matrix and the URLs the same set.)
    names = url_names()
    return [entry for entry in MATRIX if entry["method"] == "GET" and entry["name"] in names
            and entry["name"] not in open_anyway and "street" in entry["allowed"]]


def test_an_unverified_session_reaches_only_the_second_factor_pages(client, tree, users, twins):
    from django.db import transaction

    from gongjian.orgs.models import Grid, GridPost, GridRole

    tree.post_a = GridPost.objects.create(grid=tree.grid_a, role=GridRole.objects.first(),
                                          holder_name="王网格")
    enrolled(users.street)
    log_in(client, users.street)
    entries = _street_pages()
    saved_tree = dict(vars(tree))
    assert len(entries) > 50
    for entry in entries:
        name = entry["name"]
        # What a rolled-back setup left on the fixtures goes with its rows.
        tree.__dict__.clear()
        tree.__dict__.update(saved_tree)
        for role, account in vars(users).items():
            setattr(users, role, User.objects.get(pk=account.pk))
        with transaction.atomic():  # each entry's rows, rolled back after it
            if entry["setup"]:
                entry["setup"](tree, users)
            args = entry["args"](tree, users) if callable(entry["args"]) else entry["args"]
            response = client.get(reverse(name, args=args))
            transaction.set_rollback(True)
        if name.startswith("api-"):
            assert response.status_code == 403, (name, response.status_code)
            assert "双因素验证" in response.json()["detail"]
        else:
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"].startswith(reverse("otp_verify")), name
    # Writes are bounced too, and nothing is written.
    before = Grid.objects.count()
    response = client.post(reverse("grid_create"), {"code": "G-X", "name": "新网格"})
    assert response.status_code == 302 and Grid.objects.count() == before
    # The second factor's pages and logout stay open.
    assert client.get(reverse("otp_verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_residents_and_members_are_not_asked(client, users):
    for account in (users.resident, users.member, users.community_a):
        client.post(reverse("logout"))
        log_in(client, account)
        assert client.get(reverse("home")).status_code == 200, account.username
        page = client.get(reverse("otp_enrol"))
        assert page.status_code == 200 and "无须启用双因素认证" in page.content.decode()
        assert client.get(reverse("otp_verify"))["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_the_roles_that_must_use_it_are_a_setting(client, users, make_user):
    assert otp.is_required(users.street) and otp.is_required(users.secadmin)
    assert not otp.is_required(users.community_a)
    with override_settings(GONGJIAN_OTP_REQUIRED_ROLES=["community_staff"]):
        assert otp.is_required(users.community_a)
        assert not otp.is_required(users.street)
    root = User.objects.create_user("root", password=PASSWORD, is_superuser=True)
    assert otp.is_required(root)
    with override_settings(GONGJIAN_OTP_ENFORCE=False):
        assert not otp.is_required(users.street)
        log_in(client, users.street)
        assert client.get(reverse("home")).status_code == 200


def test_repeated_wrong_codes_are_throttled(client, users):
    device = enrolled(users.street)
    log_in(client, users.street)
    for _ in range(3):
        client.post(reverse("otp_verify"), {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    # Even the right code waits until the delay (doubling with each failure) has passed.
    refused = client.post(reverse("otp_verify"), {"code": code_for(device)})
    assert refused.status_code == 400
    assert "秒后再试" in refused.content.decode()
    assert client.get(reverse("home")).status_code == 302
    count = device.throttling_failure_count
    device.refresh_from_db()
    assert device.throttling_failure_count == count  # a refused wait is not another failure
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(hours=1)
    device.save()
    assert client.post(reverse("otp_verify"), {"code": code_for(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert client.get(reverse("home")).status_code == 200


def _verified(client, user):
    device = enrolled(user)
    log_in(client, user)
    assert client.post(reverse("otp_verify"), {"code": code_for(device)}).status_code == 302
    return device


def test_an_administrator_resets_a_lost_authenticator_and_it_is_audited(client, users):
    enrolled(users.street)
    _verified(client, users.sysadmin)
    detail = client.get(reverse("account_detail", args=[users.street.pk]))
    assert "重置身份验证器" in detail.content.decode()
    response = client.post(reverse("account_otp_reset", args=[users.street.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users.street).exists()
    entry = AuditEntry.objects.get(event="otp_reset")
    assert entry.actor == users.sysadmin and entry.object_id == str(users.street.pk)
    # Not one's own (another administrator does it), and not by the security administrator.
    own = client.post(reverse("account_otp_reset", args=[users.sysadmin.pk]), follow=True)
    assert "不能重置自己的身份验证器" in own.content.decode()
    assert TOTPDevice.objects.filter(user=users.sysadmin).exists()
    client.post(reverse("logout"))
    _verified(client, users.secadmin)
    assert client.post(reverse("account_otp_reset",
                               args=[users.sysadmin.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=users.sysadmin).exists()
    # The holder enrols again at the next login.
    client.post(reverse("logout"))
    log_in(client, users.street)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_enrol"))


def test_a_password_token_is_refused_without_the_code(users):
    assert otp.token_refusal(users.member, None) is None
    assert "启用身份验证器" in otp.token_refusal(users.street, "123456")
    device = enrolled(users.street)
    assert "验证码不正确" in otp.token_refusal(users.street, wrong_code(device))
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    assert otp.token_refusal(users.street, code_for(device)) is None


def test_the_token_endpoint_asks_for_the_code(client, users):
    url = reverse("api-token")
    answer = client.post(url, {"username": users.street.username, "password": PASSWORD},
                         content_type="application/json")
    assert answer.status_code == 400 and "启用身份验证器" in answer.json()["detail"]
    device = enrolled(users.street)
    answer = client.post(url, {"username": users.street.username, "password": PASSWORD,
                               "otp": wrong_code(device)}, content_type="application/json")
    assert answer.status_code == 400 and "token" not in answer.json()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    answer = client.post(url, {"username": users.street.username, "password": PASSWORD,
                               "otp": code_for(device)}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["token"]
    # A member owes no second factor: the password alone gives the token.
    answer = client.post(url, {"username": users.member.username, "password": PASSWORD},
                         content_type="application/json")
    assert answer.status_code == 200
