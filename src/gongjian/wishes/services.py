"""Every step of a micro-wish. The steps are one table, `WORKFLOW` (core.workflow): it refuses
a step out of order in words people understand, and its access actions and guards decide
which buttons a page offers and whose turn it is. Each step function locks the wish through
the table, writes the history line (`record_event`) and tells whoever it concerns.

Claiming is a conditional UPDATE (`... WHERE state = 'published'`): of two simultaneous claims
the database lets exactly one change the row; the other finds it held and is told so.
"""

from collections.abc import Iterable

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from gongjian.core import audit, workflow
from gongjian.core.access import grants_of, reach_orgs, restrict
from gongjian.core.models import User
from gongjian.core.notifications import notify, org_staff, unit_liaisons
from gongjian.core.services import DomainError, OutOfScope, require_scope, validate
from gongjian.core.workflow import Workflow, record_event
from gongjian.orgs.models import Organization, Unit, ancestor_paths, community_path, street_path

from . import photos
from .models import CLAIMED_STATES, Round, State, Step, Wish, quoted

S = State
ALREADY_CLAIMED = "该心愿已被认领。"


def refusal(step: workflow.Step, wish: Wish) -> str:
    """Why `step` cannot be taken in the wish's state, in the words a user understands."""
    state, name = wish.state, step.name
    if name == Step.CLAIM:
        if state in CLAIMED_STATES:
            return ALREADY_CLAIMED
        if state == S.SUBMITTED:
            return "该心愿尚未审核发布，不能认领。"
        return "该心愿已关闭，不能认领。"
    if name in (Step.PUBLISH, Step.REJECT):
        return f"该心愿已是“{S(state).label}”，无需再审核。"
    if name == Step.WITHDRAW:
        if state in CLAIMED_STATES:
            return "心愿已被认领，不能撤回；如确需撤回请联系认领人放弃认领。"
        return f"心愿当前为“{S(state).label}”，不能撤回。"
    if name in (Step.FULFIL, Step.RELEASE):
        if state == S.PUBLISHED:
            return "该心愿尚未被认领。"
        if state in (S.FULFILLED, S.CONFIRMED):
            return "该心愿已经实现。"
        return f"心愿当前为“{S(state).label}”，不能{step.label}。"
    if name == Step.CONFIRM:
        if state == S.CONFIRMED:
            return "该心愿已经确认。"
        return "心愿尚未实现，不能确认。"
    if name == Step.THANK:
        return "心愿确认实现后才能发表感谢留言。"
    return f"心愿当前为“{S(state).label}”，不能{step.label}。"


# ---- who may do what ------------------------------------------------------------------------

def community_of(org: Organization) -> Organization:
    """The community (the level right below the street) an organisation belongs to."""
    street = street_path(org)
    if len(org.path) <= len(street):
        raise DomainError("请选择心愿所在的社区。", field="org", status=400)
    path = community_path(org.path, street)
    return org if path == org.path else Organization.objects.get(path=path)


def home_community(*, user: User) -> Organization | None:
    """A member's or resident's own community (from their grant), else None."""
    for grant in grants_of(user):
        if grant.role in ("member", "resident") and grant.org_id \
                and len(grant.org.path) > len(street_path(grant.org)):
            return community_of(grant.org)
    return None


def is_claimer(wish: Wish, *, user: User) -> bool:
    if not getattr(user, "is_authenticated", False) or wish.state not in CLAIMED_STATES:
        return False
    if wish.claimed_by_id == user.pk:
        return True
    return bool(wish.claimer_unit_id) and any(
        g.role == "unit_liaison" and g.unit_id == wish.claimer_unit_id for g in grants_of(user))


def may_see_recipient(wish: Wish, *, user: User) -> bool:
    """Poster, claimer, and the staff of the wish's community; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if wish.posted_by_id == user.pk or is_claimer(wish, user=user):
        return True
    return restrict(user, "reveal", Wish).filter(pk=wish.pk).exists()


def recipient_visible(wishes: Iterable[Wish], *, user: User) -> set[int]:
    """`may_see_recipient` for a page of wishes at once: the ids it holds for (one query)."""
    wishes = list(wishes)
    revealable = set(restrict(user, "reveal", Wish).filter(
        pk__in=[w.pk for w in wishes]).values_list("pk", flat=True))
    return {w.pk for w in wishes
            if w.pk in revealable or w.posted_by_id == user.pk or is_claimer(w, user=user)}


def claim_units(*, user: User) -> list[Unit]:
    """Units the user may claim for (their liaison grants)."""
    return [g.unit for g in grants_of(user) if g.role == "unit_liaison" and g.unit_id]


def is_member(*, user: User) -> bool:
    return any(g.role == "member" for g in grants_of(user))


# The guards: who, among those the step's access action reaches, may take it.

def _not_the_poster(user: User, wish: Wish) -> str | None:
    return "不能认领自己发布的心愿。" if wish.posted_by_id == user.pk else None


def _the_claimer(user: User, wish: Wish) -> str | None:
    return None if is_claimer(wish, user=user) else "只有认领人可以进行这一步。"


def _not_the_claimer(user: User, wish: Wish) -> str | None:
    if is_claimer(wish, user=user) and wish.posted_by_id != user.pk:
        return "认领人不能自己确认，须由受助人或社区确认。"
    return None


def _not_thanked(user: User, wish: Wish) -> str | None:
    return "已经发表过感谢留言。" if wish.thanks else None


def _step(kind: Step, sources, target, **options) -> workflow.Step:
    return workflow.Step(kind.value, kind.label, sources, target, **options)


WORKFLOW = Workflow(Wish, [
    _step(Step.PUBLISH, [S.SUBMITTED], S.PUBLISHED, action="review",
          done="心愿已审核发布。", fields=("round", "note")),
    _step(Step.REJECT, [S.SUBMITTED], S.REJECTED, action="review", style="danger",
          done="已退回该心愿。", fields=("reason",)),
    _step(Step.WITHDRAW, [S.SUBMITTED, S.PUBLISHED], S.WITHDRAWN, action="withdraw",
          style="danger", owner="发布人或社区", done="心愿已撤回。", fields=("reason",)),
    _step(Step.CLAIM, [S.PUBLISHED], S.CLAIMED, action="claim", guard=_not_the_poster,
          done="认领成功！请与社区联系，尽快帮助实现心愿。", fields=("unit",)),
    _step(Step.RELEASE, [S.CLAIMED], S.PUBLISHED, action="fulfil", guard=_the_claimer,
          style="danger", owner="认领人", done="已放弃认领，心愿重新发布。", fields=("reason",)),
    _step(Step.FULFIL, [S.CLAIMED], S.FULFILLED, action="fulfil", guard=_the_claimer,
          owner="认领人", done="已提交实现照片，等待受助人确认。", fields=("photo", "note")),
    _step(Step.CONFIRM, [S.FULFILLED], S.CONFIRMED, action="confirm", guard=_not_the_claimer,
          owner="受助人或社区", done="已确认心愿实现。", fields=("note",)),
    _step(Step.THANK, [S.CONFIRMED], None, action="confirm", guard=_not_thanked,
          owner="受助人或社区", done="感谢留言已发布。", fields=("text",)),
], refusal=refusal)

# step → (states it may start from, state it leads to), read from the table.
TRANSITIONS = WORKFLOW.transitions


def next_line(wish: Wish) -> list[tuple[workflow.Step, str]]:
    """(step, whose) for the wish's "下一步" line."""
    return WORKFLOW.next_line(wish, exclude=[Step.THANK] if wish.thanks else [])


# ---- helpers --------------------------------------------------------------------------------

def _event(wish, step, state_from, user, note=""):
    return record_event(wish, step, user, note=note, state_from=state_from,
                        state_to=wish.state)


def _staff(wish):
    return org_staff(wish.org, roles=("community_staff",))


def _claimers(wish):
    people = [wish.claimed_by] if wish.claimed_by_id else []
    return people + unit_liaisons(wish.claimer_unit)


def _tell(users, wish, title, body=""):
    notify(users, f"微心愿{quoted(wish.title)}{title}", url=wish.get_absolute_url(), body=body, kind="wish")


def _copy(wish):
    """The caller's instance takes the stored values (it is the one the view shows next)."""
    fresh = Wish.objects.get(pk=wish.pk)
    for field in Wish._meta.concrete_fields:
        setattr(wish, field.attname, getattr(fresh, field.attname))
    return wish


# ---- rounds ---------------------------------------------------------------------------------

def save_round(round_: Round, *, user: User) -> Round:
    validate(round_)
    action = "add" if round_.pk is None else "change"
    with transaction.atomic():
        round_.save()
        require_scope(user, action, round_)
    return round_


# ---- the steps ------------------------------------------------------------------------------

def post_wish(wish: Wish, *, user: User) -> Wish:
    """A new wish, waiting for the community's review. `wish.org` is the community; a member or
    resident posts in their own community."""
    if not wish.org_id:
        mine = home_community(user=user)
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
    if not wish.on_behalf and home_community(user=user) != wish.org:
        raise DomainError("只能在本人所在社区发布心愿。", field="org", status=400)
    validate(wish)
    with transaction.atomic():
        wish.save()
        require_scope(user, "add", wish)
        _event(wish, Step.SUBMIT, "", user, "社区代为提交" if wish.on_behalf else "")
        _tell(_staff(wish), wish, "待审核", "有新的微心愿等待审核发布。")
    return wish


def _chosen_round(user, value) -> Round | None:
    """The round a reviewer picked (a Round, its id, or the posted text of its id)."""
    if value is None or value == "":
        return None
    if not isinstance(value, Round):
        text = str(value).strip()
        if not text:
            return None
        if not text.isdigit():
            raise DomainError("征集活动选择有误。", field="round", status=400)
        value = Round(pk=int(text))
    chosen = restrict(user, "view", Round).filter(pk=value.pk).first()
    if chosen is None:
        raise DomainError("所选征集活动不存在或不在您的管理范围内。", field="round", status=400)
    return chosen


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
        raise DomainError(f"{quoted(round_.name)}不是本社区或其街道的征集活动。", field="round",
                          status=400)
    if round_.ends_on < timezone.localdate():
        raise DomainError(f"{quoted(round_.name)}已于 {round_.ends_on:%Y-%m-%d} 结束，请选择"
                          "进行中的征集活动。", field="round", status=400)
    return round_


def publish(wish: Wish, *, user: User, round: Round | int | str | None = None,
            note: str = "") -> Wish:
    """Published into `round` (else the wish's own, else the running round of its community
    or street)."""
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.PUBLISH, related=["org"])
        locked.round = _round_for(locked, _chosen_round(user, round))
        before = WORKFLOW.move(locked, Step.PUBLISH)
        locked.published_at = timezone.now()
        locked.save()
        where = quoted(locked.round.name)
        _event(locked, Step.PUBLISH, before, user, (note or "").strip() or f"发布到{where}")
        _tell([locked.posted_by], locked, "已审核发布", f"已发布到{where}，等待认领。")
    return _copy(wish)


def reject(wish: Wish, *, user: User, reason: str = "") -> Wish:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写未通过的原因。", field="reason", status=400)
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.REJECT)
        before = WORKFLOW.move(locked, Step.REJECT)
        locked.reject_reason = reason[:200]
        locked.save()
        _event(locked, Step.REJECT, before, user, reason)
        _tell([locked.posted_by], locked, "未通过审核", reason)
    return _copy(wish)


def withdraw(wish: Wish, *, user: User, reason: str = "") -> Wish:
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.WITHDRAW, related=["org", "posted_by"])
        before = WORKFLOW.move(locked, Step.WITHDRAW)
        locked.save()
        _event(locked, Step.WITHDRAW, before, user, reason)
        others = [u for u in [locked.posted_by, *_staff(locked)] if u.pk != user.pk]
        _tell(others, locked, "已撤回", reason)
    return _copy(wish)


def _claim_unit(user, unit) -> Unit | None:
    """The unit a liaison claims for (a Unit or its code); a member claims as themself."""
    units = claim_units(user=user)
    if isinstance(unit, str):
        code = unit.strip()
        unit = None
        if code:
            unit = next((u for u in units if u.code == code), None)
            if unit is None:
                raise DomainError(f"您不是单位{quoted(code)}的联络员，不能以该单位名义认领。",
                                  field="unit", status=400)
    if unit is not None and unit.pk not in {u.pk for u in units}:
        raise DomainError("您不是该单位的联络员，不能以该单位名义认领。", field="unit", status=400)
    if unit is None and not is_member(user=user):
        if len(units) != 1:
            raise DomainError("请选择以哪个单位的名义认领。", field="unit", status=400)
        unit = units[0]
    return unit


def claim(wish: Wish, *, user: User, unit: Unit | str | None = None) -> Wish:
    """Exactly one claimer: the UPDATE only changes a wish that is still published. (Not
    `WORKFLOW.lock`: the row is not locked, so a lost race is told by the database.)"""
    unit = _claim_unit(user, unit)
    with transaction.atomic():
        require_scope(user, WORKFLOW[Step.CLAIM].action or "claim", wish)
        current = Wish.objects.only("pk", "posted_by_id", "state").get(pk=wish.pk)
        WORKFLOW.guard(user, current, Step.CLAIM)
        if unit is not None and not wish.org.path.startswith(street_path(unit.org)):
            raise DomainError("只能认领本单位所在街道的心愿。", field="unit", status=400)
        now = timezone.now()
        person = None if unit is not None else user.person
        sources = WORKFLOW[Step.CLAIM].sources
        changed = Wish.objects.filter(pk=wish.pk, state__in=sources).update(
            state=WORKFLOW[Step.CLAIM].target, claimed_by=user, claimer_unit=unit,
            claimer_person=person, claimed_at=now)
        if not changed:
            current.state = Wish.objects.filter(pk=wish.pk).values_list("state", flat=True).get()
            WORKFLOW.check(Step.CLAIM, current)  # says why it no longer waits for a claimer
            raise DomainError(ALREADY_CLAIMED)
        locked = Wish.objects.select_related("claimer_unit", "claimed_by", "claimer_person",
                                             "posted_by", "org").get(pk=wish.pk)
        audit.record("update", locked, before={"state": S.PUBLISHED},
                     after={"state": S.CLAIMED, "claimed_by_id": user.pk,
                            "claimer_unit_id": unit.pk if unit else None})
        _event(locked, Step.CLAIM, S.PUBLISHED, user,
               f"以{quoted(unit.name)}名义认领" if unit else "")
        _tell([locked.posted_by, *_staff(locked)], locked, "已被认领",
              f"认领人：{locked.claimer_name}")
    return _copy(wish)


def release(wish: Wish, *, user: User, reason: str = "") -> Wish:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写放弃认领的原因。", field="reason", status=400)
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.RELEASE)
        previous = _claimers(locked)
        before = WORKFLOW.move(locked, Step.RELEASE)
        locked.claimed_by = locked.claimer_person = locked.claimer_unit = None
        locked.claimed_at = None
        locked.save()
        _event(locked, Step.RELEASE, before, user, reason)
        _tell([locked.posted_by, *_staff(locked)], locked, "被放弃认领，已重新发布", reason)
        _tell([u for u in previous if u.pk != user.pk], locked, "已放弃认领", reason)
    return _copy(wish)


def fulfil(wish: Wish, *, user: User, photo: File | None = None,
           note: str = "") -> Wish:
    """Fulfilled with a photo (required) and a note; nothing is written if either is wrong."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.FULFIL)
        image = photos.read_image(photo)
        if not note:
            raise DomainError("请填写实现情况说明。", field="note", status=400)
        stored = photos.store(image)
        try:
            before = WORKFLOW.move(locked, Step.FULFIL)
            locked.fulfilled_at = timezone.now()
            locked.fulfil_note = note
            locked.photo = stored
            locked.save()
            _event(locked, Step.FULFIL, before, user, note)
            _tell([locked.posted_by, *_staff(locked)], locked, "已实现，请确认",
                  "认领人已上传实现照片，请受助人确认。")
        except Exception:
            photos.remove(stored)
            raise
    return _copy(wish)


def confirm(wish: Wish, *, user: User, note: str = "") -> Wish:
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.CONFIRM)
        before = WORKFLOW.move(locked, Step.CONFIRM)
        locked.confirmed_at = timezone.now()
        locked.save()
        behalf = "" if user.pk == locked.posted_by_id else "社区代受助人确认"
        _event(locked, Step.CONFIRM, before, user,
               " ".join(filter(None, [behalf, (note or "").strip()])))
        _tell(_claimers(locked), locked, "已确认实现", "受助人已确认，感谢您的爱心。")
    return _copy(wish)


def thank(wish: Wish, *, user: User, text: str = "") -> Wish:
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写感谢留言。", field="text", status=400)
    if len(text) > 500:
        raise DomainError("感谢留言不能超过 500 字。", field="text", status=400)
    with transaction.atomic():
        locked = WORKFLOW.lock(user, wish, Step.THANK)
        before = WORKFLOW.move(locked, Step.THANK)
        locked.thanks = text
        locked.thanked_at = timezone.now()
        locked.save()
        _event(locked, Step.THANK, before, user, text)
        _tell(_claimers(locked), locked, "收到感谢留言", text)
    return _copy(wish)


def reveal_phone(wish: Wish, *, user: User) -> str:
    """The recipient's full phone, for those who may see the recipient; logged."""
    require_scope(user, "view", wish)
    if not may_see_recipient(wish, user=user):
        raise OutOfScope()
    audit.record("reveal", wish, detail="查看微心愿受助人联系电话")
    return wish.recipient_phone


def available_steps(wish: Wish, *, user: User) -> set[str]:
    """The steps a user may take on a wish now (the buttons a page offers)."""
    return WORKFLOW.available(user, wish)
