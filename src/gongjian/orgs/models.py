from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length, Substr
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from gongjian.core.access import RestrictedQuerySet
from gongjian.core.pinyin import pinyin_keys
from gongjian.core.workflow import HistoryEvent

from .choices import (
    ALLOWED_PARENTS,
    CHINA_LAT,
    CHINA_LNG,
    GRID_OWNER_KINDS,
    NON_PUBLIC_UNIT_TYPES,
    OrgKind,
    Sector,
    UnitType,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$",
    "编码须为 2–40 位字母、数字、下划线或连字符，且以字母或数字开头。",
)
phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$",
    "电话须为 11 位手机号或带区号的固定电话（如 0592-5551234）。",
)


class PinyinNamed(models.Model):
    name_pinyin = models.CharField("名称拼音", max_length=400, blank=True, editable=False)
    name_initials = models.CharField("名称首字母", max_length=100, blank=True, editable=False,
                                     db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)


class OrgQuerySet(MP_NodeQuerySet, RestrictedQuerySet):
    def active(self):
        return self.filter(dissolved_on__isnull=True)

    def communities(self):
        """Community party organisations: of the community sector, under an organisation that
        is not (branches and groups inside a community are not communities)."""
        return self.filter(community_condition())


def community_condition() -> models.Q:
    parent = Organization.objects.filter(
        path=Substr(models.OuterRef("path"), 1,
                    Length(models.OuterRef("path")) - Organization.steplen),
        sector="community")
    return models.Q(sector="community") & ~models.Q(models.Exists(parent))


class OrgManager(MP_NodeManager.from_queryset(OrgQuerySet)):
    def get_queryset(self):
        return OrgQuerySet(self.model).order_by("path")


class Organization(MP_Node, PinyinNamed):
    """A party organisation. The tree is a materialized path: a subtree is one prefix scan."""

    code = models.CharField("组织编码", max_length=40, unique=True, validators=[code_validator],
                            error_messages={"unique": "组织编码已被使用。"})
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=24, choices=OrgKind.choices)
    sector = models.CharField("所在领域", max_length=32, choices=Sector.choices,
                              default=Sector.COMMUNITY)
    is_regional = models.BooleanField(
        "区域化（大党委/大党工委）", default=False,
        help_text="吸纳驻区单位党组织负责人兼任委员的区域化党组织。")
    project_name = models.CharField("依托项目", max_length=200, blank=True,
                                    help_text="临时党支部所建在的项目，如征迁、返迁安置项目。")
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    dissolution_reason = models.CharField("撤销原因", max_length=200, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="absorbed", verbose_name="并入组织")
    note = models.TextField("备注", blank=True, max_length=1000)

    objects = OrgManager()

    audited = True
    scope_org_path = "path"
    steplen = 4

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["dissolved_on"]),
            # A subtree is `path LIKE 'prefix%'`: on PostgreSQL a btree serves that prefix scan
            # only with the pattern operator class, whatever the database's collation.
            models.Index(fields=["path"], name="org_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    TREE_FIELDS = frozenset({"path", "depth", "numchild"})

    def save(self, *args, **kwargs):
        # The tree columns are written only by treebeard's own queries: saving an instance
        # read before a move must not put its old path back.
        if not self._state.adding and "update_fields" not in kwargs:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in self.TREE_FIELDS]
        super().save(*args, **kwargs)

    @property
    def is_active(self):
        return self.dissolved_on is None

    @property
    def parent_path(self):
        return self.path[: -self.steplen] if self.depth > 1 else None

    @classmethod
    def public_scope(cls, action):
        # Streets and communities have a public board (公示栏) anyone may read; a community is
        # the top community-sector node (its branches and groups share its board).
        if action != "board":
            return None
        return models.Q(models.Q(sector="street") | community_condition(),
                        dissolved_on__isnull=True)

    def clean(self):
        today = timezone.localdate()
        errors = {}
        if self.established_on and self.established_on > today:
            errors["established_on"] = "成立日期不能晚于今天。"
        if self.dissolved_on and self.established_on and self.dissolved_on < self.established_on:
            errors["dissolved_on"] = "撤销日期不能早于成立日期。"
        if self.kind == OrgKind.TEMPORARY_BRANCH and not self.project_name.strip():
            errors["project_name"] = "临时党支部须注明所建在的项目。"
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def check_placement(kind, parent):
        """Raise if an organisation of `kind` may not stand under `parent` (None = root)."""
        parent_kind = parent.kind if parent is not None else None
        if parent_kind not in ALLOWED_PARENTS[kind]:
            kind_label = OrgKind(kind).label
            if parent is None:
                raise ValidationError({"parent": f"{kind_label}须设在上级党组织之下。"})
            allowed = "、".join(OrgKind(k).label for k in OrgKind if k in ALLOWED_PARENTS[kind])
            raise ValidationError({"parent": (
                f"{kind_label}不能设在{OrgKind(parent_kind).label}“{parent.name}”之下"
                f"（上级须为{allowed}）。")})
        if parent is not None and not parent.is_active:
            raise ValidationError({"parent": f"上级组织“{parent.name}”已撤销。"})


class OrgEvent(HistoryEvent):
    """What happened to an organisation, as its page tells it (newest first)."""

    step_labels = {"established": "设立", "renamed": "更名", "changed": "修改信息",
                   "moved": "调整隶属", "child_out": "下级组织移出", "child_in": "下级组织移入",
                   "merged_into": "并入其他组织", "absorbed": "吸收合并", "dissolved": "撤销",
                   "grid_added": "新设网格", "grid_removed": "撤销网格"}

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events",
                            verbose_name="组织")

    objects = RestrictedQuerySet.as_manager()
    scope_org_path = "org__path"

    class Meta(HistoryEvent.Meta):
        verbose_name = "组织沿革"
        verbose_name_plural = "组织沿革"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.summary}"


class GridRole(models.Model):
    """A grid post of the configurable 一格五员 list."""

    name = models.CharField("岗位名称", max_length=30, unique=True,
                            error_messages={"unique": "该岗位已存在。"})
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_global = True

    class Meta:
        verbose_name = "网格岗位"
        verbose_name_plural = "网格岗位"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name



def street_path(org) -> str:
    """The path of the street an organisation lies in: its deepest ancestor-or-self that is a
    working committee (a street's 党工委; in a city-wide tree the districts are working
    committees too). Cached on the instance: one indexed lookup per organisation and request."""
    cached = getattr(org, "_street_path", None)
    if cached is None:
        cached = (Organization.objects.filter(path__in=ancestor_paths(org.path),
                                              kind="working_committee")
                  .order_by("-depth").values_list("path", flat=True).first()
                  or org.path[:Organization.steplen])
        org._street_path = cached
    return cached


def ancestor_paths(path: str, include_self: bool = True) -> list[str]:
    """Paths of the organisations above `path` (root first), and of `path` itself."""
    step = Organization.steplen
    return [path[:i] for i in range(step, len(path) + (1 if include_self else 0), step)]


def street_read(grant, action, lookup):
    """For a model's open_scope: community staff read the rows their street itself holds (not
    those of a district or city above it); `lookup` leads from the row to an org path."""
    if action == "view" and grant.role == "community_staff" and grant.org_id:
        street = street_path(grant.org)
        if street != grant.org.path:
            return models.Q(**{lookup: street})
    return None


def community_path(path: str, street: str) -> str:
    """The community (the level right below the street) a path lies in, or the street."""
    return path[: len(street) + Organization.steplen] if len(path) > len(street) else street


class Grid(PinyinNamed):
    code = models.CharField("网格编码", max_length=40, unique=True, validators=[code_validator],
                            error_messages={"unique": "网格编码已被使用。"})
    name = models.CharField("网格名称", max_length=100)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="grids",
                            verbose_name="所属党组织")
    note = models.TextField("备注", blank=True, max_length=1000)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.org_id:
            if self.org.kind not in GRID_OWNER_KINDS:
                raise ValidationError({"org": (
                    f"网格不能挂在{self.org.get_kind_display()}“{self.org.name}”上，"
                    "须属于社区党委、党总支或党支部。")})
            if not self.org.is_active:
                raise ValidationError({"org": f"“{self.org.name}”已撤销。"})


class GridPost(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="posts",
                             verbose_name="网格")
    role = models.ForeignKey(GridRole, on_delete=models.PROTECT, related_name="posts",
                             verbose_name="岗位")
    holder_name = models.CharField("姓名", max_length=50)
    since = models.DateField("任职日期", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "grid__org__path"

    class Meta:
        verbose_name = "网格岗位人员"
        verbose_name_plural = "网格岗位人员"
        ordering = ["role__order", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "role", "holder_name"],
                                               name="gridpost_unique")]

    def __str__(self):
        return f"{self.grid} · {self.role} · {self.holder_name}"


def coordinate_errors(lng, lat) -> dict[str, str]:
    """Both or neither, and inside China: a building's or a unit's stored point."""
    if (lng is None) != (lat is None):
        return {"lng": "经度和纬度须同时填写。"}
    if lng is not None and not (CHINA_LNG[0] <= float(lng) <= CHINA_LNG[1]
                                and CHINA_LAT[0] <= float(lat) <= CHINA_LAT[1]):
        return {"lng": (f"坐标（{lng}, {lat}）不在中国境内"
                        f"（经度 {CHINA_LNG[0]}–{CHINA_LNG[1]}，"
                        f"纬度 {CHINA_LAT[0]}–{CHINA_LAT[1]}）。")}
    return {}


class Building(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="buildings",
                             verbose_name="网格")
    name = models.CharField("楼栋", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)
    households = models.IntegerField(
        "户数", default=0,
        validators=[MinValueValidator(0, "户数不能为负数。")])
    # WGS-84, like Unit's: the 15-minute circle counts buildings by where they stand.
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "grid__org__path"

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["grid_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="building_unique_in_grid",
                                    violation_error_message="该网格内已有同名楼栋。"),
            models.CheckConstraint(condition=models.Q(households__gte=0),
                                   name="building_households_non_negative",
                                   violation_error_message="户数不能为负数。"),
        ]

    def __str__(self):
        return f"{self.grid.name} {self.name}"

    def clean(self):
        errors = coordinate_errors(self.lng, self.lat)
        if errors:
            raise ValidationError(errors)


class Unit(PinyinNamed):
    """A unit located in the street (驻区单位), possibly with a party organisation of its own."""

    code = models.CharField("单位编码", max_length=40, unique=True, validators=[code_validator],
                            error_messages={"unique": "单位编码已被使用。"})
    name = models.CharField("单位名称", max_length=100)
    unit_type = models.CharField("单位类型", max_length=24, choices=UnitType.choices)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="located_units",
                            verbose_name="所在街道/社区")
    party_org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="own_units", verbose_name="本单位党组织")
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True,
                                     validators=[phone_validator])
    note = models.TextField("备注", blank=True, max_length=1000)

    objects = RestrictedQuerySet.as_manager()
    audited = True
    scope_org_path = "org__path"
    scope_unit = "pk"

    class Meta:
        verbose_name = "驻区单位"
        verbose_name_plural = "驻区单位"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def is_non_public(self):
        return self.unit_type in NON_PUBLIC_UNIT_TYPES

    def clean(self):
        errors = coordinate_errors(self.lng, self.lat)
        if self.org_id and not self.org.is_active:
            errors["org"] = f"“{self.org.name}”已撤销。"
        if self.party_org_id and not self.party_org.is_active:
            errors["party_org"] = f"“{self.party_org.name}”已撤销。"
        if errors:
            raise ValidationError(errors)
