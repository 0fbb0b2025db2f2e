"""Daily sweeps of organisational life (registered with core.reminders).

- Before a window closes (`remind_days_before` days, rules.py) the branch's committee accounts
  are told which items of the windows closing that day are not held yet.
- After a window has closed, the committee and the community's staff (community_staff grants
  above the branch) are told what was missed.

One notification per branch and closing day lists every item, and its key makes each go out
once. The held meetings come from one aggregate query for all branches (compliance.held_masks),
the recipients from one query per role, and the keys already sent from one query per batch.
"""

import datetime
from collections import defaultdict

from django.urls import reverse

from gongjian.core.models import Notification, RoleGrant
from gongjian.core.notifications import notify
from gongjian.core.reminders import register
from gongjian.members.models import Team
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization, ancestor_paths

from . import rules
from .compliance import BRANCH_KINDS, Window, charged, held_masks, month_end, windows_of

KEY_BATCH = 2000


def windows_ending(day: datetime.date) -> list[Window]:
    """The required kinds' windows whose last day is `day` (none unless `day` ends a month)."""
    return [w for rule in rules.required_kinds()
            for w in windows_of(rule.code, rules.every(rule.code) or "", day.year)
            if w.end == day]


def _unheld(end: datetime.date, windows: list[Window]):
    """(branch, windows not held) for each active branch owing some of `windows` (all ending
    on `end`), set up before the windows ended."""
    if not windows:
        return []
    start = min(w.start for w in windows)
    held = held_masks(start, end)
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True) \
        .only("id", "code", "name", "path", "established_on").order_by("path")
    with_committee = set(Team.objects.filter(ended_on__isnull=True, org__kind__in=BRANCH_KINDS)
                         .values_list("org_id", flat=True))
    # A 党小组会 is owed only by a branch divided into party groups (its active children).
    step = Organization.steplen
    with_groups = {path[:-step] for path in Organization.objects.filter(
        kind=OrgKind.GROUP, dissolved_on__isnull=True).values_list("path", flat=True)}
    owing = []
    for branch in branches:
        if branch.established_on and branch.established_on > end:
            continue
        masks = held.get(branch.pk, {})
        missing = [w for w in windows if not masks.get(w.kind, 0) & w.mask
                   and charged(w.kind, committee=branch.pk in with_committee,
                               groups=branch.path in with_groups)]
        if missing:
            owing.append((branch, missing))
    return owing


def _sent(keys: list[str]) -> set[str]:
    sent: set[str] = set()
    for i in range(0, len(keys), KEY_BATCH):
        sent.update(Notification.objects.filter(key__in=keys[i:i + KEY_BATCH])
                    .values_list("key", flat=True).distinct())
    return sent


def _committees(org_ids) -> dict[int, list]:
    by_org: dict[int, list] = defaultdict(list)
    for org_id, user in _grants("branch_committee", org_id__in=list(org_ids)):
        by_org[org_id].append(user)
    return by_org


def _community_staff() -> dict[str, list]:
    paths = dict(Organization.objects.filter(grants__role="community_staff")
                 .values_list("id", "path"))
    by_path: dict[str, list] = defaultdict(list)
    for org_id, user in _grants("community_staff", org_id__in=list(paths)):
        by_path[paths[org_id]].append(user)
    return by_path


def _grants(role: str, **condition):
    """(org id, active account) of the grants of `role` matching `condition`."""
    rows = RoleGrant.objects.filter(role=role, user__is_active=True, **condition) \
        .select_related("user")
    return [(grant.org_id, grant.user) for grant in rows]


def _listing(windows: list[Window]) -> str:
    return "、".join(f"{w.kind_label}（{w.label}）" for w in windows)


def _calendar(branch, year: int) -> str:
    return reverse("orglife_calendar", args=[branch.code, year])


@register("orglife_due")
def remind_due(today: datetime.date) -> int:
    """Items of windows closing within `remind_days_before` days, not held yet."""
    end = month_end(today.year, today.month)
    if (end - today).days > rules.setting("remind_days_before"):
        return 0
    owing = _unheld(end, windows_ending(end))
    keys = {branch.pk: f"orglife-due:{branch.pk}:{end:%Y-%m-%d}" for branch, _ in owing}
    sent_keys = _sent(list(keys.values()))
    owing = [(b, w) for b, w in owing if keys[b.pk] not in sent_keys]
    committees = _committees(b.pk for b, _ in owing)
    sent = 0
    for branch, windows in owing:
        sent += len(notify(
            committees.get(branch.pk, []), f"组织生活提醒：{len(windows)} 项须在 {end:%m月%d日} 前开展",
            url=_calendar(branch, end.year), kind="orglife",
            body=f"{branch.name}尚未登记：{_listing(windows)}。请在 {end:%Y-%m-%d} 前开展并登记。",
            key=keys[branch.pk]))
    return sent


@register("orglife_missed")
def remind_missed(today: datetime.date) -> int:
    """Items of the windows that closed at the end of last month and were not held."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    owing = _unheld(end, windows_ending(end))
    keys = {branch.pk: f"orglife-missed:{branch.pk}:{end:%Y-%m-%d}" for branch, _ in owing}
    sent_keys = _sent(list(keys.values()))
    owing = [(b, w) for b, w in owing if keys[b.pk] not in sent_keys]
    committees = _committees(b.pk for b, _ in owing)
    staff = _community_staff() if owing else {}
    sent = 0
    for branch, windows in owing:
        above = [user for path in ancestor_paths(branch.path, include_self=False)
                 for user in staff.get(path, ())]
        sent += len(notify(
            committees.get(branch.pk, []) + above,
            f"组织生活未按期开展：{branch.name}（{len(windows)} 项）",
            url=_calendar(branch, end.year), kind="orglife",
            body=f"截至 {end:%Y-%m-%d}，{branch.name}未开展：{_listing(windows)}。"
                 "请支部补上，社区帮助落实。",
            key=keys[branch.pk]))
    return sent
