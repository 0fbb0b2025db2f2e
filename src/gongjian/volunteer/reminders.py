"""Daily sweeps of volunteer service (registered with core.reminders):

- the organiser (who registered the activity, and the staff above its organisation) is told
  to review the hours `review_remind_days` days after an activity ended unreviewed;
- accepted volunteers are told of an activity starting within `upcoming_remind_hours`.

Each notification carries a key, so a sweep run again tells nobody twice.
"""

import datetime

from django.utils import timezone

from gongjian.core.notifications import notify, org_staff
from gongjian.core.reminders import register

from . import rules
from .models import Activity, Signup, SignupState, State


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@register("volunteer_review")
def remind_review(today: datetime.date) -> int:
    days = int(rules.setting("review_remind_days"))
    before = _day_start(today - datetime.timedelta(days=days - 1))
    sent = 0
    for activity in (Activity.objects.filter(state=State.ENDED, ends_at__lt=before)
                     .select_related("org", "created_by").order_by("ends_at", "id")):
        people = [activity.created_by, *org_staff(activity.org)]
        sent += len(notify(people, f"请审核志愿服务时长：{activity.title}",
                           url=activity.get_absolute_url(), kind="volunteer",
                           body=f"活动已于 {timezone.localtime(activity.ends_at):%Y-%m-%d} 结束"
                                f"超过 {days} 天，请核对签到记录、审核时长并公示。",
                           key=f"volunteer-review:{activity.pk}"))
    return sent


@register("volunteer_upcoming")
def remind_upcoming(today: datetime.date) -> int:
    now = timezone.now()
    soon = now + datetime.timedelta(hours=int(rules.setting("upcoming_remind_hours")))
    rows = (Signup.objects.filter(state=SignupState.ACCEPTED,
                                  activity__state__in=[State.RECRUITING, State.IN_PROGRESS],
                                  activity__starts_at__gt=now, activity__starts_at__lte=soon,
                                  volunteer__account__isnull=False)
            .select_related("activity", "volunteer__account"))
    sent = 0
    for row in rows:
        activity = row.activity
        sent += len(notify([row.volunteer.account], f"活动即将开始：{activity.title}",
                           url=activity.get_absolute_url(), kind="volunteer",
                           body=f"{timezone.localtime(activity.starts_at):%m月%d日 %H:%M}，"
                                f"{activity.place}。到场后扫描现场二维码签到。",
                           key=f"volunteer-upcoming:{row.pk}"))
    return sent
