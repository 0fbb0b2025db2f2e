"""Telling people about the steps that concern them: in the platform, and by e-mail when set up.

Services call `notify(recipients, title, url=..., body=...)` after their write; the rows are
written in the caller's transaction and e-mails go out only once it commits. Who to tell is
found with `org_staff(org)` (the staff whose reach covers an organisation) and
`unit_liaisons(unit)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification, RoleGrant, User

if TYPE_CHECKING:
    from gongjian.orgs.models import Organization, Unit

STAFF_ROLES = ("street_staff", "community_staff")


def _cut(body: str) -> str:
    """The body within its limit; a cut one ends with an ellipsis (the page has the rest)."""
    limit = Notification._meta.get_field("body").max_length or len(body)
    return body if len(body) <= limit else body[:limit - 1] + "…"


def notify(recipients: Iterable[User | None], title: str, *, url: str = "", body: str = "",
           kind: str = "", key: str = "") -> list[Notification]:
    """One notification per distinct active account; e-mail when EMAIL_HOST is configured.

    With a `key`, accounts that already hold a notification with that key are skipped (a
    reminder sent by the daily sweep goes out once).
    """
    seen, rows = set(), []
    if key:
        seen = set(Notification.objects.filter(key=key).values_list("user_id", flat=True))
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, title=title[:200], body=_cut(body), url=url[:300],
                                 kind=kind, key=key))
    if not rows:
        return []
    if key:
        # A concurrent sweep may have sent the same reminder since: the constraint keeps one.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        rows = list(Notification.objects.filter(key=key, user_id__in=[r.user_id for r in rows])
                    .select_related("user"))
    else:
        Notification.objects.bulk_create(rows)
    if settings.NOTIFY_BY_EMAIL:
        transaction.on_commit(lambda: _email([r for r in rows if r.user.email]))
    return rows


def _email(rows: list[Notification]) -> None:
    if not rows:
        return
    messages = [(f"【共建】{r.title}", f"{r.body}\n\n{_absolute(r.url)}".strip(), None,
                 [r.user.email]) for r in rows]
    send_mass_mail(messages, fail_silently=True)
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=timezone.now())


def _absolute(url: str) -> str:
    """A link a mail client can open: the site's address before a path of ours."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def org_staff(org: Organization | None, roles: Iterable[str] = STAFF_ROLES) -> list[User]:
    """Active accounts granted one of `roles` at `org` or at an organisation above it."""
    if org is None:
        return []
    from gongjian.orgs.models import ancestor_paths

    grants = (RoleGrant.objects.filter(role__in=list(roles), org__path__in=ancestor_paths(org.path),
                                       user__is_active=True)
              .select_related("user"))
    return [g.user for g in grants]


def unit_liaisons(unit: Unit | None) -> list[User]:
    """Active liaison accounts of a unit."""
    if unit is None:
        return []
    grants = RoleGrant.objects.filter(role="unit_liaison", unit=unit,
                                      user__is_active=True).select_related("user")
    return [g.user for g in grants]


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(notification: Notification, *, user: User) -> Notification:
    """The account opened one of its notifications."""
    from .services import require_scope

    require_scope(user, "change", notification)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Every unread notification of the account, read now; how many there were."""
    from .access import restrict

    return restrict(user, "change", Notification).filter(read_at__isnull=True).update(
        read_at=timezone.now())
