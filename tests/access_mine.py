"""Access-matrix entry of 我的 (/me/): the own page of a member's or a resident's account.

The member and the resident of community A have a claimed wish and a demand there; their twins
(a member and a resident of community B) open their own pages, which must not name A's rows."""

from access_common import E


def _own_rows(t, u):
    from django.utils import timezone

    from gongjian.projects.models import Demand
    from gongjian.wishes.models import State, Wish

    now = timezone.now()
    Wish.objects.create(title="一个新书包", group="youth", recipient_name="王小明", org=t.a,
                        posted_by=u.resident, state=State.CLAIMED, published_at=now,
                        claimed_by=u.member, claimed_at=now)
    Demand.objects.create(org=t.a, posted_by=u.resident, category="elderly", title="上门理发",
                          description="希望每月有人上门理发。", place="金安花园", beneficiaries=20)


ENTRIES = [E("my_page", {"member", "resident", "member_b", "resident_b"}, setup=_own_rows)]
