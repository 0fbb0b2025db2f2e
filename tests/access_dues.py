"""Access-matrix entries of party dues, and the world the dues tests build on.

`world(t, u)` gives 张华娟 (JS-A1, tree's) a base for this year and a payment of its first
month, and makes the `users` member that person, so they read their own dues. The branch
committee of JS-A1, community A's and the street's staff keep them; the twins (JS-B, JS-B1,
the second street) hold the same rights over their own rows and see none of these.
"""

import datetime

from access_common import E
from django.utils import timezone

KEEPERS = {"street", "community_a", "branch_a"}
ADDERS = KEEPERS | {"street_b", "community_b", "branch_b"}


def world(t, u):
    if getattr(t, "dues_world", None) is not None:
        return t.dues_world
    from types import SimpleNamespace

    from gongjian.core import audit
    from gongjian.dues import services

    today = timezone.localdate()
    with audit.acting_as(suppress=True):
        base = services.set_base(t.membership_a, user=u.community_a, year=today.year,
                                 kind="in_service", base="8000")
        payment = services.record_payment(base.account, user=u.community_a,
                                          first_month=datetime.date(today.year, 1, 1),
                                          paid_on=datetime.date(today.year, 1, 10))
    u.member.person = t.person_a
    u.member.save(update_fields=["person"])
    t.dues_world = SimpleNamespace(account=base.account, payment=payment)
    return t.dues_world


def built(t, u):
    world(t, u)


def refused_job(t, u):
    from gongjian.core import jobs

    job = jobs.ImportJob.objects.create(kind="dues_bases", user=u.street, filename="基数.xlsx")
    job.error_file = jobs.seal(b"PK\x03\x04 not a real workbook")
    job.status = jobs.ImportJob.Status.FAILED
    job.save()
    return job


def month():
    return f"{timezone.localdate():%Y-%m}"


ENTRIES = [
    E("dues_ledger", ADDERS, setup=built),
    E("dues_accounts", ADDERS, setup=built),
    E("dues_account_detail", KEEPERS | {"member"}, args=lambda t, u: [world(t, u).account.pk]),
    E("dues_pay", KEEPERS, args=lambda t, u: [world(t, u).account.pk]),
    E("dues_base_set", KEEPERS, args=lambda t, u: [t.membership_a.pk]),
    E("dues_arrears", ADDERS, setup=built),
    E("dues_arrears_export", ADDERS, setup=built),
    E("dues_payments", ADDERS, setup=built),
    E("dues_receipt", KEEPERS | {"member"}, args=lambda t, u: [world(t, u).payment.pk]),
    E("dues_remit", KEEPERS, query="org=JS-A1"),
    E("dues_base_import", ADDERS),
    E("dues_base_template", ADDERS),
    E("dues_import_errors", {"street"}, args=lambda t, u: [refused_job(t, u).pk]),
    # -- API
    E("api-dues-calc-list", ADDERS | {"member", "member_b"}, query="base=8000&kind=in_service"),
    E("api-dues-ledger-list", ADDERS, setup=built),
    E("api-dues-payment-list", ADDERS, setup=built),
    E("api-dues-arrears-list", ADDERS, setup=built),
]
