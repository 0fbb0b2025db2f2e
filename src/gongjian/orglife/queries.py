"""What organisational life shows a member on their 我的 page."""

from django.db.models import Count
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.members.models import Membership

from .models import ATTENDING, Attendance, MakeUp, MakeUpState, Meeting, Presence, State


def my_section(user):
    """The member's next meetings, this year's attendance and open make-up studies; None for
    an account without an active membership (residents)."""
    if not user.person_id:
        return None
    membership = (restrict(user, "view", Membership)
                  .filter(person_id=user.person_id, active=True).select_related("org").first())
    if membership is None:
        return None
    today = timezone.localdate()
    upcoming = list(restrict(user, "view", Meeting)
                    .filter(org_id=membership.org_id, state=State.PLANNED, date__gte=today)
                    .order_by("date", "start_time", "id")[:5])
    mine = restrict(user, "view", Attendance).filter(membership=membership)
    by_presence = dict(mine.filter(meeting__date__year=today.year)
                       .values_list("presence").annotate(n=Count("id")).order_by())
    attended = sum(n for presence, n in by_presence.items() if presence in ATTENDING)
    makeups = list(restrict(user, "view", MakeUp)
                   .filter(attendance__membership=membership, state=MakeUpState.OPEN)
                   .select_related("attendance__meeting").order_by("attendance__meeting__date"))
    return {
        "branch": membership.org, "upcoming": upcoming, "makeups": makeups, "year": today.year,
        "attended": attended, "meetings": sum(by_presence.values()),
        "absent": [(Presence(p).label, n) for p, n in sorted(by_presence.items())
                   if p not in ATTENDING],
    }
