"""A street's road network (for walking distances in the 15-minute circle).

One network per street: uploading again replaces it and raises its version, so every process
reloads its cached graph (network.cached_graph is keyed by id, version and upload time).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongjian.core.access import ROLES_AT_ORG, ROLES_AT_UNIT, RestrictedQuerySet

from . import network


class RoadNetwork(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE,
                            related_name="road_networks", verbose_name="街道")
    name = models.CharField("路网名称", max_length=100)
    source = models.CharField("数据来源", max_length=200, blank=True,
                              help_text="如 OpenStreetMap 导出（© OpenStreetMap contributors, ODbL）")
    filename = models.CharField("上传文件", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    nodes = models.PositiveIntegerField("节点数", default=0)
    edges = models.PositiveIntegerField("路段数", default=0)
    ways = models.PositiveIntegerField("道路条数", default=0)
    length_m = models.FloatField("道路总长（米）", default=0)
    west = models.FloatField("西界经度", default=0)
    south = models.FloatField("南界纬度", default=0)
    east = models.FloatField("东界经度", default=0)
    north = models.FloatField("北界纬度", default=0)
    # Nodes and edges as a compressed .npz (network.pack): a street's network is a few
    # hundred kilobytes, read once per process.
    data = models.BinaryField("路网数据")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="上传人")

    objects = RestrictedQuerySet.as_manager()
    audited = True
    audit_hidden_fields = ("data",)  # the arrays; the counts and extent say what changed
    scope_org_path = "org__path"

    class Meta:
        verbose_name = "路网"
        verbose_name_plural = "路网"
        ordering = ["org__path"]

    def __str__(self):
        return f"{self.org.name} · {self.name}"

    @classmethod
    def open_scope(cls, action, grant):
        """Staff of a community (or a unit's liaison) read their street's network: their
        circles are measured on it."""
        if action != "view":
            return None
        from gongjian.orgs.models import street_path

        if grant.role in ROLES_AT_ORG and grant.org_id:
            return Q(org__path=street_path(grant.org))
        if grant.role in ROLES_AT_UNIT and grant.unit_id:
            return Q(org__path=street_path(grant.unit.org))
        return None

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    @property
    def length_km(self) -> float:
        return round(self.length_m / 1000, 1)

    def graph(self) -> network.Graph:
        """The loaded graph; the stored arrays are read only when this process has not
        loaded this version yet (lists and pages defer the `data` field)."""
        # The upload time too: ids come back after a rollback (tests, SQLite), content never.
        key = (self.pk, self.version, self.uploaded_at.timestamp())
        return network.cached_graph(key, lambda: network.unpack(
            RoadNetwork.objects.values_list("data", flat=True).get(pk=self.pk)))
