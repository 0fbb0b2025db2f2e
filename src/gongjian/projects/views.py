"""Pages of the three lists: demands, resources, projects with their steps, supervision."""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.db.models.functions import Length, Substr
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from gongjian.core.access import can, reach_orgs, restrict
from gongjian.core.generic import ScopedView, paginate, run_action, run_service
from gongjian.core.services import DomainError, OutOfScope
from gongjian.orgs.models import Grid, Organization, Unit, ancestor_paths, street_path

from . import matching, queries, services
from .forms import (
    AcceptForm,
    ApproveForm,
    ClaimForm,
    DemandForm,
    DockForm,
    NoteForm,
    ProgressForm,
    ProjectFilterForm,
    ProjectForm,
    ReasonForm,
    ResourceForm,
    SupervisionFilterForm,
)
from .models import (
    ACTIVE_STATES,
    OPEN_DEMAND_STATES,
    Category,
    Demand,
    DemandState,
    Project,
    ProjectClaim,
    ProjectEvent,
    ProjectPhoto,
    Resource,
)

MATCHES_ON_DETAIL = 5


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


# ---- demands --------------------------------------------------------------------------------

class DemandList(ScopedView):
    model = Demand
    template_name = "projects/demand_list.html"

    def get(self, request):
        rows = self.scoped().select_related("org", "posted_by")
        state = request.GET.get("state", "")
        category = request.GET.get("category", "")
        q = (request.GET.get("q") or "").strip()
        if state in DemandState.values:
            rows = rows.filter(state=state)
        if category in Category.values:
            rows = rows.filter(category=category)
        if q:
            rows = rows.filter(title__icontains=q)
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "state": state, "category": category,
                            "q": q, "states": DemandState.choices,
                            "categories": Category.choices, "can_add": self.can("add")})


class DemandCreate(ScopedView):
    model = Demand
    action = "add"
    template_name = "projects/form.html"

    def form(self, data=None):
        user = self.request.user
        orgs = _orgs_for(user, "add", Demand)
        grids = (list(restrict(user, "view", Grid).order_by("code")[:200])
                 if can(user, "view", Grid) else [])
        return DemandForm(data, orgs=orgs, grids=grids)

    def context(self, form):
        return {"form": form, "title": "提出服务需求", "cancel": reverse("demand_list"),
                "intro": "说明需要什么服务、在哪里、大约多少人受益；社区受理后会与驻区单位的资源对接。"}

    def get(self, request):
        return self.render(self.context(self.form()))

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(self.context(form))
        data = dict(form.cleaned_data)
        user = request.user
        org = grid = None
        if data.get("org"):
            org = restrict(user, "view", Organization).filter(code=data["org"]).first()
        if data.get("grid"):
            grid = restrict(user, "view", Grid).filter(code=data["grid"]).first()
        ok, demand = run_service(request, form, lambda: services.create_demand(
            user, org=org, grid=grid, category=data["category"], title=data["title"],
            description=data["description"], place=data["place"],
            beneficiaries=data["beneficiaries"], urgency=data["urgency"]), "需求已提交。")
        if not ok:
            return self.render(self.context(form))
        return redirect("demand_detail", demand.pk)


class DemandDetail(ScopedView):
    model = Demand
    lookup_field = "pk"
    template_name = "projects/demand_detail.html"

    def get(self, request, pk):
        demand = self.get_object(queryset=self.scoped().select_related(
            "org", "grid", "posted_by", "project", "handled_by"))
        user = request.user
        in_change = restrict(user, "change", Demand).filter(pk=demand.pk).exists()
        in_withdraw = restrict(user, "withdraw", Demand).filter(pk=demand.pk).exists()
        show_matches = can(user, "view", Resource) and demand.is_open
        return self.render({
            "d": demand,
            # poster, place, description: only for the poster and staff who may act on it
            "details": demand.pk in services.demand_detail_ids(user, [demand]),
            "can_accept": in_change and demand.state == DemandState.OPEN,
            "can_decline": in_change and demand.is_open,
            "can_withdraw": in_withdraw and demand.is_open,
            "can_project": demand.is_open and can(user, "add", Project) and in_change,
            "matches": matching.resources_for(user, demand, MATCHES_ON_DETAIL)
            if show_matches else None,
            "project_visible": demand.project_id and restrict(user, "view", Project).filter(
                pk=demand.project_id).exists(),
            "reason_form": ReasonForm(),
        })


class DemandStep(ScopedView):
    """POST accept | decline (reason) | withdraw (reason optional)."""

    model = Demand
    http_method_names = ["post"]
    STEPS = {"accept": "需求已受理。", "decline": "已标记为不予受理。", "withdraw": "需求已撤回。"}

    def dispatch(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step not in self.STEPS:
            raise Http404
        self.action = services.DEMAND_TRANSITIONS[step][2]
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk, step):
        demand = get_object_or_404(restrict(request.user, "view", Demand), pk=pk)
        reason = request.POST.get("reason", "")
        calls = {"accept": lambda: services.accept_demand(request.user, demand),
                 "decline": lambda: services.decline_demand(request.user, demand, reason),
                 "withdraw": lambda: services.withdraw_demand(request.user, demand, reason)}
        run_action(request, calls[step], self.STEPS[step])
        return redirect("demand_detail", demand.pk)


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

class ResourceList(ScopedView):
    model = Resource
    template_name = "projects/resource_list.html"

    def get(self, request):
        rows = self.scoped().select_related("unit")
        category = request.GET.get("category", "")
        q = (request.GET.get("q") or "").strip()
        active = request.GET.get("active", "1")
        if category in Category.values:
            rows = rows.filter(category=category)
        if q:
            rows = rows.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
        if active == "1":
            rows = rows.filter(active=True)
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "category": category, "q": q,
                            "active": active, "categories": Category.choices,
                            "can_add": self.can("add")})


def _units_for(user, limit=500):
    if services._user_unit(user) is not None:
        return []
    return list(restrict(user, "view", Unit).order_by("code")[:limit])


class ResourceCreate(ScopedView):
    model = Resource
    action = "add"
    template_name = "projects/form.html"

    def context(self, form, title="登记服务资源"):
        return {"form": form, "title": title, "cancel": reverse("resource_list"),
                "intro": "单位能为社区居民提供的服务、场地或物资；容量按可服务的人数或次数填写。"}

    def get(self, request):
        return self.render(self.context(ResourceForm(units=_units_for(request.user))))

    def post(self, request):
        user = request.user
        form = ResourceForm(request.POST, units=_units_for(user))
        if not form.is_valid():
            return self.render(self.context(form))
        data = dict(form.cleaned_data)
        unit = None
        if data.pop("unit", None):
            unit = restrict(user, "view", Unit).filter(code=form.cleaned_data["unit"]).first()
        ok, resource = run_service(request, form, lambda: services.create_resource(
            user, unit=unit, **data), "资源已登记。")
        if not ok:
            return self.render(self.context(form))
        return redirect("resource_detail", resource.pk)


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
            request.user, r, **form.cleaned_data), "资源已保存。")
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

class ProjectList(ScopedView):
    model = Project
    template_name = "projects/project_list.html"

    def get(self, request):
        user = request.user
        form = ProjectFilterForm(request.GET)
        rows = self.scoped().select_related("org")
        scope_org = None
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                rows = rows.filter(title__icontains=data["q"])
            if data["state"]:
                rows = rows.filter(state=data["state"])
            if data["category"]:
                rows = rows.filter(category=data["category"])
            if data["overdue"]:
                rows = rows.filter(state__in=ACTIVE_STATES,
                                   step_deadline__lt=timezone.localdate())
            if data["org"]:
                scope_org = restrict(user, "view", Organization).filter(code=data["org"]).first()
                rows = rows.filter(org__path__startswith=scope_org.path) if scope_org \
                    else rows.none()
        unit = services._user_unit(user)
        if request.GET.get("mine") == "1" and unit is not None:
            rows = rows.filter(pk__in=ProjectClaim.objects.filter(unit=unit)
                               .values("project_id"))
        page, query = paginate(request, rows)
        today = timezone.localdate()
        for p in page.object_list:
            p.late = p.overdue_days(today)
        return self.render({"page": page, "query": query, "form": form, "scope_org": scope_org,
                            "can_add": self.can("add"), "unit": unit,
                            "can_supervise": self.can("supervise"),
                            "filtered": any(request.GET.get(k) for k in form.fields)})


class ProjectCreate(ScopedView):
    model = Project
    action = "add"
    template_name = "projects/form.html"

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

    def context(self, form):
        return {"form": form, "title": "申报共建项目", "cancel": reverse("project_list"),
                "intro": "申报后由街道党建办审核立项，立项后驻区单位即可认领。"}

    def get(self, request):
        return self.render(self.context(self.form()))

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(self.context(form))
        data = form.cleaned_data
        user = request.user
        org = restrict(user, "view", Organization).filter(code=data["org"]).first()
        ids = [int(i) for i in data.get("demands") or []]
        demands = list(restrict(user, "change", Demand).filter(pk__in=ids))
        ok, project = run_service(request, form, lambda: services.create_project(
            user, title=data["title"], category=data["category"],
            description=data["description"], org=org,
            target_beneficiaries=data["target_beneficiaries"],
            planned_start=data["planned_start"], planned_end=data["planned_end"],
            demands=demands), "项目已申报，等待街道立项。")
        if not ok:
            return self.render(self.context(form))
        return redirect("project_detail", project.pk)


STEP_FORMS = {
    "approve": (ApproveForm, "批准立项", "btn-party"),
    "reject": (ReasonForm, "驳回", "btn-outline-danger"),
    "claim": (ClaimForm, "认领项目", "btn-party"),
    "dock": (DockForm, "记录对接", "btn-party"),
    "start": (lambda *a, **k: NoteForm(*a, label="开始执行说明", **k), "开始执行", "btn-party"),
    "progress": (ProgressForm, "填报进展", "btn-outline-primary"),
    "accept": (AcceptForm, "组织验收", "btn-party"),
    "close": (lambda *a, **k: NoteForm(*a, label="结项说明", **k), "结项", "btn-party"),
    "withdraw": (ReasonForm, "撤回项目", "btn-outline-danger"),
}


class ProjectDetail(ScopedView):
    model = Project
    lookup_field = "pk"
    template_name = "projects/project_detail.html"

    def get(self, request, pk):
        user = request.user
        p = self.get_object(queryset=self.scoped().select_related("org", "created_by"))
        events = list(restrict(user, "view", ProjectEvent).filter(project=p)
                      .prefetch_related("photos"))
        claims = list(p.claims.select_related("unit", "resource"))
        demands = list(restrict(user, "view", Demand).filter(project=p).select_related("org"))
        steps = services.allowed_steps(user, p)
        today = timezone.localdate()
        return self.render({
            "p": p, "events": events, "claims": claims, "demands": demands,
            "steps": [{"step": s, "label": STEP_FORMS[s][1], "css": STEP_FORMS[s][2]}
                      for s in steps],
            "late": p.overdue_days(today),
            "owner": services.STEP_OWNERS.get(p.state),
            "next_step": services.NEXT_STEP.get(p.state),
            "open_share": 100 - p.claimed_share,
        })


class ProjectStep(ScopedView):
    """GET: the step's form; POST: take the step through the service."""

    model = Project
    template_name = "projects/project_step.html"

    def dispatch(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step not in services.TRANSITIONS:
            raise Http404
        self.action = services.TRANSITIONS[step][2]
        return super().dispatch(request, *args, **kwargs)

    def project(self, pk):
        return get_object_or_404(restrict(self.request.user, "view", Project)
                                 .select_related("org"), pk=pk)

    def make_form(self, step, project, data=None, files=None):
        cls = STEP_FORMS[step][0]
        user = self.request.user
        if step == "claim":
            own = services._user_unit(user)
            units = [] if own else list(
                restrict(user, "view", Unit).filter(
                    org__path__startswith=street_path(project.org)).order_by("code")[:300])
            res_q = Resource.objects.filter(active=True, unit=own) if own else \
                restrict(user, "view", Resource).filter(
                    active=True, unit__org__path__startswith=street_path(project.org))
            resources = list(res_q.filter(capacity__gt=F("committed")).order_by("title")[:200])
            return cls(data, units=units, resources=resources)
        return cls(data, files) if step == "progress" else cls(data)

    def context(self, step, project, form):
        return {"p": project, "step": step, "form": form, "label": STEP_FORMS[step][1],
                "css": STEP_FORMS[step][2], "multipart": step == "progress",
                "open_share": 100 - project.claimed_share}

    def get(self, request, pk, step):
        project = self.project(pk)
        if step not in services.allowed_steps(request.user, project):
            if not restrict(request.user, self.action, Project).filter(pk=pk).exists() \
                    and project.state in services.TRANSITIONS[step][0]:
                raise Http404
        return self.render(self.context(step, project, self.make_form(step, project)))

    def post(self, request, pk, step):
        user = request.user
        project = self.project(pk)
        form = self.make_form(step, project, request.POST, request.FILES)
        if not form.is_valid():
            return self.render(self.context(step, project, form), status=400)
        data = form.cleaned_data
        if step == "claim":
            unit = resource = None
            if data.get("unit"):
                unit = restrict(user, "view", Unit).filter(code=data["unit"]).first()
            if data.get("resource"):
                resource = restrict(user, "view", Resource).filter(pk=data["resource"]).first()
            call = lambda: services.claim(user, project, share=data["share"], unit=unit,  # noqa: E731
                                          resource=resource, uses=data.get("uses") or 0,
                                          note=data.get("note", ""))
        elif step in ("reject", "withdraw"):
            call = lambda: services.STEP_FUNCTIONS[step](user, project, data["reason"])  # noqa: E731
        elif step in ("approve", "start", "close"):
            call = lambda: services.STEP_FUNCTIONS[step](user, project, data.get("note", ""))  # noqa: E731
        elif step == "dock":
            call = lambda: services.dock(user, project, date=data["date"],  # noqa: E731
                                         place=data["place"], plan=data["plan"])
        elif step == "progress":
            call = lambda: services.progress(user, project, text=data["text"],  # noqa: E731
                                             photos=data.get("photos") or [])
        else:  # accept
            call = lambda: services.accept(user, project, rating=data["rating"],  # noqa: E731
                                           beneficiary_count=data["beneficiary_count"],
                                           comment=data.get("comment", ""))
        refused = {}

        def guarded():
            try:
                return call()
            except DomainError as error:
                refused["status"] = error.status  # 400 invalid data, 409 a refused step
                raise

        ok, _ = run_service(request, form, guarded, f"已{STEP_FORMS[step][1]}。")
        if not ok:
            return self.render(self.context(step, project, form),
                               status=refused.get("status", 409))
        return redirect("project_detail", project.pk)


class ProjectPhotoView(ScopedView):
    """A progress photo, to those who may see its project; never a public media URL."""

    model = ProjectPhoto
    lookup_field = "pk"

    def get(self, request, pk):
        try:
            photo = services.photo_for(request.user, pk)
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
