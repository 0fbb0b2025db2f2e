"""Micro-wishes (微心愿): a community collects small wishes of people in need in rounds
(征集活动), members and units claim them, fulfil them with a photo, and the recipient confirms.

The recipient's name, phone and address are personal data: stored SM4-encrypted and shown only
to the poster, the claimer and the staff of the wish's community (see `services.may_see_recipient`).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import SELF_ROLES, RestrictedQuerySet
from gongjian.core.crypto import EncryptedField
from gongjian.core.workflow import HistoryEvent
from gongjian.orgs.models import Organization, ancestor_paths, community_path, street_path


class Group(models.TextChoices):
    YOUTH = "youth", "青少年"
    ELDERLY = "elderly", "老年人"
    HARDSHIP = "hardship", "困难家庭"
    DISABLED = "disabled", "残疾人"
    OTHER = "other", "其他"


class State(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "未通过"
    CLAIMED = "claimed", "已认领"
    FULFILLED = "fulfilled", "已实现"
    CONFIRMED = "confirmed", "已确认"
    WITHDRAWN = "withdrawn", "已撤回"


# States a wish has once somebody holds it.
CLAIMED_STATES = (State.CLAIMED, State.FULFILLED, State.CONFIRMED)
# States seen on the wall and the public board (published and after).
OPEN_STATES = (State.PUBLISHED, *CLAIMED_STATES)
DONE_STATES = (State.FULFILLED, State.CONFIRMED)
STATE_BADGES = {State.SUBMITTED: "text-bg-warning", State.PUBLISHED: "text-bg-primary",
                State.REJECTED: "text-bg-secondary", State.CLAIMED: "text-bg-info",
                State.FULFILLED: "text-bg-success", State.CONFIRMED: "text-bg-success",
                State.WITHDRAWN: "text-bg-light"}


def _claimer_street(grant) -> str | None:
    if grant.role in SELF_ROLES and grant.org_id:
        return street_path(grant.org)
    if grant.role == "unit_liaison" and grant.unit_id:
        return street_path(grant.unit.org)
    return None


def is_community(org) -> bool:
    """The level right below the street (whatever the tree's depth above the street)."""
    street = street_path(org)
    return org.path != street and community_path(org.path, street) == org.path


class Round(models.Model):
    """A campaign (心愿征集活动/批次) run by a community or the street over a period."""

    name = models.CharField("活动名称", max_length=100)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="wish_rounds",
                            verbose_name="主办组织")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    description = models.TextField("活动说明", blank=True, max_length=2000)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    # Members and residents read (never change) the rounds of their whole street.
    shared_with_members = ("org__path", "street")

    class Meta:
        verbose_name = "心愿征集活动"
        verbose_name_plural = "心愿征集活动"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org", "starts_on"])]

    def __str__(self):
        return self.name

    @classmethod
    def public_scope(cls, action):
        # Rounds and their counts are public.
        return Q() if action == "board" else None

    @classmethod
    def open_scope(cls, action, grant):
        # Members and residents read their street's rounds by `shared_with_members`; liaisons
        # read those of their unit's street (counts only).
        if action != "view" or grant.role in SELF_ROLES:
            return None
        street = _claimer_street(grant)
        if street:
            return Q(org__path__startswith=street)
        if grant.org_id:
            # Community staff publish into their street's rounds too.
            path = grant.org.path
            return Q(org__path__in=ancestor_paths(path, include_self=False))
        return None

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
        if self.org_id and len(self.org.path) > len(street_path(self.org)) + self.org.steplen:
            raise ValidationError({"org": "征集活动须由街道或社区主办。"})

    def is_running(self, day=None):
        day = day or timezone.localdate()
        return self.starts_on <= day <= self.ends_on


class Wish(models.Model):
    title = models.CharField("心愿", max_length=60,
                             help_text="一句话说清楚，如“一个新书包”“修好轮椅”“上门探望”。")
    description = models.TextField("详细说明", blank=True, max_length=1000)
    group = models.CharField("受助人群", max_length=12, choices=Group.choices)
    recipient_name = EncryptedField("受助人姓名")
    recipient_phone = EncryptedField("受助人联系电话", blank=True)
    recipient_address = EncryptedField("受助人住址", blank=True)
    estimated_value = models.DecimalField(
        "预估价值（元）", max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0, "预估价值不能为负数。")])
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="wishes",
                            verbose_name="所在社区")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="wishes", verbose_name="征集活动")
    state = models.CharField("状态", max_length=12, choices=State.choices,
                             default=State.SUBMITTED)
    posted_by = models.ForeignKey("core.User", on_delete=models.PROTECT,
                                  related_name="posted_wishes", verbose_name="发布人")
    posted_at = models.DateTimeField("提交时间", default=timezone.now)
    on_behalf = models.BooleanField("社区代为发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    claimed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="claimed_wishes", verbose_name="认领账户")
    claimer_person = models.ForeignKey("members.Person", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="claimed_wishes",
                                       verbose_name="认领党员")
    claimer_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="claimed_wishes",
                                     verbose_name="认领单位")
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    fulfilled_at = models.DateTimeField("实现时间", null=True, blank=True)
    fulfil_note = models.TextField("实现说明", blank=True, max_length=1000)
    photo = models.CharField("实现照片", max_length=200, blank=True, editable=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    thanks = models.TextField("感谢留言", blank=True, max_length=500)
    thanked_at = models.DateTimeField("感谢时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    # The change log must not become an unencrypted copy of the recipient's data.
    audit_hidden_fields = ("recipient_name", "recipient_phone", "recipient_address")
    scope_org_path = "org__path"
    scope_self = "posted_by_id"
    scope_unit = "claimer_unit_id"

    class Meta:
        verbose_name = "微心愿"
        verbose_name_plural = "微心愿"
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["org", "state"]),
            models.Index(fields=["round", "state"]),
            models.Index(fields=["state", "-published_at"]),
        ]
        constraints = [
            # A held wish has exactly one claimer; an unheld one has none.
            models.CheckConstraint(
                name="wish_claimer_matches_state",
                condition=(Q(state__in=[s.value for s in CLAIMED_STATES], claimed_at__isnull=False)
                           & (Q(claimed_by__isnull=False) | Q(claimer_person__isnull=False)
                              | Q(claimer_unit__isnull=False)))
                | (~Q(state__in=[s.value for s in CLAIMED_STATES]) & Q(
                    claimed_at__isnull=True, claimed_by__isnull=True,
                    claimer_person__isnull=True, claimer_unit__isnull=True)),
                violation_error_message="心愿的认领人与状态不符。"),
            models.CheckConstraint(
                name="wish_value_not_negative",
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                violation_error_message="预估价值不能为负数。"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("wish_detail", args=[self.pk])

    @classmethod
    def public_scope(cls, action):
        # The public board shows published wishes and what became of them (no recipient).
        return Q(state__in=OPEN_STATES) if action == "board" else None

    @classmethod
    def open_scope(cls, action, grant):
        """Members and unit liaisons see and claim the published wishes of their street, and
        keep acting on the ones they claimed."""
        street = _claimer_street(grant)
        if street is None or grant.role == "resident":
            return None
        if action == "view":
            return Q(claimed_by_id=grant.user_id) | Q(org__path__startswith=street,
                                                      state__in=OPEN_STATES)
        if action in ("claim", "fulfil"):
            # Held and withdrawn ones stay reachable, so a late click hears why it cannot;
            # the service decides who the claimer is.
            return Q(org__path__startswith=street, state__in=[*OPEN_STATES, State.WITHDRAWN])
        return None

    def clean(self):
        errors = {}
        if self.org_id and not is_community(self.org):
            errors["org"] = "心愿须归属一个社区。"
        if self.round_id and self.org_id and not self.org.path.startswith(self.round.org.path):
            errors["round"] = f"{quoted(self.round.name)}不是本社区或其街道的征集活动。"
        if self.recipient_phone:
            from gongjian.members.models import mobile_validator

            self.recipient_phone = self.recipient_phone.strip()
            try:
                mobile_validator(self.recipient_phone)
            except ValidationError as error:
                errors["recipient_phone"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def claimer_name(self):
        """The claimer as the claimer's own pages show it (a unit, or the member's name)."""
        if self.claimer_unit_id:
            return self.claimer_unit.name
        if self.claimer_person_id:
            return self.claimer_person.name
        return self.claimed_by.display_name or self.claimed_by.username if self.claimed_by_id \
            else ""

    @property
    def claimer_public_name(self):
        """A unit by name, a member masked (“张**”)."""
        if self.claimer_unit_id:
            return self.claimer_unit.name
        name = self.claimer_name
        return mask_name(name) if name else ""

    @property
    def recipient_phone_masked(self):
        from gongjian.members.idnumber import mask_phone

        return mask_phone(self.recipient_phone) if self.recipient_phone else ""

    @property
    def state_badge(self):
        return STATE_BADGES.get(self.state, "text-bg-light")

    @property
    def has_photo(self):
        return bool(self.photo) and self.state in DONE_STATES


def quoted(name: str) -> str:
    """A name in “…” within a sentence; quotation marks inside it become 「」 so that quotes
    never nest (“会展街道「红驿舫」微心愿认领季”)."""
    inner = (name or "").replace("“", "「").replace("”", "」")
    return f"“{inner}”"


def mask_name(name: str) -> str:
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


class Step(models.TextChoices):
    SUBMIT = "submit", "提交心愿"
    PUBLISH = "publish", "审核发布"
    REJECT = "reject", "审核未通过"
    WITHDRAW = "withdraw", "撤回"
    CLAIM = "claim", "认领"
    RELEASE = "release", "放弃认领"
    FULFIL = "fulfil", "实现心愿"
    CONFIRM = "confirm", "确认实现"
    THANK = "thank", "感谢留言"


class WishEvent(HistoryEvent):
    """One step in a wish's history (the kit's history line): who, when, what, with the note
    they gave. Written only through `core.workflow.record_event`."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events",
                             verbose_name="心愿")

    step_labels = dict(Step.choices)

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "wish__org__path"
    scope_self = "wish__posted_by_id"

    class Meta(HistoryEvent.Meta):
        verbose_name = "心愿记录"
        verbose_name_plural = "心愿记录"
        indexes = [models.Index(fields=["wish", "at"])]

    def __str__(self):
        return f"{self.wish} {self.step_label}"
