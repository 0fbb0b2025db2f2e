"""Daily reminders: decision tasks near or past their deadline, agreements about to expire.
Each reminder carries a key, so a rerun of the sweep tells nobody twice."""

import datetime

from django.urls import reverse

from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.reminders import register

from .models import EXPIRY_WARNING_DAYS, Agreement, AgreementState, Task, TaskState

TASK_WARNING_DAYS = 3


class _Recipients:
    """Liaisons and staff looked up once per unit / organisation during a sweep."""

    def __init__(self):
        self.units, self.orgs = {}, {}

    def unit(self, unit):
        if unit.pk not in self.units:
            self.units[unit.pk] = unit_liaisons(unit)
        return self.units[unit.pk]

    def org(self, org):
        if org.pk not in self.orgs:
            self.orgs[org.pk] = org_staff(org)
        return self.orgs[org.pk]


@register("alliance_tasks")
def remind_tasks(today):
    people = _Recipients()
    sent = 0
    tasks = (Task.objects.filter(state=TaskState.OPEN,
                                 deadline__lte=today + datetime.timedelta(days=TASK_WARNING_DAYS))
             .select_related("owner_unit", "owner_org", "alliance"))
    for task in tasks:
        owners = people.unit(task.owner_unit) if task.owner_unit_id else people.org(task.owner_org)
        url = reverse("task_detail", args=[task.pk])
        if task.deadline < today:
            sent += len(notify(owners, f"决议任务已逾期：{task.title}", url=url, kind="task",
                               body=f"完成期限 {task.deadline:%Y-%m-%d}，请尽快办理并填报进展。",
                               key=f"alliance-task:{task.pk}:overdue"))
        else:
            sent += len(notify(owners, f"决议任务即将到期：{task.title}", url=url, kind="task",
                               body=f"完成期限 {task.deadline:%Y-%m-%d}。",
                               key=f"alliance-task:{task.pk}:due"))
    return sent


@register("alliance_agreements")
def remind_agreements(today):
    people = _Recipients()
    sent = 0
    agreements = (Agreement.objects.filter(
        state=AgreementState.SIGNED, ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))
        .select_related("org", "unit"))
    for agreement in agreements:
        recipients = people.org(agreement.org) + people.unit(agreement.unit)
        sent += len(notify(
            recipients, f"协议即将到期：{agreement.title}",
            url=reverse("agreement_detail", args=[agreement.pk]), kind="agreement",
            body=f"{agreement.org.name}与{agreement.unit.name}的协议将于 "
                 f"{agreement.ends_on:%Y-%m-%d} 到期，请商议续签。",
            key=f"agreement:{agreement.pk}:expiring"))
    return sent
