"""Daily reminders of the checklists: items due within REMIND_DAYS days and items overdue, to
the responsible organisation's own accounts, once per item, kind and deadline (an extension
brings a new reminder)."""

import datetime

from gongjian.core.notifications import notify
from gongjian.core.reminders import register

from .models import ChecklistItem, State
from .services import org_accounts

REMIND_DAYS = 3
# Items waiting on the responsible organisation (not those waiting on the level above).
WAITING_STATES = (State.PUBLISHED, State.CLAIMED, State.IN_PROGRESS, State.REGISTERED,
                  State.RECTIFYING)


@register("checklists")
def remind(today: datetime.date) -> int:
    soon = today + datetime.timedelta(days=REMIND_DAYS)
    items = (ChecklistItem.objects.filter(state__in=WAITING_STATES, deadline__isnull=False,
                                          deadline__lte=soon)
             .select_related("org").order_by("deadline", "id"))
    accounts: dict[int, list] = {}
    sent = 0
    for item in items:
        if item.org_id not in accounts:
            accounts[item.org_id] = org_accounts(item.org)
        overdue = item.deadline < today
        label = item.get_kind_display()
        title = (f"{label}事项已逾期：{item.title}（时限 {item.deadline:%Y-%m-%d}）" if overdue
                 else f"{label}事项即将到期：{item.title}（时限 {item.deadline:%Y-%m-%d}）")
        sent += len(notify(accounts[item.org_id], title, url=item.get_absolute_url(),
                           kind="checklist",
                           key=f"checklist:{item.pk}:{'overdue' if overdue else 'due'}:"
                               f"{item.deadline:%Y%m%d}"))
    return sent

