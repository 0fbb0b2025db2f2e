"""Daily reminders: wishes held too long without being fulfilled, fulfilled ones nobody has
confirmed, and submitted ones waiting for review. Each reminder is sent once (its key)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.reminders import register

from .models import State, Wish, quoted

# Days before a reminder (local practice, not a rule: a campaign's own pace decides).
CLAIMED_DAYS = 14
CONFIRM_DAYS = 7
REVIEW_DAYS = 3


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@register("wishes")
def sweep(today) -> int:
    sent = 0
    related = ("org", "claimed_by", "claimer_unit", "posted_by")
    staff_by_org = {}

    def staff(org):
        if org.pk not in staff_by_org:
            staff_by_org[org.pk] = org_staff(org, roles=("community_staff",))
        return staff_by_org[org.pk]

    held = Wish.objects.filter(state=State.CLAIMED, claimed_at__lt=_start_of(
        today - datetime.timedelta(days=CLAIMED_DAYS))).select_related(*related)
    for wish in held:
        people = ([wish.claimed_by] if wish.claimed_by_id else []) + unit_liaisons(
            wish.claimer_unit)
        sent += len(notify(people, f"微心愿{quoted(wish.title)}认领已超过 {CLAIMED_DAYS} 天，请尽快实现",
                           url=reverse("wish_detail", args=[wish.pk]), kind="wish",
                           key=f"wish:{wish.pk}:held"))
    unconfirmed = Wish.objects.filter(state=State.FULFILLED, fulfilled_at__lt=_start_of(
        today - datetime.timedelta(days=CONFIRM_DAYS))).select_related(*related)
    for wish in unconfirmed:
        sent += len(notify([wish.posted_by, *staff(wish.org)],
                           f"微心愿{quoted(wish.title)}已实现 {CONFIRM_DAYS} 天，等待确认",
                           url=reverse("wish_detail", args=[wish.pk]), kind="wish",
                           key=f"wish:{wish.pk}:confirm"))
    waiting = Wish.objects.filter(state=State.SUBMITTED, posted_at__lt=_start_of(
        today - datetime.timedelta(days=REVIEW_DAYS))).select_related(*related)
    for wish in waiting:
        sent += len(notify(staff(wish.org), f"微心愿{quoted(wish.title)}提交已超过 {REVIEW_DAYS} 天，请审核",
                           url=reverse("wish_detail", args=[wish.pk]), kind="wish",
                           key=f"wish:{wish.pk}:review"))
    return sent
