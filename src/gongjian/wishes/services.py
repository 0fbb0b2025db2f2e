"""Every step of a micro-wish. The workflow is the table TRANSITIONS; each step checks the
actor's reach (restrict), the state, writes a WishEvent (the history people read) and tells
whoever it concerns.

Claiming is a conditional UPDATE (`... WHERE state = 'published'`): of two simultaneous claims
the database lets exactly one change the row; the other finds it held and is told so.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.access import grants_of, reach_orgs, restrict
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, require_scope, validate
from gongjian.orgs.models import Organization, Unit, ancestor_paths, community_path, street_path

from . import photos
from .models import CLAIMED_STATES, Round, State, Step, Wish, WishEvent

S = State

# step → (states it may start from, state it leads to)
TRANSITIONS = {
    Step.PUBLISH: ({S.SUBMITTED}, S.PUBLISHED),
    Step.REJECT: ({S.SUBMITTED}, S.REJECTED),
    Step.WITHDRAW: ({S.SUBMITTED, S.PUBLISHED}, S.WITHDRAWN),
    Step.CLAIM: ({S.PUBLISHED}, S.CLAIMED),
    Step.RELEASE: ({S.CLAIMED}, S.PUBLISHED),
    Step.FULFIL: ({S.CLAIMED}, S.FULFILLED),
    Step.CONFIRM: ({S.FULFILLED}, S.CONFIRMED),
    Step.THANK: ({S.CONFIRMED}, S.CONFIRMED),
}
# The access action (restrict) each step needs.
STEP_ACTION = {
    Step.PUBLISH: "review", Step.REJECT: "review", Step.WITHDRAW: "withdraw",
    Step.CLAIM: "claim", Step.RELEASE: "fulfil", Step.FULFIL: "fulfil",
    Step.CONFIRM: "confirm", Step.THANK: "confirm",
}

ALREADY_CLAIMED = "该心愿已被认领。"


def refusal(step: str, state: str) -> str:
    """Why `step` cannot be taken from `state`, in the words a user understands."""
    if step == Step.CLAIM:
        if state in CLAIMED_STATES:
            return ALREADY_CLAIMED
        if state == S.SUBMITTED:
            return "该心愿尚未审核发布，不能认领。"
        return "该心愿已关闭，不能认领。"
    if step in (Step.PUBLISH, Step.REJECT):
        return f"该心愿已是“{S(state).label}”，无需再审核。"
    if step == Step.WITHDRAW:
        if state in CLAIMED_STATES:
            return "心愿已被认领，不能撤回；如确需撤回请联系认领人放弃认领。"
        return f"心愿当前为“{S(state).label}”，不能撤回。"
    if step in (Step.FULFIL, Step.RELEASE):
        if state == S.PUBLISHED:
            return "该心愿尚未被认领。"
        if state in (S.FULFILLED, S.CONFIRMED):
            return "该心愿已经实现。"
        return f"心愿当前为“{S(state).label}”，不能{Step(step).label}。"
    if step == Step.CONFIRM:
        if state == S.CONFIRMED:
            return "该心愿已经确认。"
        return "心愿尚未实现，不能确认。"
    if step == Step.THANK:
        return "心愿确认实现后才能发表感谢留言。"
    return f"心愿当前为“{S(state).label}”，不能{Step(step).label}。"


def _check_state(wish, step):
    sources, _target = TRANSITIONS[step]
    if wish.state not in sources:
        raise DomainError(refusal(step, wish.state))


def _locked(user, wish, step):
    """The wish re-read under a row lock, inside the caller's transaction, after the scope
    check for the step."""
    require_scope(user, STEP_ACTION[step], wish)
    return Wish.objects.select_for_update().get(pk=wish.pk)


def _event(wish, step, state_from, user, note=""):
    name = (user.display_name or user.username) if user is not None else ""
    return WishEvent.objects.create(wish=wish, step=step, state_from=state_from or "",
                                    state_to=wish.state, actor=user, actor_name=name,
                                    note=note[:500])


def _url(wish):
    return reverse("wish_detail", args=[wish.pk])


def _staff(wish):
    return org_staff(wish.org, roles=("community_staff",))


def _claimers(wish):
    people = [wish.claimed_by] if wish.claimed_by_id else []
    return people + unit_liaisons(wish.claimer_unit)


def _tell(users, wish, title, body=""):
    notify(users, f"微心愿“{wish.title}”{title}", url=_url(wish), body=body, kind="wish")


def _copy(wish):
    """The caller's instance takes the stored values (it is the one the view shows next)."""
    fresh = Wish.objects.get(pk=wish.pk)
    for field in Wish._meta.concrete_fields:
        setattr(wish, field.attname, getattr(fresh, field.attname))
    return wish


# ---- who may do what ------------------------------------------------------------------------

def community_of(org: Organization) -> Organization:
    """The community (the level right below the street) an organisation belongs to."""
    street = street_path(org)
    if len(org.path) <= len(street):
        raise DomainError("请选择心愿所在的社区。", field="org", status=400)
    path = community_path(org.path, street)
    return org if path == org.path else Organization.objects.get(path=path)


def home_community(user):
    """A member's or resident's own community (from their grant), else None."""
    for grant in grants_of(user):
        if grant.role in ("member", "resident") and grant.org_id \
                and len(grant.org.path) > len(street_path(grant.org)):
            return community_of(grant.org)
    return None


def is_claimer(user, wish) -> bool:
    if not getattr(user, "is_authenticated", False) or wish.state not in CLAIMED_STATES:
        return False
    if wish.claimed_by_id == user.pk:
        return True
    return bool(wish.claimer_unit_id) and any(
        g.role == "unit_liaison" and g.unit_id == wish.claimer_unit_id for g in grants_of(user))


def may_see_recipient(user, wish) -> bool:
    """Poster, claimer, and the staff of the wish's community; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if wish.posted_by_id == user.pk or is_claimer(user, wish):
        return True
    return restrict(user, "reveal", Wish).filter(pk=wish.pk).exists()


def recipient_visible(user, wishes) -> set[int]:
    """`may_see_recipient` for a page of wishes at once: the ids it holds for (one query)."""
    wishes = list(wishes)
    revealable = set(restrict(user, "reveal", Wish).filter(
        pk__in=[w.pk for w in wishes]).values_list("pk", flat=True))
    return {w.pk for w in wishes
            if w.pk in revealable or w.posted_by_id == user.pk or is_claimer(user, w)}


def claim_units(user):
    """Units the user may claim for (their liaison grants)."""
    return [g.unit for g in grants_of(user) if g.role == "unit_liaison" and g.unit_id]


def is_member(user) -> bool:
    return any(g.role == "member" for g in grants_of(user))


# ---- rounds ---------------------------------------------------------------------------------

def save_round(user, round_: Round) -> Round:
    validate(round_)
    action = "add" if round_.pk is None else "change"
    with transaction.atomic():
        round_.save()
        require_scope(user, action, round_)
    return round_


# ---- the steps ------------------------------------------------------------------------------

def post_wish(user, wish: Wish) -> Wish:
    """A new wish, waiting for the community's review. `wish.org` is the community; a member or
    resident posts in their own community."""
    if not wish.org_id:
        mine = home_community(user)
        if mine is None:
            raise DomainError("请选择心愿所在的社区。", field="org", status=400)
        wish.org = mine
    else:
        wish.org = community_of(wish.org)
    wish.posted_by = user
    wish.state = S.SUBMITTED
    wish.posted_at = timezone.now()
    # Staff post on behalf of somebody (their reach is checked after the write); members and
    # residents only in their own community.
    wish.on_behalf = bool(reach_orgs(user, "add", Wish))
    if not wish.on_behalf and home_community(user) != wish.org:
        raise DomainError("只能在本人所在社区发布心愿。", field="org", status=400)
    validate(wish)
    with transaction.atomic():
        wish.save()
        require_scope(user, "add", wish)
        _event(wish, Step.SUBMIT, "", user, "社区代为提交" if wish.on_behalf else "")
        _tell(_staff(wish), wish, "待审核", "有新的微心愿等待审核发布。")
    return wish


def _round_for(wish, round_):
    if round_ is None:
        round_ = wish.round
    if round_ is None:
        today = timezone.localdate()
        candidates = [r for r in Round.objects.filter(
            org__path__in=ancestor_paths(wish.org.path),
            starts_on__lte=today, ends_on__gte=today).order_by("-org__depth", "-starts_on")]
        round_ = candidates[0] if candidates else None
    if round_ is None:
        raise DomainError("发布心愿须选择一个征集活动（批次）；如没有进行中的活动，请先新建。",
                          field="round", status=400)
    if not wish.org.path.startswith(round_.org.path):
        raise DomainError(f"“{round_.name}”不是本社区或其街道的征集活动。", field="round",
                          status=400)
    if round_.ends_on < timezone.localdate():
        raise DomainError(f"“{round_.name}”已于 {round_.ends_on:%Y-%m-%d} 结束，请选择进行中的"
                          "征集活动。", field="round", status=400)
    return round_


def publish(user, wish: Wish, round_: Round | None = None, note="") -> Wish:
    with transaction.atomic():
        locked = _locked(user, wish, Step.PUBLISH)
        _check_state(locked, Step.PUBLISH)
        if round_ is not None and not restrict(user, "view", Round).filter(pk=round_.pk).exists():
            raise DomainError("所选征集活动不存在或不在您的管理范围内。", field="round", status=400)
        locked.round = _round_for(locked, round_)
        locked.state = S.PUBLISHED
        locked.published_at = timezone.now()
        locked.save()
        _event(locked, Step.PUBLISH, S.SUBMITTED, user, note or f"发布到“{locked.round.name}”")
        _tell([locked.posted_by], locked, "已审核发布", f"已发布到“{locked.round.name}”，等待认领。")
    return _copy(wish)


def reject(user, wish: Wish, reason: str) -> Wish:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写未通过的原因。", field="reason", status=400)
    with transaction.atomic():
        locked = _locked(user, wish, Step.REJECT)
        _check_state(locked, Step.REJECT)
        locked.state = S.REJECTED
        locked.reject_reason = reason[:200]
        locked.save()
        _event(locked, Step.REJECT, S.SUBMITTED, user, reason)
        _tell([locked.posted_by], locked, "未通过审核", reason)
    return _copy(wish)


def withdraw(user, wish: Wish, reason="") -> Wish:
    with transaction.atomic():
        locked = _locked(user, wish, Step.WITHDRAW)
        _check_state(locked, Step.WITHDRAW)
        before = locked.state
        locked.state = S.WITHDRAWN
        locked.save()
        _event(locked, Step.WITHDRAW, before, user, (reason or "").strip())
        others = [u for u in [locked.posted_by, *_staff(locked)] if u.pk != user.pk]
        _tell(others, locked, "已撤回", reason or "")
    return _copy(wish)


def claim(user, wish: Wish, unit: Unit | None = None) -> Wish:
    """Exactly one claimer: the UPDATE only changes a wish that is still published."""
    units = claim_units(user)
    if unit is not None and unit.pk not in {u.pk for u in units}:
        raise DomainError("您不是该单位的联络员，不能以该单位名义认领。", field="unit", status=400)
    if unit is None and not is_member(user):
        if len(units) != 1:
            raise DomainError("请选择以哪个单位的名义认领。", field="unit", status=400)
        unit = units[0]
    with transaction.atomic():
        require_scope(user, "claim", wish)
        current = Wish.objects.filter(pk=wish.pk).values("posted_by_id", "state").get()
        if current["posted_by_id"] == user.pk:
            raise DomainError("不能认领自己发布的心愿。")
        if unit is not None and not wish.org.path.startswith(street_path(unit.org)):
            raise DomainError("只能认领本单位所在街道的心愿。", field="unit", status=400)
        now = timezone.now()
        person = None if unit is not None else user.person
        changed = Wish.objects.filter(pk=wish.pk, state=S.PUBLISHED).update(
            state=S.CLAIMED, claimed_by=user, claimer_unit=unit, claimer_person=person,
            claimed_at=now)
        if not changed:
            state = Wish.objects.filter(pk=wish.pk).values_list("state", flat=True).get()
            raise DomainError(refusal(Step.CLAIM, state))
        locked = Wish.objects.select_related("claimer_unit", "claimed_by", "claimer_person",
                                             "posted_by", "org").get(pk=wish.pk)
        audit.record("update", locked, before={"state": S.PUBLISHED},
                     after={"state": S.CLAIMED, "claimed_by_id": user.pk,
                            "claimer_unit_id": unit.pk if unit else None})
        _event(locked, Step.CLAIM, S.PUBLISHED, user,
               f"以“{unit.name}”名义认领" if unit else "")
        _tell([locked.posted_by, *_staff(locked)], locked, "已被认领",
              f"认领人：{locked.claimer_name}")
    return _copy(wish)


def _require_claimer(user, wish):
    if not is_claimer(user, wish):
        raise DomainError("只有认领人可以进行这一步。")


def release(user, wish: Wish, reason: str) -> Wish:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写放弃认领的原因。", field="reason", status=400)
    with transaction.atomic():
        locked = _locked(user, wish, Step.RELEASE)
        _check_state(locked, Step.RELEASE)
        _require_claimer(user, locked)
        previous = _claimers(locked)
        locked.state = S.PUBLISHED
        locked.claimed_by = locked.claimer_person = locked.claimer_unit = None
        locked.claimed_at = None
        locked.save()
        _event(locked, Step.RELEASE, S.CLAIMED, user, reason)
        _tell([locked.posted_by, *_staff(locked)], locked, "被放弃认领，已重新发布", reason)
        _tell([u for u in previous if u.pk != user.pk], locked, "已放弃认领", reason)
    return _copy(wish)


def fulfil(user, wish: Wish, photo, note: str) -> Wish:
    """Fulfilled with a photo (required) and a note; nothing is written if either is wrong."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(user, wish, Step.FULFIL)
        _check_state(locked, Step.FULFIL)
        _require_claimer(user, locked)
        image = photos.read_image(photo)
        if not note:
            raise DomainError("请填写实现情况说明。", field="note", status=400)
        stored = photos.store(image)
        try:
            locked.state = S.FULFILLED
            locked.fulfilled_at = timezone.now()
            locked.fulfil_note = note
            locked.photo = stored
            locked.save()
            _event(locked, Step.FULFIL, S.CLAIMED, user, note)
            _tell([locked.posted_by, *_staff(locked)], locked, "已实现，请确认",
                  "认领人已上传实现照片，请受助人确认。")
        except Exception:
            photos.remove(stored)
            raise
    return _copy(wish)


def confirm(user, wish: Wish, note="") -> Wish:
    with transaction.atomic():
        locked = _locked(user, wish, Step.CONFIRM)
        _check_state(locked, Step.CONFIRM)
        if is_claimer(user, locked) and locked.posted_by_id != user.pk:
            raise DomainError("认领人不能自己确认，须由受助人或社区确认。")
        locked.state = S.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.save()
        behalf = "" if user.pk == locked.posted_by_id else "社区代受助人确认"
        _event(locked, Step.CONFIRM, S.FULFILLED, user, " ".join(filter(None, [behalf, note])))
        _tell(_claimers(locked), locked, "已确认实现", "受助人已确认，感谢您的爱心。")
    return _copy(wish)


def thank(user, wish: Wish, text: str) -> Wish:
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写感谢留言。", field="text", status=400)
    if len(text) > 500:
        raise DomainError("感谢留言不能超过 500 字。", field="text", status=400)
    with transaction.atomic():
        locked = _locked(user, wish, Step.THANK)
        _check_state(locked, Step.THANK)
        if locked.thanks:
            raise DomainError("已经发表过感谢留言。")
        locked.thanks = text
        locked.thanked_at = timezone.now()
        locked.save()
        _event(locked, Step.THANK, S.CONFIRMED, user, text)
        _tell(_claimers(locked), locked, "收到感谢留言", text)
    return _copy(wish)


def reveal_phone(user, wish: Wish) -> str:
    """The recipient's full phone, for those who may see the recipient; logged."""
    require_scope(user, "view", wish)
    if not may_see_recipient(user, wish):
        raise OutOfScope()
    audit.record("reveal", wish, detail="查看微心愿受助人联系电话")
    return wish.recipient_phone


# Which steps a user could take on a wish now (for buttons); the services decide for real.
def available_steps(user, wish) -> set[str]:
    steps = set()
    reach = {action: restrict(user, action, Wish).filter(pk=wish.pk).exists()
             for action in ("review", "withdraw", "claim", "fulfil", "confirm")}
    for step, (sources, _target) in TRANSITIONS.items():
        if wish.state in sources and reach[STEP_ACTION[step]]:
            steps.add(step)
    if Step.CLAIM in steps and wish.posted_by_id == user.pk:
        steps.discard(Step.CLAIM)
    if not is_claimer(user, wish):
        steps -= {Step.RELEASE, Step.FULFIL}
    elif wish.posted_by_id != user.pk:
        steps.discard(Step.CONFIRM)
    if wish.thanks:
        steps.discard(Step.THANK)
    return steps
