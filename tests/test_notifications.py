"""Notifications: one per account, reminders once, each account reads only its own."""

import pytest
from django.urls import reverse

from gongjian.core import reminders
from gongjian.core.models import Notification
from gongjian.core.notifications import notify, org_staff, unit_liaisons


@pytest.mark.django_db
def test_org_staff_are_the_accounts_whose_reach_covers_the_org(tree, users):
    around_a1 = {u.username for u in org_staff(tree.a1)}
    assert around_a1 == {"street", "comm_a"}
    assert {u.username for u in org_staff(tree.b1)} == {"street", "comm_b"}
    assert {u.username for u in org_staff(tree.a1, roles=("grid_staff",))} == {"grid_a"}
    assert [u.username for u in unit_liaisons(tree.unit_a)] == ["liaison_a"]
    assert unit_liaisons(tree.unit_b) == []


@pytest.mark.django_db
def test_notify_once_per_account_and_once_per_key(users):
    sent = notify([users.street, users.street, users.community_a, None], "项目待立项",
                  url="/projects/1/")
    assert len(sent) == 2
    first = notify([users.street], "协议即将到期", key="agreement-expiry:1")
    again = notify([users.street, users.community_a], "协议即将到期", key="agreement-expiry:1")
    assert len(first) == 1 and [n.user for n in again] == [users.community_a]
    users.community_b.is_active = False
    users.community_b.save()
    assert notify([users.community_b], "停用账户不收通知") == []


@pytest.mark.django_db
def test_reminder_sweeps_report_their_counts(users, monkeypatch):
    def sweep(today):
        return len(notify([users.street], f"{today} 提醒", key=f"test:{today}"))

    monkeypatch.setattr(reminders, "SWEEPS", {"test": sweep})
    import datetime

    day = datetime.date(2026, 11, 22)
    assert reminders.run_sweeps(day) == {"test": 1}
    assert reminders.run_sweeps(day) == {"test": 0}


@pytest.mark.django_db
def test_each_account_reads_and_marks_only_its_own(client, users):
    mine = notify([users.member], "您认领的心愿已确认", url="/wishes/1/")[0]
    theirs = notify([users.resident], "您的心愿已被认领")[0]
    client.force_login(users.member)
    page = client.get(reverse("notification_list"))
    assert "您认领的心愿已确认" in page.content.decode()
    assert "您的心愿已被认领" not in page.content.decode()
    assert client.post(reverse("notification_open", args=[theirs.pk])).status_code == 404
    opened = client.post(reverse("notification_open", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/wishes/1/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    notify([users.member], "第二条")
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(user=users.member, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=users.resident, read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_link_to_another_site_is_not_followed(client, users):
    note = notify([users.member], "外部链接", url="https://example.com/")[0]
    client.force_login(users.member)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notification_list")


@pytest.mark.django_db
def test_email_goes_out_after_commit_when_configured(users, settings, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = True
    settings.SITE_URL = "https://gongjian.example.cn"
    users.street.email = "street@example.cn"
    users.street.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([users.street, users.community_a], "项目待立项", url="/projects/1/",
               body="金安社区申报了项目")
        assert mailoutbox == []  # nothing leaves before the transaction commits
    assert [m.to for m in mailoutbox] == [["street@example.cn"]]  # comm_a has no address
    assert mailoutbox[0].subject == "【共建】项目待立项"
    assert mailoutbox[0].body == "金安社区申报了项目\n\nhttps://gongjian.example.cn/projects/1/"
    assert Notification.objects.get(user=users.street).emailed_at is not None


@pytest.mark.django_db
def test_no_email_without_a_mail_server(users, settings, mailoutbox,
                                        django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = False
    users.street.email = "street@example.cn"
    users.street.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([users.street], "项目待立项")
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_failing_sweep_does_not_stop_the_others(users, monkeypatch):
    import datetime

    def broken(today):
        notify([users.community_a], "写了一半")
        raise RuntimeError("坏了")

    def fine(today):
        return len(notify([users.street], "按时提醒", key=f"fine:{today}"))

    monkeypatch.setattr(reminders, "SWEEPS", {"broken": broken, "fine": fine})
    sent = reminders.run_sweeps(datetime.date(2026, 11, 22))
    assert sent["fine"] == 1 and sent["broken"].startswith("失败")
    # The failed sweep's half-done writes are rolled back.
    assert not Notification.objects.filter(user=users.community_a).exists()


@pytest.mark.django_db
def test_the_database_keeps_one_reminder_per_account_and_key(users):
    from django.db import IntegrityError, transaction

    notify([users.street], "协议即将到期", key="agreement-expiry:9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=users.street, title="again", key="agreement-expiry:9")
    Notification.objects.create(user=users.street, title="无键通知可以重复")
    Notification.objects.create(user=users.street, title="无键通知可以重复")
