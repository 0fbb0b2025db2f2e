"""Every change to people, memberships, teams and staff goes through these functions."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction

from gongjian.core import audit
from gongjian.core.access import reach_orgs, restrict
from gongjian.core.crypto import blind_index
from gongjian.core.models import User
from gongjian.core.services import DomainError, require_scope, save_checked, validate
from gongjian.orgs.models import Organization

from . import idnumber
from .choices import Post
from .models import Membership, Person, StaffAssignment, Team, TeamSeat


def find_person_by_id_number(number: str) -> Person | None:
    """Exact lookup through the blind index (no plaintext ever leaves the database)."""
    number = idnumber.normalize(number)
    return Person.objects.filter(id_number_index=blind_index("id", number)).first() \
        if number else None


def _check_unique_id(person: Person) -> None:
    if person.id_number:
        other = find_person_by_id_number(person.id_number)
        if other is not None and other.pk != person.pk:
            # Not naming the other person: they may be outside the caller's reach.
            raise DomainError("该公民身份号码已登记。", field="id_number", status=400)


def register_member(*, user: User, person: Person, membership: Membership) -> Membership:
    """Register a party member: the person (new or existing) and their active membership."""
    membership.person = person
    person.org = membership.org
    validate(person)
    _check_unique_id(person)
    validate(membership, exclude=["person"])
    if person.pk and Membership.objects.filter(person=person, active=True).exists():
        raise DomainError(f"{person.name} 已有在册的党籍，不能重复登记。", status=400)
    with transaction.atomic():
        save_checked(user, person, "add" if person.pk is None else "change")
        membership.person = person
        try:
            with transaction.atomic():
                save_checked(user, membership, "add")
        except IntegrityError as error:
            raise DomainError(f"{person.name} 已有在册的党籍，不能重复登记。", status=400) \
                from error
    return membership


def update_member(membership: Membership, *, user: User, person_changes: dict[str, Any],
                  membership_changes: dict[str, Any]) -> Membership:
    require_scope(user, "change", membership)
    if not membership.active:
        raise DomainError("已离册的党籍记录不能修改。")
    person = membership.person
    for field, value in person_changes.items():
        setattr(person, field, value)
    for field, value in membership_changes.items():
        setattr(membership, field, value)
    person.org = membership.org
    validate(person)
    _check_unique_id(person)
    validate(membership)
    with transaction.atomic():
        save_checked(user, person, "change")
        save_checked(user, membership, "change")
    return membership


def reveal(person: Person, *, user: User, field: str) -> Any:
    """Show one personal field in full to a user with the right, and log that they saw it."""
    require_scope(user, "reveal", person)
    value = getattr(person, field)
    label = getattr(Person._meta.get_field(field), "verbose_name", field)
    audit.record("reveal", person, detail=f"查看{label}")
    return value


def record_election(*, user: User, org: Organization, elected_on: datetime.date,
                    seats: list[tuple[Person, str]], note: str = "") -> Team:
    """Record an election: the current team ends on `elected_on`, the new one starts.

    `seats` is a list of (person, post)."""
    if not seats:
        raise DomainError("新一届班子至少需要一名成员。", status=400)
    people = [p.pk for p, _ in seats]
    if len(set(people)) != len(people):
        raise DomainError("同一人不能在一届班子中重复任职。", status=400)
    if sum(1 for _, post in seats if post == Post.SECRETARY) > 1:
        raise DomainError("一届班子只能有一名书记。", status=400)
    reachable = set(restrict(user, "view", Person).filter(pk__in=people)
                    .values_list("pk", flat=True))
    if reachable != set(people):
        raise DomainError("所选人员不存在或不在您的管理范围内。", status=400)
    with transaction.atomic():
        for old in Team.objects.filter(org=org, ended_on__isnull=True):
            if old.elected_on >= elected_on:
                raise DomainError("新一届班子的选举日期须晚于现任班子的选举日期。",
                                  field="elected_on", status=400)
            old.ended_on = elected_on
            old.save()
            old.seats.filter(ended_on__isnull=True).update(ended_on=elected_on)
        team = save_checked(user, Team(org=org, elected_on=elected_on, note=note), "add")
        for person, post in seats:
            save_checked(user, TeamSeat(team=team, person=person, post=post,
                                        started_on=elected_on), "add")
    return team


def assign_staff(assignment: StaffAssignment, *, user: User) -> StaffAssignment:
    return save_checked(user, assignment, "add" if assignment.pk is None else "change")


def registered_person(number: str, *, user: User) -> Person | None:
    """The person already on file with this ID number, to register as a member again (after
    a membership ended, or a resident joining the party); None for somebody new. A person
    with an active membership is refused a second one."""
    person = find_person_by_id_number(number)
    if person is None:
        return None
    # Scope first: for somebody outside the user's reach, one answer whatever their party
    # status, so an ID number cannot be used to learn whether a stranger is a member.
    if not restrict(user, "change", Person).filter(pk=person.pk).exists():
        raise DomainError("该公民身份号码已登记在您管理范围以外的组织，请联系街道党建办处理。",
                          field="id_number", status=400)
    if Membership.objects.filter(person=person, active=True).exists():
        raise DomainError("该公民身份号码对应的人员已有在册的党籍，不能重复登记；"
                          "如属组织关系转接，请办理转接手续。", field="id_number", status=400)
    return person


def check_id_number_free(number: str, person: Person) -> None:
    """On a change of ID number: refused if it is another person's (without naming them, who
    may be outside the user's reach)."""
    other = find_person_by_id_number(number)
    if other is not None and other.pk != person.pk:
        raise DomainError("该公民身份号码已登记为另一人员，请核对。", field="id_number", status=400)


def org_in_reach(code: str, *, user: User, action: str = "add") -> Organization | None:
    """The organisation named by `code` if the user may `action` memberships there."""
    if not code:
        return None
    org = restrict(user, "view", Organization).filter(code=code).first()
    if org is None:
        return None
    if any(org.path.startswith(node.path) for node in reach_orgs(user, action, Membership)):
        return org
    return None
