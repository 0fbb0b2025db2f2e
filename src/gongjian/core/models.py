from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .access import ROLES_AT_ORG, ROLES_AT_UNIT, RestrictedQuerySet, role_choices


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):
    """Django's account manager (create_user, createsuperuser, natural keys) on top of the
    restricted queryset, so accounts go through restrict() like everything else."""

    use_in_migrations = True

    def _create_user_object(self, username, email, password, **extra_fields):
        # Django sets the hash directly; the password's age starts now all the same.
        user = super()._create_user_object(username, email, password, **extra_fields)
        user.password_changed_at = timezone.now()
        return user


class User(AbstractUser):
    """A login account. A person's party and personal data live elsewhere; this is the key."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    person = models.OneToOneField("members.Person", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="account", verbose_name="本人")
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = UserManager()

    scope_global = True
    audited = True
    audit_hidden_fields = ("password", "last_login")

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_locked(self):
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def password_expired(self):
        if not self.password_changed_at:
            return True
        age = timezone.now() - self.password_changed_at
        return age.days >= settings.PASSWORD_MAX_AGE_DAYS


class RoleGrant(models.Model):
    """A role held by an account: at an organisation (covers its subtree), at a unit, or
    for the person themself / the platform."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants",
                             verbose_name="账户")
    # Choices read from the role registry: a capability adds a role without a migration here.
    role = models.CharField("角色", max_length=32, choices=role_choices)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="grants", verbose_name="组织")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="grants", verbose_name="单位")
    granted_at = models.DateTimeField("授予时间", default=timezone.now)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="授予人")

    objects = RestrictedQuerySet.as_manager()
    scope_global = True
    audited = True

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org", "unit"], name="grant_unique"),
        ]

    def __str__(self):
        where = self.org or self.unit
        return f"{self.user} · {self.get_role_display()}" + (f" · {where}" if where else "")

    def clean(self):
        if self.role in ROLES_AT_ORG and not self.org_id:
            raise ValidationError({"org": "该角色须授予在某个组织上。"})
        if self.role in ROLES_AT_UNIT and not self.unit_id:
            raise ValidationError({"unit": "共建单位联络员须指定单位。"})
        if self.role not in ROLES_AT_ORG and self.role not in ROLES_AT_UNIT and self.unit_id:
            raise ValidationError({"unit": "该角色不关联单位。"})
        if self.role in ROLES_AT_ORG and self.unit_id:
            raise ValidationError({"unit": "该角色授予在组织上，不关联单位。"})


class AuditEntryQuerySet(RestrictedQuerySet):
    """Bulk writes would slip past the row guards below: refuse them too."""

    def update(self, **kwargs):
        raise ValidationError("审计日志不可修改或删除。")

    def delete(self):
        raise ValidationError("审计日志不可修改或删除。")


class AuditEntry(models.Model):
    """One line of the audit log. Written once, never changed or deleted (等保 8.1.4.3)."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    actor_name = models.CharField("操作人账户", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    event = models.CharField("事件", max_length=32, db_index=True)
    success = models.BooleanField("成功", default=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    objects = AuditEntryQuerySet.as_manager()
    scope_global = True

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.event} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("审计日志不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("审计日志不可删除。")


class SiteSetting(models.Model):
    """Small facts about this installation (for one: that it holds demonstration data)."""

    key = models.CharField("键", max_length=50, unique=True)
    value = models.CharField("值", max_length=500, blank=True)

    class Meta:
        verbose_name = "站点设置"
        verbose_name_plural = "站点设置"

    def __str__(self):
        return f"{self.key}={self.value}"

    @classmethod
    def get(cls, key, default=None):
        row = cls.objects.filter(key=key).first()
        return row.value if row else default

    @classmethod
    def put(cls, key, value):
        cls.objects.update_or_create(key=key, defaults={"value": value})


from .jobs import ImportJob  # noqa: E402,F401  (models must live in an app module)


class Notification(models.Model):
    """A message to one account about a step that concerns it (read in the platform)."""

    scope_self = "user_id"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name="接收人")
    title = models.CharField("标题", max_length=200)
    # A notification points at a page: longer text is cut (notify) rather than refused.
    body = models.TextField("内容", max_length=1000, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    kind = models.CharField("类别", max_length=32, blank=True)
    # Reminders carry a key so that a daily sweep tells each person once ("agreement-expiry:7").
    key = models.CharField("提醒键", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        # A reminder goes to an account once, even when two sweeps run at the same moment.
        constraints = [models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""),
                                               name="notification_once_per_key")]

    def __str__(self):
        return self.title

    @classmethod
    def open_scope(cls, action, grant):
        # Whatever the role, an account reads and marks only its own notifications.
        return models.Q(user_id=grant.user_id)
