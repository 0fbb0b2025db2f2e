"""Pages of the three lists: demands, resources, projects with their steps, supervision."""

from dataclasses import replace
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.db.models.functions import Length, Substr
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.generic import (
    ObjectListView,
    ScopedView,
    WorkflowStepView,
    paginate,
    run_service,
)
from gongjian.core.services import OutOfScope
from gongjian.orgs.models import Grid, Organization, Unit, ancestor_paths, street_path

from . import matching, queries, services
from .filtersets import DemandFilterSet, ProjectFilterSet, ResourceFilterSet
from .forms import (
    AcceptForm,
    ApproveForm,
    ClaimForm,
    DemandForm,
    DockForm,
    NoteForm,
    ProgressForm,
    ProjectForm,
    ReasonForm,
    ResourceForm,
    SupervisionFilterForm,
)
from .models import (
    ACTIVE_STATES,
    OPEN_DEMAND_STATES,
    Demand,
    Project,
    ProjectClaim,
    ProjectPhoto,
    Resource,
)
from .workflows import DEMAND_WORKFLOW, PROJECT_WORKFLOW, next_line


def _orgs_for(user, action, model, limit=300):
    """Organisations the user may choose for a new row: the tops of their reach, the
    organisations right below those tops, the communities inside the reach and the
    organisations right below each community (its branches), not every group further down."""
    tops = reach_orgs(user, action, model)
    if not tops:
        return []
    within = Q()
    for org in tops:
        within |= Q(path__startswith=org.path)
    orgs = Organization.objects.active().filter(within)
    communities = Organization.objects.communities().active().filter(within)
    parent = Substr("path", 1, Length("path") - Organization.steplen)
    return list(orgs.annotate(above=parent).filter(
        Q(pk__in=[o.pk for o in tops]) | Q(pk__in=communities.values("pk"))
        | Q(above__in=[o.path for o in tops])
        | Q(above__in=communities.values("path"))).order_by("path")[:limit])


def _clean_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


MATCHES_ON_DETAIL = 5


# ---- demands --------------------------------------------------------------------------------

class DemandList(ObjectListView):
    model = Demand
    filterset_class = DemandFilterSet
    template_name = "projects/demand_list.html"

    def get_queryset(self):
        return self.scoped().select_related("org", "posted_by")


class _CreatePage(ScopedView):
    """A page that creates one object: `form(data)` builds the form, `create(form)` calls the
    service through run_service and answers (ok, obj); then to `done_url` for the new object."""

    action = "add"
    template_name = "projects/form.html"
    title = intro = cancel = done_url = ""

    def context(self, form):
        return {"form": form, "title": self.title, "cancel": reverse(self.cancel),
                "intro": self.intro}

    def get(self, request):
        return self.render(self.context(self.form()))

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            ok, obj = self.create(form)
            if ok:
                return redirect(self.done_url, obj.pk)
        return self.render(self.context(form))


class DemandCreate(_CreatePage):
    model = Demand
    title = "提出服务需求"
    cancel = "demand_list"
    done_url = "demand_detail"
    intro = "说明需要什么服务、在哪里、大约多少人受益；社区受理后会与驻区单位的资源对接。"

    def form(self, data=None):
        user = self.request.user
        orgs = _orgs_for(user, "add", Demand)
        grids = (list(restrict(user, "view", Grid).order_by("code")[:200])
                 if can(user, "view", Grid) else [])
        return DemandForm(data, orgs=orgs, grids=grids)

    def create(self, form):
        data = dict(form.cleaned_data)
        user = self.request.user
        org = grid = None
        if data.get("org"):
            org = restrict(user, "view", Organization).filter(code=data["org"]).first()
        if data.get("grid"):
            grid = restrict(user, "view", Grid).filter(code=data["grid"]).first()
        return run_service(self.request, form, lambda: services.create_demand(
            user=user, org=org, grid=grid, category=data["category"], title=data["title"],
            description=data["description"], place=data["place"],
            beneficiaries=data["beneficiaries"], urgency=data["urgency"]), "需求已提交。")


class DemandDetail(ScopedView):
    model = Demand
    lookup_field = "pk"
    template_name = "projects/demand_detail.html"

    def get(self, request, pk):
        demand = self.get_object(queryset=self.scoped().select_related(
            "org", "grid", "posted_by", "project", "handled_by"))
        user = request.user
        steps = DEMAND_WORKFLOW.available_steps(user, demand)
        names = {s.name for s in steps}
        show_matches = can(user, "view", Resource) and demand.is_open
        return self.render({
            "d": demand,
            # poster, place, description: only for the poster and staff who may act on it
            "details": demand.pk in services.demand_detail_ids([demand], user=user),
            "steps": steps,
            "can_decline": "decline" in names,
            "can_withdraw": "withdraw" in names,
            "can_project": DEMAND_WORKFLOW.allows("project", demand.state)
            and can(user, "add", Project)
            and restrict(user, "change", Demand).filter(pk=demand.pk).exists(),
            "matches": matching.resources_for(user, demand, MATCHES_ON_DETAIL)
            if show_matches else None,
            "project_visible": demand.project_id and restrict(user, "view", Project).filter(
                pk=demand.project_id).exists(),
        })


class DemandStep(WorkflowStepView):
    """POST accept | decline (reason) | withdraw (reason optional)."""

    model = Demand
    workflow = DEMAND_WORKFLOW
    services = services.DEMAND_STEPS
    gone_url = "demand_list"


class DemandMatches(ScopedView):
    """Every suggested resource for one demand, with the reasons."""

    model = Demand
    lookup_field = "pk"
    template_name = "projects/matches.html"

    def get(self, request, pk):
        if not can(request.user, "view", Resource):
            raise PermissionDenied
        demand = self.get_object(queryset=self.scoped().select_related("org"))
        return self.render({"subject": demand, "kind": "demand",
                            "matches": matching.resources_for(request.user, demand, 30)})


# ---- resources ------------------------------------------------------------------------------

# ---- resources ------------------------------------------------------------------------------

class ResourceList(ObjectListView):
    model = Resource
    filterset_class = ResourceFilterSet
    template_name = "projects/resource_list.html"

    def get_queryset(self):
        return self.scoped().select_related("unit")

    def filtered(self, request):
        data = request.GET.copy()
        data.setdefault("active", "1")  # the page opens on the resources in use
        filterset = self.filterset_class(data, queryset=self.get_queryset(), request=request)
        return (filterset.qs if filterset.is_valid() else filterset.queryset.none()), filterset


def _units_for(user, limit=500):
    if queries.liaison_unit(user) is not None:
        return []
    return list(restrict(user, "view", Unit).order_by("code")[:limit])


class ResourceCreate(_CreatePage):
    model = Resource
    title = "登记服务资源"
    cancel = "resource_list"
    done_url = "resource_detail"
    intro = "单位能为社区居民提供的服务、场地或物资；容量按可服务的人数或次数填写。"

    def form(self, data=None):
        return ResourceForm(data, units=_units_for(self.request.user))

    def create(self, form):
        user = self.request.user
        data = dict(form.cleaned_data)
        unit = None
        if data.pop("unit", None):
            unit = restrict(user, "view", Unit).filter(code=form.cleaned_data["unit"]).first()
        return run_service(self.request, form, lambda: services.create_resource(
            user=user, unit=unit, **data), "资源已登记。")


class ResourceEdit(ScopedView):
    model = Resource
    action = "change"
    lookup_field = "pk"
    template_name = "projects/form.html"

    def context(self, form, resource):
        return {"form": form, "title": f"修改资源：{resource.title}",
                "cancel": reverse("resource_detail", args=[resource.pk])}

    def get(self, request, pk):
        r = self.get_object()
        form = ResourceForm(initial={f: getattr(r, f) for f in services.RESOURCE_FIELDS})
        return self.render(self.context(form, r))

    def post(self, request, pk):
        r = self.get_object()
        form = ResourceForm(request.POST)
        if not form.is_valid():
            return self.render(self.context(form, r))
        ok, _ = run_service(request, form, lambda: services.update_resource(
            r, user=request.user, **form.cleaned_data), "资源已保存。")
        if not ok:
            return self.render(self.context(form, r))
        return redirect("resource_detail", r.pk)


class ResourceDetail(ScopedView):
    model = Resource
    lookup_field = "pk"
    template_name = "projects/resource_detail.html"

    def get(self, request, pk):
        r = self.get_object(queryset=self.scoped().select_related("unit", "unit__org"))
        user = request.user
        claims = list(restrict(user, "view", ProjectClaim).filter(resource=r)
                      .select_related("project"))
        return self.render({
            "r": r, "claims": claims,
            "can_change": restrict(user, "change", Resource).filter(pk=r.pk).exists(),
            "matches": matching.demands_for(user, r, 10)
            if r.active and can(user, "view", Demand) else None,
        })


# ---- projects -------------------------------------------------------------------------------

# ---- projects -------------------------------------------------------------------------------

class ProjectList(ObjectListView):
    model = Project
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"

    def get_queryset(self):
        return self.scoped().select_related("org")

    def get(self, request):
        rows, filterset = self.filtered(request)
        page, query = paginate(request, rows)
        today = timezone.localdate()
        for p in page.object_list:
            p.late = p.overdue_days(today)
        return self.render({"page": page, "query": query, "filter": filterset,
                            "can_add": self.can("add"), "unit": queries.liaison_unit(request.user),
                            "can_supervise": self.can("supervise"),
                            "filtered": any(request.GET.get(k) for k in filterset.filters)})


class ProjectCreate(_CreatePage):
    model = Project
    title = "申报共建项目"
    cancel = "project_list"
    done_url = "project_detail"
    intro = "申报后由街道党建办审核立项，立项后驻区单位即可认领。"

    def sources(self):
        """Open demands offered as sources: the one in ?demand=, or the user's open ones."""
        user = self.request.user
        rows = restrict(user, "change", Demand).filter(state__in=OPEN_DEMAND_STATES) \
            .select_related("org")
        return list(rows.order_by("-created_at")[:50])

    def form(self, data=None):
        user = self.request.user
        initial = {}
        demand_id = _clean_int(self.request.GET.get("demand"))
        if demand_id:
            d = restrict(user, "change", Demand).filter(pk=demand_id).select_related(
                "org").first()
            if d is not None:
                initial = {"title": d.title, "category": d.category, "description": d.description,
                           "org": d.org.code, "target_beneficiaries": d.beneficiaries,
                           "demands": [str(d.pk)]}
        return ProjectForm(data, initial=initial, orgs=_orgs_for(user, "add", Project),
                           demands=self.sources())

    def create(self, form):
        data = form.cleaned_data
        user = self.request.user
        org = restrict(user, "view", Organization).filter(code=data["org"]).first()
        ids = [int(i) for i in data.get("demands") or []]
        demands = list(restrict(user, "change", Demand).filter(pk__in=ids))
        return run_service(self.request, form, lambda: services.create_project(
            user=user, title=data["title"], category=data["category"],
            description=data["description"], org=org,
            target_beneficiaries=data["target_beneficiaries"],
            planned_start=data["planned_start"], planned_end=data["planned_end"],
            demands=demands), "项目已申报，等待街道立项。")


# What a step's button says where its label alone reads too short.
BUTTONS = {"approve": "批准立项", "claim": "认领项目", "dock": "记录对接", "accept": "组织验收",
           "withdraw": "撤回项目"}


def _button(step):
    return replace(step, label=BUTTONS.get(step.name, step.label))


class ProjectDetail(ScopedView):
    model = Project
    lookup_field = "pk"
    template_name = "projects/project_detail.html"

    def get(self, request, pk):
        user = request.user
        p = self.get_object(queryset=self.scoped().select_related("org", "created_by"))
        poster = queries.reads_as_poster(user)
        photos = list(restrict(user, "view", ProjectPhoto).filter(project=p)
                      .select_related("event"))
        for number, photo in enumerate(photos, 1):
            photo.number = number
        return self.render({
            "p": p, "poster": poster,
            "events": queries.history_for(user, p),
            "photos": photos,
            "claims": list(p.claims.select_related("unit", "resource")),
            "demands": list(restrict(user, "view", Demand).filter(project=p)
                            .select_related("org")),
            "steps": [_button(s) for s in PROJECT_WORKFLOW.available_steps(user, p)],
            "form_steps": list(PROJECT_WORKFLOW.by_name),
            "url_prefix": reverse("project_detail", args=[p.pk]),
            "next_line": next_line(p) if p.state in ACTIVE_STATES else [],
            "late": p.overdue_days(timezone.localdate()),
        })


class ProjectStep(WorkflowStepView):
    """GET: the step's form; POST: take the step through the service."""

    model = Project
    workflow = PROJECT_WORKFLOW
    services = services
    template_name = "projects/project_step.html"
    gone_url = "project_list"
    answer_refusal_status = True

    def get_queryset(self):
        # Found in view scope: the service tells a step refused in this state (409) from a
        # project beyond the user's reach for that step (404).
        return restrict(self.request.user, "view", Project).select_related("org")

    def get_object(self, action=None, queryset=None):
        if not hasattr(self, "_project"):
            self._project = super().get_object(action, queryset)
        return self._project

    @property
    def forms(self):
        return {"approve": ApproveForm, "reject": ReasonForm, "claim": self.claim_form,
                "dock": DockForm, "start": partial(NoteForm, label="开始执行说明"),
                "progress": ProgressForm, "accept": AcceptForm,
                "close": partial(NoteForm, label="结项说明"), "withdraw": ReasonForm}

    def claim_form(self, *args, **kwargs):
        """Staff claim for one of the street's units; a liaison for their own unit, with its
        resources that have capacity left."""
        user = self.request.user
        street = street_path(self.get_object().org)
        own = queries.liaison_unit(user)
        units = [] if own else list(restrict(user, "view", Unit).filter(
            org__path__startswith=street).order_by("code")[:300])
        offered = restrict(user, "view", Resource).filter(active=True,
                                                          capacity__gt=F("committed"))
        offered = offered.filter(unit=own) if own else offered.filter(
            unit__org__path__startswith=street)
        return ClaimForm(*args, units=units, resources=list(offered.order_by("title")[:200]),
                         **kwargs)

    def form_context(self, obj, form):
        name = self.step.name
        return {"p": obj, "step": name, "form": form, "label": BUTTONS.get(name, self.step.label),
                "css": f"btn-{self.step.style}", "multipart": name == "progress",
                "open_share": 100 - obj.claimed_share}



class ProjectPhotoView(ScopedView):
    """A progress photo, to those who may see its project; never a public media URL."""

    model = ProjectPhoto
    lookup_field = "pk"

    def get(self, request, pk):
        try:
            photo = services.photo_for(pk, user=request.user)
        except OutOfScope as error:
            raise Http404(error.message) from error
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError as error:
            raise Http404("照片文件不存在。") from error
        response = FileResponse(handle, content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class Supervision(ScopedView):
    """督办: the pipeline under the user's reach, per community and per unit, overdue steps."""

    model = Project
    action = "supervise"
    template_name = "projects/supervision.html"

    def get(self, request):
        user = request.user
        form = SupervisionFilterForm(request.GET)
        root = None
        category = ""
        missing = ""
        if form.is_valid():
            code = form.cleaned_data["org"].strip()
            category = form.cleaned_data["category"]
            if code:
                root = restrict(user, "view", Organization).filter(code=code).first()
                if root is None:
                    missing = code
        if missing:
            raise Http404("组织不存在或不在您的管理范围内。")
        data = queries.supervision(user, root=root, category=category)
        top = queries.top_org(user)
        crumbs = []
        if data["root"] is not None and top is not None and data["root"].pk != top.pk:
            above = [p for p in ancestor_paths(data["root"].path, include_self=False)
                     if p.startswith(top.path)]
            crumbs = list(Organization.objects.filter(path__in=above).order_by("path"))
        return self.render({"form": form, "category": category, "crumbs": crumbs, **data})
