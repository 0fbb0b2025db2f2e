"""The daily sweep of party dues (registered with core.reminders): a member with
`lapse_months` (six) consecutive months unpaid before the current month is named to their
branch committee and the staff above it, with the 党章第九条 warning. The standing of the
member is never changed here: the branch finds out why and decides (RULES.md §13).

One notification per branch and month (its key), listing the members, so the sweep run again
tells nobody twice."""

import datetime
from itertools import groupby

from django.urls import reverse

from gongjian.core.notifications import notify, org_staff
from gongjian.core.reminders import register

from . import rules
from .models import Account

ROLES = ("branch_committee", "community_staff", "street_staff")
ARTICLE_9 = ("《中国共产党章程》第九条：党员无正当理由，连续六个月不交纳党费，就被认为是自行脱党。"
             "请支部了解情况、谈心谈话、督促补交；是否按自行脱党处理由党组织依规决定，系统不自动变更党籍。")


@register("dues_lapse")
def remind_lapse(today: datetime.date) -> int:
    threshold = rules.lapse_threshold(today)
    current = rules.month_of(today)
    rows = (Account.objects.filter(active=True, paid_through__lte=threshold)
            .select_related("org", "membership__person").order_by("org_id", "paid_through", "id"))
    sent = 0
    for _org_id, group in groupby(rows.iterator(chunk_size=2000), key=lambda a: a.org_id):
        accounts = list(group)
        org = accounts[0].org
        names = "、".join(f"{a.membership.person.name}（自{rules.label(a.first_unpaid)}起未交）"
                         for a in accounts[:20])
        more = f"等 {len(accounts)} 人" if len(accounts) > 20 else ""
        sent += len(notify(org_staff(org, ROLES),
                           f"党费连续六个月未交：{org.name} {len(accounts)} 人",
                           url=reverse("dues_arrears") + f"?org={org.code}", kind="dues",
                           body=f"{names}{more}。{ARTICLE_9}",
                           key=f"dues-lapse:{org.pk}:{current:%Y-%m}"))
    return sent
