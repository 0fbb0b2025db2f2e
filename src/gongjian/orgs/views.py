from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import reach_orgs, restrict
from gongjian.core.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    run_service,
)

from . import services
from .choices import GRID_OWNER_KINDS, OrgKind, Sector
from .filtersets import GridFilterSet, OrganizationFilterSet, UnitFilterSet
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
from .models import Building, Grid, GridPost, GridRole, Organization, OrgEvent, Unit
from .queries import ancestors_visible, children_of, subtree_figures, tree_roots

SEARCH_LIMIT = 30

# What the form for a new organisation proposes under a parent of each kind and sector.
CHILD_KIND = {OrgKind.WORKING_COMMITTEE: OrgKind.COMMITTEE, OrgKind.COMMITTEE: OrgKind.BRANCH,
              OrgKind.GENERAL_BRANCH: OrgKind.BRANCH}
CHILD_SECTOR = {Sector.STREET: Sector.COMMUNITY, Sector.COMMUNITY: Sector.RESIDENTIAL,
                Sector.RESIDENTIAL: Sector.BUILDING}


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
    """The search box of the tree and of the organisation pickers (`field` names the picker's
    input, `pick` its id). Rows come from the organisation list's FilterSet; the box shows the
    best matches first, shallower organisations before deeper ones."""

    model = Organization
    template_name = "orgs/org_search.html"

    def get(self, request):
        field = request.GET.get("field")
        q = ((request.GET.get(field) if field else None) or request.GET.get("q", "")).strip()[:50]
        results = []
        if q:
            query = {"q": q} if request.GET.get("dissolved") == "1" else {"q": q, "active": "true"}
            filterset = OrganizationFilterSet(query, queryset=self.scoped(), request=request)
            results = list(filterset.qs.order_by("search_rank", "depth", "path")[:SEARCH_LIMIT])
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


class OrgDetail(ObjectDetailView):
    model = Organization
    template_name = "orgs/org_detail.html"
    context_object_name = "org"
    object_actions = ("add", "change", "move", "merge", "delete")

    def extra_context(self):
        org, user = self.object, self.request.user
        return {
            "ancestors": ancestors_visible(user, org),
            "children": children_of(user, org, include_dissolved=True),
            "grids": restrict(user, "view", Grid).filter(org=org)
            .annotate(n_buildings=Count("buildings"), n_households=Sum("buildings__households")),
            "located_units": restrict(user, "view", Unit).filter(org=org)
            .select_related("party_org"),
            "own_units": restrict(user, "view", Unit).filter(party_org=org),
            "events": restrict(user, "view", OrgEvent).filter(org=org).select_related("actor")[:50],
            "figures": subtree_figures(user, org),
            "merged_into": org.merged_into,
            "absorbed": org.absorbed.all(),
            "can_add_grid": org.is_active and org.kind in GRID_OWNER_KINDS
            and within_reach(user, "add", Grid, org),
            "can_add_unit": org.is_active and within_reach(user, "add", Unit, org),
        }


class OrgFormView(ObjectEditView):
    """The organisation's pages with a form; the template names the organisation (or the
    parent a new one goes under) above the form."""

    model = Organization
    template_name = "orgs/form.html"
    detail_url = "org_detail"

    def extra_context(self):
        return {"org": self.object}


class OrgCreate(OrgFormView):
    form_class = OrgForm
    form_takes_user = False
    title_add = "新设党组织"
    saved_message = "党组织已设立。"

    @cached_property
    def parent(self):
        return get_object_or_404(restrict(self.request.user, "add", Organization).active(),
                                 code=self.request.GET.get("parent", ""))

    def initial(self, obj):
        parent = self.parent
        return {"kind": CHILD_KIND.get(parent.kind, OrgKind.GROUP),
                "sector": CHILD_SECTOR.get(parent.sector, parent.sector)}

    def save(self, form, obj):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return services.create_organization(user=self.request.user, parent=self.parent, **data)

    def cancel_url(self, obj):
        return self.object_url(self.parent)

    def extra_context(self):
        return {"parent": self.parent}


class OrgEdit(OrgFormView):
    form_class = OrgForm
    form_takes_user = False
    title_change = "修改组织信息"

    def save(self, form, obj):
        # The service compares before and after on a fresh row; the page keeps `obj` as it was.
        changes = {name: form.cleaned_data[name] for name in form.fields}
        return services.update_organization(Organization.objects.get(pk=obj.pk),
                                            user=self.request.user, **changes)


class OrgMove(OrgFormView):
    change_action = "move"
    form_class = MoveForm
    title_change = "移动组织"
    submit_label = "确认移动"
    confirm_message = "确认移动？此操作会记入组织沿革。"
    saved_message = "“{obj.name}”已移至“{parent.name}”之下。"

    def save(self, form, obj):
        return services.move_organization(obj, user=self.request.user,
                                          new_parent=form.cleaned_data["parent"])


class OrgMerge(OrgFormView):
    change_action = "merge"
    form_class = MergeForm
    title_change = "合并组织"
    submit_label = "确认合并"
    danger = True
    confirm_message = "确认合并？此操作会记入组织沿革。"
    saved_message = "“{obj.name}”已并入“{survivor.name}”。"

    def save(self, form, obj):  # goes on to the survivor
        return services.merge_organizations(obj, user=self.request.user,
                                            survivor=form.cleaned_data["survivor"],
                                            reason=form.cleaned_data["reason"])


class OrgDissolve(OrgFormView):
    change_action = "delete"
    form_class = DissolveForm
    form_takes_user = False
    title_change = "撤销组织"
    submit_label = "确认撤销"
    danger = True
    confirm_message = "确认撤销？此操作会记入组织沿革。"
    saved_message = "“{obj.name}”已撤销。"

    def initial(self, obj):
        return {"dissolved_on": timezone.localdate()}

    def save(self, form, obj):
        return services.dissolve_organization(obj, user=self.request.user,
                                              on=form.cleaned_data["dissolved_on"],
                                              reason=form.cleaned_data["reason"])


# ---- grids and buildings ------------------------------------------------------------------

class GridList(ObjectListView):
    model = Grid
    template_name = "orgs/grid_list.html"
    filterset_class = GridFilterSet
    ordering = ("code",)

    def annotate_rows(self, rows):
        return rows.select_related("org").annotate(
            n_buildings=Count("buildings", distinct=True), n_households=Sum("buildings__households"))


class InOrgEdit(ObjectEditView):
    """A grid or unit: a new one starts in the organization of ?org=; `service` names the
    services function that saves it; `added_message` greets a new one."""

    service = ""
    added_message = ""

    def initial(self, obj):
        return {} if obj else {"org": self.request.GET.get("org", "")}

    def save(self, form, obj):
        return getattr(services, self.service)(form.save(commit=False), user=self.request.user)

    def success_message(self, form, obj, saved):
        return self.added_message if obj is None else "已保存。"


class GridEdit(InOrgEdit):
    model = Grid
    form_class = GridForm
    detail_url = "grid_detail"
    list_url = "grid_list"
    title_add = "新设网格"
    title_change = "修改网格：{obj.name}"
    service = "save_grid"
    added_message = "网格已设立。"


class GridDetail(ObjectDetailView):
    """A grid's page, whose inline forms add a post holder or a building."""

    model = Grid
    template_name = "orgs/grid_detail.html"
    context_object_name = "grid"
    post_form = building_form = None

    def extra_context(self):
        grid, user = self.object, self.request.user
        buildings = restrict(user, "view", Building).filter(grid=grid)
        return {
            "posts": restrict(user, "view", GridPost).filter(grid=grid).select_related("role"),
            "buildings": buildings,
            "households": buildings.aggregate(n=Sum("households"))["n"] or 0,
            "can_add_post": self.can("add", GridPost),
            "can_delete_post": self.can("delete", GridPost),
            "can_add_building": self.can("add", Building),
            "can_change_building": self.can("change", Building),
            "can_delete_building": self.can("delete", Building),
            "post_form": self.post_form or GridPostForm(user=user),
            "building_form": self.building_form or BuildingForm(),
        }

    def post(self, request, code):
        grid = self.object = self.get_object()
        user = request.user
        if request.POST.get("op") == "post":
            form = self.post_form = GridPostForm(request.POST, user=user)
            ok = form.is_valid() and run_service(request, form, lambda: services.add_grid_post(
                grid, user=user, role=form.cleaned_data["role"],
                holder_name=form.cleaned_data["holder_name"], since=form.cleaned_data["since"]),
                "已添加。")[0]
        else:
            form = self.building_form = BuildingForm(request.POST, instance=Building(grid=grid))
            ok = form.is_valid() and run_service(request, form, lambda: services.save_building(
                form.save(commit=False), user=user), "楼栋已添加。")[0]
        if ok:
            return redirect("grid_detail", code=code)
        return self.render(self.context(grid), status=400)


class GridDelete(ObjectDeleteView):
    model = Grid
    detail_url = "grid_detail"
    list_url = "grid_list"
    deleted_message = "网格“{obj.name}”已撤销。"

    def delete(self, obj):
        services.delete_grid(obj, user=self.request.user)


class GridPostDelete(ObjectDeleteView):
    model = GridPost
    lookup_field = "pk"
    deleted_message = "已免去 {obj.holder_name} 的{obj.role.name}岗位。"

    def delete(self, obj):
        services.remove_grid_post(obj, user=self.request.user)

    def object_url(self, obj):
        return reverse("grid_detail", args=[obj.grid.code])

    after_url = object_url


class BuildingEdit(ObjectEditView):
    model = Building
    lookup_field = "pk"
    form_class = BuildingForm
    form_takes_user = False
    title_change = "修改楼栋：{obj}"

    def object_url(self, obj):
        return reverse("grid_detail", args=[obj.grid.code])

    def save(self, form, obj):
        return services.save_building(form.save(commit=False), user=self.request.user)


class BuildingDelete(ObjectDeleteView):
    model = Building
    lookup_field = "pk"
    deleted_message = "楼栋“{obj.name}”已删除。"

    def delete(self, obj):
        services.delete_building(obj, user=self.request.user)

    def object_url(self, obj):
        return reverse("grid_detail", args=[obj.grid.code])

    after_url = object_url


# ---- units --------------------------------------------------------------------------------

class UnitList(ObjectListView):
    model = Unit
    template_name = "orgs/unit_list.html"
    filterset_class = UnitFilterSet
    ordering = ("code",)

    def annotate_rows(self, rows):
        return rows.select_related("org", "party_org")


class UnitEdit(InOrgEdit):
    model = Unit
    form_class = UnitForm
    detail_url = "unit_detail"
    list_url = "unit_list"
    title_add = "登记驻区单位"
    title_change = "修改单位：{obj.name}"
    service = "save_unit"
    added_message = "单位已登记。"


class UnitDetail(ObjectDetailView):
    model = Unit
    template_name = "orgs/unit_detail.html"
    context_object_name = "unit"

    def extra_context(self):
        unit = self.object
        return {"org_visible": restrict(self.request.user, "view", Organization)
                .filter(pk__in=[unit.org_id, unit.party_org_id]).values_list("pk", flat=True)}


class UnitDelete(ObjectDeleteView):
    model = Unit
    detail_url = "unit_detail"
    list_url = "unit_list"
    deleted_message = "单位“{obj.name}”已删除。"

    def delete(self, obj):
        services.delete_unit(obj, user=self.request.user)


# ---- grid posts configuration (一格五员) ---------------------------------------------------

class GridRoleList(ObjectListView):
    """The posts a grid is staffed with; a row's form changes it, the side form adds one."""

    model = GridRole
    template_name = "orgs/gridrole_list.html"
    ordering = ("order", "id")
    per_page = 100

    def get_queryset(self):
        return super().get_queryset().annotate(n=Count("posts"))

    def extra_context(self):
        return {"form": getattr(self, "form", None) or GridRoleForm(),
                "can_change": self.can("change")}

    def post(self, request):
        pk = request.POST.get("pk")
        if pk:
            role = get_object_or_404(self.scoped("change"), pk=pk)
        elif self.can("add"):
            role = None
        else:
            raise PermissionDenied
        form = self.form = GridRoleForm(request.POST, instance=role)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: services.save_grid_role(
                form.save(commit=False), user=request.user), "已保存。")
            if ok:
                return redirect("gridrole_list")
        return self.render(self.list_context(), status=400)
