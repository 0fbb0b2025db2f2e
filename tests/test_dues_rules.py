"""Party dues rules (RULES.md §2, §13): every row of the brackets table through the calc API,
the ledger vector, rounding by setting, and the refusals — a month already paid, a 补交
beyond six months without approval, a negative base, a month before admission — each with
its Chinese message and nothing written."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from gongjian.core.services import DomainError

D = datetime.date


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("base,kind,monthly", [
    ("2500", "in_service", "12.50"),
    ("3000", "in_service", "15.00"),
    ("5000", "in_service", "50.00"),
    ("8000", "in_service", "120.00"),
    ("10000", "in_service", "150.00"),
    ("12000", "in_service", "240.00"),
    ("5000", "retired", "25.00"),
    ("6200", "retired", "62.00"),
    ("", "student", "0.20"),
])
def test_every_row_of_the_table_through_the_calc_api(users, base, kind, monthly):
    answer = api_as(users.community_a).get("/api/v1/dues/calc/", {"base": base, "kind": kind})
    assert answer.status_code == 200, answer.content
    assert answer.json()["monthly"] == monthly


def test_calc_refuses_bad_input_in_chinese(users):
    api = api_as(users.community_a)
    negative = api.get("/api/v1/dues/calc/", {"base": "-1", "kind": "in_service"})
    assert negative.status_code == 400
    assert negative.json()["detail"] == "月收入基数不能为负数。"
    assert api.get("/api/v1/dues/calc/", {"base": "x"}).json()["detail"] == "月收入基数须为数字。"
    assert "没有党员类别" in api.get("/api/v1/dues/calc/", {"base": "1", "kind": "x"}).json()[
        "detail"]
    assert api.get("/api/v1/dues/calc/", {"kind": "in_service"}).json()["detail"] \
        == "在职党员须填写月收入基数。"


def test_rounding_is_half_up_at_a_cent_and_configurable(settings):
    from gongjian.dues import rules

    assert rules.monthly_dues("in_service", Decimal("2501")) == Decimal("12.51")  # 12.505
    settings.GONGJIAN_DUES = {"rounding": "down"}
    assert rules.monthly_dues("in_service", Decimal("2501")) == Decimal("12.50")
    settings.GONGJIAN_DUES = {"rounding_unit": Decimal("0.1")}
    assert rules.monthly_dues("in_service", Decimal("2501")) == Decimal("12.50")
    assert rules.monthly_dues("in_service", Decimal("2530")) == Decimal("12.70")  # 12.65


def _account(tree, users, base="8000", year=2026, membership=None, kind="in_service"):
    from gongjian.dues import services

    return services.set_base(membership or tree.membership_a, user=users.community_a,
                             year=year, kind=kind, base=base).account


def test_ledger_vector_january_to_march_paid_in_april(tree, users):
    from gongjian.dues import services
    from gongjian.dues.models import Month

    account = _account(tree, users)
    payment = services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                                      last_month=D(2026, 3, 1), paid_on=D(2026, 4, 10))
    rows = list(Month.objects.filter(account=account).order_by("month"))
    assert [r.month for r in rows] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert {r.paid_month for r in rows} == {D(2026, 4, 1)}
    assert {(r.base, r.rate, r.due, r.paid, r.reduction) for r in rows} == {
        (Decimal("8000.00"), Decimal("0.0150"), Decimal("120.00"), Decimal("120.00"),
         Decimal("0.00"))}
    assert payment.amount == Decimal("360.00") == sum(r.paid for r in rows)
    account.refresh_from_db()
    assert account.paid_through == D(2026, 3, 1)
    # The API's ledger for the branch in January shows the row.
    ledger = api_as(users.community_a).get("/api/v1/dues/ledger/",
                                           {"org": tree.a1.code, "month": "2026-01"}).json()
    row = next(r for r in ledger["rows"] if r["org"] == tree.a1.code)
    assert (row["members"], row["paid_count"], row["paid"], row["unpaid"]) == (1, 1, "120.00", 0)
    april = api_as(users.community_a).get("/api/v1/dues/ledger/",
                                          {"org": tree.a.code, "month": "2026-04"}).json()
    assert april["total"]["collected"] == "360.00"
    assert april["total"]["unpaid"] == 1


def _refused(call, message):
    from gongjian.dues.models import Month, Payment

    before = (Payment.objects.count(), Month.objects.count())
    with pytest.raises(DomainError) as refused:
        call()
    assert message in refused.value.message
    assert (Payment.objects.count(), Month.objects.count()) == before
    return refused.value


def test_a_month_already_paid_is_refused(tree, users):
    from gongjian.dues import services

    account = _account(tree, users)
    services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                            paid_on=D(2026, 1, 20))
    _refused(lambda: services.record_payment(account, user=users.community_a,
                                             first_month=D(2026, 1, 1), paid_on=D(2026, 2, 1)),
             "2026年1月党费已交纳（已缴至2026年1月），不能重复登记。")
    # A month skipped is refused as well: months are paid in order.
    _refused(lambda: services.record_payment(account, user=users.community_a,
                                             first_month=D(2026, 3, 1), paid_on=D(2026, 3, 2)),
             "请先补交2026年2月起的党费")


def test_makeup_beyond_six_months_needs_a_recorded_approval(tree, users):
    from gongjian.dues import services

    account = _account(tree, users)
    pay = dict(first_month=D(2026, 1, 1), last_month=D(2026, 8, 1), paid_on=D(2026, 9, 5))
    _refused(lambda: services.record_payment(account, user=users.community_a, **pay),
             "补交 8 个月党费，超过 6 个月，须经党委批准并登记批准人。")
    payment = services.record_payment(account, user=users.community_a,
                                      makeup_approved_by="金安社区党委 王书记", **pay)
    assert payment.months == 8 and payment.makeup_approved_by == "金安社区党委 王书记"
    assert payment.amount == Decimal("960.00")


def test_negative_base_is_refused(tree, users):
    from gongjian.dues import services
    from gongjian.dues.models import Account, Base

    with pytest.raises(DomainError) as refused:
        services.set_base(tree.membership_a, user=users.community_a, year=2026,
                          kind="in_service", base="-100")
    assert refused.value.message == "月收入基数不能为负数。"
    assert not Account.objects.exists() and not Base.objects.exists()


def test_probationary_member_pays_from_the_month_admitted(tree, users):
    from gongjian.dues import services
    from gongjian.members.models import Membership, Person

    person = Person.objects.create(name="李新", sex="男", birth_date=D(1998, 3, 2), org=tree.a1)
    membership = Membership.objects.create(person=person, org=tree.a1, category="预备党员",
                                           joined_on=D(2026, 7, 1))
    account = _account(tree, users, base="3000", membership=membership)
    assert account.start_month == D(2026, 7, 1)
    _refused(lambda: services.record_payment(account, user=users.community_a,
                                             first_month=D(2026, 6, 1), paid_on=D(2026, 7, 3)),
             "2026年6月早于李新入党（接收为预备党员）的月份2026年7月，不能交纳该月党费。")
    payment = services.record_payment(account, user=users.community_a,
                                      first_month=D(2026, 7, 1), paid_on=D(2026, 7, 3))
    assert payment.amount == Decimal("15.00")


def test_reduction_needs_reason_and_approval_and_proxy_names_the_payer(tree, users):
    from gongjian.dues import services

    account = _account(tree, users)
    _refused(lambda: services.record_payment(account, user=users.community_a,
                                             first_month=D(2026, 1, 1), paid_on=D(2026, 1, 5),
                                             reduction="20"),
             "减免党费须写明原因和批准人。")
    _refused(lambda: services.record_payment(account, user=users.community_a,
                                             first_month=D(2026, 1, 1), paid_on=D(2026, 1, 5),
                                             method="proxy"),
             "委托代交须填写代交人姓名。")
    payment = services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                                      paid_on=D(2026, 1, 5), method="proxy", proxy_payer="王芳",
                                      reduction="20", reduction_reason="大病住院",
                                      reduction_approved_by="支部委员会")
    row = payment.rows.get()
    assert (row.due, row.reduction, row.paid) == (Decimal("120.00"), Decimal("20.00"),
                                                  Decimal("100.00"))
    assert payment.proxy_payer == "王芳"


def test_changed_base_applies_from_the_first_month_unpaid_or_next_january(tree, users, settings):
    from gongjian.dues import services

    account = _account(tree, users)
    services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                            last_month=D(2026, 3, 1), paid_on=D(2026, 3, 5))
    changed = services.set_base(tree.membership_a, user=users.community_a, year=2026,
                                kind="in_service", base="12000", today=D(2026, 5, 1))
    assert changed.applies_from == D(2026, 4, 1)
    payment = services.record_payment(account, user=users.community_a, first_month=D(2026, 4, 1),
                                      paid_on=D(2026, 5, 2))
    assert payment.amount == Decimal("240.00")
    settings.GONGJIAN_DUES = {"changed_base_applies": "next_january"}
    later = services.set_base(tree.membership_a, user=users.community_a, year=2026,
                              kind="in_service", base="2500", today=D(2026, 6, 1))
    assert later.applies_from == D(2027, 1, 1)


def test_payment_api_refuses_in_chinese_and_writes_nothing(tree, users):
    from gongjian.dues.models import Payment

    _account(tree, users)
    api = api_as(users.community_a)
    body = {"membership": tree.membership_a.pk, "first_month": "2026-01", "last_month": "2026-03",
            "paid_on": "2026-04-10", "method": "cash"}
    created = api.post("/api/v1/dues/payments/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "360.00" and len(created.json()["rows"]) == 3
    again = api.post("/api/v1/dues/payments/", {**body, "last_month": ""}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "2026年1月党费已交纳（已缴至2026年3月），不能重复登记。"
    assert Payment.objects.count() == 1
    outsider = api_as(users.community_b).post("/api/v1/dues/payments/", body, format="json")
    assert outsider.status_code == 400
    listed = api.get("/api/v1/dues/payments/", {"org": tree.a.code}).json()["results"]
    assert [p["amount"] for p in listed] == ["360.00"]
    assert api_as(users.community_b).get("/api/v1/dues/payments/").json()["results"] == []


def test_lapse_warning_goes_to_the_branch_and_changes_no_standing(tree, users, make_user):
    from gongjian.core.models import Notification
    from gongjian.dues import reminders, services

    branch = make_user("branch_committee", tree.a1)
    account = _account(tree, users)
    services.record_payment(account, user=users.community_a, first_month=D(2026, 1, 1),
                            paid_on=D(2026, 1, 5))
    assert reminders.remind_lapse(D(2026, 7, 15)) == 0  # Feb–Jun: five months
    sent = reminders.remind_lapse(D(2026, 8, 3))        # Feb–Jul: six months
    assert sent >= 2
    note = Notification.objects.get(user=branch)
    assert "章程》第九条" in note.body and "张华娟（自2026年2月起未交）" in note.body
    assert reminders.remind_lapse(D(2026, 8, 4)) == 0   # told once
    tree.membership_a.refresh_from_db()
    assert tree.membership_a.standing == "正常"


def test_a_member_who_leaves_owes_nothing_more(tree, users):
    from gongjian.dues import queries
    from gongjian.dues.models import Account

    account = _account(tree, users)
    assert Account.objects.filter(queries.arrears_condition(D(2026, 12, 3)), pk=account.pk)
    membership = tree.membership_a
    membership.active, membership.ended_on, membership.end_reason = False, D(2026, 6, 30), "去世"
    membership.save()
    account.refresh_from_db()
    assert not account.active
    assert not Account.objects.filter(queries.arrears_condition(D(2026, 12, 3)), pk=account.pk)
