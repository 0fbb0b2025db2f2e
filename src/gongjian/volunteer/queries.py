"""Read-side questions of volunteer service: what the 我的 page shows a member or a resident,
and a volunteer's own records and totals."""

from typing import Any

from django.utils import timezone

from gongjian.core.access import SELF_ROLES, grants_of, restrict

from . import rules, services
from .figures import hours_of
from .models import ACTIVE_SIGNUP, Certificate, ServiceRecord, Signup, TeamMember


def my_records(user: Any) -> dict[str, Any] | None:
    """The account's volunteer number, records (newest first), counted and pending hours,
    star level, the organisers that may certify them and the certificates issued."""
    volunteer = services.volunteer_of(user=user)
    if volunteer is None:
        return None
    today = timezone.localdate()
    records = (restrict(user, "view", ServiceRecord).filter(volunteer=volunteer)
               .select_related("activity", "org").order_by("-date", "-id"))
    counted = records.filter(counts_from__lte=today)
    hours = hours_of(counted)
    return {
        "volunteer": volunteer, "records": records, "hours": hours,
        "pending": hours_of(records.exclude(counts_from__lte=today)),
        "star": rules.star_level(hours), "star_label": rules.star_label(hours),
        "next_star": rules.next_star(hours),
        "issuers": services.certificate_issuers(volunteer),
        "certificates": list(restrict(user, "view", Certificate).filter(volunteer=volunteer)
                             .select_related("issuer")[:20]),
    }


def my_section(user):
    """The 我的 section: teams, sign-ups, hours and stars, certificates, and what is recruiting
    near the account; None for an account that is not a member's or a resident's."""
    if not any(g.role in SELF_ROLES for g in grants_of(user)):
        return None
    mine = my_records(user) or {}
    volunteer = mine.get("volunteer")
    teams, signups = [], []
    if volunteer is not None:
        teams = list(restrict(user, "view", TeamMember)
                     .filter(volunteer=volunteer, left_on__isnull=True).select_related("team"))
        signups = list(restrict(user, "view", Signup)
                       .filter(volunteer=volunteer, state__in=ACTIVE_SIGNUP,
                               activity__ends_at__gte=timezone.now())
                       .select_related("activity").order_by("activity__starts_at")[:10])
    taken = {s.activity_id for s in signups}
    nearby = [a for a in services.open_activities(user=user)[:12] if a.pk not in taken][:6]
    return {**mine, "teams": teams, "signups": signups, "nearby": nearby,
            "record_count": mine["records"].count() if volunteer is not None else 0}
