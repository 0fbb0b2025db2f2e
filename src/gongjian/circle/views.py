"""Pages of the 15-minute circle: a service point's circle, a street's (or community's)
coverage with where a new station helps most, the road networks, and the locations import.
Thin: the figures come from queries.py, the writes from services.py."""

from __future__ import annotations

import io
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect

from gongjian.core import audit, jobs, spreadsheets
from gongjian.core.access import can, restrict
from gongjian.core.forms import Styled
from gongjian.core.generic import ScopedView
from gongjian.core.services import DomainError, OutOfScope
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError
from gongjian.orgs.models import Building, Organization, street_path
from gongjian.venues.models import Venue

from . import maps, queries, rules, services
from .imports import MAX_ROWS, SPEC, LocationImporter
from .models import RoadNetwork
from .network import METHOD_LABELS

RECENT_JOBS = 10


def _minutes_choices(current: int) -> list[int]:
    choices = list(rules.setting("minute_choices"))
    return sorted(set(choices) | {current})


class _CirclePage(ScopedView):
    """Street and community staff (RoadNetwork "view" marks who reads circles)."""

    model = RoadNetwork
    action = "view"

    def minutes(self):
        try:
            return queries.parse_minutes(self.request.GET.get("minutes")), ""
        except DomainError as error:
            return int(rules.setting("default_minutes")), error.message


class PointCircle(_CirclePage):
    template_name = "circle/point.html"

    def get(self, request, pk):
        venue = get_object_or_404(restrict(request.user, "view", Venue)
                                  .select_related("org", "unit"), pk=pk)
        minutes, refusal = self.minutes()
        if venue.lng is None:
            return self.render({"venue": venue, "refusal": (
                f"阵地“{venue.name}”没有登记坐标，无法计算服务圈：请先在阵地信息中填写经纬度。"),
                "minutes": minutes, "minute_choices": _minutes_choices(minutes)})
        result = queries.circle(request.user, venue, minutes)
        street = queries.street_of(venue.org)
        net = queries.network_of(street)
        ring = maps.outline(maps.street_points(street))
        radius = result["radius_m"]
        lng, lat = float(venue.lng), float(venue.lat)
        chart = {
            "outline": ring,
            "roads": maps.roads(net, ring),
            "reached": maps.reached_roads(net, lng, lat, radius,
                                          float(rules.setting("snap_limit_m"))),
            # The straight-line circle a planner would draw without the streets (radius ÷
            # the detour factor): a reference, dashed.
            "circle": maps.circle_ring(lng, lat, radius / rules.detour_factor()),
            "points": [[lng, lat, venue.name]],
            "inside": [[b["lng"], b["lat"], f"{b['grid']} {b['name']}", b["households"]]
                       for b in result["buildings"]],
            "outside": [[b["lng"], b["lat"], f"{b['grid']} {b['name']}", b["households"]]
                        for b in result["outside"]],
            "units": [[u["lng"], u["lat"], u["name"]] for u in result["units"]],
            "center": [lng, lat],
        }
        return self.render({"venue": venue, "result": result, "chart": chart,
                            "minutes": minutes, "minute_choices": _minutes_choices(minutes),
                            "refusal": refusal, "network": net,
                            "method_labels": METHOD_LABELS})


class Coverage(_CirclePage):
    template_name = "circle/coverage.html"

    def get(self, request):
        minutes, refusal = self.minutes()
        try:
            n = queries.parse_count(request.GET.get("n"))
        except DomainError as error:
            n, refusal = 3, error.message
        code = (request.GET.get("org") or "").strip()
        org = None
        if code:
            try:
                org = queries.find_org(request.user, code)
            except DomainError as error:
                refusal = error.message
        if org is None:
            org = queries.default_org(request.user)
        context = {"minutes": minutes, "minute_choices": _minutes_choices(minutes), "n": n,
                   "refusal": refusal, "org": org,
                   "orgs": self.org_choices(), "can_upload": can(request.user, "add",
                                                                 RoadNetwork)}
        if org is None:
            return self.render(context)
        cover = queries.coverage(request.user, org, minutes)
        suggestion = queries.suggest(request.user, org, minutes, n, cover=cover)
        street = queries.street_of(org)
        net = queries.network_of(street)
        ring = maps.outline(maps.street_points(street))
        radius = cover["radius_m"]
        chart = {
            "outline": ring, "roads": maps.roads(net, ring),
            "circles": [maps.circle_ring(p["lng"], p["lat"], radius / rules.detour_factor())
                        for p in cover["points"]],
            "points": [[p["lng"], p["lat"], p["name"]] for p in cover["points"]],
            "outside": [[b["lng"], b["lat"], f"{b['grid']} {b['name']}", b["households"]]
                        for b in cover["left_out"]],
            "suggested": [[s["lng"], s["lat"], f"建议{s['rank']}：{s['name']}",
                           s["households_added"]] for s in suggestion["sites"]],
            "center": _centre(ring),
        }
        context.update({"cover": queries.public(cover), "suggestion": suggestion,
                        "chart": chart, "network": net,
                        "left_out": cover["left_out"][:200]})
        return self.render(context)

    def org_choices(self):
        """The account's own organisations and, below a street, its communities with grids
        (the levels a coverage is read at)."""
        from gongjian.core.access import reach_orgs
        from gongjian.orgs.models import Grid

        found: dict[str, Organization] = {}
        for node in reach_orgs(self.request.user, "view", Building):
            found[node.path] = node
            if node.path != street_path(node):
                continue
            with_grids = {path[:len(node.path) + Organization.steplen] for path in
                          Grid.objects.filter(org__path__startswith=node.path)
                          .values_list("org__path", flat=True)}
            for child in Organization.objects.active().filter(path__in=with_grids):
                found[child.path] = child
        return [found[p] for p in sorted(found)]


def _centre(ring):
    if not ring:
        return None
    return [sum(p[0] for p in ring[:-1]) / (len(ring) - 1),
            sum(p[1] for p in ring[:-1]) / (len(ring) - 1)]


# ---- road networks ------------------------------------------------------------------------

class NetworkForm(Styled, forms.Form):
    org = forms.ModelChoiceField(queryset=Organization.objects.none(), label="街道",
                                 empty_label=None)
    name = forms.CharField(label="路网名称", max_length=100, required=False,
                           help_text="留空按“某某街道路网”。")
    source = forms.CharField(label="数据来源", max_length=200, required=False,
                             initial="OpenStreetMap 导出（© OpenStreetMap contributors，ODbL）")
    file = forms.FileField(
        label="OpenStreetMap 文件（.osm）",
        widget=forms.ClearableFileInput(attrs={"accept": ".osm,.xml,application/xml"}),
        error_messages={"required": "请选择要上传的 .osm 文件。", "empty": "文件是空的。"},
        help_text=f"在 OpenStreetMap 网站框选本街道及周边后“导出”得到的 XML 文件，不超过 "
                  f"{services.MAX_UPLOAD_BYTES // 1048576} MB；运行时不访问任何在线地图。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from gongjian.core.access import reach_orgs

        paths = {street_path(o) for o in reach_orgs(user, "add", RoadNetwork)}
        self.fields["org"].queryset = restrict(user, "view", Organization).filter(
            path__in=paths, dissolved_on__isnull=True).order_by("path")


class Networks(ScopedView):
    model = RoadNetwork
    template_name = "circle/networks.html"

    def page(self, form, status=200):
        rows = restrict(self.request.user, "view", RoadNetwork).defer("data") \
            .select_related("org", "uploaded_by")
        return self.render({"networks": rows, "form": form,
                            "can_upload": can(self.request.user, "add", RoadNetwork)},
                           status=status)

    def get(self, request):
        form = NetworkForm(user=request.user) if can(request.user, "add", RoadNetwork) else None
        return self.page(form)

    def post(self, request):
        if not can(request.user, "add", RoadNetwork):
            raise Http404
        form = NetworkForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_UPLOAD_BYTES:
            form.add_error("file", f"文件超过 {services.MAX_UPLOAD_BYTES // 1048576} MB：请只导出"
                                   "本街道及周边的范围。")
            return self.page(form, status=400)
        try:
            net = services.upload_network(
                user=request.user, org=form.cleaned_data["org"], data=upload.read(),
                filename=upload.name or "", name=form.cleaned_data["name"],
                source=form.cleaned_data["source"])
        except OutOfScope:
            raise Http404 from None
        except DomainError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
            return self.page(form, status=400)
        messages.success(request, f"已载入“{net.name}”（第 {net.version} 版）：{net.nodes} 个节点、"
                                  f"{net.edges} 个路段，道路总长 {net.length_km} 公里。")
        return redirect("circle_networks")


# ---- locations import --------------------------------------------------------------------

class UploadForm(Styled, forms.Form):
    file = forms.FileField(
        label="位置文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
        help_text=f"单个文件不超过 {spreadsheets.MAX_BYTES // 1048576} MB、{MAX_ROWS} 行。")


def xlsx_response(data: bytes, filename: str):
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class _Locations(ScopedView):
    """Whoever keeps buildings (street, community and grid staff) locates them; units are
    located by those who may change them."""

    model = Building
    action = "change"
    template_name = "circle/import.html"


class LocationsImport(_Locations):
    def jobs(self):
        return jobs.ImportJob.objects.filter(user=self.request.user,
                                             kind=LocationImporter.kind).defer("upload",
                                                                               "error_file")

    def page(self, form, job=None, status=200, refusal=""):
        return self.render({"form": form, "job": job, "refusal": refusal, "spec": SPEC,
                            "jobs": self.jobs()[:RECENT_JOBS]}, status=status)

    def get(self, request):
        return self.page(UploadForm())

    def post(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > spreadsheets.MAX_BYTES + 64 * 1024:
            return self.page(UploadForm(), status=413, refusal=(
                f"文件过大，单个文件不能超过 {spreadsheets.MAX_BYTES / 1048576:.0f} MB；"
                "请拆分后分批导入。"))
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        importer = LocationImporter(request.user)
        try:
            job = jobs.submit(request.user, importer, upload, task=None,
                              ip=audit.client_ip(request), sync_rows=MAX_ROWS + 1)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            audit.record("import", None, success=False, object_type=importer.object_type,
                         object_repr=(upload.name or "")[:200],
                         detail=f"{SPEC.title}导入被拒绝：{error.message}")
            return self.page(form, status=400)
        return self.page(UploadForm(), job=job,
                         status=200 if job.status == jobs.ImportJob.Status.SUCCEEDED else 400)


class LocationsTemplate(_Locations):
    def get(self, request):
        return xlsx_response(LocationImporter(request.user).template(),
                             "楼栋与单位位置导入模板.xlsx")


class LocationsErrors(_Locations):
    def get(self, request, pk):
        job = get_object_or_404(jobs.ImportJob.objects.filter(
            user=request.user, kind=LocationImporter.kind, error_file__isnull=False), pk=pk)
        stem = PurePath(job.filename).stem or "位置"
        return xlsx_response(job.error_workbook(), f"{stem}-错误标注.xlsx")
