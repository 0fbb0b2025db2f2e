from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.generic import ScopedView, paginate, run_action, run_service
from gongjian.core.pinyin import search_filter

from . import services
from .choices import GRID_OWNER_KINDS, NON_PUBLIC_UNIT_TYPES, OrgKind, Sector, UnitType
from .forms import (
    BuildingForm,
    DissolveForm,
    GridForm,
    GridPostForm,
    GridRoleForm,
    MergeForm,
    MoveForm,
    OrgForm,
    UnitForm,
)
from .models import Building, Grid, GridPost, GridRole, Organization, Unit
from .queries import ancestors_visible, children_of, subtree_figures, tree_roots

SEARCH_LIMIT = 30


def resolve_org(user, form, field, action="view"):
    """The organisation a form names by code, if it exists within the user's reach."""
    code = (form.cleaned_data.get(field) or "").strip()
    if not code:
        return None
    org = restrict(user, action, Organization).filter(code=code).first()
    if org is None:
        form.add_error(field, f"组织编码“{code}”不存在或不在您的管理范围内。")
    return org


def within_reach(user, action, model, org):
    """Whether `user` may `action` a `model` attached to `org` (for showing a button)."""
    return any(org.path.startswith(node.path) for node in reach_orgs(user, action, model))


# ---- organisations ------------------------------------------------------------------------

class OrgTree(ScopedView):
    model = Organization
    template_name = "orgs/org_tree.html"

    def get(self, request):
        roots = tree_roots(request.user)
        nodes = [{"org": root, "children": children_of(request.user, root)} for root in roots]
        return self.render({"nodes": nodes, "can_add": self.can("add")})


class OrgChildren(ScopedView):
    model = Organization
    template_name = "orgs/_tree_children.html"

    def get(self, request, code):
        org = self.get_object()
        show_dissolved = request.GET.get("dissolved") == "1"
        return self.render({"children": children_of(request.user, org, show_dissolved)})


class OrgSearch(ScopedView):
    model = Organization
    template_name = "orgs/org_search.html"

    def get(self, request):
        field = request.GET.get("field")
        q = (request.GET.get(field) if field else None) or request.GET.get("q", "")
        q = q.strip()[:50]
        results = []
        if q:
            condition, rank = search_filter(q)
            rows = self.scoped().filter(condition | Q(code__iexact=q))
            if request.GET.get("dissolved") != "1":
                rows = rows.filter(dissolved_on__isnull=True)
            results = list(rows.annotate(rank=rank).order_by("rank", "depth", "path")
                           [:SEARCH_LIMIT])
            parents = {o.parent_path for o in results if o.parent_path}
            names = dict(Organization.objects.filter(path__in=parents)
                         .values_list("path", "name"))
            for org in results:
                org.parent_name = names.get(org.parent_path, "")
        context = {"q": q, "results": results, "pick": request.GET.get("pick", ""),
                   "limit": SEARCH_LIMIT}
        if request.htmx:
            return render(request, "orgs/_search_results.html", context)
        return self.render(context)


class OrgDetail(ScopedView):
    model = Organization
    template_name = "orgs/org_detail.html"

    def get(self, request, code):
        org = self.get_object()
        user = request.user
        grids = (restrict(user, "view", Grid).filter(org=org)
                 .annotate(n_buildings=Count("buildings"),
                           n_households=Sum("buildings__households")))
        context = {
            "org": org,
            "ancestors": ancestors_visible(user, org),
            "children": children_of(user, org, include_dissolved=True),
            "grids": grids,
            "located_units": restrict(user, "view", Unit).filter(org=org)
            .select_related("party_org"),
            "own_units": restrict(user, "view", Unit).filter(party_org=org),
            "events": org.events.select_related("actor")[:50],
            "figures": subtree_figures(user, org),
            "merged_into": org.merged_into,
            "absorbed": org.absorbed.all(),
            "allowed": {a: restrict(user, a, Organization).filter(pk=org.pk).exists()
                      for a in ("add", "change", "move", "merge", "delete")},
            "can_add_grid": org.is_active and org.kind in GRID_OWNER_KINDS
            and within_reach(user, "add", Grid, org),
            "can_add_unit": org.is_active and within_reach(user, "add", Unit, org),
        }
        return self.render(context)


class OrgFormView(ScopedView):
    """Shared shape of the organisation action pages (a form, then a service call)."""

    model = Organization
    template_name = "orgs/form.html"
    title = ""
    submit = "保存"
    danger = False
    confirm = False

    def page(self, form, org=None, status=200, **extra):
        context = {"form": form, "org": org, "title": self.title, "submit": self.submit,
                   "danger": self.danger, "confirm": self.confirm,
                   "cancel": reverse("org_detail", args=[org.code]) if org else reverse("org_tree")}
        context.update(extra)
        return self.render(context, status=status)


class OrgCreate(OrgFormView):
    action = "add"
    title = "新设党组织"

    def parent(self):
        code = self.request.GET.get("parent", "")
        return get_object_or_404(restrict(self.request.user, "add", Organization).active(),
                                 code=code)

    def get(self, request):
        parent = self.parent()
        initial = {"kind": _default_child_kind(parent), "sector": _default_sector(parent)}
        return self.page(OrgForm(initial=initial), parent=parent)

    def page(self, form, parent=None, status=200):
        return super().page(form, None, status, parent=parent,
                            cancel=reverse("org_detail", args=[parent.code]))

    def post(self, request):
        parent = self.parent()
        form = OrgForm(request.POST)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in form.Meta.fields}
            ok, org = run_service(request, form, lambda: services.create_organization(
                request.user, parent=parent, **data), "党组织已设立。")
            if ok:
                return redirect("org_detail", code=org.code)
        return self.page(form, parent=parent, status=400)


def _default_child_kind(parent):
    return {OrgKind.WORKING_COMMITTEE: OrgKind.COMMITTEE, OrgKind.COMMITTEE: OrgKind.BRANCH,
            OrgKind.GENERAL_BRANCH: OrgKind.BRANCH}.get(parent.kind, OrgKind.GROUP)


def _default_sector(parent):
    return {Sector.STREET: Sector.COMMUNITY, Sector.COMMUNITY: Sector.RESIDENTIAL,
            Sector.RESIDENTIAL: Sector.BUILDING}.get(parent.sector, parent.sector)


class OrgEdit(OrgFormView):
    action = "change"
    title = "修改组织信息"

    def get(self, request, code):
        org = self.get_object()
        return self.page(OrgForm(instance=org, editing=True), org)

    def post(self, request, code):
        org = self.get_object()
        form = OrgForm(request.POST, instance=Organization.objects.get(pk=org.pk), editing=True)
        if form.is_valid():
            changes = {k: form.cleaned_data[k] for k in form.fields}
            ok, _ = run_service(request, form, lambda: services.update_organization(
                request.user, Organization.objects.get(pk=org.pk), **changes), "已保存。")
            if ok:
                return redirect("org_detail", code=code)
        return self.page(form, org, status=400)


class OrgMove(OrgFormView):
    action = "move"
    title = "移动组织"
    submit = "确认移动"
    confirm = True

    def get(self, request, code):
        return self.page(MoveForm(), self.get_object())

    def post(self, request, code):
        org = self.get_object()
        form = MoveForm(request.POST)
        if form.is_valid():
            target = resolve_org(request.user, form, "parent", "move")
            if target is not None:
                ok, _ = run_service(request, form, lambda: services.move_organization(
                    request.user, org, target), f"“{org.name}”已移至“{target.name}”之下。")
                if ok:
                    return redirect("org_detail", code=code)
        return self.page(form, org, status=400)


class OrgMerge(OrgFormView):
    action = "merge"
    title = "合并组织"
    submit = "确认合并"
    danger = True

    def get(self, request, code):
        return self.page(MergeForm(), self.get_object())

    def post(self, request, code):
        org = self.get_object()
        form = MergeForm(request.POST)
        if form.is_valid():
            survivor = resolve_org(request.user, form, "survivor", "merge")
            if survivor is not None:
                ok, _ = run_service(request, form, lambda: services.merge_organizations(
                    request.user, org, survivor, reason=form.cleaned_data["reason"]),
                    f"“{org.name}”已并入“{survivor.name}”。")
                if ok:
                    return redirect("org_detail", code=survivor.code)
        return self.page(form, org, status=400)


class OrgDissolve(OrgFormView):
    action = "delete"
    title = "撤销组织"
    submit = "确认撤销"
    danger = True

    def get(self, request, code):
        from django.utils import timezone

        return self.page(DissolveForm(initial={"dissolved_on": timezone.localdate()}),
                         self.get_object())

    def post(self, request, code):
        org = self.get_object()
        form = DissolveForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.dissolve_organization(
                request.user, org, form.cleaned_data["dissolved_on"],
                form.cleaned_data["reason"]), f"“{org.name}”已撤销。")
            if ok:
                return redirect("org_detail", code=code)
        return self.page(form, org, status=400)


# ---- grids and buildings ------------------------------------------------------------------

class GridList(ScopedView):
    model = Grid
    template_name = "orgs/grid_list.html"

    def get(self, request):
        rows = (self.scoped().select_related("org")
                .annotate(n_buildings=Count("buildings", distinct=True),
                          n_households=Sum("buildings__households")))
        within = request.GET.get("within", "").strip()
        if within:
            node = restrict(request.user, "view", Organization).filter(code=within).first()
            rows = rows.filter(org__path__startswith=node.path) if node else rows.none()
        q = request.GET.get("q", "").strip()
        if q:
            condition, _rank = search_filter(q)
            rows = rows.filter(condition | Q(code__iexact=q))
        page, query = paginate(request, rows.order_by("code"))
        return self.render({"page": page, "query": query, "q": q, "within": within,
                            "can_add": self.can("add")})


class GridCreate(ScopedView):
    model = Grid
    action = "add"
    template_name = "orgs/form.html"

    def page(self, form, status=200):
        return self.render({"form": form, "title": "新设网格", "submit": "保存",
                            "cancel": reverse("grid_list")}, status=status)

    def get(self, request):
        return self.page(GridForm(initial={"org_code": request.GET.get("org", "")}))

    def post(self, request):
        form = GridForm(request.POST)
        if form.is_valid():
            org = resolve_org(request.user, form, "org_code", "view")
            if org is not None:
                grid = form.save(commit=False)
                grid.org = org
                ok, _ = run_service(request, form, lambda: services.save_grid(request.user, grid),
                                    "网格已设立。")
                if ok:
                    return redirect("grid_detail", code=grid.code)
        return self.page(form, status=400)


class GridDetail(ScopedView):
    model = Grid
    template_name = "orgs/grid_detail.html"

    def context(self, grid, **forms):
        user = self.request.user
        buildings = restrict(user, "view", Building).filter(grid=grid)
        return {
            "grid": grid,
            "posts": restrict(user, "view", GridPost).filter(grid=grid).select_related("role"),
            "buildings": buildings,
            "households": buildings.aggregate(n=Sum("households"))["n"] or 0,
            "can_change": restrict(user, "change", Grid).filter(pk=grid.pk).exists(),
            "can_delete": restrict(user, "delete", Grid).filter(pk=grid.pk).exists(),
            "can_add_post": can(user, "add", GridPost),
            "can_delete_post": can(user, "delete", GridPost),
            "can_add_building": can(user, "add", Building),
            "can_change_building": can(user, "change", Building),
            "can_delete_building": can(user, "delete", Building),
            "post_form": forms.get("post_form") or GridPostForm(),
            "building_form": forms.get("building_form") or BuildingForm(),
        }

    def get(self, request, code):
        grid = self.get_object()
        return self.render(self.context(grid))

    def post(self, request, code):
        """Adds a post holder or a building from the grid page's inline forms."""
        grid = self.get_object()
        if request.POST.get("op") == "post":
            form = GridPostForm(request.POST)
            if form.is_valid():
                ok, _ = run_service(request, form, lambda: services.add_grid_post(
                    request.user, grid, form.cleaned_data["role"],
                    form.cleaned_data["holder_name"], form.cleaned_data["since"]), "已添加。")
                if ok:
                    return redirect("grid_detail", code=code)
            return self.render(self.context(grid, post_form=form), status=400)
        form = BuildingForm(request.POST)
        if form.is_valid():
            building = form.save(commit=False)
            building.grid = grid
            ok, _ = run_service(request, form, lambda: services.save_building(
                request.user, building), "楼栋已添加。")
            if ok:
                return redirect("grid_detail", code=code)
        return self.render(self.context(grid, building_form=form), status=400)


class GridEdit(ScopedView):
    model = Grid
    action = "change"
    template_name = "orgs/form.html"

    def page(self, form, grid, status=200):
        return self.render({"form": form, "title": f"修改网格：{grid.name}", "submit": "保存",
                            "cancel": reverse("grid_detail", args=[grid.code])}, status=status)

    def get(self, request, code):
        grid = self.get_object()
        return self.page(GridForm(instance=grid, editing=True,
                                  initial={"org_code": grid.org.code}), grid)

    def post(self, request, code):
        grid = self.get_object()
        form = GridForm(request.POST, instance=grid, editing=True)
        if form.is_valid():
            org = resolve_org(request.user, form, "org_code", "view")
            if org is not None:
                grid = form.save(commit=False)
                grid.org = org
                ok, _ = run_service(request, form, lambda: services.save_grid(request.user, grid),
                                    "已保存。")
                if ok:
                    return redirect("grid_detail", code=code)
        return self.page(form, grid, status=400)


class GridDelete(ScopedView):
    model = Grid
    action = "delete"

    def post(self, request, code):
        grid = self.get_object()
        if run_action(request, lambda: services.delete_grid(request.user, grid),
                      f"网格“{grid.name}”已撤销。"):
            return redirect("grid_list")
        return redirect("grid_detail", code=code)


class GridPostDelete(ScopedView):
    model = GridPost
    action = "delete"
    lookup_field = "pk"

    def post(self, request, pk):
        post = self.get_object()
        services.remove_grid_post(request.user, post)
        messages.success(request, f"已免去 {post.holder_name} 的{post.role.name}岗位。")
        return redirect("grid_detail", code=post.grid.code)


class BuildingEdit(ScopedView):
    model = Building
    action = "change"
    lookup_field = "pk"
    template_name = "orgs/form.html"

    def page(self, form, building, status=200):
        return self.render({"form": form, "title": f"修改楼栋：{building}", "submit": "保存",
                            "cancel": reverse("grid_detail", args=[building.grid.code])},
                           status=status)

    def get(self, request, pk):
        building = self.get_object()
        return self.page(BuildingForm(instance=building), building)

    def post(self, request, pk):
        building = self.get_object()
        form = BuildingForm(request.POST, instance=building)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.save_building(
                request.user, form.save(commit=False)), "已保存。")
            if ok:
                return redirect("grid_detail", code=building.grid.code)
        return self.page(form, building, status=400)


class BuildingDelete(ScopedView):
    model = Building
    action = "delete"
    lookup_field = "pk"

    def post(self, request, pk):
        building = self.get_object()
        services.delete_building(request.user, building)
        messages.success(request, f"楼栋“{building.name}”已删除。")
        return redirect("grid_detail", code=building.grid.code)


# ---- units --------------------------------------------------------------------------------

class UnitList(ScopedView):
    model = Unit
    template_name = "orgs/unit_list.html"

    def get(self, request):
        rows = self.scoped().select_related("org", "party_org")
        within = request.GET.get("within", "").strip()
        if within:
            node = restrict(request.user, "view", Organization).filter(code=within).first()
            rows = rows.filter(org__path__startswith=node.path) if node else rows.none()
        unit_type = request.GET.get("type", "")
        if unit_type in UnitType.values:
            rows = rows.filter(unit_type=unit_type)
        if request.GET.get("non_public") == "1":
            rows = rows.filter(unit_type__in=NON_PUBLIC_UNIT_TYPES)
        has_party = request.GET.get("party", "")
        if has_party in ("1", "0"):
            rows = rows.filter(party_org__isnull=has_party == "0")
        q = request.GET.get("q", "").strip()
        if q:
            condition, _rank = search_filter(q)
            rows = rows.filter(condition | Q(code__iexact=q))
        page, query = paginate(request, rows.order_by("code"))
        return self.render({"page": page, "query": query, "q": q, "within": within,
                            "types": UnitType.choices, "type": unit_type,
                            "non_public": request.GET.get("non_public") == "1",
                            "party": has_party, "can_add": self.can("add")})


class UnitFormMixin:
    def apply_codes(self, form, unit):
        org = resolve_org(self.request.user, form, "org_code", "view")
        party_org = resolve_org(self.request.user, form, "party_org_code", "view")
        if form.errors:
            return False
        unit.org, unit.party_org = org, party_org
        return True


class UnitCreate(UnitFormMixin, ScopedView):
    model = Unit
    action = "add"
    template_name = "orgs/form.html"

    def page(self, form, status=200):
        return self.render({"form": form, "title": "登记驻区单位", "submit": "保存",
                            "cancel": reverse("unit_list")}, status=status)

    def get(self, request):
        return self.page(UnitForm(initial={"org_code": request.GET.get("org", "")}))

    def post(self, request):
        form = UnitForm(request.POST)
        if form.is_valid():
            unit = form.save(commit=False)
            if self.apply_codes(form, unit):
                ok, _ = run_service(request, form, lambda: services.save_unit(request.user, unit),
                                    "单位已登记。")
                if ok:
                    return redirect("unit_detail", code=unit.code)
        return self.page(form, status=400)


class UnitDetail(ScopedView):
    model = Unit
    template_name = "orgs/unit_detail.html"

    def get(self, request, code):
        unit = self.get_object()
        return self.render({
            "unit": unit,
            "can_change": restrict(request.user, "change", Unit).filter(pk=unit.pk).exists(),
            "can_delete": restrict(request.user, "delete", Unit).filter(pk=unit.pk).exists(),
            "org_visible": restrict(request.user, "view", Organization)
            .filter(pk__in=[unit.org_id, unit.party_org_id]).values_list("pk", flat=True),
        })


class UnitEdit(UnitFormMixin, ScopedView):
    model = Unit
    action = "change"
    template_name = "orgs/form.html"

    def page(self, form, unit, status=200):
        return self.render({"form": form, "title": f"修改单位：{unit.name}", "submit": "保存",
                            "cancel": reverse("unit_detail", args=[unit.code])}, status=status)

    def get(self, request, code):
        unit = self.get_object()
        initial = {"org_code": unit.org.code,
                   "party_org_code": unit.party_org.code if unit.party_org else ""}
        return self.page(UnitForm(instance=unit, editing=True, initial=initial), unit)

    def post(self, request, code):
        unit = self.get_object()
        form = UnitForm(request.POST, instance=unit, editing=True)
        if form.is_valid():
            unit = form.save(commit=False)
            if self.apply_codes(form, unit):
                ok, _ = run_service(request, form, lambda: services.save_unit(request.user, unit),
                                    "已保存。")
                if ok:
                    return redirect("unit_detail", code=code)
        return self.page(form, unit, status=400)


class UnitDelete(ScopedView):
    model = Unit
    action = "delete"

    def post(self, request, code):
        unit = self.get_object()
        if run_action(request, lambda: services.delete_unit(request.user, unit),
                      f"单位“{unit.name}”已删除。"):
            return redirect("unit_list")
        return redirect("unit_detail", code=code)


# ---- grid posts configuration (一格五员) ---------------------------------------------------

class GridRoleList(ScopedView):
    model = GridRole
    template_name = "orgs/gridrole_list.html"

    def get(self, request):
        return self.page(GridRoleForm())

    def page(self, form, status=200):
        return self.render({"roles": self.scoped().annotate(n=Count("posts")), "form": form,
                            "can_add": self.can("add"), "can_change": self.can("change")},
                           status=status)

    def post(self, request):
        pk = request.POST.get("pk")
        if pk:
            role = get_object_or_404(self.scoped("change"), pk=pk)
            form = GridRoleForm(request.POST, instance=role)
        elif self.can("add"):
            form = GridRoleForm(request.POST)
        else:
            raise PermissionDenied
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.save_grid_role(
                request.user, form.save(commit=False)), "已保存。")
            if ok:
                return redirect("gridrole_list")
        return self.page(form, status=400)
